/* test_policy.c: the admin portal's one policy (role x object x action), its predicates, the cert_types parser, the scope cache and the access-code strength rule. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_ctx.h"
#include "log.h"
#include "org_model.h"
#include "policy.h"
#include "tap.h"

#define CUST 1
#define OTHER_CUST 2
#define ORG_A 10
#define ORG_B 20
#define DEPT_A 11     /* in ORG_A, the DRAO's */
#define DEPT_A2 12    /* in ORG_A, not the DRAO's */
#define DEPT_B 21     /* in ORG_B */

static struct admin_user
user(enum admin_role role, const char *types)
{
	struct admin_user u;

	memset(&u, 0, sizeof(u));
	u.id = 7;
	u.customer_id = CUST;
	u.role = role;
	strcpy(u.cert_types, types);
	return u;
}

static int
may(const struct admin_user *u, const struct cm_admin_scope *s, size_t n, enum admin_action a,
    int64_t cust, int64_t org, int64_t dept, const char *type)
{
	struct admin_object o = { cust, org, dept, type };

	return admin_policy(u, s, n, a, &o);
}

/* The questions built on the one cert_types parser (lib/cert_types.c). */
static void
test_types(void)
{
	struct admin_user u;

	u = user(ROLE_RAO, "ssl,codesign");
	ok(admin_has_type(&u, "ssl") && admin_has_type(&u, "codesign"), "has_type finds held types");
	ok(!admin_has_type(&u, "client") && !admin_has_type(&u, "ocsp") && !admin_has_type(&u, "sign"),
	    "has_type refuses others");
	u = user(ROLE_RAO, "");
	ok(!admin_has_type(&u, "ssl"), "no types: has none");
}

/* The profile rule that moved here from page.c. */
static void
test_profiles(void)
{
	struct admin_user mrao = user(ROLE_MRAO, "");
	struct admin_user rao_ssl = user(ROLE_RAO, "ssl");
	struct admin_user drao_cc = user(ROLE_DRAO, "client,codesign");
	struct admin_user none = user(ROLE_NONE, "ssl,client,codesign");

	ok(admin_profile_allowed(&mrao, "tls-server") && admin_profile_allowed(&mrao, "client-smime") &&
	    admin_profile_allowed(&mrao, "code-signing"), "an MRAO uses every portal profile, whatever its types");
	ok(!admin_profile_allowed(&mrao, "ocsp-signing"), "nobody uses ocsp-signing through the portal");
	ok(!admin_profile_allowed(&mrao, "nonsense") && !admin_profile_allowed(&mrao, NULL),
	    "an unknown or missing profile is refused");
	ok(admin_profile_allowed(&rao_ssl, "tls-server"), "an SSL RAO issues TLS server certificates");
	ok(!admin_profile_allowed(&rao_ssl, "client-smime") && !admin_profile_allowed(&rao_ssl, "code-signing"),
	    "an SSL RAO issues nothing else");
	ok(!admin_profile_allowed(&drao_cc, "tls-server") && admin_profile_allowed(&drao_cc, "client-smime") &&
	    admin_profile_allowed(&drao_cc, "code-signing"), "a DRAO issues its types");
	ok(!admin_profile_allowed(&drao_cc, "ocsp-signing"), "a DRAO never uses ocsp-signing");
	ok(admin_profile_allowed(&none, "tls-server"), "without a role the types decide (the route table refuses the role)");
}

/* The questions pages and templates ask instead of comparing roles. */
static void
test_predicates(void)
{
	struct admin_user mrao = user(ROLE_MRAO, "ssl,client,codesign");
	struct admin_user rao = user(ROLE_RAO, "ssl,client,codesign");
	struct admin_user drao = user(ROLE_DRAO, "ssl,client,codesign");
	struct admin_user none = user(ROLE_NONE, "ssl,client,codesign");
	const struct admin_user *all[] = { &mrao, &rao, &drao, &none };
	const char *names[] = { "MRAO", "RAO", "DRAO", "no role" };

	for (size_t i = 0; i < 4; i++) {
		int m = i == 0, r = i == 1;

		ok(admin_sees_whole_customer(all[i]) == m, "%s: whole customer %d", names[i], m);
		ok(admin_may_issue_without_org(all[i]) == m, "%s: issue without organisation %d", names[i], m);
		ok(admin_may_delegate_domains(all[i]) == (m || r), "%s: delegate domains %d", names[i], m || r);
		ok(admin_may_widen_delegations(all[i]) == m, "%s: widen delegations %d", names[i], m);
		ok(admin_may_read_whole_audit(all[i]) == m, "%s: whole audit log %d", names[i], m);
		ok(admin_may_verify_audit(all[i]) == m, "%s: verify audit %d", names[i], m);
		ok(admin_may_manage_ad_servers(all[i]) == m, "%s: AD servers %d", names[i], m);
		ok(admin_may_change_customer_settings(all[i]) == m, "%s: customer settings %d", names[i], m);
		ok(admin_may_grant_role(all[i], "mrao") == m, "%s: grant mrao %d", names[i], m);
		ok(admin_may_grant_role(all[i], "rao") == m, "%s: grant rao %d", names[i], m);
		ok(admin_may_grant_role(all[i], "drao") == (m || r), "%s: grant drao %d", names[i], m || r);
		ok(admin_may_grant_role(all[i], "root") == 0 && admin_may_grant_role(all[i], NULL) == 0,
		    "%s: grants no unknown role", names[i]);
		ok(admin_may_create_admins(all[i]) == (m || r), "%s: create administrators %d", names[i], m || r);
	}
	/* AD servers follow the policy table: an MRAO whose customer is unset gets nothing. */
	mrao.customer_id = 0;
	ok(admin_may_manage_ad_servers(&mrao) == 0, "an MRAO without a customer manages no AD servers");
}

/* The scope cache: filled, it answers admin_may and friends with no
 * database (c.db is NULL here, so any query would fail the test). */
static void
test_cache(void)
{
	struct admin_ctx c;
	struct cm_admin_scope out[ADMIN_MAX_SCOPES];
	struct admin_object o = { CUST, ORG_A, DEPT_A, "client" };

	memset(&c, 0, sizeof(c));
	c.user = user(ROLE_DRAO, "ssl,client,codesign");
	c.scopes.admin_id = c.user.id;
	c.scopes.n = 1;
	c.scopes.rows[0] = (struct cm_admin_scope){ ORG_A, DEPT_A };
	ok(admin_may(&c, ACTION_EDIT, &o) == 1, "cached DRAO edits its department");
	o.dept_id = DEPT_A2;
	ok(admin_may(&c, ACTION_EDIT, &o) == 0, "cached DRAO cannot edit a sibling");
	ok(admin_scopes_load(&c, out) == 1 && out[0].org_id == ORG_A && out[0].dept_id == DEPT_A,
	    "admin_scopes_load copies the cached rows");
	ok(admin_may_somewhere(&c, ACTION_EDIT, "client") == 1, "somewhere: the DRAO manages client holders");
	ok(admin_may_somewhere(&c, ACTION_DELEGATE_DOMAIN, "ssl") == 0, "somewhere: the DRAO delegates nowhere");
	c.scopes.n = 0;
	ok(admin_may_somewhere(&c, ACTION_EDIT, "client") == 0, "somewhere: no scope, nowhere");

	/* Customer-wide objects need no scope rows: nothing is read (no database here). */
	memset(&c, 0, sizeof(c));
	c.user = user(ROLE_RAO, "ssl,client,codesign");
	ok(admin_may(&c, ACTION_CREATE, &(struct admin_object){ CUST, 0, 0, NULL }) == 0,
	    "an RAO creates no organisation, asked without scope rows");
	ok(admin_may(&c, ACTION_MANAGE_AD_SERVERS, &(struct admin_object){ CUST, 0, 0, NULL }) == 0,
	    "an RAO manages no AD servers, asked without scope rows");
	ok(c.scopes.admin_id == 0, "nothing was read for customer-wide questions");

	/* An MRAO never reads scopes: nothing cached and no database, still answered. */
	memset(&c, 0, sizeof(c));
	c.user = user(ROLE_MRAO, "ssl");
	o.dept_id = DEPT_A;
	ok(admin_may(&c, ACTION_EDIT, &o) == 1, "MRAO answered without scope rows");
	ok(admin_scopes_load(&c, out) == 0, "MRAO has no scope rows");
	ok(admin_may_somewhere(&c, ACTION_EDIT, "client") == 1, "somewhere: an MRAO everywhere");
	ok(c.scopes.admin_id == 0, "nothing was cached for the MRAO");
}

/* The layout's booleans: header.cs shows the AD-server link from Nav.ad_servers. */
static void
test_nav(void)
{
	const char *src = getenv("CERTMINT_SRCDIR");
	const enum admin_role roles[] = { ROLE_MRAO, ROLE_RAO, ROLE_DRAO };
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/templates", src ? src : SRCDIR);
	for (size_t i = 0; i < 3; i++) {
		struct admin_ctx c;
		struct cm_response resp;
		const char *body;

		memset(&c, 0, sizeof(c));
		cm_resp_init(&resp);
		c.user = user(roles[i], "ssl,client,codesign");
		if ((c.r = cm_render_new(dir)) == NULL) {
			ok(0, "render context");
			continue;
		}
		cm_render_set(c.r, "User.principal", "alice@CERTMINT.TEST");
		admin_nav_set(&c);
		ok(cm_render_page(c.r, "admin/header.cs", &resp) == 0, "header renders for role %d", roles[i]);
		body = resp.body.data ? resp.body.data : "";
		ok((strstr(body, "/admin/ad-servers") != NULL) == (roles[i] == ROLE_MRAO),
		    "the AD-server link shows for role %d only if the policy says so", roles[i]);
		cm_render_free(c.r);
		cm_resp_free(&resp);
	}
}

int
main(void)
{
	struct admin_user mrao = user(ROLE_MRAO, "ssl,client,codesign");
	struct admin_user rao_a = user(ROLE_RAO, "ssl,client,codesign");
	struct admin_user rao_ssl = user(ROLE_RAO, "ssl");
	struct admin_user drao = user(ROLE_DRAO, "ssl,client,codesign");
	struct admin_user none = user(ROLE_NONE, "ssl,client,codesign");
	const struct cm_admin_scope sc_rao_a[] = { { ORG_A, 0 } };
	const struct cm_admin_scope sc_drao[] = { { ORG_A, DEPT_A } };
	enum admin_action a;

	/* MRAO: everything in its customer, nothing outside it. */
	for (a = 0; a < ACTION__MAX; a++) {
		ok(may(&mrao, NULL, 0, a, CUST, ORG_A, 0, NULL) == 1, "MRAO may action %d on an organisation", a);
		ok(may(&mrao, NULL, 0, a, CUST, ORG_B, DEPT_B, "codesign") == 1, "MRAO may action %d on any department", a);
		ok(may(&mrao, NULL, 0, a, OTHER_CUST, ORG_A, 0, NULL) == 0, "MRAO denied action %d in another customer", a);
	}
	ok(may(&mrao, NULL, 0, ACTION_CREATE, CUST, 0, 0, NULL) == 1, "MRAO creates organisations");

	/* RAO of A. */
	ok(may(&rao_a, sc_rao_a, 1, ACTION_VIEW, CUST, ORG_A, 0, NULL) == 1, "RAO A views org A");
	ok(may(&rao_a, sc_rao_a, 1, ACTION_EDIT, CUST, ORG_A, 0, "client") == 1, "RAO A edits org A's client tab");
	ok(may(&rao_a, sc_rao_a, 1, ACTION_VIEW_ACCESS_CODE, CUST, ORG_A, 0, NULL) == 1, "RAO A views org A's access code");
	ok(may(&rao_a, sc_rao_a, 1, ACTION_SET_ACCESS_CODE, CUST, ORG_A, DEPT_A2, NULL) == 1, "RAO A sets a department's access code");
	ok(may(&rao_a, sc_rao_a, 1, ACTION_MANAGE_DEPTS, CUST, ORG_A, 0, NULL) == 1, "RAO A adds departments to A");
	ok(may(&rao_a, sc_rao_a, 1, ACTION_EDIT, CUST, ORG_A, DEPT_A, NULL) == 1, "RAO A edits A's departments");
	ok(may(&rao_a, sc_rao_a, 1, ACTION_CREATE, CUST, 0, 0, NULL) == 0, "RAO A cannot create organisations");
	ok(may(&rao_a, sc_rao_a, 1, ACTION_DELETE, CUST, ORG_A, 0, NULL) == 0, "RAO A cannot delete its organisation");
	for (a = 0; a < ACTION__MAX; a++) {
		ok(may(&rao_a, sc_rao_a, 1, a, CUST, ORG_B, 0, NULL) == 0, "RAO A denied action %d on org B", a);
		ok(may(&rao_a, sc_rao_a, 1, a, CUST, ORG_B, DEPT_B, NULL) == 0, "RAO A denied action %d on B's department", a);
		ok(may(&rao_a, sc_rao_a, 1, a, OTHER_CUST, ORG_A, 0, NULL) == 0, "RAO A denied action %d in another customer", a);
		ok(may(&rao_a, sc_rao_a, 1, a, CUST, 0, 0, NULL) == 0, "RAO A denied action %d on customer-wide objects", a);
	}

	/* SSL-only RAO of A: its type only, and no access codes (client tab). */
	ok(may(&rao_ssl, sc_rao_a, 1, ACTION_VIEW, CUST, ORG_A, 0, NULL) == 1, "SSL RAO views org A");
	ok(may(&rao_ssl, sc_rao_a, 1, ACTION_EDIT, CUST, ORG_A, 0, "ssl") == 1, "SSL RAO edits the SSL tab");
	ok(may(&rao_ssl, sc_rao_a, 1, ACTION_EDIT, CUST, ORG_A, 0, "client") == 0, "SSL RAO cannot edit the client tab");
	ok(may(&rao_ssl, sc_rao_a, 1, ACTION_EDIT, CUST, ORG_A, 0, "codesign") == 0, "SSL RAO cannot edit code signing");
	ok(may(&rao_ssl, sc_rao_a, 1, ACTION_VIEW_ACCESS_CODE, CUST, ORG_A, 0, NULL) == 0, "SSL RAO cannot view access codes");
	ok(may(&rao_ssl, sc_rao_a, 1, ACTION_SET_ACCESS_CODE, CUST, ORG_A, 0, NULL) == 0, "SSL RAO cannot set access codes");

	/* DRAO of department A. */
	ok(may(&drao, sc_drao, 1, ACTION_VIEW, CUST, ORG_A, DEPT_A, NULL) == 1, "DRAO views its department");
	ok(may(&drao, sc_drao, 1, ACTION_EDIT, CUST, ORG_A, DEPT_A, "client") == 1, "DRAO edits its department");
	ok(may(&drao, sc_drao, 1, ACTION_VIEW, CUST, ORG_A, 0, NULL) == 1, "DRAO views the organisation holding it");
	ok(may(&drao, sc_drao, 1, ACTION_EDIT, CUST, ORG_A, 0, NULL) == 0, "DRAO cannot edit the organisation");
	ok(may(&drao, sc_drao, 1, ACTION_MANAGE_DEPTS, CUST, ORG_A, 0, NULL) == 0, "DRAO cannot add departments");
	ok(may(&drao, sc_drao, 1, ACTION_DELETE, CUST, ORG_A, DEPT_A, NULL) == 0, "DRAO cannot delete its department");
	ok(may(&drao, sc_drao, 1, ACTION_VIEW_ACCESS_CODE, CUST, ORG_A, DEPT_A, NULL) == 0, "DRAO never views an access code");
	ok(may(&drao, sc_drao, 1, ACTION_SET_ACCESS_CODE, CUST, ORG_A, DEPT_A, NULL) == 0, "DRAO never sets an access code");
	ok(may(&drao, sc_drao, 1, ACTION_VIEW_ACCESS_CODE, CUST, ORG_A, 0, NULL) == 0, "DRAO never views the org's access code");
	for (a = 0; a < ACTION__MAX; a++) {
		ok(may(&drao, sc_drao, 1, a, CUST, ORG_A, DEPT_A2, NULL) == 0, "DRAO denied action %d on a sibling department", a);
		ok(may(&drao, sc_drao, 1, a, CUST, ORG_B, DEPT_B, NULL) == 0, "DRAO denied action %d in org B", a);
		ok(may(&drao, sc_drao, 1, a, OTHER_CUST, ORG_A, DEPT_A, NULL) == 0, "DRAO denied action %d in another customer", a);
		ok(may(&none, sc_rao_a, 1, a, CUST, ORG_A, 0, NULL) == 0, "no role: denied action %d", a);
	}
	/* Domain delegation (DOMAINS): MRAO anywhere, RAO within its organisations and types, never a DRAO. */
	ok(may(&rao_a, sc_rao_a, 1, ACTION_DELEGATE_DOMAIN, CUST, ORG_A, DEPT_A, "client") == 1, "RAO A delegates a domain to A's department");
	ok(may(&rao_a, sc_rao_a, 1, ACTION_DELEGATE_DOMAIN, CUST, ORG_A, 0, "ssl") == 1, "RAO A delegates a domain to A");
	ok(may(&rao_a, sc_rao_a, 1, ACTION_DELEGATE_DOMAIN, CUST, ORG_B, 0, "ssl") == 0, "RAO A cannot delegate to org B");
	ok(may(&rao_ssl, sc_rao_a, 1, ACTION_DELEGATE_DOMAIN, CUST, ORG_A, 0, "ssl") == 1, "SSL RAO delegates for SSL");
	ok(may(&rao_ssl, sc_rao_a, 1, ACTION_DELEGATE_DOMAIN, CUST, ORG_A, 0, "client") == 0, "SSL RAO cannot delegate for client");
	ok(may(&drao, sc_drao, 1, ACTION_DELEGATE_DOMAIN, CUST, ORG_A, DEPT_A, "ssl") == 0, "DRAO cannot delegate domains");
	ok(may(&rao_a, sc_rao_a, 1, ACTION_EDIT, CUST, 0, 0, NULL) == 0, "RAO A cannot mark a (customer-wide) domain validated");
	ok(may(&mrao, NULL, 0, ACTION_EDIT, CUST, 0, 0, NULL) == 1, "MRAO marks a domain validated");
	/* Active Directory servers (ADSERVERS): the MRAO's; an RAO with client certificates sees its binding. */
	ok(may(&mrao, NULL, 0, ACTION_MANAGE_AD_SERVERS, CUST, 0, 0, NULL) == 1, "MRAO manages AD servers");
	ok(may(&mrao, NULL, 0, ACTION_MANAGE_AD_SERVERS, OTHER_CUST, 0, 0, NULL) == 0, "MRAO not another customer's AD servers");
	ok(may(&mrao, NULL, 0, ACTION_BIND_AD_SERVER, CUST, ORG_A, 0, NULL) == 1, "MRAO binds org A to an AD server");
	ok(may(&rao_a, sc_rao_a, 1, ACTION_MANAGE_AD_SERVERS, CUST, ORG_A, 0, NULL) == 0, "RAO A cannot manage AD servers");
	ok(may(&rao_a, sc_rao_a, 1, ACTION_BIND_AD_SERVER, CUST, ORG_A, 0, NULL) == 0, "RAO A cannot bind its organisation");
	ok(may(&rao_a, sc_rao_a, 1, ACTION_VIEW_AD_BINDING, CUST, ORG_A, 0, NULL) == 1, "RAO A sees org A's binding");
	ok(may(&rao_a, sc_rao_a, 1, ACTION_VIEW_AD_BINDING, CUST, ORG_B, 0, NULL) == 0, "RAO A does not see org B's binding");
	ok(may(&rao_ssl, sc_rao_a, 1, ACTION_VIEW_AD_BINDING, CUST, ORG_A, 0, NULL) == 0, "SSL RAO does not see the binding");
	ok(may(&drao, sc_drao, 1, ACTION_VIEW_AD_BINDING, CUST, ORG_A, 0, NULL) == 0, "DRAO does not see the binding");
	ok(may(&drao, sc_drao, 1, ACTION_BIND_AD_SERVER, CUST, ORG_A, DEPT_A, NULL) == 0, "DRAO cannot bind");
	ok(admin_policy(&mrao, NULL, 0, ACTION__MAX, &(struct admin_object){ CUST, ORG_A, 0, NULL }) == 0,
	    "an unknown action is denied");

	/* Administrators (ADMINS): who sees and manages which administrator rows. */
	{
		const struct cm_admin_scope t_dept_a[] = { { ORG_A, DEPT_A } }, t_dept_b[] = { { ORG_B, DEPT_B } };
		const struct cm_admin_scope t_org_a[] = { { ORG_A, 0 } };
		struct admin_target drao_all = { CUST, 30, t_dept_a, 1, "ssl,client,codesign" };
		struct admin_target drao_ssl = { CUST, 31, t_dept_a, 1, "ssl" };
		struct admin_target drao_b = { CUST, 32, t_dept_b, 1, "ssl" };
		struct admin_target rao_other = { CUST, 33, t_org_a, 1, "ssl" };
		struct admin_target an_mrao = { CUST, 34, NULL, 0, "ssl,client,codesign" };
		struct admin_target self_drao = { CUST, 7, t_dept_a, 1, "ssl" };
		struct admin_target self_rao = { CUST, 7, t_org_a, 1, "ssl" };
		struct admin_target foreign = { OTHER_CUST, 35, NULL, 0, "ssl" };

		ok(admin_policy_admin(&mrao, NULL, 0, ACTION_MANAGE_ADMINS, &an_mrao) == 1, "MRAO manages MRAOs");
		ok(admin_policy_admin(&mrao, NULL, 0, ACTION_MANAGE_ADMINS, &drao_b) == 1, "MRAO manages any DRAO");
		ok(admin_policy_admin(&mrao, NULL, 0, ACTION_VIEW_ADMIN, &foreign) == 0, "MRAO cannot see another customer's admin");
		ok(admin_policy_admin(&rao_a, sc_rao_a, 1, ACTION_VIEW_ADMIN, &drao_all) == 1, "RAO A sees A's DRAO");
		ok(admin_policy_admin(&rao_a, sc_rao_a, 1, ACTION_VIEW_ADMIN, &rao_other) == 1, "RAO A sees A's other RAO");
		ok(admin_policy_admin(&rao_a, sc_rao_a, 1, ACTION_MANAGE_ADMINS, &rao_other) == 0, "RAO A cannot manage an RAO");
		ok(admin_policy_admin(&rao_a, sc_rao_a, 1, ACTION_MANAGE_ADMINS, &drao_all) == 1, "RAO A manages A's DRAO");
		ok(admin_policy_admin(&rao_a, sc_rao_a, 1, ACTION_VIEW_ADMIN, &drao_b) == 0, "RAO A cannot see org B's DRAO");
		ok(admin_policy_admin(&rao_a, sc_rao_a, 1, ACTION_MANAGE_ADMINS, &drao_b) == 0, "RAO A cannot create a DRAO for org B");
		ok(admin_policy_admin(&rao_a, sc_rao_a, 1, ACTION_VIEW_ADMIN, &an_mrao) == 0, "RAO A cannot see an MRAO");
		ok(admin_policy_admin(&rao_ssl, sc_rao_a, 1, ACTION_MANAGE_ADMINS, &drao_ssl) == 1, "SSL RAO manages an SSL DRAO");
		ok(admin_policy_admin(&rao_ssl, sc_rao_a, 1, ACTION_MANAGE_ADMINS, &drao_all) == 0, "SSL RAO cannot grant types it lacks");
		ok(admin_policy_admin(&rao_ssl, sc_rao_a, 1, ACTION_VIEW_ADMIN, &drao_all) == 1, "SSL RAO sees A's DRAO");
		ok(admin_policy_admin(&rao_a, sc_rao_a, 1, ACTION_VIEW_ADMIN, &self_rao) == 1, "an RAO sees itself");
		ok(admin_policy_admin(&rao_a, sc_rao_a, 1, ACTION_MANAGE_ADMINS, &self_rao) == 0, "an RAO cannot change itself");
		ok(admin_policy_admin(&drao, sc_drao, 1, ACTION_VIEW_ADMIN, &self_drao) == 1, "a DRAO sees itself");
		ok(admin_policy_admin(&drao, sc_drao, 1, ACTION_MANAGE_ADMINS, &self_drao) == 0, "a DRAO cannot change itself");
		ok(admin_policy_admin(&drao, sc_drao, 1, ACTION_VIEW_ADMIN, &drao_ssl) == 0, "a DRAO cannot see another DRAO");
		ok(admin_policy_admin(&none, sc_rao_a, 1, ACTION_VIEW_ADMIN, &drao_all) == 0, "no role: no admin rows");
	}

	/* Access codes. */
	ok(org_access_code_weakness("Zq7vK3mXp9Lw") == NULL, "a random 12-character code is accepted");
	ok(org_access_code_weakness("Tr4in-Sp0t-92x") == NULL, "a code with punctuation is accepted");
	ok(org_access_code_weakness("Zq7vK3mXp9L") != NULL, "11 characters are refused");
	ok(org_access_code_weakness("ZqRvKTmXpWLw") != NULL, "letters only are refused");
	ok(org_access_code_weakness("839201746529") != NULL, "digits only are refused");
	ok(org_access_code_weakness("password1234") != NULL, "password1234 is refused");
	ok(org_access_code_weakness("PassWord9876") != NULL, "dictionary words are found in any case");
	ok(org_access_code_weakness("aaaaaaaa1111") != NULL, "aaaaaaaa1111 is refused");
	ok(org_access_code_weakness("abcd12345678") != NULL, "abcd12345678 is refused");
	ok(org_access_code_weakness("zyxw98765432") != NULL, "descending sequences are refused");
	ok(org_access_code_weakness("ab12ab12ab12") != NULL, "few distinct characters are refused");
	ok(org_access_code_weakness("Zq7v K3mXp9L") != NULL, "spaces are refused");

	test_types();
	test_profiles();
	test_predicates();
	test_cache();
	cm_log_init("test_policy", CM_LOG_ERR, 0);
	test_nav();
	return tap_done();
}
