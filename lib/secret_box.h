/* secret_box.h: sealing small secrets (AD simple-bind passwords) for the database with a key the database does not hold. */
#ifndef CM_SECRET_BOX_H
#define CM_SECRET_BOX_H

#include <stddef.h>

/* AES-256-GCM under HKDF-SHA256(key file bytes, info "certmint secret box v1"); aad ties the
 * sealed value to its place (aeadmin and adlookup use "ad_servers.bind_password:<customer_id>").
 * Sealed form: 0x01 | 12-byte random nonce | ciphertext | 16-byte tag. */
#define CM_SECRET_MAX 512            /* plaintext bytes */
#define CM_SECRET_SEALED_MAX (1 + 12 + CM_SECRET_MAX + 16)

/* Seals in[inlen] (at most CM_SECRET_MAX bytes) into out, which holds
 * CM_SECRET_SEALED_MAX bytes; *outlen is the sealed length. 0 / -1. */
int cm_secret_seal(const unsigned char *key, size_t keylen, const char *aad,
	const unsigned char *in, size_t inlen, unsigned char *out, size_t *outlen);
/* Opens a sealed value into out (CM_SECRET_MAX bytes; the caller wipes it).
 * -1 for a wrong key, a wrong aad, any changed byte, a bad length or version;
 * nothing is written to out then. 0 / -1. */
int cm_secret_open(const unsigned char *key, size_t keylen, const char *aad,
	const unsigned char *in, size_t inlen, unsigned char *out, size_t *outlen);

#endif
