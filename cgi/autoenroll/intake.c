/* intake.c: autoenroll.fcgi's reading of what a client sends: the form fields, REMOTE_USER's principal and the CSR (no database: the fuzz target drives it). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "autoenroll.h"
#include "x509util.h"

/* The first value of name among form's n params, or NULL. */
static const struct cm_param *
field(const struct cm_param *form, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (form[i].name && strcmp(form[i].name, name) == 0)
			return &form[i];
	return NULL;
}

/* A decimal number of at most digits digits, nothing else: 0 with *v, or -1. */
static int
decimal(const struct cm_param *p, int digits, long long *v)
{
	long long x = 0;
	size_t n = p->value_len;

	if (n == 0 || n > (size_t)digits || strlen(p->value) != n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p->value[i] < '0' || p->value[i] > '9')
			return -1;
		x = x * 10 + (p->value[i] - '0');
	}
	*v = x;
	return 0;
}

/* 0 / -1; see autoenroll.h. */
int
aed_parse_serial(const char *s, char out[33])
{
	char hex[65];
	size_t n = 0, skip = 0;

	/* Separators as certificate viewers show them (colons, Windows'
	 * spaces) are ignored. Windows writes a serial whose first bit is set
	 * with a leading 00 byte (the DER integer's sign byte), so leading zero
	 * digits beyond 32 are dropped; any other 33rd digit is refused. */
	for (; *s; s++) {
		if (*s == ':' || *s == ' ')
			continue;
		if (!isxdigit((unsigned char)*s) || n >= sizeof(hex) - 1)
			return -1;
		hex[n++] = (char)tolower((unsigned char)*s);
	}
	if (n == 0)
		return -1;
	while (n - skip > 32 && hex[skip] == '0')
		skip++;
	if (n - skip > 32)
		return -1;
	memset(out, '0', 32 - (n - skip));
	memcpy(out + 32 - (n - skip), hex + skip, n - skip);
	out[32] = '\0';
	return 0;
}

/* 0 or a code; see autoenroll.h. */
int
aed_parse_fields(const struct cm_param *form, size_t n, struct aed_fields *f, char *why, size_t whylen)
{
	const struct cm_param *p;
	long long v;

	memset(f, 0, sizeof(*f));
	f->action = AED_ENROLL;
	f->days = AED_DAYS_DEFAULT;
	if ((p = field(form, n, "action")) != NULL) {
		if (strcmp(p->value, "enroll") == 0 && p->value_len == 6)
			f->action = AED_ENROLL;
		else if (strcmp(p->value, "status") == 0 && p->value_len == 6)
			f->action = AED_STATUS;
		else if (strcmp(p->value, "renew") == 0 && p->value_len == 5)
			f->action = AED_RENEW;
		else {
			snprintf(why, whylen, "action is none of enroll, status, renew");
			return AED_INVALID_STATUS;
		}
	}
	/* days and format are part of what the client asks for its status:
	 * a wrong one is an invalid status request (21). */
	if ((p = field(form, n, "days")) != NULL && p->value_len > 0) {
		if (decimal(p, 4, &v) < 0 || v < 1 || v > AED_DAYS_MAX) {
			snprintf(why, whylen, "days is not a number from 1 to %d", AED_DAYS_MAX);
			return AED_INVALID_STATUS;
		}
		f->days = (long)v;
	}
	if ((p = field(form, n, "format")) != NULL && p->value_len > 0) {
		if (strcmp(p->value, "pem") == 0 && p->value_len == 3)
			f->pem = 1;
		else if (!(strcmp(p->value, "pkcs7") == 0 && p->value_len == 5)) {
			snprintf(why, whylen, "format is neither pkcs7 nor pem");
			return AED_INVALID_STATUS;
		}
	}
	if ((p = field(form, n, "orgid")) != NULL && p->value_len > 0) {
		if (decimal(p, 18, &v) < 0 || v <= 0) {
			snprintf(why, whylen, "orgid is not a positive decimal number");
			return AED_ORGID_INVALID;
		}
		f->orgid = (int64_t)v;
	}
	if ((p = field(form, n, "serial")) != NULL && p->value_len > 0) {
		if (strlen(p->value) != p->value_len || aed_parse_serial(p->value, f->serial) < 0) {
			snprintf(why, whylen, "serial is not a certificate serial in hex (at most 16 bytes)");
			return AED_INVALID_SERIAL;
		}
	}
	if ((p = field(form, n, "csr")) != NULL && p->value_len > 0) {
		f->csr = p->value;
		f->csr_len = p->value_len;
	}
	return 0;
}

/* 0 / -1; see autoenroll.h. */
int
aed_parse_principal(const char *remote_user, char *user, size_t userlen, char *realm, size_t realmlen)
{
	const char *at;
	size_t n, un, rn;

	if (remote_user == NULL)
		return -1;
	n = strlen(remote_user);
	at = strrchr(remote_user, '@');
	if (at == NULL || n > 256)
		return -1;
	un = (size_t)(at - remote_user);
	rn = n - un - 1;
	if (un == 0 || rn == 0 || un >= userlen || rn >= realmlen)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)remote_user[i];
		/* A '/' is a service principal (host/pc.corp): no user of AD's;
		 * a second '@' an enterprise name Apache should have mapped. */
		if (c <= 0x20 || c == 0x7f || c == '/' || c == '\\' || (c == '@' && remote_user + i != at))
			return -1;
	}
	for (size_t i = 0; i < rn; i++) {
		unsigned char c = (unsigned char)at[1 + i];
		if (!(isalnum(c) || c == '.' || c == '-'))
			return -1;
	}
	memcpy(user, remote_user, un);
	user[un] = '\0';
	memcpy(realm, at + 1, rn);
	realm[rn] = '\0';
	return 0;
}

/* Copies an e-mail value (n bytes) into dst when it is one plain address:
 * 1, 0 not (no '@', control bytes, too long). */
static int
mail_value(const unsigned char *s, int n, char *dst, size_t dstlen)
{
	const unsigned char *at;

	if (n <= 0 || (size_t)n >= dstlen || (at = memchr(s, '@', (size_t)n)) == NULL || at == s ||
	    at == s + n - 1)
		return 0;
	for (int i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	memcpy(dst, s, (size_t)n);
	dst[n] = '\0';
	return 1;
}

/* Notes one e-mail of the CSR: the first is kept, the others compared. */
static void
add_mail(struct aed_csr *c, const char *m)
{
	if (c->email[0] == '\0') {
		snprintf(c->email, sizeof(c->email), "%s", m);
		c->emails_agree = 1;
	} else if (strcasecmp(c->email, m) != 0) {
		c->emails_agree = 0;
	}
}

/* 0 or a code; see autoenroll.h. */
int
aed_csr_intake(const char *data, size_t len, struct aed_csr *c, char *why, size_t whylen)
{
	const X509_NAME *nm;
	EVP_PKEY *pk;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	GENERAL_NAMES *gns = NULL;
	unsigned char *spki = NULL, md[32];
	unsigned mdlen = 0;
	int id, bits, spki_len, rc = AED_INVALID_CSR, cns = 0, bad_mail = 0;
	char err[256];

	memset(c, 0, sizeof(*c));
	if (cm_csr_load(data, len, &c->req, err, sizeof(err)) < 0) {
		snprintf(why, whylen, "%s", err);
		return AED_INVALID_CSR;
	}
	if ((pk = X509_REQ_get0_pubkey(c->req)) == NULL) {
		snprintf(why, whylen, "the CSR's public key cannot be read");
		goto out;
	}
	if (X509_REQ_verify(c->req, pk) != 1) {
		snprintf(why, whylen, "the CSR's signature does not verify");
		goto out;
	}
	id = EVP_PKEY_get_base_id(pk);
	bits = EVP_PKEY_get_bits(pk);
	if (id == EVP_PKEY_RSA) {
		if (bits < 2048) {
			snprintf(why, whylen, "an RSA key of %d bits (2048 at least)", bits);
			goto out;
		}
	} else if (id == EVP_PKEY_EC) {
		char curve[64] = "";
		size_t n = 0;
		if (EVP_PKEY_get_utf8_string_param(pk, "group", curve, sizeof(curve), &n) != 1 ||
		    (strcmp(curve, "prime256v1") != 0 && strcmp(curve, "secp384r1") != 0 &&
		    strcmp(curve, "P-256") != 0 && strcmp(curve, "P-384") != 0)) {
			snprintf(why, whylen, "an EC key on curve %s (P-256 or P-384)", curve[0] ? curve : "?");
			goto out;
		}
	} else {
		snprintf(why, whylen, "a key that is neither RSA nor EC");
		goto out;
	}
	if ((spki_len = i2d_PUBKEY(pk, &spki)) <= 0 ||
	    EVP_Digest(spki, (size_t)spki_len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		snprintf(why, whylen, "the CSR's public key cannot be encoded");
		goto out;
	}
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(c->spki_sha256 + 2 * i, 3, "%02x", md[i]);
	nm = X509_REQ_get_subject_name(c->req);
	for (int i = 0; i < X509_NAME_entry_count(nm); i++) {
		const X509_NAME_ENTRY *ne = X509_NAME_get_entry(nm, i);
		const ASN1_STRING *v = X509_NAME_ENTRY_get_data(ne);
		int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne));
		char m[256];

		if (nid == NID_commonName) {
			int n = ASN1_STRING_length(v);
			if (++cns > 1 || n <= 0 || (size_t)n >= sizeof(c->cn) ||
			    memchr(ASN1_STRING_get0_data(v), '\0', (size_t)n) != NULL) {
				snprintf(why, whylen, "the CSR needs exactly one CN of at most %zu bytes",
				    sizeof(c->cn) - 1);
				goto out;
			}
			memcpy(c->cn, ASN1_STRING_get0_data(v), (size_t)n);
			c->cn[n] = '\0';
		} else if (nid == NID_pkcs9_emailAddress) {
			if (mail_value(ASN1_STRING_get0_data(v), ASN1_STRING_length(v), m, sizeof(m)))
				add_mail(c, m);
			else
				bad_mail = 1;
		}
	}
	exts = X509_REQ_get_extensions(c->req);
	gns = exts ? X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL) : NULL;
	for (int i = 0; gns && i < sk_GENERAL_NAME_num(gns); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gns, i);
		char m[256];
		if (g->type != GEN_EMAIL)
			continue;
		if (mail_value(ASN1_STRING_get0_data(g->d.rfc822Name), ASN1_STRING_length(g->d.rfc822Name), m, sizeof(m)))
			add_mail(c, m);
		else
			bad_mail = 1;
	}
	if (bad_mail) {
		snprintf(why, whylen, "an e-mail address of the CSR is not one plain address");
		goto out;
	}
	if (c->email[0] == '\0') {
		snprintf(why, whylen, "the CSR has no e-mail address (subject emailAddress or SAN rfc822Name)");
		rc = AED_NO_EMAIL;
		goto out;
	}
	rc = 0;
out:
	OPENSSL_free(spki);
	GENERAL_NAMES_free(gns);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return rc;
}

/* No return value. */
void
aed_csr_free(struct aed_csr *c)
{
	X509_REQ_free(c->req);
	c->req = NULL;
}
