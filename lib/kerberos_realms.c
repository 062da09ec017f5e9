/* kerberos_realms.c: the kerberos_realms rows: load, save with the keytab file, re-check, delete, each audited in its transaction (see kerberos_realms.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "audit.h"
#include "kerberos_realms.h"
#include "log.h"
#include "realm_config.h"

/* The row with and without a lock (the lock is added at the end); whole
 * literals, so the SQL check (tests/integration/35-db.sh) sees constants. */
#define REALM_BY_ID_SQL "SELECT id, customer_id, windows_domain, realm, spn, COALESCE(keytab_file, ''),"      \
	" COALESCE(keytab_sha256, ''), COALESCE(keytab_principals, ''), COALESCE(keytab_problem, ''),"    \
	" COALESCE(CAST(keytab_checked_at AS CHAR), ''), CAST(updated_at AS CHAR) FROM kerberos_realms"   \
	" WHERE id = ? AND customer_id = ? AND deleted_at IS NULL"
#define REALM_BY_DOMAIN_SQL "SELECT id, customer_id, windows_domain, realm, spn, COALESCE(keytab_file, ''),"  \
	" COALESCE(keytab_sha256, ''), COALESCE(keytab_principals, ''), COALESCE(keytab_problem, ''),"    \
	" COALESCE(CAST(keytab_checked_at AS CHAR), ''), CAST(updated_at AS CHAR) FROM kerberos_realms"   \
	" WHERE windows_domain = ? AND customer_id = ? AND deleted_at IS NULL"

static void
fill(struct cm_stmt *st, struct cm_realm *r)
{
	r->id = cm_stmt_i64(st, 0);
	r->customer_id = cm_stmt_i64(st, 1);
	cm_stmt_copy_str(st, 2, r->domain, sizeof(r->domain));
	cm_stmt_copy_str(st, 3, r->realm, sizeof(r->realm));
	cm_stmt_copy_str(st, 4, r->spn, sizeof(r->spn));
	cm_stmt_copy_str(st, 5, r->keytab_file, sizeof(r->keytab_file));
	cm_stmt_copy_str(st, 6, r->keytab_sha256, sizeof(r->keytab_sha256));
	cm_stmt_copy_str(st, 7, r->principals, sizeof(r->principals));
	cm_stmt_copy_str(st, 8, r->problem, sizeof(r->problem));
	cm_stmt_copy_str(st, 9, r->checked_at, sizeof(r->checked_at));
	cm_stmt_copy_str(st, 10, r->updated_at, sizeof(r->updated_at));
}

/* 1 / 0 / -1 database. */
static int
load(struct cm_db *db, struct cm_stmt *st, int64_t customer_id, struct cm_realm *r, const char *what)
{
	int f = -1;

	memset(r, 0, sizeof(*r));
	if (st != NULL && cm_stmt_bind_i64(st, 1, customer_id) == 0 && cm_stmt_execute(st) == 0 &&
	    (f = cm_stmt_fetch(st)) == 1)
		fill(st, r);
	if (f < 0)
		cm_err("load Kerberos realm %s: %s", what, cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	return f;
}

/* 1 found, 0 not, -1 database. */
int
cm_realm_load(struct cm_db *db, int64_t customer_id, int64_t id, int lock, struct cm_realm *r)
{
	struct cm_stmt *st = cm_db_prepare(db, lock ? REALM_BY_ID_SQL " FOR UPDATE" : REALM_BY_ID_SQL);

	if (st && cm_stmt_bind_i64(st, 0, id) < 0) {
		cm_stmt_close(st);
		st = NULL;
	}
	return load(db, st, customer_id, r, "by id");
}

/* 1 found, 0 not, -1 database. */
int
cm_realm_by_domain(struct cm_db *db, int64_t customer_id, const char *domain, int lock, struct cm_realm *r)
{
	struct cm_stmt *st = cm_db_prepare(db, lock ? REALM_BY_DOMAIN_SQL " FOR UPDATE" : REALM_BY_DOMAIN_SQL);

	if (st && cm_stmt_bind_str(st, 0, domain) < 0) {
		cm_stmt_close(st);
		st = NULL;
	}
	return load(db, st, customer_id, r, "by domain");
}

/* 0 or -1. */
int
cm_realm_json(const struct cm_realm *r, struct cm_buf *b)
{
	if (cm_buf_puts(b, "{\"windows_domain\":") < 0 || cm_buf_json_str(b, r->domain) < 0 ||
	    cm_buf_puts(b, ",\"realm\":") < 0 || cm_buf_json_str(b, r->realm) < 0 ||
	    cm_buf_puts(b, ",\"spn\":") < 0 || cm_buf_json_str(b, r->spn) < 0 ||
	    cm_buf_puts(b, ",\"keytab_sha256\":") < 0 || cm_buf_json_str(b, r->keytab_sha256) < 0 ||
	    cm_buf_puts(b, ",\"keytab_principals\":") < 0 || cm_buf_json_str(b, r->principals) < 0 ||
	    cm_buf_puts(b, ",\"keytab_problem\":") < 0 ||
	    (r->problem[0] ? cm_buf_json_str(b, r->problem) : cm_buf_puts(b, "null")) < 0 ||
	    cm_buf_puts(b, "}") < 0)
		return -1;
	return 0;
}

/* Lower-case hex SHA-256 of p into out[65]. 0 or -1. */
static int
sha256_hex(const unsigned char *p, size_t n, char *out)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return -1;
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* Writes the audit row of action on r, before (JSON or NULL) -> r as it is now. 0 or -1. */
static int
audit(struct cm_db *db, const struct cm_realm_actor *who, const char *action, const struct cm_realm *r,
    const char *before, int deleted)
{
	struct cm_audit_entry e;
	struct cm_buf after;
	char oid[32];
	int rc;

	cm_buf_init(&after, 16384);
	if (!deleted && cm_realm_json(r, &after) < 0) {
		cm_buf_free(&after);
		return -1;
	}
	snprintf(oid, sizeof(oid), "%lld", (long long)r->id);
	memset(&e, 0, sizeof(e));
	e.actor = who->actor;
	e.remote_addr = who->remote_addr;
	e.action = action;
	e.object_type = "kerberos_realm";
	e.object_id = oid;
	e.before = before;
	e.after = deleted ? "{\"deleted\":true}" : after.data;
	e.customer_id = r->customer_id;
	rc = cm_audit(db, &e);
	cm_buf_free(&after);
	return rc;
}

/* The check columns of r into its row (and keytab_file). 0 or -1. */
static int
store_check(struct cm_db *db, const struct cm_realm *r)
{
	struct cm_stmt *st = cm_db_prepare(db,
	    "UPDATE kerberos_realms SET keytab_file = ?, keytab_sha256 = ?, keytab_principals = ?, keytab_problem = ?,"
	    " keytab_checked_at = UTC_TIMESTAMP() WHERE id = ? AND customer_id = ?");
	int rc = -1;

	if (st && cm_stmt_bind_str(st, 0, r->keytab_file[0] ? r->keytab_file : NULL) == 0 &&
	    cm_stmt_bind_str(st, 1, r->keytab_sha256[0] ? r->keytab_sha256 : NULL) == 0 &&
	    cm_stmt_bind_str(st, 2, r->principals) == 0 &&
	    cm_stmt_bind_str(st, 3, r->problem[0] ? r->problem : NULL) == 0 &&
	    cm_stmt_bind_i64(st, 4, r->id) == 0 && cm_stmt_bind_i64(st, 5, r->customer_id) == 0 &&
	    cm_stmt_execute(st) == 0)
		rc = 0;
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* 0 saved / 1 refused / -1 error; see kerberos_realms.h. */
int
cm_realm_save(struct cm_db *db, const struct cm_settings *st, const struct cm_realm_actor *who,
    struct cm_realm *r, const unsigned char *kt, size_t ktlen, const char **field, char *why, size_t whylen,
    char *warn, size_t warnlen)
{
	struct cm_realm other, stored;
	struct cm_stmt *s = NULL;
	struct cm_buf before;
	int f, rc = -1, created = 0, wrote = 0;
	char problem[CM_KEYTAB_PROBLEM_MAX];

	*field = NULL;
	if (warnlen)
		warn[0] = '\0';
	cm_buf_init(&before, 16384);
	if (r->id == 0 && kt == NULL) {
		*field = "keytab";
		snprintf(why, whylen, "Upload the keytab exported for the service principal.");
		rc = 1;
		goto out;
	}
	if (kt != NULL) {
		/* Checked before any write: an unreadable file is refused. */
		if (cm_keytab_check(kt, ktlen, r->spn, r->principals, sizeof(r->principals), problem,
		    sizeof(problem)) < 0) {
			*field = "keytab";
			snprintf(why, whylen, "This file is not a usable keytab: %s.", problem);
			rc = 1;
			goto out;
		}
		/* cm_keytab_check leaves problem "" when good. */
		snprintf(r->problem, sizeof(r->problem), "%s", problem);
		if (sha256_hex(kt, ktlen, r->keytab_sha256) < 0) {
			snprintf(why, whylen, "cannot hash the keytab");
			goto out;
		}
	}
	if (cm_db_begin(db) < 0)
		goto dberr;
	if ((f = cm_realm_by_domain(db, r->customer_id, r->domain, 1, &other)) < 0)
		goto dberr;
	if (f == 1 && other.id != r->id) {
		cm_db_rollback(db);
		*field = "domain";
		snprintf(why, whylen, "This customer already has the Windows domain %s.", r->domain);
		rc = 1;
		goto out;
	}
	if (r->id == 0) {
		s = cm_db_prepare(db, "INSERT INTO kerberos_realms (customer_id, windows_domain, realm, spn)"
		    " VALUES (?, ?, ?, ?)");
		if (s == NULL || cm_stmt_bind_i64(s, 0, r->customer_id) < 0 || cm_stmt_bind_str(s, 1, r->domain) < 0 ||
		    cm_stmt_bind_str(s, 2, r->realm) < 0 || cm_stmt_bind_str(s, 3, r->spn) < 0 ||
		    cm_stmt_execute(s) < 0)
			goto dberr;
		r->id = (int64_t)cm_stmt_insert_id(s);
		created = 1;
	} else {
		if ((f = cm_realm_load(db, r->customer_id, r->id, 1, &stored)) < 0)
			goto dberr;
		if (f == 0) {
			cm_db_rollback(db);
			snprintf(why, whylen, "There is no such Kerberos realm.");
			*field = "id";
			rc = 1;
			goto out;
		}
		if (cm_realm_json(&stored, &before) < 0)
			goto dberr;
		s = cm_db_prepare(db, "UPDATE kerberos_realms SET windows_domain = ?, realm = ?, spn = ?"
		    " WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
		if (s == NULL || cm_stmt_bind_str(s, 0, r->domain) < 0 || cm_stmt_bind_str(s, 1, r->realm) < 0 ||
		    cm_stmt_bind_str(s, 2, r->spn) < 0 || cm_stmt_bind_i64(s, 3, r->id) < 0 ||
		    cm_stmt_bind_i64(s, 4, r->customer_id) < 0 || cm_stmt_execute(s) < 0)
			goto dberr;
		if (kt == NULL) {
			/* The stored keytab again, under a possibly new SPN. */
			unsigned char *old = NULL;
			size_t oldlen = 0;
			int rr = cm_realm_keytab_read(st, r->id, &old, &oldlen, why, whylen);

			memcpy(r->keytab_file, stored.keytab_file, sizeof(r->keytab_file));
			memcpy(r->keytab_sha256, stored.keytab_sha256, sizeof(r->keytab_sha256));
			if (rr == 0) {
				if (cm_keytab_check(old, oldlen, r->spn, r->principals, sizeof(r->principals), problem,
				    sizeof(problem)) >= 0)
					snprintf(r->problem, sizeof(r->problem), "%s", problem);
				else
					snprintf(r->problem, sizeof(r->problem), "the stored keytab is unreadable: %.400s", problem);
				OPENSSL_cleanse(old, oldlen);
				free(old);
			} else {
				snprintf(r->principals, sizeof(r->principals), "%s", stored.principals);
				snprintf(r->problem, sizeof(r->problem), "the keytab file is missing: upload it again");
			}
		}
	}
	if (kt != NULL) {
		cm_realm_keytab_name(r->id, r->keytab_file, sizeof(r->keytab_file));
		if (cm_realm_keytab_store(st, r->id, kt, ktlen, why, whylen) < 0) {
			cm_err("Kerberos realm %lld: %s", (long long)r->id, why);
			cm_db_rollback(db);
			goto out;
		}
		wrote = 1;
	}
	if (store_check(db, r) < 0 ||
	    audit(db, who, created ? "kerberos_realm.create" : "kerberos_realm.update", r,
	    created ? NULL : before.data, 0) < 0 || cm_db_commit(db) < 0)
		goto dberr;
	if (cm_realm_load(db, r->customer_id, r->id, 0, r) != 1)
		cm_warn("Kerberos realm %lld: saved, but could not be read back", (long long)r->id);
	if (cm_realm_config_apply(db, st, r->customer_id, warn, warnlen) < 0)
		cm_err("Kerberos realm %lld: the Apache configuration was not written: %s", (long long)r->id, warn);
	rc = 0;
	goto out;
dberr:
	snprintf(why, whylen, "database: %s", cm_db_error(db));
	cm_err("save Kerberos realm %s: %s", r->domain, why);
	cm_db_rollback(db);
	/* A new realm's file has no row to go with it. */
	if (created && wrote)
		(void)cm_realm_keytab_remove(st, r->id, problem, sizeof(problem));
	if (created)
		r->id = 0;
out:
	if (s)
		cm_stmt_close(s);
	cm_buf_free(&before);
	return rc;
}

/* 0 / 1 / 2 / -1; see kerberos_realms.h. */
int
cm_realm_recheck(struct cm_db *db, const struct cm_settings *st, const struct cm_realm_actor *who,
    int64_t customer_id, int64_t id, struct cm_realm *r, char *why, size_t whylen)
{
	struct cm_buf before;
	struct cm_realm was;
	unsigned char *kt = NULL;
	size_t ktlen = 0;
	char problem[CM_KEYTAB_PROBLEM_MAX];
	int f, rr, rc = -1;

	cm_buf_init(&before, 16384);
	if (cm_db_begin(db) < 0)
		goto dberr;
	if ((f = cm_realm_load(db, customer_id, id, 1, r)) < 0)
		goto dberr;
	if (f == 0) {
		cm_db_rollback(db);
		rc = 2;
		goto out;
	}
	was = *r;
	if (cm_realm_json(&was, &before) < 0)
		goto dberr;
	rr = cm_realm_keytab_read(st, id, &kt, &ktlen, why, whylen);
	if (rr == 1)
		snprintf(r->problem, sizeof(r->problem), "the keytab file is missing: upload it again");
	else if (rr < 0)
		snprintf(r->problem, sizeof(r->problem), "the keytab file cannot be read: %.400s", why);
	else {
		if (cm_keytab_check(kt, ktlen, r->spn, r->principals, sizeof(r->principals), problem,
		    sizeof(problem)) < 0)
			snprintf(r->problem, sizeof(r->problem), "the keytab file is unreadable: %.400s", problem);
		else
			snprintf(r->problem, sizeof(r->problem), "%s", problem);
		if (sha256_hex(kt, ktlen, r->keytab_sha256) < 0)
			r->keytab_sha256[0] = '\0';
	}
	if (store_check(db, r) < 0)
		goto dberr;
	if ((strcmp(was.problem, r->problem) != 0 || strcmp(was.principals, r->principals) != 0 ||
	    strcmp(was.keytab_sha256, r->keytab_sha256) != 0) &&
	    audit(db, who, "kerberos_realm.check", r, before.data, 0) < 0)
		goto dberr;
	if (cm_db_commit(db) < 0)
		goto dberr;
	(void)cm_realm_load(db, customer_id, id, 0, r);
	rc = r->problem[0] ? 1 : 0;
	goto out;
dberr:
	snprintf(why, whylen, "database: %s", cm_db_error(db));
	cm_err("check Kerberos realm %lld: %s", (long long)id, why);
	cm_db_rollback(db);
out:
	if (kt) {
		OPENSSL_cleanse(kt, ktlen);
		free(kt);
	}
	cm_buf_free(&before);
	return rc;
}

/* 0 / 1 not found / -1; see kerberos_realms.h. */
int
cm_realm_delete(struct cm_db *db, const struct cm_settings *st, const struct cm_realm_actor *who,
    int64_t customer_id, int64_t id, char *why, size_t whylen, char *warn, size_t warnlen)
{
	struct cm_realm r;
	struct cm_buf before;
	struct cm_stmt *s = NULL;
	int f, rc = -1;

	if (warnlen)
		warn[0] = '\0';
	cm_buf_init(&before, 16384);
	if (cm_db_begin(db) < 0)
		goto dberr;
	if ((f = cm_realm_load(db, customer_id, id, 1, &r)) < 0)
		goto dberr;
	if (f == 0) {
		cm_db_rollback(db);
		rc = 1;
		goto out;
	}
	if (cm_realm_json(&r, &before) < 0)
		goto dberr;
	s = cm_db_prepare(db, "UPDATE kerberos_realms SET deleted_at = UTC_TIMESTAMP()"
	    " WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
	if (s == NULL || cm_stmt_bind_i64(s, 0, id) < 0 || cm_stmt_bind_i64(s, 1, customer_id) < 0 ||
	    cm_stmt_execute(s) < 0 || audit(db, who, "kerberos_realm.delete", &r, before.data, 1) < 0 ||
	    cm_db_commit(db) < 0)
		goto dberr;
	/* The customer's merged keytab and Location go first, then the realm's own file. */
	if (cm_realm_config_apply(db, st, customer_id, warn, warnlen) < 0)
		cm_err("Kerberos realm %lld deleted, but the Apache configuration was not written: %s", (long long)id, warn);
	else if (cm_realm_keytab_remove(st, id, warn, warnlen) < 0)
		cm_err("Kerberos realm %lld deleted: %s", (long long)id, warn);
	rc = 0;
	goto out;
dberr:
	snprintf(why, whylen, "database: %s", cm_db_error(db));
	cm_err("delete Kerberos realm %lld: %s", (long long)id, why);
	cm_db_rollback(db);
out:
	if (s)
		cm_stmt_close(s);
	cm_buf_free(&before);
	return rc;
}
