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

/* JSON object of an admin's fields, appended to b. 0 or -1. */
static int
admin_json(struct cm_buf *b, const char *principal, int64_t customer_id,
    const char *role, const char *name, const char *email, const char *enabled,
    const char *types, const char *scopes_json)
{
	if (cm_buf_puts(b, "{\"principal\":") < 0 || cm_buf_json_str(b, principal) < 0 ||
	    cm_buf_printf(b, ",\"customer_id\":%" PRId64 ",\"role\":", customer_id) < 0 ||
	    cm_buf_json_str(b, role) < 0 ||
	    cm_buf_puts(b, ",\"name\":") < 0 || cm_buf_json_str(b, name) < 0 ||
	    cm_buf_puts(b, ",\"email\":") < 0 || cm_buf_json_str(b, email) < 0 ||
	    cm_buf_printf(b, ",\"enabled\":%s,\"cert_types\":", enabled) < 0 ||
	    cm_buf_json_str(b, types) < 0 ||
	    cm_buf_printf(b, ",\"scopes\":%s}", scopes_json ? scopes_json : "[]") < 0)
		return -1;
	return 0;
}

/* The scope an RAO/DRAO is given, resolved to ids (0 = none). */
struct admin_scope {
	const char *org;          /* --org as typed */
	const char *dept;         /* --dept as typed */
	int64_t org_id;
	int64_t dept_id;
};

/* A positive id when s is all digits (at most 18), else 0. */
static int64_t
id_of(const char *s)
{
	int64_t v = 0;
	size_t n;

	for (n = 0; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 18)
			return 0;
		v = v * 10 + (s[n] - '0');
	}
	return v;
}

/* Resolves sc->org (and sc->dept) in the customer: 1 found, 0 not found
 * (printed, naming what is missing), -1 database error. */
static int
scope_resolve(struct cm_db *db, int64_t cust_id, struct admin_scope *sc)
{
	struct cm_stmt *st = NULL;
	int r = -1, n = 0;

	st = cm_db_prepare(db,
	    "SELECT id FROM organizations WHERE customer_id = ? AND deleted_at IS NULL"
	    " AND (name = ? OR id = ?) ORDER BY name = ? DESC, id LIMIT 2");
	if (st == NULL || cm_stmt_bind_i64(st, 0, cust_id) < 0 ||
	    cm_stmt_bind_str(st, 1, sc->org) < 0 || cm_stmt_bind_i64(st, 2, id_of(sc->org)) < 0 ||
	    cm_stmt_bind_str(st, 3, sc->org) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	while ((r = cm_stmt_fetch(st)) == 1) {
		if (n++ == 0)
			sc->org_id = cm_stmt_i64(st, 0);
	}
	if (r < 0)
		goto out;
	if (n == 0) {
		cli_error("--org: no organisation '%s' in this customer", sc->org);
		r = 0;
		goto out;
	}
	cm_stmt_close(st);
	st = NULL;
	if (sc->dept == NULL) {
		r = 1;
		goto out;
	}
	n = 0;
	st = cm_db_prepare(db,
	    "SELECT id FROM departments WHERE org_id = ? AND deleted_at IS NULL"
	    " AND (name = ? OR id = ?) ORDER BY name = ? DESC, id LIMIT 2");
	if (st == NULL || cm_stmt_bind_i64(st, 0, sc->org_id) < 0 ||
	    cm_stmt_bind_str(st, 1, sc->dept) < 0 || cm_stmt_bind_i64(st, 2, id_of(sc->dept)) < 0 ||
	    cm_stmt_bind_str(st, 3, sc->dept) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	while ((r = cm_stmt_fetch(st)) == 1) {
		if (n++ == 0)
			sc->dept_id = cm_stmt_i64(st, 0);
	}
	if (r < 0)
		goto out;
	if (n == 0) {
		cli_error("--dept: no department '%s' in organisation '%s'", sc->dept, sc->org);
		r = 0;
		goto out;
	}
	r = 1;
out:
	cm_stmt_close(st);
	return r;
}

/* The admin's current scopes as a JSON array appended to b. 0 or -1. */
static int
scopes_json(struct cm_db *db, int64_t admin_id, struct cm_buf *b)
{
	struct cm_stmt *st;
	int r, first = 1, rc = -1;

	if (cm_buf_putc(b, '[') < 0)
		return -1;
	st = cm_db_prepare(db,
	    "SELECT org_id, dept_id FROM admin_scopes WHERE admin_id = ? ORDER BY id");
	if (st == NULL || cm_stmt_bind_i64(st, 0, admin_id) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	while ((r = cm_stmt_fetch(st)) == 1) {
		if (cm_buf_printf(b, "%s{\"org_id\":%" PRId64 ",\"dept_id\":", first ? "" : ",",
		    cm_stmt_i64(st, 0)) < 0)
			goto out;
		if (cm_stmt_is_null(st, 1) ? cm_buf_puts(b, "null") < 0 :
		    cm_buf_printf(b, "%" PRId64, cm_stmt_i64(st, 1)) < 0)
			goto out;
		if (cm_buf_putc(b, '}') < 0)
			goto out;
		first = 0;
	}
	if (r < 0)
		goto out;
	rc = cm_buf_putc(b, ']');
out:
	cm_stmt_close(st);
	return rc;
}

/* Replaces the admin's scope rows with sc (none for an MRAO). 0 or -1. */
static int
scopes_replace(struct cm_db *db, int64_t admin_id, const struct admin_scope *sc)
{
	struct cm_stmt *st;
	int rc = -1;

	st = cm_db_prepare(db, "DELETE FROM admin_scopes WHERE admin_id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, admin_id) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	cm_stmt_close(st);
	st = NULL;
	if (sc->org_id == 0) {
		rc = 0;
		goto out;
	}
	st = cm_db_prepare(db, "INSERT INTO admin_scopes (admin_id, org_id, dept_id) VALUES (?, ?, ?)");
	if (st == NULL || cm_stmt_bind_i64(st, 0, admin_id) < 0 ||
	    cm_stmt_bind_i64(st, 1, sc->org_id) < 0 ||
	    (sc->dept_id ? cm_stmt_bind_i64(st, 2, sc->dept_id) : cm_stmt_bind_null(st, 2)) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto out;
	rc = 0;
out:
	cm_stmt_close(st);
	return rc;
}

/* 1 when s is a comma-separated, non-empty list of ssl, client, codesign. */
static int
types_ok(const char *s)
{
	if (!cli_text_ok(s, 32))
		return 0;
	for (const char *p = s; ; ) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (!((n == 3 && strncmp(p, "ssl", 3) == 0) ||
		    (n == 6 && strncmp(p, "client", 6) == 0) ||
		    (n == 8 && strncmp(p, "codesign", 8) == 0)))
			return 0;
		if (e == NULL)
			return 1;
		p = e + 1;
	}
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
    const char *customer, const char *name, const char *email,
    const char *types, struct admin_scope *sc)
{
	struct cm_stmt *st = NULL;
	struct cm_buf before, after, oldscopes, newscopes;
	struct cm_audit_entry e = { 0 };
	char idbuf[24];
	int64_t cust_id = 0, admin_id = 0;
	int r, rc = CLI_FAIL, in_txn = 0;

	cm_buf_init(&before, 8192);
	cm_buf_init(&after, 8192);
	cm_buf_init(&oldscopes, 4096);
	cm_buf_init(&newscopes, 256);
	sc->org_id = sc->dept_id = 0;
	if (cli_db(c) < 0 || cli_customer(c, customer, &cust_id) < 0)
		goto out;
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	in_txn = 1;
	if (sc->org) {
		r = scope_resolve(c->db, cust_id, sc);
		if (r < 0)
			goto dberr;
		if (r == 0)
			goto out;
		if (cm_buf_printf(&newscopes, "[{\"org_id\":%" PRId64 ",\"dept_id\":", sc->org_id) < 0 ||
		    (sc->dept_id ? cm_buf_printf(&newscopes, "%" PRId64 "}]", sc->dept_id) :
		    cm_buf_puts(&newscopes, "null}]")) < 0)
			goto nomem;
	} else if (cm_buf_puts(&newscopes, "[]") < 0) {
		goto nomem;
	}
	st = cm_db_prepare(c->db,
	    "SELECT id, customer_id, role, name, email, enabled, deleted_at IS NULL, cert_types"
	    " FROM admins WHERE principal = ? FOR UPDATE");
	if (st == NULL || cm_stmt_bind_str(st, 0, principal) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	r = cm_stmt_fetch(st);
	if (r < 0)
		goto dberr;
	if (r == 1) {
		admin_id = cm_stmt_i64(st, 0);
		if (scopes_json(c->db, admin_id, &oldscopes) < 0)
			goto dberr;
		if (admin_json(&before, principal, cm_stmt_i64(st, 1),
		    cm_stmt_str(st, 2, NULL), cm_stmt_str(st, 3, NULL),
		    cm_stmt_str(st, 4, NULL),
		    cm_stmt_i64(st, 5) && cm_stmt_i64(st, 6) ? "true" : "false",
		    cm_stmt_str(st, 7, NULL), oldscopes.data) < 0)
			goto nomem;
		/* built before close: the kept name/email/types point into st */
		if (admin_json(&after, principal, cust_id, role,
		    name ? name : cm_stmt_str(st, 3, NULL),
		    email ? email : cm_stmt_str(st, 4, NULL), "true",
		    types ? types : cm_stmt_str(st, 7, NULL), newscopes.data) < 0)
			goto nomem;
		cm_stmt_close(st);
		st = NULL;
		st = cm_db_prepare(c->db,
		    "UPDATE admins SET customer_id = ?, role = ?,"
		    " name = COALESCE(?, name), email = COALESCE(?, email),"
		    " cert_types = COALESCE(?, cert_types),"
		    " enabled = 1, deleted_at = NULL WHERE id = ?");
		if (st == NULL || cm_stmt_bind_i64(st, 0, cust_id) < 0 ||
		    cm_stmt_bind_str(st, 1, role) < 0 ||
		    cm_stmt_bind_str(st, 2, name) < 0 ||
		    cm_stmt_bind_str(st, 3, email) < 0 ||
		    cm_stmt_bind_str(st, 4, types) < 0 ||
		    cm_stmt_bind_i64(st, 5, admin_id) < 0)
			goto dberr;
	} else {
		cm_stmt_close(st);
		st = NULL;
		if (types == NULL)
			types = "ssl,client,codesign";
		if (admin_json(&after, principal, cust_id, role, name, email, "true",
		    types, newscopes.data) < 0)
			goto nomem;
		st = cm_db_prepare(c->db,
		    "INSERT INTO admins (customer_id, principal, name, email, role, cert_types)"
		    " VALUES (?, ?, ?, ?, ?, ?)");
		if (st == NULL || cm_stmt_bind_i64(st, 0, cust_id) < 0 ||
		    cm_stmt_bind_str(st, 1, principal) < 0 ||
		    cm_stmt_bind_str(st, 2, name) < 0 ||
		    cm_stmt_bind_str(st, 3, email) < 0 ||
		    cm_stmt_bind_str(st, 4, role) < 0 ||
		    cm_stmt_bind_str(st, 5, types) < 0)
			goto dberr;
	}
	if (cm_stmt_execute(st) < 0)
		goto dberr;
	if (admin_id == 0)
		admin_id = (int64_t)cm_stmt_insert_id(st);
	cm_stmt_close(st);
	st = NULL;
	if (scopes_replace(c->db, admin_id, sc) < 0)
		goto dberr;

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
	cm_buf_free(&oldscopes);
	cm_buf_free(&newscopes);
	return rc;
}

static int
admin_add(struct cli *c, const char *principal, const char *role,
    const char *customer, const char *name, const char *email,
    const char *types, struct admin_scope *sc)
{
	int rc = -2;
	for (int attempt = 0; attempt < 5 && rc == -2; attempt++)
		rc = admin_add_once(c, principal, role, customer, name, email, types, sc);
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
	const char *types = NULL;
	struct admin_scope sc = { 0 };
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
		case 'o': sc.org = optarg; break;
		case 'd': sc.dept = optarg; break;
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
		if (optind != argc || role || name || email || sc.org || sc.dept || types) {
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
	if ((sc.org && !cli_text_ok(sc.org, 255)) || (sc.dept && !cli_text_ok(sc.dept, 255))) {
		cli_error("--org/--dept: 1-255 characters, no control characters");
		return CLI_FAIL;
	}
	if (types && !types_ok(types)) {
		cli_error("--types: a comma-separated list of ssl, client, codesign");
		return CLI_FAIL;
	}
	if (strcmp(role, "mrao") == 0 && (sc.org || sc.dept)) {
		cli_error("an MRAO administers the whole customer: --org/--dept do not apply");
		return CLI_FAIL;
	}
	if (strcmp(role, "rao") == 0 && (sc.org == NULL || sc.dept)) {
		cli_error(sc.dept ? "an RAO administers whole organisations: use --role drao for --dept"
		    : "an RAO needs --org ORG (the organisation it administers)");
		return CLI_FAIL;
	}
	if (strcmp(role, "drao") == 0 && (sc.org == NULL || sc.dept == NULL)) {
		cli_error("a DRAO needs --org ORG and --dept DEPT (the department it administers)");
		return CLI_FAIL;
	}
	return admin_add(c, argv[optind], role, customer, name, email, types, &sc);
}
