/* ad_server_ca.h: the CA certificates that verify an AD server's TLS certificate: PEM intake (only CERTIFICATE blocks, bounded) and what the page shows of each. */
#ifndef CM_ADMIN_AD_SERVER_CA_H
#define CM_ADMIN_AD_SERVER_CA_H

#include <stddef.h>

#include "buf.h"

#define AD_CA_MAX_BYTES (64 * 1024)   /* of the PEM as pasted or uploaded */
#define AD_CA_MAX_CERTS 16

/* One certificate as the page shows it. */
struct ad_ca_cert {
	char subject[512];        /* RFC 2253, cut at 511 bytes */
	char not_after[32];       /* "2031-05-01 12:00 UTC" */
	char sha256[96];          /* "AB:CD:..." (32 bytes) */
	int expired;
};

/*
 * Parses in[0..len) as PEM: text between blocks is ignored (openssl's
 * "subject=" lines), every block must be an unencrypted CERTIFICATE whose
 * DER is one whole X.509 certificate, 1 to AD_CA_MAX_CERTS of them, at most
 * AD_CA_MAX_BYTES in all. When out is not NULL it gets the certificates
 * re-encoded as PEM (nothing else of the input is kept); when certs is not
 * NULL it gets the descriptions (room for AD_CA_MAX_CERTS) and *n their
 * count. 0, or -1 with a message for the person in why (out is then reset).
 */
int ad_server_ca_parse(const char *in, size_t len, struct cm_buf *out, struct ad_ca_cert *certs, size_t *n,
    char *why, size_t whylen);

/* The number of certificates in a stored PEM (blocks counted, not parsed). */
size_t ad_server_ca_count(const char *pem);

#endif
