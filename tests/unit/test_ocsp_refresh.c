/* test_ocsp_refresh.c: unit tests for the decisions of certmint ocsp refresh (lib/ocsp_refresh.c): when a stored response is signed again, the reason signed, serial parsing, the set of walked serials. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocsp_refresh.h"
#include "signer_proto.h"
#include "tap.h"

static struct cm_ocsp_stored
stored(time_t tu, time_t nu, int status)
{
	struct cm_ocsp_stored e;
	memset(&e, 0, sizeof(e));
	e.this_update = tu;
	e.next_update = nu;
	e.status = status;
	return e;
}

static void
test_due(void)
{
	const time_t tu = 1000000, nu = tu + 86400;
	struct cm_ocsp_stored e = stored(tu, nu, CM_OCSP_STORE_GOOD);

	is_int(cm_ocsp_refresh_due(0, NULL, CM_OCSP_STORE_GOOD, tu, 0), 1, "no file: due");
	is_int(cm_ocsp_refresh_due(0, &e, CM_OCSP_STORE_GOOD, tu, 0), 1, "no valid file: due");
	is_int(cm_ocsp_refresh_due(1, &e, CM_OCSP_STORE_GOOD, tu + 10, 0), 0, "fresh and same status: kept");
	is_int(cm_ocsp_refresh_due(1, &e, CM_OCSP_STORE_REVOKED, tu + 10, 0), 1, "status changed: due");
	is_int(cm_ocsp_refresh_due(1, &e, CM_OCSP_STORE_GOOD, tu + 43199, 0), 0, "one second before half: kept");
	is_int(cm_ocsp_refresh_due(1, &e, CM_OCSP_STORE_GOOD, tu + 43200, 0), 1, "at half of the validity: due");
	is_int(cm_ocsp_refresh_due(1, &e, CM_OCSP_STORE_GOOD, nu + 1, 0), 1, "past nextUpdate: due");
	is_int(cm_ocsp_refresh_due(1, &e, CM_OCSP_STORE_GOOD, tu - 1, 0), 1, "thisUpdate in the future: due");
	is_int(cm_ocsp_refresh_due(1, &e, CM_OCSP_STORE_GOOD, tu + 10, 1), 1, "--full: due");
	e = stored(tu, nu, CM_OCSP_STORE_REVOKED);
	is_int(cm_ocsp_refresh_due(1, &e, CM_OCSP_STORE_REVOKED, tu + 10, 0), 0, "revoked stays revoked: kept");
	is_int(cm_ocsp_refresh_due(1, &e, CM_OCSP_STORE_GOOD, tu + 10, 0), 1, "revoked on file, good in the database: due");
}

static void
test_reason(void)
{
	is_int(cm_ocsp_refresh_reason(1, 0), CM_OCSP_NO_REASON, "NULL reason: no reasonCode");
	is_int(cm_ocsp_refresh_reason(0, 0), CM_OCSP_NO_REASON, "unspecified: no reasonCode (as the CRL)");
	is_int(cm_ocsp_refresh_reason(0, 1), 1, "keyCompromise");
	is_int(cm_ocsp_refresh_reason(0, 4), 4, "superseded");
	is_int(cm_ocsp_refresh_reason(0, 9), 9, "privilegeWithdrawn");
	is_int(cm_ocsp_refresh_reason(0, 2), 2, "cACompromise (not offered, still a CRLReason)");
	is_int(cm_ocsp_refresh_reason(0, 10), 10, "aACompromise");
	is_int(cm_ocsp_refresh_reason(0, 6), -1, "certificateHold refused (a revocation is final)");
	is_int(cm_ocsp_refresh_reason(0, 7), -1, "7 unassigned");
	is_int(cm_ocsp_refresh_reason(0, 8), -1, "removeFromCRL refused");
	is_int(cm_ocsp_refresh_reason(0, 11), -1, "11 refused");
	is_int(cm_ocsp_refresh_reason(0, -1), -1, "negative refused");
}

static void
test_serial(void)
{
	unsigned char b[CM_OCSP_MAX_SERIAL];
	char hex[64];

	is_int(cm_ocsp_refresh_serial("0a9efa89996c566e2d1f59ab8c28ae95", b, sizeof(b)), 16, "16-byte serial");
	ok(b[0] == 0x0a && b[15] == 0x95, "... its bytes");
	is_int(cm_ocsp_refresh_serial("00ff", b, sizeof(b)), 1, "leading zero byte dropped");
	ok(b[0] == 0xff, "... leaving ff");
	is_int(cm_ocsp_refresh_serial("ABcd", b, sizeof(b)), 2, "either case");
	is_int(cm_ocsp_refresh_serial("00", b, sizeof(b)), -1, "serial 0 refused");
	is_int(cm_ocsp_refresh_serial("0000", b, sizeof(b)), -1, "serial 00 00 refused");
	is_int(cm_ocsp_refresh_serial("", b, sizeof(b)), -1, "empty refused");
	is_int(cm_ocsp_refresh_serial(NULL, b, sizeof(b)), -1, "NULL refused");
	is_int(cm_ocsp_refresh_serial("abc", b, sizeof(b)), -1, "odd length refused");
	is_int(cm_ocsp_refresh_serial("zz", b, sizeof(b)), -1, "not hex refused");
	memset(hex, 'a', 40);
	hex[40] = '\0';
	is_int(cm_ocsp_refresh_serial(hex, b, sizeof(b)), 20, "20 bytes accepted");
	hex[40] = 'a';
	hex[41] = 'a';
	hex[42] = '\0';
	is_int(cm_ocsp_refresh_serial(hex, b, sizeof(b)), -1, "21 bytes refused");
	is_int(cm_ocsp_refresh_serial("0102", b, 1), -1, "more bytes than the buffer refused");
}

static void
test_nameset(void)
{
	struct cm_ocsp_nameset s;
	char name[80];
	int all = 1;

	cm_ocsp_nameset_init(&s);
	is_int(cm_ocsp_nameset_has(&s, "ab"), 0, "empty set has nothing");
	is_int(cm_ocsp_nameset_add(&s, "ab"), 1, "add");
	is_int(cm_ocsp_nameset_add(&s, "ab"), 0, "add again: already there");
	is_int(cm_ocsp_nameset_has(&s, "ab"), 1, "has");
	is_int(cm_ocsp_nameset_has(&s, "abc"), 0, "a longer name is another");
	is_int(cm_ocsp_nameset_add(&s, ""), -1, "empty name refused");
	memset(name, 'f', 65);
	name[65] = '\0';
	is_int(cm_ocsp_nameset_add(&s, name), -1, "65 characters refused");
	name[64] = '\0';
	is_int(cm_ocsp_nameset_add(&s, name), 1, "64 characters accepted");
	/* Growth: many tables and arenas later every name is still found. */
	for (int i = 0; i < 200000; i++) {
		snprintf(name, sizeof(name), "%032x", (unsigned)i * 2654435761u);
		if (cm_ocsp_nameset_add(&s, name) != 1)
			all = 0;
	}
	ok(all, "200,000 distinct names added");
	is_int(s.count, 200002, "... counted");
	ok(s.count * 2 <= s.nslots, "... the table at most half full");
	all = 1;
	for (int i = 0; i < 200000; i++) {
		snprintf(name, sizeof(name), "%032x", (unsigned)i * 2654435761u);
		if (!cm_ocsp_nameset_has(&s, name))
			all = 0;
	}
	ok(all, "... and every one found");
	snprintf(name, sizeof(name), "%032x", 7u);
	is_int(cm_ocsp_nameset_has(&s, name), 0, "a name never added is not found");
	is_int(cm_ocsp_nameset_has(&s, "ab"), 1, "the first name survived growth");
	cm_ocsp_nameset_free(&s);
	is_int(cm_ocsp_nameset_has(&s, "ab"), 0, "freed set has nothing");
}

int
main(void)
{
	test_due();
	test_reason();
	test_serial();
	test_nameset();
	return tap_done();
}
