/* form_submission.h: one-time submission tokens that make a form's POST idempotent (a replay answers with what the first POST made). */
#ifndef CM_FORM_SUBMISSION_H
#define CM_FORM_SUBMISSION_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* A token is 64 lowercase hex characters (32 random bytes); the form sends
 * it back in a hidden field. Only its SHA-256 is stored. */
#define CM_SUBMISSION_TOKEN_LEN 64

/* A new token in out (at least CM_SUBMISSION_TOKEN_LEN + 1 bytes); 0 or -1. */
int cm_submission_token(char *out, size_t outlen);

/* 1 when token is a well-formed token (the only input parser here: exact
 * length, hex only), else 0. */
int cm_submission_token_valid(const char *token);

/* What a claim found. */
enum cm_submission_claim {
	CM_SUBMISSION_NEW = 0,      /* claimed now: run the form's action, then finish or release */
	CM_SUBMISSION_DONE,         /* used before: *object_id is what that POST made */
	CM_SUBMISSION_PENDING,      /* used before and not finished (running now, or it stopped
	                               half-way): nothing more is made from it */
	CM_SUBMISSION_ERROR = -1    /* database (logged) */
};

/*
 * Claims token for form ("csr_new", "approve", ...) of the customer in its
 * own committed statement: the unique key decides between two POSTs that
 * race, so at most one of them gets CM_SUBMISSION_NEW. A token claimed by
 * another actor or customer answers PENDING and reveals nothing.
 */
enum cm_submission_claim cm_submission_claim(struct cm_db *db, int64_t customer_id, const char *form,
    const char *actor, const char *token, int64_t *object_id);

/* Records the object the claimed submission made; 0 or -1 (logged). */
int cm_submission_finish(struct cm_db *db, const char *token, int64_t object_id);

/* Gives a claimed token back when its action made nothing (the form is
 * shown again with its errors and may be sent again); 0 or -1 (logged). */
int cm_submission_release(struct cm_db *db, const char *token);

#endif
