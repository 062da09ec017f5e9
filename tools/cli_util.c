/* cli_util.c: configuration, connections, customer lookup and JSON text for the CLI commands. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit_signed.h"
#include "cli.h"
#include "ra_names.h"

/* Prints "certmint: MESSAGE" on stderr. */
void
cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("certmint: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* 0, or -1 printed. */
int
cli_load(struct cli *c)
{
	char err[512];
	if (c->set_loaded)
		return 0;
	if (cm_settings_load(&c->set, c->conf_path, err, sizeof(err)) < 0) {
		cli_error("%s", err);
		return -1;
	}
	c->set_loaded = 1;
	cm_ra_names_configure(c->set.public_suffix_list, c->set.allow_loopback_ip);
	cm_audit_checkpoint_setup(&c->set);
	return 0;
}

/* 0, or -1 printed. */
int
cli_db(struct cli *c)
{
	char err[512];
	if (c->db)
		return 0;
	if (cli_load(c) < 0)
		return -1;
	if (cm_db_connect(&c->db, &c->set, err, sizeof(err)) < 0) {
		cli_error("%s", err);
		return -1;
	}
	return 0;
}

/* 0, or -1 printed. */
int
cli_signer(struct cli *c, struct cm_signer **out)
{
	char err[512];
	*out = NULL;
	if (cli_load(c) < 0)
		return -1;
	if (cm_signer_connect(out, c->set.signer_socket, (int)c->set.signer_timeout_ms,
	    err, sizeof(err)) != 0) {
		cli_error("signer at %s: %s", c->set.signer_socket, err);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* 0 with *id, or -1 printed. Without a URI the only enabled customer is
 * meant; with several, guessing could issue under the wrong one. */
int
cli_customer(struct cli *c, const char *uri, int64_t *id)
{
	struct cm_stmt *st = NULL;
	int r, rc = -1;

	if (uri) {
		st = cm_db_prepare(c->db, "SELECT id, enabled FROM customers WHERE uri = ?");
		if (st == NULL || cm_stmt_bind_str(st, 0, uri) < 0 || cm_stmt_execute(st) < 0)
			goto dberr;
		r = cm_stmt_fetch(st);
		if (r < 0)
			goto dberr;
		if (r == 0) {
			cli_error("no customer with uri '%s'", uri);
			goto out;
		}
		if (cm_stmt_i64(st, 1) != 1) {
			cli_error("customer '%s' is disabled", uri);
			goto out;
		}
		*id = cm_stmt_i64(st, 0);
		rc = 0;
		goto out;
	}
	st = cm_db_prepare(c->db,
	    "SELECT id FROM customers WHERE enabled = 1 ORDER BY id LIMIT 2");
	if (st == NULL || cm_stmt_execute(st) < 0)
		goto dberr;
	r = cm_stmt_fetch(st);
	if (r < 0)
		goto dberr;
	if (r == 0) {
		cli_error("no customer exists yet (load conf/demo-data.sql or create one)");
		goto out;
	}
	*id = cm_stmt_i64(st, 0);
	r = cm_stmt_fetch(st);
	if (r < 0)
		goto dberr;
	if (r == 1) {
		cli_error("several customers exist: name one with --customer URI");
		goto out;
	}
	rc = 0;
	goto out;
dberr:
	cli_error("database: %s", cm_db_error(c->db));
out:
	cm_stmt_close(st);
	return rc;
}

/* 1 when s is 1..max bytes with no control characters. */
int
cli_text_ok(const char *s, size_t max)
{
	size_t n;
	if (s == NULL)
		return 0;
	n = strnlen(s, max + 1);
	if (n == 0 || n > max)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* Highest applied version, 0 when none, -1 on error (e.g. no table yet). */
long
cli_schema_version(struct cm_db *db)
{
	long v = -1;
	struct cm_stmt *st = cm_db_prepare(db,
	    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
	if (st && cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1)
		v = (long)cm_stmt_i64(st, 0);
	cm_stmt_close(st);
	return v;
}
