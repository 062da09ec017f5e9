/* session.c: database-backed login sessions and their CSRF tokens. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"
#include "session.h"

#define TOKEN_BYTES 32
#define MAX_KIND 16
#define MAX_SUBJECT 255

static const char hexd[] = "0123456789abcdef";

static void
to_hex(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexd[p[i] >> 4];
		out[2 * i + 1] = hexd[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* 0 or -1. */
int
cm_random_hex(char *out, size_t n)
{
	unsigned char b[256];
	if (n > sizeof(b) || RAND_bytes(b, (int)n) != 1)
		return -1;
	to_hex(b, n, out);
	OPENSSL_cleanse(b, n);
	return 0;
}

/* 1 when s is exactly 64 lowercase hex digits. */
static int
is_token(const char *s)
{
	size_t i;
	for (i = 0; i < 2 * TOKEN_BYTES; i++)
		if (s[i] == '\0' || strchr(hexd, s[i]) == NULL)
			return 0;
	return s[i] == '\0';
}

/* Only the hash of a token is stored, so a copy of the database does not
 * hand out live sessions. 0 or -1. */
static int
token_hash(const char *token, char out[65])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	if (EVP_Digest(token, strlen(token), d, &dl, EVP_sha256(), NULL) != 1 || dl != 32)
		return -1;
	to_hex(d, dl, out);
	return 0;
}

/* 1 when the cookie's live session for subject was loaded into out, 0 when
 * there is none, -1 on error. A session of another subject is deleted: a
 * different user is now authenticated in that browser. */
static int
session_find(struct cm_db *db, const char *kind, const char *cookie,
    const char *subject, struct cm_session *out)
{
	struct cm_stmt *st = NULL;
	char h[65];
	int r, rc = -1;
	int64_t id;

	if (token_hash(cookie, h) < 0)
		return -1;
	st = cm_db_prepare(db,
	    "SELECT id, subject, csrf FROM sessions"
	    " WHERE token_hash = ? AND kind = ? AND expires_at > UTC_TIMESTAMP()");
	if (st == NULL || cm_stmt_bind_str(st, 0, h) < 0 ||
	    cm_stmt_bind_str(st, 1, kind) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	r = cm_stmt_fetch(st);
	if (r <= 0) {
		rc = r;
		goto out;
	}
	id = cm_stmt_i64(st, 0);
	if (cm_stmt_str(st, 1, NULL) == NULL || cm_stmt_str(st, 2, NULL) == NULL ||
	    strcmp(cm_stmt_str(st, 1, NULL), subject) != 0 ||
	    strlen(cm_stmt_str(st, 2, NULL)) != 64) {
		struct cm_session old = { .id = id };
		cm_stmt_close(st);
		st = NULL;
		rc = cm_session_close(db, &old) < 0 ? -1 : 0;
		goto out;
	}
	out->id = id;
	memcpy(out->token, cookie, 65);
	memcpy(out->csrf, cm_stmt_str(st, 2, NULL), 65);
	snprintf(out->subject, sizeof(out->subject), "%s", subject);
	out->is_new = 0;
	rc = 1;
out:
	cm_stmt_close(st);
	return rc;
}

/* 0 or -1. */
static int
session_create(struct cm_db *db, const char *kind, const char *subject,
    long ttl, struct cm_session *out)
{
	struct cm_stmt *st = NULL;
	char h[65];
	int rc = -1;

	if (cm_random_hex(out->token, TOKEN_BYTES) < 0 ||
	    cm_random_hex(out->csrf, TOKEN_BYTES) < 0 || token_hash(out->token, h) < 0)
		goto out;
	/* Expired rows are swept a few at a time by logins, so no cron is needed. */
	st = cm_db_prepare(db,
	    "DELETE FROM sessions WHERE expires_at < UTC_TIMESTAMP() LIMIT 100");
	if (st == NULL || cm_stmt_execute(st) < 0)
		goto out;
	cm_stmt_close(st);
	st = cm_db_prepare(db,
	    "INSERT INTO sessions (kind, token_hash, subject, csrf, created_at, expires_at)"
	    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL ? SECOND)");
	if (st == NULL || cm_stmt_bind_str(st, 0, kind) < 0 ||
	    cm_stmt_bind_str(st, 1, h) < 0 || cm_stmt_bind_str(st, 2, subject) < 0 ||
	    cm_stmt_bind_str(st, 3, out->csrf) < 0 ||
	    cm_stmt_bind_i64(st, 4, ttl) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	out->id = (int64_t)cm_stmt_insert_id(st);
	snprintf(out->subject, sizeof(out->subject), "%s", subject);
	out->is_new = 1;
	rc = 0;
out:
	cm_stmt_close(st);
	return rc;
}

/* 0 or -1. */
int
cm_session_open(struct cm_db *db, const char *kind, const char *cookie,
    const char *subject, long ttl, struct cm_session *out)
{
	int r;
	memset(out, 0, sizeof(*out));
	if (kind == NULL || subject == NULL || kind[0] == '\0' || subject[0] == '\0' ||
	    strlen(kind) > MAX_KIND || strlen(subject) > MAX_SUBJECT || ttl <= 0) {
		cm_err("session: bad kind, subject or ttl");
		return -1;
	}
	if (cookie != NULL && is_token(cookie)) {
		r = session_find(db, kind, cookie, subject, out);
		if (r < 0)
			goto fail;
		if (r == 1)
			return 0;
	}
	if (session_create(db, kind, subject, ttl, out) < 0)
		goto fail;
	return 0;
fail:
	cm_err("session: %s", cm_db_error(db));
	OPENSSL_cleanse(out, sizeof(*out));
	return -1;
}

/* 0 or -1. */
int
cm_session_close(struct cm_db *db, const struct cm_session *s)
{
	int rc = -1;
	struct cm_stmt *st = cm_db_prepare(db, "DELETE FROM sessions WHERE id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, s->id) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	rc = 0;
out:
	cm_stmt_close(st);
	return rc;
}

/* The number of rows deleted, or -1. */
long
cm_session_end_subject(struct cm_db *db, const char *kind, const char *subject)
{
	long n = -1;
	struct cm_stmt *st = cm_db_prepare(db, "DELETE FROM sessions WHERE kind = ? AND subject = ?");

	if (st == NULL || cm_stmt_bind_str(st, 0, kind) < 0 || cm_stmt_bind_str(st, 1, subject) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto out;
	n = (long)cm_stmt_affected(st);
out:
	cm_stmt_close(st);
	return n;
}

/* 1 valid, 0 not. */
int
cm_csrf_valid(const struct cm_session *s, const char *token)
{
	if (token == NULL || s->csrf[0] == '\0' || strnlen(token, 65) != 64)
		return 0;
	return CRYPTO_memcmp(s->csrf, token, 64) == 0;
}
