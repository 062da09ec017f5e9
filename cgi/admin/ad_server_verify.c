/* ad_server_verify.c: POST /admin/ad-servers/#/verify — binds to the server as auto-enrollment would (cm_ad_verify), optionally finds a test user, and says which stage failed; audited. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ad_lookup.h"
#include "ad_server_model.h"
#include "log.h"
#include "text.h"

#define TEST_USER_MAX 256

/* What a person calls the stage that failed. */
static const char *
stage_text(enum cm_ad_stage s)
{
	switch (s) {
	case CM_AD_OK: return "none";
	case CM_AD_CONFIG: return "Configuration";
	case CM_AD_DNS: return "DNS (the server's name)";
	case CM_AD_TCP: return "TCP connection";
	case CM_AD_TLS: return "TLS verification";
	case CM_AD_BIND: return "Bind credentials";
	case CM_AD_BASE_DN: return "Base DN";
	case CM_AD_SEARCH: return "Search";
	case CM_AD_NOT_FOUND: return "Test user not found";
	case CM_AD_AMBIGUOUS: return "Test user ambiguous";
	}
	return "Unknown";
}

/* Writes the verify's audit row in a transaction of its own (the network
 * part holds no transaction open). 0 or -1. */
static int
audit(struct admin_ctx *c, int64_t id, int ok, enum cm_ad_stage stage, const char *user, const char *why)
{
	struct cm_buf j;
	int rc = -1;

	cm_buf_init(&j, 4096);
	if (cm_buf_printf(&j, "{\"result\":\"%s\",\"stage\":\"%s\",\"test_user\":", ok ? "ok" : "failed",
	    cm_ad_stage_name(stage)) < 0 || cm_buf_json_str(&j, user[0] ? user : NULL) < 0 ||
	    cm_buf_puts(&j, ",\"message\":") < 0 || cm_buf_json_str(&j, why) < 0 || cm_buf_putc(&j, '}') < 0)
		goto out;
	if (cm_db_begin(c->db) < 0 ||
	    admin_audit_object(c, "ad_server", "ad_server.verify", id, NULL, j.data) < 0 || cm_db_commit(c->db) < 0) {
		cm_db_rollback(c->db);
		goto out;
	}
	rc = 0;
out:
	cm_buf_free(&j);
	return rc;
}

void
admin_ad_server_verify(struct admin_ctx *c)
{
	struct ad_server_row *s = NULL;
	struct cm_ad_server *ad = NULL;
	enum cm_ad_stage stage = CM_AD_CONFIG;
	const char *user = cm_req_form(c->req, "test_user");
	char u[TEST_USER_MAX + 1], why[1024];
	size_t n;
	int ok = 0, r;

	if (!ad_server_may_manage(c))
		return;
	if ((s = malloc(sizeof(*s))) == NULL || (ad = calloc(1, sizeof(*ad))) == NULL) {
		admin_error(c, 500, "Internal error", "Out of memory.");
		goto out;
	}
	if ((r = ad_server_load(c, c->id, 0, s)) != 1) {
		if (r < 0)
			admin_error(c, 500, "Internal error", "The AD server could not be read; this has been logged.");
		else
			admin_error(c, 404, "Not found", "There is no such Active Directory server among yours.");
		goto out;
	}
	ad_server_form_from_row(c, s);
	user = user ? user : "";
	while (*user == ' ')
		user++;
	n = strlen(user);
	while (n > 0 && user[n - 1] == ' ')
		n--;
	cm_render_set(c->r, "Form.test_user", n <= TEST_USER_MAX ? user : "");
	if (n > TEST_USER_MAX || (memcpy(u, user, n), u[n] = '\0', !cm_text_clean(u)) || strpbrk(u, "()*\\")) {
		cm_render_set(c->r, "Errors.test_user", "Give a user name such as alice or alice@CORP.EXAMPLE.COM "
		    "(at most 256 bytes, no control characters or ( ) * \\).");
		ad_server_page(c, s, 400);
		goto out;
	}
	r = cm_ad_server_load(c->db, &c->app->settings, c->user.customer_id, c->id, ad, why, sizeof(why));
	if (r == 0) {
		/* a worker waits at most this long per step (DNS, TCP, TLS, bind, search) */
		if (ad->timeout_ms <= 0 || ad->timeout_ms > 5000)
			ad->timeout_ms = 5000;
		ok = cm_ad_verify(ad, u[0] ? u : NULL, &stage, why, sizeof(why)) == 0;
		if (ok)
			stage = CM_AD_OK;
	} else {
		stage = CM_AD_CONFIG;
		if (r == 1)
			snprintf(why, sizeof(why), "The server is no longer there.");
	}
	cm_info("admin %s verified AD server %lld: %s%s", c->user.principal, (long long)c->id,
	    ok ? "ok" : "failed at ", ok ? "" : cm_ad_stage_name(stage));
	if (audit(c, c->id, ok, stage, u, why) < 0) {
		cm_err("AD server %lld verify audit: %s", (long long)c->id, cm_db_error(c->db));
		admin_error(c, 500, "Internal error", "The verification could not be recorded; this has been logged.");
		goto out;
	}
	cm_render_set(c->r, "Verify.done", "1");
	cm_render_set(c->r, "Verify.ok", ok ? "1" : "0");
	cm_render_set(c->r, "Verify.stage", stage_text(stage));
	cm_render_set(c->r, "Verify.stage_name", cm_ad_stage_name(stage));
	cm_render_set(c->r, "Verify.message", why);
	ad_server_page(c, s, 200);
out:
	if (ad) {
		cm_ad_server_free(ad);
		free(ad);
	}
	free(s);
}
