/* own_pair.c: the life cycle of a key pair signerd issues to itself (OCSP responder, SCEP RA), shared so both are made, journalled, vaulted and rotated by the same rules. */
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
#include "own_pair.h"
#include "profile.h"
#include "vault.h"
#include "ssl_reason.h"

#define DAY 86400L

/* 0 / -1. */
int
cm_own_pair_init(struct cm_own_pair *p, const struct cm_own_pair_desc *d, struct cm_ca *ca,
    const struct cm_vault *v, struct cm_journal *j, struct cm_issued_set *issued, void *owner)
{
	memset(p, 0, sizeof(*p));
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		return -1;
	if (pthread_mutex_init(&p->rotate_mu, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		return -1;
	}
	p->d = *d;
	p->ca = ca;
	p->vault = v;
	p->journal = j;
	p->issued = issued;
	p->owner = owner;
	return 0;
}

/* No return value. */
void
cm_own_pair_free(struct cm_own_pair *p)
{
	if (p->ca == NULL)
		return;
	X509_free(p->cert);
	EVP_PKEY_free(p->key);
	X509_free(p->prev_cert);
	EVP_PKEY_free(p->prev_key);
	X509_free(p->ca_cert);
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->rotate_mu);
	memset(p, 0, sizeof(*p));
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

/* 0 / 1 (own_pair.h). */
int
cm_own_pair_get(struct cm_own_pair *p, X509 **cert, EVP_PKEY **key, X509 **prev_cert, EVP_PKEY **prev_key)
{
	time_t end;
	int ret = 1;
	*cert = NULL;
	*key = NULL;
	if (prev_cert)
		*prev_cert = NULL;
	if (prev_key)
		*prev_key = NULL;
	pthread_mutex_lock(&p->mu);
	if (p->cert && p->key) {
		X509_up_ref(p->cert);
		EVP_PKEY_up_ref(p->key);
		*cert = p->cert;
		*key = p->key;
		/* An expired previous pair is not handed out: no client may still use it. */
		if (prev_cert && prev_key && p->prev_cert && p->prev_key &&
		    not_after(p->prev_cert, &end) == 0 && end > time(NULL)) {
			X509_up_ref(p->prev_cert);
			EVP_PKEY_up_ref(p->prev_key);
			*prev_cert = p->prev_cert;
			*prev_key = p->prev_key;
		}
		ret = 0;
	}
	pthread_mutex_unlock(&p->mu);
	return ret;
}

/* A new reference, or NULL. */
X509 *
cm_own_pair_current(struct cm_own_pair *p)
{
	pthread_mutex_lock(&p->mu);
	X509 *x = p->cert;
	if (x)
		X509_up_ref(x);
	pthread_mutex_unlock(&p->mu);
	return x;
}

/* 1 when cert must be replaced at now under ca: expired, or fewer than
 * rotate_days left unless it already ends with the CA (a new one could not
 * last longer). 0 when it may stay. */
static int
cert_due(const struct cm_own_pair *p, X509 *cert, X509 *ca, time_t now)
{
	time_t end, ca_end;
	if (cert == NULL || not_after(cert, &end) < 0 || not_after(ca, &ca_end) < 0 || end <= now)
		return 1;
	if (end - now >= p->d.rotate_days * DAY)
		return 0;
	return end < ca_end;
}

/* 1 when the pair in use must be replaced (none, another CA's, due); mu held. */
static int
pair_due(const struct cm_own_pair *p, X509 *ca, time_t now)
{
	if (p->cert == NULL || p->ca_cert == NULL || X509_cmp(p->ca_cert, ca) != 0)
		return 1;
	return cert_due(p, p->cert, ca, now);
}

/* The certificate + key pair of vault files cname / kname when both exist,
 * were issued by ca and match: 0 with *cert / *key (expired or not: the
 * caller judges); 1 none usable (why in reason). */
static int
vault_pair(struct cm_own_pair *p, X509 *ca, const char *cname, const char *kname, X509 **cert,
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
	if (!cm_vault_exists(p->vault, cname) || !cm_vault_exists(p->vault, kname)) {
		snprintf(reason, rlen, "none in the vault");
		return 1;
	}
	cm_buf_init(&b, CM_VAULT_MAX_FILE);
	if (cm_vault_read(p->vault, cname, &b, reason, rlen) < 0)
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
	k = cm_vault_get_key(p->vault, kname, reason, rlen);
	if (k == NULL)
		goto out;
	if ((p->d.rsa_only && EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) || X509_check_private_key(x, k) != 1) {
		snprintf(reason, rlen, "%s does not match %s", kname, cname);
		goto out;
	}
	/* Read back from DER, as every pair is used: the certificate exactly as
	 * relying parties see it. */
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
vault_put_pair(struct cm_own_pair *p, const char *cname, const char *kname, X509 *x, EVP_PKEY *k,
    char *reason, size_t rlen)
{
	char *pem;
	long plen;
	int ret = -1;

	if (cm_vault_put_key(p->vault, kname, k, reason, rlen) < 0)
		return -1;
	BIO *b = BIO_new(BIO_s_mem());
	if (b == NULL || !PEM_write_bio_X509(b, x) || (plen = BIO_get_mem_data(b, &pem)) <= 0) {
		snprintf(reason, rlen, "encoding the %s certificate failed", p->d.what);
		goto out;
	}
	if (cm_vault_write(p->vault, cname, pem, (size_t)plen, reason, rlen) < 0)
		goto out;
	ret = 0;
out:
	BIO_free(b);
	return ret;
}

/* A new key of the descriptor's type (NULL there: RSA-2048 under an RSA
 * CA, P-256 under an EC one), or NULL. */
static EVP_PKEY *
new_key(const struct cm_own_pair *p, X509 *ca)
{
	const char *kt = p->d.key_type;
	if (kt == NULL) {
		EVP_PKEY *capub = X509_get0_pubkey(ca);
		kt = capub && EVP_PKEY_get_base_id(capub) == EVP_PKEY_EC ? "ecdsa-p256" : "rsa2048";
	}
	return cm_key_new(kt);
}

/*
 * A new pair for ca (key cakey): a CSR of a new key checked against the
 * descriptor's profile and signed like any issue (cm_issue_build),
 * journalled under its signer.* name, then written to the vault. 0 with
 * *cert / *key (the certificate read back from its DER: cm_issue_build
 * copies the key as encoded bytes, so its own X509 has no decoded public
 * key for the signing calls to check), -1 with reason.
 */
static int
make_pair(struct cm_own_pair *p, X509 *ca, EVP_PKEY *cakey, X509 **cert, EVP_PKEY **key,
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
	char hex[2 * CM_SERIAL_LEN + 1], line[512], msg[128];
	int clen, dlen = 0, ret = -1;

	memset(&in, 0, sizeof(in));
	memset(&plan, 0, sizeof(plan));
	cm_buf_init(&rec, 0);
	*cert = NULL;
	*key = NULL;
	k = new_key(p, ca);
	subj = cm_issue_own_subject(ca, p->d.subject_suffix);
	req = X509_REQ_new();
	if (k == NULL || subj == NULL || req == NULL || !X509_REQ_set_subject_name(req, subj) ||
	    !X509_REQ_set_pubkey(req, k) || X509_REQ_sign(req, k, EVP_sha256()) <= 0 ||
	    (clen = i2d_X509_REQ(req, &csr)) <= 0) {
		snprintf(msg, sizeof(msg), "making the %s key and request", p->d.what);
		cm_ssl_reason(reason, rlen, msg);
		goto out;
	}
	in.csr_der = csr;
	in.csr_len = (size_t)clen;
	in.days = p->d.cert_days;
	if (cm_profile_check(p->d.profile, &in, &plan, reason, rlen) != 0)
		goto out;
	if (cm_serial_new(serial) < 0) {
		snprintf(reason, rlen, "random number generator failed");
		goto out;
	}
	cm_serial_hex(serial, hex);
	x = cm_issue_build(p->d.profile, &plan, ca, cakey, serial, p->d.publish_base, reason, rlen);
	if (x == NULL || (dlen = i2d_X509(x, &der)) <= 0) {
		if (x)
			snprintf(reason, rlen, "encoding the %s certificate failed", p->d.what);
		goto out;
	}
	const unsigned char *dp = der;
	parsed = d2i_X509(NULL, &dp, dlen);
	if (parsed == NULL || X509_check_private_key(parsed, k) != 1) {
		snprintf(msg, sizeof(msg), "the new %s certificate does not read back", p->d.what);
		cm_ssl_reason(reason, rlen, msg);
		goto out;
	}
	X509_NAME_oneline(X509_get_subject_name(parsed), line, sizeof(line));
	/* Journalled like every certificate the signer makes, before use. */
	if (cm_journal_format(&rec, time(NULL), hex, p->d.journal_profile, geteuid(), line, der,
	    (size_t)dlen) < 0 || cm_journal_append(p->journal, rec.data, rec.len) < 0) {
		snprintf(reason, rlen, "the signer could not journal its %s certificate (%s)", p->d.what,
		    strerror(errno));
		goto out;
	}
	if (p->issued)
		(void)cm_issued_add(p->issued, serial, sizeof(serial));
	if (vault_put_pair(p, p->d.vault_cert, p->d.vault_key, parsed, k, reason, rlen) < 0)
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
 * (NULL: none), taking all references even when on_ca fails; mu taken
 * here. 0 / -1 with reason (on_ca's). */
static int
swap_in(struct cm_own_pair *p, X509 *cert, EVP_PKEY *key, X509 *pcert, EVP_PKEY *pkey, X509 *ca,
    char *reason, size_t rlen)
{
	int ret = 0;
	pthread_mutex_lock(&p->mu);
	if (p->ca_cert == NULL || X509_cmp(p->ca_cert, ca) != 0) {
		X509_up_ref(ca);
		X509_free(p->ca_cert);
		p->ca_cert = ca;
		if (p->d.on_ca)
			ret = p->d.on_ca(p->owner, ca, reason, rlen);
	}
	X509_free(p->cert);
	EVP_PKEY_free(p->key);
	X509_free(p->prev_cert);
	EVP_PKEY_free(p->prev_key);
	p->cert = cert;
	p->key = key;
	p->prev_cert = pcert;
	p->prev_key = pkey;
	pthread_mutex_unlock(&p->mu);
	return ret;
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

/* 0 / -1 (own_pair.h). */
int
cm_own_pair_ensure(struct cm_own_pair *p, char *reason, size_t rlen)
{
	X509 *ca = NULL, *cert = NULL, *pcert = NULL, *oldc = NULL;
	EVP_PKEY *cakey = NULL, *key = NULL, *pkey = NULL, *oldk = NULL;
	const char *what = p->d.what;
	int keep_prev = p->d.vault_prev_cert != NULL && p->d.vault_prev_key != NULL;
	char why[256], hex[64], na[40];
	time_t now = time(NULL);
	int ret = 0, usable, locked = 0;

	if (cm_ca_get(p->ca, &ca, &cakey, why, sizeof(why)) != 0)
		return 0;   /* no CA yet: nothing to sign for */
	pthread_mutex_lock(&p->mu);
	int due = pair_due(p, ca, now);
	time_t end = 0;
	usable = p->cert && X509_cmp(p->ca_cert, ca) == 0 && not_after(p->cert, &end) == 0 && end > now;
	pthread_mutex_unlock(&p->mu);
	if (!due)
		goto out;
	/* Someone else renews a pair that still works: keep using it. */
	if (usable) {
		if (pthread_mutex_trylock(&p->rotate_mu) != 0)
			goto out;
	} else {
		pthread_mutex_lock(&p->rotate_mu);
	}
	locked = 1;
	pthread_mutex_lock(&p->mu);
	due = pair_due(p, ca, now);
	int have = p->cert != NULL && X509_cmp(p->ca_cert, ca) == 0;
	if (have) {
		X509_up_ref(p->cert);
		EVP_PKEY_up_ref(p->key);
		oldc = p->cert;
		oldk = p->key;
	}
	pthread_mutex_unlock(&p->mu);
	if (!due)
		goto out;
	if (!have) {
		/* Not in memory for this CA (start, ca-init, ca-import): the
		 * vault's may do, and the previous pair comes with it. */
		int vr = vault_pair(p, ca, p->d.vault_cert, p->d.vault_key, &cert, &key, why, sizeof(why));
		char pwhy[256];
		if (keep_prev && vault_pair(p, ca, p->d.vault_prev_cert, p->d.vault_prev_key, &pcert, &pkey, pwhy,
		    sizeof(pwhy)) == 0 && (not_after(pcert, &end) < 0 || end <= now)) {
			/* An expired previous pair is of use to no one. */
			X509_free(pcert);
			EVP_PKEY_free(pkey);
			pcert = NULL;
			pkey = NULL;
		}
		if (vr == 0 && !cert_due(p, cert, ca, now)) {
			ret = swap_in(p, cert, key, pcert, pkey, ca, reason, rlen);
			cert = pcert = NULL;
			key = pkey = NULL;
			if (ret == 0)
				cm_info("%s certificate loaded from the vault", what);
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
	/* Whether this replaces a pair of this CA (logged as a rotation). */
	int rotated = oldc != NULL || pcert != NULL;
	if (oldc && keep_prev) {
		/* Kept for the relying parties that cached it. */
		if (vault_put_pair(p, p->d.vault_prev_cert, p->d.vault_prev_key, oldc, oldk, reason, rlen) < 0) {
			cm_err("%s certificate not renewed: keeping the previous one failed: %s", what, reason);
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
	if (make_pair(p, ca, cakey, &cert, &key, reason, rlen) < 0) {
		cm_err("%s certificate not %s: %s", what, rotated ? "renewed" : "created", reason);
		ret = -1;
		goto out;
	}
	describe(cert, hex, sizeof(hex), na, sizeof(na));
	ret = swap_in(p, cert, key, pcert, pkey, ca, reason, rlen);
	cert = pcert = NULL;
	key = pkey = NULL;
	if (ret < 0)
		goto out;
	if (rotated)
		cm_info("%s certificate rotated: serial %s, not after %s%s", what, hex, na,
		    p->d.rotated_note ? p->d.rotated_note : "");
	else
		cm_info("%s certificate created: serial %s, not after %s (vault: %s)", what, hex, na, why);
out:
	if (locked)
		pthread_mutex_unlock(&p->rotate_mu);
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
