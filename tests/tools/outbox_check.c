/* outbox_check.c: checks cm_outbox_enqueue against the stack's MariaDB (run by tests/integration/28-notify.sh): one event is queued once, in the caller's transaction, and a message breaking a cap or with an unusable address is refused; prints TAP. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "outbox.h"
#include "settings.h"
#include "tests/unit/tap.h"

/* Rows with event_key key; -1 on a database error. */
static long
rows(struct cm_db *db, const char *key)
{
	struct cm_stmt *st = cm_db_prepare(db, "SELECT COUNT(*) FROM outbox WHERE event_key = ?");
	long n = -1;

	if (st && cm_stmt_bind_str(st, 0, key) == 0 && cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1)
		n = (long)cm_stmt_i64(st, 0);
	if (st)
		cm_stmt_close(st);
	return n;
}

int
main(int argc, char **argv)
{
	struct cm_settings set;
	struct cm_db *db = NULL;
	struct cm_outbox_msg m;
	char err[256], key[96], rolled[96], big[CM_OUTBOX_BODY_MAX + 2];

	if (argc != 4) {
		fprintf(stderr, "usage: outbox-check CONF CUSTOMER_ID TAG\n");
		return 2;
	}
	cm_log_init("outbox-check", CM_LOG_ERR, 0);
	if (cm_settings_load(&set, argv[1], err, sizeof(err)) < 0 || cm_db_connect(&db, &set, err, sizeof(err)) < 0) {
		fprintf(stderr, "setup: %s\n", err);
		return 2;
	}
	snprintf(key, sizeof(key), "check:%s:once", argv[3]);
	snprintf(rolled, sizeof(rolled), "check:%s:rolled", argv[3]);
	memset(&m, 0, sizeof(m));
	m.customer_id = atoll(argv[2]);
	m.kind = "test";
	m.event_key = key;
	m.recipient = "check@demo.test";
	m.subject = "outbox check";
	m.body = "body";
	is_int(cm_outbox_enqueue(db, &m, err, sizeof(err)), 1, "a new event is queued (1)");
	is_int(cm_outbox_enqueue(db, &m, err, sizeof(err)), 0, "the same event again is not (0)");
	is_int(rows(db, key), 1, "... one row");
	m.recipient = "other@demo.test";
	is_int(cm_outbox_enqueue(db, &m, err, sizeof(err)), 1, "the same event for another recipient is a message of its own");
	is_int(rows(db, key), 2, "... two rows");
	m.event_key = rolled;
	ok(cm_db_begin(db) == 0 && cm_outbox_enqueue(db, &m, err, sizeof(err)) == 1 && cm_db_rollback(db) == 0,
	    "queued inside a transaction that is rolled back");
	is_int(rows(db, rolled), 0, "... leaves nothing (it joined the caller's transaction)");
	m.recipient = "check@demo.test\r\nBcc: x@demo.test";
	is_int(cm_outbox_enqueue(db, &m, err, sizeof(err)), -1, "an address with CR LF is refused");
	m.recipient = "check@demo.test";
	m.subject = "two\r\nlines";
	is_int(cm_outbox_enqueue(db, &m, err, sizeof(err)), -1, "a subject with CR LF is refused");
	m.subject = "ok";
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	m.body = big;
	is_int(cm_outbox_enqueue(db, &m, err, sizeof(err)), -1, "a body over CM_OUTBOX_BODY_MAX is refused");
	is_int(rows(db, rolled), 0, "... none of them wrote a row");
	cm_db_close(db);
	cm_settings_free(&set);
	return tap_done();
}
