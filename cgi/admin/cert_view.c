/* cert_view.c: GET /admin/certificates/ID — the stored row, the parsed certificate, its chain, download links, lifecycle actions and the banner after issuing. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "admin_ctx.h"
#include "approval.h"
#include "ca_chain.h"
#include "log.h"
#include "revocation_reason.h"
#include "x509util.h"

static void
set_list(struct cm_render *r, const char *name, const struct cm_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		cm_render_setf(r, l->v[i], "%s.%zu", name, i);
}

/* The banner after a POST-redirect-GET: the notice cookie
 * (ADMIN_NOTICE_COOKIE, "NOTICE.ID", set by csr_new.c) names one of these
 * fixed sentences, so no text from the request reaches the page. */
static const struct {
	const char *notice, *text;
} notices[] = {
	{ "issued", "The certificate has been issued." },
	{ "issued-clipped", "The certificate has been issued, for a shorter term than you asked for (see Validity below)." },
	{ "requested", "The request has been stored; another administrator approves it on this page." },
	{ "requested-clipped", "The request has been stored, for a shorter term than you asked for (see Validity"
	  " below); another administrator approves it on this page." },
	{ "resubmitted", "This form was already submitted: this is the certificate it made. Nothing new was issued." },
};

/* Banner.text for the notice cookie when it is one of ours for this
 * certificate; the cookie is spent either way (shown once). */
static void
set_banner(struct admin_ctx *c)
{
	const char *v = cm_req_cookie(c->req, ADMIN_NOTICE_COOKIE);
	char want[64], path[64];

	if (v == NULL)
		return;
	for (size_t i = 0; i < sizeof(notices) / sizeof(notices[0]); i++) {
		snprintf(want, sizeof(want), "%s.%lld", notices[i].notice, (long long)c->id);
		if (strcmp(v, want) == 0)
			cm_render_set(c->r, "Banner.text", notices[i].text);
	}
	snprintf(path, sizeof(path), "/admin/certificates/%lld", (long long)c->id);
	(void)cm_resp_cookie(c->resp, ADMIN_NOTICE_COOKIE, "", path, 0, c->req->https);
}

/* Can.approve, or Approve.refused: the requester does not see an Approve
 * button unless the customer allows self-approval (the lifecycle refuses
 * it anyway). 0, or -1 on a database error. */
static int
set_approval(struct admin_ctx *c, const char *requested_by)
{
	int r = cm_approval_by_allowed(c->db, c->user.customer_id, requested_by, c->user.principal);

	if (r == 1)
		cm_render_set(c->r, "Can.approve", "1");
	else if (r == 0)
		cm_render_set(c->r, "Approve.refused", CM_SELF_APPROVAL_REFUSED);
	return r < 0 ? -1 : 0;
}

/* The detail page with HTTP status `status` (a 400 re-shows an action form
 * with Form.* / Errors.* already set by cert_actions.c, which calls this;
 * this file calls nothing there). */
void
admin_cert_view_page(struct admin_ctx *c, int status)
{
	static const char *const cols[] = {
		"cert_type", "profile", "status", "serial_hex", "subject_dn", "common_name",
		"sans", "email", "key_type", "key_bits", "not_before", "not_after",
		"requested_by", "approved_by", "revoked_at", "created_at", "org_name", NULL
	};
	struct cm_stmt *st;
	struct cm_cert_info xi;
	STACK_OF(X509) *chain = NULL;
	X509 *cert = NULL;
	size_t derlen = 0;
	const char *der;
	int f;

	memset(&xi, 0, sizeof(xi));
	st = cm_db_prepare(c->db,
	    "SELECT c.cert_type, c.profile, c.status, c.serial_hex, c.subject_dn, c.common_name,"
	    " c.sans, c.email, c.key_type, c.key_bits, c.not_before, c.not_after,"
	    " c.requested_by, c.approved_by, c.revoked_at, c.created_at, o.name, c.der,"
	    " c.org_id, c.dept_id, c.decline_message, c.issue_error, c.revocation_reason, d.name,"
	    " c.requested_days, c.term_days"
	    " FROM certificates c LEFT JOIN departments d ON d.id = c.dept_id LEFT JOIN organizations o ON o.id = c.org_id"
	    " WHERE c.id = ? AND c.customer_id = ?");
	f = -1;
	if (st && cm_stmt_bind_i64(st, 0, c->id) == 0 &&
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) == 0 && cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (!admin_cert_row_visible(c, st, f, 18, 19, 0, "certificate"))
		goto out;
	cm_render_set_int(c->r, "Row.id", (long)c->id);
	for (unsigned i = 0; cols[i]; i++)
		cm_render_setf(c->r, cm_stmt_str(st, i, NULL), "Row.%s", cols[i]);
	cm_render_setf(c->r, cm_stmt_str(st, 20, NULL), "Row.decline_message");
	cm_render_setf(c->r, cm_stmt_str(st, 21, NULL), "Row.issue_error");
	cm_render_setf(c->r, cm_stmt_str(st, 23, NULL), "Row.dept_name");
	if (!cm_stmt_is_null(st, 25)) {
		long asked = cm_stmt_is_null(st, 24) ? 0 : (long)cm_stmt_i64(st, 24), term = (long)cm_stmt_i64(st, 25);

		cm_render_set_int(c->r, "Row.term_days", term);
		if (asked > term)
			cm_render_set_int(c->r, "Row.requested_days", asked);
	}
	set_banner(c);
	if (strcmp(cm_stmt_str(st, 2, NULL) ? cm_stmt_str(st, 2, NULL) : "", "requested") == 0 &&
	    set_approval(c, cm_stmt_str(st, 12, NULL)) < 0) {
		admin_error(c, 500, "Internal error", "The certificate could not be read; this has been logged.");
		goto out;
	}
	for (int code = 0, n = 0; code <= 10; code++)
		if (cm_revocation_reason_name(code))
			cm_render_setf(c->r, cm_revocation_reason_name(code), "Reasons.%d", n++);
	if (!cm_stmt_is_null(st, 22))
		cm_render_setf(c->r, cm_revocation_reason_name((int)cm_stmt_i64(st, 22)),
		    "Row.revocation_reason");
	der = cm_stmt_str(st, 17, &derlen);
	if (der == NULL || derlen == 0) {
		/* A request (or a declined one): no certificate yet, only the CSR's names. */
		cm_render_set(c->r, "Cert.none", "1");
	} else if (cm_cert_load(der, derlen, &cert, NULL, 0) == 0 && cm_cert_describe(cert, &xi) == 0) {
		char bits[16];

		snprintf(bits, sizeof(bits), "%d", xi.key.bits);
		cm_render_set_list(c->r,
		    "Cert.serial", xi.serial_hex,
		    "Cert.subject", xi.subject,
		    "Cert.issuer", xi.issuer,
		    "Cert.cn", xi.cn,
		    "Cert.email", xi.email,
		    "Cert.not_before", xi.not_before_str,
		    "Cert.not_after", xi.not_after_str,
		    "Cert.key_type", xi.key.type,
		    "Cert.key_bits", bits,
		    "Cert.key_curve", xi.key.curve,
		    "Cert.sig_alg", xi.sig_alg,
		    "Cert.sha256", xi.sha256,
		    "Cert.is_ca", xi.is_ca ? "1" : "0",
		    NULL);
		set_list(c->r, "Cert.sans", &xi.sans);
		set_list(c->r, "Cert.ekus", &xi.ekus);
		set_list(c->r, "Cert.key_usage", &xi.key_usage);
		if ((chain = cm_ca_chain_for(c->db, cert)) != NULL) {
			for (int i = 0; i < sk_X509_num(chain); i++) {
				struct cm_cert_info ca;

				if (cm_cert_describe(sk_X509_value(chain, i), &ca) < 0)
					continue;
				cm_render_setf(c->r, ca.subject, "Chain.%d.subject", i);
				cm_render_setf(c->r, ca.not_after_str, "Chain.%d.not_after", i);
				cm_render_setf(c->r, ca.sha256, "Chain.%d.sha256", i);
				cm_cert_info_free(&ca);
			}
		}
	} else {
		cm_render_set(c->r, "Cert.unreadable", "1");
	}
	cm_stmt_close(st);
	st = NULL;
	c->resp->status = status;
	admin_page(c, xi.cn ? xi.cn : (der == NULL || derlen == 0) ? "Request" : "Certificate",
	    "admin/cert_view.cs");
out:
	if (st)
		cm_stmt_close(st);
	sk_X509_pop_free(chain, X509_free);
	cm_cert_info_free(&xi);
	X509_free(cert);
}

void
admin_cert_view(struct admin_ctx *c)
{
	admin_cert_view_page(c, 200);
}
