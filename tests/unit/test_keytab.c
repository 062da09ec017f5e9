/* test_keytab.c: unit tests for the keytab parser (lib/keytab.c) on hand-built keytabs: the SPN/AES check and its messages, holes, limits, merging, client principals. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keytab.h"
#include "tap.h"

#define SPN "HTTP/web.corp.example.com@CORP.EXAMPLE.COM"

struct kt {
	unsigned char b[8192];
	size_t n;
};

static void
put16(struct kt *k, unsigned v)
{
	k->b[k->n++] = (unsigned char)(v >> 8);
	k->b[k->n++] = (unsigned char)v;
}

static void
put32(struct kt *k, uint32_t v)
{
	put16(k, v >> 16);
	put16(k, v & 0xffff);
}

static void
counted(struct kt *k, const char *s)
{
	put16(k, (unsigned)strlen(s));
	memcpy(k->b + k->n, s, strlen(s));
	k->n += strlen(s);
}

static void
start(struct kt *k)
{
	k->n = 0;
	k->b[k->n++] = 0x05;
	k->b[k->n++] = 0x02;
}

/* An entry for "a/b@REALM" or "a@REALM" (b NULL); vno32 0: none written. */
static void
entry(struct kt *k, const char *a, const char *b, const char *realm, unsigned kvno, unsigned enctype,
    unsigned keylen, uint32_t vno32)
{
	size_t at = k->n;

	put32(k, 0);               /* the size, filled in below */
	put16(k, b ? 2 : 1);
	counted(k, realm);
	counted(k, a);
	if (b)
		counted(k, b);
	put32(k, 1);               /* KRB5_NT_PRINCIPAL */
	put32(k, 0x6b11b687);
	k->b[k->n++] = (unsigned char)kvno;
	put16(k, enctype);
	put16(k, keylen);
	memset(k->b + k->n, 0x5a, keylen);
	k->n += keylen;
	if (vno32)
		put32(k, vno32);
	{
		uint32_t size = (uint32_t)(k->n - at - 4);

		k->b[at] = (unsigned char)(size >> 24);
		k->b[at + 1] = (unsigned char)(size >> 16);
		k->b[at + 2] = (unsigned char)(size >> 8);
		k->b[at + 3] = (unsigned char)size;
	}
}

static void
spn_entry(struct kt *k, unsigned kvno, unsigned enctype)
{
	entry(k, "HTTP", "web.corp.example.com", "CORP.EXAMPLE.COM", kvno, enctype,
	    enctype == 17 ? 16 : 32, 0);
}

static int
check(const struct kt *k, char *pr, size_t prlen, char *pb, size_t pblen)
{
	return cm_keytab_check(k->b, k->n, SPN, pr, prlen, pb, pblen);
}

int
main(void)
{
	struct kt k, k2;
	char pr[CM_KEYTAB_PRINCIPALS_MAX], pb[CM_KEYTAB_PROBLEM_MAX], cl[256];
	unsigned char *m;
	size_t mlen;
	const unsigned char *ins[2];
	size_t lens[2];

	/* A service account's keytab as Samba exports it with AES enabled. */
	start(&k);
	spn_entry(&k, 2, 18);
	spn_entry(&k, 2, 17);
	entry(&k, "svc-certmint", NULL, "CORP.EXAMPLE.COM", 2, 18, 32, 0);
	is_int(check(&k, pr, sizeof(pr), pb, sizeof(pb)), 0, "SPN with AES keys: good");
	is_str(pb, "", "no problem");
	is_str(pr, SPN " (kvno 2: aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96), "
	    "svc-certmint@CORP.EXAMPLE.COM (kvno 2: aes256-cts-hmac-sha1-96)", "principals listed with kvno and enctypes");
	is_int(cm_keytab_first_client(k.b, k.n, "CORP.EXAMPLE.COM", cl, sizeof(cl)), 0, "client principal found");
	is_str(cl, "svc-certmint@CORP.EXAMPLE.COM", "the client is the entry without '/'");
	is_int(cm_keytab_first_client(k.b, k.n, "OTHER.EXAMPLE.COM", cl, sizeof(cl)), 1, "no client of another realm");
	is_int(cm_keytab_first_client(k.b, k.n, NULL, cl, 10), -1, "client into a too small buffer");

	/* RC4 only: what an account without msDS-SupportedEncryptionTypes exports. */
	start(&k);
	spn_entry(&k, 2, 23);
	is_int(check(&k, pr, sizeof(pr), pb, sizeof(pb)), 1, "RC4-only keytab: a problem");
	is_str(pb, "holds " SPN " only with rc4-hmac; set msDS-SupportedEncryptionTypes to 24 on the account "
	    "and export again", "RC4-only message");
	is_str(pr, SPN " (kvno 2: rc4-hmac)", "RC4-only principals listed");
	start(&k);
	spn_entry(&k, 2, 23);
	spn_entry(&k, 2, 16);
	is_int(check(&k, pr, sizeof(pr), pb, sizeof(pb)), 1, "RC4 + DES3: a problem");
	ok(strstr(pb, "only with rc4-hmac, des3-cbc-sha1;") != NULL, "both weak enctypes named: %s", pb);

	/* The SPN missing: another principal only. */
	start(&k);
	entry(&k, "HTTP", "other.corp.example.com", "CORP.EXAMPLE.COM", 2, 18, 32, 0);
	is_int(check(&k, pr, sizeof(pr), pb, sizeof(pb)), 1, "SPN missing: a problem");
	ok(strncmp(pb, "the keytab does not hold " SPN, strlen("the keytab does not hold " SPN)) == 0,
	    "missing SPN named: %s", pb);
	ok(strstr(pb, "HTTP/other.corp.example.com@CORP.EXAMPLE.COM") != NULL, "what it holds is said");
	start(&k);
	is_int(check(&k, pr, sizeof(pr), pb, sizeof(pb)), 1, "an empty keytab: a problem");
	is_str(pb, "the keytab holds no keys", "empty keytab message");

	/* The SPN at two kvnos (a password change), each twice: fine. */
	start(&k);
	spn_entry(&k, 2, 23);
	spn_entry(&k, 2, 18);
	spn_entry(&k, 3, 18);
	spn_entry(&k, 3, 17);
	is_int(check(&k, pr, sizeof(pr), pb, sizeof(pb)), 0, "SPN at two kvnos: good");
	is_str(pr, SPN " (kvno 2: rc4-hmac aes256-cts-hmac-sha1-96), " SPN
	    " (kvno 3: aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96)", "both kvnos listed");

	/* The 32-bit kvno replaces the 8-bit one; SHA-2 AES types count. */
	start(&k);
	entry(&k, "HTTP", "web.corp.example.com", "CORP.EXAMPLE.COM", 44, 20, 32, 300);
	is_int(check(&k, pr, sizeof(pr), pb, sizeof(pb)), 0, "aes256-cts-hmac-sha384-192 is AES");
	is_str(pr, SPN " (kvno 300: aes256-cts-hmac-sha384-192)", "kvno32 used");

	/* A hole (negative size) left by a deletion is skipped; 0 ends. */
	start(&k);
	put32(&k, (uint32_t)-10);
	memset(k.b + k.n, 0xee, 10);
	k.n += 10;
	spn_entry(&k, 5, 18);
	put32(&k, 0);
	memset(k.b + k.n, 0x77, 20);
	k.n += 20;
	is_int(check(&k, pr, sizeof(pr), pb, sizeof(pb)), 0, "hole skipped, zero size ends");

	/* Unreadable files. */
	is_int(cm_keytab_check((const unsigned char *)"", 0, SPN, pr, sizeof(pr), pb, sizeof(pb)), -1, "empty file");
	is_int(cm_keytab_check((const unsigned char *)"\x05\x01", 2, SPN, pr, sizeof(pr), pb, sizeof(pb)), -1,
	    "format 0501");
	ok(strstr(pb, "old keytab format") != NULL, "0501 said: %s", pb);
	is_int(cm_keytab_check((const unsigned char *)"-----BEGIN", 10, SPN, pr, sizeof(pr), pb, sizeof(pb)), -1,
	    "a PEM file is not a keytab");
	ok(strstr(pb, "not a keytab") != NULL, "not a keytab said: %s", pb);
	start(&k);
	spn_entry(&k, 2, 18);
	is_int(cm_keytab_check(k.b, k.n - 1, SPN, pr, sizeof(pr), pb, sizeof(pb)), -1, "truncated entry");
	start(&k);
	put32(&k, 0x80000000u);
	is_int(check(&k, pr, sizeof(pr), pb, sizeof(pb)), -1, "INT32_MIN size");
	start(&k);
	put32(&k, 0x7fffffffu);
	is_int(check(&k, pr, sizeof(pr), pb, sizeof(pb)), -1, "size beyond the file");
	start(&k);
	spn_entry(&k, 2, 18);
	k.b[k.n++] = 0;
	is_int(check(&k, pr, sizeof(pr), pb, sizeof(pb)), -1, "a partial size at the end");
	start(&k);
	spn_entry(&k, 2, 18);
	k.b[6] = 0;                /* component count 0 */
	k.b[7] = 0;
	is_int(check(&k, pr, sizeof(pr), pb, sizeof(pb)), -1, "zero components");
	start(&k);
	entry(&k, "HTTP", "web\ncorp", "CORP.EXAMPLE.COM", 2, 18, 32, 0);
	is_int(check(&k, pr, sizeof(pr), pb, sizeof(pb)), -1, "a control character in a name");
	start(&k);
	spn_entry(&k, 2, 18);
	k.b[k.n - 33] = 0;         /* key length 0: the rest becomes trailing bytes */
	k.b[k.n - 34] = 0;
	is_int(check(&k, pr, sizeof(pr), pb, sizeof(pb)), -1, "an empty key");
	{
		unsigned char *big = calloc(1, CM_KEYTAB_MAX + 1);

		big[0] = 5;
		big[1] = 2;
		is_int(cm_keytab_check(big, CM_KEYTAB_MAX + 1, SPN, pr, sizeof(pr), pb, sizeof(pb)), -1,
		    "over CM_KEYTAB_MAX");
		free(big);
	}

	/* A long listing is cut with "...", never overflowing. */
	start(&k);
	for (unsigned i = 0; i < 70; i++) {
		char host[64];

		snprintf(host, sizeof(host), "host%u.corp.example.com", i);
		entry(&k, "HTTP", host, "CORP.EXAMPLE.COM", 2, 18, 32, 0);
	}
	is_int(check(&k, pr, 200, pb, sizeof(pb)), 1, "70 other principals: SPN missing");
	ok(strlen(pr) < 200 && strcmp(pr + strlen(pr) - 3, "...") == 0, "listing cut with ...: %zu", strlen(pr));

	/* Merging: a duplicate (principal, kvno, enctype) is kept once. */
	start(&k);
	spn_entry(&k, 2, 18);
	entry(&k, "svc-certmint", NULL, "CORP.EXAMPLE.COM", 2, 18, 32, 0);
	start(&k2);
	entry(&k2, "HTTP", "web.corp.example.com", "OTHER.EXAMPLE.COM", 4, 18, 32, 0);
	spn_entry(&k2, 2, 18);
	ins[0] = k.b;
	lens[0] = k.n;
	ins[1] = k2.b;
	lens[1] = k2.n;
	is_int(cm_keytab_merge(ins, lens, 2, &m, &mlen, pb, sizeof(pb)), 0, "merge two keytabs");
	is_int(cm_keytab_check(m, mlen, SPN, pr, sizeof(pr), pb, sizeof(pb)), 0, "merged keytab readable, SPN in it");
	is_str(pr, SPN " (kvno 2: aes256-cts-hmac-sha1-96), svc-certmint@CORP.EXAMPLE.COM (kvno 2: "
	    "aes256-cts-hmac-sha1-96), HTTP/web.corp.example.com@OTHER.EXAMPLE.COM (kvno 4: aes256-cts-hmac-sha1-96)",
	    "merged: three entries, the duplicate once");
	is_int(cm_keytab_check(m, mlen, "HTTP/web.corp.example.com@OTHER.EXAMPLE.COM", pr, sizeof(pr), pb,
	    sizeof(pb)), 0, "merged keytab holds the other realm's SPN");
	free(m);
	is_int(cm_keytab_merge(ins, lens, 0, &m, &mlen, pb, sizeof(pb)), 0, "merge of nothing");
	ok(mlen == 2 && m[0] == 5 && m[1] == 2, "an empty keytab is just the format bytes");
	free(m);
	lens[1] = 5;
	is_int(cm_keytab_merge(ins, lens, 2, &m, &mlen, pb, sizeof(pb)), -1, "merge refuses an unreadable input");
	ok(strncmp(pb, "keytab 2:", 9) == 0 && m == NULL, "which input is said: %s", pb);

	ok(cm_keytab_enctype_is_aes(18) && cm_keytab_enctype_is_aes(17) && !cm_keytab_enctype_is_aes(23) &&
	    !cm_keytab_enctype_is_aes(16), "AES enctypes");
	ok(cm_keytab_enctype_name(999) == NULL, "unknown enctype has no name");
	return tap_done();
}
