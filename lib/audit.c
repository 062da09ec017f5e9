/* audit.c: appends to and verifies the hash-chained audit log. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "audit.h"
#include "audit_signed.h"
#include "db.h"
#include "log.h"

/* Column caps from schema/001_init.sql: longer values are refused, never
 * truncated (a truncated row would not match its hash). */
#define AUDIT_MAX_SHORT 255
#define AUDIT_MAX_NAME 64
#define AUDIT_MAX_JSON (16 * 1024 * 1024 - 1)
#define VERIFY_PAGE 1000

/* Feeds one field: 0x00 for NULL, else 0x01, 8-byte big-endian length, bytes.
 * 0 or -1. */
static int
hash_field(EVP_MD_CTX *md, const char *s)
{
	unsigned char hdr[9];
	uint64_t n;
	if (s == NULL) {
		hdr[0] = 0;
		return EVP_DigestUpdate(md, hdr, 1) == 1 ? 0 : -1;
	}
	n = strlen(s);
	hdr[0] = 1;
	for (int i = 0; i < 8; i++)
		hdr[1 + i] = (unsigned char)(n >> (56 - 8 * i));
	if (EVP_DigestUpdate(md, hdr, sizeof(hdr)) != 1 ||
	    EVP_DigestUpdate(md, s, (size_t)n) != 1)
		return -1;
	return 0;
}

/* 0 or -1; see audit.h. */
int
cm_audit_hash(const char *prev_hash, const struct cm_audit_row *row, char hex_out[65])
{
	static const char hexd[] = "0123456789abcdef";
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	char idbuf[24], custbuf[24];
	int rc = -1;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (md == NULL)
		return -1;
	snprintf(idbuf, sizeof(idbuf), "%" PRId64, row->id);
	snprintf(custbuf, sizeof(custbuf), "%" PRId64, row->customer_id);
	/* The version tag lets a later format coexist with old rows. */
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    hash_field(md, "certmint-audit-v1") < 0 ||
	    hash_field(md, prev_hash) < 0 ||
	    hash_field(md, idbuf) < 0 ||
	    hash_field(md, row->at) < 0 ||
	    hash_field(md, row->actor) < 0 ||
	    hash_field(md, row->action) < 0 ||
	    hash_field(md, row->object_type) < 0 ||
	    hash_field(md, row->object_id) < 0 ||
	    hash_field(md, row->customer_id ? custbuf : NULL) < 0 ||
	    hash_field(md, row->remote_addr) < 0 ||
	    hash_field(md, row->before) < 0 ||
	    hash_field(md, row->after) < 0 ||
	    EVP_DigestFinal_ex(md, dig, &dlen) != 1 || dlen != 32)
		goto out;
	for (unsigned i = 0; i < dlen; i++) {
		hex_out[2 * i] = hexd[dig[i] >> 4];
		hex_out[2 * i + 1] = hexd[dig[i] & 15];
	}
	hex_out[64] = '\0';
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

static int
too_long(const char *s, size_t max)
{
	return s != NULL && strnlen(s, max + 1) > max;
}

/* "YYYY-MM-DD HH:MM:SS.ffffff" in UTC. 0 or -1. */
static int
now_utc(char out[64])
{
	struct timespec ts;
	struct tm tm;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0 || gmtime_r(&ts.tv_sec, &tm) == NULL)
		return -1;
	snprintf(out, 64, "%04d-%02d-%02d %02d:%02d:%02d.%06ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, ts.tv_nsec / 1000);
	return 0;
}

/* Writes the row and moves the head, inside an open transaction. 0 or -1. */
static int
audit_append(struct cm_db *db, const struct cm_audit_entry *e)
{
	struct cm_stmt *st = NULL;
	struct cm_audit_row row;
	char prev[65], hash[65], at[64];
	size_t plen = 0;
	const char *p;
	int rc = -1;

	st = cm_db_prepare(db,
	    "SELECT last_id, last_hash FROM audit_head WHERE id = 1 FOR UPDATE");
	if (st == NULL || cm_stmt_execute(st) < 0)
		goto out;
	if (cm_stmt_fetch(st) != 1) {
		cm_err("audit: audit_head row missing (run certmint migrate)");
		goto out;
	}
	memset(&row, 0, sizeof(row));
	row.id = cm_stmt_i64(st, 0) + 1;
	p = cm_stmt_str(st, 1, &plen);
	if (p == NULL || plen != 64) {
		cm_err("audit: audit_head holds a malformed hash");
		goto out;
	}
	memcpy(prev, p, 65);
	cm_stmt_close(st);
	st = NULL;

	if (now_utc(at) < 0)
		goto out;
	row.at = at;
	row.actor = e->actor;
	row.action = e->action;
	row.object_type = e->object_type;
	row.object_id = e->object_id;
	row.customer_id = e->customer_id;
	row.remote_addr = e->remote_addr;
	row.before = e->before;
	row.after = e->after;
	if (cm_audit_hash(prev, &row, hash) < 0)
		goto out;

	st = cm_db_prepare(db,
	    "INSERT INTO audit_log (id, at, actor, action, object_type, object_id,"
	    " customer_id, remote_addr, before_json, after_json, prev_hash, hash)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL ||
	    cm_stmt_bind_i64(st, 0, row.id) < 0 ||
	    cm_stmt_bind_str(st, 1, row.at) < 0 ||
	    cm_stmt_bind_str(st, 2, row.actor) < 0 ||
	    cm_stmt_bind_str(st, 3, row.action) < 0 ||
	    cm_stmt_bind_str(st, 4, row.object_type) < 0 ||
	    cm_stmt_bind_str(st, 5, row.object_id) < 0 ||
	    (row.customer_id ? cm_stmt_bind_i64(st, 6, row.customer_id) :
	        cm_stmt_bind_null(st, 6)) < 0 ||
	    cm_stmt_bind_str(st, 7, row.remote_addr) < 0 ||
	    cm_stmt_bind_str(st, 8, row.before) < 0 ||
	    cm_stmt_bind_str(st, 9, row.after) < 0 ||
	    cm_stmt_bind_str(st, 10, prev) < 0 ||
	    cm_stmt_bind_str(st, 11, hash) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto out;
	cm_stmt_close(st);

	st = cm_db_prepare(db,
	    "UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1");
	if (st == NULL ||
	    cm_stmt_bind_i64(st, 0, row.id) < 0 ||
	    cm_stmt_bind_str(st, 1, hash) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto out;
	/* Every N rows the signer signs the head, once this transaction commits. */
	cm_audit_checkpoint_note(db, row.id);
	rc = 0;
out:
	if (rc < 0)
		cm_err("audit: cannot record %s by %s: %s", e->action, e->actor,
		    cm_db_error(db));
	cm_stmt_close(st);
	return rc;
}

/* 0 or -1. Joins an open transaction (the caller commits or rolls back);
 * otherwise runs in its own. */
int
cm_audit(struct cm_db *db, const struct cm_audit_entry *e)
{
	int own;
	if (e->actor == NULL || e->action == NULL || e->actor[0] == '\0' ||
	    e->action[0] == '\0' ||
	    too_long(e->actor, AUDIT_MAX_SHORT) || too_long(e->action, AUDIT_MAX_NAME) ||
	    too_long(e->object_type, AUDIT_MAX_NAME) ||
	    too_long(e->object_id, AUDIT_MAX_SHORT) ||
	    too_long(e->remote_addr, AUDIT_MAX_NAME) ||
	    too_long(e->before, AUDIT_MAX_JSON) || too_long(e->after, AUDIT_MAX_JSON)) {
		cm_err("audit: entry with a missing or over-long field refused");
		return -1;
	}
	own = !cm_db_in_transaction(db);
	if (own && cm_db_begin(db) < 0)
		return -1;
	if (audit_append(db, e) < 0) {
		if (own)
			cm_db_rollback(db);
		return -1;
	}
	if (own && cm_db_commit(db) < 0) {
		cm_db_rollback(db);
		return -1;
	}
	return 0;
}

static const char *
col(struct cm_stmt *st, unsigned i)
{
	return cm_stmt_str(st, i, NULL);
}

/*
 * Recomputes the chain and compares it with the signed checkpoints cps[n]
 * (ascending ids, signatures already checked). Fills v; 0, or -1 on a
 * database error with err. The first finding wins: a row whose own hash no
 * longer matches (BROKEN), a checkpointed row whose chain hash differs
 * (REWRITTEN: the chain after a changed row was recomputed), a head that
 * is not the last row (BROKEN), checkpoints beyond the last row (TRUNCATED).
 */
static int
walk(struct cm_db *db, const struct cm_checkpoint *cps, size_t n,
    struct cm_audit_verdict *v, char *err, size_t errlen)
{
	struct cm_stmt *st = NULL;
	char prev[65], hash[65];
	int64_t last = 0, head_id;
	size_t k = 0;
	int r, rows, rc = -1;

	memset(v, 0, sizeof(*v));
	v->ncheckpoints = n;
	memcpy(prev, CM_AUDIT_GENESIS, 65);
	/* Keyset pages keep memory flat on a log of millions of rows; the
	 * date is formatted by the server so it matches what was hashed. */
	st = cm_db_prepare(db,
	    "SELECT id, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f'), actor, action,"
	    " object_type, object_id, customer_id, remote_addr, before_json,"
	    " after_json, prev_hash, hash"
	    " FROM audit_log WHERE id > ? ORDER BY id LIMIT 1000");
	if (st == NULL)
		goto dberr;
	do {
		if (cm_stmt_bind_i64(st, 0, last) < 0 || cm_stmt_execute(st) < 0)
			goto dberr;
		rows = 0;
		while ((r = cm_stmt_fetch(st)) == 1) {
			struct cm_audit_row row = {
				.id = cm_stmt_i64(st, 0),
				.at = col(st, 1),
				.actor = col(st, 2),
				.action = col(st, 3),
				.object_type = col(st, 4),
				.object_id = col(st, 5),
				.customer_id = cm_stmt_i64(st, 6),
				.remote_addr = col(st, 7),
				.before = col(st, 8),
				.after = col(st, 9),
			};
			const char *stored_prev = col(st, 10), *stored = col(st, 11);
			rows++;
			/* ids are consecutive: a deleted row in the middle breaks
			 * the chain even if someone rehashed what follows */
			if (row.id != last + 1 || stored_prev == NULL || stored == NULL ||
			    strcmp(stored_prev, prev) != 0 ||
			    cm_audit_hash(prev, &row, hash) < 0 ||
			    strcmp(hash, stored) != 0) {
				v->state = CM_AUDIT_BROKEN;
				v->bad_id = row.id != last + 1 ? last + 1 : row.id;
				v->rows = last;
				rc = 0;
				goto out;
			}
			while (k < n && cps[k].id < row.id)
				k++;
			if (k < n && cps[k].id == row.id) {
				/* A self-consistent chain that the signer saw
				 * differently: rewritten with the app's account. */
				if (strcmp(stored, cps[k].hash) != 0) {
					v->state = CM_AUDIT_REWRITTEN;
					v->bad_id = row.id;
					v->good_id = k > 0 ? cps[k - 1].id : 0;
					v->rows = row.id;
					rc = 0;
					goto out;
				}
				v->cp_id = cps[k].id;
				v->cp_at = cps[k].at;
				k++;
			}
			memcpy(prev, stored, 65);
			last = row.id;
		}
		if (r < 0)
			goto dberr;
	} while (rows == VERIFY_PAGE);
	cm_stmt_close(st);
	v->rows = last;

	/* The head catches deletion of the newest rows. */
	st = cm_db_prepare(db, "SELECT last_id, last_hash FROM audit_head WHERE id = 1");
	if (st == NULL || cm_stmt_execute(st) < 0)
		goto dberr;
	if (cm_stmt_fetch(st) != 1) {
		snprintf(err, errlen, "audit_head row missing");
		goto out;
	}
	head_id = cm_stmt_i64(st, 0);
	if (head_id != last || col(st, 1) == NULL || strcmp(col(st, 1), prev) != 0) {
		v->state = CM_AUDIT_BROKEN;
		v->bad_id = head_id > last ? last + 1 : (head_id < last ? head_id + 1 : last);
		rc = 0;
		goto out;
	}
	/* ... and the signer's checkpoints catch it when the head was moved
	 * back too: it signed rows that are gone. */
	if (k < n) {
		v->state = CM_AUDIT_TRUNCATED;
		v->bad_id = last + 1;
		v->cp_id = cps[n - 1].id;
		v->cp_at = cps[n - 1].at;
		rc = 0;
		goto out;
	}
	v->state = CM_AUDIT_INTACT;
	rc = 0;
	goto out;
dberr:
	snprintf(err, errlen, "%s", cm_db_error(db));
out:
	cm_stmt_close(st);
	return rc;
}

/* 0 intact; 1 broken with *bad_id; -1 database error with err. */
int
cm_audit_verify(struct cm_db *db, int64_t *bad_id, char *err, size_t errlen)
{
	struct cm_audit_verdict v;

	*bad_id = 0;
	if (walk(db, NULL, 0, &v, err, errlen) < 0)
		return -1;
	*bad_id = v.bad_id;
	return v.state == CM_AUDIT_INTACT ? 0 : 1;
}

/* 0 with *v, or -1 with err. */
int
cm_audit_verify_signed(struct cm_db *db, const struct cm_checkpoint *cps, size_t n,
    struct cm_audit_verdict *v, char *err, size_t errlen)
{
	return walk(db, cps, n, v, err, errlen);
}

/* No return value. */
void
cm_audit_verdict_text(const struct cm_audit_verdict *v, char *out, size_t outlen)
{
	char when[32];

	switch (v->state) {
	case CM_AUDIT_INTACT:
		if (v->cp_id > 0) {
			cm_checkpoint_time(v->cp_at, when);
			snprintf(out, outlen, "audit chain intact (%" PRId64 " rows; signed checkpoint at row %" PRId64
			    " of %s matches)", v->rows, v->cp_id, when);
		} else {
			snprintf(out, outlen, "audit chain intact (%" PRId64 " rows; no signed checkpoint yet)", v->rows);
		}
		break;
	case CM_AUDIT_BROKEN:
		snprintf(out, outlen, "audit chain broken at row %" PRId64, v->bad_id);
		break;
	case CM_AUDIT_REWRITTEN:
		snprintf(out, outlen, "row %" PRId64 " rewritten (chain hash differs from signed checkpoint at %" PRId64
		    "; the change is in rows %" PRId64 "..%" PRId64 ", the chain after it recomputed)",
		    v->bad_id, v->bad_id, v->good_id + 1, v->bad_id);
		break;
	case CM_AUDIT_TRUNCATED:
		snprintf(out, outlen, "rows %" PRId64 "..%" PRId64 " missing (signed checkpoint at %" PRId64
		    ", log ends at %" PRId64 ")", v->bad_id, v->cp_id, v->cp_id, v->bad_id - 1);
		break;
	}
}
