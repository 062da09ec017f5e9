/* test_autoenroll_intake.c: autoenroll.fcgi's intake without a database: the form fields and their codes, REMOTE_USER's principal, serials, and the CSR rules (key, signature, CN, e-mail addresses). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cgi/autoenroll/autoenroll.h"
#include "form.h"
#include "tap.h"

/* The code aed_parse_fields gives for the url-encoded body q (f filled). */
static int
fields(const char *q, struct aed_fields *f)
{
	struct cm_param *p = NULL;
	size_t n = 0;
	char err[160], why[256];
	int code;

	if (cm_form_parse(q, strlen(q), AED_MAX_BODY, 64, &p, &n, err, sizeof(err)) < 0)
		return -1;
	code = aed_parse_fields(p, n, f, why, sizeof(why));
	if (code != 0 && why[0] == '\0')
		code = -2;              /* a refusal must say why */
	/* f->csr points into p, which goes now: only whether it came is kept. */
	int had_csr = f->csr != NULL;
	cm_params_free(p, n);
	f->csr = had_csr ? "(given)" : NULL;
	return code;
}

/* A PEM CSR with key (EC P-256, P-521 or RSA of bits), subject cn/email (NULL: none), an rfc822Name SAN
 * san (NULL: none); signed, or with a broken signature when bad_sig. Malloc'ed. */
static char *
csr(const char *key, int bits, const char *cn, const char *email, const char *san, int bad_sig)
{
	EVP_PKEY *pk = strcmp(key, "rsa") == 0 ? EVP_RSA_gen((unsigned)bits) : EVP_EC_gen(key);
	X509_REQ *r = X509_REQ_new();
	X509_NAME *nm = X509_NAME_new();
	BIO *b = BIO_new(BIO_s_mem());
	char *out, *data;
	long len;

	if (cn)
		X509_NAME_add_entry_by_NID(nm, NID_commonName, MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	if (email)
		X509_NAME_add_entry_by_NID(nm, NID_pkcs9_emailAddress, MBSTRING_ASC, (const unsigned char *)email, -1, -1, 0);
	X509_REQ_set_subject_name(r, nm);
	X509_REQ_set_pubkey(r, pk);
	if (san) {
		STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
		char v[300];
		snprintf(v, sizeof(v), "email:%s", san);
		sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, v));
		X509_REQ_add_extensions(r, exts);
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	X509_REQ_sign(r, pk, EVP_sha256());
	if (bad_sig) {
		const ASN1_BIT_STRING *sig;
		X509_REQ_get0_signature(r, &sig, NULL);
		((unsigned char *)ASN1_STRING_get0_data(sig))[8] ^= 0x55;
	}
	PEM_write_bio_X509_REQ(b, r);
	len = BIO_get_mem_data(b, &data);
	out = malloc((size_t)len + 1);
	memcpy(out, data, (size_t)len);
	out[len] = '\0';
	BIO_free(b);
	X509_NAME_free(nm);
	X509_REQ_free(r);
	EVP_PKEY_free(pk);
	return out;
}

/* The code aed_csr_intake gives for pem (c freed). */
static int
intake(char *pem, struct aed_csr *c)
{
	char why[256] = "";
	int code = aed_csr_intake(pem, strlen(pem), c, why, sizeof(why));

	if (code != 0 && why[0] == '\0')
		code = -2;
	free(pem);
	return code;
}

int
main(void)
{
	struct aed_fields f;
	struct aed_csr c;
	char user[257], realm[254], serial[33];

	is_int(fields("", &f), 0, "no fields: enroll");
	is_int(f.action, AED_ENROLL, "... action enroll");
	is_int(f.days, 30, "... days 30");
	ok(f.csr == NULL && !f.pem && f.orgid == 0 && f.serial[0] == '\0', "... nothing else");
	is_int(fields("action=status&days=3650&format=pem&orgid=42&serial=0A:bc", &f), 0, "status with every field");
	is_int(f.action, AED_STATUS, "... status");
	is_int(f.days, 3650, "... days");
	is_int(f.orgid, 42, "... orgid");
	ok(f.pem, "... pem");
	is_str(f.serial, "00000000000000000000000000000abc", "... serial padded, lower case");
	is_int(fields("action=renew&csr=abc", &f), 0, "renew");
	is_int(f.action, AED_RENEW, "... renew");
	ok(f.csr != NULL, "... csr kept");
	is_int(fields("action=revoke", &f), AED_INVALID_STATUS, "an unknown action: 21");
	is_int(fields("action=status%00x", &f), AED_INVALID_STATUS, "an action with a NUL: 21");
	is_int(fields("days=0", &f), AED_INVALID_STATUS, "days 0: 21");
	is_int(fields("days=3651", &f), AED_INVALID_STATUS, "days 3651: 21");
	is_int(fields("days=-5", &f), AED_INVALID_STATUS, "days -5: 21");
	is_int(fields("format=der", &f), AED_INVALID_STATUS, "format der: 21");
	is_int(fields("orgid=0", &f), AED_ORGID_INVALID, "orgid 0: 6");
	is_int(fields("orgid=1e3", &f), AED_ORGID_INVALID, "orgid 1e3: 6");
	is_int(fields("orgid=1234567890123456789", &f), AED_ORGID_INVALID, "orgid of 19 digits: 6");
	is_int(fields("serial=xyz", &f), AED_INVALID_SERIAL, "a serial not hex: 24");
	is_int(fields("serial=1123456789abcdef0123456789abcdef0", &f), AED_INVALID_SERIAL, "a serial of 33 significant digits: 24");
	is_int(fields("serial=%3A%3A", &f), AED_INVALID_SERIAL, "a serial of colons only: 24");
	is_int(fields("days=7&days=8000", &f), 0, "a repeated field: the first counts");
	is_int(f.days, 7, "... 7");

	ok(aed_parse_principal("alice@AD1.EXAMPLE.COM", user, sizeof(user), realm, sizeof(realm)) == 0, "alice@REALM");
	is_str(user, "alice", "... user");
	is_str(realm, "AD1.EXAMPLE.COM", "... realm");
	ok(aed_parse_principal("HTTP/pc.example.com@EXAMPLE.COM", user, sizeof(user), realm, sizeof(realm)) < 0,
	    "a service principal is refused");
	ok(aed_parse_principal("alice", user, sizeof(user), realm, sizeof(realm)) < 0, "no realm");
	ok(aed_parse_principal("@EXAMPLE.COM", user, sizeof(user), realm, sizeof(realm)) < 0, "no user");
	ok(aed_parse_principal("alice@", user, sizeof(user), realm, sizeof(realm)) < 0, "an empty realm");
	ok(aed_parse_principal("a@b@EXAMPLE.COM", user, sizeof(user), realm, sizeof(realm)) < 0, "two '@'");
	ok(aed_parse_principal("al ice@EXAMPLE.COM", user, sizeof(user), realm, sizeof(realm)) < 0, "a space");
	ok(aed_parse_principal("alice@EXA_MPLE", user, sizeof(user), realm, sizeof(realm)) < 0, "a realm with '_'");
	ok(aed_parse_principal(NULL, user, sizeof(user), realm, sizeof(realm)) < 0, "NULL");
	ok(aed_parse_serial("01:02", serial) == 0 && strcmp(serial, "00000000000000000000000000000102") == 0, "serial 01:02");
	ok(aed_parse_serial("00 8f 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e", serial) == 0 &&
	    strcmp(serial, "008f0102030405060708090a0b0c0d0e") == 0,
	    "a serial with Windows' spaces");
	ok(aed_parse_serial("008f0102030405060708090a0b0c0d0e0f", serial) == 0 &&
	    strcmp(serial, "8f0102030405060708090a0b0c0d0e0f") == 0, "a 16-byte serial with the sign byte Windows shows (34 digits)");
	ok(aed_parse_serial("018f0102030405060708090a0b0c0d0e0f", serial) < 0, "17 significant bytes are refused");
	ok(aed_parse_serial("0x12", serial) < 0, "a 0x prefix is refused");
	ok(aed_parse_serial("", serial) < 0, "an empty serial is refused");

	is_int(intake(csr("P-256", 0, "Alice Smith", "alice@corp.example.com", NULL, 0), &c), 0, "EC P-256, CN and emailAddress");
	is_str(c.email, "alice@corp.example.com", "... the e-mail");
	is_str(c.cn, "Alice Smith", "... the CN");
	is_int(strlen(c.spki_sha256), 64, "... the key's SHA-256");
	aed_csr_free(&c);
	is_int(intake(csr("rsa", 2048, "Alice Smith", NULL, "alice@corp.example.com", 0), &c), 0, "RSA-2048 with the e-mail in a SAN");
	is_str(c.email, "alice@corp.example.com", "... the SAN's e-mail");
	aed_csr_free(&c);
	is_int(intake(csr("P-256", 0, "Alice Smith", "alice@corp.example.com", "ALICE@corp.example.com", 0), &c), 0,
	    "the same e-mail twice (case aside)");
	ok(c.emails_agree, "... they agree");
	aed_csr_free(&c);
	is_int(intake(csr("P-256", 0, "Alice Smith", "alice@corp.example.com", "bob@corp.example.com", 0), &c), 0,
	    "two different e-mails");
	ok(!c.emails_agree, "... do not agree (18 for the caller)");
	aed_csr_free(&c);
	is_int(intake(csr("rsa", 1024, "Alice Smith", "alice@corp.example.com", NULL, 0), &c), AED_INVALID_CSR, "RSA-1024: 15");
	aed_csr_free(&c);
	is_int(intake(csr("P-521", 0, "Alice Smith", "alice@corp.example.com", NULL, 0), &c), AED_INVALID_CSR, "EC P-521: 15");
	aed_csr_free(&c);
	is_int(intake(csr("P-256", 0, "Alice Smith", "alice@corp.example.com", NULL, 1), &c), AED_INVALID_CSR, "a bad signature: 15");
	aed_csr_free(&c);
	is_int(intake(csr("P-256", 0, "Alice Smith", NULL, NULL, 0), &c), AED_NO_EMAIL, "no e-mail: 26");
	aed_csr_free(&c);
	is_int(intake(csr("P-256", 0, "Alice Smith", "not-an-address", NULL, 0), &c), AED_INVALID_CSR, "an emailAddress that is no address: 15");
	aed_csr_free(&c);
	is_int(intake(strdup("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"), &c),
	    AED_INVALID_CSR, "damaged PEM: 15");
	aed_csr_free(&c);
	is_str(aed_code_message(27), "Invalid remote user", "message 27");
	is_str(aed_code_message(30), "Failed to enroll certificate", "message 30");
	is_int(aed_code_http(1), 404, "HTTP of 1");
	is_int(aed_code_http(27), 401, "HTTP of 27");
	is_str(aed_code_message(31), "Unknown code", "no code 31");

	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
