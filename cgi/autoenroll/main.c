/* main.c: autoenroll.fcgi, Windows domain auto-enrollment at /customer/<customer>/autoenroll: a Kerberos-authenticated user (Apache) checked against Active Directory gets an S/MIME certificate; its own uid. */
#include "config.h"

#include "autoenroll.h"
#include "web.h"

/*
 * The route, for --routes and the route checks. autoenroll.fcgi answers it
 * itself (the serve hook, serve.c), as scep.fcgi does: every answer, the
 * web layer's 404/405/413 included, carries X-Autoenroll-Code and a
 * key=value body a logon script can read, never an HTML page.
 */
static const struct cm_route aed_routes[] = {
	{ "POST", "/customer/<customer>/autoenroll", NULL, 0, 0, { CM_BODY_FORM, AED_MAX_BODY, NULL } },
};

/* Never called: serve answers every request. */
static void
aed_call(struct cm_web_request *w, const struct cm_route *rt)
{
	(void)rt;
	cm_resp_error(w->resp, 500, "Internal error.");
}

int
main(int argc, char **argv)
{
	static const struct cm_web_program prog = {
		.name = "autoenroll.fcgi",
		.routes = aed_routes,
		.nroutes = sizeof(aed_routes) / sizeof(aed_routes[0]),
		.uses_db = 1,
		.call = aed_call,
		.serve = aed_serve,
	};

	return cm_web_main(argc, argv, &prog);
}
