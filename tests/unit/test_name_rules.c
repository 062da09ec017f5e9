/* test_name_rules.c: unit tests for lib/name_rules.c (attribute text, DNS and IP rules, CN = SAN, the public suffix list). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "name_rules.h"
#include "tap.h"

/* A small list with each kind of rule, Unicode ones among them. */
static const char small_list[] =
    "// comment line\n"
    "// ===BEGIN ICANN DOMAINS===\n"
    "com\n"
    "uk\n"
    "co.uk\n"
    "\n"
    "*.ck\n"
    "!www.ck\n"
    "  jp   trailing words are ignored\n"
    "*.kobe.jp\n"
    "!city.kobe.jp\n"
    "\xe4\xb8\xad\xe5\x9b\xbd\n"               /* 中国 = xn--fiqs8s */
    "b\xc3\xbcnd.example\r\n"                  /* bünd.example = xn--bnd-hoa.example */
    "github.io\n";

static struct cm_name_rules rules;
static char err[512];

static int
dns(const char *name)
{
	return cm_nr_dns(&rules, "DNS name", (const unsigned char *)name, strlen(name), err, sizeof(err));
}

static int
dnsn(const char *name, size_t n)
{
	return cm_nr_dns(&rules, "DNS name", (const unsigned char *)name, n, err, sizeof(err));
}

static int
text(const char *s, size_t n)
{
	return cm_nr_text("the subject's CN", (const unsigned char *)s, n, err, sizeof(err));
}

static int
ip(const char *txt)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, txt, a) == 1)
		return cm_nr_ip(&rules, a, 4, err, sizeof(err));
	if (inet_pton(AF_INET6, txt, a) == 1)
		return cm_nr_ip(&rules, a, 16, err, sizeof(err));
	return 99;
}

/* A subject from "/A=v/B=w" (no escapes; bytes as given, n for the CN's length when >= 0). */
static X509_NAME *
subject(const char *cn, int cn_len, const char *extra_attr, const char *extra_val)
{
	X509_NAME *nm = X509_NAME_new();

	if (extra_attr)
		X509_NAME_add_entry_by_txt(nm, extra_attr, MBSTRING_UTF8, (const unsigned char *)extra_val, -1, -1, 0);
	if (cn) {
		/* Raw bytes as a UTF8String, the way a hostile CSR carries them. */
		ASN1_STRING *s = ASN1_STRING_type_new(V_ASN1_UTF8STRING);
		ASN1_STRING_set(s, cn, cn_len >= 0 ? cn_len : (int)strlen(cn));
		X509_NAME_ENTRY *ne = X509_NAME_ENTRY_create_by_NID(NULL, NID_commonName, V_ASN1_UTF8STRING,
		    ASN1_STRING_get0_data(s), ASN1_STRING_length(s));
		X509_NAME_add_entry(nm, ne, -1, 0);
		X509_NAME_ENTRY_free(ne);
		ASN1_STRING_free(s);
	}
	return nm;
}

static GENERAL_NAMES *
sans(const char *list)
{
	GENERAL_NAMES *g = GENERAL_NAMES_new();
	char *copy = strdup(list), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		GENERAL_NAME *gn = GENERAL_NAME_new();
		if (strncmp(t, "IP:", 3) == 0) {
			ASN1_OCTET_STRING *o = a2i_IPADDRESS(t + 3);
			GENERAL_NAME_set0_value(gn, GEN_IPADD, o);
		} else {
			int type = strncmp(t, "DNS:", 4) == 0 ? GEN_DNS : GEN_EMAIL;
			ASN1_IA5STRING *s = ASN1_IA5STRING_new();
			ASN1_STRING_set(s, strchr(t, ':') + 1, -1);
			GENERAL_NAME_set0_value(gn, type, s);
		}
		sk_GENERAL_NAME_push(g, gn);
	}
	free(copy);
	return g;
}

static int
names(const char *cn, int cn_len, const char *san_list, int tls)
{
	X509_NAME *nm = subject(cn, cn_len, NULL, NULL);
	GENERAL_NAMES *g = san_list ? sans(san_list) : NULL;
	int r = cm_nr_check_names(&rules, nm, g, tls, err, sizeof(err));

	X509_NAME_free(nm);
	GENERAL_NAMES_free(g);
	return r;
}

int
main(void)
{
	struct cm_psl *psl = NULL, *real = NULL;

	/* ---- the public suffix list */
	ok(cm_psl_parse(small_list, sizeof(small_list) - 1, &psl, err, sizeof(err)) == 0, "small list parses: %s", err);
	is_int(cm_psl_count(psl), 11, "eleven rules (comments, blank lines and trailing words skipped)");
	ok(cm_psl_is_suffix(psl, "com") && cm_psl_is_suffix(psl, "co.uk"), "normal rules are suffixes");
	ok(!cm_psl_is_suffix(psl, "example.co.uk"), "a name under a suffix is not one");
	ok(cm_psl_is_suffix(psl, "anything.ck"), "*.ck makes every x.ck a suffix");
	ok(!cm_psl_is_suffix(psl, "www.ck"), "... except !www.ck");
	ok(cm_psl_is_suffix(psl, "foo.kobe.jp") && !cm_psl_is_suffix(psl, "city.kobe.jp"), "*.kobe.jp and !city.kobe.jp");
	ok(cm_psl_is_suffix(psl, "xn--fiqs8s"), "a Unicode rule is held as its A-label (xn--fiqs8s)");
	ok(cm_psl_is_suffix(psl, "xn--bnd-hoa.example"), "mixed ASCII/Unicode label (xn--bnd-hoa), CRLF line end");
	ok(cm_psl_is_suffix(psl, "zz"), "an unlisted top-level domain is a suffix (the implicit * rule)");
	ok(!cm_psl_is_suffix(psl, "example.zz"), "... a name under it is not");
	ok(cm_psl_is_suffix(psl, "github.io"), "private-section rules count too");

	struct cm_psl *bad = NULL;
	ok(cm_psl_parse("com\nfoo..bar\n", 12, &bad, err, sizeof(err)) < 0 && strstr(err, "line 2"), "an empty label is refused: %s", err);
	ok(cm_psl_parse("com\nfo_o\n", 9, &bad, err, sizeof(err)) < 0, "a bad character is refused");
	ok(cm_psl_parse("com\n*.*.x\n", 10, &bad, err, sizeof(err)) < 0, "a wildcard not leftmost-only is refused");
	ok(cm_psl_parse("// only comments\n\n", 18, &bad, err, sizeof(err)) < 0 && strstr(err, "no rules"), "a list without rules is refused");
	ok(cm_psl_parse("com\0net\n", 8, &bad, err, sizeof(err)) < 0 && strstr(err, "NUL"), "a NUL byte is refused");
	{
		char longline[400];
		memset(longline, 'a', sizeof(longline));
		ok(cm_psl_parse(longline, sizeof(longline), &bad, err, sizeof(err)) < 0 && strstr(err, "longer than"),
		    "a line over %d bytes is refused", CM_PSL_MAX_LINE);
		ok(cm_psl_parse(longline, (size_t)CM_PSL_MAX_BYTES + 1, &bad, err, sizeof(err)) < 0 && strstr(err, "larger than"),
		    "a list over %d bytes is refused before it is read", CM_PSL_MAX_BYTES);
	}
	ok(bad == NULL, "nothing is returned on failure");
	ok(cm_psl_load("/nonexistent/psl.dat", &bad, err, sizeof(err)) < 0 && strstr(err, "/nonexistent/psl.dat"),
	    "a missing file is an error naming it: %s", err);

	rules.psl = psl;
	rules.psl_path = "test list";

	/* ---- DNS names */
	ok(dns("www.example.com") == 0, "www.example.com");
	ok(dns("WWW.Example.COM") == 0, "upper case is fine");
	ok(dns("a.b.c.d.e.f.g.h.example.co.uk") == 0, "deep names");
	ok(dns("xn--bcher-kva.example") == 0, "IDN A-label (xn--bcher-kva.example)");
	ok(dns("xn--fiqs8s.example") == 0, "an A-label under an ordinary name");
	ok(dns("1password.example") == 0 && dns("host1.example") == 0, "labels with digits");
	ok(dns("*.example.com") == 0, "*.example.com");
	ok(dns("*.example.co.uk") == 0, "*.example.co.uk (under a registrable domain)");
	ok(dns("*.www.ck") == 0, "*.www.ck (!www.ck: not a suffix)");
	ok(dns("*.city.kobe.jp") == 0, "*.city.kobe.jp (exception rule)");

	ok(dns("*.co.uk") < 0 && strstr(err, "public suffix co.uk"), "*.co.uk refused: %s", err);
	ok(dns("*.com") < 0, "*.com refused: %s", err);
	ok(dns("*.foo.ck") < 0 && strstr(err, "public suffix"), "*.foo.ck refused (*.ck rule): %s", err);
	ok(dns("*.github.io") < 0, "*.github.io refused (private rule)");
	ok(dns("*.xn--fiqs8s") < 0, "*.xn--fiqs8s refused (Unicode rule as A-label)");
	ok(dns("*.Co.UK") < 0, "case does not hide a suffix");
	ok(dns("a_b.example.com") < 0 && strstr(err, "underscore"), "underscore refused: %s", err);
	ok(dns("_dmarc.example.com") < 0, "leading underscore label refused");
	ok(dns("-a.example.com") < 0 && strstr(err, "hyphen"), "leading hyphen refused: %s", err);
	ok(dns("a-.example.com") < 0 && strstr(err, "hyphen"), "trailing hyphen refused");
	ok(dns("a.example-.com") < 0, "trailing hyphen in a middle label refused");
	ok(dns("a..example.com") < 0 && strstr(err, "empty label"), "empty label refused: %s", err);
	ok(dns(".example.com") < 0, "leading dot refused");
	ok(dns("example.com.") < 0 && strstr(err, "trailing dot"), "trailing dot refused: %s", err);
	{
		char l63[80], l64[80], big[300];
		memset(l63, 'a', 63); strcpy(l63 + 63, ".example");
		memset(l64, 'a', 64); strcpy(l64 + 64, ".example");
		ok(dns(l63) == 0, "a 63-byte label is fine");
		ok(dns(l64) < 0 && strstr(err, "63"), "a 64-byte label refused: %s", err);
		/* 4 x 63 + 3 dots = 255 > 253 */
		memset(big, 'a', sizeof(big));
		big[63] = big[127] = big[191] = '.';
		big[255] = '\0';
		ok(dns(big) < 0 && strstr(err, "253"), "a 255-byte name refused: %s", err);
		big[251] = '\0';   /* 251 bytes: labels of 63, 63, 63 and 59 */
		ok(dns(big) == 0, "a 251-byte name is fine");
	}
	ok(dns("1.2.3.4") < 0 && strstr(err, "IP address"), "IPv4 as DNS name refused: %s", err);
	ok(dns("::1") < 0 && strstr(err, "IP address"), "IPv6 as DNS name refused: %s", err);
	ok(dns("2001:db8::1") < 0 && strstr(err, "IP address"), "IPv6 (documentation) as DNS name refused");
	ok(dns("10.1") < 0 && strstr(err, "all-numeric"), "all-digit last label refused: %s", err);
	ok(dns("localhost") < 0 && strstr(err, "single label"), "localhost refused: %s", err);
	ok(dns("intranet") < 0, "single label refused");
	ok(dns("f*.example.com") < 0 && strstr(err, "leftmost"), "partial-label wildcard refused: %s", err);
	ok(dns("www.*.example.com") < 0, "wildcard in the middle refused");
	ok(dns("*.*.example.com") < 0, "two wildcards refused");
	ok(dns("*") < 0 && dns("*.") < 0, "bare * refused");
	ok(dnsn("www.google.com\0.demo.test", 25) < 0 && strstr(err, "NUL"), "embedded NUL refused: %s", err);
	ok(dns("www.google.com ") < 0 && strstr(err, "space"), "trailing space refused: %s", err);
	ok(dns("www.google.com\r\n.demo.test") < 0 && strstr(err, "control character (U+000D)"), "CR/LF refused: %s", err);
	ok(dns("<img src=x onerror=alert(1)>") < 0, "markup refused: %s", err);
	ok(strchr(err, '<') != NULL && strchr(err, '\r') == NULL, "messages keep printable text, nothing else");
	ok(dns("b\xc3\xbc""cher.example") < 0 && strstr(err, "xn--"), "raw UTF-8 refused with a hint at A-labels: %s", err);
	ok(cm_nr_dns_syntax("DNS name", (const unsigned char *)"*.example.com", 13, 0, err, sizeof(err)) < 0,
	    "wildcards only where the caller allows them");

	/* without a list: every wildcard is refused, plain names still pass */
	rules.psl = NULL;
	ok(dns("*.example.com") < 0 && strstr(err, "could not be read") && strstr(err, "test list"),
	    "no list: wildcards refused, naming the list: %s", err);
	ok(dns("www.example.com") == 0, "no list: plain names still fine");
	rules.psl = psl;

	/* ---- IP addresses */
	ok(ip("192.0.2.1") == 0 && ip("10.1.2.3") == 0 && ip("2001:db8::1") == 0, "ordinary addresses");
	ok(ip("0.0.0.0") < 0 && strstr(err, "unspecified"), "0.0.0.0 refused: %s", err);
	ok(ip("127.0.0.1") < 0 && strstr(err, "loopback"), "127.0.0.1 refused: %s", err);
	ok(ip("127.255.1.2") < 0, "all of 127.0.0.0/8 refused");
	ok(ip("::") < 0 && ip("::1") < 0, ":: and ::1 refused");
	ok(ip("::ffff:127.0.0.1") < 0 && ip("::ffff:0.0.0.0") < 0, "IPv4-mapped loopback/unspecified refused");
	ok(ip("128.0.0.1") == 0 && ip("::2") == 0, "neighbours of the refused ranges are fine");
	ok(cm_nr_ip(&rules, (const unsigned char *)"abcde", 5, err, sizeof(err)) < 0, "a 5-byte address refused");
	rules.allow_loopback_ip = 1;
	ok(ip("127.0.0.1") == 0 && ip("::1") == 0 && ip("0.0.0.0") == 0, "allow_loopback_ip allows them");
	ok(dns("localhost") == 0, "... and the name localhost");
	ok(dns("*.localhost") < 0 && dns("intranet") < 0, "... but no other single label");
	rules.allow_loopback_ip = 0;

	/* ---- text of subject attributes */
	ok(text("Jane O'Neil & Co", 16) == 0, "printable ASCII");
	ok(text("M\xc3\xbcnchen", 8) == 0, "UTF-8");
	ok(text("a\0b", 3) < 0 && strstr(err, "NUL") && strstr(err, "CN"), "NUL refused, naming the attribute: %s", err);
	ok(text("a\nb", 3) < 0 && strstr(err, "U+000A"), "LF refused: %s", err);
	ok(text("a\x7f", 2) < 0, "DEL refused");
	ok(text("a\xc2\x85", 3) < 0 && strstr(err, "U+0085"), "C1 (NEL) refused: %s", err);
	ok(text("\xc0\xaf", 2) < 0 && strstr(err, "UTF-8"), "overlong refused: %s", err);
	ok(text("\xe0\x80\xaf", 3) < 0, "overlong three-byte refused");
	ok(text("\xed\xa0\x80", 3) < 0, "surrogate refused");
	ok(text("\xf4\x90\x80\x80", 4) < 0, "past U+10FFFF refused");
	ok(text("\xe2\x82", 2) < 0, "cut sequence refused");
	ok(text("", 0) < 0 && strstr(err, "empty"), "empty refused");

	/* ---- whole certificates */
	ok(names("www.example.com", -1, "DNS:www.example.com", 1) == 0, "CN = SAN");
	ok(names("WWW.EXAMPLE.com", -1, "DNS:api.example.com,DNS:www.example.com", 1) == 0, "CN = a later SAN, case-insensitively");
	ok(names(NULL, 0, "DNS:www.example.com", 1) == 0, "no CN at all is fine");
	ok(names("192.0.2.7", -1, "DNS:www.example.com,IP:192.0.2.7", 1) == 0, "an IP CN equal to an IP SAN");
	ok(names("192.0.2.8", -1, "DNS:www.example.com,IP:192.0.2.7", 1) < 0, "an IP CN not among the IP SANs refused");
	ok(names("www.google.com", -1, "DNS:ok.example.com", 1) < 0 && strstr(err, "subjectAltNames"),
	    "CN not among the SANs refused: %s", err);
	ok(names("www.google.com\0.example.com", 27, "DNS:www.google.com.example.com", 1) < 0 && strstr(err, "NUL"),
	    "CN with NUL refused: %s", err);
	ok(names("www.google.com ", -1, "DNS:www.google.com", 1) < 0, "CN with a trailing space refused: %s", err);
	ok(names("www.google.com\r\n", -1, "DNS:www.google.com", 1) < 0 && strstr(err, "U+000D"), "CN with CR/LF refused");
	ok(names("<img src=x onerror=alert(1)>", -1, "DNS:ok.example.com", 1) < 0, "markup CN refused: %s", err);
	ok(names("Alice Example", -1, "email:alice@example.com", 0) == 0, "a person's CN outside TLS");
	ok(names("Alice\nExample", -1, "email:alice@example.com", 0) < 0, "... still without control characters");
	ok(names("x", -1, "email:alice@localhost", 0) < 0, "an e-mail domain of one label refused: %s", err);
	ok(names("x", -1, "email:alice@@example.com", 0) < 0, "two @ refused");
	ok(names("x", -1, "email:al ice@example.com", 0) < 0, "a space in an e-mail refused");
	ok(names("www.example.com", -1, "DNS:www.example.com,DNS:a_b.example.com", 1) < 0 && strstr(err, "underscore"),
	    "a bad second SAN refused");
	ok(names("x.example.com", -1, "DNS:x.example.com,IP:127.0.0.1", 1) < 0 && strstr(err, "loopback"), "loopback SAN refused");
	{
		X509_NAME *nm = subject("www.example.com", -1, "OU", "Sales");
		GENERAL_NAMES *g = sans("DNS:www.example.com");
		ok(cm_nr_check_names(&rules, nm, g, 1, err, sizeof(err)) < 0 && strstr(err, "OU"), "an OU refused: %s", err);
		X509_NAME_free(nm);
		nm = subject("www.example.com", -1, "C", "gb");
		ok(cm_nr_check_names(&rules, nm, g, 1, err, sizeof(err)) < 0 && strstr(err, "C"), "a lower-case country refused: %s", err);
		X509_NAME_free(nm);
		nm = subject("www.example.com", -1, "C", "GB");
		ok(cm_nr_check_names(&rules, nm, g, 1, err, sizeof(err)) == 0, "C=GB is fine");
		X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_UTF8, (const unsigned char *)"Evil\tCorp", -1, -1, 0);
		ok(cm_nr_check_names(&rules, nm, g, 1, err, sizeof(err)) < 0 && strstr(err, "subject's O"),
		    "a tab in O refused, naming O: %s", err);
		ok(cm_nr_check_subject_text(nm, err, sizeof(err)) < 0, "... by the text-only check too");
		X509_NAME_free(nm);
		nm = subject("www.example.com", -1, "CN", "other.example.com");
		ok(cm_nr_check_names(&rules, nm, g, 0, err, sizeof(err)) < 0 && strstr(err, "more than one CN"),
		    "two CNs refused: %s", err);
		X509_NAME_free(nm);
		/* a BMPString holding a lone surrogate cannot become UTF-8 */
		nm = X509_NAME_new();
		X509_NAME_add_entry_by_NID(nm, NID_organizationName, V_ASN1_BMPSTRING, (unsigned char *)"\xd8\x00", 2, -1, 0);
		ok(cm_nr_check_subject_text(nm, err, sizeof(err)) < 0, "a BMPString with a lone surrogate refused: %s", err);
		X509_NAME_free(nm);
		GENERAL_NAMES_free(g);
	}

	/* ---- the installed list, when Debian's publicsuffix is there */
	if (cm_psl_load(CM_PSL_DEFAULT_PATH, &real, err, sizeof(err)) == 0) {
		rules.psl = real;
		ok(cm_psl_count(real) > 5000, "Debian's list has %zu rules", cm_psl_count(real));
		ok(dns("*.co.uk") < 0 && dns("*.com") < 0 && dns("*.github.io") < 0, "real list: *.co.uk, *.com, *.github.io refused");
		ok(dns("*.example.co.uk") == 0 && dns("*.demo.test") == 0, "real list: *.example.co.uk and *.demo.test allowed");
		ok(dns("*.xn--fiqs8s") < 0, "real list: *.xn--fiqs8s (.中国) refused");
		cm_psl_free(real);
	} else {
		printf("# skipped: %s\n", err);
	}
	cm_psl_free(psl);
	return tap_done();
}
