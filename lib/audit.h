/* audit.h: the tamper-evident audit log (each row hashes the previous one). */
#ifndef CM_AUDIT_H
#define CM_AUDIT_H

#include <stdint.h>
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

#endif
