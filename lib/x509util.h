/* x509util.h: CSR and certificate parsing, human descriptions, and PEM/DER/PKCS#7 encodings. */
#ifndef CM_X509UTIL_H
#define CM_X509UTIL_H

#include <stddef.h>
#include <time.h>
#include <openssl/x509.h>
#include "buf.h"

/* Largest CSR or certificate we accept from outside, PEM or DER. */
#define CM_X509_MAX_INPUT (64 * 1024)
/* A description keeps at most this many SANs / EKUs / key usages. */
#define CM_X509_MAX_LIST 100

/* Strings are malloc'ed and owned by the struct; lists are arrays of n strings. */
struct cm_strlist {
	char **v;
	size_t n;
};

struct cm_key_info {
	char type[16];      /* "rsa", "ec", "ed25519", "ed448", "dsa" or "unknown" */
	int bits;           /* modulus or field size */
	char curve[32];     /* "P-256", ... for EC, else "" */
};

struct cm_csr_info {
	char *subject;               /* RFC 2253 one line */
	char *cn;                    /* first commonName, or NULL */
	struct cm_strlist sans;      /* "DNS:x", "IP:1.2.3.4", "email:x", "URI:x", "otherName:..." */
	struct cm_key_info key;
	char sig_alg[64];            /* e.g. "sha256WithRSAEncryption" */
	int sig_valid;               /* 1 the CSR's self-signature verifies, 0 not */
	/* Set by cm_csr_check (lib/issuance.h): the subject the certificate
	 * will carry (CN from the CSR, O/L/ST/C from the organisation). */
	char *issue_subject;         /* RFC 2253 one line, for people */
	char *issue_dn;              /* "/C=GB/O=.../CN=...", as the signer's SUBJECT field */
};

struct cm_cert_info {
	char serial_hex[80];         /* lowercase hex, no separators */
	char *subject;               /* RFC 2253 */
	char *issuer;
	char *cn;                    /* or NULL */
	char *email;                 /* first email SAN (else emailAddress), or NULL */
	time_t not_before, not_after;
	char not_before_str[32];     /* "YYYY-MM-DD HH:MM:SS" UTC (MariaDB DATETIME) */
	char not_after_str[32];
	struct cm_strlist sans;
	struct cm_key_info key;
	struct cm_strlist ekus;      /* short names or OIDs: "serverAuth", ... */
	struct cm_strlist key_usage; /* "digitalSignature", ... */
	char sig_alg[64];
	char sha256[96];             /* "AB:CD:..." */
	char sha256_hex[65];         /* lowercase, no separators */
	int is_ca;                   /* basicConstraints CA:TRUE */
};

/*
 * Loading. Return convention for the *_load functions: 0, or -1 with a
 * message for the person who sent the bytes in err ("not a PEM CSR",
 * "trailing data after the CSR", ...). Input starting with "-----BEGIN" is
 * PEM, anything else is tried as DER; over CM_X509_MAX_INPUT is refused.
 */
int cm_csr_load(const void *data, size_t len, X509_REQ **out, char *err, size_t errlen);
int cm_cert_load(const void *data, size_t len, X509 **out, char *err, size_t errlen);
/* Every certificate in a PEM bundle (at least one); same convention. */
int cm_certs_load_pem(const char *pem, size_t len, STACK_OF(X509) **out,
    char *err, size_t errlen);

/* Descriptions: 0, or -1 on memory exhaustion. Free with the *_free call
 * (also safe on a zeroed or half-filled struct). */
int cm_csr_describe(X509_REQ *req, struct cm_csr_info *out);
void cm_csr_info_free(struct cm_csr_info *info);
/* A name as RFC 2253 text (control characters as '?'), malloc'ed; NULL on OOM. */
char *cm_name_text(const X509_NAME *name);
int cm_cert_describe(X509 *cert, struct cm_cert_info *out);
void cm_cert_info_free(struct cm_cert_info *info);

/* Joins a list with sep into a new string ("" for an empty list); NULL on OOM. */
char *cm_strlist_join(const struct cm_strlist *l, const char *sep);
void cm_strlist_free(struct cm_strlist *l);

/* Encodings: append to out; 0 or -1. */
int cm_cert_pem(X509 *cert, struct cm_buf *out);
int cm_cert_der(X509 *cert, struct cm_buf *out);
int cm_csr_der(X509_REQ *req, struct cm_buf *out);
/* DER certificate bytes -> PEM text. */
int cm_der_to_pem(const void *der, size_t len, struct cm_buf *out);
/* Degenerate PKCS#7 SignedData (certificates only) holding cert then chain
 * (chain may be NULL), in DER or PEM ("-----BEGIN PKCS7-----"). */
int cm_p7b_der(X509 *cert, STACK_OF(X509) *chain, struct cm_buf *out);
int cm_p7b_pem(X509 *cert, STACK_OF(X509) *chain, struct cm_buf *out);

/* Index in cands of the certificate that issued cert (name match and
 * signature check), or -1. */
int cm_find_issuer(X509 *cert, STACK_OF(X509) *cands);

#endif
