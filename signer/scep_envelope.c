/* scep_envelope.c: the signer's intake of a pkiMessage envelope: parse, cipher, recipient match against the RA pairs, decryption, and the plaintext classifier (PKCS#10, IssuerAndSerialNumber, IssuerAndSubject only). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "scep.h"

/* One text for every way decryption can fail (the key transport's padding,
 * a wrong key, the content's padding): which one it was would help an
 * attacker turn the RA key into a decryption oracle. */
#define DECRYPT_FAILED "the envelope could not be decrypted with the RA key"

/* The five ciphers SCEP clients use: wire name, NID. */
static const struct {
	const char *name;
	int nid;
} ciphers[] = {
	{ "aes-128-cbc", NID_aes_128_cbc },
	{ "aes-192-cbc", NID_aes_192_cbc },
	{ "aes-256-cbc", NID_aes_256_cbc },
	{ "des-ede3-cbc", NID_des_ede3_cbc },
	{ "des-cbc", NID_des_cbc },
};

/* The providers cm_scep_load_legacy loaded, for cm_scep_unload_legacy. */
static OSSL_PROVIDER *prov_default, *prov_legacy;

/* 0 / -1 (scep.h). */
int
cm_scep_load_legacy(void)
{
	/* Loading any provider explicitly stops the default one from loading
	 * implicitly: load both. */
	if (prov_default == NULL && (prov_default = OSSL_PROVIDER_load(NULL, "default")) == NULL)
		return -1;
	if (prov_legacy == NULL && (prov_legacy = OSSL_PROVIDER_load(NULL, "legacy")) == NULL) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

/* No return value (scep.h). */
void
cm_scep_unload_legacy(void)
{
	if (prov_legacy)
		OSSL_PROVIDER_unload(prov_legacy);
	if (prov_default)
		OSSL_PROVIDER_unload(prov_default);
	prov_legacy = prov_default = NULL;
}

/* The cipher, or NULL (scep.h). */
const EVP_CIPHER *
cm_scep_cipher(const char *name)
{
	for (size_t i = 0; name && i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (strcmp(name, ciphers[i].name) == 0) {
			const EVP_CIPHER *c = EVP_get_cipherbynid(ciphers[i].nid);
			/* EVP_get_cipherbynid names the cipher even when no provider
			 * implements it (single DES without the legacy provider). */
			EVP_CIPHER *f = c ? EVP_CIPHER_fetch(NULL, EVP_CIPHER_get0_name(c), NULL) : NULL;
			EVP_CIPHER_free(f);
			ERR_clear_error();
			return f ? c : NULL;
		}
	return NULL;
}

/* The wire name of a cipher NID, or NULL when it is not one of the five. */
static const char *
cipher_name(int nid)
{
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (ciphers[i].nid == nid)
			return ciphers[i].name;
	return NULL;
}

/* "PKCS#10" ... for logs. */
const char *
cm_scep_plain_name(enum cm_scep_plain k)
{
	switch (k) {
	case CM_SCEP_PLAIN_CSR: return "PKCS#10";
	case CM_SCEP_PLAIN_ISSUER_SERIAL: return "IssuerAndSerialNumber";
	case CM_SCEP_PLAIN_ISSUER_SUBJECT: return "IssuerAndSubject";
	case CM_SCEP_PLAIN_OTHER: break;
	}
	return "other";
}

/* One DER Name at *pp, before end: 1 and *pp past it, else 0. */
static int
take_name(const unsigned char **pp, const unsigned char *end)
{
	const unsigned char *q = *pp;
	X509_NAME *n = d2i_X509_NAME(NULL, &q, end - *pp);
	if (n == NULL)
		return 0;
	X509_NAME_free(n);
	*pp = q;
	return 1;
}

/* What the plaintext is (scep.h). */
enum cm_scep_plain
cm_scep_plain_classify(const unsigned char *p, size_t len)
{
	const unsigned char *q, *end;
	long inner;
	int tag, cls, r;
	enum cm_scep_plain k = CM_SCEP_PLAIN_OTHER;

	if (p == NULL || len < 2 || len > CM_SCEP_MAX_CONTENT)
		return CM_SCEP_PLAIN_OTHER;
	/* A PKCS#10 request that is all of it. */
	q = p;
	X509_REQ *req = d2i_X509_REQ(NULL, &q, (long)len);
	if (req != NULL) {
		X509_REQ_free(req);
		k = q == p + len ? CM_SCEP_PLAIN_CSR : CM_SCEP_PLAIN_OTHER;
		goto out;
	}
	/* Else SEQUENCE { Name, INTEGER } or SEQUENCE { Name, Name }, of
	 * definite length, spanning all of it. */
	q = p;
	r = ASN1_get_object(&q, &inner, &tag, &cls, (long)len);
	if ((r & 0x80) || r != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE || cls != V_ASN1_UNIVERSAL ||
	    q + inner != p + len)
		goto out;
	end = p + len;
	if (!take_name(&q, end) || q >= end)
		goto out;
	if (*q == V_ASN1_INTEGER) {
		const unsigned char *s = q;
		ASN1_INTEGER *i = d2i_ASN1_INTEGER(NULL, &s, end - q);
		if (i != NULL && s == end)
			k = CM_SCEP_PLAIN_ISSUER_SERIAL;
		ASN1_INTEGER_free(i);
	} else if (take_name(&q, end) && q == end) {
		k = CM_SCEP_PLAIN_ISSUER_SUBJECT;
	}
out:
	ERR_clear_error();
	return k;
}

/* Steps into the TLV at *pp (before end) when it has tag (universal
 * constructed SEQUENCE/SET, or a context tag when ctx): 1 with *pp at its
 * contents and *inner_end after them; 0 else. Definite lengths only: the
 * caller re-encoded the envelope as DER. */
static int
enter(const unsigned char **pp, const unsigned char *end, int want_tag, int want_cls,
    const unsigned char **inner_end)
{
	const unsigned char *q = *pp;
	long len;
	int tag, cls;
	int r = ASN1_get_object(&q, &len, &tag, &cls, end - *pp);
	if ((r & 0x80) || r == 0x21 || tag != want_tag || cls != want_cls)
		return 0;
	*pp = q;
	*inner_end = q + len;
	return 1;
}

/* Skips the TLV at *pp: 1, or 0 when it does not parse before end. */
static int
skip(const unsigned char **pp, const unsigned char *end)
{
	const unsigned char *q = *pp;
	long len;
	int tag, cls;
	int r = ASN1_get_object(&q, &len, &tag, &cls, end - *pp);
	if ((r & 0x80) || r == 0x21)
		return 0;
	*pp = q + len;
	return 1;
}

/*
 * The NID of the contentEncryptionAlgorithm of the DER ContentInfo
 * envelopedData der[len] (RFC 5652 6.1), or NID_undef. CMS's API does not
 * tell the cipher, so walk: ContentInfo { OID, [0] { EnvelopedData {
 * version, [0] originatorInfo OPTIONAL, SET recipientInfos,
 * EncryptedContentInfo { OID, AlgorithmIdentifier { OID, ... } } } } }.
 */
static int
envelope_cipher_nid(const unsigned char *der, size_t len)
{
	const unsigned char *p = der, *end = der + len, *e1, *e2, *e3, *e4, *e5;
	int nid = NID_undef;

	if (!enter(&p, end, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &e1) || !skip(&p, e1) ||
	    !enter(&p, e1, 0, V_ASN1_CONTEXT_SPECIFIC, &e2) ||
	    !enter(&p, e2, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &e3) || !skip(&p, e3))
		return NID_undef;
	if (p < e3 && *p == 0xa0 && !skip(&p, e3))   /* originatorInfo */
		return NID_undef;
	if (!skip(&p, e3) ||                                       /* recipientInfos */
	    !enter(&p, e3, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &e4) || !skip(&p, e4) ||
	    !enter(&p, e4, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &e5))
		return NID_undef;
	const unsigned char *q = p;
	ASN1_OBJECT *o = d2i_ASN1_OBJECT(NULL, &q, e5 - p);
	if (o != NULL)
		nid = OBJ_obj2nid(o);
	ASN1_OBJECT_free(o);
	return nid;
}

/* 0 / 1 (scep.h). */
int
cm_scep_envelope_open(const unsigned char *env, size_t len, const struct cm_scep_recipient *cands,
    size_t n, struct cm_buf *content, const char **cipher, enum cm_scep_plain *kind,
    char *reason, size_t rlen)
{
	CMS_ContentInfo *cms = NULL;
	unsigned char *der = NULL;
	BIO *out = NULL;
	const struct cm_scep_recipient *use = NULL;
	int ret = 1;

	*cipher = NULL;
	*kind = CM_SCEP_PLAIN_OTHER;
	if (env == NULL || len == 0 || len > CM_SCEP_MAX_ENVELOPE) {
		snprintf(reason, rlen, "the envelope must be 1 to %d bytes", CM_SCEP_MAX_ENVELOPE);
		return 1;
	}
	const unsigned char *p = env;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	if (cms == NULL || p != env + len) {
		snprintf(reason, rlen, "the envelope is not one DER CMS ContentInfo");
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_enveloped) {
		snprintf(reason, rlen, "the envelope is not an envelopedData");
		goto out;
	}
	int dlen = i2d_CMS_ContentInfo(cms, &der);
	int nid = dlen > 0 ? envelope_cipher_nid(der, (size_t)dlen) : NID_undef;
	const char *name = cipher_name(nid);
	if (name == NULL) {
		snprintf(reason, rlen, "the envelope's cipher is not AES-128/192/256-CBC, DES-EDE3-CBC or DES-CBC");
		goto out;
	}
	if (cm_scep_cipher(name) == NULL) {
		snprintf(reason, rlen, "the envelope's cipher %s is not available in this signer", name);
		goto out;
	}
	/* Only a key transport recipient addressed to one of the RA pairs: the
	 * signer never tries its key on what was sent to someone else. */
	STACK_OF(CMS_RecipientInfo) *ris = CMS_get0_RecipientInfos(cms);
	for (size_t c = 0; c < n && use == NULL; c++) {
		for (int i = 0; ris && i < sk_CMS_RecipientInfo_num(ris); i++) {
			CMS_RecipientInfo *ri = sk_CMS_RecipientInfo_value(ris, i);
			if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS && cands[c].cert &&
			    CMS_RecipientInfo_ktri_cert_cmp(ri, cands[c].cert) == 0) {
				use = &cands[c];
				break;
			}
		}
	}
	if (use == NULL) {
		snprintf(reason, rlen, "the envelope is not addressed to this RA");
		goto out;
	}
	/* With the certificate given, OpenSSL decrypts with a random content
	 * key when the key transport fails (its MMA countermeasure), so every
	 * failure ends in the one content decryption error below. */
	out = BIO_new(BIO_s_mem());
	if (out == NULL || !CMS_decrypt(cms, use->key, use->cert, NULL, out, CMS_BINARY)) {
		snprintf(reason, rlen, DECRYPT_FAILED);
		goto out;
	}
	char *pt;
	long ptlen = BIO_get_mem_data(out, &pt);
	*kind = ptlen > 0 ? cm_scep_plain_classify((const unsigned char *)pt, (size_t)ptlen) : CM_SCEP_PLAIN_OTHER;
	if (*kind == CM_SCEP_PLAIN_OTHER) {
		snprintf(reason, rlen, "the envelope holds no SCEP content (a PKCS#10 request, IssuerAndSerialNumber or IssuerAndSubject)");
		OPENSSL_cleanse(pt, (size_t)(ptlen > 0 ? ptlen : 0));
		goto out;
	}
	if (cm_buf_append(content, pt, (size_t)ptlen) < 0) {
		snprintf(reason, rlen, "the decrypted content does not fit");
		OPENSSL_cleanse(pt, (size_t)ptlen);
		ret = -1;
		goto out;
	}
	/* It may carry a challenge password. */
	OPENSSL_cleanse(pt, (size_t)ptlen);
	*cipher = name;
	ret = 0;
out:
	ERR_clear_error();
	BIO_free(out);
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	return ret;
}
