/* outbox_page.c: the MRAO's Outbox page (GET /admin/outbox: the customer's notification mail, queued/sent/failed, with counts, attempts and errors) and "Retry now" of a failed message (POST /admin/outbox/#/retry). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "admin_ctx.h"
#include "ids.h"
#include "log.h"
#include "outbox.h"
#include "policy.h"

/* Rows on the page; the oldest or newest first, filtered by status.
 * PAGE_SIZE_SQL is the same number, inside the constant statements. */
#define PAGE_SIZE 100
#define PAGE_SIZE_SQL "100"

/* Answers 403 unless the administrator may see the outbox; 1 may go on. */
static int
may_see(struct admin_ctx *c)
{
	if (admin_may_see_outbox(&c->user))
		return 1;
	admin_error(c, 403, "Not allowed", "Only a master administrator (MRAO) sees the customer's outbox.");
	return 0;
}

/* Counts.queued/sent/failed/all of the customer; 0 or -1 (logged). */
static int
counts(struct admin_ctx *c)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT status, COUNT(*) FROM outbox WHERE customer_id = ? GROUP BY status");
	long all = 0;
	int f = -1;

	cm_render_set_list(c->r, "Counts.queued", "0", "Counts.sent", "0", "Counts.failed", "0", NULL);
	if (st != NULL && cm_stmt_bind_i64(st, 0, c->user.customer_id) == 0 && cm_stmt_execute(st) == 0) {
		while ((f = cm_stmt_fetch(st)) == 1) {
			long n = (long)cm_stmt_i64(st, 1);

			cm_render_set_int(c->r, strcmp(cm_stmt_str(st, 0, NULL), "queued") == 0 ? "Counts.queued" :
			    strcmp(cm_stmt_str(st, 0, NULL), "sent") == 0 ? "Counts.sent" : "Counts.failed", n);
			all += n;
		}
	}
	if (f < 0)
		cm_err("outbox counts: %s", cm_db_error(c->db));
	cm_render_set_int(c->r, "Counts.all", all);
	if (st)
		cm_stmt_close(st);
	return f < 0 ? -1 : 0;
}

/* Rows.N.* of one page; 0 or -1 (logged). status NULL: every status. */
static int
rows(struct admin_ctx *c, const char *status, int oldest_first)
{
	struct cm_stmt *st;
	size_t n = 0;
	int f;

	/* Two constant statements: the order is never built from input. */
	st = cm_db_prepare(c->db, oldest_first
	    ? "SELECT id, LEFT(CAST(created_at AS CHAR), 19), kind, recipient, subject, status, attempts,"
	      " LEFT(CAST(next_attempt_at AS CHAR), 19), last_error, LEFT(CAST(sent_at AS CHAR), 19), cert_id"
	      " FROM outbox WHERE customer_id = ? AND (? IS NULL OR status = ?)"
	      " ORDER BY created_at, id LIMIT " PAGE_SIZE_SQL
	    : "SELECT id, LEFT(CAST(created_at AS CHAR), 19), kind, recipient, subject, status, attempts,"
	      " LEFT(CAST(next_attempt_at AS CHAR), 19), last_error, LEFT(CAST(sent_at AS CHAR), 19), cert_id"
	      " FROM outbox WHERE customer_id = ? AND (? IS NULL OR status = ?)"
	      " ORDER BY created_at DESC, id DESC LIMIT " PAGE_SIZE_SQL);
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_bind_str(st, 1, status) < 0 ||
	    cm_stmt_bind_str(st, 2, status) < 0 || cm_stmt_execute(st) < 0) {
		cm_err("outbox list: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	while ((f = cm_stmt_fetch(st)) == 1) {
		cm_render_setf(c->r, cm_stmt_str(st, 0, NULL), "Rows.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Rows.%zu.created", n);
		cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "Rows.%zu.kind", n);
		cm_render_setf(c->r, cm_stmt_str(st, 3, NULL), "Rows.%zu.recipient", n);
		cm_render_setf(c->r, cm_stmt_str(st, 4, NULL), "Rows.%zu.subject", n);
		cm_render_setf(c->r, cm_stmt_str(st, 5, NULL), "Rows.%zu.status", n);
		cm_render_setf(c->r, cm_stmt_str(st, 6, NULL), "Rows.%zu.attempts", n);
		cm_render_setf(c->r, cm_stmt_str(st, 7, NULL), "Rows.%zu.next", n);
		cm_render_setf(c->r, cm_stmt_str(st, 8, NULL), "Rows.%zu.error", n);
		cm_render_setf(c->r, cm_stmt_str(st, 9, NULL), "Rows.%zu.sent", n);
		cm_render_setf(c->r, cm_stmt_str(st, 10, NULL), "Rows.%zu.cert", n);
		n++;
	}
	cm_stmt_close(st);
	if (f < 0) {
		cm_err("outbox list: %s", cm_db_error(c->db));
		return -1;
	}
	cm_render_set_int(c->r, "List.count", (long)n);
	if (n == PAGE_SIZE)
		cm_render_set(c->r, "List.capped", "1");
	return 0;
}

/* GET /admin/outbox[?status=queued|sent|failed][&order=oldest|newest]. */
void
admin_outbox(struct admin_ctx *c)
{
	const char *status = cm_req_query(c->req, "status");
	const char *order = cm_req_query(c->req, "order");
	int64_t retried = cm_id_parse(cm_req_query(c->req, "retried"));
	int oldest = 0;

	if (!may_see(c))
		return;
	if (status != NULL && status[0] == '\0')
		status = NULL;
	if (status != NULL && strcmp(status, "queued") != 0 && strcmp(status, "sent") != 0 &&
	    strcmp(status, "failed") != 0) {
		admin_error(c, 400, "No such status", "Choose queued, sent or failed, or all messages.");
		return;
	}
	if (order != NULL && strcmp(order, "oldest") == 0)
		oldest = 1;
	else if (order != NULL && order[0] != '\0' && strcmp(order, "newest") != 0) {
		admin_error(c, 400, "No such order", "Sort by newest or oldest first.");
		return;
	}
	cm_render_set(c->r, "Filter.status", status ? status : "");
	cm_render_set(c->r, "Filter.order", oldest ? "oldest" : "newest");
	/* The banner after "Retry now": a number we parsed, nothing echoed. */
	if (retried > 0)
		cm_render_set_int(c->r, "Banner.retried", (long)retried);
	if (counts(c) < 0 || rows(c, status, oldest) < 0) {
		admin_error(c, 500, "Internal error", "The outbox could not be read; this has been logged.");
		return;
	}
	admin_page(c, "Outbox", "admin/outbox.cs");
}

/* POST /admin/outbox/#/retry: a failed message goes back to the queue, due
 * at once (the next `certmint notify run` sends it); audited. */
void
admin_outbox_retry(struct admin_ctx *c)
{
	char to[64];
	int r;

	if (!may_see(c))
		return;
	r = cm_outbox_retry(c->db, c->user.customer_id, c->id, c->user.principal, c->req->remote_addr);
	if (r == 404) {
		admin_error(c, 404, "Not found", "There is no such message in the outbox.");
		return;
	}
	if (r == 409) {
		admin_error(c, 409, "Not failed", "Only a failed message can be retried; this one is queued or sent.");
		return;
	}
	if (r != 0) {
		admin_error(c, 500, "Internal error", "The message could not be queued again; this has been logged.");
		return;
	}
	snprintf(to, sizeof(to), "/admin/outbox?retried=%lld", (long long)c->id);
	cm_resp_redirect(c->resp, to);
}
