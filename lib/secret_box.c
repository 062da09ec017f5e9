/* secret_box.c: AES-256-GCM sealing of small secrets under a key derived (HKDF-SHA256) from the key file's bytes. */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "secret_box.h"

#define SB_VERSION 0x01
#define SB_NONCE 12
#define SB_TAG 16
#define SB_INFO "certmint secret box v1"

/* The AES key from the key file's bytes: the file may hold any amount of
 * entropy in any encoding (hex from openssl rand), HKDF makes 32 bytes of it.
 * 0 / -1. */
static int
derive(const unsigned char *key, size_t keylen, unsigned char out[32])
{
	EVP_PKEY_CTX *k;
	size_t n = 32;
	int rc = -1;

	if (key == NULL || keylen == 0)
		return -1;
	if ((k = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL)) == NULL)
		return -1;
	if (EVP_PKEY_derive_init(k) > 0 && EVP_PKEY_CTX_set_hkdf_md(k, EVP_sha256()) > 0 &&
	    EVP_PKEY_CTX_set1_hkdf_key(k, key, (int)keylen) > 0 &&
	    EVP_PKEY_CTX_add1_hkdf_info(k, (const unsigned char *)SB_INFO, (int)strlen(SB_INFO)) > 0 &&
	    EVP_PKEY_derive(k, out, &n) > 0 && n == 32)
		rc = 0;
	EVP_PKEY_CTX_free(k);
	return rc;
}

/* One GCM pass: enc 1 seals in into out and writes tag; enc 0 opens and
 * checks tag. 0 / -1 (also for a tag mismatch). */
static int
gcm(int enc, const unsigned char k[32], const unsigned char *nonce, const char *aad,
    const unsigned char *in, size_t inlen, unsigned char *out, unsigned char *tag)
{
	EVP_CIPHER_CTX *x;
	int n = 0, rc = -1;

	if ((x = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_CipherInit_ex(x, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) <= 0 ||
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, SB_NONCE, NULL) <= 0 ||
	    EVP_CipherInit_ex(x, NULL, NULL, k, nonce, enc) <= 0)
		goto out;
	if (aad[0] && EVP_CipherUpdate(x, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) <= 0)
		goto out;
	if (inlen > 0 && (EVP_CipherUpdate(x, out, &n, in, (int)inlen) <= 0 || (size_t)n != inlen))
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, SB_TAG, tag) <= 0)
		goto out;
	if (EVP_CipherFinal_ex(x, out + inlen, &n) <= 0 || n != 0)
		goto out;
	if (enc && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, SB_TAG, tag) <= 0)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(x);
	return rc;
}

/* 0 / -1. */
int
cm_secret_seal(const unsigned char *key, size_t keylen, const char *aad,
    const unsigned char *in, size_t inlen, unsigned char *out, size_t *outlen)
{
	unsigned char k[32];
	int rc = -1;

	*outlen = 0;
	if (aad == NULL || inlen > CM_SECRET_MAX || (in == NULL && inlen > 0) || derive(key, keylen, k) < 0)
		goto out;
	out[0] = SB_VERSION;
	if (RAND_bytes(out + 1, SB_NONCE) != 1)
		goto out;
	if (gcm(1, k, out + 1, aad, in, inlen, out + 1 + SB_NONCE, out + 1 + SB_NONCE + inlen) < 0)
		goto out;
	*outlen = 1 + SB_NONCE + inlen + SB_TAG;
	rc = 0;
out:
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

/* 0 / -1. */
int
cm_secret_open(const unsigned char *key, size_t keylen, const char *aad,
    const unsigned char *in, size_t inlen, unsigned char *out, size_t *outlen)
{
	unsigned char k[32], tag[SB_TAG], plain[CM_SECRET_MAX];
	size_t n;
	int rc = -1;

	*outlen = 0;
	if (aad == NULL || in == NULL || inlen < 1 + SB_NONCE + SB_TAG || inlen > CM_SECRET_SEALED_MAX ||
	    in[0] != SB_VERSION)
		return -1;
	n = inlen - 1 - SB_NONCE - SB_TAG;
	if (derive(key, keylen, k) < 0)
		goto out;
	memcpy(tag, in + inlen - SB_TAG, SB_TAG);
	/* Decrypt into a private buffer so a forged value leaves out untouched. */
	if (gcm(0, k, in + 1, aad, in + 1 + SB_NONCE, n, plain, tag) < 0)
		goto out;
	memcpy(out, plain, n);
	*outlen = n;
	rc = 0;
out:
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(plain, sizeof(plain));
	return rc;
}
