/* test_ad_server_check.c: unit tests for an AD server's LDAP URI list and base DN rules. */
#include "config.h"

#include <string.h>

#include "ad_server_check.h"
#include "tap.h"

/* The normalised list, or "ERR: <message>". */
static const char *
uris(const char *in)
{
	static char out[AD_URIS_MAX + 1], why[512], res[600];

	if (ad_server_uris_check(in, out, sizeof(out), why, sizeof(why)) == 0)
		return out;
	snprintf(res, sizeof(res), "ERR: %s", why);
	return res;
}

static int
refused(const char *in, const char *part)
{
	const char *r = uris(in);

	return strncmp(r, "ERR: ", 5) == 0 && strstr(r, part) != NULL;
}

static int
dn_ok(const char *in)
{
	char out[AD_BASE_DN_MAX + 1];

	return ad_server_base_dn_check(in, out, sizeof(out)) == NULL;
}

int
main(void)
{
	char big[2 * AD_URIS_MAX], out[AD_BASE_DN_MAX + 1];

	/* Accepted, normalised to one space between URIs. */
	is_str(uris("ldaps://dc1.corp.example.com"), "ldaps://dc1.corp.example.com", "one ldaps URI");
	is_str(uris("  ldap://dc1.corp.example.com:389   ldaps://DC2.corp.example.com:636/ "),
	    "ldap://dc1.corp.example.com:389 ldaps://DC2.corp.example.com:636/", "two URIs, blanks squeezed, trailing slash kept");
	is_str(uris("ldap://192.0.2.10"), "ldap://192.0.2.10", "an IPv4 address");
	is_str(uris("ldaps://[2001:db8::1]:636"), "ldaps://[2001:db8::1]:636", "a bracketed IPv6 address with port");
	is_str(uris("LDAPS://dc1.example.com"), "LDAPS://dc1.example.com", "the scheme in capitals");

	/* Refused, saying why. */
	ok(refused("", "at least one"), "an empty list");
	ok(refused("   ", "at least one"), "blanks only");
	ok(refused("http://dc1.example.com", "ldap:// or ldaps://"), "http://");
	ok(refused("ldapi:///run/slapd.sock", "ldap:// or ldaps://"), "ldapi://");
	ok(refused("garbage", "URI 1 (garbage)"), "garbage, quoted in the message");
	ok(refused("ldap://dc1.example.com/??sub?(cn=*)", "base DN has its own field"), "a filter part");
	ok(refused("ldap://dc1.example.com/DC=example,DC=com", "commas"), "a DN part (with commas)");
	ok(refused("ldap://dc1.example.com/DC=example", "base DN has its own field"), "a DN part");
	ok(refused("ldap://dc1.example.com/?cn", "base DN has its own field"), "an attribute part");
	ok(refused("ldap://dc1.example.com?cn", "base DN has its own field"), "a query without a slash");
	ok(refused("ldap://dc1.example.com#x", "base DN has its own field"), "a fragment");
	ok(refused("ldap://", "host name is required"), "no host");
	ok(refused("ldap://:389", "host name is required"), "a port without a host");
	ok(refused("ldap://dc1.example.com:99999", "1 to 65535"), "port out of range");
	ok(refused("ldap://dc1.example.com:0", "1 to 65535"), "port 0");
	ok(refused("ldap://dc1.example.com:", "1 to 65535"), "an empty port");
	ok(refused("ldap://dc1.example.com:ab", "1 to 65535"), "a port in letters");
	ok(refused("ldap://user@dc1.example.com", "without user names"), "a user part");
	ok(refused("ldap://ho%20st", "without user names or %-escapes"), "a %%-escaped host");
	ok(refused("ldap://a.example.com,ldap://b.example.com", "not commas"), "commas between URIs");
	ok(refused("ldap://a.example.com\tldap://b.example.com", "control characters"), "a tab between URIs");
	ok(refused("<ldap://dc1.example.com>", "ldap:// or ldaps://"), "libldap's <...> form");
	ok(refused("URL:ldap://dc1.example.com", "ldap:// or ldaps://"), "libldap's URL: form");
	ok(refused("ldap://-dc1.example.com", "DNS name or an IP address"), "a label starting with a hyphen");
	ok(refused("ldap://dc1..example.com", "DNS name or an IP address"), "an empty label");
	ok(refused("ldap://<script>", "DNS name or an IP address"), "markup as host");
	ok(refused("ldaps://[zz::1]", "IPv6"), "a bad IPv6 address");
	ok(refused("ldaps://[2001:db8::1", "IPv6"), "an unclosed bracket");
	ok(refused("ldaps://[2001:db8::1]x", "after a colon"), "junk after the bracket");
	ok(refused("ldap://a.example.com ldap://b.example.com ldap://c.example.com ldap://d.example.com "
	    "ldap://e.example.com ldap://f.example.com ldap://g.example.com ldap://h.example.com ldap://i.example.com",
	    "At most 8 URIs"), "nine URIs");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "ldap://", 7);
	ok(refused(big, "At most 1024 bytes"), "an over-long list is refused, not cut");
	ok(refused("ldaps://dc1.example.com ldap://bad_host", "URI 2 (ldap://bad_host)"), "the second URI is named");

	/* Base DN. */
	ok(dn_ok("DC=corp,DC=example,DC=com"), "a DC= DN");
	ok(dn_ok("OU=Staff,DC=corp,DC=example,DC=com"), "an OU under the domain");
	ok(dn_ok("CN=Users,DC=c\\,orp"), "an escaped comma");
	ok(dn_ok("dc=example, dc=com"), "blanks after a comma");
	ok(!dn_ok(""), "empty");
	ok(!dn_ok("   "), "blanks");
	ok(!dn_ok("garbage"), "no attribute=value");
	ok(!dn_ok("DC=example,"), "a trailing comma");
	ok(!dn_ok("=example"), "no attribute type");
	ok(!dn_ok("DC=exa\nmple"), "a newline");
	ok(!dn_ok("DC=\xff"), "invalid UTF-8");
	ok(ad_server_base_dn_check("  DC=example,DC=com  ", out, sizeof(out)) == NULL &&
	    strcmp(out, "DC=example,DC=com") == 0, "the DN is kept without surrounding blanks");
	return tap_done();
}
