/* cert_actions.c: POST /admin/certificates/ID/{approve,decline,revoke} — lifecycle transitions, each policy-checked, checked against cert_state.c and audited. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_ctx.h"
#include "buf.h"
#include "cert_state.h"
#include "issuance.h"
#include "log.h"
#include "signer_client.h"

#define DECLINE_MESSAGE_MAX 1000

/* The row an action works on. */
struct cert_row {
	int state;                /* enum cert_state, -1 unknown */
	char status[16];
};

/* RFC 5280 CRLReason codes offered in the form (certificateHold is not:
 * a revocation here is final). */
static const struct {
	const char *name;
	int code;
} reasons[] = {
	{ "unspecified", 0 },
	{ "keyCompromise", 1 },
	{ "affiliationChanged", 3 },
	{ "superseded", 4 },
	{ "cessationOfOperation", 5 },
	{ "privilegeWithdrawn", 9 },
};

/* The RFC 5280 name of a reason code, or NULL. */
const char *
admin_revocation_reason_name(int code)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == code)
			return reasons[i].name;
	return NULL;
}

/*
 * Loads certificate c->id of the administrator's customer and asks the one
 * policy whether the administrator may act on it. 1 allowed (row filled);
 * 0 answered already (404 for missing or out of scope, 500 on errors).
 */
static int
load_row(struct admin_ctx *c, struct cert_row *row)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT status, org_id, dept_id, cert_type FROM certificates WHERE id = ? AND customer_id = ?");
	int f = -1;

	memset(row, 0, sizeof(*row));
	if (st && cm_stmt_bind_i64(st, 0, c->id) == 0 &&
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) == 0 && cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (f == 1) {
		snprintf(row->status, sizeof(row->status), "%s", cm_stmt_str(st, 0, NULL) ? cm_stmt_str(st, 0, NULL) : "");
		row->state = cert_state_parse(row->status);
		f = admin_cert_in_scope(c, cm_stmt_is_null(st, 1) ? 0 : cm_stmt_i64(st, 1),
		    cm_stmt_is_null(st, 2) ? 0 : cm_stmt_i64(st, 2), cm_stmt_str(st, 3, NULL));
	} else if (f < 0) {
		cm_err("certificate %lld: %s", (long long)c->id, cm_db_error(c->db));
	}
	if (st)
		cm_stmt_close(st);
	if (f < 0) {
		admin_error(c, 500, "Internal error", "The certificate could not be read; this has been logged.");
		return 0;
	}
	if (f == 0) {
		admin_error(c, 404, "Not found", "There is no such certificate.");
		return 0;
	}
	return 1;
}

/* 1 when row may go to state to; else answers 409 with the reason and returns 0. */
static int
transition_ok(struct admin_ctx *c, const struct cert_row *row, int to)
{
	char msg[400];

	if (cert_state_allowed(row->state, to))
		return 1;
	snprintf(msg, sizeof(msg), "This certificate is %s. %s Nothing was changed.", row->status,
	    cert_state_refusal(row->state, to));
	admin_error(c, 409, "Not possible in this state", msg);
	return 0;
}

/*
 * Moves the row from state `from` to `to` with the statement st (already
 * bound, its WHERE including "AND status = from") and an audit row, in one
 * transaction. 1 done, 0 the row changed meanwhile (409 answered), -1 error
 * (500 answered).
 */
static int
apply(struct admin_ctx *c, struct cm_stmt *st, const char *action, const char *from,
    const char *after)
{
	struct cm_buf before;
	int rc = -1;

	cm_buf_init(&before, 0);
	if (cm_buf_puts(&before, "{\"status\":") < 0 || cm_buf_json_str(&before, from) < 0 ||
	    cm_buf_puts(&before, "}") < 0)
		goto out;
	if (cm_stmt_execute(st) < 0)
		goto out;
	if (cm_stmt_affected(st) != 1) {
		rc = 0;
		goto out;
	}
	if (admin_audit_object(c, "certificate", action, c->id, before.data, after) < 0 ||
	    cm_db_commit(c->db) < 0)
		goto out;
	rc = 1;
out:
	if (rc != 1)
		cm_db_rollback(c->db);
	if (rc < 0) {
		cm_err("%s on certificate %lld: %s", action, (long long)c->id, cm_db_error(c->db));
		admin_error(c, 500, "Internal error", "The change could not be saved; nothing was changed. This has been logged.");
	} else if (rc == 0) {
		admin_error(c, 409, "Not possible in this state",
		    "The certificate changed while you were looking at it; reload the page. Nothing was changed.");
	}
	cm_buf_free(&before);
	return rc;
}

static void
redirect_to_cert(struct admin_ctx *c)
{
	char loc[64];

	snprintf(loc, sizeof(loc), "/admin/certificates/%lld", (long long)c->id);
	cm_resp_redirect(c->resp, loc);
}

/* Records why issuance failed on the row (shown on its page); best effort. */
static void
note_issue_error(struct admin_ctx *c, const char *msg)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "UPDATE certificates SET issue_error = LEFT(?, 512) WHERE id = ? AND status = 'approved'");

	if (st == NULL || cm_stmt_bind_str(st, 0, msg) < 0 || cm_stmt_bind_i64(st, 1, c->id) < 0 ||
	    cm_stmt_execute(st) < 0)
		cm_err("certificate %lld: recording the issuance error: %s", (long long)c->id, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
}

/*
 * Approve: requested -> approved (audited), then approved -> issued through
 * the signer at once. A request already approved (issuance failed before)
 * is only issued. When the signer refuses, the request stays approved and
 * the page shows why.
 */
void
admin_cert_approve(struct admin_ctx *c)
{
	struct cert_row row;
	struct cm_signer *sg = NULL;
	char err[512];
	int r;

	if (!load_row(c, &row))
		return;
	if (row.state == CERT_REQUESTED) {
		struct cm_stmt *st;

		if (!transition_ok(c, &row, CERT_APPROVED))
			return;
		if (cm_db_begin(c->db) < 0) {
			admin_error(c, 500, "Internal error", "The change could not be saved; this has been logged.");
			return;
		}
		st = cm_db_prepare(c->db,
		    "UPDATE certificates SET status = 'approved', approved_by = ?"
		    " WHERE id = ? AND status = 'requested'");
		if (st == NULL || cm_stmt_bind_str(st, 0, c->user.principal) < 0 ||
		    cm_stmt_bind_i64(st, 1, c->id) < 0) {
			if (st)
				cm_stmt_close(st);
			cm_db_rollback(c->db);
			admin_error(c, 500, "Internal error", "The change could not be saved; this has been logged.");
			return;
		}
		r = apply(c, st, "certificate.approve", "requested", "{\"status\":\"approved\"}");
		cm_stmt_close(st);
		if (r != 1)
			return;
		row.state = CERT_APPROVED;
	} else if (!transition_ok(c, &row, CERT_ISSUED)) {
		return;
	}
	if (cm_signer_connect(&sg, c->app->settings.signer_socket,
	    (int)c->app->settings.signer_timeout_ms, err, sizeof(err)) != 0) {
		cm_err("signer: %s", err);
		note_issue_error(c, "the signing service was not answering");
		admin_error(c, 502, "Approved, not yet issued",
		    "The request is approved, but certmint's signing service is not answering. Use \"Issue now\" on the certificate's page later.");
		return;
	}
	r = cm_issue_request(c->db, sg, c->id, c->user.principal, c->req->remote_addr, err, sizeof(err));
	cm_signer_close(sg);
	if (r == 0) {
		redirect_to_cert(c);
		return;
	}
	if (r == 409) {
		admin_error(c, 409, "Not possible in this state", "The request changed meanwhile; nothing was issued.");
		return;
	}
	note_issue_error(c, err);
	admin_error(c, r == 400 || r == 403 || r == 502 ? r : 500, "Approved, not issued", err);
}

/* Decline: requested -> declined, with the required message stored. */
void
admin_cert_decline(struct admin_ctx *c)
{
	struct cert_row row;
	struct cm_stmt *st;
	struct cm_buf after;
	const char *msg = cm_req_form(c->req, "message");
	int r;

	if (!load_row(c, &row) || !transition_ok(c, &row, CERT_DECLINED))
		return;
	if (msg == NULL || msg[strspn(msg, " \t\r\n")] == '\0' || strlen(msg) > DECLINE_MESSAGE_MAX) {
		cm_render_set(c->r, "Form.message", msg ? msg : "");
		cm_render_set(c->r, "Errors.message", msg && strlen(msg) > DECLINE_MESSAGE_MAX ?
		    "The message is longer than 1000 characters." :
		    "Say why the request is declined; the requester reads this message.");
		admin_cert_view_page(c, 400);
		return;
	}
	cm_buf_init(&after, 0);
	if (cm_buf_puts(&after, "{\"status\":\"declined\",\"message\":") < 0 || cm_buf_json_str(&after, msg) < 0 ||
	    cm_buf_puts(&after, "}") < 0 || cm_db_begin(c->db) < 0) {
		cm_buf_free(&after);
		admin_error(c, 500, "Internal error", "The change could not be saved; this has been logged.");
		return;
	}
	st = cm_db_prepare(c->db,
	    "UPDATE certificates SET status = 'declined', decline_message = ?, approved_by = ?"
	    " WHERE id = ? AND status = 'requested'");
	if (st == NULL || cm_stmt_bind_str(st, 0, msg) < 0 || cm_stmt_bind_str(st, 1, c->user.principal) < 0 ||
	    cm_stmt_bind_i64(st, 2, c->id) < 0) {
		if (st)
			cm_stmt_close(st);
		cm_db_rollback(c->db);
		cm_buf_free(&after);
		admin_error(c, 500, "Internal error", "The change could not be saved; this has been logged.");
		return;
	}
	r = apply(c, st, "certificate.decline", "requested", after.data);
	cm_stmt_close(st);
	cm_buf_free(&after);
	if (r == 1)
		redirect_to_cert(c);
}

/* Revoke: issued -> revoked, with an RFC 5280 reason. */
void
admin_cert_revoke(struct admin_ctx *c)
{
	struct cert_row row;
	struct cm_stmt *st;
	char after[128];
	const char *reason = cm_req_form(c->req, "reason");
	int code = -1, r;

	if (!load_row(c, &row) || !transition_ok(c, &row, CERT_REVOKED))
		return;
	for (size_t i = 0; reason && i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(reason, reasons[i].name) == 0)
			code = reasons[i].code;
	if (code < 0) {
		cm_render_set(c->r, "Form.reason", reason && strlen(reason) < 64 ? reason : "");
		cm_render_set(c->r, "Errors.reason", "Choose the reason for the revocation.");
		admin_cert_view_page(c, 400);
		return;
	}
	snprintf(after, sizeof(after), "{\"status\":\"revoked\",\"reason\":\"%s\",\"reason_code\":%d}",
	    admin_revocation_reason_name(code), code);
	if (cm_db_begin(c->db) < 0) {
		admin_error(c, 500, "Internal error", "The change could not be saved; this has been logged.");
		return;
	}
	st = cm_db_prepare(c->db,
	    "UPDATE certificates SET status = 'revoked', revoked_at = UTC_TIMESTAMP(), revocation_reason = ?"
	    " WHERE id = ? AND status = 'issued'");
	if (st == NULL || cm_stmt_bind_i64(st, 0, code) < 0 || cm_stmt_bind_i64(st, 1, c->id) < 0) {
		if (st)
			cm_stmt_close(st);
		cm_db_rollback(c->db);
		admin_error(c, 500, "Internal error", "The change could not be saved; this has been logged.");
		return;
	}
	r = apply(c, st, "certificate.revoke", "issued", after);
	cm_stmt_close(st);
	if (r == 1)
		redirect_to_cert(c);
}
