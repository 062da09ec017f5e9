/* audit_signed.h: the audit log against the signer's signed checkpoints: taking one (every N rows, on demand) and reading them back. */
#ifndef CM_AUDIT_SIGNED_H
#define CM_AUDIT_SIGNED_H

#include <stddef.h>
#include <stdint.h>

#include "audit_checkpoint.h"
#include "db.h"
#include "settings.h"

/* Remembers [audit] checkpoint_every and the signer's socket for the
 * checkpoints cm_audit takes by itself. Call once at start, before
 * workers fork; without it (tests, tools) none are taken. */
void cm_audit_checkpoint_setup(const struct cm_settings *s);

/* Called by cm_audit for each row it appends: when id is a multiple of
 * checkpoint_every, the chain head is sent to the signer right after db's
 * transaction commits. A failure is logged and never undoes or fails the
 * action that wrote the row. */
void cm_audit_checkpoint_note(struct cm_db *db, int64_t id);

/*
 * Has the signer sign the committed chain head (audit_head) now. Returns
 * 0 signed (*out), 2 nothing to sign (empty log), 1 refused by the signer
 * (a lower or conflicting head: err says which), -1 failed (err).
 */
int cm_audit_checkpoint_now(struct cm_db *db, const char *signer_socket, int timeout_ms,
    struct cm_checkpoint *out, char *err, size_t errlen);

/*
 * Every checkpoint the signer holds, ascending, each signature checked
 * with the public key the signer sends: *out (malloc'ed, free it) and *n
 * (0 and NULL when none was ever signed). 0, or -1 with err (signer down
 * or refusing, a bad signature, ids out of order).
 */
int cm_audit_fetch_checkpoints(const char *signer_socket, int timeout_ms,
    struct cm_checkpoint **out, size_t *n, char *err, size_t errlen);

#endif
