/* test_render.c: templates render through render.c with every var: HTML-escaped; failures become a 500. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "render.h"
#include "response.h"
#include "tap.h"

#define HOSTILE "<script>alert(\"x\")</script>&'"

int
main(void)
{
	const char *src = getenv("CERTMINT_SRCDIR");
	char dir[4096];
	struct cm_render *r;
	struct cm_response resp;
	const char *body;

	cm_log_init("test_render", CM_LOG_ERR, 0);
	snprintf(dir, sizeof(dir), "%s/templates", src ? src : SRCDIR);

	/* The error page with a hostile message, title and user name. */
	cm_resp_init(&resp);
	r = cm_render_new(dir);
	ok(r != NULL, "render context");
	cm_render_set_list(r, "Error.title", HOSTILE, "Error.message", HOSTILE,
	    "User.principal", "<b>eve</b>@X", "User.name", HOSTILE, "Static.url", "/static", NULL);
	cm_render_set_int(r, "Error.code", 403);
	ok(cm_render_page(r, "admin/error.cs", &resp) == 0, "error page renders");
	body = resp.body.data ? resp.body.data : "";
	ok(strstr(body, "<script>") == NULL, "no raw <script> in the page");
	ok(strstr(body, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;") != NULL,
	    "hostile value comes out escaped (& < > \" ')");
	ok(strstr(body, "<b>eve</b>") == NULL && strstr(body, "&lt;b&gt;eve&lt;/b&gt;@X") != NULL,
	    "the user bar escapes the principal");
	ok(strstr(body, "403") != NULL, "the page shows the status");
	is_int(resp.status, 200, "status left as set by the caller");
	cm_render_free(r);
	cm_resp_free(&resp);

	/* The CSR form keeps hostile input inside the textarea, escaped. */
	cm_resp_init(&resp);
	r = cm_render_new(dir);
	cm_render_set_list(r, "User.principal", "alice@CERTMINT.TEST", "Form.csr",
	    "</textarea><script>x</script>", "Form.days", "\"><img src=x>", "Session.csrf", "abc",
	    "Profiles.0.name", "tls-server", "Form.profile", "tls-server", NULL);
	ok(cm_render_page(r, "admin/csr_form.cs", &resp) == 0, "CSR form renders");
	body = resp.body.data ? resp.body.data : "";
	ok(strstr(body, "</textarea><script>") == NULL &&
	    strstr(body, "&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;") != NULL,
	    "textarea content escaped");
	ok(strstr(body, "\"><img") == NULL, "attribute value escaped");
	ok(strstr(body, "option value=\"tls-server\" selected") != NULL, "selected profile kept");
	cm_render_free(r);
	cm_resp_free(&resp);

	/* A missing template: 500, error text not shown. */
	cm_resp_init(&resp);
	r = cm_render_new(dir);
	ok(cm_render_page(r, "admin/does-not-exist.cs", &resp) == -1, "missing template fails");
	is_int(resp.status, 500, "answers 500");
	body = resp.body.data ? resp.body.data : "";
	ok(strstr(body, "does-not-exist") == NULL, "the ClearSilver error is not shown");
	cm_render_free(r);
	cm_resp_free(&resp);

	/* Handlers cannot switch escaping off. */
	r = cm_render_new(dir);
	ok(cm_render_set(r, "Config.VarEscapeMode", "none") == -1, "Config.* cannot be set");
	cm_resp_init(&resp);
	ok(cm_render_page(r, "admin/error.cs", &resp) == -1 && resp.status == 500,
	    "after a refused set the page is a 500");
	cm_render_free(r);
	cm_resp_free(&resp);
	return tap_done();
}
