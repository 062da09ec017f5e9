/* scep_ra.c: signerd's SCEP RA key + certificate: created (RSA-2048, issued by the issuing CA), journalled, kept in the vault, rotated with the previous pair kept for decryption. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "issue.h"
#include "issued_set.h"
#include "journal.h"
#include "log.h"
#include "profile.h"
#include "scep.h"
#include "vault.h"

#define DAY 86400L

/* OpenSSL's first queued error after what, into err. No return value. */
static void
ssl_reason(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "";
	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	snprintf(err, errlen, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

/* The RA certificate's rules. Built in, not in the profile file: no
 * operator edit may give the RA key an EKU or CA rights. keyEncipherment
 * because clients encrypt the pkiMessage to it, digitalSignature because it
 * signs the CertRep; no EKU: RFC 8894 asks for none, and neither micromdm's
 * scepclient nor certmonger look for one. */
static const struct cm_profile ra_profile = {
	.name = CM_SCEP_JOURNAL_PROFILE,
	.key_usage = "digitalSignature,keyEncipherment",
	.neku = 0,
	.max_days = CM_SCEP_RA_MAX_DAYS,
	.key_types = CM_KT_RSA,
	.min_rsa_bits = 2048,
	.subject_attrs = { NID_commonName, NID_organizationName, NID_organizationalUnitName, NID_countryName },
	.nsubject_attrs = 4,
	.san_types = 0,
	.cn_required = 1,
	.ocsp_nocheck = 0,
	.policy_oid = "",
};

/* 0 / -1. */
int
cm_scep_ra_init(struct cm_scep_ra *r, const struct cm_scep_conf *conf, struct cm_ca *ca,
    const struct cm_vault *v, struct cm_journal *j, struct cm_issued_set *issued)
{
	memset(r, 0, sizeof(*r));
	if (pthread_mutex_init(&r->mu, NULL) != 0)
		return -1;
	if (pthread_mutex_init(&r->rotate_mu, NULL) != 0) {
		pthread_mutex_destroy(&r->mu);
		return -1;
	}
	r->conf = *conf;
	r->ca = ca;
	r->vault = v;
	r->journal = j;
	r->issued = issued;
	return 0;
}

/* No return value. */
void
cm_scep_ra_free(struct cm_scep_ra *r)
{
	if (r->ca == NULL)
		return;
	X509_free(r->cert);
	EVP_PKEY_free(r->key);
	X509_free(r->prev_cert);
	EVP_PKEY_free(r->prev_key);
	X509_free(r->ca_cert);
	pthread_mutex_destroy(&r->mu);
	pthread_mutex_destroy(&r->rotate_mu);
	memset(r, 0, sizeof(*r));
}

static int not_after(const X509 *x, time_t *t);

/* 0 with new references, or 1 when there is no current pair. An expired
 * previous pair is not handed out: no client may still use it. */
int
cm_scep_ra_get(struct cm_scep_ra *r, X509 **cert, EVP_PKEY **key, X509 **prev_cert, EVP_PKEY **prev_key)
{
	time_t end;
	int ret = 1;
	*cert = NULL;
	*key = NULL;
	if (prev_cert)
		*prev_cert = NULL;
	if (prev_key)
		*prev_key = NULL;
	pthread_mutex_lock(&r->mu);
	if (r->cert && r->key) {
		X509_up_ref(r->cert);
		EVP_PKEY_up_ref(r->key);
		*cert = r->cert;
		*key = r->key;
		if (prev_cert && prev_key && r->prev_cert && r->prev_key &&
		    not_after(r->prev_cert, &end) == 0 && end > time(NULL)) {
			X509_up_ref(r->prev_cert);
			EVP_PKEY_up_ref(r->prev_key);
			*prev_cert = r->prev_cert;
			*prev_key = r->prev_key;
		}
		ret = 0;
	}
	pthread_mutex_unlock(&r->mu);
	return ret;
}

/* A new reference, or NULL. */
X509 *
cm_scep_ra_current(struct cm_scep_ra *r)
{
	pthread_mutex_lock(&r->mu);
	X509 *x = r->cert;
	if (x)
		X509_up_ref(x);
	pthread_mutex_unlock(&r->mu);
	return x;
}

/* notAfter as seconds since the epoch: 0 and *t, or -1. */
static int
not_after(const X509 *x, time_t *t)
{
	struct tm tm;
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
		return -1;
	*t = timegm(&tm);
	return 0;
}

/* 1 when cert must be replaced at now under ca: expired, or fewer than
 * rotate_days left unless it already ends with the CA (a new one could not
 * last longer). 0 when it may stay. */
static int
cert_due(const struct cm_scep_ra *r, X509 *cert, X509 *ca, time_t now)
{
	time_t end, ca_end;
	if (cert == NULL || not_after(cert, &end) < 0 || not_after(ca, &ca_end) < 0 || end <= now)
		return 1;
	if (end - now >= r->conf.rotate_days * DAY)
		return 0;
	return end < ca_end;
}

/* 1 when the pair in use must be replaced (none, another CA's, due); mu held. */
static int
pair_due(const struct cm_scep_ra *r, X509 *ca, time_t now)
{
	if (r->cert == NULL || r->ca_cert == NULL || X509_cmp(r->ca_cert, ca) != 0)
		return 1;
	return cert_due(r, r->cert, ca, now);
}

/* The certificate + key pair of vault files cname / kname when both exist,
 * were issued by ca and match: 0 with *cert / *key (expired or not: the
 * caller judges); 1 none usable (why in reason). */
static int
vault_pair(struct cm_scep_ra *r, X509 *ca, const char *cname, const char *kname, X509 **cert,
    EVP_PKEY **key, char *reason, size_t rlen)
{
	struct cm_buf b;
	X509 *x = NULL, *parsed = NULL;
	EVP_PKEY *k = NULL, *capub = X509_get0_pubkey(ca);
	BIO *bio = NULL;
	unsigned char *der = NULL;
	int ret = 1;

	*cert = NULL;
	*key = NULL;
	if (!cm_vault_exists(r->vault, cname) || !cm_vault_exists(r->vault, kname)) {
		snprintf(reason, rlen, "none in the vault");
		return 1;
	}
	cm_buf_init(&b, CM_VAULT_MAX_FILE);
	if (cm_vault_read(r->vault, cname, &b, reason, rlen) < 0)
		goto out;
	bio = BIO_new_mem_buf(b.data, (int)b.len);
	x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	if (x == NULL) {
		snprintf(reason, rlen, "%s does not hold a certificate", cname);
		goto out;
	}
	if (capub == NULL || X509_check_issued(ca, x) != X509_V_OK || X509_verify(x, capub) != 1) {
		snprintf(reason, rlen, "%s is not the current issuing CA's", cname);
		goto out;
	}
	k = cm_vault_get_key(r->vault, kname, reason, rlen);
	if (k == NULL)
		goto out;
	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA || X509_check_private_key(x, k) != 1) {
		snprintf(reason, rlen, "%s does not match %s", kname, cname);
		goto out;
	}
	/* Read back from DER, as every pair is used: the certificate exactly as
	 * clients see it. */
	int dlen = i2d_X509(x, &der);
	const unsigned char *dp = der;
	parsed = dlen > 0 ? d2i_X509(NULL, &dp, dlen) : NULL;
	if (parsed == NULL) {
		snprintf(reason, rlen, "%s does not read back", cname);
		goto out;
	}
	*cert = parsed;
	*key = k;
	parsed = NULL;
	k = NULL;
	ret = 0;
out:
	ERR_clear_error();
	OPENSSL_free(der);
	BIO_free(bio);
	X509_free(x);
	X509_free(parsed);
	EVP_PKEY_free(k);
	cm_buf_free(&b);
	return ret;
}

/* Writes cert (PEM) and key to the vault files cname / kname, the key
 * first: a crash between the two leaves a mismatch, which the next start
 * replaces; never a certificate whose key is lost. 0 / -1 with reason. */
static int
vault_put_pair(struct cm_scep_ra *r, const char *cname, const char *kname, X509 *x, EVP_PKEY *k,
    char *reason, size_t rlen)
{
	char *pem;
	long plen;
	int ret = -1;

	if (cm_vault_put_key(r->vault, kname, k, reason, rlen) < 0)
		return -1;
	BIO *b = BIO_new(BIO_s_mem());
	if (b == NULL || !PEM_write_bio_X509(b, x) || (plen = BIO_get_mem_data(b, &pem)) <= 0) {
		snprintf(reason, rlen, "encoding the RA certificate failed");
		goto out;
	}
	if (cm_vault_write(r->vault, cname, pem, (size_t)plen, reason, rlen) < 0)
		goto out;
	ret = 0;
out:
	BIO_free(b);
	return ret;
}

/*
 * A new RA pair for ca (key cakey): an RSA-2048 key, a CSR of it checked
 * against the built-in RA rules and signed like any issue (cm_issue_build),
 * journalled under CM_SCEP_JOURNAL_PROFILE, then written to the vault. 0
 * with *cert / *key (the certificate read back from its DER), -1 with
 * reason.
 */
static int
make_pair(struct cm_scep_ra *r, X509 *ca, EVP_PKEY *cakey, X509 **cert, EVP_PKEY **key,
    char *reason, size_t rlen)
{
	struct cm_profile_request in;
	struct cm_profile_plan plan;
	struct cm_buf rec;
	X509_REQ *req = NULL;
	X509_NAME *subj = NULL;
	EVP_PKEY *k = NULL;
	X509 *x = NULL, *parsed = NULL;
	unsigned char *csr = NULL, *der = NULL, serial[CM_SERIAL_LEN];
	char hex[2 * CM_SERIAL_LEN + 1], line[512];
	int clen, dlen = 0, ret = -1;

	memset(&in, 0, sizeof(in));
	memset(&plan, 0, sizeof(plan));
	cm_buf_init(&rec, 0);
	*cert = NULL;
	*key = NULL;
	k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	subj = cm_issue_own_subject(ca, " SCEP RA");
	req = X509_REQ_new();
	if (k == NULL || subj == NULL || req == NULL || !X509_REQ_set_subject_name(req, subj) ||
	    !X509_REQ_set_pubkey(req, k) || X509_REQ_sign(req, k, EVP_sha256()) <= 0 ||
	    (clen = i2d_X509_REQ(req, &csr)) <= 0) {
		ssl_reason(reason, rlen, "making the SCEP RA key and request");
		goto out;
	}
	in.csr_der = csr;
	in.csr_len = (size_t)clen;
	in.days = r->conf.cert_days;
	if (cm_profile_check(&ra_profile, &in, &plan, reason, rlen) != 0)
		goto out;
	if (cm_serial_new(serial) < 0) {
		snprintf(reason, rlen, "random number generator failed");
		goto out;
	}
	cm_serial_hex(serial, hex);
	x = cm_issue_build(&ra_profile, &plan, ca, cakey, serial, r->conf.publish_base, reason, rlen);
	if (x == NULL || (dlen = i2d_X509(x, &der)) <= 0) {
		if (x)
			snprintf(reason, rlen, "encoding the SCEP RA certificate failed");
		goto out;
	}
	const unsigned char *dp = der;
	parsed = d2i_X509(NULL, &dp, dlen);
	if (parsed == NULL || X509_check_private_key(parsed, k) != 1) {
		ssl_reason(reason, rlen, "the new SCEP RA certificate does not read back");
		goto out;
	}
	X509_NAME_oneline(X509_get_subject_name(parsed), line, sizeof(line));
	/* Journalled like every certificate the signer makes, before use. */
	if (cm_journal_format(&rec, time(NULL), hex, CM_SCEP_JOURNAL_PROFILE, geteuid(), line, der,
	    (size_t)dlen) < 0 || cm_journal_append(r->journal, rec.data, rec.len) < 0) {
		snprintf(reason, rlen, "the signer could not journal its SCEP RA certificate (%s)", strerror(errno));
		goto out;
	}
	if (r->issued)
		(void)cm_issued_add(r->issued, serial, sizeof(serial));
	if (vault_put_pair(r, CM_SCEP_VAULT_CERT, CM_SCEP_VAULT_KEY, parsed, k, reason, rlen) < 0)
		goto out;
	*cert = parsed;
	*key = k;
	parsed = NULL;
	k = NULL;
	ret = 0;
out:
	ERR_clear_error();
	cm_profile_plan_free(&plan);
	cm_buf_free(&rec);
	X509_REQ_free(req);
	X509_NAME_free(subj);
	EVP_PKEY_free(k);
	X509_free(x);
	X509_free(parsed);
	OPENSSL_free(csr);
	OPENSSL_free(der);
	return ret;
}

/* Puts (cert, key) in use for ca and (pcert, pkey) as the previous pair
 * (NULL: none), taking all references; mu taken here. */
static void
swap_in(struct cm_scep_ra *r, X509 *cert, EVP_PKEY *key, X509 *pcert, EVP_PKEY *pkey, X509 *ca)
{
	pthread_mutex_lock(&r->mu);
	if (r->ca_cert == NULL || X509_cmp(r->ca_cert, ca) != 0) {
		X509_up_ref(ca);
		X509_free(r->ca_cert);
		r->ca_cert = ca;
	}
	X509_free(r->cert);
	EVP_PKEY_free(r->key);
	X509_free(r->prev_cert);
	EVP_PKEY_free(r->prev_key);
	r->cert = cert;
	r->key = key;
	r->prev_cert = pcert;
	r->prev_key = pkey;
	pthread_mutex_unlock(&r->mu);
}

/* The serial (hex) and notAfter of x for the log. */
static void
describe(X509 *x, char *hex, size_t hexlen, char *na, size_t nalen)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *h = bn ? BN_bn2hex(bn) : NULL;
	time_t t;
	struct tm tm;

	snprintf(hex, hexlen, "%s", h ? h : "?");
	OPENSSL_free(h);
	BN_free(bn);
	na[0] = '\0';
	if (not_after(x, &t) == 0 && gmtime_r(&t, &tm))
		strftime(na, nalen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* 0 / -1 (scep.h). */
int
cm_scep_ra_ensure(struct cm_scep_ra *r, char *reason, size_t rlen)
{
	X509 *ca = NULL, *cert = NULL, *pcert = NULL, *oldc = NULL;
	EVP_PKEY *cakey = NULL, *key = NULL, *pkey = NULL, *oldk = NULL;
	char why[256], hex[64], na[40];
	time_t now = time(NULL);
	int ret = 0, usable, locked = 0;

	if (cm_ca_get(r->ca, &ca, &cakey, why, sizeof(why)) != 0)
		return 0;   /* no CA yet: no RA either */
	pthread_mutex_lock(&r->mu);
	int due = pair_due(r, ca, now);
	time_t end = 0;
	usable = r->cert && X509_cmp(r->ca_cert, ca) == 0 && not_after(r->cert, &end) == 0 && end > now;
	pthread_mutex_unlock(&r->mu);
	if (!due)
		goto out;
	/* Someone else renews a pair that still works: keep using it. */
	if (usable) {
		if (pthread_mutex_trylock(&r->rotate_mu) != 0)
			goto out;
	} else {
		pthread_mutex_lock(&r->rotate_mu);
	}
	locked = 1;
	pthread_mutex_lock(&r->mu);
	due = pair_due(r, ca, now);
	int have = r->cert != NULL && X509_cmp(r->ca_cert, ca) == 0;
	if (have) {
		X509_up_ref(r->cert);
		EVP_PKEY_up_ref(r->key);
		oldc = r->cert;
		oldk = r->key;
	}
	pthread_mutex_unlock(&r->mu);
	if (!due)
		goto out;
	if (!have) {
		/* Not in memory for this CA (start, ca-init, ca-import): the
		 * vault's may do, and the previous pair comes with it. */
		int vr = vault_pair(r, ca, CM_SCEP_VAULT_CERT, CM_SCEP_VAULT_KEY, &cert, &key, why, sizeof(why));
		char pwhy[256];
		if (vault_pair(r, ca, CM_SCEP_VAULT_PREV_CERT, CM_SCEP_VAULT_PREV_KEY, &pcert, &pkey, pwhy,
		    sizeof(pwhy)) == 0 && (not_after(pcert, &end) < 0 || end <= now)) {
			/* An expired previous pair decrypts nothing a client may still send. */
			X509_free(pcert);
			EVP_PKEY_free(pkey);
			pcert = NULL;
			pkey = NULL;
		}
		if (vr == 0 && !cert_due(r, cert, ca, now)) {
			swap_in(r, cert, key, pcert, pkey, ca);
			cert = pcert = NULL;
			key = pkey = NULL;
			cm_info("SCEP RA certificate loaded from the vault");
			goto out;
		}
		if (vr == 0) {
			/* This CA's, but due: it becomes the previous pair. */
			oldc = cert;
			oldk = key;
			cert = NULL;
			key = NULL;
		}
	}
	if (oldc) {
		/* Kept for the clients that cached it from GetCACert. */
		if (vault_put_pair(r, CM_SCEP_VAULT_PREV_CERT, CM_SCEP_VAULT_PREV_KEY, oldc, oldk, reason, rlen) < 0) {
			cm_err("SCEP RA certificate not renewed: keeping the previous one failed: %s", reason);
			ret = -1;
			goto out;
		}
		X509_free(pcert);
		EVP_PKEY_free(pkey);
		pcert = oldc;
		pkey = oldk;
		oldc = NULL;
		oldk = NULL;
	}
	if (make_pair(r, ca, cakey, &cert, &key, reason, rlen) < 0) {
		cm_err("SCEP RA certificate not %s: %s", pcert ? "renewed" : "created", reason);
		ret = -1;
		goto out;
	}
	describe(cert, hex, sizeof(hex), na, sizeof(na));
	int rotated = pcert != NULL && X509_check_issued(ca, pcert) == X509_V_OK;
	swap_in(r, cert, key, pcert, pkey, ca);
	cert = pcert = NULL;
	key = pkey = NULL;
	if (rotated)
		cm_info("SCEP RA certificate rotated: serial %s, not after %s (the previous one still decrypts)", hex, na);
	else
		cm_info("SCEP RA certificate created: serial %s, not after %s (vault: %s)", hex, na, why);
out:
	if (locked)
		pthread_mutex_unlock(&r->rotate_mu);
	X509_free(ca);
	EVP_PKEY_free(cakey);
	X509_free(cert);
	EVP_PKEY_free(key);
	X509_free(pcert);
	EVP_PKEY_free(pkey);
	X509_free(oldc);
	EVP_PKEY_free(oldk);
	return ret;
}
