/* test_ad_entry.c: unit tests for the AD client's network-free half (lib/ad_entry.c): stage names, RFC 4515 escaping, the user filter, entry parsing, userAccountControl. */
#include "config.h"

#include <string.h>

#include "ad_lookup.h"
#include "tap.h"

static char why[512];

/* The filter for p, or "ERR". */
static const char *
filter(const char *p)
{
	static char out[2048];

	if (cm_ad_user_filter(p, out, sizeof(out), why, sizeof(why)) < 0)
		return "ERR";
	return out;
}

static const char *
esc(const char *in)
{
	static char out[256];

	if (cm_ad_filter_escape(in, strlen(in), out, sizeof(out)) < 0)
		return "ERR";
	return out;
}

/* One attribute with one value. */
static int
attr1(struct cm_ad_user *u, const char *name, const char *value)
{
	struct cm_ad_value v = { value, strlen(value) };

	return cm_ad_entry_attr(u, name, &v, 1, why, sizeof(why));
}

int
main(void)
{
	struct cm_ad_user u;
	struct cm_ad_value two[2] = { { "a@x", 3 }, { "b@x", 3 } };
	char big[600], aad[CM_AD_AAD_MAX];

	/* Stage names: what the portal and the logs show. */
	is_str(cm_ad_stage_name(CM_AD_OK), "ok", "stage ok");
	is_str(cm_ad_stage_name(CM_AD_CONFIG), "config", "stage config");
	is_str(cm_ad_stage_name(CM_AD_DNS), "dns", "stage dns");
	is_str(cm_ad_stage_name(CM_AD_TCP), "tcp", "stage tcp");
	is_str(cm_ad_stage_name(CM_AD_TLS), "tls", "stage tls");
	is_str(cm_ad_stage_name(CM_AD_BIND), "bind", "stage bind");
	is_str(cm_ad_stage_name(CM_AD_BASE_DN), "base_dn", "stage base_dn");
	is_str(cm_ad_stage_name(CM_AD_SEARCH), "search", "stage search");
	is_str(cm_ad_stage_name(CM_AD_NOT_FOUND), "not_found", "stage not_found");
	is_str(cm_ad_stage_name(CM_AD_AMBIGUOUS), "ambiguous", "stage ambiguous");
	is_str(cm_ad_stage_name((enum cm_ad_stage)99), "unknown", "out of range stage");
	is_str(cm_ad_stage_name((enum cm_ad_stage)-1), "unknown", "negative stage");

	cm_ad_password_aad(42, aad);
	is_str(aad, "ad_servers.bind_password:42", "the sealed password's aad");

	/* RFC 4515 escaping. */
	is_str(esc("alice"), "alice", "plain name unchanged");
	is_str(esc("*)(cn=*"), "\\2a\\29\\28cn=\\2a", "hostile name: every metacharacter escaped");
	is_str(esc("a\\b"), "a\\5cb", "backslash escaped");
	is_str(esc("a b"), "a\\20b", "space escaped");
	is_str(esc("j\xc3\xb6rg"), "j\\c3\\b6rg", "UTF-8 bytes escaped");
	{
		char out[16];
		ok(cm_ad_filter_escape("a\0b", 3, out, sizeof(out)) == 0 && strcmp(out, "a\\00b") == 0,
		    "NUL escaped");
		ok(cm_ad_filter_escape("((((", 4, out, 12) < 0, "too small output refused, not cut");
		ok(cm_ad_filter_escape("((((", 4, out, 13) == 0, "exact output fits");
	}

	/* The user filter. */
	is_str(filter("alice"),
	    "(&(objectCategory=person)(objectClass=user)(|(sAMAccountName=alice)(userPrincipalName=alice)))",
	    "filter for alice");
	is_str(filter("alice@CORP.EXAMPLE.COM"),
	    "(&(objectCategory=person)(objectClass=user)(|(sAMAccountName=alice)"
	    "(userPrincipalName=alice@CORP.EXAMPLE.COM)))", "filter for alice@REALM: part before @ and the whole");
	is_str(filter("*)(cn=*"),
	    "(&(objectCategory=person)(objectClass=user)(|(sAMAccountName=\\2a\\29\\28cn=\\2a)"
	    "(userPrincipalName=\\2a\\29\\28cn=\\2a)))", "hostile principal stays one assertion");
	is_str(filter("*"),
	    "(&(objectCategory=person)(objectClass=user)(|(sAMAccountName=\\2a)(userPrincipalName=\\2a)))",
	    "'*' is no presence filter");
	is_str(filter(""), "ERR", "empty refused");
	is_str(filter("@REALM"), "ERR", "empty before @ refused");
	is_str(filter("al\nice"), "ERR", "control character refused");
	memset(big, 'a', 257);
	big[257] = '\0';
	is_str(filter(big), "ERR", "257 bytes refused");
	big[256] = '\0';
	ok(strcmp(filter(big), "ERR") != 0, "256 bytes accepted");
	memset(big, '*', 256);
	ok(strcmp(filter(big), "ERR") != 0, "256 escaped bytes fit the filter");

	/* Entry parsing. */
	{
		const char *dn = "CN=Alice Smith,CN=Users,DC=corp,DC=example,DC=com";
		ok(cm_ad_entry_begin(&u, dn, strlen(dn), why, sizeof(why)) == 0, "entry begins");
	}
	is_str(u.dn, "CN=Alice Smith,CN=Users,DC=corp,DC=example,DC=com", "DN kept");
	ok(attr1(&u, "mail", "alice@corp.example.com") == 0, "mail");
	ok(attr1(&u, "CN", "Alice Smith") == 0, "cn (name without case)");
	ok(attr1(&u, "sAMAccountName", "alice") == 0, "sAMAccountName");
	ok(attr1(&u, "userprincipalname", "alice@corp.example.com") == 0, "userPrincipalName");
	ok(attr1(&u, "givenName", "Alice") == 0 && attr1(&u, "sn", "Smith") == 0, "givenName, sn");
	ok(attr1(&u, "objectSid", "\x01\x05\x00") == 0, "an attribute not read is ignored");
	ok(attr1(&u, "userAccountControl", "512") == 0 && !u.disabled, "uac 512: enabled");
	is_str(u.mail, "alice@corp.example.com", "mail value");
	is_str(u.cn, "Alice Smith", "cn value");
	is_str(u.sam, "alice", "sam value");
	is_str(u.given_name, "Alice", "givenName value");
	is_str(u.sn, "Smith", "sn value");
	ok(attr1(&u, "userAccountControl", "514") == 0 && u.disabled, "uac 514: disabled");
	ok(attr1(&u, "userAccountControl", "66050") == 0 && u.disabled, "uac 66050 (0x10202): disabled");
	ok(attr1(&u, "userAccountControl", "66048") == 0 && !u.disabled, "uac 66048: enabled");
	ok(attr1(&u, "userAccountControl", "-2147483646") == 0 && u.disabled, "negative uac with bit 2");
	ok(attr1(&u, "userAccountControl", "4294967295") == 0 && u.disabled, "uac 0xffffffff");
	ok(attr1(&u, "userAccountControl", "4294967296") < 0, "uac above 32 bits refused");
	ok(attr1(&u, "userAccountControl", "") < 0, "empty uac refused");
	ok(attr1(&u, "userAccountControl", "-") < 0, "'-' uac refused");
	ok(attr1(&u, "userAccountControl", "5x") < 0, "uac with a letter refused");
	ok(attr1(&u, "userAccountControl", " 512") < 0, "uac with a blank refused");
	ok(cm_ad_entry_attr(&u, "userAccountControl", two, 2, why, sizeof(why)) < 0, "two uac values refused");
	ok(cm_ad_entry_attr(&u, "mail", two, 2, why, sizeof(why)) < 0 && strstr(why, "2 values of mail"),
	    "two mail values refused, not one picked");
	memset(big, 'm', 256);
	big[256] = '\0';
	ok(attr1(&u, "mail", big) == 0 && strlen(u.mail) == 256, "256-byte mail fits");
	big[256] = 'm';
	big[257] = '\0';
	ok(attr1(&u, "mail", big) < 0 && strstr(why, "mail") && strstr(why, "longer than 256"),
	    "257-byte mail is an error, not cut");
	memset(big, 'g', 129);
	big[129] = '\0';
	ok(attr1(&u, "givenName", big) < 0, "129-byte givenName is an error");
	{
		struct cm_ad_value nul = { "a\0b", 3 };
		ok(cm_ad_entry_attr(&u, "cn", &nul, 1, why, sizeof(why)) < 0, "NUL in a value refused");
	}
	ok(attr1(&u, "cn", "a\tb") < 0, "control character in a value refused");
	ok(cm_ad_entry_attr(&u, "mail", two, 0, why, sizeof(why)) == 0, "no values: nothing to do");
	ok(cm_ad_entry_begin(&u, NULL, 0, why, sizeof(why)) < 0, "entry without DN refused");
	{
		char dn[1100];
		memset(dn, 'd', sizeof(dn));
		ok(cm_ad_entry_begin(&u, dn, 1024, why, sizeof(why)) == 0, "1024-byte DN fits");
		ok(cm_ad_entry_begin(&u, dn, 1025, why, sizeof(why)) < 0, "1025-byte DN refused");
	}
	return tap_done();
}
