/* autoenroll_clients.c: /admin/autoenroll (MRAO): the customer's auto-enrollment request URL and the client scripts (PowerShell logon script, Linux script, certmonger helper) downloaded with URL, customer, organisation and days filled in. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin_ctx.h"
#include "client_fill.h"
#include "edit_commit.h"
#include "ids.h"
#include "log.h"

/* The scripts (files under [autoenroll] clients_dir) and their languages. */
static const struct client {
	const char *name;          /* the "client" value */
	const char *file;
	enum cm_client_lang lang;
	const char *label;
} clients[] = {
	{ "powershell", "certmint-autoenroll.ps1", CM_CLIENT_PS1, "PowerShell logon script (Windows)" },
	{ "linux", "certmint-autoenroll.sh", CM_CLIENT_SH, "Linux script (openssl + curl --negotiate)" },
	{ "certmonger", "certmint-autoenroll-submit", CM_CLIENT_SH, "certmonger CA helper" },
};

#define MAX_ORGS 500

/* The MRAO's, as the realms (realm_pages.c): 1 allowed, 0 answered. */
static int
may_manage(struct admin_ctx *c)
{
	struct admin_object o = { .customer_id = c->user.customer_id };

	return edit_allowed(c, admin_may(c, ACTION_MANAGE_AD_SERVERS, &o),
	    "Only a master administrator (MRAO) downloads the auto-enrollment clients.");
}

/* <base_url>/customer/<uri>/autoenroll into out; 0, or -1 when base_url is unset. */
static int
request_url(struct admin_ctx *c, char *out, size_t outlen)
{
	const char *base = c->app->settings.base_url;
	size_t n = base ? strlen(base) : 0;

	if (n == 0)
		return -1;
	while (n > 0 && base[n - 1] == '/')
		n--;
	return (size_t)snprintf(out, outlen, "%.*s/customer/%s/autoenroll", (int)n, base, c->user.customer_uri) < outlen
	    ? 0 : -1;
}

/* Whether orgid is a live organisation of the customer: 1, 0, -1 database. */
static int
org_exists(struct admin_ctx *c, int64_t orgid)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT 1 FROM organizations WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
	int f = -1;

	if (st && cm_stmt_bind_i64(st, 0, orgid) == 0 && cm_stmt_bind_i64(st, 1, c->user.customer_id) == 0 &&
	    cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (st)
		cm_stmt_close(st);
	return f;
}

/* GET /admin/autoenroll */
void
admin_autoenroll_clients(struct admin_ctx *c)
{
	struct cm_stmt *st = NULL;
	char url[1024], num[32];
	long n = 0;
	int f;

	if (!may_manage(c))
		return;
	if (request_url(c, url, sizeof(url)) == 0 && cm_client_url_ok(url))
		cm_render_set(c->r, "Autoenroll.url", url);
	cm_render_set(c->r, "Autoenroll.customer", c->user.customer_uri);
	for (size_t i = 0; i < sizeof(clients) / sizeof(clients[0]); i++) {
		cm_render_setf(c->r, clients[i].name, "Clients.%zu.name", i);
		cm_render_setf(c->r, clients[i].file, "Clients.%zu.file", i);
		cm_render_setf(c->r, clients[i].label, "Clients.%zu.label", i);
	}
	st = cm_db_prepare(c->db, "SELECT id, name FROM organizations WHERE customer_id = ? AND deleted_at IS NULL"
	    " ORDER BY name, id LIMIT 501");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	while ((f = cm_stmt_fetch(st)) == 1 && n < MAX_ORGS) {
		snprintf(num, sizeof(num), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, num, "Orgs.%ld.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Orgs.%ld.name", n);
		n++;
	}
	if (f < 0)
		goto dberr;
	cm_stmt_close(st);
	cm_render_set(c->r, "Form.days", "30");
	admin_page(c, "Auto-enrollment client downloads", "admin/autoenroll_clients.cs");
	return;
dberr:
	cm_err("autoenroll organisations: %s", cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	admin_error(c, 500, "Internal error", "The organisations could not be read; this has been logged.");
}

/* Reads path (at most CM_CLIENT_SCRIPT_MAX) into *out. 0; 1 missing; -1 error. */
static int
read_script(const char *path, char **out, size_t *len)
{
	struct stat sb;
	size_t off = 0;
	char *p;
	int fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 1 : -1;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size > CM_CLIENT_SCRIPT_MAX ||
	    (p = malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		return -1;
	}
	while (off < (size_t)sb.st_size) {
		ssize_t r = read(fd, p + off, (size_t)sb.st_size - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	if (off != (size_t)sb.st_size) {
		free(p);
		return -1;
	}
	p[off] = '\0';
	*out = p;
	*len = off;
	return 0;
}

/* GET /admin/autoenroll/download?client=NAME&orgid=N&days=N: the filled
 * script as an attachment; a value outside its strict form is a 400. */
void
admin_autoenroll_download(struct admin_ctx *c)
{
	const char *name = cm_req_query(c->req, "client"), *orgid = cm_req_query(c->req, "orgid");
	const char *days = cm_req_query(c->req, "days");
	const struct client *cl = NULL;
	struct cm_client_values v;
	char url[1024], path[4096], why[256], disp[128];
	char *text = NULL, *out = NULL;
	size_t len = 0, outlen = 0;
	int r;

	if (!may_manage(c))
		return;
	for (size_t i = 0; name && i < sizeof(clients) / sizeof(clients[0]); i++)
		if (strcmp(name, clients[i].name) == 0)
			cl = &clients[i];
	if (cl == NULL) {
		admin_error(c, 400, "Unknown client", "Choose the PowerShell, Linux or certmonger client.");
		return;
	}
	orgid = orgid ? orgid : "";
	days = days && days[0] ? days : "30";
	if (request_url(c, url, sizeof(url)) < 0) {
		admin_error(c, 500, "Not configured", "certmint.conf [web] base_url is not set, so the request URL is "
		    "unknown; the operator sets it.");
		return;
	}
	if (orgid[0]) {
		int64_t id = cm_id_parse(orgid);

		if (id <= 0 || (r = org_exists(c, id)) == 0) {
			admin_error(c, 400, "Unknown organisation", "Choose one of your organisations, or none.");
			return;
		}
		if (r < 0) {
			cm_err("autoenroll download: %s", cm_db_error(c->db));
			admin_error(c, 500, "Internal error", "The organisation could not be read; this has been logged.");
			return;
		}
	}
	snprintf(path, sizeof(path), "%s/%s", c->app->settings.clients_dir, cl->file);
	if ((r = read_script(path, &text, &len)) != 0) {
		if (r < 0)
			cm_err("autoenroll client %s: cannot read it", path);
		admin_error(c, 404, "Not installed", "This client script is not installed on the server; this has been logged.");
		if (r > 0)
			cm_warn("autoenroll client %s is not installed", path);
		return;
	}
	v.url = url;
	v.customer = c->user.customer_uri;
	v.orgid = orgid;
	v.days = days;
	if (cm_client_fill(text, len, cl->lang, &v, &out, &outlen, why, sizeof(why)) < 0) {
		free(text);
		admin_error(c, 400, "Value refused", why);
		return;
	}
	free(text);
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", cl->file);
	cm_resp_content_type(c->resp, "application/octet-stream");
	if (cm_resp_header(c->resp, "Content-Disposition", disp) < 0 ||
	    cm_resp_header(c->resp, "X-Content-Type-Options", "nosniff") < 0 ||
	    cm_resp_write(c->resp, out, outlen) < 0) {
		cm_resp_reset(c->resp);
		admin_error(c, 500, "Internal error", "The script could not be sent; this has been logged.");
	}
	free(out);
}
