/* audit_checkpoint.h: a signed checkpoint of the audit chain head: the bytes signed, its one-line text form, signing and checking. */
#ifndef CM_AUDIT_CHECKPOINT_H
#define CM_AUDIT_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/*
 * signerd signs (row id, chain hash of that row, time) with a key of its
 * own (Ed25519, "audit-checkpoint.key" in its vault). The same text line
 * is a record of the signer's checkpoint file and a field of its replies:
 *
 *   ID HASH TIME SIG
 *
 * ID the last audit row covered (decimal, 1..CM_ID_MAX_DIGITS digits),
 * HASH that row's chain hash (64 lowercase hex), TIME seconds since the
 * epoch (decimal, at most 12 digits), SIG the 64-byte signature in 128
 * lowercase hex, single spaces between them, nothing else.
 */
#define CM_CHECKPOINT_SIG_LEN 64
#define CM_CHECKPOINT_LINE_MAX 256
/* Checkpoints per ca-list reply page (the frame carries at most
 * CM_PROTO_MAX_FIELDS fields). */
#define CM_CHECKPOINT_PAGE 100

struct cm_checkpoint {
	int64_t id;
	char hash[65];
	int64_t at;
	unsigned char sig[CM_CHECKPOINT_SIG_LEN];
};

/* 1 when s (len bytes) is 64 lowercase hex digits, else 0. */
int cm_checkpoint_hash_ok(const char *s, size_t len);

/* The signed bytes: "certmint-audit-checkpoint-v1\nID\nHASH\nTIME\n" (the
 * version tag keeps these from ever meaning anything else). Length written
 * (NUL-terminated), or -1 when out is too small or cp is malformed. */
int cm_checkpoint_tbs(const struct cm_checkpoint *cp, char *out, size_t outlen);

/* The text line (no newline), NUL-terminated: its length, or -1 when out
 * (CM_CHECKPOINT_LINE_MAX is enough) is too small. */
int cm_checkpoint_format(const struct cm_checkpoint *cp, char *out, size_t outlen);

/* Parses exactly one text line of len bytes (no newline; longer than
 * CM_CHECKPOINT_LINE_MAX is refused). 0, or -1 when malformed. Checks the
 * form only, not the signature. */
int cm_checkpoint_parse(const char *s, size_t len, struct cm_checkpoint *cp);

/* Fills cp->sig with key's signature over cp's signed bytes. 0 or -1. */
int cm_checkpoint_sign(struct cm_checkpoint *cp, EVP_PKEY *key);

/* 1 when cp->sig is pub's signature over cp's signed bytes, 0 when not
 * (or when cp or pub are unusable). */
int cm_checkpoint_verify(const struct cm_checkpoint *cp, EVP_PKEY *pub);

/* "YYYY-MM-DD HH:MM:SS UTC" for cp->at. */
void cm_checkpoint_time(int64_t at, char out[32]);

#endif
