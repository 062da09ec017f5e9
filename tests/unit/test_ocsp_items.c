/* test_ocsp_items.c: ocsp-sign's packed items: the client's packing (lib/signer_client.c) and the signer's parser (signer/ocsp_items.c) round trip at every bound; the issued-serial set (signer/issued_set.c) and its journal scan. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "issued_set.h"
#include "ocsp.h"
#include "signer_client.h"
#include "signer_proto.h"

static const unsigned char SERIAL[16] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };

static struct cm_signer_ocsp_single
single(unsigned hash, unsigned status, uint64_t at, unsigned reason)
{
	struct cm_signer_ocsp_single s = { hash, SERIAL, sizeof(SERIAL), status, at, reason };
	return s;
}

/* Packs item; 0 and the bytes in b, or -1. */
static int
pack(struct cm_buf *b, const struct cm_signer_ocsp_item *it)
{
	cm_buf_reset(b);
	return cm_signer_ocsp_pack(b, it);
}

static int
parse(const struct cm_buf *b, struct cm_ocsp_item *out, char *why, size_t n)
{
	return cm_ocsp_item_parse((const unsigned char *)b->data, b->len, out, why, n);
}

static void
test_round_trip(void)
{
	struct cm_buf b;
	struct cm_ocsp_item it;
	char why[256];
	unsigned char nonce[CM_OCSP_MAX_NONCE + 1];
	struct cm_signer_ocsp_single ss[CM_OCSP_MAX_SINGLES + 1];

	memset(nonce, 0xa5, sizeof(nonce));
	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	ss[0] = single(CM_OCSP_HASH_SHA1, CM_OCSP_GOOD, 0, CM_OCSP_NO_REASON);
	ss[1] = single(CM_OCSP_HASH_SHA512, CM_OCSP_REVOKED, 1700000000, 1);
	ss[2] = single(CM_OCSP_HASH_SHA256, CM_OCSP_UNKNOWN, 0, CM_OCSP_NO_REASON);
	struct cm_signer_ocsp_item ci = { nonce, 16, ss, 3 };
	ok(pack(&b, &ci) == 0, "an item with a nonce and three singles packs");
	is_int(b.len, 1 + 16 + 1 + 3 * CM_OCSP_SINGLE_LEN(16), "... to the documented length");
	ok(parse(&b, &it, why, sizeof(why)) == 0, "... and parses back (%s)", why);
	ok(it.nonce_len == 16 && it.nonce && memcmp(it.nonce, nonce, 16) == 0, "nonce round trip");
	ok(it.nsingles == 3 && it.singles[0].hash == 1 && it.singles[1].hash == 4 && it.singles[2].hash == 2,
	    "hashes round trip");
	ok(it.singles[1].status == CM_OCSP_REVOKED && it.singles[1].revoked_at == 1700000000 &&
	    it.singles[1].reason == 1, "revoked with time and reason round trip");
	ok(it.singles[0].serial_len == 16 && memcmp(it.singles[0].serial, SERIAL, 16) == 0, "serial round trip");
	ok(it.singles[2].status == CM_OCSP_UNKNOWN && it.singles[0].reason == CM_OCSP_NO_REASON, "unknown, no reason");

	/* Bounds, on both sides. */
	ci.nonce_len = CM_OCSP_MAX_NONCE;
	ok(pack(&b, &ci) == 0 && parse(&b, &it, why, sizeof(why)) == 0 && it.nonce_len == 64, "a 64-byte nonce");
	ci.nonce_len = CM_OCSP_MAX_NONCE + 1;
	ok(pack(&b, &ci) < 0 && b.len == 0, "a 65-byte nonce does not pack (and leaves nothing)");
	ci.nonce_len = 0;
	ci.nonce = NULL;
	ok(pack(&b, &ci) == 0 && parse(&b, &it, why, sizeof(why)) == 0 && it.nonce_len == 0 && it.nonce == NULL,
	    "no nonce");
	ci.nsingles = 0;
	ok(pack(&b, &ci) < 0, "0 singles do not pack");
	for (int i = 0; i < CM_OCSP_MAX_SINGLES + 1; i++)
		ss[i] = single(CM_OCSP_HASH_SHA1, CM_OCSP_GOOD, 0, CM_OCSP_NO_REASON);
	ci.nsingles = CM_OCSP_MAX_SINGLES;
	ok(pack(&b, &ci) == 0 && parse(&b, &it, why, sizeof(why)) == 0 && it.nsingles == 16, "16 singles");
	ci.nsingles = CM_OCSP_MAX_SINGLES + 1;
	ok(pack(&b, &ci) < 0, "17 singles do not pack");
	ci.nsingles = 1;
	ss[0].serial_len = 0;
	ok(pack(&b, &ci) < 0, "a 0-byte serial does not pack");
	unsigned char big[21];
	memset(big, 0x11, sizeof(big));
	ss[0].serial = big;
	ss[0].serial_len = 20;
	ok(pack(&b, &ci) == 0 && parse(&b, &it, why, sizeof(why)) == 0 && it.singles[0].serial_len == 20,
	    "a 20-byte serial");
	ss[0].serial_len = 21;
	ok(pack(&b, &ci) < 0, "a 21-byte serial does not pack");
	ss[0] = single(5, CM_OCSP_GOOD, 0, CM_OCSP_NO_REASON);
	ok(pack(&b, &ci) < 0, "hash 5 does not pack");
	ss[0] = single(0, CM_OCSP_GOOD, 0, CM_OCSP_NO_REASON);
	ok(pack(&b, &ci) < 0, "hash 0 does not pack");
	ss[0] = single(1, 3, 0, CM_OCSP_NO_REASON);
	ok(pack(&b, &ci) < 0, "status 3 does not pack");
	ss[0] = single(1, CM_OCSP_REVOKED, 1, 7);
	ok(pack(&b, &ci) < 0, "reason 7 does not pack");
	ss[0] = single(1, CM_OCSP_REVOKED, 1, 11);
	ok(pack(&b, &ci) < 0, "reason 11 does not pack");
	ss[0] = single(1, CM_OCSP_REVOKED, 1, 10);
	ok(pack(&b, &ci) == 0 && parse(&b, &it, why, sizeof(why)) == 0 && it.singles[0].reason == 10, "reason 10");

	/* The parser on bytes the client would never send. */
	ss[0] = single(1, CM_OCSP_GOOD, 0, CM_OCSP_NO_REASON);
	ok(pack(&b, &ci) == 0, "a good single packs");
	size_t good_len = b.len;
	unsigned char raw[512];
	memcpy(raw, b.data, good_len);
	struct cm_buf r = { (char *)raw, good_len + 1, sizeof(raw), 0 };
	raw[good_len] = 0;
	ok(parse(&r, &it, why, sizeof(why)) == 1 && strstr(why, "after the last single"), "a trailing byte is refused: %s", why);
	for (size_t cut = 0; cut < good_len; cut++) {
		r.len = cut;
		if (parse(&r, &it, why, sizeof(why)) != 1)
			break;
		if (cut + 1 == good_len)
			ok(1, "every truncation of the item is refused");
	}
	r.len = good_len;
	raw[0] = CM_OCSP_MAX_NONCE + 1;
	ok(parse(&r, &it, why, sizeof(why)) == 1 && strstr(why, "nonce"), "nonce length 65 refused: %s", why);
	raw[0] = 0;
	raw[1] = 0;
	ok(parse(&r, &it, why, sizeof(why)) == 1 && strstr(why, "singles"), "0 singles refused: %s", why);
	raw[1] = 17;
	ok(parse(&r, &it, why, sizeof(why)) == 1 && strstr(why, "singles"), "17 singles refused: %s", why);
	raw[1] = 1;
	raw[2] = 5;
	ok(parse(&r, &it, why, sizeof(why)) == 1 && strstr(why, "hash"), "hash 5 refused: %s", why);
	raw[2] = 1;
	raw[3] = 0;
	ok(parse(&r, &it, why, sizeof(why)) == 1 && strstr(why, "serial"), "serial length 0 refused: %s", why);
	raw[3] = 21;
	ok(parse(&r, &it, why, sizeof(why)) == 1 && strstr(why, "serial"), "serial length 21 refused: %s", why);
	raw[3] = 16;
	raw[4 + 16] = 3;
	ok(parse(&r, &it, why, sizeof(why)) == 1 && strstr(why, "status"), "status 3 refused: %s", why);
	raw[4 + 16] = CM_OCSP_REVOKED;
	raw[4 + 16 + 9] = 7;
	ok(parse(&r, &it, why, sizeof(why)) == 1 && strstr(why, "reason"), "reason 7 refused: %s", why);
	raw[4 + 16 + 9] = CM_OCSP_NO_REASON;
	ok(parse(&r, &it, why, sizeof(why)) == 0, "revoked at time 0 without a reason parses");
	raw[4 + 16] = CM_OCSP_GOOD;
	raw[4 + 16 + 8] = 1;
	ok(parse(&r, &it, why, sizeof(why)) == 1 && strstr(why, "revocation time"),
	    "a good single with a revocation time refused: %s", why);
	cm_buf_free(&b);
}

static void
test_issued_set(void)
{
	struct cm_issued_set s;
	unsigned char one[16], lead0[17];

	ok(cm_issued_init(&s) == 0, "issued set initialised");
	ok(!cm_issued_has(&s, SERIAL, sizeof(SERIAL)), "empty: nothing in it");
	ok(cm_issued_add(&s, SERIAL, sizeof(SERIAL)) == 0 && cm_issued_has(&s, SERIAL, sizeof(SERIAL)), "insert, lookup");
	lead0[0] = 0;
	memcpy(lead0 + 1, SERIAL, 16);
	ok(cm_issued_has(&s, lead0, sizeof(lead0)), "a leading zero byte does not matter");
	ok(!cm_issued_has(&s, SERIAL, 15), "a prefix is not in it");
	unsigned char big[21] = { 1 };
	ok(cm_issued_add(&s, big, 21) < 0 && !cm_issued_has(&s, big, 21), "21 bytes refused");
	/* Growth: far past the initial table, every serial still found. */
	size_t before = s.cap;
	for (unsigned i = 0; i < 50000; i++) {
		memset(one, 0, sizeof(one));
		one[0] = 0x40;
		memcpy(one + 12, &i, sizeof(i));
		if (cm_issued_add(&s, one, sizeof(one)) < 0)
			break;
	}
	ok(s.cap > before && cm_issued_count(&s) == 50001, "50000 more: the table grew (%zu -> %zu), %zu kept",
	    before, s.cap, cm_issued_count(&s));
	int all = 1;
	for (unsigned i = 0; i < 50000 && all; i++) {
		memset(one, 0, sizeof(one));
		one[0] = 0x40;
		memcpy(one + 12, &i, sizeof(i));
		all = cm_issued_has(&s, one, sizeof(one));
	}
	ok(all, "... and every one is found");
	one[0] = 0x41;
	ok(!cm_issued_has(&s, one, sizeof(one)), "... and a serial never added is not");
	ok(cm_issued_add(&s, SERIAL, sizeof(SERIAL)) == 0 && cm_issued_count(&s) == 50001, "a second insert is a no-op");
	cm_issued_free(&s);

	/* The journal scan. */
	char path[] = "/tmp/test_ocsp_items.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	ok(f != NULL, "temporary journal");
	if (f == NULL)
		return;
	char b64[3000];
	memset(b64, 'A', sizeof(b64) - 1);
	b64[sizeof(b64) - 1] = '\0';
	fprintf(f, "2026-01-01T00:00:00Z\t00112233445566778899aabbccddeeff\ttls-server\t33\t/CN=a\t%s\n", b64);
	fprintf(f, "2026-01-01T00:00:01Z\t7f112233445566778899aabbccddeeff\tsigner.ocsp-responder\t0\t/CN=r\t%s\n", b64);
	fprintf(f, "garbage without tabs\n");
	fprintf(f, "2026-01-01T00:00:02Z\tnothex\ttls-server\t33\t/CN=b\tAAAA\n");
	fprintf(f, "2026-01-01T00:00:03Z\t0a0b0c0d0e0f00010203040506070809\ttls-server\t33\t/CN=c\t%s", b64);
	fclose(f);
	size_t skipped = 0;
	char err[256] = "";
	ok(cm_issued_init(&s) == 0 && cm_issued_load_journal(&s, path, &skipped, err, sizeof(err)) == 0,
	    "journal scanned (%s)", err);
	is_int(cm_issued_count(&s), 2, "two complete records with a serial");
	is_int(skipped, 3, "a line without fields, a serial that is not hex and the unfinished last line skipped");
	unsigned char a[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	ok(cm_issued_has(&s, a + 1, 15), "the first record's serial, without its leading zero byte");
	unsigned char c[16] = { 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };
	ok(!cm_issued_has(&s, c, 16), "the truncated last line's serial is not issued");
	cm_issued_free(&s);
	unlink(path);
	ok(cm_issued_init(&s) == 0 && cm_issued_load_journal(&s, "/nonexistent/journal", &skipped, err, sizeof(err)) == 0 &&
	    cm_issued_count(&s) == 0, "a missing journal is an empty one");
	cm_issued_free(&s);
}

int
main(void)
{
	test_round_trip();
	test_issued_set();
	return tap_done();
}
