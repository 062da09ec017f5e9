/* form_submission.c: one-time submission tokens in form_submissions (claim, finish, release), so a replayed or doubled POST never acts twice. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "form_submission.h"
#include "log.h"
#include "session.h"

/* 0 or -1; see form_submission.h. */
int
cm_submission_token(char *out, size_t outlen)
{
	if (outlen < CM_SUBMISSION_TOKEN_LEN + 1)
		return -1;
	return cm_random_hex(out, CM_SUBMISSION_TOKEN_LEN / 2);
}

/* 1 / 0; see form_submission.h. */
int
cm_submission_token_valid(const char *token)
{
	size_t i;

	if (token == NULL)
		return 0;
	for (i = 0; i < CM_SUBMISSION_TOKEN_LEN; i++)
		if (!((token[i] >= '0' && token[i] <= '9') || (token[i] >= 'a' && token[i] <= 'f')))
			return 0;
	return token[i] == '\0';
}

/* The stored form of a valid token; 0 or -1. */
static int
token_hash(const char *token, char out[65])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;

	if (!cm_submission_token_valid(token) ||
	    EVP_Digest(token, strlen(token), d, &dl, EVP_sha256(), NULL) != 1 || dl != 32)
		return -1;
	for (unsigned i = 0; i < dl; i++)
		snprintf(out + 2 * i, 65 - 2 * i, "%02x", d[i]);
	return 0;
}

/* Runs st (prepared by the caller from a literal; NULL when that failed)
 * binding the i64 params (n of them), then the token's hash; its affected
 * rows, or -1 (logged). Closes st. */
static long
run(struct cm_db *db, struct cm_stmt *st, const char *hash, const int64_t *p, size_t n)
{
	long r = -1;
	size_t i;

	if (st == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if (cm_stmt_bind_i64(st, (unsigned)i, p[i]) < 0)
			goto out;
	if (hash && cm_stmt_bind_str(st, (unsigned)n, hash) < 0)
		goto out;
	if (cm_stmt_execute(st) == 0)
		r = (long)cm_stmt_affected(st);
out:
	if (r < 0)
		cm_err("form submissions: %s", cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	return r;
}

/* See form_submission.h. */
enum cm_submission_claim
cm_submission_claim(struct cm_db *db, int64_t customer_id, const char *form, const char *actor,
    const char *token, int64_t *object_id)
{
	struct cm_stmt *st = NULL;
	enum cm_submission_claim rc = CM_SUBMISSION_ERROR;
	char h[65];
	int f;

	*object_id = 0;
	if (token_hash(token, h) < 0)
		return CM_SUBMISSION_ERROR;
	/* Best effort housekeeping, a few rows at a time: claims older than
	 * 30 days are forgotten (a form kept open that long is reloaded). */
	(void)run(db, cm_db_prepare(db, "DELETE FROM form_submissions WHERE created_at < UTC_TIMESTAMP() - INTERVAL 30 DAY"
	    " LIMIT 100"), NULL, NULL, 0);
	/* Autocommit: the row is visible to a racing POST at once, and INSERT
	 * IGNORE waits for a concurrent insert of the same key to finish. */
	st = cm_db_prepare(db, "INSERT IGNORE INTO form_submissions (token_hash, customer_id, form, actor)"
	    " VALUES (?, ?, ?, ?)");
	if (st == NULL || cm_stmt_bind_str(st, 0, h) < 0 || cm_stmt_bind_i64(st, 1, customer_id) < 0 ||
	    cm_stmt_bind_str(st, 2, form) < 0 || cm_stmt_bind_str(st, 3, actor) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto out;
	if (cm_stmt_affected(st) == 1) {
		rc = CM_SUBMISSION_NEW;
		goto out;
	}
	cm_stmt_close(st);
	st = cm_db_prepare(db, "SELECT object_id, customer_id = ? AND form = ? AND actor = ?"
	    " FROM form_submissions WHERE token_hash = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, customer_id) < 0 || cm_stmt_bind_str(st, 1, form) < 0 ||
	    cm_stmt_bind_str(st, 2, actor) < 0 || cm_stmt_bind_str(st, 3, h) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0)
		goto out;
	if (f == 1 && cm_stmt_i64(st, 1) == 1 && !cm_stmt_is_null(st, 0)) {
		*object_id = cm_stmt_i64(st, 0);
		rc = CM_SUBMISSION_DONE;
	} else {
		/* Released or forgotten between the two statements reads as
		 * pending too: the person reloads the form. */
		rc = CM_SUBMISSION_PENDING;
	}
out:
	if (rc == CM_SUBMISSION_ERROR)
		cm_err("form submissions: %s", cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* 0 or -1; see form_submission.h. */
int
cm_submission_finish(struct cm_db *db, const char *token, int64_t object_id)
{
	char h[65];

	if (token_hash(token, h) < 0)
		return -1;
	return run(db, cm_db_prepare(db, "UPDATE form_submissions SET object_id = ? WHERE token_hash = ?"),
	    h, &object_id, 1) < 0 ? -1 : 0;
}

/* 0 or -1; see form_submission.h. */
int
cm_submission_release(struct cm_db *db, const char *token)
{
	char h[65];

	if (token_hash(token, h) < 0)
		return -1;
	return run(db, cm_db_prepare(db, "DELETE FROM form_submissions WHERE token_hash = ? AND object_id IS NULL"),
	    h, NULL, 0) < 0 ? -1 : 0;
}
