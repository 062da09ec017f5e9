/* test_approval.c: the approval rule (lib/approval.c: per certificate type; a department's SSL override) and the one profile -> certificate type mapping (lib/issuance.c). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "approval.h"
#include "issuance.h"

int
main(void)
{
	/* { org_ssl, org_client, org_codesign, dept_ssl }: dept -1 = "as the organisation" (NULL). */
	static const struct {
		const char *type;
		struct cm_approval_settings s;
		int want;
		const char *why;
	} rule[] = {
		{ "ssl", { 1, 0, 0, -1 }, 1, "ssl: organisation auto, department follows it: auto" },
		{ "ssl", { 0, 1, 1, -1 }, 0, "ssl: organisation manual, department follows it: manual" },
		{ "ssl", { 1, 1, 1, 0 }, 0, "ssl: organisation auto, department manual: manual" },
		{ "ssl", { 0, 0, 0, 1 }, 1, "ssl: organisation manual, department auto: auto" },
		{ "ssl", { 1, 0, 0, 1 }, 1, "ssl: both auto: auto" },
		{ "ssl", { 0, 1, 1, 0 }, 0, "ssl: both manual: manual (the other types' settings do not count)" },
		{ "ssl", { 7, 0, 0, -1 }, 1, "ssl: any non-zero organisation value is auto" },
		{ "ssl", { 0, 0, 0, -2 }, 0, "ssl: a department value that is not 0/1/-1 follows the organisation (manual)" },
		{ "ssl", { 1, 0, 0, -2 }, 1, "... (auto)" },
		{ "client", { 0, 1, 0, -1 }, 1, "client: the organisation's client setting on: auto" },
		{ "client", { 1, 0, 1, -1 }, 0, "client: the SSL setting on does not approve client requests" },
		{ "client", { 0, 0, 0, 1 }, 0, "client: a department's SSL override does not either" },
		{ "client", { 0, 1, 0, 0 }, 1, "client: nor does a department's SSL manual stop it" },
		{ "codesign", { 0, 0, 1, -1 }, 1, "codesign: the organisation's code-signing setting on: auto" },
		{ "codesign", { 1, 1, 0, -1 }, 0, "codesign: the SSL and client settings on do not approve code signing" },
		{ "codesign", { 0, 0, 0, 1 }, 0, "codesign: a department's SSL override does not either" },
		{ "ocsp", { 1, 1, 1, 1 }, 0, "ocsp: never, whatever the settings" },
		{ "SSL", { 1, 1, 1, 1 }, 0, "an unknown type (case matters): never" },
		{ "", { 1, 1, 1, 1 }, 0, "an empty type: never" },
		{ NULL, { 1, 1, 1, 1 }, 0, "no type: never" },
	};

	for (size_t i = 0; i < sizeof(rule) / sizeof(rule[0]); i++)
		is_int(cm_approval_auto(rule[i].type, &rule[i].s), rule[i].want, rule[i].why);

	is_str(cm_cert_type_of("tls-server"), "ssl", "tls-server issues ssl");
	is_str(cm_cert_type_of("client-smime"), "client", "client-smime issues client");
	is_str(cm_cert_type_of("code-signing"), "codesign", "code-signing issues codesign");
	is_str(cm_cert_type_of("ocsp-signing"), "ocsp", "ocsp-signing issues ocsp");
	ok(cm_cert_type_of("TLS-SERVER") == NULL, "profile names are exact (case matters)");
	ok(cm_cert_type_of("tls-server ") == NULL, "... no trailing space");
	ok(cm_cert_type_of("") == NULL, "an empty profile has no type");
	ok(cm_cert_type_of(NULL) == NULL, "NULL has no type");
	/* Through the profile mapping: an organisation that approves SSL
	 * automatically and nothing else. */
	{
		static const struct cm_approval_settings only_ssl = { 1, 0, 0, -1 };

		is_int(cm_approval_auto(cm_cert_type_of("tls-server"), &only_ssl), 1, "only SSL on: tls-server is auto-approved");
		is_int(cm_approval_auto(cm_cert_type_of("client-smime"), &only_ssl), 0, "... client-smime waits");
		is_int(cm_approval_auto(cm_cert_type_of("code-signing"), &only_ssl), 0, "... code-signing waits");
		is_int(cm_approval_auto(cm_cert_type_of("ocsp-signing"), &only_ssl), 0, "... ocsp-signing waits");
	}
	/* The approver is compared with the requester as admins.principal is
	 * unique: without case; nothing matches an unknown requester. */
	is_int(cm_is_requester("alice@CERTMINT.TEST", "alice@CERTMINT.TEST"), 1, "the requester is the requester");
	is_int(cm_is_requester("alice@CERTMINT.TEST", "Alice@certmint.test"), 1, "... whatever the case");
	is_int(cm_is_requester("alice@CERTMINT.TEST", "carol@CERTMINT.TEST"), 0, "another administrator is not");
	is_int(cm_is_requester("cli:root", "alice@CERTMINT.TEST"), 0, "nor is a CLI requester a portal one");
	is_int(cm_is_requester(NULL, "alice@CERTMINT.TEST"), 0, "an unknown requester matches nobody");
	is_int(cm_is_requester("", ""), 0, "... nor does an empty one");
	return tap_done();
}
