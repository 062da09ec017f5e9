/* logout.c: POST /admin/logout: ends the certmint session, drops the session cookies, audits it, and says what happens next. */
#include "config.h"

#include <string.h>

#include "admin_ctx.h"
#include "log.h"

/* mod_auth_gssapi's session cookie (SessionCookieName in the Apache configuration):
 * while the browser holds it, Apache lets it in without asking the KDC. */
#define GSSAPI_SESSION_COOKIE "gssapi_session"

/*
 * Deletes the session row and writes the "logout" audit row in one
 * transaction, then tells the browser to drop both cookies. The answer is
 * the signed-out page itself, not a redirect: any GET under /admin/ would
 * log the user in again at once (Kerberos), which is what the page says.
 */
void
admin_logout(struct admin_ctx *c)
{
	const char *confirm = cm_req_form(c->req, "confirm");

	/* The button sends confirm=yes: a POST without it (a stray or forged
	 * form that still carries the token) ends nothing. */
	if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		admin_error(c, 400, "Not signed out", "Use the Sign out button at the top of the page.");
		return;
	}
	if (cm_db_begin(c->db) < 0 || cm_session_close(c->db, &c->session) < 0 ||
	    admin_audit_object(c, "admin", "logout", c->user.id, NULL, NULL) < 0 ||
	    cm_db_commit(c->db) < 0) {
		cm_db_rollback(c->db);
		cm_err("logout of %s: %s", c->user.principal, cm_db_error(c->db));
		admin_error(c, 500, "Internal error", "You could not be signed out; this has been logged. Close the browser to end the session.");
		return;
	}
	cm_info("logout: %s", c->user.principal);
	if (cm_resp_cookie(c->resp, CM_SESSION_COOKIE, "", "/admin/", 0, c->req->https) < 0 ||
	    cm_resp_cookie(c->resp, GSSAPI_SESSION_COOKIE, "", "/admin/", 0, c->req->https) < 0) {
		admin_error(c, 500, "Internal error", "The session cookies could not be cleared.");
		return;
	}
	/* The page of someone signed out: no user bar, no navigation, no token. */
	memset(&c->user, 0, sizeof(c->user));
	memset(&c->session, 0, sizeof(c->session));
	admin_page(c, "Signed out", "admin/signed_out.cs");
}
