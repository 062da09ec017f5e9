/* cmd_customer.c: certmint customer disable|enable URI (the operator's switch that refuses everything for a customer) and customer settings (approval.self_approve, notify.expiry_days). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "outbox.h"
#include "cli.h"

static const char customer_usage[] =
    "usage: certmint customer disable|enable URI\n"
    "\n"
    "disable: the customer's administrators get \"The customer ... is disabled\"\n"
    "on every admin page and no certificate is issued or requested for it\n"
    "(web or CLI) until 'certmint customer enable URI'. Both are audited.\n"
    "\n"
    "       certmint customer set URI approval.self_approve on|off\n"
    "\n"
    "approval.self_approve (off by default): on lets an administrator approve a\n"
    "certificate request they made themselves; off, another administrator must\n"
    "approve it (portal and every program). Audited as customer.settings.\n"
    "\n"
    "       certmint customer set URI notify.expiry_days 60,30,7\n"
    "\n"
    "notify.expiry_days (default 60,30,7): the days before notAfter at which\n"
    "certmint notify run mails each certificate's requester, once per number;\n"
    "\"\" or none sends no expiry notices. Audited as customer.settings.\n";

/* One on/off column of customers. Its statements are literals at the
 * cm_db_prepare calls in set_switch (tests/integration/35-db.sh), so no
 * column name is ever built from input. */
struct customer_switch {
	int enabled_column;                    /* 1: customers.enabled, 0: customers.self_approve */
	const char *key;                       /* the audit JSON member */
	const char *on_action, *off_action;
	const char *on_word, *off_word;        /* what is printed */
};

static const struct customer_switch sw_enabled = {
	1,
	"enabled", "customer.enable", "customer.disable", "enabled", "disabled",
};
static const struct customer_switch sw_self_approve = {
	0,
	"approval.self_approve", "customer.settings", "customer.settings",
	"approval.self_approve on", "approval.self_approve off",
};

/* Sets sw's column for uri with an audit row in one transaction.
 * CLI_OK (also when it already had that state), or CLI_FAIL printed. */
static int
set_switch(struct cli *c, const char *uri, const struct customer_switch *sw, int enable)
{
	struct cm_stmt *st = NULL;
	struct cm_audit_entry e;
	char before[64], after[64];
	int64_t id;
	int was, f, rc = CLI_FAIL;

	if (cm_db_begin(c->db) < 0)
		goto dberr;
	st = cm_db_prepare(c->db, sw->enabled_column
	    ? "SELECT id, enabled FROM customers WHERE uri = ? FOR UPDATE"
	    : "SELECT id, self_approve FROM customers WHERE uri = ? FOR UPDATE");
	if (st == NULL || cm_stmt_bind_str(st, 0, uri) < 0 || cm_stmt_execute(st) < 0 ||
	    (f = cm_stmt_fetch(st)) < 0)
		goto rollback;
	if (f == 0) {
		cm_db_rollback(c->db);
		cli_error("no customer with uri '%s'", uri);
		goto out;
	}
	id = cm_stmt_i64(st, 0);
	was = cm_stmt_i64(st, 1) == 1;
	cm_stmt_close(st);
	st = cm_db_prepare(c->db, sw->enabled_column
	    ? "UPDATE customers SET enabled = ? WHERE id = ?"
	    : "UPDATE customers SET self_approve = ? WHERE id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, enable) < 0 || cm_stmt_bind_i64(st, 1, id) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto rollback;
	snprintf(before, sizeof(before), "{\"%s\":%d}", sw->key, was);
	snprintf(after, sizeof(after), "{\"%s\":%d}", sw->key, enable);
	memset(&e, 0, sizeof(e));
	e.actor = c->actor;
	e.action = enable ? sw->on_action : sw->off_action;
	e.object_type = "customer";
	e.object_id = uri;
	e.before = before;
	e.after = after;
	e.customer_id = id;
	if (cm_audit(c->db, &e) < 0 || cm_db_commit(c->db) < 0)
		goto rollback;
	printf("customer %s %s\n", uri, enable ? sw->on_word : sw->off_word);
	rc = CLI_OK;
	goto out;
rollback:
	cm_db_rollback(c->db);
dberr:
	cli_error("database: %s", cm_db_error(c->db));
out:
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* notify.expiry_days of uri to the canonical windows text v, with an
 * audit row (the portal's: customer.settings) in one transaction.
 * CLI_OK (also when unchanged), or CLI_FAIL printed. */
static int
set_expiry_days(struct cli *c, const char *uri, const char *v)
{
	struct cm_stmt *st = NULL;
	struct cm_audit_entry e;
	struct cm_buf before, after;
	char was[CM_OUTBOX_WINDOWS_TEXT_MAX + 1];
	int64_t id;
	int f, rc = CLI_FAIL;

	cm_buf_init(&before, 0);
	cm_buf_init(&after, 0);
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	st = cm_db_prepare(c->db, "SELECT id, notify_expiry_days FROM customers WHERE uri = ? FOR UPDATE");
	if (st == NULL || cm_stmt_bind_str(st, 0, uri) < 0 || cm_stmt_execute(st) < 0 ||
	    (f = cm_stmt_fetch(st)) < 0)
		goto rollback;
	if (f == 0) {
		cm_db_rollback(c->db);
		cli_error("no customer with uri '%s'", uri);
		goto out;
	}
	id = cm_stmt_i64(st, 0);
	cm_stmt_copy_str(st, 1, was, sizeof(was));
	cm_stmt_close(st);
	st = NULL;
	if (strcmp(was, v) == 0) {
		cm_db_rollback(c->db);
		printf("customer %s notify.expiry_days %s\n", uri, v[0] ? v : "none");
		rc = CLI_OK;
		goto out;
	}
	st = cm_db_prepare(c->db, "UPDATE customers SET notify_expiry_days = ? WHERE id = ?");
	if (st == NULL || cm_stmt_bind_str(st, 0, v) < 0 || cm_stmt_bind_i64(st, 1, id) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto rollback;
	if (cm_buf_puts(&before, "{\"notify.expiry_days\":") < 0 || cm_buf_json_str(&before, was) < 0 ||
	    cm_buf_puts(&before, "}") < 0 || cm_buf_puts(&after, "{\"notify.expiry_days\":") < 0 ||
	    cm_buf_json_str(&after, v) < 0 || cm_buf_puts(&after, "}") < 0)
		goto rollback;
	memset(&e, 0, sizeof(e));
	e.actor = c->actor;
	e.action = "customer.settings";
	e.object_type = "customer";
	e.object_id = uri;
	e.before = before.data;
	e.after = after.data;
	e.customer_id = id;
	if (cm_audit(c->db, &e) < 0 || cm_db_commit(c->db) < 0)
		goto rollback;
	printf("customer %s notify.expiry_days %s\n", uri, v[0] ? v : "none");
	rc = CLI_OK;
	goto out;
rollback:
	cm_db_rollback(c->db);
dberr:
	cli_error("database: %s", cm_db_error(c->db));
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&before);
	cm_buf_free(&after);
	return rc;
}

/* certmint customer disable|enable URI, or set URI KEY VALUE; an exit status. */
int
cmd_customer(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt, enable;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(customer_usage, stdout);
			return CLI_OK;
		}
		fputs(customer_usage, stderr);
		return CLI_FAIL;
	}
	if (argc - optind == 4 && strcmp(argv[optind], "set") == 0 &&
	    strcmp(argv[optind + 2], "notify.expiry_days") == 0) {
		int days[CM_OUTBOX_WINDOWS_MAX], n;
		char perr[160], canon[CM_OUTBOX_WINDOWS_TEXT_MAX + 1];

		if (!cli_text_ok(argv[optind + 1], 64)) {
			fputs(customer_usage, stderr);
			return CLI_FAIL;
		}
		if ((n = cm_outbox_parse_windows(argv[optind + 3], days, CM_OUTBOX_WINDOWS_MAX, perr,
		    sizeof(perr))) < 0 || cm_outbox_format_windows(days, n, canon, sizeof(canon)) < 0) {
			cli_error("notify.expiry_days: %s", n < 0 ? perr : "too long");
			return CLI_FAIL;
		}
		if (cli_db(c) < 0)
			return CLI_FAIL;
		return set_expiry_days(c, argv[optind + 1], canon);
	}
	if (argc - optind == 4 && strcmp(argv[optind], "set") == 0) {
		const char *v = argv[optind + 3];

		if (strcmp(argv[optind + 2], "approval.self_approve") != 0 ||
		    (strcmp(v, "on") != 0 && strcmp(v, "off") != 0) || !cli_text_ok(argv[optind + 1], 64)) {
			fputs(customer_usage, stderr);
			return CLI_FAIL;
		}
		if (cli_db(c) < 0)
			return CLI_FAIL;
		return set_switch(c, argv[optind + 1], &sw_self_approve, strcmp(v, "on") == 0);
	}
	if (argc - optind != 2 || (strcmp(argv[optind], "disable") != 0 &&
	    strcmp(argv[optind], "enable") != 0) || !cli_text_ok(argv[optind + 1], 64)) {
		fputs(customer_usage, stderr);
		return CLI_FAIL;
	}
	enable = strcmp(argv[optind], "enable") == 0;
	if (cli_db(c) < 0)
		return CLI_FAIL;
	return set_switch(c, argv[optind + 1], &sw_enabled, enable);
}
