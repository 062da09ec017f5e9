/* test_audit_hash.c: the audit chain's row hash is canonical, covers every field and matches an independent computation. */
#include "config.h"

#include <string.h>

#include "audit.h"
#include "tap.h"

static const struct cm_audit_row base = {
	.id = 1,
	.at = "2026-11-23 19:42:22.123456",
	.actor = "cli:root",
	.action = "admin.add",
	.object_type = "admin",
	.object_id = "7",
	.customer_id = 3,
	.remote_addr = NULL,
	.before = NULL,
	.after = "{\"role\":\"mrao\"}",
};

static int
is_lower_hex64(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

/* 1 when the row's hash differs from the base row's. */
static int
differs(const struct cm_audit_row *r, const char *prev)
{
	char a[65], b[65];
	if (cm_audit_hash(CM_AUDIT_GENESIS, &base, a) < 0 || cm_audit_hash(prev, r, b) < 0)
		return 0;
	return strcmp(a, b) != 0;
}

int
main(void)
{
	char h[65], h2[65];
	struct cm_audit_row r;

	ok(cm_audit_hash(CM_AUDIT_GENESIS, &base, h) == 0, "hash computes");
	ok(is_lower_hex64(h), "hash is 64 lowercase hex digits");
	/* computed with Python's hashlib over the documented encoding:
	 * tag, prev, id, at, actor, action, object_type, object_id,
	 * customer_id, remote_addr, before, after; each field 0x00 (NULL) or
	 * 0x01 + 8-byte big-endian length + bytes */
	is_str(h, "c492e138525a1457adb5302beeb98cefa016b35c9bffdd0c2778a732a61bb713",
	    "hash matches an independent implementation of the encoding");
	ok(cm_audit_hash(CM_AUDIT_GENESIS, &base, h2) == 0 && strcmp(h, h2) == 0,
	    "hash is deterministic");

	ok(differs(&base, "1111111111111111111111111111111111111111111111111111111111111111"),
	    "prev_hash is covered");
	r = base; r.id = 2;
	ok(differs(&r, CM_AUDIT_GENESIS), "id is covered");
	r = base; r.at = "2026-11-23 19:42:22.123457";
	ok(differs(&r, CM_AUDIT_GENESIS), "timestamp (microseconds) is covered");
	r = base; r.actor = "cli:rooT";
	ok(differs(&r, CM_AUDIT_GENESIS), "actor is covered");
	r = base; r.action = "admin.update";
	ok(differs(&r, CM_AUDIT_GENESIS), "action is covered");
	r = base; r.object_type = "certificate";
	ok(differs(&r, CM_AUDIT_GENESIS), "object_type is covered");
	r = base; r.object_id = "8";
	ok(differs(&r, CM_AUDIT_GENESIS), "object_id is covered");
	r = base; r.customer_id = 4;
	ok(differs(&r, CM_AUDIT_GENESIS), "customer_id is covered");
	r = base; r.customer_id = 0;
	ok(differs(&r, CM_AUDIT_GENESIS), "customer_id NULL differs from a value");
	r = base; r.remote_addr = "127.0.0.1";
	ok(differs(&r, CM_AUDIT_GENESIS), "remote_addr is covered");
	r = base; r.before = "{}";
	ok(differs(&r, CM_AUDIT_GENESIS), "before is covered");
	r = base; r.after = "{\"role\":\"rao\"}";
	ok(differs(&r, CM_AUDIT_GENESIS), "after is covered");

	/* unambiguous: NULL vs empty, and moving bytes across a boundary */
	r = base; r.remote_addr = "";
	ok(differs(&r, CM_AUDIT_GENESIS), "NULL and empty string differ");
	{
		struct cm_audit_row a = base, b = base;
		char ha[65], hb[65];
		a.object_type = "admin"; a.object_id = "7";
		b.object_type = "admin7"; b.object_id = "";
		ok(cm_audit_hash(CM_AUDIT_GENESIS, &a, ha) == 0 &&
		    cm_audit_hash(CM_AUDIT_GENESIS, &b, hb) == 0 && strcmp(ha, hb) != 0,
		    "shifting bytes between adjacent fields changes the hash");
		a.before = "x"; a.after = NULL;
		b = a; b.before = NULL; b.after = "x";
		ok(cm_audit_hash(CM_AUDIT_GENESIS, &a, ha) == 0 &&
		    cm_audit_hash(CM_AUDIT_GENESIS, &b, hb) == 0 && strcmp(ha, hb) != 0,
		    "the same value in a different field changes the hash");
	}
	return tap_done();
}
