/* test_namespace.c: unit tests for the signer's name spaces (signer/namespace.c): the [namespaces] parser, the membership rules, the check of a certificate's names and the nameConstraints built from them. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tap.h"
#include "issue.h"
#include "names.h"
#include "namespace.h"

static struct cm_namespaces ns;

static int
dns(const char *n)
{
	return cm_ns_dns_inside(&ns, n, strlen(n));
}

static int
mail(const char *a)
{
	return cm_ns_email_inside(&ns, a, strlen(a));
}

static int
ip(const char *text)
{
	unsigned char a[16];
	if (inet_pton(AF_INET, text, a) == 1)
		return cm_ns_ip_inside(&ns, a, 4);
	if (inet_pton(AF_INET6, text, a) == 1)
		return cm_ns_ip_inside(&ns, a, 16);
	return -1;
}

/* cm_ns_add on a fresh set: its return, err kept. */
static int
add_one(const char *key, const char *value, char *err, size_t errlen)
{
	static struct cm_namespaces t;
	memset(&t, 0, sizeof(t));
	err[0] = '\0';
	return cm_ns_add(&t, key, value, err, errlen);
}

static void
test_parse(void)
{
	char err[512], big[CM_NS_MAX_VALUE + 64];

	memset(&ns, 0, sizeof(ns));
	ok(cm_ns_empty(&ns), "a new set is empty");
	is_int(cm_ns_add(&ns, "dns", "Example.COM, corp.example.net", err, sizeof(err)), 0, "dns list parsed");
	is_int(cm_ns_add(&ns, "dns", "demo.test localhost", err, sizeof(err)), 0, "a second dns line adds up");
	is_int(ns.ndns, 4, "four DNS suffixes");
	is_str(ns.dns[0], "example.com", "suffixes are kept in lower case");
	is_int(cm_ns_add(&ns, "email", "example.com, Alice@Example.ORG", err, sizeof(err)), 0, "email list parsed");
	is_str(ns.email[1], "Alice@example.org", "a mailbox keeps its local part, lower-cases its domain");
	is_int(cm_ns_add(&ns, "ip", "10.0.0.0/8, 2001:db8::/32 192.0.2.7", err, sizeof(err)), 0, "ip list parsed");
	is_int(ns.nip, 3, "three IP ranges");
	is_int(ns.ip[2].prefix, 32, "a single address is a /32");
	ok(!cm_ns_empty(&ns), "no longer empty");

	is_int(add_one("uri", "x", err, sizeof(err)), 1, "unknown key: 1 (reported by the caller)");
	ok(add_one("dns", ".example.com", err, sizeof(err)) < 0 && strstr(err, "leading"), "leading dot refused: %s", err);
	ok(add_one("dns", "*.example.com", err, sizeof(err)) < 0, "wildcard entry refused");
	ok(add_one("dns", "example.com.", err, sizeof(err)) < 0 && strstr(err, "not a DNS name"), "final dot refused");
	ok(add_one("dns", "ex_ample.com", err, sizeof(err)) < 0, "underscore refused");
	ok(add_one("dns", "-a.example.com", err, sizeof(err)) < 0, "leading hyphen refused");
	ok(add_one("dns", "a-.example.com", err, sizeof(err)) < 0, "trailing hyphen refused");
	ok(add_one("dns", "a..example.com", err, sizeof(err)) < 0, "empty label refused");
	memset(big, 'a', 64);
	strcpy(big + 64, ".com");
	ok(add_one("dns", big, err, sizeof(err)) < 0, "64-byte label refused");
	ok(add_one("dns", " , ", err, sizeof(err)) < 0 && strstr(err, "empty list"), "empty list refused: %s", err);
	ok(add_one("email", "@example.com", err, sizeof(err)) < 0, "empty local part refused");
	ok(add_one("email", "a@b@example.com", err, sizeof(err)) < 0, "two '@' refused");
	ok(add_one("email", "a@.example.com", err, sizeof(err)) < 0, "mail domain with a leading dot refused");
	ok(add_one("email", "a\x01@example.com", err, sizeof(err)) < 0, "control character in a mailbox refused");
	ok(add_one("ip", "10.0.0.1/8", err, sizeof(err)) < 0 && strstr(err, "bits set after the /8"),
	    "host bits after the prefix refused: %s", err);
	ok(add_one("ip", "10.0.0.0/33", err, sizeof(err)) < 0, "IPv4 prefix over 32 refused");
	ok(add_one("ip", "2001:db8::/129", err, sizeof(err)) < 0, "IPv6 prefix over 128 refused");
	ok(add_one("ip", "10.0.0.0/", err, sizeof(err)) < 0, "empty prefix refused");
	ok(add_one("ip", "10.0.0.0/-1", err, sizeof(err)) < 0, "negative prefix refused");
	ok(add_one("ip", "example.com", err, sizeof(err)) < 0, "a host name is not a range");
	is_int(add_one("ip", "0.0.0.0/0", err, sizeof(err)), 0, "the whole IPv4 space is a range");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(add_one("dns", big, err, sizeof(err)) < 0 && strstr(err, "longer than"), "over-long list refused: %s", err);
	/* The entry cap. */
	static struct cm_namespaces full;
	char line[64];
	int r = 0;
	for (int i = 0; i <= CM_NS_MAX_ENTRIES && r == 0; i++) {
		snprintf(line, sizeof(line), "host%d.example", i);
		r = cm_ns_add(&full, "dns", line, err, sizeof(err));
	}
	ok(r < 0 && full.ndns == CM_NS_MAX_ENTRIES && strstr(err, "more than"), "entry %d refused: %s",
	    CM_NS_MAX_ENTRIES + 1, err);
}

static void
test_match(void)
{
	ok(dns("example.com"), "the suffix itself is inside");
	ok(dns("www.example.com") && dns("a.b.example.com"), "subdomains are inside");
	ok(dns("WWW.Example.Com"), "case does not matter");
	ok(dns("*.example.com") && dns("*.www.example.com"), "a wildcard under a suffix is inside");
	ok(!dns("example.com.evil.test"), "suffix followed by more labels is outside");
	ok(!dns("evilexample.com"), "suffix not at a label boundary is outside");
	ok(!dns("www.example.com."), "final dot is outside");
	ok(!dns("*.com") && !dns("com"), "the parent of a suffix is outside");
	ok(!dns("example.net") && !dns("www.google.com"), "other names are outside");
	ok(!dns("*.corp.example.org") && dns("*.corp.example.net"), "wildcard follows its base");
	ok(!cm_ns_dns_inside(&ns, "www.google.com\0.example.com", 27), "an embedded NUL is outside");
	ok(!dns("") && !dns("*."), "empty names are outside");
	ok(dns("localhost") && !dns("xlocalhost"), "a single-label suffix matches itself");

	ok(mail("alice@example.com") && mail("bob@mail.example.com"), "mailboxes in and under a mail domain");
	ok(mail("x@EXAMPLE.com"), "mail domain case-insensitive");
	ok(!mail("alice@example.com.evil.test") && !mail("alice@evilexample.com"), "suffix tricks outside");
	ok(!mail("alice@google.com"), "another domain is outside");
	ok(mail("Alice@example.org") && mail("Alice@EXAMPLE.org"), "the listed mailbox is inside");
	ok(!mail("alice@example.org") && !mail("bob@example.org"), "other mailboxes of that domain are outside");
	ok(!mail("Alice@sub.example.org"), "a mailbox entry covers no subdomain");
	ok(!mail("a@b@example.com") && !mail("@example.com") && !mail("alice@") && !mail("example.com"),
	    "malformed addresses are outside");
	ok(!cm_ns_email_inside(&ns, "a@evil.test\0@example.com", 24), "an embedded NUL is outside");

	ok(ip("10.0.0.1") == 1 && ip("10.255.255.255") == 1, "inside 10.0.0.0/8");
	ok(ip("11.0.0.1") == 0 && ip("9.255.255.255") == 0, "outside 10.0.0.0/8");
	ok(ip("192.0.2.7") == 1 && ip("192.0.2.8") == 0, "a /32 is that one address");
	ok(ip("2001:db8::1") == 1 && ip("2001:db8:ffff::1") == 1 && ip("2001:db9::1") == 0, "IPv6 /32");
	ok(ip("::ffff:10.0.0.1") == 0, "an IPv4-mapped IPv6 address is not IPv4");
	unsigned char odd[5] = { 10, 0, 0, 1, 0 };
	ok(!cm_ns_ip_inside(&ns, odd, 5), "an address of 5 bytes is outside");

	/* Prefixes that end inside a byte. */
	static struct cm_namespaces t;
	char err[256];
	cm_ns_add(&t, "ip", "172.16.0.0/12 2001:db8:8000::/33", err, sizeof(err));
	unsigned char a[16];
	inet_pton(AF_INET, "172.31.255.255", a);
	ok(cm_ns_ip_inside(&t, a, 4), "172.31.255.255 inside 172.16.0.0/12");
	inet_pton(AF_INET, "172.32.0.0", a);
	ok(!cm_ns_ip_inside(&t, a, 4), "172.32.0.0 outside 172.16.0.0/12");
	inet_pton(AF_INET6, "2001:db8:8000::1", a);
	ok(cm_ns_ip_inside(&t, a, 16), "inside a /33");
	inet_pton(AF_INET6, "2001:db8:7fff::1", a);
	ok(!cm_ns_ip_inside(&t, a, 16), "outside a /33");
}

/* cm_ns_check on a subject and SAN list written as text. */
static int
check_names(const char *dn, const char *san1, const char *san2, int cn_is_host, char *reason, size_t rlen)
{
	char err[256];
	X509_NAME *n = cm_dn_parse(dn, err, sizeof(err));
	GENERAL_NAMES *g = GENERAL_NAMES_new();
	const char *s[2] = { san1, san2 };
	for (int i = 0; i < 2; i++)
		if (s[i])
			sk_GENERAL_NAME_push(g, cm_san_parse(s[i], err, sizeof(err)));
	reason[0] = '\0';
	int r = cm_ns_check(&ns, n, g, cn_is_host, reason, rlen);
	X509_NAME_free(n);
	GENERAL_NAMES_free(g);
	return r;
}


/* cm_ns_check on subject dn and one UPN otherName SAN (what a CSR carries;
 * cm_san_parse has no text form for it). */
static int
check_upn(const char *dn, const char *upn, char *reason, size_t rlen)
{
	char err[256];
	X509_NAME *n = cm_dn_parse(dn, err, sizeof(err));
	GENERAL_NAMES *g = GENERAL_NAMES_new();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_TYPE *t = ASN1_TYPE_new();
	ASN1_UTF8STRING *u = ASN1_UTF8STRING_new();
	ASN1_STRING_set(u, upn, (int)strlen(upn));
	ASN1_TYPE_set(t, V_ASN1_UTF8STRING, u);
	GENERAL_NAME_set0_othername(gn, OBJ_nid2obj(NID_ms_upn), t);
	sk_GENERAL_NAME_push(g, gn);
	reason[0] = '\0';
	int r = cm_ns_check(&ns, n, g, 0, reason, rlen);
	X509_NAME_free(n);
	GENERAL_NAMES_free(g);
	return r;
}

static void
test_check(void)
{
	char reason[512];

	is_int(check_upn("/CN=Alice Smith", "alice@example.com", reason, sizeof(reason)), 0,
	    "a UPN at a mail domain inside: accepted");
	ok(check_upn("/CN=Alice Smith", "administrator@corp.evil.test", reason, sizeof(reason)) == 1 &&
	    strstr(reason, "the UPN administrator@corp.evil.test is outside"), "a UPN at another domain refused: %s", reason);
	ok(check_upn("/CN=Alice Smith", "alice@example.com.evil.test", reason, sizeof(reason)) == 1,
	    "a UPN suffix trick refused: %s", reason);

	is_int(check_names("/CN=www.example.com", "DNS:www.example.com", "IP:10.1.2.3", 1, reason, sizeof(reason)), 0,
	    "host names and addresses inside: accepted");
	ok(check_names("/CN=www.example.com", "DNS:www.example.com", "DNS:www.google.com", 1, reason, sizeof(reason)) == 1 &&
	    strcmp(reason, "the DNS name www.google.com is outside the name spaces this signer may certify") == 0,
	    "a DNS SAN outside refused, naming it: %s", reason);
	ok(check_names("/CN=www.google.com", "DNS:www.example.com", NULL, 1, reason, sizeof(reason)) == 1 &&
	    strstr(reason, "the subject CN www.google.com is outside"), "a host CN outside refused: %s", reason);
	is_int(check_names("/CN=10.9.9.9", "IP:10.9.9.9", NULL, 1, reason, sizeof(reason)), 0, "an IP address CN inside");
	/* A host CN with an '@' names a mailbox (client-device): the mail name spaces hold it. */
	is_int(check_names("/CN=ops@example.com", NULL, NULL, 1, reason, sizeof(reason)), 0,
	    "an e-mail CN of a host profile inside the mail name spaces");
	ok(check_names("/CN=ops@corp.example.net", NULL, NULL, 1, reason, sizeof(reason)) == 1 &&
	    strstr(reason, "the subject CN ops@corp.example.net is outside"),
	    "... but not by the DNS ones (corp.example.net is no mail domain): %s", reason);
	ok(check_names("/CN=ops@google.com", NULL, NULL, 1, reason, sizeof(reason)) == 1 &&
	    strstr(reason, "the subject CN ops@google.com is outside"), "an e-mail CN outside refused: %s", reason);
	ok(check_names("/CN=8.8.8.8", "DNS:www.example.com", NULL, 1, reason, sizeof(reason)) == 1 &&
	    strstr(reason, "the subject CN 8.8.8.8"), "an IP address CN outside refused: %s", reason);
	is_int(check_names("/CN=Alice Smith", "email:alice@example.com", NULL, 0, reason, sizeof(reason)), 0,
	    "a person's CN is no host name when the profile has none");
	ok(check_names("/CN=Alice Smith", "email:alice@google.com", NULL, 0, reason, sizeof(reason)) == 1 &&
	    strstr(reason, "the e-mail address alice@google.com is outside"), "an e-mail SAN outside refused: %s", reason);
	ok(check_names("/CN=Alice/emailAddress=alice@google.com", "email:alice@example.com", NULL, 0, reason, sizeof(reason)) == 1 &&
	    strstr(reason, "the subject emailAddress alice@google.com"), "an emailAddress outside refused: %s", reason);
	ok(check_names("/CN=x.example.com", "DNS:x.example.com", "IP:8.8.8.8", 1, reason, sizeof(reason)) == 1 &&
	    strstr(reason, "the IP address 8.8.8.8 is outside"), "an IP SAN outside refused: %s", reason);
	ok(check_names("/CN=x.example.com", "DNS:x.example.com", "IP:2001:db9::1", 1, reason, sizeof(reason)) == 1 &&
	    strstr(reason, "the IP address 2001:db9::1 is outside"), "an IPv6 SAN outside refused: %s", reason);
	is_int(check_names("/CN=x", "URI:https://www.google.com/", NULL, 0, reason, sizeof(reason)), 0,
	    "URI names are not in the name spaces' scope");

	/* A name a reader cannot see whole: shown with '?' and cut. */
	GENERAL_NAMES *g = GENERAL_NAMES_new();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *v = ASN1_IA5STRING_new();
	char longname[400];
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "evil\r\n", 6);
	ASN1_STRING_set(v, longname, sizeof(longname));
	GENERAL_NAME_set0_value(gn, GEN_DNS, v);
	sk_GENERAL_NAME_push(g, gn);
	ok(cm_ns_check(&ns, NULL, g, 1, reason, sizeof(reason)) == 1 && strstr(reason, "evil??aaa") &&
	    strstr(reason, "...") && strlen(reason) < 250, "control characters shown as '?', long names cut: %s", reason);
	GENERAL_NAMES_free(g);
}

/* A leaf for names under ca/key: X509 or NULL. */
static X509 *
leaf(X509 *ca, EVP_PKEY *key, EVP_PKEY *pub, const char *cn, const char *san)
{
	char err[256];
	X509 *x = X509_new();
	X509_NAME *n = cm_dn_parse(cn, err, sizeof(err));
	X509V3_CTX ctx;
	unsigned char serial[CM_SERIAL_LEN];
	ASN1_INTEGER *sn = NULL;
	BIGNUM *bn = NULL;

	cm_serial_new(serial);
	bn = BN_bin2bn(serial, CM_SERIAL_LEN, NULL);
	sn = BN_to_ASN1_INTEGER(bn, NULL);
	X509_set_version(x, X509_VERSION_3);
	X509_set_serialNumber(x, sn);
	X509_set_issuer_name(x, X509_get_subject_name(ca));
	X509_set_subject_name(x, n);
	X509_set_pubkey(x, pub);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	X509_sign(x, key, EVP_sha256());
	X509_NAME_free(n);
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	return x;
}

/* X509_V_OK or the verification error of x under root -> ca. */
static int
verify(X509 *root, X509 *ca, X509 *x)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *sc = X509_STORE_CTX_new();
	STACK_OF(X509) *chain = sk_X509_new_null();
	sk_X509_push(chain, ca);
	X509_STORE_add_cert(st, root);
	X509_STORE_CTX_init(sc, st, x, chain);
	int r = X509_verify_cert(sc) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(sc);
	X509_STORE_CTX_free(sc);
	X509_STORE_free(st);
	sk_X509_free(chain);
	return r;
}

static void
test_name_constraints(void)
{
	char err[512];
	static struct cm_namespaces none;
	ok(cm_ns_name_constraints(&none) == NULL, "no name spaces: no extension");

	NAME_CONSTRAINTS *nc = cm_ns_name_constraints(&ns);
	ok(nc && nc->permittedSubtrees && !nc->excludedSubtrees, "permittedSubtrees only");
	/* 4 DNS + (1 domain x 2 + 1 mailbox) + 3 IP. */
	is_int(nc ? sk_GENERAL_SUBTREE_num(nc->permittedSubtrees) : -1, 10, "one subtree per entry, two per mail domain");

	EVP_PKEY *rk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *ik = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *lk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509_NAME *rn = cm_dn_parse("/C=GB/O=Test/CN=NC Root", err, sizeof(err));
	X509_NAME *in = cm_dn_parse("/C=GB/O=Test/CN=NC Issuing", err, sizeof(err));
	X509 *root = cm_ca_cert_build(rn, rk, NULL, rk, 30, -1, NULL, NULL, err, sizeof(err));
	X509 *ca = cm_ca_cert_build(in, ik, root, rk, 30, 0, nc, NULL, err, sizeof(err));
	ok(root && ca, "CA pair built: %s", err);
	int crit = -1;
	NAME_CONSTRAINTS *got = ca ? X509_get_ext_d2i(ca, NID_name_constraints, &crit, NULL) : NULL;
	ok(got && crit == 1, "issuing CA carries a critical nameConstraints");
	NAME_CONSTRAINTS_free(got);

	struct { const char *cn, *san; int want; } cases[] = {
		{ "/CN=www.example.com", "DNS:www.example.com", X509_V_OK },
		{ "/CN=x.corp.example.net", "DNS:x.corp.example.net,IP:10.1.2.3", X509_V_OK },
		{ "/CN=v6.example.com", "DNS:v6.example.com,IP:2001:db8::5", X509_V_OK },
		{ "/CN=Alice", "email:alice@mail.example.com", X509_V_OK },
		{ "/CN=Alice", "email:Alice@example.org", X509_V_OK },
		{ "/CN=www.google.com", "DNS:www.google.com", X509_V_ERR_PERMITTED_VIOLATION },
		{ "/CN=example.com.evil.test", "DNS:example.com.evil.test", X509_V_ERR_PERMITTED_VIOLATION },
		{ "/CN=evilexample.com", "DNS:evilexample.com", X509_V_ERR_PERMITTED_VIOLATION },
		{ "/CN=x.example.com", "DNS:x.example.com,IP:8.8.8.8", X509_V_ERR_PERMITTED_VIOLATION },
		{ "/CN=Mallory", "email:mallory@google.com", X509_V_ERR_PERMITTED_VIOLATION },
		{ "/CN=Bob", "email:bob@example.org", X509_V_ERR_PERMITTED_VIOLATION },
	};
	for (size_t i = 0; ca && i < sizeof(cases) / sizeof(cases[0]); i++) {
		X509 *x = leaf(ca, ik, lk, cases[i].cn, cases[i].san);
		int r = verify(root, ca, x);
		if (!ok(r == cases[i].want, "%s (%s): %s", cases[i].san,
		    cases[i].want == X509_V_OK ? "verifies" : "outside: verification fails", X509_verify_cert_error_string(r)))
			printf("#   got %d want %d\n", r, cases[i].want);
		X509_free(x);
	}
	NAME_CONSTRAINTS_free(nc);
	X509_free(root);
	X509_free(ca);
	X509_NAME_free(rn);
	X509_NAME_free(in);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(lk);
}

int
main(void)
{
	test_parse();
	test_match();
	test_check();
	test_name_constraints();
	return tap_done();
}
