/* test_policy.c: the admin portal's one policy (role x object x action) and the access-code strength rule. */
#include "config.h"

#include <string.h>

#include "admin_ctx.h"
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
may(const struct admin_user *u, const struct admin_scope *s, size_t n, enum admin_action a,
    int64_t cust, int64_t org, int64_t dept, const char *type)
{
	struct admin_object o = { cust, org, dept, type };

	return admin_policy(u, s, n, a, &o);
}

int
main(void)
{
	struct admin_user mrao = user(ROLE_MRAO, "ssl,client,codesign");
	struct admin_user rao_a = user(ROLE_RAO, "ssl,client,codesign");
	struct admin_user rao_ssl = user(ROLE_RAO, "ssl");
	struct admin_user drao = user(ROLE_DRAO, "ssl,client,codesign");
	struct admin_user none = user(ROLE_NONE, "ssl,client,codesign");
	const struct admin_scope sc_rao_a[] = { { ORG_A, 0 } };
	const struct admin_scope sc_drao[] = { { ORG_A, DEPT_A } };
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
		const struct admin_scope t_dept_a[] = { { ORG_A, DEPT_A } }, t_dept_b[] = { { ORG_B, DEPT_B } };
		const struct admin_scope t_org_a[] = { { ORG_A, 0 } };
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
	return tap_done();
}
