/* test_cert_types.c: the one list of certificate types, the profile mapping and the type-list parser. */
#include "config.h"

#include <string.h>

#include "cert_types.h"
#include "tap.h"

int
main(void)
{
	unsigned m = 99;
	char longname[80];

	is_int(CM_CERT_TYPES_N, 4, "four types");
	ok(strcmp(cm_cert_types[0].name, "ssl") == 0 && strcmp(cm_cert_types[1].name, "client") == 0 &&
	    strcmp(cm_cert_types[2].name, "codesign") == 0 && strcmp(cm_cert_types[3].name, "ocsp") == 0,
	    "in display order: ssl, client, codesign, ocsp");
	ok(cm_cert_type_find("client") == &cm_cert_types[1], "find by name");
	ok(cm_cert_type_find("CLIENT") == NULL && cm_cert_type_find(NULL) == NULL &&
	    cm_cert_type_find("") == NULL, "names are exact");

	ok(cm_cert_type_bit("ssl", CM_TYPES_ADMIN) == CM_TYPE_SSL &&
	    cm_cert_type_bit("client", CM_TYPES_ADMIN) == CM_TYPE_CLIENT &&
	    cm_cert_type_bit("codesign", CM_TYPES_ADMIN) == CM_TYPE_CODESIGN, "each type has its bit");
	ok(cm_cert_type_bit("ocsp", CM_TYPES_ADMIN) == 0 && cm_cert_type_bit("ocsp", CM_TYPES_ALL) == CM_TYPE_OCSP,
	    "ocsp is no administrator's type, but a type");
	ok(cm_cert_type_bit("", CM_TYPES_ALL) == 0 && cm_cert_type_bit(NULL, CM_TYPES_ALL) == 0 &&
	    cm_cert_type_bit("SSL", CM_TYPES_ALL) == 0, "other names have none");

	is_str(cm_cert_type_of("tls-server"), "ssl", "tls-server issues ssl");
	is_str(cm_cert_type_of("client-smime"), "client", "client-smime issues client");
	is_str(cm_cert_type_of("code-signing"), "codesign", "code-signing issues codesign");
	is_str(cm_cert_type_of("ocsp-signing"), "ocsp", "ocsp-signing issues ocsp");
	ok(cm_cert_type_of("TLS-SERVER") == NULL && cm_cert_type_of("") == NULL && cm_cert_type_of(NULL) == NULL,
	    "unknown profiles have no type");
	is_str(cm_cert_type_of("client-device"), "client", "client-device issues client too");
	ok(cm_cert_type_of("client-device ") == NULL && cm_cert_type_of("client-dev") == NULL &&
	    cm_cert_type_of("CLIENT-DEVICE") == NULL, "... by its exact name only");
	ok(cm_cert_type_find("client")->profile != NULL && strcmp(cm_cert_type_find("client")->profile, "client-smime") == 0,
	    "client's own profile stays client-smime (lists of types are unchanged)");
	ok(cm_cert_type_find("device") == NULL && cm_cert_type_bit("device", CM_TYPES_ALL) == 0,
	    "device is a SCEP type, not a certificate type");

	ok(cm_cert_types_parse("ssl,client,codesign", CM_TYPES_ADMIN, 0, &m) == 0 && m == 7, "the full SET parses");
	ok(cm_cert_types_parse("", CM_TYPES_ADMIN, 0, &m) == 0 && m == 0, "an empty SET is no type");
	ok(cm_cert_types_parse(NULL, CM_TYPES_ADMIN, 0, &m) == 0 && m == 0, "NULL is no type");
	ok(cm_cert_types_parse("codesign", CM_TYPES_ADMIN, 0, &m) == 0 && m == CM_TYPE_CODESIGN, "one name");
	ok(cm_cert_types_parse(" ssl , client ", CM_TYPES_ADMIN, 0, &m) == 0 && m == (CM_TYPE_SSL | CM_TYPE_CLIENT),
	    "spaces around names are ignored (CSV cells)");
	ok(cm_cert_types_parse("ssl,\tclient", CM_TYPES_ADMIN, 0, &m) == -1, "other white space is not");
	ok(cm_cert_types_parse("ssl,,codesign,", CM_TYPES_ADMIN, 0, &m) == 0 && m == (CM_TYPE_SSL | CM_TYPE_CODESIGN),
	    "empty names are ignored");
	ok(cm_cert_types_parse("ssl,ocsp", CM_TYPES_ADMIN, 0, &m) == -1 && m == CM_TYPE_SSL,
	    "a name outside allowed is refused, the known kept");
	ok(cm_cert_types_parse("ssl,ocsp", CM_TYPES_ALL, 0, &m) == 0 && m == (CM_TYPE_SSL | CM_TYPE_OCSP),
	    "... and accepted where allowed");
	ok(cm_cert_types_parse("ssl client", CM_TYPES_ADMIN, 0, &m) == -1, "names need commas");
	ok(cm_cert_types_parse("SSL", CM_TYPES_ADMIN, 0, &m) == -1, "names are lower case, as the SET stores them");
	ok(cm_cert_types_parse("sslx", CM_TYPES_ADMIN, 0, &m) == -1 &&
	    cm_cert_types_parse("ss", CM_TYPES_ADMIN, 0, &m) == -1, "no prefix matching");
	memset(longname, 'c', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ok(cm_cert_types_parse(longname, CM_TYPES_ADMIN, 0, &m) == -1 && m == 0, "an over-long name is refused");

	ok(cm_cert_types_parse("ssl,client", CM_TYPES_ADMIN, CM_TYPES_STRICT, &m) == 0 &&
	    m == (CM_TYPE_SSL | CM_TYPE_CLIENT), "strict: a clean list parses");
	ok(cm_cert_types_parse("ssl, client", CM_TYPES_ADMIN, CM_TYPES_STRICT, &m) == -1,
	    "strict: a padded name is refused (a SET would refuse it)");
	ok(cm_cert_types_parse("ssl,,client", CM_TYPES_ADMIN, CM_TYPES_STRICT, &m) == -1,
	    "strict: an empty name is refused");
	ok(cm_cert_types_parse("ssl,", CM_TYPES_ADMIN, CM_TYPES_STRICT, &m) == -1,
	    "strict: a trailing comma is refused");
	return tap_done();
}
