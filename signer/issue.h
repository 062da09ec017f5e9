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

/*
 * Where relying parties find the CA's files: with publish_base
 * ("http://pki.example.com", signerd.conf [publish] base_url) an end-entity
 * certificate carries the CRL Distribution Point BASE/crl/issuing.crl and
 * Authority Information Access (caIssuers BASE/ca/issuing.crt, OCSP
 * BASE/ocsp); the issuing CA certificate carries the root's
 * BASE/crl/root.crl and caIssuers BASE/ca/root.crt. These file names are
 * fixed: certmint publish ca and certmint crl write exactly them.
 */
#define CM_PUBLISH_BASE_MAX 200
#define CM_PUBLISH_ISSUING "issuing"
#define CM_PUBLISH_ROOT "root"

/* 1 when url is a publication base the signer accepts: "http://" (relying
 * parties fetch CRLs and OCSP over plain http: RFC 5280 4.2.1.13, and an
 * https URL would need revocation checking of its own), a host name or
 * address, an optional :port and path, no trailing '/', no query, at most
 * CM_PUBLISH_BASE_MAX bytes of [A-Za-z0-9.-_~/:]. Else 0 with err. */
int cm_publish_base_ok(const char *url, char *err, size_t errlen);

/* Signs an end-entity certificate for a checked plan (with the profile's
 * certificatePolicies and, when publish_base is not NULL, CDP and AIA). Returns the
 * certificate, or NULL with err. The subject key is copied as encoded bytes
 * (no decode), so X509_get0_pubkey() on the result is NULL: serialise it
 * with i2d_X509() and parse that for anything beyond encoding. */
X509 *cm_issue_build(const struct cm_profile *p, const struct cm_profile_plan *plan,
    X509 *ca_cert, EVP_PKEY *ca_key, const unsigned char serial[CM_SERIAL_LEN],
    const char *publish_base, char *err, size_t errlen);

/* A CA certificate for subject/pub, signed by issuer_key (issuer == NULL:
 * self-signed). pathlen < 0 leaves it unlimited; nc (may be NULL) becomes a
 * critical nameConstraints. With an issuer and publish_base, the root's
 * CDP and caIssuers (a self-signed root gets neither: nothing above it
 * could revoke it). NULL with err on failure. */
X509 *cm_ca_cert_build(X509_NAME *subject, EVP_PKEY *pub, X509 *issuer,
    EVP_PKEY *issuer_key, long days, int pathlen, const NAME_CONSTRAINTS *nc,
    const char *publish_base, char *err, size_t errlen);

/* The digest for signing with key: NULL for Ed25519 (no separate digest). */
const EVP_MD *cm_sign_md(EVP_PKEY *key);

/* The subject of a certificate the signer makes for itself (OCSP responder,
 * SCEP RA): the CA's O and CN "<CA's CN><suffix>" (suffix starts with a
 * space), the CA's CN shortened to fit 64 characters at a UTF-8 boundary.
 * NULL when out of memory. */
X509_NAME *cm_issue_own_subject(X509 *ca, const char *suffix);

#endif
