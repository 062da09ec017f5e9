/* web.h: the web layer every .fcgi program stands on: route table, dispatcher, hooks, main(). */
#ifndef CM_WEB_H
#define CM_WEB_H

/*
 * A program is a table of routes, a few hooks and one call:
 *
 *     static const struct cm_route routes[] = {
 *             { "GET",  "/example",         CM_HANDLER(ex_home), 0, 0, CM_BODY_NO },
 *             { "POST", "/example/items/#", CM_HANDLER(ex_save), 0, 0, CM_BODY_FORM_DEFAULT },
 *     };
 *     static const struct cm_web_program prog = { .name = "example.fcgi", .routes = routes,
 *             .nroutes = sizeof(routes) / sizeof(routes[0]), .call = ex_call };
 *     int main(int argc, char **argv) { return cm_web_main(argc, argv, &prog); }
 *
 * For each request the dispatcher (cm_web_serve) runs, in this order, and
 * stops at the first step that answers:
 *
 *   1. open(w)              the program builds its own per-request context in w->ctx
 *   2. the head is parsed   (path, query, cookies, REMOTE_USER; 400 when malformed)
 *   3. authenticate(w)      who is asking, from the headers (REMOTE_USER, cookies);
 *                           may set w->session for the CSRF check
 *   4. the database         when the program uses one: 503 when it cannot be reached
 *   5. route matching       404 when no pattern matches, 405 when the path matches
 *                           but not the method; HEAD is served by a GET route
 *   6. authorize(w, rt)     may this user use this route (rt->access)?
 *   7. the body             read as rt->body says: 411, 413, 415, 400 on error
 *   8. CSRF                 CM_ROUTE_CSRF: the form's "csrf" must be w->session's token
 *   9. call(w, rt)          the program calls rt->handler with its own context
 *  10. close(w)             always, when open succeeded
 *
 * so nobody who may not use a route costs the server its body (steps 3-6
 * come before 7). Errors go out through the program's error hook (its own
 * layout) or, without one, cm_resp_error.
 *
 * Handlers keep the program's own type: a route stores a generic function
 * pointer (cm_route_fn, made with CM_HANDLER) and the program's call hook
 * converts it back to its handler type before calling it. Converting a
 * function pointer to another function-pointer type and back is defined C;
 * calling it through the wrong type is not, so only the program calls it.
 */

#include <stdint.h>
#include <stdio.h>

#include "db.h"
#include "fcgi_main.h"
#include "request.h"
#include "response.h"
#include "session.h"
#include "settings.h"

/* A handler of any program, stored generically (see above). */
typedef void (*cm_route_fn)(void);
#define CM_HANDLER(fn) ((cm_route_fn)(fn))

#define CM_ROUTE_CSRF 0x1      /* the form must carry the session's csrf token */

/* Body rules for route tables (struct cm_body_rule initialisers). */
#define CM_BODY_NO            { CM_BODY_NONE, 0, NULL }
#define CM_BODY_FORM_DEFAULT  { CM_BODY_FORM, 0, NULL }   /* url-encoded or multipart, max_body */

struct cm_route {
	const char *method;       /* "GET", "POST", ... (a GET route also serves HEAD) */
	const char *pattern;      /* "/admin/certificates/#/download"; '#' = one positive id */
	cm_route_fn handler;      /* the program's handler, converted (CM_HANDLER) */
	unsigned flags;           /* CM_ROUTE_* */
	int access;               /* the program's access level (admin.fcgi: the minimum role) */
	struct cm_body_rule body; /* what body the route reads; CM_BODY_NO for none */
};

/* One per process: the configuration and this worker's database connection. */
struct cm_web_app {
	struct cm_settings settings;
	struct cm_db *db;         /* NULL when the program uses none or the connection failed */
	const struct cm_web_program *prog;
};

/* One per request; the hooks share it. */
struct cm_web_request {
	struct cm_web_app *app;
	struct cm_request *req;
	struct cm_response *resp;
	const struct cm_route *route;  /* the matched route (from step 5) */
	int64_t id;                    /* the '#' path segment, else 0 */
	const struct cm_session *session;  /* set by authenticate; CSRF checks against it */
	void *ctx;                     /* the program's own per-request context */
	int db_checked;                /* cm_web_need_db already succeeded */
};

struct cm_web_program {
	const char *name;              /* "admin.fcgi": logs and usage */
	const struct cm_route *routes;
	size_t nroutes;
	int uses_db;                   /* 1: a current schema at start, a connection per worker, 503 without */
	/* "min=drao" for --routes, or NULL when access means nothing to the program. */
	const char *(*access_name)(int access);

	/* Hooks; every one may be NULL except call. Those returning int give 0
	 * to go on, or -1 once they have answered the request (an error page). */
	int (*open)(struct cm_web_request *w);        /* -1: out of memory (500, plain) */
	int (*authenticate)(struct cm_web_request *w);
	int (*authorize)(struct cm_web_request *w, const struct cm_route *rt);
	void (*call)(struct cm_web_request *w, const struct cm_route *rt);
	void (*error)(struct cm_web_request *w, int status, const char *title, const char *message);
	void (*close)(struct cm_web_request *w);

	/* A protocol responder that needs no login, session, body rules or
	 * pages (ocsp.fcgi) may take each request whole instead of the
	 * dispatcher: it is called as cm_web_serve would be (app is the
	 * struct cm_web_app) and answers everything itself; routes still list
	 * what it serves (--routes). NULL for every page program. */
	cm_handler_fn serve;
};

/* web_route.c */

/*
 * Finds the route for method and the path parts: returns it (*id gets the
 * '#' segment, else 0), or NULL with *path_found 1 when a route has the path
 * but not the method (405), 0 when none has it (404). HEAD matches GET.
 */
const struct cm_route *cm_route_match(const struct cm_route *routes, size_t n,
    const char *method, char *const *parts, size_t nparts, int64_t *id, int *path_found);

/* 1 when the path parts match pattern segment by segment ('#' = a positive
 * id, cm_id_parse; *id gets it), else 0. */
int cm_route_path_matches(const char *pattern, char *const *parts, size_t nparts, int64_t *id);

/*
 * Prints the table as "METHOD PATTERN flags" lines: flags are "csrf," when
 * the form needs the token, then access_name(access) (or "-" when there is
 * neither), then for a route that reads a body ",body=KINDS" (form,
 * urlencoded, multipart, raw:TYPE|TYPE) and ",max=BYTES" when it has its own
 * cap. 0, or -1 when writing failed.
 */
int cm_routes_print(const struct cm_web_program *p, FILE *out);

/* web_dispatch.c */

/* The FastCGI handler (cm_handler_fn) that runs the steps above; app is a
 * struct cm_web_app. */
void cm_web_serve(void *app, struct cm_request *req, int parse_status, struct cm_response *resp);

/* Answers with the program's error page (or cm_resp_error). */
void cm_web_error(struct cm_web_request *w, int status, const char *title, const char *message);

/* Makes sure the worker's database connection is up (pinging it, which also
 * reconnects); otherwise logs, answers 503 and returns -1. 0 when up. An
 * authenticate hook that needs the database calls it first. */
int cm_web_need_db(struct cm_web_request *w);

/* The worker's database connection, up: connects when there is none, else
 * pings (which also reconnects). 0, or -1 logged as "WHO: database
 * unavailable: ..." (who NULL: no prefix). The serve hooks' programs, which
 * answer their own errors, call it; cm_web_need_db does too. */
int cm_web_app_db(struct cm_web_app *app, const char *who);

/* web_main.c */

/*
 * The whole main() of a program: options (-c CERTMINT_CONF -s SOCKET
 * -n WORKERS -u USER -g SOCKET_GROUP -m SOCKET_MODE, -h, --routes),
 * certmint.conf, waiting for the database and a current schema (uses_db;
 * certmint migrate applies it), the socket owned by USER with Apache's
 * group, pre-forked workers each with its own database connection, the
 * switch to USER (the program's own uid), and serving until SIGTERM. Returns the exit
 * status: 0 after a clean stop or --routes/-h, 1 on a start-up failure, 2 on
 * a usage error.
 */
int cm_web_main(int argc, char **argv, const struct cm_web_program *p);

#endif
