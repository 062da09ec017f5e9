/* main.c: scep.fcgi, the SCEP server (RFC 8894) at /customer/<customer>/scep/<type>/pkiclient.exe: no login, its own uid. */
#include "config.h"

#include "scepd.h"
#include "web.h"

/*
 * The routes, for --routes and the route checks. scep.fcgi answers them
 * itself (the serve hook, serve.c): a SCEP client gets a CertRep for every
 * PKIOperation it sent (FAILURE included) or a one-line plain text, never
 * the web layer's HTML pages; and a request costs no session or template.
 * The body (at most CM_SCEP_MAX_MESSAGE bytes) is read there too.
 */
static const char *const scep_types[] = { "application/x-pki-message", NULL };

static const struct cm_route scep_routes[] = {
	{ "GET",  "/customer/<customer>/scep/<type>/pkiclient.exe", NULL, 0, 0, CM_BODY_NO },
	{ "POST", "/customer/<customer>/scep/<type>/pkiclient.exe", NULL, 0, 0,
	  { CM_BODY_RAW, CM_SCEP_MAX_MESSAGE, scep_types } },
};

/* Never called: serve answers every request. */
static void
scep_call(struct cm_web_request *w, const struct cm_route *rt)
{
	(void)rt;
	cm_resp_error(w->resp, 500, "Internal error.");
}

int
main(int argc, char **argv)
{
	static const struct cm_web_program prog = {
		.name = "scep.fcgi",
		.routes = scep_routes,
		.nroutes = sizeof(scep_routes) / sizeof(scep_routes[0]),
		.uses_db = 1,
		.call = scep_call,
		.serve = scepd_serve,
	};

	return cm_web_main(argc, argv, &prog);
}
