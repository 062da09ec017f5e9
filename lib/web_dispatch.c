/* web_dispatch.c: one request through a program: its hooks, the route, the body and CSRF, in web.h's order. */
#include "config.h"

#include <string.h>

#include "log.h"
#include "web.h"

void
cm_web_error(struct cm_web_request *w, int status, const char *title, const char *message)
{
	if (w->app->prog->error)
		w->app->prog->error(w, status, title, message);
	else
		cm_resp_error(w->resp, status, message);
}

/* 0 / -1 logged; see web.h. */
int
cm_web_app_db(struct cm_web_app *app, const char *who)
{
	const char *sep = who ? ": " : "";
	char err[256];

	if (who == NULL)
		who = "";
	if (app->db == NULL) {
		if (cm_db_connect(&app->db, &app->settings, err, sizeof(err)) < 0) {
			cm_err("%s%sdatabase unavailable: %s", who, sep, err);
			app->db = NULL;
			return -1;
		}
		return 0;
	}
	if (cm_db_ping(app->db) < 0) {
		cm_err("%s%sdatabase unavailable: %s", who, sep, cm_db_error(app->db));
		return -1;
	}
	return 0;
}

/* 0 when the connection is up, else -1 after answering 503. A worker whose
 * connection failed at start gets a new one here, so it recovers once the
 * database is back. */
int
cm_web_need_db(struct cm_web_request *w)
{
	if (w->db_checked)
		return 0;
	if (cm_web_app_db(w->app, NULL) == 0) {
		w->db_checked = 1;
		return 0;
	}
	cm_web_error(w, 503, "Service unavailable",
	    "certmint cannot reach its database right now; try again in a minute.");
	return -1;
}

/* The FastCGI handler: every rule of a route is applied here, once. */
void
cm_web_serve(void *appv, struct cm_request *req, int parse_status, struct cm_response *resp)
{
	struct cm_web_app *app = appv;
	const struct cm_web_program *p = app->prog;
	struct cm_web_request w;
	const struct cm_route *rt;
	int path_found, st;

	memset(&w, 0, sizeof(w));
	w.app = app;
	w.req = req;
	w.resp = resp;
	if (p->open && p->open(&w) < 0) {
		cm_resp_error(resp, 500, "Out of memory.");
		return;
	}
	if (parse_status != 0) {
		cm_web_error(&w, parse_status, "The request could not be read",
		    req->error[0] ? req->error : "The request was malformed.");
		goto out;
	}
	if (p->authenticate && p->authenticate(&w) < 0)
		goto out;
	if (p->uses_db && cm_web_need_db(&w) < 0)
		goto out;
	rt = cm_route_match(p->routes, p->nroutes, req->method, req->parts, req->nparts, &w.id,
	    &path_found);
	if (rt == NULL) {
		if (path_found)
			cm_web_error(&w, 405, "Method not allowed", "This page cannot be used that way.");
		else
			cm_web_error(&w, 404, "Not found", "There is no such page in certmint.");
		goto out;
	}
	w.route = rt;
	if (p->authorize && p->authorize(&w, rt) < 0)
		goto out;
	/* Only now, for someone who may use the route, is the body read. */
	if ((st = cm_request_read_body(req, &rt->body)) != 0) {
		cm_info("request refused with %d: %s", st, req->error);
		cm_web_error(&w, st, "The request could not be read",
		    req->error[0] ? req->error : "The request was malformed.");
		goto out;
	}
	if ((rt->flags & CM_ROUTE_CSRF) &&
	    (w.session == NULL || !cm_csrf_valid(w.session, cm_req_form(req, "csrf")))) {
		cm_warn("csrf check failed for %s on %s", req->remote_user ? req->remote_user : "-",
		    req->path);
		cm_web_error(&w, 403, "Form expired",
		    "The form expired or was not sent from certmint; reload the page and try again.");
		goto out;
	}
	p->call(&w, rt);
out:
	if (p->close)
		p->close(&w);
}
