/* cmd_customer.c: certmint customer disable|enable URI (the operator's switch that refuses everything for a customer). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"

static const char customer_usage[] =
    "usage: certmint customer disable|enable URI\n"
    "\n"
    "disable: the customer's administrators get \"The customer ... is disabled\"\n"
    "on every admin page and no certificate is issued or requested for it\n"
    "(web or CLI) until 'certmint customer enable URI'. Both are audited.\n";

/* Sets customers.enabled for uri with an audit row in one transaction.
 * CLI_OK (also when it already had that state), or CLI_FAIL printed. */
static int
set_enabled(struct cli *c, const char *uri, int enable)
{
	struct cm_stmt *st = NULL;
	struct cm_audit_entry e;
	char before[32], after[32];
	int64_t id;
	int was, f, rc = CLI_FAIL;

	if (cm_db_begin(c->db) < 0)
		goto dberr;
	st = cm_db_prepare(c->db, "SELECT id, enabled FROM customers WHERE uri = ? FOR UPDATE");
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
	st = cm_db_prepare(c->db, "UPDATE customers SET enabled = ? WHERE id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, enable) < 0 || cm_stmt_bind_i64(st, 1, id) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto rollback;
	snprintf(before, sizeof(before), "{\"enabled\":%d}", was);
	snprintf(after, sizeof(after), "{\"enabled\":%d}", enable);
	memset(&e, 0, sizeof(e));
	e.actor = c->actor;
	e.action = enable ? "customer.enable" : "customer.disable";
	e.object_type = "customer";
	e.object_id = uri;
	e.before = before;
	e.after = after;
	e.customer_id = id;
	if (cm_audit(c->db, &e) < 0 || cm_db_commit(c->db) < 0)
		goto rollback;
	printf("customer %s %s\n", uri, enable ? "enabled" : "disabled");
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

/* certmint customer disable|enable URI; an exit status. */
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
	if (argc - optind != 2 || (strcmp(argv[optind], "disable") != 0 &&
	    strcmp(argv[optind], "enable") != 0) || !cli_text_ok(argv[optind + 1], 64)) {
		fputs(customer_usage, stderr);
		return CLI_FAIL;
	}
	enable = strcmp(argv[optind], "enable") == 0;
	if (cli_db(c) < 0)
		return CLI_FAIL;
	return set_enabled(c, argv[optind + 1], enable);
}
