/* access_code_upgrade.c: the C half of migration 020: hashes plaintext access codes with the key only the programs hold. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "access_code.h"
#include "access_code_upgrade.h"
#include "audit.h"
#include "db.h"

/* Per table: its audit names; its statements are the literals in hash_one. */
struct code_table {
	int dept;                 /* 0 organizations, 1 departments */
	const char *object_type;
	const char *action;
};

static const struct code_table tables[] = {
	{ 0, "organization", "organization.access_code.hash" },
	{ 1, "department", "department.access_code.hash" },
};

/* Hashes one row of t; 1 done, 0 none left, -1 error (err set). */
static int
hash_one(struct cm_db *db, const struct code_table *t, const unsigned char *key, size_t keylen,
    char *err, size_t errlen)
{
	/* Locked, one row at a time, until none is left. */
	struct cm_stmt *st = cm_db_prepare(db, !t->dept ?
	    "SELECT id, customer_id, client_access_code FROM organizations"
	    " WHERE client_access_code IS NOT NULL ORDER BY id LIMIT 1 FOR UPDATE" :
	    "SELECT d.id, o.customer_id, d.client_access_code FROM departments d"
	    " JOIN organizations o ON o.id = d.org_id"
	    " WHERE d.client_access_code IS NOT NULL ORDER BY d.id LIMIT 1 FOR UPDATE");
	char code[CM_ACCESS_CODE_MAX + 2], hash[CM_ACCESS_HASH_HEX + 1], hint[CM_ACCESS_HINT_LEN + 1], oid[32];
	struct cm_audit_entry e;
	int64_t id, customer;
	int r, rc = -1;

	code[0] = '\0';
	if (st == NULL || cm_stmt_execute(st) < 0 || (r = cm_stmt_fetch(st)) < 0) {
		snprintf(err, errlen, "reading %s access codes: %s", t->object_type, cm_db_error(db));
		goto out;
	}
	if (r == 0) {
		rc = 0;
		goto out;
	}
	if (key == NULL) {
		snprintf(err, errlen, "%ss still hold plaintext access codes: set [secrets] access_code_key_file "
		    "in certmint.conf (docs/operators.md, \"Access codes\") and run certmint migrate",
		    t->object_type);
		goto out;
	}
	id = cm_stmt_i64(st, 0);
	customer = cm_stmt_i64(st, 1);
	cm_stmt_copy_str(st, 2, code, sizeof(code));
	cm_stmt_close(st);
	st = NULL;
	/* A code the old form let through is at most 64 characters; anything
	 * else cannot be hashed and is not kept either: the row has no code
	 * then (self enrollment refuses until an administrator sets one). */
	if (code[0] == '\0' || cm_access_code_hash(key, keylen, code, hash) < 0)
		hash[0] = '\0';
	cm_access_code_hint(code, hint);
	st = cm_db_prepare(db, !t->dept ?
	    "UPDATE organizations SET client_access_code_hash = ?, client_access_code_hint = ?,"
	    " client_access_code_set_at = UTC_TIMESTAMP(), client_access_code = NULL WHERE id = ?" :
	    "UPDATE departments SET client_access_code_hash = ?, client_access_code_hint = ?,"
	    " client_access_code_set_at = UTC_TIMESTAMP(), client_access_code = NULL WHERE id = ?");
	if (st == NULL || (hash[0] ? cm_stmt_bind_str(st, 0, hash) : cm_stmt_bind_null(st, 0)) < 0 ||
	    (hash[0] ? cm_stmt_bind_str(st, 1, hint) : cm_stmt_bind_null(st, 1)) < 0 ||
	    cm_stmt_bind_i64(st, 2, id) < 0 || cm_stmt_execute(st) < 0) {
		snprintf(err, errlen, "hashing the access code of %s %lld: %s", t->object_type, (long long)id,
		    cm_db_error(db));
		goto out;
	}
	snprintf(oid, sizeof(oid), "%lld", (long long)id);
	memset(&e, 0, sizeof(e));
	e.actor = "certmint migrate";
	e.action = t->action;
	e.object_type = t->object_type;
	e.object_id = oid;
	e.before = "{\"access_code\":\"plaintext\"}";
	e.after = hash[0] ? "{\"access_code\":\"hashed\"}" : "{\"access_code\":\"dropped (not a valid code)\"}";
	e.customer_id = customer;
	if (cm_audit(db, &e) < 0) {
		snprintf(err, errlen, "audit of %s %lld: %s", t->object_type, (long long)id, cm_db_error(db));
		goto out;
	}
	rc = 1;
out:
	OPENSSL_cleanse(code, sizeof(code));
	cm_stmt_close(st);
	return rc;
}

/* The number hashed, or -1 with err. */
long
cm_access_code_upgrade(struct cm_db *db, const unsigned char *key, size_t keylen,
    char *err, size_t errlen)
{
	long n = 0;
	int r;

	if (cm_db_begin(db) < 0) {
		snprintf(err, errlen, "access codes: %s", cm_db_error(db));
		return -1;
	}
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		while ((r = hash_one(db, &tables[i], key, keylen, err, errlen)) == 1)
			n++;
		if (r < 0) {
			cm_db_rollback(db);
			return -1;
		}
	}
	if (cm_db_commit(db) < 0) {
		snprintf(err, errlen, "access codes: %s", cm_db_error(db));
		cm_db_rollback(db);
		return -1;
	}
	return n;
}
