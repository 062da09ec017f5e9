/* x509util.c: CSR/certificate intake, descriptions for pages and rows, and the encodings we hand out. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "x509util.h"

static void
set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* 1 when the first non-blank bytes are a PEM BEGIN line. */
static int
looks_pem(const unsigned char *p, size_t len)
{
	size_t i = 0;

	while (i < len && is_space(p[i]))
		i++;
	return len - i >= 11 && memcmp(p + i, "-----BEGIN ", 11) == 0;
}

static int
only_space(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_space(p[i]))
			return 0;
	return 1;
}

/*
 * Reads one PEM block whose label is one of labels. Returns 0 with the
 * decoded bytes in *der (OPENSSL_free them), or -1 with err. "what" names
 * the object in messages ("CSR", "certificate").
 */
static int
read_one_pem(const unsigned char *data, size_t len, const char *const *labels,
    const char *what, unsigned char **der, long *derlen, char *err, size_t errlen)
{
	BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *body = NULL;
	long blen = 0;
	char *rest = NULL;
	long restlen;
	char msg[128];
	int ok = 0, rc = -1;

	bio = BIO_new_mem_buf(data, (int)len);
	if (bio == NULL) {
		set_err(err, errlen, "out of memory");
		goto out;
	}
	if (!PEM_read_bio(bio, &name, &header, &body, &blen)) {
		snprintf(msg, sizeof(msg), "not a PEM %s: the BEGIN/END lines or the base64 between them are damaged", what);
		set_err(err, errlen, msg);
		goto out;
	}
	for (size_t i = 0; labels[i]; i++)
		if (strcmp(name, labels[i]) == 0)
			ok = 1;
	if (!ok) {
		snprintf(msg, sizeof(msg), "not a PEM %s (found \"%.40s\" instead)", what, name);
		set_err(err, errlen, msg);
		goto out;
	}
	if (header && header[0]) {
		snprintf(msg, sizeof(msg), "the PEM %s has headers (encrypted?); send a plain one", what);
		set_err(err, errlen, msg);
		goto out;
	}
	restlen = BIO_get_mem_data(bio, &rest);
	if (restlen > 0 && !only_space((const unsigned char *)rest, (size_t)restlen)) {
		snprintf(msg, sizeof(msg), "trailing data after the %s's END line; send exactly one %s", what, what);
		set_err(err, errlen, msg);
		goto out;
	}
	*der = body;
	*derlen = blen;
	body = NULL;
	rc = 0;
out:
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(body);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

/* The DER bytes of data (PEM with one of labels, or DER as it is): *der
 * points into data or at *pemder, which the caller frees (NULL for DER).
 * 0, or -1 with err. */
static int
der_of(const void *data, size_t len, const char *const *labels, const char *what,
    unsigned char **pemder, const unsigned char **der, long *derlen, char *err, size_t errlen)
{
	*pemder = NULL;
	if (looks_pem(data, len)) {
		if (read_one_pem(data, len, labels, what, pemder, derlen, err, errlen) < 0)
			return -1;
		*der = *pemder;
	} else {
		*der = data;
		*derlen = (long)len;
	}
	return 0;
}

int
cm_csr_load(const void *data, size_t len, X509_REQ **out, char *err, size_t errlen)
{
	static const char *const labels[] = { "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST", NULL };
	unsigned char *pemder = NULL;
	const unsigned char *der, *p;
	long derlen;
	X509_REQ *req = NULL;
	int rc = -1;

	*out = NULL;
	if (data == NULL || len == 0 || only_space(data, len)) {
		set_err(err, errlen, "the CSR is empty");
		return -1;
	}
	if (len > CM_X509_MAX_INPUT) {
		set_err(err, errlen, "the CSR is larger than 64 KiB; that is not a certificate request");
		return -1;
	}
	if (der_of(data, len, labels, "CSR", &pemder, &der, &derlen, err, errlen) < 0)
		goto out;
	p = der;
	req = d2i_X509_REQ(NULL, &p, derlen);
	if (req == NULL) {
		set_err(err, errlen, pemder ? "not a PEM CSR: the data inside the PEM block is not a PKCS#10 request"
		    : "not a PEM CSR: expected text starting with \"-----BEGIN CERTIFICATE REQUEST-----\" (or DER bytes)");
		goto out;
	}
	if (p != der + derlen) {
		set_err(err, errlen, "trailing data after the CSR's DER encoding");
		goto out;
	}
	if (X509_REQ_get0_pubkey(req) == NULL) {
		set_err(err, errlen, "the CSR's public key cannot be read (unsupported or damaged key)");
		goto out;
	}
	*out = req;
	req = NULL;
	rc = 0;
out:
	X509_REQ_free(req);
	OPENSSL_free(pemder);
	ERR_clear_error();
	return rc;
}

int
cm_cert_load(const void *data, size_t len, X509 **out, char *err, size_t errlen)
{
	static const char *const labels[] = { "CERTIFICATE", NULL };
	unsigned char *pemder = NULL;
	const unsigned char *der, *p;
	long derlen;
	X509 *x = NULL;
	int rc = -1;

	*out = NULL;
	if (data == NULL || len == 0) {
		set_err(err, errlen, "the certificate is empty");
		return -1;
	}
	if (len > CM_X509_MAX_INPUT) {
		set_err(err, errlen, "the certificate is larger than 64 KiB");
		return -1;
	}
	if (der_of(data, len, labels, "certificate", &pemder, &der, &derlen, err, errlen) < 0)
		goto out;
	p = der;
	x = d2i_X509(NULL, &p, derlen);
	if (x == NULL) {
		set_err(err, errlen, "not a PEM or DER certificate");
		goto out;
	}
	if (p != der + derlen) {
		set_err(err, errlen, "trailing data after the certificate's DER encoding");
		goto out;
	}
	*out = x;
	x = NULL;
	rc = 0;
out:
	X509_free(x);
	OPENSSL_free(pemder);
	ERR_clear_error();
	return rc;
}

int
cm_certs_load_pem(const char *pem, size_t len, STACK_OF(X509) **out, char *err, size_t errlen)
{
	BIO *bio = NULL;
	STACK_OF(X509) *sk = NULL;
	X509 *x = NULL;
	int rc = -1;

	*out = NULL;
	if (pem == NULL || len == 0 || len > 16 * CM_X509_MAX_INPUT) {
		set_err(err, errlen, "no certificates (empty or oversized bundle)");
		return -1;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL || (sk = sk_X509_new_null()) == NULL) {
		set_err(err, errlen, "out of memory");
		goto out;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_num(sk) >= CM_X509_MAX_LIST || !sk_X509_push(sk, x)) {
			set_err(err, errlen, "too many certificates in the bundle");
			goto out;
		}
		x = NULL;
	}
	if (sk_X509_num(sk) == 0) {
		set_err(err, errlen, "no PEM certificate found");
		goto out;
	}
	*out = sk;
	sk = NULL;
	rc = 0;
out:
	X509_free(x);
	sk_X509_pop_free(sk, X509_free);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

/* ---- descriptions ---- */

static int
list_add(struct cm_strlist *l, char *s)
{
	char **nv;

	if (s == NULL)
		return -1;
	if (l->n >= CM_X509_MAX_LIST) {
		free(s);
		return 0;
	}
	nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (nv == NULL) {
		free(s);
		return -1;
	}
	l->v = nv;
	l->v[l->n++] = s;
	return 0;
}

void
cm_strlist_free(struct cm_strlist *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

char *
cm_strlist_join(const struct cm_strlist *l, const char *sep)
{
	struct cm_buf b;

	cm_buf_init(&b, 0);
	if (cm_buf_puts(&b, "") < 0)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if ((i && cm_buf_puts(&b, sep) < 0) || cm_buf_puts(&b, l->v[i]) < 0) {
			cm_buf_free(&b);
			return NULL;
		}
	return cm_buf_steal(&b);
}

/* prefix + bytes, with control characters and NUL shown as '?' so a hostile
 * name cannot hide text from the person reading it. */
static char *
printable(const char *prefix, const unsigned char *p, size_t n)
{
	size_t pl = strlen(prefix);
	char *s = malloc(pl + n + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, prefix, pl);
	for (size_t i = 0; i < n; i++)
		s[pl + i] = (p[i] < 0x20 || p[i] == 0x7f) ? '?' : (char)p[i];
	s[pl + n] = '\0';
	return s;
}

static char *
asn1_utf8(const char *prefix, const ASN1_STRING *as)
{
	unsigned char *u = NULL;
	int n = ASN1_STRING_to_UTF8(&u, as);
	char *s;

	if (n < 0) {
		ERR_clear_error();
		return printable(prefix, (const unsigned char *)"(unreadable)", 12);
	}
	s = printable(prefix, u, (size_t)n);
	OPENSSL_free(u);
	return s;
}

static char *
name_rfc2253(const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *s = NULL;
	long n;

	if (bio == NULL)
		return NULL;
	/* Keep UTF-8 readable rather than \XX-escaped. */
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		n = BIO_get_mem_data(bio, &data);
		s = printable("", (const unsigned char *)(data ? data : ""), n > 0 ? (size_t)n : 0);
	}
	BIO_free(bio);
	ERR_clear_error();
	return s;
}

/* See x509util.h. */
char *
cm_name_text(const X509_NAME *name)
{
	return name_rfc2253(name);
}

/* The first entry of nid in name as text, NULL when absent; *fail on OOM. */
static char *
name_entry(const X509_NAME *name, int nid, int *fail)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	char *s;

	if (i < 0)
		return NULL;
	s = asn1_utf8("", X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	if (s == NULL)
		*fail = 1;
	return s;
}

static char *
general_name(const GENERAL_NAME *gn)
{
	char ip[INET6_ADDRSTRLEN];
	const ASN1_OCTET_STRING *o;
	char *tmp, *s;

	switch (gn->type) {
	case GEN_DNS:
		return asn1_utf8("DNS:", gn->d.dNSName);
	case GEN_EMAIL:
		return asn1_utf8("email:", gn->d.rfc822Name);
	case GEN_URI:
		return asn1_utf8("URI:", gn->d.uniformResourceIdentifier);
	case GEN_IPADD:
		o = gn->d.iPAddress;
		if (o->length == 4 && inet_ntop(AF_INET, o->data, ip, sizeof(ip)))
			return printable("IP:", (unsigned char *)ip, strlen(ip));
		if (o->length == 16 && inet_ntop(AF_INET6, o->data, ip, sizeof(ip)))
			return printable("IP:", (unsigned char *)ip, strlen(ip));
		return printable("IP:", (const unsigned char *)"(malformed)", 11);
	case GEN_OTHERNAME:
		if (OBJ_obj2nid(gn->d.otherName->type_id) == NID_ms_upn &&
		    gn->d.otherName->value->type == V_ASN1_UTF8STRING)
			return asn1_utf8("UPN:", gn->d.otherName->value->value.utf8string);
		return printable("otherName:", (const unsigned char *)"(unsupported)", 13);
	case GEN_DIRNAME:
		if ((tmp = name_rfc2253(gn->d.directoryName)) == NULL)
			return NULL;
		s = printable("DirName:", (unsigned char *)tmp, strlen(tmp));
		free(tmp);
		return s;
	default:
		return printable("other:", (const unsigned char *)"(unsupported)", 13);
	}
}

static int
add_sans(struct cm_strlist *l, GENERAL_NAMES *gens)
{
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++)
		if (list_add(l, general_name(sk_GENERAL_NAME_value(gens, i))) < 0)
			return -1;
	return 0;
}

static void
key_info(EVP_PKEY *pk, struct cm_key_info *k)
{
	char group[64];
	const char *nist;
	size_t glen = 0;

	snprintf(k->type, sizeof(k->type), "unknown");
	k->bits = 0;
	k->curve[0] = '\0';
	if (pk == NULL)
		return;
	k->bits = EVP_PKEY_get_bits(pk);
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		snprintf(k->type, sizeof(k->type), "rsa");
		break;
	case EVP_PKEY_EC:
		snprintf(k->type, sizeof(k->type), "ec");
		if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME,
		    group, sizeof(group), &glen)) {
			nist = EC_curve_nid2nist(OBJ_sn2nid(group));
			snprintf(k->curve, sizeof(k->curve), "%.31s", nist ? nist : group);
		}
		break;
	case EVP_PKEY_ED25519:
		snprintf(k->type, sizeof(k->type), "ed25519");
		break;
	case EVP_PKEY_ED448:
		snprintf(k->type, sizeof(k->type), "ed448");
		break;
	case EVP_PKEY_DSA:
		snprintf(k->type, sizeof(k->type), "dsa");
		break;
	default:
		break;
	}
	ERR_clear_error();
}

static void
alg_name(const X509_ALGOR *alg, char *out, size_t outlen)
{
	const ASN1_OBJECT *obj = NULL;
	int nid;

	out[0] = '\0';
	if (alg == NULL)
		return;
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	nid = OBJ_obj2nid(obj);
	if (nid != NID_undef)
		snprintf(out, outlen, "%s", OBJ_nid2ln(nid));
	else
		OBJ_obj2txt(out, (int)outlen, obj, 1);
}

int
cm_csr_describe(X509_REQ *req, struct cm_csr_info *out)
{
	const X509_NAME *subj = X509_REQ_get_subject_name(req);
	STACK_OF(X509_EXTENSION) *exts = NULL;
	GENERAL_NAMES *gens = NULL;
	const X509_ALGOR *alg = NULL;
	EVP_PKEY *pk;
	int fail = 0, rc = -1;

	memset(out, 0, sizeof(*out));
	if ((out->subject = name_rfc2253(subj)) == NULL)
		goto out;
	out->cn = name_entry(subj, NID_commonName, &fail);
	if (fail)
		goto out;
	exts = X509_REQ_get_extensions(req);
	if (exts) {
		gens = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
		if (add_sans(&out->sans, gens) < 0)
			goto out;
	}
	pk = X509_REQ_get0_pubkey(req);
	key_info(pk, &out->key);
	X509_REQ_get0_signature(req, NULL, &alg);
	alg_name(alg, out->sig_alg, sizeof(out->sig_alg));
	out->sig_valid = pk != NULL && X509_REQ_verify(req, pk) == 1;
	rc = 0;
out:
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	ERR_clear_error();
	if (rc < 0)
		cm_csr_info_free(out);
	return rc;
}

void
cm_csr_info_free(struct cm_csr_info *info)
{
	if (info == NULL)
		return;
	free(info->subject);
	free(info->cn);
	free(info->issue_subject);
	free(info->issue_dn);
	cm_strlist_free(&info->sans);
	memset(info, 0, sizeof(*info));
}

static void
asn1_time(const ASN1_TIME *t, time_t *out, char *str, size_t strlen_)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	*out = 0;
	str[0] = '\0';
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm)) {
		ERR_clear_error();
		return;
	}
	*out = timegm(&tm);
	strftime(str, strlen_, "%Y-%m-%d %H:%M:%S", &tm);
}

static const struct {
	uint32_t bit;
	const char *name;
} ku_names[] = {
	{ KU_DIGITAL_SIGNATURE, "digitalSignature" },
	{ KU_NON_REPUDIATION, "nonRepudiation" },
	{ KU_KEY_ENCIPHERMENT, "keyEncipherment" },
	{ KU_DATA_ENCIPHERMENT, "dataEncipherment" },
	{ KU_KEY_AGREEMENT, "keyAgreement" },
	{ KU_KEY_CERT_SIGN, "keyCertSign" },
	{ KU_CRL_SIGN, "cRLSign" },
	{ KU_ENCIPHER_ONLY, "encipherOnly" },
	{ KU_DECIPHER_ONLY, "decipherOnly" },
};

int
cm_cert_describe(X509 *cert, struct cm_cert_info *out)
{
	GENERAL_NAMES *gens = NULL;
	EXTENDED_KEY_USAGE *eku = NULL;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char oid[128];
	uint32_t ku;
	int fail = 0, rc = -1;

	memset(out, 0, sizeof(*out));
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	if (bn == NULL || (hex = BN_bn2hex(bn)) == NULL)
		goto out;
	for (char *p = hex; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	snprintf(out->serial_hex, sizeof(out->serial_hex), "%s", hex);
	if ((out->subject = name_rfc2253(X509_get_subject_name(cert))) == NULL ||
	    (out->issuer = name_rfc2253(X509_get_issuer_name(cert))) == NULL)
		goto out;
	out->cn = name_entry(X509_get_subject_name(cert), NID_commonName, &fail);
	if (fail)
		goto out;
	asn1_time(X509_get0_notBefore(cert), &out->not_before, out->not_before_str,
	    sizeof(out->not_before_str));
	asn1_time(X509_get0_notAfter(cert), &out->not_after, out->not_after_str,
	    sizeof(out->not_after_str));
	gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (add_sans(&out->sans, gens) < 0)
		goto out;
	for (size_t i = 0; i < out->sans.n && out->email == NULL; i++)
		if (strncmp(out->sans.v[i], "email:", 6) == 0 &&
		    (out->email = strdup(out->sans.v[i] + 6)) == NULL)
			goto out;
	if (out->email == NULL) {
		out->email = name_entry(X509_get_subject_name(cert), NID_pkcs9_emailAddress, &fail);
		if (fail)
			goto out;
	}
	key_info(X509_get0_pubkey(cert), &out->key);
	eku = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
	for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++) {
		ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		int nid = OBJ_obj2nid(o);

		if (nid != NID_undef)
			snprintf(oid, sizeof(oid), "%s", OBJ_nid2sn(nid));
		else
			OBJ_obj2txt(oid, sizeof(oid), o, 1);
		if (list_add(&out->ekus, strdup(oid)) < 0)
			goto out;
	}
	if (X509_get_extension_flags(cert) & EXFLAG_KUSAGE) {
		ku = X509_get_key_usage(cert);
		for (size_t i = 0; i < sizeof(ku_names) / sizeof(ku_names[0]); i++)
			if ((ku & ku_names[i].bit) && list_add(&out->key_usage, strdup(ku_names[i].name)) < 0)
				goto out;
	}
	out->is_ca = (X509_get_extension_flags(cert) & EXFLAG_CA) != 0;
	alg_name(X509_get0_tbs_sigalg(cert), out->sig_alg, sizeof(out->sig_alg));
	if (!X509_digest(cert, EVP_sha256(), md, &mdlen) || mdlen != 32)
		goto out;
	for (unsigned i = 0; i < mdlen; i++) {
		/* The last pair has no colon: tell snprintf what is really left. */
		snprintf(out->sha256 + 3 * i, sizeof(out->sha256) - 3 * i, "%02X%s", md[i],
		    i + 1 < mdlen ? ":" : "");
		snprintf(out->sha256_hex + 2 * i, sizeof(out->sha256_hex) - 2 * i, "%02x", md[i]);
	}
	rc = 0;
out:
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	GENERAL_NAMES_free(gens);
	OPENSSL_free(hex);
	BN_free(bn);
	ERR_clear_error();
	if (rc < 0)
		cm_cert_info_free(out);
	return rc;
}

void
cm_cert_info_free(struct cm_cert_info *info)
{
	if (info == NULL)
		return;
	free(info->subject);
	free(info->issuer);
	free(info->cn);
	free(info->email);
	cm_strlist_free(&info->sans);
	cm_strlist_free(&info->ekus);
	cm_strlist_free(&info->key_usage);
	memset(info, 0, sizeof(*info));
}

/* ---- encodings ---- */

/* Moves a memory BIO's contents to out; 0 or -1. */
static int
bio_to_buf(BIO *bio, struct cm_buf *out)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);

	if (n <= 0)
		return -1;
	return cm_buf_append(out, data, (size_t)n);
}

int
cm_cert_pem(X509 *cert, struct cm_buf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = -1;

	if (bio && PEM_write_bio_X509(bio, cert))
		rc = bio_to_buf(bio, out);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

int
cm_cert_der(X509 *cert, struct cm_buf *out)
{
	unsigned char *der = NULL;
	int n = i2d_X509(cert, &der), rc = -1;

	if (n > 0)
		rc = cm_buf_append(out, der, (size_t)n);
	OPENSSL_free(der);
	return rc;
}

int
cm_csr_der(X509_REQ *req, struct cm_buf *out)
{
	unsigned char *der = NULL;
	int n = i2d_X509_REQ(req, &der), rc = -1;

	if (n > 0)
		rc = cm_buf_append(out, der, (size_t)n);
	OPENSSL_free(der);
	return rc;
}

int
cm_der_to_pem(const void *der, size_t len, struct cm_buf *out)
{
	X509 *x = NULL;
	int rc = -1;

	if (cm_cert_load(der, len, &x, NULL, 0) == 0)
		rc = cm_cert_pem(x, out);
	X509_free(x);
	return rc;
}

static PKCS7 *
p7_certs_only(X509 *cert, STACK_OF(X509) *chain)
{
	PKCS7 *p7 = PKCS7_new();

	if (p7 == NULL || !PKCS7_set_type(p7, NID_pkcs7_signed) ||
	    !PKCS7_content_new(p7, NID_pkcs7_data) || !PKCS7_set_detached(p7, 1))
		goto fail;
	if (cert && !PKCS7_add_certificate(p7, cert))
		goto fail;
	for (int i = 0; chain && i < sk_X509_num(chain); i++)
		if (!PKCS7_add_certificate(p7, sk_X509_value(chain, i)))
			goto fail;
	return p7;
fail:
	PKCS7_free(p7);
	ERR_clear_error();
	return NULL;
}

int
cm_p7b_der(X509 *cert, STACK_OF(X509) *chain, struct cm_buf *out)
{
	PKCS7 *p7 = p7_certs_only(cert, chain);
	unsigned char *der = NULL;
	int n, rc = -1;

	if (p7 == NULL)
		return -1;
	n = i2d_PKCS7(p7, &der);
	if (n > 0)
		rc = cm_buf_append(out, der, (size_t)n);
	OPENSSL_free(der);
	PKCS7_free(p7);
	ERR_clear_error();
	return rc;
}

int
cm_p7b_pem(X509 *cert, STACK_OF(X509) *chain, struct cm_buf *out)
{
	PKCS7 *p7 = p7_certs_only(cert, chain);
	BIO *bio = NULL;
	int rc = -1;

	if (p7 == NULL)
		return -1;
	if ((bio = BIO_new(BIO_s_mem())) != NULL && PEM_write_bio_PKCS7(bio, p7))
		rc = bio_to_buf(bio, out);
	BIO_free(bio);
	PKCS7_free(p7);
	ERR_clear_error();
	return rc;
}

int
cm_find_issuer(X509 *cert, STACK_OF(X509) *cands)
{
	for (int i = 0; cands && i < sk_X509_num(cands); i++) {
		X509 *ca = sk_X509_value(cands, i);
		EVP_PKEY *pk = X509_get0_pubkey(ca);

		if (X509_check_issued(ca, cert) == X509_V_OK && pk && X509_verify(cert, pk) == 1) {
			ERR_clear_error();
			return i;
		}
	}
	ERR_clear_error();
	return -1;
}
