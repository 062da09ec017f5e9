/* test_approval.c: the approval rule (organisation vs department SSL setting) and the one profile -> certificate type mapping (lib/issuance.c). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "issuance.h"

int
main(void)
{
	/* cm_approval_auto(org, dept): dept -1 = "as the organisation" (NULL). */
	static const struct {
		int org, dept, want;
		const char *why;
	} rule[] = {
		{ 1, -1, 1, "organisation auto, department follows it: auto" },
		{ 0, -1, 0, "organisation manual, department follows it: manual" },
		{ 1, 0, 0, "organisation auto, department manual: manual" },
		{ 0, 1, 1, "organisation manual, department auto: auto" },
		{ 1, 1, 1, "both auto: auto" },
		{ 0, 0, 0, "both manual: manual" },
		{ 7, -1, 1, "any non-zero organisation value is auto" },
		{ 0, -2, 0, "a department value that is not 0/1/-1 follows the organisation (manual)" },
		{ 1, -2, 1, "... (auto)" },
	};

	for (size_t i = 0; i < sizeof(rule) / sizeof(rule[0]); i++)
		is_int(cm_approval_auto(rule[i].org, rule[i].dept), rule[i].want, rule[i].why);

	is_str(cm_cert_type_of("tls-server"), "ssl", "tls-server issues ssl");
	is_str(cm_cert_type_of("client-smime"), "client", "client-smime issues client");
	is_str(cm_cert_type_of("code-signing"), "codesign", "code-signing issues codesign");
	is_str(cm_cert_type_of("ocsp-signing"), "ocsp", "ocsp-signing issues ocsp");
	ok(cm_cert_type_of("TLS-SERVER") == NULL, "profile names are exact (case matters)");
	ok(cm_cert_type_of("tls-server ") == NULL, "... no trailing space");
	ok(cm_cert_type_of("") == NULL, "an empty profile has no type");
	ok(cm_cert_type_of(NULL) == NULL, "NULL has no type");
	return tap_done();
}
