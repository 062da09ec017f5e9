/* signer_ops_fixture.h: what the signer op unit tests share (after tap.h): a request served through cm_ops_serve with its reply decoded, checks of the reply's fields, and an EC CSR for one DNS name. */
#ifndef CM_SIGNER_OPS_FIXTURE_H
#define CM_SIGNER_OPS_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "names.h"
#include "ops.h"

/*
 * Serves the encoded request req as uid 1000 (the test's caller) into
 * reply: the reply's op (OP_REPLY_OK / OP_REPLY_ERR) with its fields
 * decoded into rm, or -1 when the connection would be dropped, -2 when the
 * reply's header or payload does not decode.
 */
static int __attribute__((unused))
serve(struct cm_signer_ctx *ctx, const struct cm_buf *req, struct cm_buf *reply, struct cm_msg *rm)
{
	struct cm_frame_hdr h, rh;
	char err[256];

	cm_hdr_decode((const unsigned char *)req->data, &h, err, sizeof(err));
	if (cm_ops_serve(ctx, 1000, 1, &h, (const unsigned char *)req->data + CM_PROTO_HDR_LEN, reply) < 0)
		return -1;
	if (cm_hdr_decode((const unsigned char *)reply->data, &rh, err, sizeof(err)) < 0 ||
	    rh.payload_len != reply->len - CM_PROTO_HDR_LEN)
		return -2;
	enum cm_msg_kind kind = rh.op == OP_REPLY_ERR ? CM_MSG_REPLY_ERR : CM_MSG_REPLY_OK;
	if (cm_msg_decode(h.op, kind, (const unsigned char *)reply->data + CM_PROTO_HDR_LEN,
	    rh.payload_len, rm, err, sizeof(err)) != 0) {
		printf("# reply does not decode: %s\n", err);
		return -2;
	}
	return rh.op;
}

/* 1 when rm's string field tag is exactly want (NULL: absent). */
static int __attribute__((unused))
field_is(const struct cm_msg *rm, uint16_t tag, const char *want)
{
	const struct cm_field *f = cm_msg_get(rm, tag);
	if (want == NULL)
		return f == NULL;
	return f && f->len == strlen(want) && memcmp(f->val, want, f->len) == 0;
}

/* 1 when rm's reason is exactly want; else 0, printing both. */
static int __attribute__((unused))
reason_is(const struct cm_msg *rm, const char *want)
{
	const struct cm_field *f = cm_msg_get(rm, TAG_REASON);
	if (f == NULL || f->len != strlen(want) || memcmp(f->val, want, f->len) != 0) {
		printf("#   reason: '%.*s'\n#   want:   '%s'\n", f ? (int)f->len : 0, f ? (const char *)f->val : "", want);
		return 0;
	}
	return 1;
}

/* 1 when rm's reason contains needle. */
static int __attribute__((unused))
reason_has(const struct cm_msg *rm, const char *needle)
{
	const struct cm_field *f = cm_msg_get(rm, TAG_REASON);
	size_t n = strlen(needle);
	for (size_t i = 0; f && n <= f->len && i <= f->len - n; i++)
		if (memcmp(f->val + i, needle, n) == 0)
			return 1;
	return 0;
}

/* Prints rm's reason as a TAP comment. No return value. */
static void __attribute__((unused))
print_reason(const struct cm_msg *rm)
{
	const struct cm_field *f = cm_msg_get(rm, TAG_REASON);
	printf("#   reason: %.*s\n", f ? (int)f->len : 0, f ? (const char *)f->val : "");
}

/* A DER CSR (into *der, OPENSSL_free it) of a new P-256 key with CN and one
 * DNS subjectAltName name: its length, or <= 0. */
static int __attribute__((unused))
dns_csr(const char *name, unsigned char **der)
{
	char err[256], cn[300], san[300];
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509_REQ *x = X509_REQ_new();
	X509_NAME *n;
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	int len;

	snprintf(cn, sizeof(cn), "/CN=%s", name);
	snprintf(san, sizeof(san), "DNS:%s", name);
	n = cm_dn_parse(cn, err, sizeof(err));
	X509_REQ_set_subject_name(x, n);
	X509_REQ_set_pubkey(x, k);
	sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, san));
	X509_REQ_add_extensions(x, exts);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_sign(x, k, EVP_sha256());
	*der = NULL;
	len = i2d_X509_REQ(x, der);
	X509_REQ_free(x);
	X509_NAME_free(n);
	EVP_PKEY_free(k);
	return len;
}

#endif
