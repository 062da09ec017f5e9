/* main.c: example.fcgi, a tiny program built only for tests: the web layer with no login, a form and a raw body. */
#include "config.h"

#include <stdio.h>

#include <openssl/evp.h>

#include "web.h"

/* This program's handlers take the web layer's request itself. */
typedef void (*example_handler)(struct cm_web_request *w);

/* GET /example: a plain page. */
static void
example_home(struct cm_web_request *w)
{
	cm_resp_content_type(w->resp, "text/plain; charset=utf-8");
	cm_resp_puts(w->resp, "example home\n");
}

/* GET /example/items/#: the id the route matched. */
static void
example_item(struct cm_web_request *w)
{
	cm_resp_content_type(w->resp, "text/plain; charset=utf-8");
	cm_buf_printf(&w->resp->body, "item %lld\n", (long long)w->id);
}

/* POST /example/items/#: a url-encoded form; echoes its "name" field. */
static void
example_item_save(struct cm_web_request *w)
{
	const char *name = cm_req_form(w->req, "name");

	cm_resp_content_type(w->resp, "text/plain; charset=utf-8");
	cm_buf_printf(&w->resp->body, "item %lld name=%s\n", (long long)w->id, name ? name : "(none)");
}

/* POST /example/digest: any of the raw types; answers the body's length and SHA-256. */
static void
example_digest(struct cm_web_request *w)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(w->req->body, w->req->body_len, md, &n, EVP_sha256(), NULL) != 1) {
		cm_resp_error(w->resp, 500, "The digest could not be computed.");
		return;
	}
	cm_resp_content_type(w->resp, "text/plain; charset=utf-8");
	cm_buf_printf(&w->resp->body, "%zu bytes of %s sha256=", w->req->body_len, w->req->content_type);
	for (unsigned int i = 0; i < n; i++)
		cm_buf_printf(&w->resp->body, "%02x", md[i]);
	cm_resp_puts(w->resp, "\n");
}

static const char *const digest_types[] = {
	"application/octet-stream", "application/pkcs10", NULL
};

static const struct cm_route example_routes[] = {
	{ "GET",  "/example",          CM_HANDLER(example_home),      0, 0, CM_BODY_NO },
	{ "GET",  "/example/items/#",  CM_HANDLER(example_item),      0, 0, CM_BODY_NO },
	{ "POST", "/example/items/#",  CM_HANDLER(example_item_save), 0, 0,
	    { CM_BODY_URLENCODED, 1024, NULL } },
	{ "POST", "/example/digest",   CM_HANDLER(example_digest),    0, 0,
	    { CM_BODY_RAW, 4096, digest_types } },
};

/* call hook: every route above holds an example_handler. */
static void
example_call(struct cm_web_request *w, const struct cm_route *rt)
{
	((example_handler)rt->handler)(w);
}

int
main(int argc, char **argv)
{
	static const struct cm_web_program prog = {
		.name = "example.fcgi",
		.routes = example_routes,
		.nroutes = sizeof(example_routes) / sizeof(example_routes[0]),
		.uses_db = 0,
		.call = example_call,
	};

	return cm_web_main(argc, argv, &prog);
}
