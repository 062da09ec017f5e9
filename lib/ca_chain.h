/* ca_chain.h: a certificate's CA chain and issuing-CA row, looked up among the ca_certs rows. */
#ifndef CM_CA_CHAIN_H
#define CM_CA_CHAIN_H

#include <stdint.h>

#include <openssl/x509.h>

#include "db.h"

/* The CA certificates above cert (issuing first, then root) from ca_certs;
 * an empty stack when none match, NULL on error (logged). The caller frees
 * it with sk_X509_pop_free(chain, X509_free). */
STACK_OF(X509) *cm_ca_chain_for(struct cm_db *db, X509 *cert);

/* The id of the ca_certs row (kind 'issuing') that issued cert; 0 when
 * unknown or on a database error. */
int64_t cm_ca_issuer_id(struct cm_db *db, X509 *cert);

#endif
