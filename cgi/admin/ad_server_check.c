/* ad_server_check.c: an Active Directory server's LDAP URI list and base DN, checked with ldap_url_parse and ldap_str2dn. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "ad_server_check.h"
#include "text.h"

/* 1 when h (n bytes) is a DNS name or IPv4 address: letters, digits, '-' and
 * '.', no empty label, no label starting or ending with '-'. */
static int
host_ok(const char *h, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (h[i] == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)h[i]) || h[i] == '-') {
			if ((h[i] == '-' && label == 0) || ++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return label > 0 && h[n - 1] != '-';
}

/* 1 when h (n bytes, inside the brackets) looks like an IPv6 address. */
static int
ipv6_ok(const char *h, size_t n)
{
	if (n < 2 || n > 45 || memchr(h, ':', n) == NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)h[i]) && h[i] != ':' && h[i] != '.')
			return 0;
	return 1;
}

/* 1 when p (n bytes) is a decimal port 1-65535. */
static int
port_ok(const char *p, size_t n)
{
	long v = 0;

	if (n == 0 || n > 5)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return 0;
		v = v * 10 + (p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* NULL when the URI u (a NUL-terminated token) is acceptable, else why not. */
static const char *
uri_problem(const char *u)
{
	static const char *const only_host =
	    "give only ldap://host[:port] or ldaps://host[:port]; the base DN has its own field, and attributes or filters have no place here.";
	LDAPURLDesc *d = NULL;
	const char *auth, *end, *colon, *why = NULL;
	size_t hn;

	if (strchr(u, ','))
		return "separate the URIs with spaces, not commas.";
	if (strncasecmp(u, "ldap://", 7) == 0)
		auth = u + 7;
	else if (strncasecmp(u, "ldaps://", 8) == 0)
		auth = u + 8;
	else
		return "it must start with ldap:// or ldaps://.";
	end = auth + strcspn(auth, "/?#");
	if (*end && strcmp(end, "/") != 0)
		return only_host;
	if (memchr(auth, '@', (size_t)(end - auth)) || memchr(auth, '%', (size_t)(end - auth)))
		return "give the host name without user names or %-escapes.";
	if (auth[0] == '[') {
		const char *rb = memchr(auth, ']', (size_t)(end - auth));

		if (rb == NULL || !ipv6_ok(auth + 1, (size_t)(rb - auth - 1)))
			return "an IPv6 address goes inside brackets: ldap://[2001:db8::1]:389.";
		colon = rb + 1 < end ? rb + 1 : NULL;
		if (colon && *colon != ':')
			return "a port follows the host after a colon: ldaps://dc1.example.com:636.";
	} else {
		colon = memchr(auth, ':', (size_t)(end - auth));
		hn = colon ? (size_t)(colon - auth) : (size_t)(end - auth);
		if (hn == 0)
			return "a host name is required: ldaps://dc1.corp.example.com.";
		if (!host_ok(auth, hn))
			return "the host must be a DNS name or an IP address (letters, digits, hyphens and dots).";
	}
	if (colon && !port_ok(colon + 1, (size_t)(end - colon - 1)))
		return "the port must be a number from 1 to 65535.";
	/* libldap's own parser has the last word: what it reads is what will be used. */
	if (ldap_url_parse(u, &d) != LDAP_URL_SUCCESS || d == NULL)
		return "libldap cannot parse it as an LDAP URL.";
	if (d->lud_scheme == NULL || (strcasecmp(d->lud_scheme, "ldap") != 0 &&
	    strcasecmp(d->lud_scheme, "ldaps") != 0))
		why = "it must start with ldap:// or ldaps://.";
	else if (d->lud_host == NULL || d->lud_host[0] == '\0')
		why = "a host name is required: ldaps://dc1.corp.example.com.";
	else if ((d->lud_dn && d->lud_dn[0]) || d->lud_attrs || d->lud_filter || d->lud_exts)
		why = only_host;
	ldap_free_urldesc(d);
	return why;
}

/* 0, or -1 with why; see ad_server_check.h. */
int
ad_server_uris_check(const char *in, char *out, size_t outlen, char *why, size_t whylen)
{
	char tok[AD_URIS_MAX + 1];
	size_t o = 0, count = 0, len = strlen(in);
	const char *p = in;

	if (outlen == 0 || whylen == 0)
		return -1;
	out[0] = why[0] = '\0';
	if (len > AD_URIS_MAX) {
		snprintf(why, whylen, "At most %d bytes of URIs, please.", AD_URIS_MAX);
		return -1;
	}
	if (!cm_text_clean(in)) {
		snprintf(why, whylen, "Separate the URIs with spaces; control characters are not allowed.");
		return -1;
	}
	for (;;) {
		const char *problem;
		size_t n;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, " ");
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		if (++count > AD_URIS_COUNT_MAX) {
			snprintf(why, whylen, "At most %d URIs, please.", AD_URIS_COUNT_MAX);
			return -1;
		}
		if ((problem = uri_problem(tok)) != NULL) {
			snprintf(why, whylen, "URI %zu (%.80s%s): %s", count, tok, n > 80 ? "..." : "", problem);
			return -1;
		}
		if (o + n + 2 > outlen) {
			snprintf(why, whylen, "At most %d bytes of URIs, please.", AD_URIS_MAX);
			return -1;
		}
		if (o > 0)
			out[o++] = ' ';
		memcpy(out + o, tok, n);
		o += n;
		out[o] = '\0';
	}
	if (count == 0) {
		snprintf(why, whylen, "Enter at least one LDAP URI, such as ldaps://dc1.corp.example.com.");
		return -1;
	}
	return 0;
}

/* NULL or a message; see ad_server_check.h. */
const char *
ad_server_base_dn_check(const char *in, char *out, size_t outlen)
{
	LDAPDN dn = NULL;
	size_t n;
	int rc, ok;

	if (outlen == 0)
		return "Internal error.";
	out[0] = '\0';
	while (*in == ' ')
		in++;
	n = strlen(in);
	while (n > 0 && in[n - 1] == ' ')
		n--;
	if (n == 0)
		return "Enter the base DN where users are searched, such as DC=corp,DC=example,DC=com.";
	if (n > AD_BASE_DN_MAX || n >= outlen)
		return "A base DN is at most 1024 bytes.";
	memcpy(out, in, n);
	out[n] = '\0';
	if (!cm_text_clean(out)) {
		out[0] = '\0';
		return "Use text without control characters (UTF-8).";
	}
	rc = ldap_str2dn(out, &dn, LDAP_DN_FORMAT_LDAPV3);
	ok = rc == LDAP_SUCCESS && dn != NULL;
	ldap_dnfree(dn);
	if (!ok) {
		out[0] = '\0';
		return "This is not an LDAP DN: write it as DC=corp,DC=example,DC=com (escape a comma inside a value as \\,).";
	}
	return NULL;
}
