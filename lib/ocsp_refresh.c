/* ocsp_refresh.c: the decisions of `certmint ocsp refresh` that need no database or signer (see ocsp_refresh.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ocsp_refresh.h"
#include "revocation_reason.h"
#include "signer_proto.h"

/* 1 / 0. */
int
cm_ocsp_refresh_due(int have, const struct cm_ocsp_stored *e, int want, time_t now, int full)
{
	if (full || have != 1 || e == NULL || e->status != want)
		return 1;
	if (e->this_update > now)
		return 1;
	return now >= e->this_update + (e->next_update - e->this_update) / 2;
}

/* A code, CM_OCSP_NO_REASON, or -1. */
int
cm_ocsp_refresh_reason(int is_null, long long code)
{
	if (is_null || code == CM_REASON_UNSPECIFIED)
		return CM_OCSP_NO_REASON;
	if (code < 0 || code > 10)
		return -1;
	if (cm_revocation_reason_name((int)code) != NULL)
		return (int)code;
	/* Not offered here, but a CRLReason: cACompromise (2) of an imported
	 * row, say. certificateHold (6) is never final, 7 is unassigned and
	 * removeFromCRL (8) is for delta CRLs only. */
	return code == 6 || code == 7 || code == 8 ? -1 : (int)code;
}

static int
hexval(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
	    ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* A length or -1. */
int
cm_ocsp_refresh_serial(const char *hex, unsigned char *out, size_t max)
{
	size_t n = hex ? strlen(hex) : 0, len = 0;

	if (n < 2 || n % 2 || max == 0 || n / 2 > CM_OCSP_MAX_SERIAL)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		unsigned char b = (unsigned char)(hi * 16 + lo);
		if (len == 0 && b == 0 && i + 1 < n / 2)
			continue;
		if (len == max)
			return -1;
		out[len++] = b;
	}
	/* Serial number 0 is no certificate's. */
	return len == 1 && out[0] == 0 ? -1 : (int)len;
}

/* FNV-1a: names are hex of random serials, so anything spreads them. */
static size_t
name_hash(const char *name)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

void
cm_ocsp_nameset_init(struct cm_ocsp_nameset *s)
{
	memset(s, 0, sizeof(*s));
}

void
cm_ocsp_nameset_free(struct cm_ocsp_nameset *s)
{
	free(s->arena);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

/* The slot holding name, or the empty slot where it would go. */
static size_t
find_slot(const struct cm_ocsp_nameset *s, const char *name)
{
	size_t mask = s->nslots - 1, i = name_hash(name) & mask;

	while (s->slot[i] != 0 && strcmp(s->arena + s->slot[i] - 1, name) != 0)
		i = (i + 1) & mask;
	return i;
}

/* Doubles the table (or makes the first one). 0 / -1. */
static int
grow(struct cm_ocsp_nameset *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 1024;
	uint32_t *old = s->slot;
	size_t oldn = s->nslots;

	if (n > SIZE_MAX / sizeof(uint32_t) || (s->slot = calloc(n, sizeof(uint32_t))) == NULL) {
		s->slot = old;
		return -1;
	}
	s->nslots = n;
	for (size_t i = 0; i < oldn; i++)
		if (old[i] != 0)
			s->slot[find_slot(s, s->arena + old[i] - 1)] = old[i];
	free(old);
	return 0;
}

/* 1 / 0 / -1. */
int
cm_ocsp_nameset_add(struct cm_ocsp_nameset *s, const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0 || len > CM_OCSP_STORE_NAME_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (cm_ocsp_nameset_has(s, name))
		return 0;
	/* Half full at most, so a probe always ends at an empty slot. */
	if ((s->count + 1) * 2 > s->nslots && grow(s) < 0) {
		errno = ENOMEM;
		return -1;
	}
	i = find_slot(s, name);
	if (s->arena_len + len + 1 > s->arena_cap) {
		size_t cap = s->arena_cap ? s->arena_cap * 2 : 64 * 1024;
		char *a;
		/* Offsets are 32 bits: some 100 million names. */
		if (cap > UINT32_MAX - 1 || (a = realloc(s->arena, cap)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		s->arena = a;
		s->arena_cap = cap;
	}
	memcpy(s->arena + s->arena_len, name, len + 1);
	s->slot[i] = (uint32_t)(s->arena_len + 1);
	s->arena_len += len + 1;
	s->count++;
	return 1;
}

/* 1 / 0. */
int
cm_ocsp_nameset_has(const struct cm_ocsp_nameset *s, const char *name)
{
	if (s->nslots == 0 || strlen(name) > CM_OCSP_STORE_NAME_MAX)
		return 0;
	return s->slot[find_slot(s, name)] != 0;
}
