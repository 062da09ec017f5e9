/* ocsp.c: signerd's delegated OCSP responder: its key and certificate (an own_pair.c pair: created, journalled, kept in the vault, rotated) and the ocsp-sign op that builds and signs OCSPResponses. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "issue.h"
#include "issued_set.h"
#include "journal.h"
#include "log.h"
#include "ocsp.h"
#include "profile.h"
#include "vault.h"
#include "ssl_reason.h"

/* Room in the reply frame for its header, the two times and slack. */
#define REPLY_SLACK 256
/* A generous bound of what one single adds to a response: CertID (up to
 * SHA-512 hashes and a 20-byte serial), status, revocation info, times. */
#define SINGLE_BYTES 260
/* ... and one response beyond its singles, certificate and signature. */
#define RESPONSE_BYTES 320

/* The rules of the ocsp-signing profile of conf/signer-profiles.conf, for
 * a profile file without one: the responder certificate never depends on
 * an operator having kept that section. */
static const struct cm_profile builtin_profile = {
	.name = "ocsp-signing",
	.key_usage = "digitalSignature",
	.eku = { NID_OCSP_sign },
	.neku = 1,
	.max_days = 90,
	.key_types = CM_KT_RSA | CM_KT_EC,
	.min_rsa_bits = 2048,
	.curves = { NID_X9_62_prime256v1, NID_secp384r1 },
	.ncurves = 2,
	.subject_attrs = { NID_commonName, NID_organizationName, NID_organizationalUnitName, NID_countryName },
	.nsubject_attrs = 4,
	.san_types = 0,
	.cn_required = 1,
	.ocsp_nocheck = 1,
	.policy_oid = "",
};

/* on_ca of the responder pair: the CertID issuer hashes of ca for every
 * algorithm into the cm_ocsp owner; pair.mu held. 0 / -1 with reason. */
static int
set_hashes(void *owner, X509 *ca, char *reason, size_t rlen)
{
	struct cm_ocsp *o = owner;
	unsigned char *name = NULL;
	int nlen = i2d_X509_NAME(X509_get_subject_name(ca), &name);
	const ASN1_BIT_STRING *key = X509_get0_pubkey_bitstr(ca);
	const EVP_MD *mds[4] = { EVP_sha1(), EVP_sha256(), EVP_sha384(), EVP_sha512() };
	int ret = -1;

	if (nlen <= 0 || key == NULL)
		goto out;
	for (int i = 0; i < 4; i++) {
		unsigned a = 0, b = 0;
		if (EVP_Digest(name, (size_t)nlen, o->name_hash[i], &a, mds[i], NULL) != 1 ||
		    EVP_Digest(key->data, (size_t)key->length, o->key_hash[i], &b, mds[i], NULL) != 1 || a != b)
			goto out;
		o->hash_len[i] = a;
	}
	ret = 0;
out:
	if (ret < 0)
		snprintf(reason, rlen, "computing the issuing CA's OCSP CertID hashes failed");
	OPENSSL_free(name);
	return ret;
}

/* 0 / -1. */
int
cm_ocsp_init(struct cm_ocsp *o, const struct cm_ocsp_conf *conf, struct cm_ca *ca,
    const struct cm_vault *v, struct cm_journal *j, const struct cm_profile *profile,
    struct cm_issued_set *issued)
{
	/* No CDP or AIA (publish_base NULL): the certificate carries
	 * id-pkix-ocsp-nocheck, so no relying party looks for its revocation
	 * status. No previous pair: a response names the certificate that
	 * signed it, so none is ever needed after a rotation. */
	const struct cm_own_pair_desc d = {
		.what = "OCSP responder",
		.subject_suffix = " OCSP Responder",
		.journal_profile = CM_OCSP_JOURNAL_PROFILE,
		.vault_cert = CM_OCSP_VAULT_CERT,
		.vault_key = CM_OCSP_VAULT_KEY,
		.key_type = conf->key_type,
		.profile = profile ? profile : &builtin_profile,
		.cert_days = conf->cert_days,
		.rotate_days = conf->rotate_days,
		.on_ca = set_hashes,
	};

	memset(o, 0, sizeof(*o));
	if (cm_own_pair_init(&o->pair, &d, ca, v, j, issued, o) < 0)
		return -1;
	o->conf = *conf;
	o->issued = issued;
	return 0;
}

/* No return value. */
void
cm_ocsp_free(struct cm_ocsp *o)
{
	cm_own_pair_free(&o->pair);
	memset(o, 0, sizeof(*o));
}

/* The responder certificate in use (a new reference), or NULL. */
X509 *
cm_ocsp_current(struct cm_ocsp *o)
{
	return cm_own_pair_current(&o->pair);
}

/* 0 / -1 (ocsp.h). */
int
cm_ocsp_ensure(struct cm_ocsp *o, char *reason, size_t rlen)
{
	return cm_own_pair_ensure(&o->pair, reason, rlen);
}

/* Appends a DER length to b at *n (cap checked by the caller's sizes). */
static void
der_len(unsigned char *b, size_t *n, size_t len)
{
	if (len < 128) {
		b[(*n)++] = (unsigned char)len;
	} else if (len < 256) {
		b[(*n)++] = 0x81;
		b[(*n)++] = (unsigned char)len;
	} else {
		b[(*n)++] = 0x82;
		b[(*n)++] = (unsigned char)(len >> 8);
		b[(*n)++] = (unsigned char)len;
	}
}

/*
 * The CertID of single s under the hashes of o (copied by the caller), as
 * an OCSP_CERTID, or NULL. Built from DER: OpenSSL's OCSP_cert_id_new
 * would hash the issuer's name and key again for every single.
 */
static OCSP_CERTID *
cert_id(const unsigned char name_hash[][EVP_MAX_MD_SIZE], const unsigned char key_hash[][EVP_MAX_MD_SIZE],
    const unsigned *hash_len, const struct cm_ocsp_single *s)
{
	static const unsigned char oids[4][11] = {
		{ 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a },
		{ 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 },
		{ 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 },
		{ 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 },
	};
	static const size_t oid_len[4] = { 7, 11, 11, 11 };
	unsigned char body[256], out[260];
	size_t n = 0, m = 0, a = s->hash - 1, sl = s->serial_len;
	const unsigned char *serial = s->serial;

	while (sl > 1 && serial[0] == 0) {
		serial++;
		sl--;
	}
	/* AlgorithmIdentifier { hash OID, NULL }. */
	body[n++] = 0x30;
	body[n++] = (unsigned char)(oid_len[a] + 2);
	memcpy(body + n, oids[a], oid_len[a]);
	n += oid_len[a];
	body[n++] = 0x05;
	body[n++] = 0x00;
	body[n++] = 0x04;
	der_len(body, &n, hash_len[a]);
	memcpy(body + n, name_hash[a], hash_len[a]);
	n += hash_len[a];
	body[n++] = 0x04;
	der_len(body, &n, hash_len[a]);
	memcpy(body + n, key_hash[a], hash_len[a]);
	n += hash_len[a];
	body[n++] = 0x02;
	int pad = serial[0] & 0x80 ? 1 : 0;
	der_len(body, &n, sl + (size_t)pad);
	if (pad)
		body[n++] = 0x00;
	memcpy(body + n, serial, sl);
	n += sl;
	out[m++] = 0x30;
	der_len(out, &m, n);
	memcpy(out + m, body, n);
	m += n;
	const unsigned char *p = out;
	OCSP_CERTID *id = d2i_OCSP_CERTID(NULL, &p, (long)m);
	if (id && p != out + m) {
		OCSP_CERTID_free(id);
		id = NULL;
	}
	return id;
}

/* The serial as hex for a refusal. */
static void
serial_text(const struct cm_ocsp_single *s, char *out, size_t outlen)
{
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < s->serial_len && n + 3 <= outlen; i++)
		n += (size_t)snprintf(out + n, outlen - n, "%02x", s->serial[i]);
}

/* One signed OCSPResponse for item into reply. 0 / -1 with reason. */
static int
sign_item(const struct cm_ocsp_item *it, X509 *rcert, EVP_PKEY *rkey,
    const unsigned char name_hash[][EVP_MAX_MD_SIZE], const unsigned char key_hash[][EVP_MAX_MD_SIZE],
    const unsigned *hash_len, ASN1_GENERALIZEDTIME *tu, ASN1_GENERALIZEDTIME *nu,
    struct cm_buf *reply, char *reason, size_t rlen)
{
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	OCSP_RESPONSE *resp = NULL;
	ASN1_GENERALIZEDTIME *rt = NULL;
	ASN1_OCTET_STRING *os = NULL;
	X509_EXTENSION *ext = NULL;
	unsigned char *der = NULL;
	int dlen, ret = -1;

	ERR_clear_error();   /* the reason names this item's failure, nothing older */
	if (bs == NULL)
		goto ssl;
	for (size_t i = 0; i < it->nsingles; i++) {
		const struct cm_ocsp_single *s = &it->singles[i];
		OCSP_CERTID *id = cert_id(name_hash, key_hash, hash_len, s);
		if (id == NULL) {
			cm_ssl_reason(reason, rlen, "building a CertID");
			goto out;
		}
		ASN1_GENERALIZEDTIME_free(rt);
		rt = NULL;
		if (s->status == CM_OCSP_REVOKED &&
		    (rt = ASN1_GENERALIZEDTIME_set(NULL, (time_t)s->revoked_at)) == NULL) {
			OCSP_CERTID_free(id);
			goto ssl;
		}
		int rc = s->status == CM_OCSP_REVOKED && s->reason != CM_OCSP_NO_REASON ? (int)s->reason :
		    OCSP_REVOKED_STATUS_NOSTATUS;
		OCSP_SINGLERESP *one = OCSP_basic_add1_status(bs, id, (int)s->status, rc, rt, tu, nu);
		OCSP_CERTID_free(id);
		if (one == NULL) {
			cm_ssl_reason(reason, rlen, "adding a single response");
			goto out;
		}
	}
	if (it->nonce_len) {
		/* The request's extnValue contents, verbatim (OCSP_basic_add1_nonce
		 * would wrap them in another OCTET STRING). */
		os = ASN1_OCTET_STRING_new();
		if (os == NULL || !ASN1_OCTET_STRING_set(os, it->nonce, (int)it->nonce_len) ||
		    (ext = X509_EXTENSION_create_by_NID(NULL, NID_id_pkix_OCSP_Nonce, 0, os)) == NULL ||
		    !OCSP_BASICRESP_add_ext(bs, ext, -1))
			goto ssl;
	}
	if (!OCSP_basic_sign(bs, rcert, rkey, EVP_sha256(), NULL, OCSP_RESPID_KEY)) {
		cm_ssl_reason(reason, rlen, "signing the OCSP response");
		goto out;
	}
	resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	if (resp == NULL || (dlen = i2d_OCSP_RESPONSE(resp, &der)) <= 0)
		goto ssl;
	if (cm_enc_bytes(reply, TAG_OCSP_RESPONSE, der, (size_t)dlen) < 0) {
		snprintf(reason, rlen, "the reply outgrew the frame limit: send fewer items");
		goto out;
	}
	ret = 0;
	goto out;
ssl:
	cm_ssl_reason(reason, rlen, "building the OCSP response");
out:
	OPENSSL_free(der);
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs);
	ASN1_GENERALIZEDTIME_free(rt);
	ASN1_OCTET_STRING_free(os);
	X509_EXTENSION_free(ext);
	return ret;
}

/* 0 / 1 / -1 (ocsp.h). */
int
cm_ocsp_sign(struct cm_ocsp *o, uid_t uid, const struct cm_msg *m, struct cm_buf *reply,
    char *reason, size_t rlen)
{
	struct cm_ocsp_item *items = NULL;
	unsigned char (*nh)[EVP_MAX_MD_SIZE] = NULL, (*kh)[EVP_MAX_MD_SIZE] = NULL;
	unsigned hl[4];
	X509 *rcert = NULL;
	EVP_PKEY *rkey = NULL;
	ASN1_GENERALIZEDTIME *tu = NULL, *nu = NULL;
	size_t n = 0, est = REPLY_SLACK;
	char why[200], hex[2 * CM_OCSP_MAX_SERIAL + 1];
	time_t now;
	int ret = 1;

	for (size_t i = 0; i < m->nfields; i++)
		n += m->fields[i].tag == TAG_OCSP_ITEM;
	if (n < 1 || n > CM_OCSP_MAX_ITEMS) {
		snprintf(reason, rlen, "ocsp-sign takes 1 to %d items, not %zu", CM_OCSP_MAX_ITEMS, n);
		return 1;
	}
	items = calloc(n, sizeof(*items));
	nh = calloc(4, sizeof(*nh));
	kh = calloc(4, sizeof(*kh));
	if (items == NULL || nh == NULL || kh == NULL) {
		snprintf(reason, rlen, "out of memory");
		ret = -1;
		goto out;
	}
	n = 0;
	for (size_t i = 0; i < m->nfields; i++) {
		if (m->fields[i].tag != TAG_OCSP_ITEM)
			continue;
		if (cm_ocsp_item_parse(m->fields[i].val, m->fields[i].len, &items[n], why, sizeof(why)) != 0) {
			snprintf(reason, rlen, "item %zu: %s", n, why);
			goto out;
		}
		n++;
	}
	/* A pair for the current CA, renewed when due. */
	ret = cm_ocsp_ensure(o, reason, rlen);
	if (ret != 0)
		goto out;
	pthread_mutex_lock(&o->pair.mu);
	if (o->pair.cert) {
		rcert = o->pair.cert;
		rkey = o->pair.key;
		X509_up_ref(rcert);
		EVP_PKEY_up_ref(rkey);
		memcpy(nh, o->name_hash, sizeof(o->name_hash));
		memcpy(kh, o->key_hash, sizeof(o->key_hash));
		memcpy(hl, o->hash_len, sizeof(hl));
	}
	pthread_mutex_unlock(&o->pair.mu);
	ret = 1;
	if (rcert == NULL) {
		snprintf(reason, rlen, "no CA yet: run certmint init (ca-init) first");
		goto out;
	}
	/* The rules a less privileged caller cannot bend, then the size. */
	now = time(NULL);
	int clen = i2d_X509(rcert, NULL);
	for (size_t i = 0; i < n; i++) {
		const struct cm_ocsp_item *it = &items[i];
		for (size_t k = 0; k < it->nsingles; k++) {
			const struct cm_ocsp_single *s = &it->singles[k];
			int issued = o->issued ? cm_issued_has(o->issued, s->serial, s->serial_len) : 0;
			serial_text(s, hex, sizeof(hex));
			if (s->status == CM_OCSP_GOOD && o->conf.check_issued && !issued) {
				snprintf(reason, rlen, "item %zu single %zu: good for serial %s, which this signer never issued",
				    i, k, hex);
				goto out;
			}
			if (s->status == CM_OCSP_UNKNOWN && issued) {
				snprintf(reason, rlen, "item %zu single %zu: unknown for serial %s, which this signer issued",
				    i, k, hex);
				goto out;
			}
			if (s->status == CM_OCSP_REVOKED && s->revoked_at > (uint64_t)now + CM_OCSP_MAX_REVOKED_SKEW) {
				snprintf(reason, rlen, "item %zu single %zu: revoked at a time more than %d s in the future",
				    i, k, CM_OCSP_MAX_REVOKED_SKEW);
				goto out;
			}
		}
		est += CM_PROTO_FIELD_HDR + RESPONSE_BYTES + (size_t)(clen > 0 ? clen : 4096) +
		    (size_t)EVP_PKEY_get_size(rkey) + it->nonce_len + it->nsingles * SINGLE_BYTES;
	}
	if (est > CM_PROTO_MAX_PAYLOAD) {
		snprintf(reason, rlen, "the reply to %zu items would take up to %zu bytes, over the %d-byte frame: send at most %zu items",
		    n, est, CM_PROTO_MAX_FRAME, (size_t)((uint64_t)n * CM_PROTO_MAX_PAYLOAD / est));
		goto out;
	}
	ret = -1;
	tu = ASN1_GENERALIZEDTIME_set(NULL, now);
	nu = ASN1_GENERALIZEDTIME_set(NULL, now + (time_t)(o->conf.validity_hours * 3600));
	if (tu == NULL || nu == NULL) {
		snprintf(reason, rlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (sign_item(&items[i], rcert, rkey, (const unsigned char (*)[EVP_MAX_MD_SIZE])nh,
		    (const unsigned char (*)[EVP_MAX_MD_SIZE])kh, hl, tu, nu, reply, reason, rlen) < 0)
			goto out;
	if (cm_enc_u64(reply, TAG_THIS_UPDATE, (uint64_t)now) < 0 ||
	    cm_enc_u64(reply, TAG_NEXT_UPDATE, (uint64_t)now + (uint64_t)o->conf.validity_hours * 3600) < 0) {
		snprintf(reason, rlen, "the reply outgrew the frame limit: send fewer items");
		goto out;
	}
	cm_debug("signed %zu OCSP responses for uid %u", n, (unsigned)uid);
	ret = 0;
out:
	if (ret == 1)
		cm_info("refused ocsp-sign for uid %u: %s", (unsigned)uid, reason);
	ASN1_GENERALIZEDTIME_free(tu);
	ASN1_GENERALIZEDTIME_free(nu);
	X509_free(rcert);
	EVP_PKEY_free(rkey);
	free(items);
	free(nh);
	free(kh);
	return ret;
}
