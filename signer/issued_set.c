/* issued_set.c: a hash set of issued serials, filled from the journal at start and on every issue (see issued_set.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "issued_set.h"

#define SLOT (1 + CM_ISSUED_MAX_SERIAL)
#define INITIAL_CAP 1024
/* Journal reads: large blocks keep a million-record scan to a few syscalls
 * per megabyte. */
#define BLOCK (1024 * 1024)
/* A serial field longer than this is not one of ours (2 hex digits a byte). */
#define MAX_HEX (2 * CM_ISSUED_MAX_SERIAL)

/* Strips leading zero bytes: the magnitude, or len 0 for zero. */
static const unsigned char *
magnitude(const unsigned char *p, size_t *len)
{
	while (*len > 0 && *p == 0) {
		p++;
		(*len)--;
	}
	return p;
}

/* FNV-1a over the seed and the bytes, finished with a mix so the low bits
 * (the slot index) depend on every byte. */
static uint64_t
hash(uint64_t seed, const unsigned char *p, size_t len)
{
	uint64_t h = 1469598103934665603ULL ^ seed;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* The slot holding p or the empty slot where it goes; lock held. */
static unsigned char *
find(const unsigned char *slots, size_t cap, uint64_t seed, const unsigned char *p, size_t len)
{
	size_t i = (size_t)hash(seed, p, len) & (cap - 1);
	for (;;) {
		unsigned char *sl = (unsigned char *)slots + i * SLOT;
		if (sl[0] == 0 || (sl[0] == len && memcmp(sl + 1, p, len) == 0))
			return sl;
		i = (i + 1) & (cap - 1);
	}
}

/* 0 / -1. */
int
cm_issued_init(struct cm_issued_set *s)
{
	memset(s, 0, sizeof(*s));
	if (pthread_rwlock_init(&s->lock, NULL) != 0)
		return -1;
	s->slots = calloc(INITIAL_CAP, SLOT);
	if (s->slots == NULL) {
		pthread_rwlock_destroy(&s->lock);
		return -1;
	}
	s->cap = INITIAL_CAP;
	/* A seed no caller knows: lookups take serials from less privileged
	 * processes, which should not be able to aim at one probe chain. */
	if (RAND_bytes((unsigned char *)&s->seed, sizeof(s->seed)) != 1)
		s->seed = (uint64_t)(uintptr_t)s ^ 0x9e3779b97f4a7c15ULL;
	return 0;
}

/* No return value. */
void
cm_issued_free(struct cm_issued_set *s)
{
	if (s->slots == NULL)
		return;
	free(s->slots);
	pthread_rwlock_destroy(&s->lock);
	memset(s, 0, sizeof(*s));
}

/* Doubles the table; write lock held. 0 / -1. */
static int
grow(struct cm_issued_set *s)
{
	size_t cap = s->cap * 2;
	unsigned char *slots = calloc(cap, SLOT);
	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < s->cap; i++) {
		const unsigned char *sl = s->slots + i * SLOT;
		if (sl[0])
			memcpy(find(slots, cap, s->seed, sl + 1, sl[0]), sl, SLOT);
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

/* 0 / -1. */
int
cm_issued_add(struct cm_issued_set *s, const unsigned char *serial, size_t len)
{
	int ret = 0;

	serial = magnitude(serial, &len);
	if (len > CM_ISSUED_MAX_SERIAL)
		return -1;
	if (len == 0)
		return 0;
	pthread_rwlock_wrlock(&s->lock);
	if ((s->n + 1) * 10 > s->cap * 7 && grow(s) < 0) {
		ret = -1;
	} else {
		unsigned char *sl = find(s->slots, s->cap, s->seed, serial, len);
		if (sl[0] == 0) {
			sl[0] = (unsigned char)len;
			memcpy(sl + 1, serial, len);
			s->n++;
		}
	}
	pthread_rwlock_unlock(&s->lock);
	return ret;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex to bytes: the byte count, or -1 (odd, too long, not hex). */
static int
unhex(const char *hex, size_t len, unsigned char *out)
{
	if (len == 0 || len % 2 || len > MAX_HEX)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hexval((unsigned char)hex[i]), lo = hexval((unsigned char)hex[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return (int)(len / 2);
}

/* 0 / -1. */
int
cm_issued_add_hex(struct cm_issued_set *s, const char *hex, size_t len)
{
	unsigned char b[CM_ISSUED_MAX_SERIAL];
	int n = unhex(hex, len, b);
	return n < 0 ? -1 : cm_issued_add(s, b, (size_t)n);
}

/* 1 / 0. */
int
cm_issued_has(struct cm_issued_set *s, const unsigned char *serial, size_t len)
{
	serial = magnitude(serial, &len);
	if (len == 0 || len > CM_ISSUED_MAX_SERIAL)
		return 0;
	pthread_rwlock_rdlock(&s->lock);
	int r = find(s->slots, s->cap, s->seed, serial, len)[0] != 0;
	pthread_rwlock_unlock(&s->lock);
	return r;
}

/* The number of serials. */
size_t
cm_issued_count(struct cm_issued_set *s)
{
	pthread_rwlock_rdlock(&s->lock);
	size_t n = s->n;
	pthread_rwlock_unlock(&s->lock);
	return n;
}

/*
 * The journal scan: a line is "TIME\tSERIAL\t..."; the serial is copied out
 * (it may straddle two blocks), the rest of the line skipped. State kept
 * across blocks: which field of the line we are in and the serial so far.
 */
struct scan {
	int field;                 /* 0 time, 1 serial, 2 the rest */
	char hex[MAX_HEX + 1];
	size_t hexlen;
	int bad;                   /* serial field too long */
};

/* One complete line ended: its serial into s. 0 / -1 (memory). */
static int
line_end(struct cm_issued_set *s, struct scan *sc, size_t *skipped)
{
	int r = 0;
	if (sc->field < 2 || sc->bad || cm_issued_add_hex(s, sc->hex, sc->hexlen) < 0) {
		unsigned char b[CM_ISSUED_MAX_SERIAL];
		/* A malformed line is skipped; only memory is fatal. */
		if (!(sc->field < 2 || sc->bad) && unhex(sc->hex, sc->hexlen, b) >= 0)
			r = -1;
		else
			(*skipped)++;
	}
	memset(sc, 0, sizeof(*sc));
	return r;
}

/* 0 / -1 with err. */
int
cm_issued_load_journal(struct cm_issued_set *s, const char *path, size_t *skipped,
    char *err, size_t errlen)
{
	struct scan sc;
	unsigned char *buf = NULL;
	int fd, ret = -1;
	ssize_t got;

	*skipped = 0;
	memset(&sc, 0, sizeof(sc));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "journal %s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(BLOCK);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	int partial = 0;           /* bytes of a line not yet ended */
	while ((got = read(fd, buf, BLOCK)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "journal %s: %s", path, strerror(errno));
			goto out;
		}
		const unsigned char *p = buf, *end = buf + got;
		while (p < end) {
			partial = 1;
			if (sc.field == 2) {
				const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
				if (nl == NULL) {
					p = end;
					break;
				}
				p = nl;
			}
			unsigned char c = *p++;
			if (c == '\n') {
				partial = 0;
				if (line_end(s, &sc, skipped) < 0) {
					snprintf(err, errlen, "out of memory loading the issued serials");
					goto out;
				}
			} else if (c == '\t') {
				sc.field++;
			} else if (sc.field == 1) {
				if (sc.hexlen < MAX_HEX)
					sc.hex[sc.hexlen++] = (char)c;
				else
					sc.bad = 1;
			}
		}
	}
	/* A last line without its newline was never durable: not issued. */
	if (partial)
		(*skipped)++;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}
