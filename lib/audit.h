/* audit.h: the tamper-evident audit log (each row hashes the previous one). */
#ifndef CM_AUDIT_H
#define CM_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include "audit_checkpoint.h"
#include "db.h"

struct cm_audit_entry {
	const char *actor;        /* principal, "cli:root", "signer", ... */
	const char *action;       /* "login", "certificate.issue", ... */
	const char *object_type;  /* "certificate", "admin", ... or NULL */
	const char *object_id;    /* or NULL */
	const char *before;       /* JSON text or NULL */
	const char *after;        /* JSON text or NULL */
	const char *remote_addr;  /* or NULL */
	int64_t customer_id;      /* 0 = none */
};

/* Appends one row; serialised with a lock on the chain head so concurrent
 * writers cannot fork the chain. Joins the caller's transaction if one is
 * open. 0 or -1. */
int cm_audit(struct cm_db *db, const struct cm_audit_entry *e);

/* Recomputes the chain. Returns 0 when intact; 1 when broken, with the id of
 * the first bad row in *bad_id; -1 on database error. */
int cm_audit_verify(struct cm_db *db, int64_t *bad_id, char *err, size_t errlen);

/* What the chain says against the signer's signed checkpoints. */
enum cm_audit_state {
	CM_AUDIT_INTACT,      /* cp_id/cp_at: the latest checkpoint matched (0: none) */
	CM_AUDIT_BROKEN,      /* bad_id: first row whose own hash or link fails */
	CM_AUDIT_REWRITTEN,   /* bad_id: checkpoint whose chain hash differs;
	                         good_id: the one before it, still matching (0: none) */
	CM_AUDIT_TRUNCATED    /* rows bad_id..cp_id are gone (log ends at bad_id - 1) */
};

struct cm_audit_verdict {
	enum cm_audit_state state;
	int64_t rows;          /* id of the last row read */
	int64_t bad_id, good_id, cp_id, cp_at;
	size_t ncheckpoints;
};

/* Recomputes the chain and checks it against cps[n] (ascending ids, their
 * signatures already checked: see cm_audit_fetch_checkpoints). 0 with *v,
 * or -1 on a database error with err. */
int cm_audit_verify_signed(struct cm_db *db, const struct cm_checkpoint *cps, size_t n,
    struct cm_audit_verdict *v, char *err, size_t errlen);

/* The verdict as one line for people: "audit chain intact (...)", "row N
 * rewritten (chain hash differs from signed checkpoint at N; ...)", "rows
 * N..M missing (signed checkpoint at M, log ends at N-1)", "audit chain
 * broken at row N". */
void cm_audit_verdict_text(const struct cm_audit_verdict *v, char *out, size_t outlen);

/* One audit row as hashed; NULL pointers are SQL NULLs, customer_id 0 = NULL.
 * (This and cm_audit_hash are exposed for the unit tests.) */
struct cm_audit_row {
	int64_t id;
	const char *at;            /* "YYYY-MM-DD HH:MM:SS.ffffff", UTC */
	const char *actor;
	const char *action;
	const char *object_type;
	const char *object_id;
	int64_t customer_id;
	const char *remote_addr;
	const char *before;
	const char *after;
};

#define CM_AUDIT_GENESIS \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* hex_out (65 bytes) = SHA-256 of a length-prefixed encoding of prev_hash
 * and every field of row, so no two different rows encode alike. 0 or -1. */
int cm_audit_hash(const char *prev_hash, const struct cm_audit_row *row,
    char hex_out[65]);

#endif
