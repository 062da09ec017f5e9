/* keytab.c: an MIT keytab (format 0x0502) parser of its own, with every length checked: the realm keytab check, merging, client principals (see keytab.h). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "keytab.h"

/*
 * The file: 0x05 0x02, then records: a signed 32-bit big-endian size, then
 * that many bytes of entry (a negative size is a hole of -size bytes that
 * MIT leaves after a deletion; 0 ends the file). An entry: uint16 component
 * count, counted realm, counted components (uint16 length + bytes each),
 * uint32 name type, uint32 timestamp, uint8 kvno, uint16 enctype, counted key,
 * then optionally a uint32 kvno that replaces the 8-bit one when not 0, and
 * whatever later versions add (flags), which is skipped.
 */

#define PRINC_MAX 512          /* "a/b@REALM" as text; longer ones are refused */
#define MAX_COMPONENTS 8
#define MAX_ENTRIES 4096       /* 64 KiB cannot hold more than ~1000 anyway */
#define MAX_GROUPS 64          /* principal + kvno pairs listed by the check */

struct kt_entry {
	char principal[PRINC_MAX];
	char realm[256];
	int client;                /* the name has one component (no '/') */
	uint32_t kvno;
	int enctype;
	const unsigned char *raw;  /* the record: its 4-byte size and the entry */
	size_t rawlen;
};

/* Called for each entry; 0 goes on, anything else stops the walk with it. */
typedef int (*kt_fn)(const struct kt_entry *e, void *arg);

static uint32_t
get_u32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static unsigned
get_u16(const unsigned char *p)
{
	return ((unsigned)p[0] << 8) | p[1];
}

/* Appends n bytes of counted text to out (at *pos, size outsz) refusing
 * bytes that would mislead a reader: controls, DEL, and the separators.
 * 0 or -1. */
static int
put_name(char *out, size_t outsz, size_t *pos, const unsigned char *p, size_t n)
{
	if (n == 0 || *pos + n + 1 > outsz)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '/' || p[i] == '@' || p[i] == ',' ||
		    p[i] == '\\')
			return -1;
		out[(*pos)++] = (char)p[i];
	}
	out[*pos] = '\0';
	return 0;
}

/* Parses one entry of n bytes at p into e. 0, or -1 with why. */
static int
parse_entry(const unsigned char *p, size_t n, struct kt_entry *e, char *why, size_t whylen)
{
	size_t off = 0, pos = 0, rlen, clen, klen;
	unsigned ncomp;
	const unsigned char *realm;

#define NEED(k) do { if (n - off < (size_t)(k)) { snprintf(why, whylen, "an entry is cut short"); return -1; } } while (0)
	NEED(2);
	ncomp = get_u16(p);
	off = 2;
	if (ncomp == 0 || ncomp > MAX_COMPONENTS) {
		snprintf(why, whylen, "an entry has %u name components", ncomp);
		return -1;
	}
	NEED(2);
	rlen = get_u16(p + off);
	off += 2;
	NEED(rlen);
	realm = p + off;
	off += rlen;
	if (rlen == 0 || rlen >= sizeof(e->realm) || put_name(e->realm, sizeof(e->realm), &pos, realm, rlen) < 0) {
		snprintf(why, whylen, "an entry has an unreadable realm");
		return -1;
	}
	pos = 0;
	for (unsigned i = 0; i < ncomp; i++) {
		NEED(2);
		clen = get_u16(p + off);
		off += 2;
		NEED(clen);
		if (i > 0) {
			if (pos + 2 > sizeof(e->principal)) {
				snprintf(why, whylen, "an entry has an over-long name");
				return -1;
			}
			e->principal[pos++] = '/';
		}
		if (put_name(e->principal, sizeof(e->principal), &pos, p + off, clen) < 0) {
			snprintf(why, whylen, "an entry has an unreadable or over-long name");
			return -1;
		}
		off += clen;
	}
	if (pos + 1 + rlen + 1 > sizeof(e->principal)) {
		snprintf(why, whylen, "an entry has an over-long name");
		return -1;
	}
	e->principal[pos++] = '@';
	memcpy(e->principal + pos, realm, rlen);
	e->principal[pos + rlen] = '\0';
	e->client = ncomp == 1;
	NEED(4 + 4 + 1 + 2 + 2);
	off += 8;                  /* name type, timestamp: not needed */
	e->kvno = p[off];
	off += 1;
	e->enctype = (int)get_u16(p + off);
	off += 2;
	klen = get_u16(p + off);
	off += 2;
	NEED(klen);
	if (klen == 0) {
		snprintf(why, whylen, "an entry has an empty key");
		return -1;
	}
	off += klen;
	if (n - off >= 4 && get_u32(p + off) != 0)
		e->kvno = get_u32(p + off);
#undef NEED
	return 0;
}

/* Walks every entry of the keytab. 0 all walked; -1 unreadable (why);
 * otherwise what fn returned to stop. */
static int
kt_walk(const unsigned char *data, size_t len, kt_fn fn, void *arg, char *why, size_t whylen)
{
	size_t off = 2, count = 0;
	struct kt_entry e;
	int r;

	if (data == NULL || len < 2) {
		snprintf(why, whylen, "the file is empty or too short to be a keytab");
		return -1;
	}
	if (len > CM_KEYTAB_MAX) {
		snprintf(why, whylen, "the file is larger than %d KiB: not a service keytab", CM_KEYTAB_MAX / 1024);
		return -1;
	}
	if (data[0] != 0x05 || (data[1] != 0x02 && data[1] != 0x01)) {
		snprintf(why, whylen, "not a keytab file (it does not start with the keytab format bytes 05 02)");
		return -1;
	}
	if (data[1] == 0x01) {
		snprintf(why, whylen, "an old keytab format (05 01): export the keytab again with a current tool");
		return -1;
	}
	while (off < len) {
		int32_t size;
		size_t n;

		if (len - off < 4) {
			snprintf(why, whylen, "the file ends inside an entry's length");
			return -1;
		}
		size = (int32_t)get_u32(data + off);
		if (size == 0)
			break;     /* MIT: the rest is unused space */
		/* -INT32_MIN does not fit an int32: take the magnitude unsigned. */
		n = size < 0 ? (size_t)(-(int64_t)size) : (size_t)size;
		if (n > len - off - 4) {
			snprintf(why, whylen, "an entry is longer than the rest of the file");
			return -1;
		}
		if (size > 0) {
			if (++count > MAX_ENTRIES) {
				snprintf(why, whylen, "more than %d entries", MAX_ENTRIES);
				return -1;
			}
			memset(&e, 0, sizeof(e));
			if (parse_entry(data + off + 4, n, &e, why, whylen) < 0)
				return -1;
			e.raw = data + off;
			e.rawlen = n + 4;
			if ((r = fn(&e, arg)) != 0)
				return r;
		}
		off += 4 + n;
	}
	return 0;
}

static const struct {
	int type;
	const char *name;
} enctypes[] = {
	{ 1, "des-cbc-crc" }, { 3, "des-cbc-md5" }, { 16, "des3-cbc-sha1" },
	{ 17, "aes128-cts-hmac-sha1-96" }, { 18, "aes256-cts-hmac-sha1-96" },
	{ 19, "aes128-cts-hmac-sha256-128" }, { 20, "aes256-cts-hmac-sha384-192" },
	{ 23, "rc4-hmac" }, { 24, "rc4-hmac-exp" },
	{ 25, "camellia128-cts-cmac" }, { 26, "camellia256-cts-cmac" },
};

/* A name or NULL. */
const char *
cm_keytab_enctype_name(int enctype)
{
	for (size_t i = 0; i < sizeof(enctypes) / sizeof(enctypes[0]); i++)
		if (enctypes[i].type == enctype)
			return enctypes[i].name;
	return NULL;
}

/* 1 / 0. */
int
cm_keytab_enctype_is_aes(int enctype)
{
	return enctype >= 17 && enctype <= 20;
}

/* One principal + kvno of the check's listing, with its enctypes. */
struct group {
	char principal[PRINC_MAX];
	uint32_t kvno;
	int types[8];
	size_t ntypes;
	int more;                  /* more enctypes than types holds */
};

struct check_state {
	const char *spn;
	struct group *groups;      /* MAX_GROUPS */
	size_t ngroups;
	int more_groups;
	size_t entries;
	int spn_seen, spn_aes;
	int spn_types[8];          /* the SPN's non-AES enctypes, for the message */
	size_t spn_ntypes;
};

static void
add_type(int *types, size_t *n, size_t max, int t, int *more)
{
	for (size_t i = 0; i < *n; i++)
		if (types[i] == t)
			return;
	if (*n < max)
		types[(*n)++] = t;
	else if (more)
		*more = 1;
}

static int
check_entry(const struct kt_entry *e, void *arg)
{
	struct check_state *s = arg;
	struct group *g = NULL;

	s->entries++;
	if (strcmp(e->principal, s->spn) == 0) {
		s->spn_seen = 1;
		if (cm_keytab_enctype_is_aes(e->enctype))
			s->spn_aes = 1;
		else
			add_type(s->spn_types, &s->spn_ntypes, 8, e->enctype, NULL);
	}
	for (size_t i = 0; i < s->ngroups; i++)
		if (s->groups[i].kvno == e->kvno && strcmp(s->groups[i].principal, e->principal) == 0) {
			g = &s->groups[i];
			break;
		}
	if (g == NULL) {
		if (s->ngroups == MAX_GROUPS) {
			s->more_groups = 1;
			return 0;
		}
		g = &s->groups[s->ngroups++];
		memset(g, 0, sizeof(*g));
		memcpy(g->principal, e->principal, sizeof(g->principal));
		g->kvno = e->kvno;
	}
	add_type(g->types, &g->ntypes, 8, e->enctype, &g->more);
	return 0;
}

/* Appends s to out (size outsz, at *pos); when it does not fit, ends the
 * text with "..." and returns -1 (later calls append nothing). */
static int
append(char *out, size_t outsz, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos == (size_t)-1)
		return -1;
	if (*pos + n + 4 > outsz) {
		if (outsz >= 4 && *pos + 4 <= outsz) {
			memcpy(out + *pos, "...", 4);
		}
		*pos = (size_t)-1;
		return -1;
	}
	memcpy(out + *pos, s, n + 1);
	*pos += n;
	return 0;
}

static void
type_text(int t, char *buf, size_t n)
{
	const char *name = cm_keytab_enctype_name(t);

	if (name)
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "enctype %d", t);
}

/* 0 / 1 / -1; see keytab.h. */
int
cm_keytab_check(const unsigned char *data, size_t len, const char *spn,
    char *principals, size_t plen, char *problem, size_t problemlen)
{
	struct check_state s;
	char buf[PRINC_MAX + 64], tn[40];
	size_t pos = 0;
	int r;

	if (plen)
		principals[0] = '\0';
	if (problemlen)
		problem[0] = '\0';
	memset(&s, 0, sizeof(s));
	s.spn = spn ? spn : "";
	if ((s.groups = calloc(MAX_GROUPS, sizeof(*s.groups))) == NULL) {
		snprintf(problem, problemlen, "out of memory");
		return -1;
	}
	if (kt_walk(data, len, check_entry, &s, problem, problemlen) != 0) {
		r = -1;
		goto out;
	}
	for (size_t i = 0; i < s.ngroups; i++) {
		struct group *g = &s.groups[i];

		snprintf(buf, sizeof(buf), "%s%s (kvno %lu:", i ? ", " : "", g->principal, (unsigned long)g->kvno);
		if (append(principals, plen, &pos, buf) < 0)
			break;
		for (size_t k = 0; k < g->ntypes; k++) {
			type_text(g->types[k], tn, sizeof(tn));
			snprintf(buf, sizeof(buf), " %s", tn);
			if (append(principals, plen, &pos, buf) < 0)
				break;
		}
		if (append(principals, plen, &pos, g->more ? " ...)" : ")") < 0)
			break;
	}
	if (s.more_groups)
		append(principals, plen, &pos, ", ...");
	r = 1;
	if (s.entries == 0)
		snprintf(problem, problemlen, "the keytab holds no keys");
	else if (!s.spn_seen)
		snprintf(problem, problemlen, "the keytab does not hold %.300s: export the keytab of the account "
		    "that has this SPN (it holds: %.120s)", s.spn, principals);
	else if (!s.spn_aes) {
		char types[200];
		size_t tp = 0;

		types[0] = '\0';
		for (size_t k = 0; k < s.spn_ntypes; k++) {
			type_text(s.spn_types[k], tn, sizeof(tn));
			if ((k && append(types, sizeof(types), &tp, ", ") < 0) ||
			    append(types, sizeof(types), &tp, tn) < 0)
				break;
		}
		snprintf(problem, problemlen, "holds %.300s only with %s; set msDS-SupportedEncryptionTypes to 24 "
		    "on the account and export again", s.spn, types);
	} else
		r = 0;
out:
	free(s.groups);
	return r;
}

struct merge_state {
	unsigned char *out;
	size_t len, cap;
	/* What was kept, to leave out later duplicates: principal, kvno, enctype. */
	struct seen {
		char principal[PRINC_MAX];
		uint32_t kvno;
		int enctype;
	} *seen;
	size_t nseen, capseen;
	int oom;
};

static int
merge_entry(const struct kt_entry *e, void *arg)
{
	struct merge_state *m = arg;

	for (size_t i = 0; i < m->nseen; i++)
		if (m->seen[i].kvno == e->kvno && m->seen[i].enctype == e->enctype &&
		    strcmp(m->seen[i].principal, e->principal) == 0)
			return 0;
	if (m->nseen == m->capseen) {
		size_t nc = m->capseen ? m->capseen * 2 : 16;
		void *p = realloc(m->seen, nc * sizeof(*m->seen));

		if (p == NULL)
			goto oom;
		m->seen = p;
		m->capseen = nc;
	}
	if (m->len + e->rawlen > m->cap) {
		size_t nc = (m->len + e->rawlen) * 2;
		unsigned char *p = malloc(nc);

		/* Not realloc: the old buffer holds keys and is wiped before it goes. */
		if (p == NULL)
			goto oom;
		memcpy(p, m->out, m->len);
		OPENSSL_cleanse(m->out, m->cap);
		free(m->out);
		m->out = p;
		m->cap = nc;
	}
	memcpy(m->out + m->len, e->raw, e->rawlen);
	m->len += e->rawlen;
	memcpy(m->seen[m->nseen].principal, e->principal, sizeof(e->principal));
	m->seen[m->nseen].kvno = e->kvno;
	m->seen[m->nseen].enctype = e->enctype;
	m->nseen++;
	return 0;
oom:
	m->oom = 1;
	return 1;
}

/* 0 / -1 with why; see keytab.h. */
int
cm_keytab_merge(const unsigned char *const *keytabs, const size_t *lens, size_t n,
    unsigned char **out, size_t *outlen, char *why, size_t whylen)
{
	struct merge_state m;
	char w[256];

	*out = NULL;
	*outlen = 0;
	memset(&m, 0, sizeof(m));
	m.cap = 1024;
	if ((m.out = malloc(m.cap)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	m.out[0] = 0x05;
	m.out[1] = 0x02;
	m.len = 2;
	for (size_t i = 0; i < n; i++) {
		int r = kt_walk(keytabs[i], lens[i], merge_entry, &m, w, sizeof(w));

		if (r != 0) {
			if (m.oom)
				snprintf(why, whylen, "out of memory");
			else
				snprintf(why, whylen, "keytab %zu: %s", i + 1, w);
			OPENSSL_cleanse(m.out, m.cap);
			free(m.out);
			free(m.seen);
			return -1;
		}
	}
	free(m.seen);
	*out = m.out;
	*outlen = m.len;
	return 0;
}

struct client_state {
	const char *realm;
	char *out;
	size_t outlen;
	int too_small;
};

static int
client_entry(const struct kt_entry *e, void *arg)
{
	struct client_state *s = arg;

	if (!e->client || (s->realm && strcmp(s->realm, e->realm) != 0))
		return 0;
	if (strlen(e->principal) >= s->outlen) {
		s->too_small = 1;
		return 2;
	}
	memcpy(s->out, e->principal, strlen(e->principal) + 1);
	return 1;
}

/* 0 found / 1 none / -1; see keytab.h. */
int
cm_keytab_first_client(const unsigned char *data, size_t len, const char *realm,
    char *out, size_t outlen)
{
	struct client_state s = { realm, out, outlen, 0 };
	char why[256];
	int r;

	if (outlen)
		out[0] = '\0';
	r = kt_walk(data, len, client_entry, &s, why, sizeof(why));
	if (r == 1)
		return 0;
	return r == 0 ? 1 : -1;
}
