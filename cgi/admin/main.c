/* main.c: admin.fcgi: its routes (routes.c) and hooks (auth.c) handed to the web layer's main(). */
#include "config.h"

#include "admin_ctx.h"

static const struct cm_web_program admin_program = {
	.name = "admin.fcgi",
	.routes = admin_routes,
	.uses_db = 1,
	.access_name = admin_access_name,
	.open = admin_web_open,
	.authenticate = admin_web_authenticate,
	.authorize = admin_web_authorize,
	.call = admin_web_call,
	.error = admin_web_error,
	.close = admin_web_close,
};

int
main(int argc, char **argv)
{
	struct cm_web_program p = admin_program;

	p.nroutes = admin_nroutes;
	return cm_web_main(argc, argv, &p);
}
