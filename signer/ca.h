/* ca.h: the signer's CA (root + issuing certificate and key) kept in the vault. */
#ifndef CM_CA_H
#define CM_CA_H

#include <pthread.h>
#include <stddef.h>
#include <openssl/x509.h>

#include "buf.h"
#include "namespace.h"
#include "vault.h"

struct cm_ca {
	pthread_rwlock_t lock;
	const struct cm_vault *vault;
	X509 *root;
	X509 *cert;          /* issuing CA */
	EVP_PKEY *key;       /* issuing CA key, decrypted once at start */
};

/* What signerd.conf allows a CA to be: lifetimes (0: the defaults, 7305 and
 * 3653 days) and the name spaces a name-constrained issuing CA carries. */
struct cm_ca_limits {
	long max_root_days;
	long max_issuing_days;
	const struct cm_namespaces *ns;   /* NULL: none configured */
	const char *publish_base;         /* [publish] base_url, or NULL */
};

/*
 * Return convention: 0 success; 1 refused with a reason for the requester;
 * -1 internal failure with a reason.
 */
/* Loads an existing CA from the vault (none is fine: 0 with ca->cert NULL). */
int cm_ca_load(struct cm_ca *ca, const struct cm_vault *v, char *err, size_t errlen);
void cm_ca_free(struct cm_ca *ca);

/* A new key of type key_type ("rsa2048", "rsa3072" or "ecdsa-p256": the CA's
 * and the signer's own pairs' choices), or NULL for another name or a
 * failure. */
EVP_PKEY *cm_key_new(const char *key_type);

/* Creates the pair. Both subjects need a country (C=, two capital letters);
 * days 0 take the defaults (bounded by lim); name_constraints puts lim->ns
 * into the issuing CA as a critical nameConstraints (refused when there is
 * none). lim NULL: the default limits, no name spaces. */
int cm_ca_init(struct cm_ca *ca, const char *key_type, const char *root_subject,
    const char *issuing_subject, long root_days, long issuing_days,
    int name_constraints, const struct cm_ca_limits *lim, char *reason, size_t rlen);
/* Refuses certificates valid for longer than lim allows (lim NULL: defaults). */
int cm_ca_import(struct cm_ca *ca, const char *root_pem, const char *issuing_pem,
    const char *key_pem, const char *passphrase, const struct cm_ca_limits *lim,
    char *reason, size_t rlen);
/* Appends issuing then root PEM to out; 1 when there is no CA yet. */
int cm_ca_chain(struct cm_ca *ca, struct cm_buf *out, char *reason, size_t rlen);
/* New references to the issuing certificate and key; 1 when no CA yet. */
int cm_ca_get(struct cm_ca *ca, X509 **cert, EVP_PKEY **key, char *reason, size_t rlen);

#endif
