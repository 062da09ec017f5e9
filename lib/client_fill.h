/* client_fill.h: the auto-enrollment client scripts with the portal's four values filled in, each checked strictly and escaped for the script's language. */
#ifndef CM_CLIENT_FILL_H
#define CM_CLIENT_FILL_H

#include <stddef.h>

/* A client script is at most this big (they are a few KiB). */
#define CM_CLIENT_SCRIPT_MAX (256 * 1024)

/* The language a script is written in: how a value is quoted there. */
enum cm_client_lang { CM_CLIENT_SH, CM_CLIENT_PS1 };

/* What replaces @CERTMINT_URL@, @CERTMINT_CUSTOMER@, @CERTMINT_ORGID@ and
 * @CERTMINT_DAYS@. orgid "" = none. */
struct cm_client_values {
	const char *url, *customer, *orgid, *days;
};

/* 1 when url is http(s)://host[:port][/path] with host and path in a
 * strict character set (no quote, space, $, backquote, query or fragment). */
int cm_client_url_ok(const char *url);

/*
 * Checks v (url: cm_client_url_ok; customer: [A-Za-z0-9._-] 1..64; orgid:
 * "" or 1..18 digits; days: 1..3650) and replaces every placeholder in the
 * script text[len] (at most CM_CLIENT_SCRIPT_MAX) by its value, escaped for
 * a single-quoted string of lang (the values cannot hold a quote; the
 * escaping is the second guard). *out is malloc'd (the caller frees it).
 * 0, or -1 with why (which value is refused, or out of memory).
 */
int cm_client_fill(const char *text, size_t len, enum cm_client_lang lang, const struct cm_client_values *v,
    char **out, size_t *outlen, char *why, size_t whylen);

#endif
