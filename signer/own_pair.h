/* own_pair.h: the life cycle of a key pair signerd issues to itself (OCSP responder, SCEP RA): made, journalled, kept in the vault, checked against the CA, rotated, optionally keeping the previous pair. */
#ifndef CM_SIGNER_OWN_PAIR_H
#define CM_SIGNER_OWN_PAIR_H

#include <pthread.h>
#include <stddef.h>

#include <openssl/x509.h>

struct cm_ca;
struct cm_vault;
struct cm_journal;
struct cm_profile;
struct cm_issued_set;

/* What differs between the signer's own pairs; the strings are not copied. */
struct cm_own_pair_desc {
	const char *what;               /* "OCSP responder": names it in logs and reasons */
	const char *subject_suffix;     /* after the CA's CN in the subject, e.g. " OCSP Responder" */
	const char *journal_profile;    /* a signer.* name (CM_JOURNAL_SIGNER_PROFILE_PREFIX) */
	const char *vault_cert, *vault_key;
	/* The pair the current one replaced, kept in use until it expires
	 * (NULL: none is kept). */
	const char *vault_prev_cert, *vault_prev_key;
	/* "rsa2048" | "rsa3072" | "ecdsa-p256"; NULL: RSA-2048 under an RSA
	 * CA, P-256 under an EC one. */
	const char *key_type;
	int rsa_only;                   /* a vault key of another type is not this pair's */
	const struct cm_profile *profile;  /* the rules the CSR is checked and issued under */
	const char *publish_base;       /* CDP/AIA base for cm_issue_build, or NULL */
	long cert_days;                 /* the certificate's lifetime */
	long rotate_days;               /* renewed when fewer days than this remain */
	const char *rotated_note;       /* appended to the "rotated" log line, or NULL */
	/*
	 * Called with mu held when the pair is put in use for a CA other than
	 * the one before (owner: the argument of cm_own_pair_init), so state
	 * derived from the CA changes with the pair. 0 / -1 with reason.
	 * NULL: nothing to derive.
	 */
	int (*on_ca)(void *owner, X509 *ca, char *reason, size_t rlen);
};

/*
 * One pair: the current one (replaced whole on rotation; a user in flight
 * keeps the references it took), the previous one and the issuing CA they
 * belong to.
 */
struct cm_own_pair {
	pthread_mutex_t mu;        /* the pairs and ca_cert (and what on_ca derives) */
	pthread_mutex_t rotate_mu; /* one creation at a time */
	X509 *cert;
	EVP_PKEY *key;
	X509 *prev_cert;           /* NULL when there is none */
	EVP_PKEY *prev_key;
	X509 *ca_cert;
	struct cm_own_pair_desc d;
	struct cm_ca *ca;
	const struct cm_vault *vault;
	struct cm_journal *journal;
	struct cm_issued_set *issued;  /* each new serial goes in; NULL: not kept */
	void *owner;
};

/* Sets up p (no pair yet), copying d. 0 / -1. */
int cm_own_pair_init(struct cm_own_pair *p, const struct cm_own_pair_desc *d, struct cm_ca *ca,
    const struct cm_vault *v, struct cm_journal *j, struct cm_issued_set *issued, void *owner);
/* No return value; safe on a p that was never set up (zeroed). */
void cm_own_pair_free(struct cm_own_pair *p);

/*
 * Makes sure a pair for the current issuing CA is in use: loads it (and
 * the previous one, when kept) from the vault when none is, else creates
 * one, journals it and writes it to the vault; renews a pair with fewer
 * than rotate_days left, keeping the old one as the previous pair when
 * kept. Cheap when nothing is due (a time comparison under mu). 0 (also
 * when there is no CA yet: nothing to do), -1 fault (reason).
 */
int cm_own_pair_ensure(struct cm_own_pair *p, char *reason, size_t rlen);

/* New references to the current pair and (when one is kept and has not
 * expired, else NULL) the previous pair; prev_cert / prev_key may be NULL.
 * 0, or 1 when there is no current pair. */
int cm_own_pair_get(struct cm_own_pair *p, X509 **cert, EVP_PKEY **key, X509 **prev_cert,
    EVP_PKEY **prev_key);

/* The current certificate (a new reference), or NULL. */
X509 *cm_own_pair_current(struct cm_own_pair *p);

#endif
