/* issue.h: building and signing certificates (end entities and the CA pair). */
#ifndef CM_ISSUE_H
#define CM_ISSUE_H

#include <stddef.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "profile.h"

#define CM_SERIAL_LEN 16

/* 16 CSPRNG bytes, top bit cleared so the INTEGER is positive, never zero.
 * Returns 0, or -1 when the CSPRNG fails. */
int cm_serial_new(unsigned char serial[CM_SERIAL_LEN]);
void cm_serial_hex(const unsigned char serial[CM_SERIAL_LEN], char hex[2 * CM_SERIAL_LEN + 1]);

/* Signs an end-entity certificate for a checked plan. Returns the
 * certificate, or NULL with err. The subject key is copied as encoded bytes
 * (no decode), so X509_get0_pubkey() on the result is NULL: serialise it
 * with i2d_X509() and parse that for anything beyond encoding. */
X509 *cm_issue_build(const struct cm_profile *p, const struct cm_profile_plan *plan,
    X509 *ca_cert, EVP_PKEY *ca_key, const unsigned char serial[CM_SERIAL_LEN],
    char *err, size_t errlen);

/* A CA certificate for subject/pub, signed by issuer_key (issuer == NULL:
 * self-signed). pathlen < 0 leaves it unlimited; nc (may be NULL) becomes a
 * critical nameConstraints. NULL with err on failure. */
X509 *cm_ca_cert_build(X509_NAME *subject, EVP_PKEY *pub, X509 *issuer,
    EVP_PKEY *issuer_key, long days, int pathlen, const NAME_CONSTRAINTS *nc,
    char *err, size_t errlen);

/* The digest for signing with key: NULL for Ed25519 (no separate digest). */
const EVP_MD *cm_sign_md(EVP_PKEY *key);

#endif
