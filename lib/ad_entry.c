/* ad_entry.c: the network-free half of the AD client: stage names, RFC 4515 filter escaping, and a directory entry's attributes turned into struct cm_ad_user. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ad_lookup.h"

static const char *const stage_names[] = {
	[CM_AD_OK] = "ok", [CM_AD_CONFIG] = "config", [CM_AD_DNS] = "dns", [CM_AD_TCP] = "tcp",
	[CM_AD_TLS] = "tls", [CM_AD_BIND] = "bind", [CM_AD_BASE_DN] = "base_dn",
	[CM_AD_SEARCH] = "search", [CM_AD_NOT_FOUND] = "not_found", [CM_AD_AMBIGUOUS] = "ambiguous",
};

/* A static name, "unknown" out of range. */
const char *
cm_ad_stage_name(enum cm_ad_stage s)
{
	if ((unsigned)s >= sizeof(stage_names) / sizeof(stage_names[0]) || stage_names[s] == NULL)
		return "unknown";
	return stage_names[s];
}

/* No return value. */
void
cm_ad_password_aad(int64_t customer_id, char out[CM_AD_AAD_MAX])
{
	snprintf(out, CM_AD_AAD_MAX, "ad_servers.bind_password:%lld", (long long)customer_id);
}

/* 0 / -1 (out too small). */
int
cm_ad_filter_escape(const char *in, size_t inlen, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < inlen; i++) {
		unsigned char ch = (unsigned char)in[i];
		/* Escape more than RFC 4515 requires (all non-printable ASCII,
		 * UTF-8 too): the value stays one assertion whatever it holds. */
		if (ch == '*' || ch == '(' || ch == ')' || ch == '\\' || ch < 0x21 || ch > 0x7e) {
			if (o + 3 >= outlen)
				return -1;
			out[o++] = '\\';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		} else {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = (char)ch;
		}
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

/* 0, or -1 with why. */
int
cm_ad_user_filter(const char *principal, char *out, size_t outlen, char *why, size_t whylen)
{
	char sam[3 * CM_AD_PRINCIPAL_MAX + 1], upn[3 * CM_AD_PRINCIPAL_MAX + 1];
	const char *at;
	size_t n;
	int w;

	n = principal ? strnlen(principal, CM_AD_PRINCIPAL_MAX + 1) : 0;
	if (n == 0 || n > CM_AD_PRINCIPAL_MAX) {
		snprintf(why, whylen, "the user name is empty or longer than %d bytes", CM_AD_PRINCIPAL_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)principal[i] < 0x20 || principal[i] == 0x7f) {
			snprintf(why, whylen, "the user name holds a control character");
			return -1;
		}
	at = memchr(principal, '@', n);
	if (at == principal) {
		snprintf(why, whylen, "the user name is empty before '@'");
		return -1;
	}
	if (cm_ad_filter_escape(principal, at ? (size_t)(at - principal) : n, sam, sizeof(sam)) < 0 ||
	    cm_ad_filter_escape(principal, n, upn, sizeof(upn)) < 0)
		goto toolong;
	w = snprintf(out, outlen,
	    "(&(objectCategory=person)(objectClass=user)(|(sAMAccountName=%s)(userPrincipalName=%s)))",
	    sam, upn);
	if (w < 0 || (size_t)w >= outlen)
		goto toolong;
	return 0;
toolong:
	snprintf(why, whylen, "the search filter for this user name does not fit");
	return -1;
}

/* Copies v into dst (dstlen bytes, terminated): 0, or -1 with why naming attr
 * when it does not fit or holds NUL or control bytes. */
static int
copy_value(char *dst, size_t dstlen, const char *attr, const char *p, size_t len, char *why,
    size_t whylen)
{
	if (len >= dstlen) {
		snprintf(why, whylen, "the directory's %s value is longer than %zu bytes", attr,
		    dstlen - 1);
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
			snprintf(why, whylen, "the directory's %s value holds a control character", attr);
			return -1;
		}
	memcpy(dst, p, len);
	dst[len] = '\0';
	return 0;
}

/* 0, or -1 with why. */
int
cm_ad_entry_begin(struct cm_ad_user *u, const char *dn, size_t dnlen, char *why, size_t whylen)
{
	memset(u, 0, sizeof(*u));
	if (dn == NULL || dnlen == 0) {
		snprintf(why, whylen, "the directory returned an entry without a DN");
		return -1;
	}
	return copy_value(u->dn, sizeof(u->dn), "DN", dn, dnlen, why, whylen);
}

/* userAccountControl: a 32-bit integer in decimal (AD writes it signed or
 * unsigned); *flags its bits. 0 / -1. */
static int
parse_uac(const char *p, size_t len, unsigned long *flags)
{
	char buf[16];
	char *end;
	long long v;
	size_t i = 0;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (buf[0] == '-')
		i = 1;
	if (buf[i] == '\0')
		return -1;
	for (; i < len; i++)
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
	v = strtoll(buf, &end, 10);
	if (*end != '\0' || v < -2147483648LL || v > 4294967295LL)
		return -1;
	*flags = (unsigned long)(v & 0xffffffffLL);
	return 0;
}

#define FSIZE(f) sizeof(((struct cm_ad_user *)0)->f)
#define UF_ACCOUNTDISABLE 0x2UL

/* 0, or -1 with why. */
int
cm_ad_entry_attr(struct cm_ad_user *u, const char *name, const struct cm_ad_value *v, size_t n,
    char *why, size_t whylen)
{
	static const struct {
		const char *name;
		size_t off, size;
	} fields[] = {
		{ "sAMAccountName", offsetof(struct cm_ad_user, sam), FSIZE(sam) },
		{ "userPrincipalName", offsetof(struct cm_ad_user, upn), FSIZE(upn) },
		{ "mail", offsetof(struct cm_ad_user, mail), FSIZE(mail) },
		{ "cn", offsetof(struct cm_ad_user, cn), FSIZE(cn) },
		{ "givenName", offsetof(struct cm_ad_user, given_name), FSIZE(given_name) },
		{ "sn", offsetof(struct cm_ad_user, sn), FSIZE(sn) },
	};
	unsigned long flags;

	if (name == NULL || n == 0)
		return 0;
	if (strcasecmp(name, "userAccountControl") == 0) {
		if (n != 1 || parse_uac(v[0].p, v[0].len, &flags) < 0) {
			snprintf(why, whylen, "the directory's userAccountControl is not one 32-bit number");
			return -1;
		}
		u->disabled = (flags & UF_ACCOUNTDISABLE) != 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcasecmp(name, fields[i].name) != 0)
			continue;
		/* All single-valued in AD: several values mean a schema we do
		 * not understand, and picking one could pick the wrong mail. */
		if (n != 1) {
			snprintf(why, whylen, "the directory returned %zu values of %s", n, fields[i].name);
			return -1;
		}
		return copy_value((char *)u + fields[i].off, fields[i].size, fields[i].name, v[0].p,
		    v[0].len, why, whylen);
	}
	return 0;
}
