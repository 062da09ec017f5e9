/* realm_pages.c: Settings -> Kerberos realms (MRAO): the list with each keytab's state and Apache's reload state, add/edit with a keytab upload, delete with confirmation; through lib/kerberos_realms.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "admin_ctx.h"
#include "confirm.h"
#include "edit_commit.h"
#include "kerberos_realms.h"
#include "log.h"
#include "realm_config.h"

/* A customer has a handful of Windows domains. */
#define MAX_REALMS 200

/*
 * Realms are the auto-enrollment side of the customer's Active Directory:
 * who manages the AD servers manages them (the MRAO; ACTION_MANAGE_AD_SERVERS).
 * An RAO or DRAO does not see the page: it shows keytab principals and the
 * web server's configuration state, which are the operator's concern.
 * 1 allowed, 0 answered.
 */
static int
may_manage(struct admin_ctx *c)
{
	struct admin_object o = { .customer_id = c->user.customer_id };

	return edit_allowed(c, admin_may(c, ACTION_MANAGE_AD_SERVERS, &o),
	    "Only a master administrator (MRAO) manages Kerberos realms.");
}

/* Apache's reload state under Reload.* ("Apache reloaded at ..." / "did not reload: ..."). */
static void
reload_state(struct admin_ctx *c)
{
	struct cm_settings *st = &c->app->settings;
	char msg[512], when[64];
	long long t;
	int pending, r = cm_realm_reload_status(st, &t, msg, sizeof(msg), &pending);
	time_t tt;
	struct tm tm;

	if (r > 0) {
		tt = (time_t)t;
		if (gmtime_r(&tt, &tm) != NULL && strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) > 0)
			cm_render_set(c->r, "Reload.when", when);
	}
	cm_render_set(c->r, "Reload.state", r == 1 ? "ok" : r == 2 ? "failed" : r == 0 ? "none" : "unreadable");
	if (r == 2)
		cm_render_set(c->r, "Reload.message", msg);
	if (pending)
		cm_render_set(c->r, "Reload.pending", "1");
}

/* The banner after a POST-redirect-GET: fixed words only, nothing echoed. */
static void
banner(struct admin_ctx *c)
{
	static const char *const words[] = { "added", "saved", "deleted", NULL };
	const char *d = cm_req_query(c->req, "done"), *a = cm_req_query(c->req, "apply");

	for (size_t i = 0; d && words[i]; i++)
		if (strcmp(d, words[i]) == 0)
			cm_render_set(c->r, "Banner.done", words[i]);
	if (a && strcmp(a, "failed") == 0)
		cm_render_set(c->r, "Banner.apply_failed", "1");
}

void
admin_realm_list(struct admin_ctx *c)
{
	struct cm_stmt *st = NULL;
	char num[32];
	size_t n = 0;
	int f;

	if (!may_manage(c))
		return;
	st = cm_db_prepare(c->db,
	    "SELECT id, windows_domain, realm, spn, COALESCE(keytab_file, ''), COALESCE(keytab_problem, ''),"
	    " COALESCE(keytab_principals, ''), COALESCE(CAST(keytab_checked_at AS CHAR), '')"
	    " FROM kerberos_realms WHERE customer_id = ? AND deleted_at IS NULL ORDER BY windows_domain, id LIMIT 201");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	while ((f = cm_stmt_fetch(st)) == 1) {
		const char *file = cm_stmt_str(st, 4, NULL), *problem = cm_stmt_str(st, 5, NULL);

		if (n == MAX_REALMS) {
			cm_render_set(c->r, "List.more", "1");
			break;
		}
		snprintf(num, sizeof(num), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, num, "Realms.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Realms.%zu.domain", n);
		cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "Realms.%zu.realm", n);
		cm_render_setf(c->r, cm_stmt_str(st, 3, NULL), "Realms.%zu.spn", n);
		cm_render_setf(c->r, file[0] == '\0' ? "missing" : problem[0] ? "problem" : "ok", "Realms.%zu.state", n);
		cm_render_setf(c->r, problem, "Realms.%zu.problem", n);
		cm_render_setf(c->r, cm_stmt_str(st, 6, NULL), "Realms.%zu.principals", n);
		cm_render_setf(c->r, cm_stmt_str(st, 7, NULL), "Realms.%zu.checked_at", n);
		n++;
	}
	if (f < 0)
		goto dberr;
	cm_stmt_close(st);
	cm_render_set_int(c->r, "List.count", (long)n);
	cm_render_set(c->r, "Customer.uri", c->user.customer_uri);
	reload_state(c);
	banner(c);
	admin_page(c, "Kerberos realms", "admin/realm_list.cs");
	return;
dberr:
	cm_err("Kerberos realm list: %s", cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	admin_error(c, 500, "Internal error", "The Kerberos realms could not be read; this has been logged.");
}

/* The form page (r->id 0: a new realm) with status; Form.* and Errors.* may be set already. */
static void
show(struct admin_ctx *c, const struct cm_realm *r, int status)
{
	if (r->id > 0) {
		cm_render_set_int(c->r, "Realm.id", (long)r->id);
		cm_render_set(c->r, "Realm.domain", r->domain);
		cm_render_set(c->r, "Realm.realm", r->realm);
		cm_render_set(c->r, "Realm.state", r->keytab_file[0] == '\0' ? "missing" : r->problem[0] ? "problem" : "ok");
		cm_render_set(c->r, "Realm.problem", r->problem);
		cm_render_set(c->r, "Realm.principals", r->principals);
		cm_render_set(c->r, "Realm.checked_at", r->checked_at);
	}
	c->resp->status = status;
	admin_page(c, r->id > 0 ? r->domain : "New Kerberos realm", "admin/realm_form.cs");
}

/* Loads c->id, answering 404/500 itself; 1 ready, 0 answered. */
static int
load_visible(struct admin_ctx *c, struct cm_realm *r)
{
	int f = cm_realm_load(c->db, c->user.customer_id, c->id, 0, r);

	if (f == 1)
		return 1;
	if (f < 0)
		admin_error(c, 500, "Internal error", "The Kerberos realm could not be read; this has been logged.");
	else
		admin_error(c, 404, "Not found", "There is no such Kerberos realm among yours.");
	return 0;
}

/* Reads the uploaded keytab (field "keytab") into *kt; no file chosen
 * leaves *kt NULL. 0, or 1 with Errors.keytab set. Never logs its bytes. */
static int
read_upload(struct admin_ctx *c, unsigned char **kt, size_t *len, int *errors)
{
	const struct cm_upload *u = cm_req_file(c->req, "keytab");
	unsigned char *p;
	size_t off = 0;
	int fd;

	*kt = NULL;
	*len = 0;
	if (u == NULL || u->size == 0)
		return 0;
	if (u->size > CM_KEYTAB_MAX) {
		cm_render_set(c->r, "Errors.keytab", "This file is larger than 64 KiB: it is not a service keytab.");
		(*errors)++;
		return 1;
	}
	if ((p = malloc(u->size)) == NULL || (fd = open(u->path, O_RDONLY | O_CLOEXEC)) < 0) {
		free(p);
		cm_err("keytab upload: %s", strerror(errno));
		cm_render_set(c->r, "Errors.keytab", "The upload could not be read; try again.");
		(*errors)++;
		return 1;
	}
	while (off < u->size) {
		ssize_t r = read(fd, p + off, u->size - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	if (off != u->size) {
		OPENSSL_cleanse(p, u->size);
		free(p);
		cm_render_set(c->r, "Errors.keytab", "The upload could not be read; try again.");
		(*errors)++;
		return 1;
	}
	*kt = p;
	*len = off;
	return 0;
}

/* The form into r (domain, realm, spn checked) and the upload into *kt;
 * what was typed goes back under Form.*, messages under Errors.*. The error count. */
static int
from_form(struct admin_ctx *c, struct cm_realm *r, unsigned char **kt, size_t *ktlen, int keytab_required)
{
	const char *domain = cm_req_form(c->req, "domain"), *spn = cm_req_form(c->req, "spn"), *msg;
	int errors = 0;

	domain = domain ? domain : "";
	spn = spn ? spn : "";
	cm_render_set(c->r, "Form.domain", strlen(domain) > 600 ? "" : domain);
	cm_render_set(c->r, "Form.spn", strlen(spn) > 600 ? "" : spn);
	if ((msg = cm_realm_domain_check(domain, r->domain, sizeof(r->domain), r->realm, sizeof(r->realm))) != NULL) {
		cm_render_set(c->r, "Errors.domain", msg);
		errors++;
	} else if ((msg = cm_realm_spn_check(spn, r->realm)) != NULL) {
		cm_render_set(c->r, "Errors.spn", msg);
		errors++;
	}
	if (msg == NULL)
		snprintf(r->spn, sizeof(r->spn), "%s", spn);
	else if (r->domain[0] == '\0' && (msg = cm_realm_spn_check(spn, NULL)) != NULL) {
		/* The domain is wrong: the SPN is still checked on its own. */
		cm_render_set(c->r, "Errors.spn", msg);
		errors++;
	}
	if (read_upload(c, kt, ktlen, &errors) == 0 && *kt == NULL && keytab_required) {
		cm_render_set(c->r, "Errors.keytab", "Choose the keytab file exported for the service principal.");
		errors++;
	}
	return errors;
}

/* Saves r with kt and answers: a redirect to the list with a banner, the
 * form again with the refusal next to its field, or 500. */
static void
save(struct admin_ctx *c, struct cm_realm *r, const struct cm_realm *shown, unsigned char *kt, size_t ktlen)
{
	struct cm_realm_actor who = { c->user.principal, c->req->remote_addr };
	const char *field = NULL;
	char why[1024], warn[1024], loc[96];
	int is_new = r->id == 0, s;

	r->customer_id = c->user.customer_id;
	s = cm_realm_save(c->db, &c->app->settings, &who, r, kt, ktlen, &field, why, sizeof(why), warn, sizeof(warn));
	if (s == 1 && field && (strcmp(field, "domain") == 0 || strcmp(field, "keytab") == 0)) {
		cm_render_setf(c->r, why, "Errors.%s", field);
		show(c, shown, 400);
		return;
	}
	if (s == 1) {
		admin_error(c, 404, "Not found", "There is no such Kerberos realm among yours.");
		return;
	}
	if (s < 0) {
		admin_error(c, 500, "Internal error", "The Kerberos realm could not be saved; this has been logged.");
		return;
	}
	snprintf(loc, sizeof(loc), "/admin/kerberos-realms?done=%s%s", is_new ? "added" : "saved",
	    warn[0] ? "&apply=failed" : "");
	cm_resp_redirect(c->resp, loc);
}

void
admin_realm_new_form(struct admin_ctx *c)
{
	struct cm_realm r;

	memset(&r, 0, sizeof(r));
	if (may_manage(c))
		show(c, &r, 200);
}

void
admin_realm_create(struct admin_ctx *c)
{
	struct cm_realm r, none;
	unsigned char *kt = NULL;
	size_t ktlen = 0;

	memset(&r, 0, sizeof(r));
	memset(&none, 0, sizeof(none));
	if (!may_manage(c))
		return;
	if (from_form(c, &r, &kt, &ktlen, 1) > 0)
		show(c, &none, 400);
	else
		save(c, &r, &none, kt, ktlen);
	if (kt) {
		OPENSSL_cleanse(kt, ktlen);
		free(kt);
	}
}

void
admin_realm_view(struct admin_ctx *c)
{
	struct cm_realm r;

	if (!may_manage(c) || !load_visible(c, &r))
		return;
	cm_render_set(c->r, "Form.domain", r.domain);
	cm_render_set(c->r, "Form.spn", r.spn);
	show(c, &r, 200);
}

void
admin_realm_save(struct admin_ctx *c)
{
	struct cm_realm stored, r;
	unsigned char *kt = NULL;
	size_t ktlen = 0;

	if (!may_manage(c) || !load_visible(c, &stored))
		return;
	memset(&r, 0, sizeof(r));
	r.id = stored.id;
	if (from_form(c, &r, &kt, &ktlen, 0) > 0)
		show(c, &stored, 400);
	else
		save(c, &r, &stored, kt, ktlen);
	if (kt) {
		OPENSSL_cleanse(kt, ktlen);
		free(kt);
	}
}

/* GET: the confirmation page of a deletion (the POST is admin_realm_delete). */
void
admin_realm_delete_confirm(struct admin_ctx *c)
{
	struct cm_realm r;
	char title[400], page[64], action[80];
	struct admin_confirm cf = {
		.consequence = "The realm's keytab is removed and Apache stops accepting tickets of this domain at the "
		    "customer's autoenroll URL (the configuration is rewritten and reloaded). Certificates already "
		    "issued are not affected.",
		.warning = "Logon scripts of this domain's users will fail with an authentication error until the realm "
		    "is added again.",
		.button = "Delete Kerberos realm",
		.hidden_name = "confirm", .hidden_value = "yes",
	};

	if (!may_manage(c) || !load_visible(c, &r))
		return;
	snprintf(title, sizeof(title), "Delete the Kerberos realm %s?", r.realm);
	snprintf(page, sizeof(page), "/admin/kerberos-realms/%lld", (long long)r.id);
	snprintf(action, sizeof(action), "%s/delete", page);
	cf.title = title;
	cf.action = action;
	cf.cancel = page;
	cf.label[0] = "Windows domain";
	cf.value[0] = r.domain;
	cf.label[1] = "Service principal";
	cf.value[1] = r.spn;
	admin_confirm_page(c, &cf, 200);
}

void
admin_realm_delete(struct admin_ctx *c)
{
	struct cm_realm_actor who = { c->user.principal, c->req->remote_addr };
	const char *confirm = cm_req_form(c->req, "confirm");
	struct cm_realm r;
	char why[1024], warn[1024];
	int s;

	if (!may_manage(c) || !load_visible(c, &r))
		return;
	if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		admin_error(c, 400, "Not confirmed", "Use the Delete button on the realm's page to delete it.");
		return;
	}
	s = cm_realm_delete(c->db, &c->app->settings, &who, c->user.customer_id, r.id, why, sizeof(why), warn,
	    sizeof(warn));
	if (s == 1)
		admin_error(c, 404, "Not found", "There is no such Kerberos realm among yours.");
	else if (s < 0)
		admin_error(c, 500, "Internal error", "The Kerberos realm could not be deleted; this has been logged.");
	else
		cm_resp_redirect(c->resp, warn[0] ? "/admin/kerberos-realms?done=deleted&apply=failed"
		    : "/admin/kerberos-realms?done=deleted");
}
