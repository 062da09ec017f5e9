/* cmd_admin.c: certmint admin add / admin list (administrators who may use /admin/). */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "db_internal.h"

static const char admin_usage[] =
    "usage: certmint admin add PRINCIPAL --role mrao|rao|drao [--customer URI]\n"
    "                          [--name NAME] [--email EMAIL]\n"
    "       certmint admin list [--customer URI]\n"
    "\n"
    "add: makes PRINCIPAL (as Apache reports it in REMOTE_USER, e.g.\n"
    "alice@EXAMPLE.COM) an administrator of the customer (default: the only\n"
    "customer). An existing administrator is updated and re-enabled.\n"
    "list: principal, role, customer, enabled, name, email; tab-separated.\n";

/* JSON object of an admin's fields, appended to b. 0 or -1. */
static int
admin_json(struct cm_buf *b, const char *principal, int64_t customer_id,
    const char *role, const char *name, const char *email, const char *enabled)
{
	if (cm_buf_puts(b, "{\"principal\":") < 0 || cli_json_str(b, principal) < 0 ||
	    cm_buf_printf(b, ",\"customer_id\":%" PRId64 ",\"role\":", customer_id) < 0 ||
	    cli_json_str(b, role) < 0 ||
	    cm_buf_puts(b, ",\"name\":") < 0 || cli_json_str(b, name) < 0 ||
	    cm_buf_puts(b, ",\"email\":") < 0 || cli_json_str(b, email) < 0 ||
	    cm_buf_printf(b, ",\"enabled\":%s}", enabled) < 0)
		return -1;
	return 0;
}

static int
principal_ok(const char *p)
{
	if (!cli_text_ok(p, 255))
		return 0;
	for (; *p; p++)
		if (*p == ' ' || *p == '\t')
			return 0;
	return 1;
}

/* An exit status, or -2 when a lock conflict with a concurrent writer
 * rolled the transaction back and it may simply be run again. */
static int
admin_add_once(struct cli *c, const char *principal, const char *role,
    const char *customer, const char *name, const char *email)
{
	struct cm_stmt *st = NULL;
	struct cm_buf before, after;
	struct cm_audit_entry e = { 0 };
	char idbuf[24];
	int64_t cust_id = 0, admin_id = 0;
	int r, rc = CLI_FAIL, in_txn = 0;

	cm_buf_init(&before, 8192);
	cm_buf_init(&after, 8192);
	if (cli_db(c) < 0 || cli_customer(c, customer, &cust_id) < 0)
		goto out;
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	in_txn = 1;
	st = cm_db_prepare(c->db,
	    "SELECT id, customer_id, role, name, email, enabled, deleted_at IS NULL"
	    " FROM admins WHERE principal = ? FOR UPDATE");
	if (st == NULL || cm_stmt_bind_str(st, 0, principal) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	r = cm_stmt_fetch(st);
	if (r < 0)
		goto dberr;
	if (r == 1) {
		admin_id = cm_stmt_i64(st, 0);
		if (admin_json(&before, principal, cm_stmt_i64(st, 1),
		    cm_stmt_str(st, 2, NULL), cm_stmt_str(st, 3, NULL),
		    cm_stmt_str(st, 4, NULL),
		    cm_stmt_i64(st, 5) && cm_stmt_i64(st, 6) ? "true" : "false") < 0)
			goto nomem;
		/* built before close: the kept name/email point into st */
		if (admin_json(&after, principal, cust_id, role,
		    name ? name : cm_stmt_str(st, 3, NULL),
		    email ? email : cm_stmt_str(st, 4, NULL), "true") < 0)
			goto nomem;
		cm_stmt_close(st);
		st = NULL;
		st = cm_db_prepare(c->db,
		    "UPDATE admins SET customer_id = ?, role = ?,"
		    " name = COALESCE(?, name), email = COALESCE(?, email),"
		    " enabled = 1, deleted_at = NULL WHERE id = ?");
		if (st == NULL || cm_stmt_bind_i64(st, 0, cust_id) < 0 ||
		    cm_stmt_bind_str(st, 1, role) < 0 ||
		    cm_stmt_bind_str(st, 2, name) < 0 ||
		    cm_stmt_bind_str(st, 3, email) < 0 ||
		    cm_stmt_bind_i64(st, 4, admin_id) < 0)
			goto dberr;
	} else {
		cm_stmt_close(st);
		st = NULL;
		if (admin_json(&after, principal, cust_id, role, name, email, "true") < 0)
			goto nomem;
		st = cm_db_prepare(c->db,
		    "INSERT INTO admins (customer_id, principal, name, email, role)"
		    " VALUES (?, ?, ?, ?, ?)");
		if (st == NULL || cm_stmt_bind_i64(st, 0, cust_id) < 0 ||
		    cm_stmt_bind_str(st, 1, principal) < 0 ||
		    cm_stmt_bind_str(st, 2, name) < 0 ||
		    cm_stmt_bind_str(st, 3, email) < 0 ||
		    cm_stmt_bind_str(st, 4, role) < 0)
			goto dberr;
	}
	if (cm_stmt_execute(st) < 0)
		goto dberr;
	if (admin_id == 0)
		admin_id = (int64_t)cm_stmt_insert_id(st);
	cm_stmt_close(st);
	st = NULL;

	snprintf(idbuf, sizeof(idbuf), "%" PRId64, admin_id);
	e.actor = c->actor;
	e.action = before.len ? "admin.update" : "admin.add";
	e.object_type = "admin";
	e.object_id = idbuf;
	e.before = before.len ? before.data : NULL;
	e.after = after.data;
	e.customer_id = cust_id;
	if (cm_audit(c->db, &e) < 0 || cm_db_commit(c->db) < 0)
		goto dberr;
	in_txn = 0;
	printf("admin %s: %s (%s, id %s)\n", principal, role,
	    before.len ? "updated" : "added", idbuf);
	rc = CLI_OK;
	goto out;
nomem:
	cli_error("out of memory");
	goto out;
dberr:
	if (in_txn && cm_db_retryable(c->db))
		rc = -2;
	else
		cli_error("database: %s", cm_db_error(c->db));
out:
	cm_stmt_close(st);
	if (in_txn)
		cm_db_rollback(c->db);
	cm_buf_free(&before);
	cm_buf_free(&after);
	return rc;
}

static int
admin_add(struct cli *c, const char *principal, const char *role,
    const char *customer, const char *name, const char *email)
{
	int rc = -2;
	for (int attempt = 0; attempt < 5 && rc == -2; attempt++)
		rc = admin_add_once(c, principal, role, customer, name, email);
	if (rc == -2) {
		cli_error("database: %s", cm_db_error(c->db));
		rc = CLI_FAIL;
	}
	return rc;
}

static int
admin_list(struct cli *c, const char *customer)
{
	struct cm_stmt *st = NULL;
	int r, rc = CLI_FAIL;

	if (cli_db(c) < 0)
		goto out;
	st = cm_db_prepare(c->db,
	    "SELECT a.principal, a.role, c.uri, a.enabled AND a.deleted_at IS NULL,"
	    " COALESCE(a.name, ''), COALESCE(a.email, '')"
	    " FROM admins a JOIN customers c ON c.id = a.customer_id"
	    " WHERE ? IS NULL OR c.uri = ? ORDER BY a.principal");
	if (st == NULL || cm_stmt_bind_str(st, 0, customer) < 0 ||
	    cm_stmt_bind_str(st, 1, customer) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	while ((r = cm_stmt_fetch(st)) == 1)
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", cm_stmt_str(st, 0, NULL),
		    cm_stmt_str(st, 1, NULL), cm_stmt_str(st, 2, NULL),
		    cm_stmt_i64(st, 3) ? "enabled" : "disabled",
		    cm_stmt_str(st, 4, NULL), cm_stmt_str(st, 5, NULL));
	if (r < 0)
		goto dberr;
	rc = CLI_OK;
	goto out;
dberr:
	cli_error("database: %s", cm_db_error(c->db));
out:
	cm_stmt_close(st);
	return rc;
}

int
cmd_admin(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "customer", required_argument, NULL, 'C' },
		{ "name", required_argument, NULL, 'n' },
		{ "email", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *role = NULL, *customer = NULL, *name = NULL, *email = NULL, *sub;
	int opt;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(admin_usage, stdout);
		return CLI_OK;
	}
	if (argc < 2) {
		fputs(admin_usage, stderr);
		return CLI_FAIL;
	}
	sub = argv[1];
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r': role = optarg; break;
		case 'C': customer = optarg; break;
		case 'n': name = optarg; break;
		case 'e': email = optarg; break;
		case 'h': fputs(admin_usage, stdout); return CLI_OK;
		default: fputs(admin_usage, stderr); return CLI_FAIL;
		}
	}
	if (customer && !cli_text_ok(customer, 64)) {
		cli_error("--customer: 1-64 printable characters");
		return CLI_FAIL;
	}
	if (strcmp(sub, "list") == 0) {
		if (optind != argc || role || name || email) {
			fputs(admin_usage, stderr);
			return CLI_FAIL;
		}
		return admin_list(c, customer);
	}
	if (strcmp(sub, "add") != 0) {
		cli_error("unknown admin command '%s' (add, list)", sub);
		return CLI_FAIL;
	}
	if (optind + 1 != argc || role == NULL) {
		fputs(admin_usage, stderr);
		return CLI_FAIL;
	}
	if (!principal_ok(argv[optind])) {
		cli_error("PRINCIPAL: 1-255 characters, no spaces or control characters");
		return CLI_FAIL;
	}
	if (strcmp(role, "mrao") != 0 && strcmp(role, "rao") != 0 && strcmp(role, "drao") != 0) {
		cli_error("--role must be mrao, rao or drao");
		return CLI_FAIL;
	}
	if (name && !cli_text_ok(name, 255)) {
		cli_error("--name: 1-255 characters, no control characters");
		return CLI_FAIL;
	}
	if (email && (!cli_text_ok(email, 255) || strchr(email, '@') == NULL ||
	    strchr(email, ' '))) {
		cli_error("--email: not an e-mail address");
		return CLI_FAIL;
	}
	return admin_add(c, argv[optind], role, customer, name, email);
}
