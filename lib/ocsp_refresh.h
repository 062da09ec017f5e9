/* ocsp_refresh.h: the decisions of `certmint ocsp refresh` that need no database or signer (which stored response to sign again, the reason code to sign, the set of serials walked). */
#ifndef CM_OCSP_REFRESH_H
#define CM_OCSP_REFRESH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ocsp_store.h"

/*
 * 1 when a certificate whose database status is want (CM_OCSP_STORE_GOOD or
 * _REVOKED) needs a newly signed response, else 0: there is no valid file
 * (have 0), its status differs, it has passed half of its validity
 * (now >= this_update + (next_update - this_update) / 2: a client caching it
 * until nextUpdate never holds one older than that plus half), its
 * thisUpdate lies in the future (a clock that went back), or full.
 */
int cm_ocsp_refresh_due(int have, const struct cm_ocsp_stored *e, int want, time_t now, int full);

/* The CRLReason to sign for a revoked row: CM_OCSP_NO_REASON for NULL
 * (is_null) or unspecified (0: RFC 5280 asks for no reasonCode then, as the
 * CRL does), the code for a reason lib/revocation_reason.c offers or another
 * RFC 5280 code (1..10 but 7) an older row may carry; -1 for anything else. */
int cm_ocsp_refresh_reason(int is_null, long long code);

/* Hex serial (2..2*CM_OCSP_MAX_SERIAL digits, even) to its big-endian
 * magnitude, leading zero bytes dropped: the length (>= 1), or -1. */
int cm_ocsp_refresh_serial(const char *hex, unsigned char *out, size_t max);

/*
 * The serial names one refresh walked, so the store's other files can be
 * removed afterwards: an open-addressing hash set over one string arena
 * (about 40 bytes per name, nothing else per certificate).
 */
struct cm_ocsp_nameset {
	char *arena;          /* the names, each NUL-terminated */
	size_t arena_len, arena_cap;
	uint32_t *slot;       /* arena offset + 1, 0 = empty */
	size_t nslots, count; /* nslots a power of two, count <= nslots / 2 */
};

void cm_ocsp_nameset_init(struct cm_ocsp_nameset *s);
void cm_ocsp_nameset_free(struct cm_ocsp_nameset *s);
/* 1 added, 0 already there, -1 out of memory or a name longer than
 * CM_OCSP_STORE_NAME_MAX. */
int cm_ocsp_nameset_add(struct cm_ocsp_nameset *s, const char *name);
/* 1 when name is in s, else 0. */
int cm_ocsp_nameset_has(const struct cm_ocsp_nameset *s, const char *name);

#endif
