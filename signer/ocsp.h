/* ocsp.h: signerd's OCSP side: the packed item parser (ocsp_items.c), the delegated responder key and certificate (an own_pair.c pair), and the ocsp-sign op (ocsp.c). */
#ifndef CM_SIGNER_OCSP_H
#define CM_SIGNER_OCSP_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/x509.h>

#include "buf.h"
#include "own_pair.h"
#include "signer_proto.h"

/* One single of a packed item (signer_proto.h, OP_OCSP_SIGN). */
struct cm_ocsp_single {
	unsigned hash;                       /* CM_OCSP_HASH_* */
	unsigned char serial[CM_OCSP_MAX_SERIAL];
	size_t serial_len;
	unsigned status;                     /* CM_OCSP_GOOD / _REVOKED / _UNKNOWN */
	uint64_t revoked_at;
	unsigned reason;                     /* CRLReason or CM_OCSP_NO_REASON */
};

struct cm_ocsp_item {
	const unsigned char *nonce;          /* points into the parsed bytes */
	size_t nonce_len;
	size_t nsingles;
	struct cm_ocsp_single singles[CM_OCSP_MAX_SINGLES];
};

/*
 * Parses one packed item of exactly len bytes. Checks the format's bounds
 * only (lengths, hash and status codes, reason 0..10 but 7 or 0xff,
 * revoked_at 0 unless revoked); the status rules that need the signer's
 * state are cm_ocsp_sign's. 0, or 1 with the reason (which single, which
 * bound).
 */
int cm_ocsp_item_parse(const unsigned char *p, size_t len, struct cm_ocsp_item *out,
    char *reason, size_t rlen);

/* The profile name the responder certificates are journalled under: the
 * signer's own (lib/journal_read.h, CM_JOURNAL_SIGNER_PROFILE_PREFIX), so
 * certmint journal check never imports them. */
#define CM_OCSP_JOURNAL_PROFILE "signer.ocsp-responder"
/* Their vault files. */
#define CM_OCSP_VAULT_KEY "ocsp.key"
#define CM_OCSP_VAULT_CERT "ocsp.crt"

struct cm_ca;
struct cm_vault;
struct cm_journal;
struct cm_profile;
struct cm_issued_set;

/* [ocsp] of signerd.conf, after defaults. */
struct cm_ocsp_conf {
	const char *key_type;      /* "rsa2048" | "rsa3072" | "ecdsa-p256"; NULL: by the CA's key */
	long validity_hours;       /* nextUpdate - thisUpdate */
	long cert_days;            /* the responder certificate's lifetime */
	long rotate_days;          /* renewed when fewer days than this remain */
	int check_issued;          /* "good" only for serials in issued */
};

/*
 * The responder: its key and certificate (own_pair.h: replaced whole on
 * rotation; a signing in flight keeps references to the pair it took) and
 * the CertID issuer hashes per hash algorithm of the issuing CA they belong
 * to (under pair.mu, set with the pair).
 */
struct cm_ocsp {
	struct cm_own_pair pair;
	unsigned char name_hash[4][EVP_MAX_MD_SIZE], key_hash[4][EVP_MAX_MD_SIZE];
	unsigned hash_len[4];
	struct cm_ocsp_conf conf;
	struct cm_issued_set *issued;
};

/* Sets up o (no pair yet). profile may be NULL (the built-in ocsp-signing
 * rules). 0 / -1. */
int cm_ocsp_init(struct cm_ocsp *o, const struct cm_ocsp_conf *conf, struct cm_ca *ca,
    const struct cm_vault *v, struct cm_journal *j, const struct cm_profile *profile,
    struct cm_issued_set *issued);
void cm_ocsp_free(struct cm_ocsp *o);

/*
 * Makes sure a responder pair for the current issuing CA is in use: loads
 * it from the vault when none is (and it belongs to this CA and is not
 * due), else creates one, journals it, writes it to the vault, then swaps
 * it in. Also renews a pair with fewer than rotate_days left. Cheap when
 * nothing is due (a time comparison under o->mu). At start, after ca-init
 * / ca-import, and before every ocsp-sign. 0 (also when there is no CA
 * yet: nothing to do), 1 refused (reason), -1 fault (reason).
 */
int cm_ocsp_ensure(struct cm_ocsp *o, char *reason, size_t rlen);

/* The responder certificate in use (a new reference), or NULL. */
X509 *cm_ocsp_current(struct cm_ocsp *o);

/*
 * The ocsp-sign op on a decoded request: parses every item, applies the
 * status rules, builds and signs one OCSPResponse per item and adds them
 * with THIS_UPDATE / NEXT_UPDATE to reply. The caller holds a CPU slot and
 * has checked the deadline. Handler convention of ops.c: 0, 1 refused, -1
 * fault, with reason.
 */
int cm_ocsp_sign(struct cm_ocsp *o, uid_t uid, const struct cm_msg *m, struct cm_buf *reply,
    char *reason, size_t rlen);

#endif
