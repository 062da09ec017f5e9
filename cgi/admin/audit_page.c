/* audit_page.c: GET /admin/audit (the audit log, filtered, newest first, keyset pages) and POST /admin/audit/verify (the chain against the signer's signed checkpoints). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_ctx.h"
#include "audit.h"
#include "audit_signed.h"
#include "ids.h"
#include "log.h"
#include "policy.h"

#define PAGE_SIZE 50
#define HASH_PREFIX 12

/* The filters as typed; NULL when absent or empty. */
struct audit_filter {
	const char *action, *actor, *type, *from, *to;
	int64_t before;
};

/* 1 when s is a real calendar date written YYYY-MM-DD, else 0. */
static int
valid_date(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return 1;
}

/* The query value, kept for the form; NULL when empty. Errors.NAME when longer than max. */
static const char *
text_field(struct admin_ctx *c, const char *name, size_t max, int *bad)
{
	const char *v = cm_req_query(c->req, name);

	if (v == NULL || v[0] == '\0')
		return NULL;
	cm_render_setf(c->r, v, "Filter.%s", name);
	if (strlen(v) > max) {
		char msg[96];

		snprintf(msg, sizeof(msg), "At most %zu characters.", max);
		cm_render_setf(c->r, msg, "Errors.%s", name);
		*bad = 1;
	}
	return v;
}

/* Reads and checks the filters; 0, or -1 with Errors.* set. */
static int
read_filter(struct admin_ctx *c, struct audit_filter *f)
{
	const char *b;
	int bad = 0;

	memset(f, 0, sizeof(*f));
	f->before = INT64_MAX;
	f->action = text_field(c, "action", 64, &bad);
	f->actor = text_field(c, "actor", 255, &bad);
	f->type = text_field(c, "type", 64, &bad);
	f->from = text_field(c, "from", 10, &bad);
	f->to = text_field(c, "to", 10, &bad);
	if (f->from && !valid_date(f->from)) {
		cm_render_set(c->r, "Errors.from", "Write the date as YYYY-MM-DD, e.g. 2026-01-31.");
		bad = 1;
	}
	if (f->to && !valid_date(f->to)) {
		cm_render_set(c->r, "Errors.to", "Write the date as YYYY-MM-DD, e.g. 2026-01-31.");
		bad = 1;
	}
	if (!bad && f->from && f->to && strcmp(f->from, f->to) > 0) {
		cm_render_set(c->r, "Errors.to", "The end date is before the start date.");
		bad = 1;
	}
	b = cm_req_query(c->req, "before");
	if (b && b[0]) {
		int64_t v = cm_id_parse(b);

		if (v == 0) {
			cm_render_set(c->r, "Errors.before", "The page link is broken: \"before\" must be a row number.");
			bad = 1;
		} else {
			f->before = v;
			cm_render_set(c->r, "List.before", b);
		}
	}
	return bad ? -1 : 0;
}

/* Lists one page of rows as Rows.N.*; 0 or -1 (logged). */
static int
list_rows(struct admin_ctx *c, const struct audit_filter *f)
{
	struct cm_stmt *st;
	int64_t last = 0;
	size_t n = 0;
	int more = 0, mrao = admin_may_read_whole_audit(&c->user);
	char id[32];

	/* Scope: an MRAO sees every row of its customer; an RAO or DRAO the rows
	 * it caused itself (actor = its principal). Empty filters match all. */
	st = cm_db_prepare(c->db,
	    "SELECT a.id, LEFT(CAST(a.at AS CHAR), 19), a.actor, a.action, a.object_type,"
	    " a.object_id, a.before_json, a.after_json, a.hash, a.remote_addr"
	    " FROM audit_log a WHERE a.customer_id = ? AND a.id < ?"
	    " AND (? = 1 OR a.actor = ?)"
	    " AND (? IS NULL OR a.action = ?)"
	    " AND (? IS NULL OR a.actor = ?)"
	    " AND (? IS NULL OR a.object_type = ?)"
	    " AND (? IS NULL OR a.at >= ?)"
	    " AND (? IS NULL OR a.at < DATE_ADD(?, INTERVAL 1 DAY))"
	    " ORDER BY a.id DESC LIMIT 51");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_i64(st, 1, f->before) < 0 ||
	    cm_stmt_bind_i64(st, 2, mrao ? 1 : 0) < 0 ||
	    cm_stmt_bind_str(st, 3, c->user.principal) < 0 ||
	    cm_stmt_bind_str(st, 4, f->action) < 0 || cm_stmt_bind_str(st, 5, f->action) < 0 ||
	    cm_stmt_bind_str(st, 6, f->actor) < 0 || cm_stmt_bind_str(st, 7, f->actor) < 0 ||
	    cm_stmt_bind_str(st, 8, f->type) < 0 || cm_stmt_bind_str(st, 9, f->type) < 0 ||
	    cm_stmt_bind_str(st, 10, f->from) < 0 || cm_stmt_bind_str(st, 11, f->from) < 0 ||
	    cm_stmt_bind_str(st, 12, f->to) < 0 || cm_stmt_bind_str(st, 13, f->to) < 0 ||
	    cm_stmt_execute(st) < 0) {
		cm_err("audit list: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	while (cm_stmt_fetch(st) == 1) {
		const char *hash = cm_stmt_str(st, 8, NULL);
		char prefix[HASH_PREFIX + 1];

		if (n == PAGE_SIZE) {
			more = 1;
			break;
		}
		last = cm_stmt_i64(st, 0);
		snprintf(id, sizeof(id), "%lld", (long long)last);
		snprintf(prefix, sizeof(prefix), "%s", hash ? hash : "");
		cm_render_setf(c->r, id, "Rows.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Rows.%zu.at", n);
		cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "Rows.%zu.actor", n);
		cm_render_setf(c->r, cm_stmt_str(st, 3, NULL), "Rows.%zu.action", n);
		cm_render_setf(c->r, cm_stmt_str(st, 4, NULL), "Rows.%zu.object_type", n);
		cm_render_setf(c->r, cm_stmt_str(st, 5, NULL), "Rows.%zu.object_id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 6, NULL), "Rows.%zu.before", n);
		cm_render_setf(c->r, cm_stmt_str(st, 7, NULL), "Rows.%zu.after", n);
		cm_render_setf(c->r, prefix, "Rows.%zu.hash", n);
		cm_render_setf(c->r, cm_stmt_str(st, 9, NULL), "Rows.%zu.remote", n);
		n++;
	}
	cm_stmt_close(st);
	cm_render_set_int(c->r, "List.count", (long)n);
	if (more) {
		snprintf(id, sizeof(id), "%lld", (long long)last);
		cm_render_set(c->r, "List.next", id);
	}
	return 0;
}

/* The page's fixed parts: the scope rule shown in the header, the MRAO's verify form. */
static void
set_common(struct admin_ctx *c)
{
	if (admin_may_read_whole_audit(&c->user)) {
		cm_render_set(c->r, "Audit.scope",
		    "As MRAO you see every audit row of your customer.");
	} else {
		cm_render_set(c->r, "Audit.scope",
		    "As RAO or DRAO you see the audit rows of your own actions (actor = your principal).");
	}
	if (admin_may_verify_audit(&c->user))
		cm_render_set(c->r, "Audit.may_verify", "1");
}

void
admin_audit(struct admin_ctx *c)
{
	struct audit_filter f;

	set_common(c);
	if (read_filter(c, &f) < 0) {
		c->resp->status = 400;
		cm_render_set(c->r, "List.invalid", "1");
		admin_page(c, "Audit log", "admin/audit.cs");
		return;
	}
	if (list_rows(c, &f) < 0) {
		admin_error(c, 500, "Internal error", "The audit log could not be read; this has been logged.");
		return;
	}
	admin_page(c, "Audit log", "admin/audit.cs");
}

/* Sets Verify.* from the verdict for the template. */
static void
set_verdict(struct admin_ctx *c, const struct cm_audit_verdict *v)
{
	static const char *const states[] = {
		[CM_AUDIT_INTACT] = "intact", [CM_AUDIT_BROKEN] = "broken",
		[CM_AUDIT_REWRITTEN] = "rewritten", [CM_AUDIT_TRUNCATED] = "truncated",
	};
	char when[32];

	cm_render_set(c->r, "Verify.state", states[v->state]);
	cm_render_set_int(c->r, "Verify.rows", (long)v->rows);
	cm_render_set_int(c->r, "Verify.bad", (long)v->bad_id);
	cm_render_set_int(c->r, "Verify.good_from", (long)v->good_id + 1);
	cm_render_set_int(c->r, "Verify.log_end", (long)v->bad_id - 1);
	if (v->cp_id > 0) {
		cm_checkpoint_time(v->cp_at, when);
		cm_render_set_int(c->r, "Verify.cp_id", (long)v->cp_id);
		cm_render_set(c->r, "Verify.cp_time", when);
	}
}

/* Recomputes the whole hash chain and checks it against every checkpoint
 * the signer signed (route: MRAO only, CSRF). Reading it changes nothing,
 * so no audit row. */
void
admin_audit_verify(struct admin_ctx *c)
{
	struct audit_filter f;
	struct cm_checkpoint *cps = NULL;
	struct cm_audit_verdict v;
	size_t n = 0;
	char err[256] = "", cperr[512], text[512];

	set_common(c);
	/* The signer, not the database, vouches for the checkpoints: when it
	 * cannot be asked the page says so rather than "intact". */
	if (cm_audit_fetch_checkpoints(c->app->settings.signer_socket,
	    (int)c->app->settings.signer_timeout_ms, &cps, &n, cperr, sizeof(cperr)) < 0) {
		cm_err("audit verify: signed checkpoints not read: %s", cperr);
		cm_render_set(c->r, "Verify.unchecked", "1");
	}
	if (cm_audit_verify_signed(c->db, cps, n, &v, err, sizeof(err)) < 0) {
		free(cps);
		cm_err("audit verify: %s %s", err, cm_db_error(c->db));
		admin_error(c, 500, "Internal error", "The audit chain could not be read; this has been logged.");
		return;
	}
	free(cps);
	set_verdict(c, &v);
	if (v.state != CM_AUDIT_INTACT) {
		cm_audit_verdict_text(&v, text, sizeof(text));
		cm_warn("%s, checked by %s", text, c->user.principal);
	}
	memset(&f, 0, sizeof(f));
	f.before = INT64_MAX;
	if (list_rows(c, &f) < 0) {
		admin_error(c, 500, "Internal error", "The audit log could not be read; this has been logged.");
		return;
	}
	admin_page(c, "Audit log", "admin/audit.cs");
}
