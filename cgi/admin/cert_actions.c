/* cert_actions.c: POST /admin/certificates/ID/{approve,decline,revoke}: the policy check here, the transition itself in lib/cert_lifecycle.c; errors re-show the detail page (cert_view.c). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "admin_ctx.h"
#include "cert_lifecycle.h"
#include "confirm.h"
#include "log.h"
#include "revocation_reason.h"
#include "signer_client.h"

/*
 * Loads certificate c->id of the administrator's customer and asks the one
 * policy whether the administrator may act on it. 1 allowed; 0 answered
 * already (404 for missing or out of scope, 500 on errors).
 */
static int
may_act(struct admin_ctx *c)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT org_id, dept_id, cert_type FROM certificates WHERE id = ? AND customer_id = ?");
	int f = -1, r;

	if (st && cm_stmt_bind_i64(st, 0, c->id) == 0 &&
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) == 0 && cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	r = admin_cert_row_visible(c, st, f, 0, 1, 2, "certificate");
	if (st)
		cm_stmt_close(st);
	return r;
}

/* The administrator as the lifecycle's actor. */
static struct cm_cert_actor
actor_of(const struct admin_ctx *c)
{
	struct cm_cert_actor who = { c->user.principal, c->req->remote_addr, c->user.customer_id };

	return who;
}

/* Answers a transition the lifecycle did not make (r: its status, err: its
 * sentence); 400 is answered by the caller, next to its field. */
static void
answer_failure(struct admin_ctx *c, int r, const char *err)
{
	if (r == 409)
		admin_error(c, 409, "Not possible in this state", err);
	else if (r == 400)
		admin_error(c, 404, "Not found", "There is no such certificate.");
	else
		admin_error(c, 500, "Internal error", err);
}

static void
redirect_to_cert(struct admin_ctx *c)
{
	char loc[64];

	snprintf(loc, sizeof(loc), "/admin/certificates/%lld", (long long)c->id);
	cm_resp_redirect(c->resp, loc);
}

/*
 * Approve: requested -> approved, then approved -> issued through the
 * signer at once (cm_cert_approve). A request already approved (issuance
 * failed before) is only issued. When the signer refuses or cannot be
 * reached, the request stays approved and the page shows why.
 */
void
admin_cert_approve(struct admin_ctx *c)
{
	struct cm_cert_actor who = actor_of(c);
	struct cm_signer *sg = NULL;
	char err[512];
	int r, approved = 0, unreachable = 0;

	if (!may_act(c))
		return;
	/* Not reached: the lifecycle still approves, records why, writes the
	 * certificate.issue_failed row and answers 503. */
	if (cm_signer_connect(&sg, c->app->settings.signer_socket,
	    (int)c->app->settings.signer_timeout_ms, err, sizeof(err)) != 0) {
		cm_err("signer: %s", err);
		sg = NULL;
		unreachable = 1;
	}
	r = cm_cert_approve(c->db, sg, &who, c->id, &approved, err, sizeof(err));
	if (sg)
		cm_signer_close(sg);
	if (r == 0) {
		redirect_to_cert(c);
	} else if (r == 403 && !approved) {
		/* Not the requester's to approve: said where the button was. */
		cm_render_set(c->r, "Errors.approve", err);
		admin_cert_view_page(c, 403);
	} else if (r == 409 || !approved) {
		answer_failure(c, r, err);
	} else if (r == 504) {
		admin_error(c, 504, "Approved; unknown: the signer did not answer", err);
	} else if (r == 503 && unreachable) {
		admin_error(c, 503, "Approved; the signer is not answering", err);
	} else {
		admin_error(c, r == 400 || r == 403 || r == 502 || r == 503 ? r : 500, "Approved, not issued", err);
	}
}

/* Decline: requested -> declined, with the required message stored. */
void
admin_cert_decline(struct admin_ctx *c)
{
	struct cm_cert_actor who = actor_of(c);
	const char *msg = cm_req_form(c->req, "message");
	char err[512];
	int r;

	if (!may_act(c))
		return;
	r = cm_cert_decline(c->db, &who, c->id, msg, err, sizeof(err));
	if (r == 0) {
		redirect_to_cert(c);
	} else if (r == 400) {
		cm_render_set(c->r, "Form.message", msg ? msg : "");
		cm_render_set(c->r, "Errors.message", err);
		admin_cert_view_page(c, 400);
	} else {
		answer_failure(c, r, err);
	}
}

/*
 * The revocation's confirmation page with status: names the certificate
 * (common name, subject, serial, validity), says what revocation means and
 * carries the reason picker; a 400 re-shows it with Errors.reason set.
 * Certificates not in the "issued" state answer 409 (nothing to confirm).
 */
static void
revoke_confirm_page(struct admin_ctx *c, int status)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT org_id, dept_id, cert_type, status, common_name, subject_dn, serial_hex, not_after"
	    " FROM certificates WHERE id = ? AND customer_id = ?");
	char title[400], page[64], action[80], cn[256] = "", subject[1024] = "", serial[128] = "",
	    not_after[32] = "", state[16] = "";
	int f = -1;
	struct admin_confirm cf = {
		.consequence = "Revocation is final: the certificate is listed in the next CRL and OCSP answers "
		    "\"revoked\", so every client that checks stops trusting it, and it cannot be un-revoked. "
		    "Whatever uses it (a web server, a device, a signature) needs a new certificate.",
		.button = "Revoke certificate",
	};

	if (st && cm_stmt_bind_i64(st, 0, c->id) == 0 &&
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) == 0 && cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (!admin_cert_row_visible(c, st, f, 0, 1, 2, "certificate")) {
		cm_stmt_close(st);
		return;
	}
	cm_stmt_copy_str(st, 3, state, sizeof(state));
	cm_stmt_copy_str(st, 4, cn, sizeof(cn));
	cm_stmt_copy_str(st, 5, subject, sizeof(subject));
	cm_stmt_copy_str(st, 6, serial, sizeof(serial));
	cm_stmt_copy_str(st, 7, not_after, sizeof(not_after));
	cm_stmt_close(st);
	if (strcmp(state, "issued") != 0) {
		admin_error(c, 409, "Not possible in this state", "Only an issued certificate can be revoked.");
		return;
	}
	snprintf(title, sizeof(title), "Revoke the certificate %s?", cn[0] ? cn : serial);
	snprintf(page, sizeof(page), "/admin/certificates/%lld", (long long)c->id);
	snprintf(action, sizeof(action), "%s/revoke", page);
	cf.title = title;
	cf.action = action;
	cf.cancel = page;
	cf.label[0] = "Common name";
	cf.value[0] = cn[0] ? cn : NULL;
	cf.label[1] = "Subject";
	cf.value[1] = subject;
	cf.label[2] = "Serial number";
	cf.value[2] = serial;
	cf.label[3] = "Valid until (UTC)";
	cf.value[3] = not_after;
	for (int code = 0, n = 0; code <= 10; code++)
		if (cm_revocation_reason_name(code))
			cm_render_setf(c->r, cm_revocation_reason_name(code), "Reasons.%d", n++);
	admin_confirm_page(c, &cf, status);
}

/* GET: the confirmation page; the POST below revokes. */
void
admin_cert_revoke_confirm(struct admin_ctx *c)
{
	if (may_act(c))
		revoke_confirm_page(c, 200);
}

/* Revoke: issued -> revoked, with an RFC 5280 reason. */
void
admin_cert_revoke(struct admin_ctx *c)
{
	struct cm_cert_actor who = actor_of(c);
	const char *reason = cm_req_form(c->req, "reason");
	char err[512];
	int r;

	if (!may_act(c))
		return;
	r = cm_cert_revoke(c->db, &who, c->id, cm_revocation_reason_code(reason), err, sizeof(err));
	if (r == 0) {
		redirect_to_cert(c);
	} else if (r == 400) {
		cm_render_set(c->r, "Form.reason", reason && strlen(reason) < 64 ? reason : "");
		cm_render_set(c->r, "Errors.reason", err);
		revoke_confirm_page(c, 400);
	} else {
		answer_failure(c, r, err);
	}
}
