/* access_code.h: self-enrollment access codes (the SCEP challenge passwords): keyed hash, constant-time check, generation. */
#ifndef CM_ACCESS_CODE_H
#define CM_ACCESS_CODE_H

#include <stddef.h>

/* The longest code anything accepts (the strength rule allows 12 to 64). */
#define CM_ACCESS_CODE_MAX 64
/* Bytes of key material [secrets] access_code_key_file must hold. */
#define CM_ACCESS_KEY_MIN 32
#define CM_ACCESS_KEY_MAX 4096
/* The stored form: HMAC-SHA256 in lower-case hex. */
#define CM_ACCESS_HASH_HEX 64
/* The non-secret hint kept beside it: the code's last characters. */
#define CM_ACCESS_HINT_LEN 2
/* A generated code: 4 groups of 4 characters joined by '-'. */
#define CM_ACCESS_GEN_LEN 19

/*
 * The stored hash of code under key: HMAC-SHA256(key, code) as 64 hex
 * digits in out. A database copy without the key file gives no code away
 * (no offline guessing). 0, or -1 when code is empty, longer than
 * CM_ACCESS_CODE_MAX, the key shorter than CM_ACCESS_KEY_MIN, or HMAC fails.
 */
int cm_access_code_hash(const unsigned char *key, size_t keylen, const char *code,
    char out[CM_ACCESS_HASH_HEX + 1]);

/*
 * Whether code is the one stored (a value cm_access_code_hash wrote). The
 * comparison takes the same time wherever the first difference is. stored
 * is parsed strictly: exactly 64 lower-case hex digits, else no match.
 * 1 match, 0 not (also for a NULL, empty or over-long code, or no key).
 */
int cm_access_code_verify(const unsigned char *key, size_t keylen, const char *code,
    const char *stored);

/*
 * A new code from the CSPRNG: "k7mq-3hxp-9vte-w4ra", 16 characters from 31
 * that cannot be mistaken for each other (no 0/o, 1/l/i), about 79 bits,
 * with at least one letter and one digit. out needs CM_ACCESS_GEN_LEN + 1
 * bytes. 0 or -1 (outlen too small, no randomness).
 */
int cm_access_code_generate(char *out, size_t outlen);

/* The hint of code: its last CM_ACCESS_HINT_LEN characters (all of a
 * shorter code); out needs CM_ACCESS_HINT_LEN + 1 bytes. */
void cm_access_code_hint(const char *code, char out[CM_ACCESS_HINT_LEN + 1]);

/*
 * Reads the key file: a regular file of CM_ACCESS_KEY_MIN to
 * CM_ACCESS_KEY_MAX bytes (a trailing newline is not part of the key) that
 * other users cannot read or write (mode 0640 or stricter). *key is
 * malloc'ed (free with cm_access_key_free). 0, or -1 with err.
 */
int cm_access_key_read(const char *path, unsigned char **key, size_t *keylen, char *err,
    size_t errlen);
/* Wipes and frees a key from cm_access_key_read; NULL is fine. */
void cm_access_key_free(unsigned char *key, size_t keylen);

#endif
