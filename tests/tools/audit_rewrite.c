/* audit_rewrite.c: test tool that rewrites one audit row's actor and recomputes the rest of the chain and audit_head exactly as lib/audit.c would, with the account in certmint.conf, or the database owner's when $CERTMINT_DB_MIGRATE_USER names it (what an intruder holding that account could do). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "ids.h"
#include "settings.h"

static char *
dup_col(struct cm_stmt *st, unsigned i)
{
	const char *s = cm_stmt_str(st, i, NULL);
	return s ? strdup(s) : NULL;
}

/* Rewrites row `row` (actor) and rehashes rows row..head. 0 or -1 (printed). */
static int
rewrite(struct cm_db *db, int64_t row, const char *actor)
{
	struct cm_stmt *st = NULL;
	char prev[65], hash[65];
	int64_t head, id;
	int rc = -1;

	if (cm_db_begin(db) < 0)
		goto dberr;
	st = cm_db_prepare(db, "SELECT last_id FROM audit_head WHERE id = 1 FOR UPDATE");
	if (st == NULL || cm_stmt_execute(st) < 0 || cm_stmt_fetch(st) != 1)
		goto dberr;
	head = cm_stmt_i64(st, 0);
	cm_stmt_close(st);
	st = cm_db_prepare(db, "UPDATE audit_log SET actor = ? WHERE id = ?");
	if (st == NULL || cm_stmt_bind_str(st, 0, actor) < 0 || cm_stmt_bind_i64(st, 1, row) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto dberr;
	cm_stmt_close(st);
	st = NULL;
	memcpy(prev, CM_AUDIT_GENESIS, 65);
	if (row > 1) {
		st = cm_db_prepare(db, "SELECT hash FROM audit_log WHERE id = ?");
		if (st == NULL || cm_stmt_bind_i64(st, 0, row - 1) < 0 || cm_stmt_execute(st) < 0 ||
		    cm_stmt_fetch(st) != 1 || cm_stmt_copy_str(st, 0, prev, sizeof(prev)) != 1)
			goto dberr;
		cm_stmt_close(st);
		st = NULL;
	}
	for (id = row; id <= head; id++) {
		struct cm_audit_row r;
		char *at, *ac, *action, *ot, *oi, *ra, *bj, *aj;

		st = cm_db_prepare(db,
		    "SELECT DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f'), actor, action, object_type,"
		    " object_id, customer_id, remote_addr, before_json, after_json"
		    " FROM audit_log WHERE id = ?");
		if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 || cm_stmt_execute(st) < 0 ||
		    cm_stmt_fetch(st) != 1)
			goto dberr;
		memset(&r, 0, sizeof(r));
		r.id = id;
		r.at = at = dup_col(st, 0);
		r.actor = ac = dup_col(st, 1);
		r.action = action = dup_col(st, 2);
		r.object_type = ot = dup_col(st, 3);
		r.object_id = oi = dup_col(st, 4);
		r.customer_id = cm_stmt_i64(st, 5);
		r.remote_addr = ra = dup_col(st, 6);
		r.before = bj = dup_col(st, 7);
		r.after = aj = dup_col(st, 8);
		cm_stmt_close(st);
		st = NULL;
		int hr = cm_audit_hash(prev, &r, hash);
		free(at); free(ac); free(action); free(ot); free(oi); free(ra); free(bj); free(aj);
		if (hr < 0)
			goto dberr;
		st = cm_db_prepare(db, "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?");
		if (st == NULL || cm_stmt_bind_str(st, 0, prev) < 0 || cm_stmt_bind_str(st, 1, hash) < 0 ||
		    cm_stmt_bind_i64(st, 2, id) < 0 || cm_stmt_execute(st) < 0)
			goto dberr;
		cm_stmt_close(st);
		st = NULL;
		memcpy(prev, hash, 65);
	}
	st = cm_db_prepare(db, "UPDATE audit_head SET last_hash = ? WHERE id = 1");
	if (st == NULL || cm_stmt_bind_str(st, 0, prev) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	cm_stmt_close(st);
	st = NULL;
	if (cm_db_commit(db) < 0)
		goto dberr;
	printf("rewrote row %" PRId64 " and rehashed rows %" PRId64 "..%" PRId64 "\n", row, row, head);
	return 0;
dberr:
	fprintf(stderr, "audit-rewrite: %s\n", cm_db_error(db));
	cm_stmt_close(st);
	cm_db_rollback(db);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cm_settings set;
	struct cm_db *db = NULL;
	char err[512];
	int64_t row;
	int rc = 1;

	if (argc != 4 || (row = cm_id_parse(argv[2])) == 0) {
		fprintf(stderr, "usage: audit-rewrite CERTMINT_CONF ROW ACTOR\n");
		return 2;
	}
	if (cm_settings_load(&set, argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "audit-rewrite: %s\n", err);
		return 1;
	}
	{
		/* Since the programs' account may not UPDATE audit_log (issue 8's
		 * grants), the intruder here holds the database owner's account
		 * when the stack names it. */
		struct cm_settings as = set;
		const char *u = getenv("CERTMINT_DB_MIGRATE_USER"), *pw = getenv("CERTMINT_DB_MIGRATE_PASSWORD");

		if (u && pw) {
			as.db_user = (char *)u;
			as.db_password = (char *)pw;
		}
		if (cm_db_connect(&db, &as, err, sizeof(err)) < 0)
			fprintf(stderr, "audit-rewrite: %s\n", err);
		else if (rewrite(db, row, argv[3]) == 0)
			rc = 0;
	}
	cm_db_close(db);
	cm_settings_free(&set);
	return rc;
}
