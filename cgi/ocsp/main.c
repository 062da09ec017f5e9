/* main.c: ocsp.fcgi, the OCSP responder (RFC 6960, RFC 5019) at /ocsp: no login, its own uid, the pre-signed store first. */
#include "config.h"

#include "ocspd.h"
#include "web.h"

/*
 * The routes, for --routes and the route checks. ocsp.fcgi answers them
 * itself (the serve hook, responder.c): an OCSP client gets an OCSP
 * response for every request, malformedRequest included, never the web
 * layer's HTML errors; and a request costs no session, template or
 * per-request database ping. The body (at most CM_OCSP_REQ_MAX bytes of
 * DER) is read there too. The GET pattern stands for the URL-encoded
 * base64 of the request, which may itself contain '/'.
 */
static const char *const ocsp_types[] = { "application/ocsp-request", NULL };

static const struct cm_route ocsp_routes[] = {
	{ "POST", "/ocsp",           NULL, 0, 0, { CM_BODY_RAW, CM_OCSP_REQ_MAX, ocsp_types } },
	{ "GET",  "/ocsp/<request>", NULL, 0, 0, CM_BODY_NO },
};

/* Never called: serve answers every request. */
static void
ocsp_call(struct cm_web_request *w, const struct cm_route *rt)
{
	(void)rt;
	cm_resp_error(w->resp, 500, "Internal error.");
}

int
main(int argc, char **argv)
{
	static const struct cm_web_program prog = {
		.name = "ocsp.fcgi",
		.routes = ocsp_routes,
		.nroutes = sizeof(ocsp_routes) / sizeof(ocsp_routes[0]),
		.uses_db = 1,
		.call = ocsp_call,
		.serve = ocspd_serve,
	};

	return cm_web_main(argc, argv, &prog);
}
