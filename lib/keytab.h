/* keytab.h: MIT keytab files (format 0x0502) read without libkrb5: the check of an uploaded realm keytab, merging, client principals. */
#ifndef CM_KEYTAB_H
#define CM_KEYTAB_H

#include <stddef.h>

/* The largest keytab accepted (an AD service account's has a handful of
 * entries of ~100 bytes). A merged customer keytab may be several of these. */
#define CM_KEYTAB_MAX (64 * 1024)
/* kerberos_realms.keytab_principals and keytab_problem hold these. */
#define CM_KEYTAB_PRINCIPALS_MAX 2048
#define CM_KEYTAB_PROBLEM_MAX 512

/*
 * Parses MIT keytab bytes (format 0x0502), checks that spn is present with
 * an AES key (aes128/256-cts-hmac-sha1-96 or -sha256-128/-sha384-192),
 * lists "principal (kvno N: enctype enctype)" into principals (comma
 * separated, cut with "..." when it does not fit). 0 good; 1 readable but
 * with a problem (message in problem); -1 unreadable (message in problem).
 * No key byte is ever copied out.
 */
int cm_keytab_check(const unsigned char *data, size_t len, const char *spn,
    char *principals, size_t plen, char *problem, size_t problemlen);

/*
 * Merges n keytabs (each at most CM_KEYTAB_MAX and readable) into one
 * keytab's bytes, in *out (malloc'd, the caller frees it after wiping it:
 * it holds keys), *outlen. An entry whose principal, kvno and enctype an
 * earlier one had is left out; holes are dropped. 0, or -1 with why (an
 * unreadable input: its index and what is wrong; out of memory).
 */
int cm_keytab_merge(const unsigned char *const *keytabs, const size_t *lens, size_t n,
    unsigned char **out, size_t *outlen, char *why, size_t whylen);

/*
 * The first client principal ("svc@REALM": no '/' in the name) of realm
 * (NULL: of any realm) in the keytab, into out. 0 found; 1 none; -1
 * unreadable or out too small.
 */
int cm_keytab_first_client(const unsigned char *data, size_t len, const char *realm,
    char *out, size_t outlen);

/* The enctype's name ("aes256-cts-hmac-sha1-96"), or NULL for one this
 * module does not name; whether it is one of the four AES types. */
const char *cm_keytab_enctype_name(int enctype);
int cm_keytab_enctype_is_aes(int enctype);

#endif
