/* issued_set.h: the set of serials this signer issued (from its journal, then each issue), for ocsp-sign's "good only if issued" rule. */
#ifndef CM_ISSUED_SET_H
#define CM_ISSUED_SET_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* Longest serial kept (RFC 5280: at most 20 octets). */
#define CM_ISSUED_MAX_SERIAL 20

/*
 * An open-addressing hash set of serial magnitudes (leading zero bytes are
 * dropped on insert and lookup, so a serial from a DER INTEGER and one from
 * the journal's fixed-width hex compare equal). It grows by doubling at 70 %
 * load; a slot is 21 bytes (length, then the bytes), so a million serials
 * take about 44 MB. Safe for concurrent use (a read-write lock).
 * Return convention: 0, or -1 (out of memory, or a serial over 20 bytes).
 */
struct cm_issued_set {
	pthread_rwlock_t lock;
	unsigned char *slots;      /* cap * (1 + CM_ISSUED_MAX_SERIAL) bytes */
	size_t cap, n;             /* cap: a power of two */
	uint64_t seed;
};

int cm_issued_init(struct cm_issued_set *s);
void cm_issued_free(struct cm_issued_set *s);
/* Adds a serial (big-endian bytes; all-zero or empty ones are ignored). */
int cm_issued_add(struct cm_issued_set *s, const unsigned char *serial, size_t len);
/* The same from lowercase or uppercase hex (an odd count is refused). */
int cm_issued_add_hex(struct cm_issued_set *s, const char *hex, size_t len);
/* 1 when the serial is in the set, else 0. */
int cm_issued_has(struct cm_issued_set *s, const unsigned char *serial, size_t len);
size_t cm_issued_count(struct cm_issued_set *s);

/*
 * Adds the serial of every complete record of the journal at path
 * ("TIME\tSERIAL\t...\n", signer/journal.h): reads it in large blocks and
 * looks only at the first two fields of a line, skipping the rest with
 * memchr. A last line without its newline (cut off by a crash, never
 * handed out) and lines whose serial field is not hex are skipped and
 * counted in *skipped. A missing file is an empty journal. 0, or -1 with
 * err (unreadable file, out of memory).
 */
int cm_issued_load_journal(struct cm_issued_set *s, const char *path, size_t *skipped,
    char *err, size_t errlen);

#endif
