/* cmd_admin.c: certmint admin add / admin list (administrators who may use /admin/). */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "admins.h"
#include "audit.h"
#include "cli.h"
#include "ids.h"

static const char admin_usage[] =
    "usage: certmint admin add PRINCIPAL --role mrao|rao|drao [--customer URI]\n"
    "                          [--org ORG [--dept DEPT]] [--types ssl,client,codesign]\n"
    "                          [--name NAME] [--email EMAIL]\n"
    "       certmint admin list [--customer URI]\n"
    "\n"
    "add: makes PRINCIPAL (as Apache reports it in REMOTE_USER, e.g.\n"
    "alice@EXAMPLE.COM) an administrator of the customer (default: the only\n"
    "customer). An existing administrator is updated and re-enabled.\n"
    "An RAO needs --org (the organisation's name or id), a DRAO --org and\n"
    "--dept (the department's name or id); the scope given replaces the\n"
    "administrator's previous one. An MRAO takes neither. --types limits the\n"
    "certificate types administered (default: all for a new administrator,\n"
    "unchanged for an existing one).\n"
    "list: principal, role, customer, enabled, name, email; tab-separated.\n";

/* Resolves --org (and --dept), each a name or an id, in the customer into
 * sc: 1 found, 0 not found (printed, naming what is missing), -1 database
 * error. */
static int
scope_resolve(struct cm_db *db, int64_t cust_id, const char *org, const char *dept,
    struct cm_admin_scope *sc)
{
	struct cm_stmt *st = NULL;
	int r = -1, n = 0;

	st = cm_db_prepare(db,
	    "SELECT id FROM organizations WHERE customer_id = ? AND deleted_at IS NULL"
	    " AND (name = ? OR id = ?) ORDER BY name = ? DESC, id LIMIT 2");
	if (st == NULL || cm_stmt_bind_i64(st, 0, cust_id) < 0 ||
	    cm_stmt_bind_str(st, 1, org) < 0 || cm_stmt_bind_i64(st, 2, cm_id_parse(org)) < 0 ||
	    cm_stmt_bind_str(st, 3, org) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	while ((r = cm_stmt_fetch(st)) == 1) {
		if (n++ == 0)
			sc->org_id = cm_stmt_i64(st, 0);
	}
	if (r < 0)
		goto out;
	if (n == 0) {
		cli_error("--org: no organisation '%s' in this customer", org);
		r = 0;
		goto out;
	}
	cm_stmt_close(st);
	st = NULL;
	if (dept == NULL) {
		r = 1;
		goto out;
	}
	n = 0;
	st = cm_db_prepare(db,
	    "SELECT id FROM departments WHERE org_id = ? AND deleted_at IS NULL"
	    " AND (name = ? OR id = ?) ORDER BY name = ? DESC, id LIMIT 2");
	if (st == NULL || cm_stmt_bind_i64(st, 0, sc->org_id) < 0 ||
	    cm_stmt_bind_str(st, 1, dept) < 0 || cm_stmt_bind_i64(st, 2, cm_id_parse(dept)) < 0 ||
	    cm_stmt_bind_str(st, 3, dept) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	while ((r = cm_stmt_fetch(st)) == 1) {
		if (n++ == 0)
			sc->dept_id = cm_stmt_i64(st, 0);
	}
	if (r < 0)
		goto out;
	if (n == 0) {
		cli_error("--dept: no department '%s' in organisation '%s'", dept, org);
		r = 0;
		goto out;
	}
	r = 1;
out:
	cm_stmt_close(st);
	return r;
}

/*
 * Updates and re-enables the existing administrator (row of st, selected
 * FOR UPDATE) with a; fields a leaves NULL keep their value. Its JSON before
 * and after go to before/after. 0 or -1 (database, or out of memory).
 */
static int
admin_update(struct cm_db *db, struct cm_stmt *st, struct cm_admin *a, struct cm_buf *before,
    struct cm_buf *after, int64_t *id)
{
	struct cm_admin_scope old[16];
	struct cm_admin was;
	struct cm_stmt *up = NULL;
	long nold;
	int rc = -1;

	*id = cm_stmt_i64(st, 0);
	if ((nold = cm_admin_scopes_load(db, *id, old, sizeof(old) / sizeof(old[0]))) < 0)
		return -1;
	memset(&was, 0, sizeof(was));
	was.principal = a->principal;
	was.customer_id = cm_stmt_i64(st, 1);
	was.role = cm_stmt_str(st, 2, NULL);
	was.name = cm_stmt_str(st, 3, NULL);
	was.email = cm_stmt_str(st, 4, NULL);
	was.enabled = cm_stmt_i64(st, 5) && cm_stmt_i64(st, 6);
	was.types = cm_stmt_str(st, 7, NULL);
	was.scopes = old;
	was.nscopes = (size_t)nold;
	if (cm_admin_json(before, &was) < 0)
		return -1;
	/* built before st closes: the kept name/email/types point into it */
	{
		struct cm_admin now = *a;

		now.name = a->name ? a->name : was.name;
		now.email = a->email ? a->email : was.email;
		now.types = a->types ? a->types : was.types;
		now.enabled = 1;
		if (cm_admin_json(after, &now) < 0)
			return -1;
	}
	up = cm_db_prepare(db,
	    "UPDATE admins SET customer_id = ?, role = ?,"
	    " name = COALESCE(?, name), email = COALESCE(?, email),"
	    " cert_types = COALESCE(?, cert_types),"
	    " enabled = 1, deleted_at = NULL WHERE id = ?");
	if (up == NULL || cm_stmt_bind_i64(up, 0, a->customer_id) < 0 ||
	    cm_stmt_bind_str(up, 1, a->role) < 0 || cm_stmt_bind_str(up, 2, a->name) < 0 ||
	    cm_stmt_bind_str(up, 3, a->email) < 0 || cm_stmt_bind_str(up, 4, a->types) < 0 ||
	    cm_stmt_bind_i64(up, 5, *id) < 0 || cm_stmt_execute(up) < 0 ||
	    cm_admin_scopes_replace(db, *id, a->scopes, a->nscopes) < 0)
		goto out;
	rc = 0;
out:
	cm_stmt_close(up);
	return rc;
}

/* An exit status, or -2 when a lock conflict with a concurrent writer
 * rolled the transaction back and it may simply be run again. */
static int
admin_add_once(struct cli *c, struct cm_admin *a, const char *customer, const char *org,
    const char *dept)
{
	struct cm_admin_scope sc = { 0, 0 };
	struct cm_stmt *st = NULL;
	struct cm_buf before, after;
	struct cm_audit_entry e = { 0 };
	char idbuf[24];
	int64_t admin_id = 0;
	int r, rc = CLI_FAIL, in_txn = 0;

	cm_buf_init(&before, 8192);
	cm_buf_init(&after, 8192);
	a->scopes = NULL;
	a->nscopes = 0;
	if (cli_db(c) < 0 || cli_customer(c, customer, &a->customer_id) < 0)
		goto out;
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	in_txn = 1;
	if (org) {
		r = scope_resolve(c->db, a->customer_id, org, dept, &sc);
		if (r < 0)
			goto dberr;
		if (r == 0)
			goto out;
		a->scopes = &sc;
		a->nscopes = 1;
	}
	st = cm_db_prepare(c->db,
	    "SELECT id, customer_id, role, name, email, enabled, deleted_at IS NULL, cert_types"
	    " FROM admins WHERE principal = ? FOR UPDATE");
	if (st == NULL || cm_stmt_bind_str(st, 0, a->principal) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	r = cm_stmt_fetch(st);
	if (r < 0)
		goto dberr;
	if (r == 1) {
		if (admin_update(c->db, st, a, &before, &after, &admin_id) < 0)
			goto dberr;
		snprintf(idbuf, sizeof(idbuf), "%" PRId64, admin_id);
		e.actor = c->actor;
		e.action = "admin.update";
		e.object_type = "admin";
		e.object_id = idbuf;
		e.before = before.data;
		e.after = after.data;
		e.customer_id = a->customer_id;
		if (cm_audit(c->db, &e) < 0)
			goto dberr;
	} else {
		r = cm_admin_create(c->db, a, c->actor, NULL, &admin_id);
		if (r > 0) {
			cli_error("%s cannot be stored", r == CM_ADMIN_FIELD_SCOPE ? "the scope" :
			    "a field");
			goto out;
		}
		if (r < 0)
			goto dberr;
		snprintf(idbuf, sizeof(idbuf), "%" PRId64, admin_id);
	}
	if (cm_db_commit(c->db) < 0)
		goto dberr;
	in_txn = 0;
	printf("admin %s: %s (%s, id %s)\n", a->principal, a->role,
	    before.len ? "updated" : "added", idbuf);
	rc = CLI_OK;
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
admin_add(struct cli *c, struct cm_admin *a, const char *customer, const char *org,
    const char *dept)
{
	int rc = -2;
	for (int attempt = 0; attempt < 5 && rc == -2; attempt++)
		rc = admin_add_once(c, a, customer, org, dept);
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
		{ "org", required_argument, NULL, 'o' },
		{ "dept", required_argument, NULL, 'd' },
		{ "types", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *role = NULL, *customer = NULL, *name = NULL, *email = NULL, *sub;
	const char *types = NULL, *org = NULL, *dept = NULL;
	struct cm_admin a;
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
		case 'o': org = optarg; break;
		case 'd': dept = optarg; break;
		case 't': types = optarg; break;
		case 'h': fputs(admin_usage, stdout); return CLI_OK;
		default: fputs(admin_usage, stderr); return CLI_FAIL;
		}
	}
	if (customer && !cli_text_ok(customer, 64)) {
		cli_error("--customer: 1-64 printable characters");
		return CLI_FAIL;
	}
	if (strcmp(sub, "list") == 0) {
		if (optind != argc || role || name || email || org || dept || types) {
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
	if (!cm_admin_principal_ok(argv[optind])) {
		cli_error("PRINCIPAL: 1-255 characters, no spaces or control characters");
		return CLI_FAIL;
	}
	if (!cm_admin_role_ok(role)) {
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
	if ((org && !cli_text_ok(org, 255)) || (dept && !cli_text_ok(dept, 255))) {
		cli_error("--org/--dept: 1-255 characters, no control characters");
		return CLI_FAIL;
	}
	if (types && !cm_admin_types_ok(types)) {
		cli_error("--types: a comma-separated list of ssl, client, codesign");
		return CLI_FAIL;
	}
	if (strcmp(role, "mrao") == 0 && (org || dept)) {
		cli_error("an MRAO administers the whole customer: --org/--dept do not apply");
		return CLI_FAIL;
	}
	if (strcmp(role, "rao") == 0 && (org == NULL || dept)) {
		cli_error(dept ? "an RAO administers whole organisations: use --role drao for --dept"
		    : "an RAO needs --org ORG (the organisation it administers)");
		return CLI_FAIL;
	}
	if (strcmp(role, "drao") == 0 && (org == NULL || dept == NULL)) {
		cli_error("a DRAO needs --org ORG and --dept DEPT (the department it administers)");
		return CLI_FAIL;
	}
	memset(&a, 0, sizeof(a));
	a.principal = argv[optind];
	a.role = role;
	a.name = name;
	a.email = email;
	a.types = types;
	return admin_add(c, &a, customer, org, dept);
}
