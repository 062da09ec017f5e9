/* vault.h: the signer's key vault, a 0700 directory of encrypted PKCS#8 keys and PEM files. */
#ifndef CM_VAULT_H
#define CM_VAULT_H

#include <stddef.h>
#include <openssl/evp.h>

#include "buf.h"

#define CM_VAULT_MAX_FILE (256 * 1024)
#define CM_VAULT_MIN_PASSPHRASE 12

struct cm_vault {
	char *dir;
	char *pass;       /* from vault_key_file, cleansed on close */
	size_t passlen;
};

/*
 * All return 0, or -1 with err, unless said otherwise.
 * cm_vault_open refuses a vault directory that is not owned by the effective
 * user or is group/world accessible, and a key file that is not a regular
 * file owned by the effective user with no group/world bits.
 */
int cm_vault_open(struct cm_vault *v, const char *dir, const char *key_file,
    char *err, size_t errlen);
void cm_vault_close(struct cm_vault *v);

/* 1 when the named file exists, 0 when not. Names are [A-Za-z0-9._-]. */
int cm_vault_exists(const struct cm_vault *v, const char *name);
/* Atomic publish: tmp file 0600, fsync, rename, fsync of the directory. */
int cm_vault_write(const struct cm_vault *v, const char *name, const void *data,
    size_t len, char *err, size_t errlen);
/* Appends the file to out (at most CM_VAULT_MAX_FILE bytes). */
int cm_vault_read(const struct cm_vault *v, const char *name, struct cm_buf *out,
    char *err, size_t errlen);
/* Stores key as PKCS#8 encrypted with AES-256-CBC under an scrypt-derived key. */
int cm_vault_put_key(const struct cm_vault *v, const char *name, EVP_PKEY *key,
    char *err, size_t errlen);
/* The decrypted key, or NULL with err. */
EVP_PKEY *cm_vault_get_key(const struct cm_vault *v, const char *name, char *err, size_t errlen);

#endif
