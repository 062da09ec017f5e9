/* ca.c: creating, importing and loading the CA pair; the only code that writes CA files. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "issue.h"
#include "names.h"
#include "ssl_reason.h"

#define ROOT_KEY "root.key"
#define ROOT_PEM "root.pem"
#define ISSUING_KEY "issuing.key"
#define ISSUING_PEM "issuing.pem"

static X509 *
pem_to_x509(const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	return x;
}

static int
x509_to_pem(X509 *x, struct cm_buf *out)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	int ret = -1;
	if (b && PEM_write_bio_X509(b, x)) {
		long n = BIO_get_mem_data(b, &p);
		ret = cm_buf_append(out, p, (size_t)n);
	}
	BIO_free(b);
	return ret;
}

static X509 *
vault_x509(const struct cm_vault *v, const char *name, char *err, size_t errlen)
{
	struct cm_buf b;
	X509 *x = NULL;
	cm_buf_init(&b, CM_VAULT_MAX_FILE);
	if (cm_vault_read(v, name, &b, err, errlen) == 0) {
		x = pem_to_x509(b.data, b.len);
		if (x == NULL)
			cm_ssl_reason(err, errlen, "vault: unreadable certificate");
	}
	cm_buf_free(&b);
	return x;
}

/* 0 / -1 with err. */
int
cm_ca_load(struct cm_ca *ca, const struct cm_vault *v, char *err, size_t errlen)
{
	memset(ca, 0, sizeof(*ca));
	if (pthread_rwlock_init(&ca->lock, NULL) != 0) {
		snprintf(err, errlen, "rwlock init failed");
		return -1;
	}
	ca->vault = v;
	/* issuing.pem is written last by init/import, so it marks a complete CA. */
	if (!cm_vault_exists(v, ISSUING_PEM))
		return 0;
	ca->root = vault_x509(v, ROOT_PEM, err, errlen);
	ca->cert = ca->root ? vault_x509(v, ISSUING_PEM, err, errlen) : NULL;
	ca->key = ca->cert ? cm_vault_get_key(v, ISSUING_KEY, err, errlen) : NULL;
	if (ca->key == NULL || X509_check_private_key(ca->cert, ca->key) != 1) {
		if (ca->key)
			snprintf(err, errlen, "vault: issuing key does not match issuing.pem");
		X509_free(ca->root);
		X509_free(ca->cert);
		EVP_PKEY_free(ca->key);
		ca->root = ca->cert = NULL;
		ca->key = NULL;
		ERR_clear_error();
		return -1;
	}
	return 0;
}

/* No return value. */
void
cm_ca_free(struct cm_ca *ca)
{
	X509_free(ca->root);
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	pthread_rwlock_destroy(&ca->lock);
	memset(ca, 0, sizeof(*ca));
}

/* A new key (ca.h). */
EVP_PKEY *
cm_key_new(const char *key_type)
{
	if (strcmp(key_type, "rsa3072") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	if (strcmp(key_type, "rsa2048") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (strcmp(key_type, "ecdsa-p256") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	return NULL;
}

static int
store_cert(const struct cm_vault *v, const char *name, X509 *x, char *err, size_t errlen)
{
	struct cm_buf b;
	int r = -1;
	cm_buf_init(&b, 0);
	if (x509_to_pem(x, &b) == 0)
		r = cm_vault_write(v, name, b.data, b.len, err, errlen);
	else
		snprintf(err, errlen, "encoding certificate failed");
	cm_buf_free(&b);
	return r;
}

#define DEFAULT_ROOT_DAYS 7305L
#define DEFAULT_ISSUING_DAYS 3653L

static long
lim_root(const struct cm_ca_limits *lim)
{
	return lim && lim->max_root_days > 0 ? lim->max_root_days : DEFAULT_ROOT_DAYS;
}

static long
lim_issuing(const struct cm_ca_limits *lim)
{
	return lim && lim->max_issuing_days > 0 ? lim->max_issuing_days : DEFAULT_ISSUING_DAYS;
}

/* 1 when n carries exactly one C= of two capital letters (ISO 3166), else 0. */
static int
has_country(const X509_NAME *n)
{
	int i = X509_NAME_get_index_by_NID(n, NID_countryName, -1);
	if (i < 0 || X509_NAME_get_index_by_NID(n, NID_countryName, i) >= 0)
		return 0;
	const ASN1_STRING *v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	const unsigned char *d = ASN1_STRING_get0_data(v);
	return ASN1_STRING_length(v) == 2 && d[0] >= 'A' && d[0] <= 'Z' && d[1] >= 'A' && d[1] <= 'Z';
}

/* 0 / 1 refused / -1. Takes the write lock for the whole creation. */
int
cm_ca_init(struct cm_ca *ca, const char *key_type, const char *root_subject,
    const char *issuing_subject, long root_days, long issuing_days,
    int name_constraints, const struct cm_ca_limits *lim, char *reason, size_t rlen)
{
	X509_NAME *rn = NULL, *in = NULL;
	EVP_PKEY *rk = NULL, *ik = NULL;
	X509 *rc = NULL, *ic = NULL;
	NAME_CONSTRAINTS *nc = NULL;
	long max_root = lim_root(lim), max_iss = lim_issuing(lim);
	int ret = 1;
	char why[256];

	pthread_rwlock_wrlock(&ca->lock);
	if (ca->cert != NULL || cm_vault_exists(ca->vault, ISSUING_PEM)) {
		snprintf(reason, rlen, "a CA already exists in this signer's vault");
		goto out;
	}
	if (strcmp(key_type, "rsa3072") != 0 && strcmp(key_type, "rsa2048") != 0 &&
	    strcmp(key_type, "ecdsa-p256") != 0) {
		snprintf(reason, rlen, "key type must be rsa3072, rsa2048 or ecdsa-p256");
		goto out;
	}
	if (root_days == 0)
		root_days = max_root < DEFAULT_ROOT_DAYS ? max_root : DEFAULT_ROOT_DAYS;
	if (issuing_days == 0) {
		issuing_days = max_iss < DEFAULT_ISSUING_DAYS ? max_iss : DEFAULT_ISSUING_DAYS;
		if (issuing_days > root_days)
			issuing_days = root_days;
	}
	if (root_days < 1 || root_days > max_root) {
		snprintf(reason, rlen, "root CA validity of %ld days is outside 1..%ld (max_root_days of this signer)",
		    root_days, max_root);
		goto out;
	}
	if (issuing_days < 1 || issuing_days > max_iss) {
		snprintf(reason, rlen, "issuing CA validity of %ld days is outside 1..%ld (max_issuing_days of this signer)",
		    issuing_days, max_iss);
		goto out;
	}
	if (issuing_days > root_days) {
		snprintf(reason, rlen, "the issuing CA (%ld days) cannot outlive the root (%ld days)",
		    issuing_days, root_days);
		goto out;
	}
	rn = cm_dn_parse(root_subject, why, sizeof(why));
	if (rn == NULL) {
		snprintf(reason, rlen, "root subject: %s", why);
		goto out;
	}
	in = cm_dn_parse(issuing_subject, why, sizeof(why));
	if (in == NULL) {
		snprintf(reason, rlen, "issuing subject: %s", why);
		goto out;
	}
	if (!has_country(rn) || !has_country(in)) {
		snprintf(reason, rlen, "the %s subject needs one country, C= with two capital letters (ISO 3166, e.g. /C=GB/O=...)",
		    has_country(rn) ? "issuing" : "root");
		goto out;
	}
	if (name_constraints) {
		if (lim == NULL || lim->ns == NULL || cm_ns_empty(lim->ns)) {
			snprintf(reason, rlen, "name constraints asked for, but this signer has no [namespaces] to put in them");
			goto out;
		}
		nc = cm_ns_name_constraints(lim->ns);
		if (nc == NULL) {
			ret = -1;
			snprintf(reason, rlen, "building the nameConstraints extension failed");
			goto out;
		}
	}
	if (X509_NAME_cmp(rn, in) == 0) {
		snprintf(reason, rlen, "root and issuing CA subjects must differ");
		goto out;
	}
	ret = -1;
	rk = cm_key_new(key_type);
	ik = cm_key_new(key_type);
	if (rk == NULL || ik == NULL) {
		cm_ssl_reason(reason, rlen, "key generation failed");
		goto out;
	}
	rc = cm_ca_cert_build(rn, rk, NULL, rk, root_days, -1, NULL, NULL, reason, rlen);
	if (rc == NULL)
		goto out;
	/* The issuing CA points at the root's CRL and certificate. */
	ic = cm_ca_cert_build(in, ik, rc, rk, issuing_days, 0, nc, lim ? lim->publish_base : NULL,
	    reason, rlen);
	if (ic == NULL)
		goto out;
	if (cm_vault_put_key(ca->vault, ROOT_KEY, rk, reason, rlen) < 0 ||
	    cm_vault_put_key(ca->vault, ISSUING_KEY, ik, reason, rlen) < 0 ||
	    store_cert(ca->vault, ROOT_PEM, rc, reason, rlen) < 0 ||
	    store_cert(ca->vault, ISSUING_PEM, ic, reason, rlen) < 0)
		goto out;
	ca->root = rc;
	ca->cert = ic;
	ca->key = ik;
	rc = ic = NULL;
	ik = NULL;
	ret = 0;
out:
	pthread_rwlock_unlock(&ca->lock);
	NAME_CONSTRAINTS_free(nc);
	X509_NAME_free(rn);
	X509_NAME_free(in);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
	X509_free(rc);
	X509_free(ic);
	return ret;
}

static int
is_ca_cert(X509 *x)
{
	return X509_check_ca(x) >= 1 && (X509_get_extension_flags(x) & EXFLAG_CA);
}

/* 1 when x is valid for more than max days (notBefore to notAfter), else 0. */
static int
too_long(X509 *x, long max, long *days)
{
	int d = 0, sec = 0;
	if (!ASN1_TIME_diff(&d, &sec, X509_get0_notBefore(x), X509_get0_notAfter(x)))
		return 1;
	*days = d;
	return d > max;
}

/* 0 / 1 refused / -1. */
int
cm_ca_import(struct cm_ca *ca, const char *root_pem, const char *issuing_pem,
    const char *key_pem, const char *passphrase, const struct cm_ca_limits *lim,
    char *reason, size_t rlen)
{
	long days = 0;
	X509 *rc = NULL, *ic = NULL;
	EVP_PKEY *ik = NULL, *rpub = NULL;
	BIO *b = NULL;
	int ret = 1;

	pthread_rwlock_wrlock(&ca->lock);
	if (ca->cert != NULL || cm_vault_exists(ca->vault, ISSUING_PEM)) {
		snprintf(reason, rlen, "a CA already exists in this signer's vault");
		goto out;
	}
	rc = pem_to_x509(root_pem, strlen(root_pem));
	ic = pem_to_x509(issuing_pem, strlen(issuing_pem));
	if (rc == NULL || ic == NULL) {
		snprintf(reason, rlen, "root and issuing certificates must be PEM certificates");
		goto out;
	}
	b = BIO_new_mem_buf(key_pem, -1);
	/* An empty passphrase string must not prompt on a terminal. */
	ik = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)(passphrase ? passphrase : "")) : NULL;
	if (ik == NULL) {
		snprintf(reason, rlen, "the issuing key cannot be read (wrong passphrase?)");
		goto out;
	}
	if (X509_check_private_key(ic, ik) != 1) {
		snprintf(reason, rlen, "the issuing key does not match the issuing certificate");
		goto out;
	}
	if (!is_ca_cert(ic) || !is_ca_cert(rc)) {
		snprintf(reason, rlen, "both certificates must be CA certificates (basicConstraints CA:TRUE)");
		goto out;
	}
	rpub = X509_get_pubkey(rc);
	if (X509_check_issued(rc, ic) != X509_V_OK || rpub == NULL || X509_verify(ic, rpub) != 1) {
		snprintf(reason, rlen, "the issuing certificate is not signed by the root");
		goto out;
	}
	if (X509_check_issued(rc, rc) != X509_V_OK || X509_verify(rc, rpub) != 1) {
		snprintf(reason, rlen, "the root certificate is not self-signed");
		goto out;
	}
	if (too_long(rc, lim_root(lim), &days)) {
		snprintf(reason, rlen, "the root certificate is valid for %ld days, more than max_root_days (%ld) of this signer",
		    days, lim_root(lim));
		goto out;
	}
	if (too_long(ic, lim_issuing(lim), &days)) {
		snprintf(reason, rlen, "the issuing certificate is valid for %ld days, more than max_issuing_days (%ld) of this signer",
		    days, lim_issuing(lim));
		goto out;
	}
	ret = -1;
	if (cm_vault_put_key(ca->vault, ISSUING_KEY, ik, reason, rlen) < 0 ||
	    store_cert(ca->vault, ROOT_PEM, rc, reason, rlen) < 0 ||
	    store_cert(ca->vault, ISSUING_PEM, ic, reason, rlen) < 0)
		goto out;
	ca->root = rc;
	ca->cert = ic;
	ca->key = ik;
	rc = ic = NULL;
	ik = NULL;
	ret = 0;
out:
	pthread_rwlock_unlock(&ca->lock);
	ERR_clear_error();
	BIO_free(b);
	X509_free(rc);
	X509_free(ic);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(rpub);
	return ret;
}

/* 0 / 1 no CA / -1. */
int
cm_ca_chain(struct cm_ca *ca, struct cm_buf *out, char *reason, size_t rlen)
{
	int ret = 1;
	pthread_rwlock_rdlock(&ca->lock);
	if (ca->cert == NULL) {
		snprintf(reason, rlen, "no CA yet: run certmint init (ca-init) first");
		goto out;
	}
	ret = -1;
	if (x509_to_pem(ca->cert, out) < 0 || x509_to_pem(ca->root, out) < 0) {
		snprintf(reason, rlen, "encoding the chain failed");
		goto out;
	}
	ret = 0;
out:
	pthread_rwlock_unlock(&ca->lock);
	return ret;
}

/* 0 / 1 no CA. */
int
cm_ca_get(struct cm_ca *ca, X509 **cert, EVP_PKEY **key, char *reason, size_t rlen)
{
	int ret = 1;
	*cert = NULL;
	*key = NULL;
	pthread_rwlock_rdlock(&ca->lock);
	if (ca->cert == NULL) {
		snprintf(reason, rlen, "no CA yet: run certmint init (ca-init) first");
	} else {
		X509_up_ref(ca->cert);
		EVP_PKEY_up_ref(ca->key);
		*cert = ca->cert;
		*key = ca->key;
		ret = 0;
	}
	pthread_rwlock_unlock(&ca->lock);
	return ret;
}
