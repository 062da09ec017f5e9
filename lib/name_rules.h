/* name_rules.h: the syntax rules every name in a certificate passes (subject attributes, DNS names, IP addresses, wildcards under public suffixes), shared by the RA and the signer. */
#ifndef CM_NAME_RULES_H
#define CM_NAME_RULES_H

#include <stddef.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Debian's "publicsuffix" package. */
#define CM_PSL_DEFAULT_PATH "/usr/share/publicsuffix/public_suffix_list.dat"
/* The list is about 250 KB and 10,000 rules today; anything far beyond is not it. */
#define CM_PSL_MAX_BYTES (4 * 1024 * 1024)
#define CM_PSL_MAX_RULES 100000
#define CM_PSL_MAX_LINE 255

/* A parsed public suffix list (https://publicsuffix.org/list/), read-only once built. */
struct cm_psl;

/*
 * Return convention for every function below that takes err: 0 when the
 * input is acceptable, -1 with a sentence for the person who sent it in err
 * (non-printable bytes of the name shown as '?').
 */

/* Parses the list's text (len bytes, at most CM_PSL_MAX_BYTES): normal,
 * "*." and "!" rules, "//" comments, Unicode rules stored as A-labels. */
int cm_psl_parse(const char *data, size_t len, struct cm_psl **out, char *err, size_t errlen);
/* Reads and parses the file at path. */
int cm_psl_load(const char *path, struct cm_psl **out, char *err, size_t errlen);
void cm_psl_free(struct cm_psl *psl);
/* Number of rules held. */
size_t cm_psl_count(const struct cm_psl *psl);
/* 1 when name (lower-case, A-labels, no trailing dot) is itself a public
 * suffix under the list's rules (a name of one label always is), else 0. */
int cm_psl_is_suffix(const struct cm_psl *psl, const char *name);

/* What a deployment decides about names (certmint.conf [names], signerd.conf [signer]). */
struct cm_name_rules {
	const struct cm_psl *psl;   /* NULL: the list could not be read, every wildcard is refused */
	const char *psl_path;       /* named in messages */
	int allow_loopback_ip;      /* 0.0.0.0, ::, 127.0.0.0/8, ::1 and the name "localhost" */
};

/* Flags of cm_nr_dns_syntax. */
#define CM_NR_WILDCARD_OK 1         /* "*.rest" (the whole leftmost label) is allowed */
#define CM_NR_LOCALHOST_OK 2        /* the single label "localhost" is allowed */

/*
 * Text of a subject attribute or SAN (n bytes, what names it in err): not
 * empty, well-formed UTF-8 (no overlong forms, no surrogates), no NUL, C0 or
 * C1 control character, no DEL.
 */
int cm_nr_text(const char *what, const unsigned char *s, size_t n, char *err, size_t errlen);

/*
 * A DNS name's syntax (n bytes): letters, digits, hyphens and dots only (no
 * underscore; international names as xn-- A-labels), labels of 1..63 bytes
 * not starting or ending with a hyphen, at most 253 bytes, no trailing dot,
 * two labels or more, not an IP address, not ending in an all-digit label;
 * a wildcard only as the whole leftmost label, over two labels or more.
 */
int cm_nr_dns_syntax(const char *what, const unsigned char *s, size_t n, unsigned flags,
    char *err, size_t errlen);

/* cm_nr_dns_syntax under rules r, plus: no wildcard directly under a public
 * suffix (every wildcard when r->psl is NULL); "localhost" only with
 * r->allow_loopback_ip. */
int cm_nr_dns(const struct cm_name_rules *r, const char *what, const unsigned char *s, size_t n,
    char *err, size_t errlen);

/* An IP address of n bytes (4 or 16): unspecified and loopback addresses
 * (also IPv4-mapped) only with r->allow_loopback_ip. */
int cm_nr_ip(const struct cm_name_rules *r, const unsigned char *a, size_t n, char *err, size_t errlen);

/*
 * Every name a certificate would carry: each subject attribute's text (C two
 * letters A-Z, at most one CN, no OU: CA/Browser Forum practice), each SAN
 * (DNS and IP under r; e-mail addresses and UPNs as user@domain with a DNS
 * domain; URIs printable ASCII; other forms refused); with tls_server, a
 * CN must equal one of the DNS SANs (case-insensitively) or IP SANs.
 * sans may be NULL.
 */
int cm_nr_check_names(const struct cm_name_rules *r, const X509_NAME *subject,
    const GENERAL_NAMES *sans, int tls_server, char *err, size_t errlen);

/* The same text check over every attribute of a subject (no other rule): 0 / -1. */
int cm_nr_check_subject_text(const X509_NAME *subject, char *err, size_t errlen);

/* Copies n bytes of s for a message: non-printable bytes as '?', at most 100, "..." when cut. */
void cm_nr_shown(char *dst, size_t dstlen, const unsigned char *s, size_t n);

#endif
