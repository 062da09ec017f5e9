/* test_client_fill.c: unit tests for the client scripts' placeholder filling (lib/client_fill.c): strict values, escaping per language, hostile values refused. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client_fill.h"
#include "tap.h"

static const char script[] = "URL='@CERTMINT_URL@'\nCUST='@CERTMINT_CUSTOMER@'\nORG='@CERTMINT_ORGID@'\n"
    "DAYS='@CERTMINT_DAYS@'\n# @CERTMINT_UNKNOWN@ stays\n@CERTMINT_URL";

static int
fill(const char *url, const char *cust, const char *org, const char *days, char **out)
{
	struct cm_client_values v = { url, cust, org, days };
	char why[256];
	size_t n;

	return cm_client_fill(script, strlen(script), CM_CLIENT_SH, &v, out, &n, why, sizeof(why));
}

int
main(void)
{
	struct cm_client_values v = { "https://ca.example.com/customer/demo/autoenroll", "demo", "12", "30" };
	char *out = NULL, why[256];
	size_t n;

	is_int(cm_client_fill(script, strlen(script), CM_CLIENT_SH, &v, &out, &n, why, sizeof(why)), 0, "filled");
	is_str(out, "URL='https://ca.example.com/customer/demo/autoenroll'\nCUST='demo'\nORG='12'\nDAYS='30'\n"
	    "# @CERTMINT_UNKNOWN@ stays\n@CERTMINT_URL", "every placeholder replaced, nothing else");
	ok(n == strlen(out), "length");
	free(out);
	v.orgid = "";
	is_int(cm_client_fill(script, strlen(script), CM_CLIENT_PS1, &v, &out, &n, why, sizeof(why)), 0, "no orgid");
	ok(strstr(out, "ORG=''\n") != NULL, "empty orgid");
	free(out);

	ok(cm_client_url_ok("http://localhost:8080/customer/demo/autoenroll"), "http with port");
	ok(!cm_client_url_ok("https://ca.example.com/customer/demo/autoenroll?x=1"), "query refused");
	ok(!cm_client_url_ok("https://ca.example.com/a'b"), "quote refused");
	ok(!cm_client_url_ok("https://ca.example.com/$(id)"), "$ refused");
	ok(!cm_client_url_ok("javascript:alert(1)"), "other scheme refused");
	ok(!cm_client_url_ok("https:///x"), "empty host refused");
	ok(!cm_client_url_ok("https://a:/x"), "empty port refused");

	is_int(fill("https://ca.example.com/x", "demo", "1;rm -rf /", "30", &out), -1, "hostile orgid refused");
	is_int(fill("https://ca.example.com/x", "demo", "0", "30", &out), -1, "orgid 0 refused");
	is_int(fill("https://ca.example.com/x", "de'mo", "", "30", &out), -1, "quote in customer refused");
	is_int(fill("https://ca.example.com/x", "demo", "", "0", &out), -1, "days 0 refused");
	is_int(fill("https://ca.example.com/x", "demo", "", "3651", &out), -1, "days 3651 refused");
	is_int(fill("https://ca.example.com/x", "demo", "", "3650", &out), 0, "days 3650 fine");
	free(out);
	is_int(fill("https://ca.example.com/x", "demo", "", "1e3", &out), -1, "days not digits refused");
	return tap_done();
}
