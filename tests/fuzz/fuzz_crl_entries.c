/* fuzz_crl_entries.c: libFuzzer target for signerd's parser of packed CRL entries (crl-sign's crl-entries field) and the DER it builds from them. */
/* fuzz-sources: signer/crl_enc.c lib/buf.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "signer/crl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: the bytes of one or more crl-entries fields, split at every 0xff
 * 0xff pair (a connection sends several). Whatever was accepted must be
 * DER that OpenSSL reads back as that many revoked entries, inside a CRL
 * the encoder signs with a fixed key.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	static X509 *ca;
	struct cm_crl_enc e;
	char reason[256];

	if (size > CM_PROTO_MAX_PAYLOAD)
		return 0;
	if (key == NULL) {
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		ca = X509_new();
		X509_NAME *n = X509_get_subject_name(ca);
		X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"Fuzz CA", -1, -1, 0);
		X509_set_issuer_name(ca, n);
		X509_set_pubkey(ca, key);
		X509_gmtime_adj(X509_getm_notBefore(ca), 0);
		X509_gmtime_adj(X509_getm_notAfter(ca), 86400);
		if (key == NULL || X509_sign(ca, key, EVP_sha256()) <= 0)
			abort();
	}
	cm_crl_enc_init(&e);
	size_t start = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i == size || (i + 1 < size && data[i] == 0xff && data[i + 1] == 0xff)) {
			size_t before = e.count;
			int r = cm_crl_enc_add(&e, data + start, i - start, reason, sizeof(reason));
			if (r != 0 && e.count != before)
				abort();   /* a refused batch keeps nothing */
			start = i + 2;
			i++;
		}
	}
	if (cm_crl_enc_sign(&e, ca, key, EVP_sha256(), 1700000000, 1700003600, 42, reason, sizeof(reason)) != 0)
		abort();
	size_t len = cm_crl_enc_len(&e);
	unsigned char *der = malloc(len);
	if (der == NULL || cm_crl_enc_read(&e, 0, der, len) != len)
		abort();
	const unsigned char *p = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
	if (crl == NULL || p != der + len || X509_CRL_verify(crl, key) != 1)
		abort();
	STACK_OF(X509_REVOKED) *rev = X509_CRL_get_REVOKED(crl);
	if ((size_t)(rev ? sk_X509_REVOKED_num(rev) : 0) != e.count)
		abort();
	X509_CRL_free(crl);
	free(der);
	cm_crl_enc_free(&e);
	return 0;
}
