/* scep_ops.c: the scep-decrypt and scep-certrep ops: the RA key decrypts a pkiMessage's envelope, and builds, encrypts and signs a CertRep after re-checking every certificate and CRL it carries. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "ca.h"
#include "issued_set.h"
#include "log.h"
#include "scep.h"

/* SCEP's authenticated attributes (RFC 8894 3.2.1, VeriSign's arc). */
#define OID_MESSAGE_TYPE    "2.16.840.1.113733.1.9.2"
#define OID_PKI_STATUS      "2.16.840.1.113733.1.9.3"
#define OID_FAIL_INFO       "2.16.840.1.113733.1.9.4"
#define OID_SENDER_NONCE    "2.16.840.1.113733.1.9.5"
#define OID_RECIPIENT_NONCE "2.16.840.1.113733.1.9.6"
#define OID_TRANSACTION_ID  "2.16.840.1.113733.1.9.7"
#define MESSAGE_TYPE_CERTREP "3"

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

/* Adds a signed attribute oid of ASN.1 type with len bytes to si: 0 / -1. */
static int
add_attr(CMS_SignerInfo *si, const char *oid, int type, const void *bytes, int len)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	int ok = o && CMS_signed_add1_attr_by_OBJ(si, o, type, bytes, len) == 1;
	ASN1_OBJECT_free(o);
	return ok ? 0 : -1;
}

/*
 * The SUCCESS content: a degenerate certs-only SignedData holding the
 * certificates or the CRL, enveloped to the recipient with the cipher.
 * 0 with *der / *dlen (OPENSSL_free), -1 with reason.
 */
static int
success_envelope(const struct cm_scep_certrep *in, unsigned char **der, int *dlen, char *reason, size_t rlen)
{
	PKCS7 *deg = NULL;
	CMS_ContentInfo *env = NULL;
	STACK_OF(X509) *recips = NULL;
	unsigned char *inner = NULL;
	BIO *bin = NULL;
	int ilen, ret = -1;

	*der = NULL;
	deg = PKCS7_new();
	if (deg == NULL || !PKCS7_set_type(deg, NID_pkcs7_signed) || !PKCS7_content_new(deg, NID_pkcs7_data))
		goto ssl;
	for (int i = 0; in->certs && i < sk_X509_num(in->certs); i++)
		if (!PKCS7_add_certificate(deg, sk_X509_value(in->certs, i)))
			goto ssl;
	if (in->crl && !PKCS7_add_crl(deg, in->crl))
		goto ssl;
	if ((ilen = i2d_PKCS7(deg, &inner)) <= 0)
		goto ssl;
	recips = sk_X509_new_null();
	bin = BIO_new_mem_buf(inner, ilen);
	if (recips == NULL || bin == NULL || !sk_X509_push(recips, in->recipient))
		goto ssl;
	env = CMS_encrypt(recips, bin, in->cipher, CMS_BINARY);
	if (env == NULL || (*dlen = i2d_CMS_ContentInfo(env, der)) <= 0)
		goto ssl;
	ret = 0;
	goto out;
ssl:
	ssl_reason(reason, rlen, "building the CertRep's envelope failed");
out:
	sk_X509_free(recips);   /* the certificate is the caller's */
	BIO_free(bin);
	OPENSSL_free(inner);
	CMS_ContentInfo_free(env);
	PKCS7_free(deg);
	return ret;
}

/* 0 / -1 (scep.h). */
int
cm_scep_certrep_build(X509 *ra_cert, EVP_PKEY *ra_key, const struct cm_scep_certrep *in,
    struct cm_buf *out, char *reason, size_t rlen)
{
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	unsigned char *content = NULL, *der = NULL, nonce[CM_SCEP_NONCE_LEN];
	int clen = 0, dlen, ret = -1;
	char num[4];
	BIO *data = NULL;

	if (in->status == CM_SCEP_SUCCESS &&
	    success_envelope(in, &content, &clen, reason, rlen) < 0)
		return -1;
	/* FAILURE and PENDING carry no message: the signature is over empty
	 * content, which is kept (eContent an empty OCTET STRING) rather than
	 * detached, because certmonger's PKCS7_verify refuses a CertRep without
	 * content ("no content"), as micromdm's replies also have it. */
	unsigned flags = CMS_PARTIAL | CMS_BINARY;
	cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
	if (cms == NULL)
		goto ssl;
	/* signingTime, contentType and messageDigest come from OpenSSL; no
	 * S/MIME capabilities: this is no mail. */
	si = CMS_add1_signer(cms, ra_cert, ra_key, in->md, CMS_BINARY | CMS_NOSMIMECAP);
	if (si == NULL)
		goto ssl;
	if (RAND_bytes(nonce, sizeof(nonce)) != 1) {
		snprintf(reason, rlen, "random number generator failed");
		goto out;
	}
	snprintf(num, sizeof(num), "%u", in->status);
	if (add_attr(si, OID_MESSAGE_TYPE, V_ASN1_PRINTABLESTRING, MESSAGE_TYPE_CERTREP, 1) < 0 ||
	    add_attr(si, OID_PKI_STATUS, V_ASN1_PRINTABLESTRING, num, (int)strlen(num)) < 0 ||
	    add_attr(si, OID_TRANSACTION_ID, V_ASN1_PRINTABLESTRING, in->transaction_id,
	    (int)strlen(in->transaction_id)) < 0 ||
	    add_attr(si, OID_SENDER_NONCE, V_ASN1_OCTET_STRING, nonce, sizeof(nonce)) < 0 ||
	    (in->recipient_nonce &&
	    add_attr(si, OID_RECIPIENT_NONCE, V_ASN1_OCTET_STRING, in->recipient_nonce, CM_SCEP_NONCE_LEN) < 0))
		goto ssl;
	if (in->status == CM_SCEP_FAILURE) {
		snprintf(num, sizeof(num), "%u", in->fail_info);
		if (add_attr(si, OID_FAIL_INFO, V_ASN1_PRINTABLESTRING, num, (int)strlen(num)) < 0)
			goto ssl;
	}
	data = BIO_new_mem_buf(content ? content : (unsigned char *)"", clen);
	if (data == NULL || !CMS_final(cms, data, NULL, CMS_BINARY))
		goto ssl;
	if ((dlen = i2d_CMS_ContentInfo(cms, &der)) <= 0)
		goto ssl;
	if (cm_buf_append(out, der, (size_t)dlen) < 0) {
		snprintf(reason, rlen, "the CertRep does not fit the reply");
		goto out;
	}
	ret = 0;
	goto out;
ssl:
	ssl_reason(reason, rlen, "building the CertRep failed");
out:
	ERR_clear_error();
	BIO_free(data);
	OPENSSL_free(content);
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	return ret;
}

/* A DER certificate that is all of the field: the X509, or NULL. */
static X509 *
field_cert(const struct cm_field *f)
{
	const unsigned char *p = f->val;
	if (f->len == 0 || f->len > CM_SCEP_MAX_CERT)
		return NULL;
	X509 *x = d2i_X509(NULL, &p, (long)f->len);
	if (x && p != f->val + f->len) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

/* 1 when s is 1..CM_SCEP_MAX_TRANSACTION_ID printable ASCII characters. */
static int
transaction_id_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > CM_SCEP_MAX_TRANSACTION_ID)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/* The digest of TAG_SCEP_DIGEST, or NULL. */
static const EVP_MD *
digest_of(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "sha1") == 0)
		return EVP_sha1();
	if (strcmp(name, "sha256") == 0)
		return EVP_sha256();
	if (strcmp(name, "sha512") == 0)
		return EVP_sha512();
	return NULL;
}

/* The RA's current pair (and previous), made or renewed when due. 0, or -1
 * fault with reason. */
static int
ra_pairs(struct cm_scep_ra *r, struct cm_scep_recipient *cands, size_t *n, char *reason, size_t rlen)
{
	char why[256];
	*n = 0;
	if (cm_scep_ra_ensure(r, why, sizeof(why)) != 0)
		cm_err("SCEP RA certificate: %s", why);   /* a pair still in use serves */
	if (cm_scep_ra_get(r, &cands[0].cert, &cands[0].key, &cands[1].cert, &cands[1].key) != 0) {
		snprintf(reason, rlen, "this signer has no SCEP RA certificate (no CA yet, or it could not be made: see the signer's log)");
		return -1;
	}
	*n = cands[1].cert ? 2 : 1;
	return 0;
}

/* Drops the references ra_pairs took. No return value. */
static void
free_pairs(struct cm_scep_recipient *cands)
{
	for (int i = 0; i < 2; i++) {
		X509_free(cands[i].cert);
		EVP_PKEY_free(cands[i].key);
	}
}

/* Handler convention (scep.h). */
int
cm_scep_decrypt_op(struct cm_scep_ra *r, uid_t uid, const struct cm_msg *m, struct cm_buf *reply,
    char *reason, size_t rlen)
{
	struct cm_scep_recipient cands[2];
	struct cm_buf content;
	const struct cm_field *f = cm_msg_get(m, TAG_SCEP_ENVELOPE);
	const char *cipher = NULL;
	enum cm_scep_plain kind;
	size_t n;
	int ret;

	memset(cands, 0, sizeof(cands));
	cm_buf_init(&content, CM_SCEP_MAX_CONTENT + 1);
	if (f == NULL || f->len == 0 || f->len > CM_SCEP_MAX_ENVELOPE) {
		snprintf(reason, rlen, "scep-decrypt needs an envelope of 1 to %d bytes", CM_SCEP_MAX_ENVELOPE);
		ret = 1;
		goto out;
	}
	if ((ret = ra_pairs(r, cands, &n, reason, rlen)) != 0)
		goto out;
	ret = cm_scep_envelope_open(f->val, f->len, cands, n, &content, &cipher, &kind, reason, rlen);
	if (ret == 1)
		cm_info("refused scep-decrypt for uid %u: %s", (unsigned)uid, reason);
	if (ret != 0)
		goto out;
	if (content.len > CM_SCEP_MAX_CONTENT) {
		snprintf(reason, rlen, "the decrypted content is over %d bytes", CM_SCEP_MAX_CONTENT);
		ret = 1;
		goto out;
	}
	if (cm_enc_bytes(reply, TAG_SCEP_CONTENT, content.data, content.len) < 0 ||
	    cm_enc_str(reply, TAG_SCEP_CIPHER, cipher) < 0) {
		snprintf(reason, rlen, "reply too large");
		ret = -1;
		goto out;
	}
	/* Never the content: it may carry a challenge password. */
	cm_debug("scep-decrypt for uid %u: %s, %zu bytes, %s", (unsigned)uid, cm_scep_plain_name(kind),
	    content.len, cipher);
out:
	free_pairs(cands);
	cm_buf_free(&content);   /* wipes the plaintext */
	return ret;
}

/* The issuing CA certificate and the root (new references; root may be
 * NULL). 0, or 1 with reason when there is no CA. */
static int
ca_certs(struct cm_ca *ca, X509 **issuing, X509 **root, char *reason, size_t rlen)
{
	pthread_rwlock_rdlock(&ca->lock);
	*issuing = ca->cert;
	*root = ca->root;
	if (*issuing)
		X509_up_ref(*issuing);
	if (*root)
		X509_up_ref(*root);
	pthread_rwlock_unlock(&ca->lock);
	if (*issuing == NULL) {
		snprintf(reason, rlen, "this signer has no CA yet");
		return 1;
	}
	return 0;
}

/*
 * The fields of a certrep request into in (and the objects it points to),
 * every rule the signer keeps checked: status/failInfo combinations, the
 * transactionID, nonce and digest, and for SUCCESS the cipher, an RSA
 * recipient, and certificates the issuing CA signed (the first one issued
 * by this signer) or a CRL of the issuing or root CA. 0, or 1 refused /
 * -1 fault with reason.
 */
static int
certrep_request(struct cm_scep_ra *r, const struct cm_msg *m, struct cm_scep_certrep *in, char **tid,
    char *reason, size_t rlen)
{
	const struct cm_field *f;
	uint32_t status, fail_info = 0;
	int bad, has_fail = cm_msg_get(m, TAG_SCEP_FAIL_INFO) != NULL;
	X509 *issuing = NULL, *root = NULL;
	char *s = NULL;
	int ret = 1;

	if (cm_msg_get_u32(m, TAG_SCEP_PKI_STATUS, &status) < 0 ||
	    (has_fail && cm_msg_get_u32(m, TAG_SCEP_FAIL_INFO, &fail_info) < 0)) {
		snprintf(reason, rlen, "pki-status and fail-info must be 4-byte integers");
		goto out;
	}
	if (status != CM_SCEP_SUCCESS && status != CM_SCEP_FAILURE && status != CM_SCEP_PENDING) {
		snprintf(reason, rlen, "pki-status %u is not SUCCESS (0), FAILURE (2) or PENDING (3)", status);
		goto out;
	}
	if (status == CM_SCEP_FAILURE && (!has_fail || fail_info > CM_SCEP_BAD_CERT_ID)) {
		snprintf(reason, rlen, "a FAILURE needs a fail-info of 0 (badAlg) to 4 (badCertId)");
		goto out;
	}
	if (status != CM_SCEP_FAILURE && has_fail) {
		snprintf(reason, rlen, "only a FAILURE carries a fail-info");
		goto out;
	}
	in->status = status;
	in->fail_info = fail_info;
	*tid = cm_msg_get_str(m, TAG_SCEP_TRANSACTION_ID, CM_SCEP_MAX_TRANSACTION_ID, &bad);
	if (*tid == NULL || !transaction_id_ok(*tid)) {
		snprintf(reason, rlen, "the transactionID must be 1 to %d printable ASCII characters",
		    CM_SCEP_MAX_TRANSACTION_ID);
		goto out;
	}
	in->transaction_id = *tid;
	if ((f = cm_msg_get(m, TAG_SCEP_RECIPIENT_NONCE)) != NULL) {
		if (f->len != CM_SCEP_NONCE_LEN) {
			snprintf(reason, rlen, "the recipientNonce must be %d bytes", CM_SCEP_NONCE_LEN);
			goto out;
		}
		in->recipient_nonce = f->val;
	}
	s = cm_msg_get_str(m, TAG_SCEP_DIGEST, 16, &bad);
	if ((in->md = digest_of(s)) == NULL) {
		snprintf(reason, rlen, "the digest must be sha1, sha256 or sha512");
		goto out;
	}
	free(s);
	s = NULL;
	size_t ncerts = 0;
	for (size_t i = 0; i < m->nfields; i++)
		ncerts += m->fields[i].tag == TAG_CERT_DER;
	const struct cm_field *fcrl = cm_msg_get(m, TAG_SCEP_CRL_DER);
	const struct cm_field *frec = cm_msg_get(m, TAG_SCEP_RECIPIENT_CERT);
	const struct cm_field *fcip = cm_msg_get(m, TAG_SCEP_CIPHER);
	if (status != CM_SCEP_SUCCESS) {
		if (ncerts || fcrl || frec || fcip) {
			snprintf(reason, rlen, "a FAILURE or PENDING CertRep carries no certificate, CRL, recipient or cipher");
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (fcip == NULL || frec == NULL) {
		snprintf(reason, rlen, "a SUCCESS CertRep needs the envelope's cipher and recipient certificate");
		goto out;
	}
	if ((ncerts == 0) == (fcrl == NULL) || ncerts > CM_SCEP_MAX_CERTS) {
		snprintf(reason, rlen, "a SUCCESS CertRep carries 1 to %d certificates or one CRL", CM_SCEP_MAX_CERTS);
		goto out;
	}
	s = cm_msg_get_str(m, TAG_SCEP_CIPHER, 32, &bad);
	if ((in->cipher = cm_scep_cipher(s)) == NULL) {
		snprintf(reason, rlen, "the cipher must be aes-128-cbc, aes-192-cbc, aes-256-cbc, des-ede3-cbc or des-cbc");
		goto out;
	}
	in->recipient = field_cert(frec);
	EVP_PKEY *rpub = in->recipient ? X509_get0_pubkey(in->recipient) : NULL;
	if (rpub == NULL || EVP_PKEY_get_base_id(rpub) != EVP_PKEY_RSA) {
		snprintf(reason, rlen, "the recipient must be one DER certificate with an RSA key");
		goto out;
	}
	if ((ret = ca_certs(r->ca, &issuing, &root, reason, rlen)) != 0)
		goto out;
	ret = 1;
	EVP_PKEY *capub = X509_get0_pubkey(issuing);
	if (ncerts) {
		in->certs = sk_X509_new_null();
		if (in->certs == NULL) {
			snprintf(reason, rlen, "out of memory");
			ret = -1;
			goto out;
		}
		for (size_t i = 0; i < m->nfields; i++) {
			if (m->fields[i].tag != TAG_CERT_DER)
				continue;
			X509 *x = field_cert(&m->fields[i]);
			if (x == NULL || !sk_X509_push(in->certs, x)) {
				X509_free(x);
				snprintf(reason, rlen, "certificate %d is not one DER certificate", sk_X509_num(in->certs) + 1);
				goto out;
			}
			/* The CA's own certificates are the chain, not issued by it:
			 * the issuing CA and the root may follow the issued one. */
			int is_chain = sk_X509_num(in->certs) > 1 && (X509_cmp(x, issuing) == 0 || (root && X509_cmp(x, root) == 0));
			if (!is_chain && (capub == NULL || X509_check_issued(issuing, x) != X509_V_OK ||
			    X509_verify(x, capub) != 1)) {
				snprintf(reason, rlen, "certificate %d was not issued by this signer's issuing CA",
				    sk_X509_num(in->certs));
				goto out;
			}
		}
		X509 *first = sk_X509_value(in->certs, 0);
		if (X509_cmp(first, issuing) == 0 || (root && X509_cmp(first, root) == 0)) {
			snprintf(reason, rlen, "the first certificate must be the issued one, not a CA certificate");
			goto out;
		}
		if (r->conf.check_issued) {
			const ASN1_INTEGER *sn = X509_get0_serialNumber(first);
			if (r->issued == NULL || sn == NULL || sn->length < 1 ||
			    !cm_issued_has(r->issued, sn->data, (size_t)sn->length)) {
				snprintf(reason, rlen, "the issued certificate's serial is not one this signer issued");
				goto out;
			}
		}
	} else {
		const unsigned char *p = fcrl->val;
		if (fcrl->len == 0 || fcrl->len > CM_SCEP_MAX_CRL ||
		    (in->crl = d2i_X509_CRL(NULL, &p, (long)fcrl->len)) == NULL || p != fcrl->val + fcrl->len) {
			snprintf(reason, rlen, "the CRL is not one DER CRL of at most %d bytes", CM_SCEP_MAX_CRL);
			goto out;
		}
		EVP_PKEY *rootpub = root ? X509_get0_pubkey(root) : NULL;
		if (!(capub && X509_CRL_verify(in->crl, capub) == 1) && !(rootpub && X509_CRL_verify(in->crl, rootpub) == 1)) {
			snprintf(reason, rlen, "the CRL was not signed by this signer's issuing or root CA");
			goto out;
		}
	}
	ret = 0;
out:
	ERR_clear_error();
	free(s);
	X509_free(issuing);
	X509_free(root);
	return ret;
}

/* Handler convention (scep.h). */
int
cm_scep_certrep_op(struct cm_scep_ra *r, uid_t uid, const struct cm_msg *m, struct cm_buf *reply,
    char *reason, size_t rlen)
{
	struct cm_scep_recipient cands[2];
	struct cm_scep_certrep in;
	struct cm_buf out;
	char *tid = NULL;
	size_t n;
	int ret;

	memset(cands, 0, sizeof(cands));
	memset(&in, 0, sizeof(in));
	cm_buf_init(&out, CM_PROTO_MAX_PAYLOAD - 64);
	ret = certrep_request(r, m, &in, &tid, reason, rlen);
	if (ret == 1)
		cm_info("refused scep-certrep for uid %u: %s", (unsigned)uid, reason);
	if (ret != 0)
		goto out;
	if ((ret = ra_pairs(r, cands, &n, reason, rlen)) != 0)
		goto out;
	if ((ret = cm_scep_certrep_build(cands[0].cert, cands[0].key, &in, &out, reason, rlen)) != 0)
		goto out;
	if (cm_enc_bytes(reply, TAG_SCEP_PKI_MESSAGE, out.data, out.len) < 0) {
		snprintf(reason, rlen, "reply too large");
		ret = -1;
		goto out;
	}
	cm_info("scep-certrep for uid %u: status %u%s, transaction %s", (unsigned)uid, in.status,
	    in.status == CM_SCEP_SUCCESS ? (in.crl ? " (CRL)" : " (certificates)") : "", tid);
out:
	free_pairs(cands);
	free(tid);
	X509_free(in.recipient);
	sk_X509_pop_free(in.certs, X509_free);
	X509_CRL_free(in.crl);
	cm_buf_free(&out);
	return ret;
}
