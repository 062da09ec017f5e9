/* test_realm_config.c: unit tests for lib/realm_config.c without a database: domain and SPN checks, the Location text and its refusals, keytab files (atomic, modes), the reloader's status. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "realm_config.h"
#include "settings.h"
#include "tap.h"

static const char want_location[] =
    "# Written by certmint for customer demo (Demo Ltd); do not edit: the admin portal rewrites it.\n"
    "<Location \"/customer/demo/autoenroll\">\n"
    "\tAuthType GSSAPI\n"
    "\tAuthName \"certmint auto-enrollment\"\n"
    "\tGssapiCredStore \"keytab:/var/lib/certmint/keytabs/customer-7.keytab\"\n"
    "\tGssapiAllowedMech krb5\n"
    "\tGssapiBasicAuth Off\n"
    "\tRequire valid-user\n"
    "</Location>\n";

static void
write_text(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(s, f);
		fclose(f);
	}
}

int
main(void)
{
	char d[300], r[300], text[4096], why[512], dir[] = "/tmp/test_realm_config.XXXXXX", path[512], msg[256];
	struct cm_settings st;
	struct stat sb;
	unsigned char *data;
	size_t len;
	long long when;
	int pending;

	/* Windows domains. */
	ok(cm_realm_domain_check(" Corp.Example.COM. ", d, sizeof(d), r, sizeof(r)) == NULL, "domain normalised");
	is_str(d, "corp.example.com", "lower-case domain");
	is_str(r, "CORP.EXAMPLE.COM", "upper-case realm");
	ok(cm_realm_domain_check("", d, sizeof(d), r, sizeof(r)) != NULL, "empty domain refused");
	ok(cm_realm_domain_check("corp", d, sizeof(d), r, sizeof(r)) != NULL, "single label refused");
	ok(cm_realm_domain_check("corp..example.com", d, sizeof(d), r, sizeof(r)) != NULL, "empty label refused");
	ok(cm_realm_domain_check("-corp.example.com", d, sizeof(d), r, sizeof(r)) != NULL, "leading hyphen refused");
	ok(cm_realm_domain_check("corp_x.example.com", d, sizeof(d), r, sizeof(r)) != NULL, "underscore refused");
	ok(cm_realm_domain_check("corp.example.com\"", d, sizeof(d), r, sizeof(r)) != NULL, "quote refused");

	/* SPNs. */
	ok(cm_realm_spn_check("HTTP/certs.corp.example.com@CORP.EXAMPLE.COM", "CORP.EXAMPLE.COM") == NULL, "good SPN");
	ok(cm_realm_spn_check("http/certs.corp.example.com@CORP.EXAMPLE.COM", "CORP.EXAMPLE.COM") != NULL,
	    "lower-case service refused");
	ok(cm_realm_spn_check("HTTP/certs.corp.example.com@OTHER.EXAMPLE.COM", "CORP.EXAMPLE.COM") != NULL,
	    "realm of another domain refused");
	is_str(cm_realm_spn_check("HTTP/certs.corp.example.com@OTHER.EXAMPLE.COM", "CORP.EXAMPLE.COM"),
	    "The realm after @ must be the Windows domain in upper case.", "realm mismatch message");
	ok(cm_realm_spn_check("HTTP/certs.corp.example.com", NULL) != NULL, "no realm refused");
	ok(cm_realm_spn_check("HTTP/@CORP.EXAMPLE.COM", NULL) != NULL, "no host refused");
	ok(cm_realm_spn_check("HTTP/a b@CORP.EXAMPLE.COM", NULL) != NULL, "space in host refused");
	ok(cm_realm_spn_check("HTTP/a@b@CORP.EXAMPLE.COM", NULL) != NULL, "two @ refused");
	ok(cm_realm_spn_check("HTTP/a@corp.example.com", NULL) != NULL, "lower-case realm refused");

	/* The Location file: exactly common.md's text; refusals. */
	is_int(cm_realm_location_text("demo", "Demo Ltd", "/var/lib/certmint/keytabs/customer-7.keytab", text,
	    sizeof(text), why, sizeof(why)), 0, "Location text");
	is_str(text, want_location, "Location text as the contract shows");
	is_int(cm_realm_location_text("de\"mo", "x", "/k", text, sizeof(text), why, sizeof(why)), -1, "quote in uri refused");
	is_int(cm_realm_location_text("de mo", "x", "/k", text, sizeof(text), why, sizeof(why)), -1, "space in uri refused");
	is_int(cm_realm_location_text("..", "x", "/k", text, sizeof(text), why, sizeof(why)), -1, ".. refused");
	is_int(cm_realm_location_text("demo", "x", "/k${X}", text, sizeof(text), why, sizeof(why)), -1, "$ in path refused");
	is_int(cm_realm_location_text("demo", "x", "/k\"", text, sizeof(text), why, sizeof(why)), -1, "quote in path refused");
	is_int(cm_realm_location_text("demo", "x", "rel/k", text, sizeof(text), why, sizeof(why)), -1, "relative path refused");
	is_int(cm_realm_location_text("demo", "Evil\n</Location>\nRequire all granted ${X} \\", "/k", text, sizeof(text),
	    why, sizeof(why)), 0, "a hostile name is made safe");
	ok(strstr(text, "(Evil?</Location>?Require all granted ?{X} ?);") != NULL &&
	    strstr(text, "\nRequire all granted") == NULL, "the name stays in its comment line: %.120s", text);

	/* Keytab files: atomic, 0640, read back, removed. */
	if (mkdtemp(dir) == NULL)
		return 1;
	memset(&st, 0, sizeof(st));
	st.keytab_dir = dir;
	st.apache_conf_dir = dir;
	is_int(cm_realm_keytab_store(&st, 12, (const unsigned char *)"\x05\x02", 2, why, sizeof(why)), 0, "keytab stored");
	snprintf(path, sizeof(path), "%s/realm-12.keytab", dir);
	ok(stat(path, &sb) == 0 && (sb.st_mode & 07777) == 0640 && sb.st_size == 2, "realm-12.keytab 0640, 2 bytes");
	is_int(cm_realm_keytab_read(&st, 12, &data, &len, why, sizeof(why)), 0, "keytab read");
	ok(len == 2 && data[0] == 5 && data[1] == 2, "the bytes read back");
	free(data);
	is_int(cm_realm_keytab_read(&st, 13, &data, &len, why, sizeof(why)), 1, "missing keytab: 1");
	is_int(cm_realm_keytab_remove(&st, 12, why, sizeof(why)), 0, "keytab removed");
	is_int(cm_realm_keytab_remove(&st, 12, why, sizeof(why)), 0, "removing again is fine");
	ok(stat(path, &sb) < 0, "the file is gone");
	st.keytab_dir = (char *)"/nonexistent/certmint-test";
	is_int(cm_realm_keytab_store(&st, 1, (const unsigned char *)"\x05\x02", 2, why, sizeof(why)), -1,
	    "a missing directory fails");
	ok(strstr(why, "/nonexistent/certmint-test/realm-1.keytab") != NULL, "the path is said: %s", why);

	/* The reloader's status. */
	is_int(cm_realm_reload_status(&st, &when, msg, sizeof(msg), &pending), 0, "no status yet");
	snprintf(path, sizeof(path), "%s/.reload-status", dir);
	write_text(path, "ok 1700000000\n");
	is_int(cm_realm_reload_status(&st, &when, msg, sizeof(msg), &pending), 1, "ok status");
	ok(when == 1700000000 && pending == 0, "its time, nothing pending");
	write_text(path, "failed 1700000100 AH00526: Syntax error on line 3 of /etc/x.conf:\x01\n");
	is_int(cm_realm_reload_status(&st, &when, msg, sizeof(msg), &pending), 2, "failed status");
	is_str(msg, "AH00526: Syntax error on line 3 of /etc/x.conf: ", "the error line, controls blanked");
	write_text(path, "garbage\n");
	is_int(cm_realm_reload_status(&st, &when, msg, sizeof(msg), &pending), -1, "unreadable status");
	unlink(path);
	rmdir(dir);
	return tap_done();
}
