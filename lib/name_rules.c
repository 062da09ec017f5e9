/* name_rules.c: the name rules the RA and the signer both apply: clean text in every subject attribute, DNS and IP syntax, CN = SAN for TLS servers, no wildcard under a public suffix. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "name_rules.h"

/* A certificate naming more than this many subjects and SANs is refused
 * before anything is compared (the CN = SAN check is quadratic). */
#define MAX_NAMES 1000

/* ------------------------------------------------------------ messages */

/* No return value. */
void
cm_nr_shown(char *dst, size_t dstlen, const unsigned char *s, size_t n)
{
	size_t o = 0, i;

	if (dstlen == 0)
		return;
	for (i = 0; i < n && o + 4 < dstlen && o < 100; i++)
		dst[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
	if (i < n && o + 3 < dstlen) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

/* err = WHAT "NAME" WHY; returns -1. */
static int
refuse(char *err, size_t errlen, const char *what, const unsigned char *s, size_t n, const char *why)
{
	char shown[112];

	cm_nr_shown(shown, sizeof(shown), s, n);
	snprintf(err, errlen, "%s \"%s\" %s", what, shown, why);
	return -1;
}

/* ------------------------------------------------------------ text */

/* 0 / -1 with err; see name_rules.h. */
int
cm_nr_text(const char *what, const unsigned char *s, size_t n, char *err, size_t errlen)
{
	char why[96];

	if (n == 0) {
		snprintf(err, errlen, "%s is empty", what);
		return -1;
	}
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i], lo = 0x80, hi = 0xbf;
		size_t more;
		uint32_t cp;

		if (c == 0)
			return refuse(err, errlen, what, s, n, "contains a NUL byte");
		if (c < 0x20 || c == 0x7f) {
			snprintf(why, sizeof(why), "contains a control character (U+%04X)", c);
			return refuse(err, errlen, what, s, n, why);
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		/* RFC 3629's table: the second byte's bounds exclude overlong
		 * forms, UTF-16 surrogates and code points past U+10FFFF. */
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			return refuse(err, errlen, what, s, n, "is not valid UTF-8");
		}
		if (i + more >= n || s[i + 1] < lo || s[i + 1] > hi)
			return refuse(err, errlen, what, s, n, "is not valid UTF-8");
		cp = c & (0x3f >> more);
		for (size_t k = 1; k <= more; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return refuse(err, errlen, what, s, n, "is not valid UTF-8");
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp >= 0x80 && cp <= 0x9f) {
			snprintf(why, sizeof(why), "contains a control character (U+%04X)", (unsigned)cp);
			return refuse(err, errlen, what, s, n, why);
		}
		i += more + 1;
	}
	return 0;
}

/* ------------------------------------------------------------ DNS syntax */

static int
is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* 1 when s (n bytes) parses as an IPv4 or IPv6 address. */
static int
is_ip_text(const unsigned char *s, size_t n)
{
	char tmp[64];
	unsigned char a[16];

	if (n == 0 || n >= sizeof(tmp) || memchr(s, '\0', n) != NULL)
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET, tmp, a) == 1 || inet_pton(AF_INET6, tmp, a) == 1;
}

/* 0 / -1 with err; see name_rules.h. */
int
cm_nr_dns_syntax(const char *what, const unsigned char *s, size_t n, unsigned flags,
    char *err, size_t errlen)
{
	size_t start = 0, labels = 0, label_len = 0, last_start = 0;
	int wild = 0, all_digits = 1;
	char why[96];

	if (n == 0) {
		snprintf(err, errlen, "%s is empty", what);
		return -1;
	}
	if (n > 253)
		return refuse(err, errlen, what, s, n, "is longer than 253 bytes");
	if (is_ip_text(s, n))
		return refuse(err, errlen, what, s, n, "is an IP address written as a DNS name; put it in an IP subjectAltName");
	/* The first character outside letters, digits, '-', '.' and '*' decides the message. */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (is_ldh(c) || c == '.' || c == '*')
			continue;
		if (c == '_')
			return refuse(err, errlen, what, s, n, "contains an underscore, which host names may not have");
		if (c == 0)
			return refuse(err, errlen, what, s, n, "contains a NUL byte");
		if (c < 0x20 || c == 0x7f) {
			snprintf(why, sizeof(why), "contains a control character (U+%04X)", c);
			return refuse(err, errlen, what, s, n, why);
		}
		if (c >= 0x80)
			return refuse(err, errlen, what, s, n,
			    "contains a non-ASCII character; write international names as xn-- A-labels");
		if (c == ' ')
			return refuse(err, errlen, what, s, n, "contains a space");
		snprintf(why, sizeof(why), "contains '%c', which DNS names may not have", c);
		return refuse(err, errlen, what, s, n, why);
	}
	if (s[n - 1] == '.')
		return refuse(err, errlen, what, s, n, "ends with a dot; write it without the trailing dot");
	if (memchr(s, '*', n) != NULL) {
		if (!(flags & CM_NR_WILDCARD_OK))
			return refuse(err, errlen, what, s, n, "is a wildcard, which is not allowed here");
		if (n < 2 || s[0] != '*' || s[1] != '.' || memchr(s + 1, '*', n - 1) != NULL)
			return refuse(err, errlen, what, s, n,
			    "has a wildcard that is not the whole leftmost label (only *.example.com is allowed)");
		wild = 1;
		start = 2;
	}
	last_start = start;
	for (size_t i = start; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label_len == 0)
				return refuse(err, errlen, what, s, n, "has an empty label (two dots in a row, or a leading dot)");
			if (label_len > 63)
				return refuse(err, errlen, what, s, n, "has a label longer than 63 bytes");
			if (s[i - label_len] == '-' || s[i - 1] == '-')
				return refuse(err, errlen, what, s, n, "has a label that starts or ends with a hyphen");
			labels++;
			last_start = i - label_len;
			label_len = 0;
			continue;
		}
		label_len++;
	}
	for (size_t i = last_start; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			all_digits = 0;
	if (labels < 2) {
		if (!wild && (flags & CM_NR_LOCALHOST_OK) && n == 9 && strncasecmp((const char *)s, "localhost", 9) == 0)
			return 0;
		return refuse(err, errlen, what, s, n, wild ?
		    "is a wildcard directly under a top-level domain" :
		    "is a single label; certificates need a fully qualified name such as host.example.com");
	}
	if (all_digits)
		return refuse(err, errlen, what, s, n, "ends in an all-numeric label, which reads as an IP address");
	return 0;
}

/* 0 / -1 with err; see name_rules.h. */
int
cm_nr_dns(const struct cm_name_rules *r, const char *what, const unsigned char *s, size_t n,
    char *err, size_t errlen)
{
	char base[256], why[400];

	if (cm_nr_dns_syntax(what, s, n, CM_NR_WILDCARD_OK | (r->allow_loopback_ip ? CM_NR_LOCALHOST_OK : 0),
	    err, errlen) < 0)
		return -1;
	if (n < 2 || s[0] != '*')
		return 0;
	if (r->psl == NULL) {
		snprintf(why, sizeof(why), "is a wildcard, and wildcards are refused because the public suffix list (%s) could not be read",
		    r->psl_path ? r->psl_path : CM_PSL_DEFAULT_PATH);
		return refuse(err, errlen, what, s, n, why);
	}
	/* syntax passed: n - 2 < 253 bytes of letters, digits, '-' and '.' */
	for (size_t i = 2; i < n; i++)
		base[i - 2] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
	base[n - 2] = '\0';
	if (cm_psl_is_suffix(r->psl, base)) {
		snprintf(why, sizeof(why), "is a wildcard directly under the public suffix %s, which would cover other people's domains", base);
		return refuse(err, errlen, what, s, n, why);
	}
	return 0;
}

/* ------------------------------------------------------------ IP */

/* 0 / -1 with err; see name_rules.h. */
int
cm_nr_ip(const struct cm_name_rules *r, const unsigned char *a, size_t n, char *err, size_t errlen)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char zero[16];
	const unsigned char *v4 = NULL;
	const char *kind = NULL;
	char txt[INET6_ADDRSTRLEN] = "";

	if (n == 4)
		v4 = a;
	else if (n == 16 && memcmp(a, mapped, 12) == 0)
		v4 = a + 12;
	else if (n != 16) {
		snprintf(err, errlen, "an IP subjectAltName of %zu bytes is not an IPv4 or IPv6 address", n);
		return -1;
	}
	if (v4 != NULL) {
		if (memcmp(v4, zero, 4) == 0)
			kind = "the unspecified address";
		else if (v4[0] == 127)
			kind = "a loopback address";
	} else if (memcmp(a, zero, 16) == 0) {
		kind = "the unspecified address";
	} else if (memcmp(a, zero, 15) == 0 && a[15] == 1) {
		kind = "the loopback address";
	}
	if (kind == NULL || r->allow_loopback_ip)
		return 0;
	inet_ntop(n == 4 ? AF_INET : AF_INET6, a, txt, sizeof(txt));
	snprintf(err, errlen, "IP address %s is %s, which no certificate may name unless the installation allows it (allow_loopback_ip)",
	    txt, kind);
	return -1;
}

/* ------------------------------------------------------------ a whole certificate */

/* A subject attribute's value as UTF-8 (*u malloc'ed by OpenSSL when *owned):
 * length, or -1 when it cannot be read as text. */
static int
entry_utf8(const ASN1_STRING *d, unsigned char **u, int *owned)
{
	*owned = 0;
	if (ASN1_STRING_type(d) == V_ASN1_UTF8STRING) {
		/* As sent: OpenSSL's conversion would decide for us what a bad
		 * sequence means, and the check below should see the bytes. */
		*u = (unsigned char *)ASN1_STRING_get0_data(d);
		return ASN1_STRING_length(d);
	}
	*owned = 1;
	return ASN1_STRING_to_UTF8(u, d);
}

/* "the subject's CN" for messages. */
static void
attr_label(char *dst, size_t dstlen, const X509_NAME_ENTRY *ne)
{
	const ASN1_OBJECT *o = X509_NAME_ENTRY_get_object(ne);
	int nid = OBJ_obj2nid(o);
	char oid[80];

	if (nid != NID_undef && OBJ_nid2sn(nid) != NULL)
		snprintf(dst, dstlen, "the subject's %s", OBJ_nid2sn(nid));
	else {
		OBJ_obj2txt(oid, sizeof(oid), o, 1);
		snprintf(dst, dstlen, "the subject's attribute %s", oid);
	}
}

/* 0 / -1 with err; see name_rules.h. */
int
cm_nr_check_subject_text(const X509_NAME *subject, char *err, size_t errlen)
{
	int count = subject ? X509_NAME_entry_count(subject) : 0;

	if (count > MAX_NAMES) {
		snprintf(err, errlen, "the subject has more than %d attributes", MAX_NAMES);
		return -1;
	}
	for (int i = 0; i < count; i++) {
		const X509_NAME_ENTRY *ne = X509_NAME_get_entry(subject, i);
		unsigned char *u = NULL;
		char label[128];
		int owned, len, rc;

		attr_label(label, sizeof(label), ne);
		if ((len = entry_utf8(X509_NAME_ENTRY_get_data(ne), &u, &owned)) < 0) {
			snprintf(err, errlen, "%s is not readable text (invalid encoding)", label);
			return -1;
		}
		rc = cm_nr_text(label, u, (size_t)len, err, errlen);
		if (owned)
			OPENSSL_free(u);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* user@domain with one '@', printable ASCII (or clean UTF-8 when utf8),
 * the domain a DNS name when dns: 0 / -1. */
static int
check_mailbox(const char *what, const unsigned char *s, size_t n, int utf8, int dns,
    char *err, size_t errlen)
{
	const unsigned char *at;

	if (utf8) {
		if (cm_nr_text(what, s, n, err, errlen) < 0)
			return -1;
	} else {
		if (n == 0) {
			snprintf(err, errlen, "%s is empty", what);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			if (s[i] <= 0x20 || s[i] >= 0x7f)
				return refuse(err, errlen, what, s, n, "may hold only printable ASCII characters without spaces");
	}
	at = memchr(s, '@', n);
	if (at == NULL || at == s || at == s + n - 1 || memchr(at + 1, '@', n - (size_t)(at + 1 - s)) != NULL)
		return refuse(err, errlen, what, s, n, "is not of the form user@domain");
	if (dns) {
		char why[400];

		if (cm_nr_dns_syntax("its domain", at + 1, n - (size_t)(at + 1 - s), 0, why, sizeof(why)) < 0)
			return refuse(err, errlen, what, s, n, why);
	}
	return 0;
}

/* One subjectAltName: 0 / -1 with err. */
static int
check_san(const struct cm_name_rules *r, const GENERAL_NAME *gn, char *err, size_t errlen)
{
	const ASN1_STRING *a;

	switch (gn->type) {
	case GEN_DNS:
		a = gn->d.dNSName;
		return cm_nr_dns(r, "DNS name", ASN1_STRING_get0_data(a), (size_t)ASN1_STRING_length(a), err, errlen);
	case GEN_IPADD:
		a = gn->d.iPAddress;
		return cm_nr_ip(r, ASN1_STRING_get0_data(a), (size_t)ASN1_STRING_length(a), err, errlen);
	case GEN_EMAIL:
		a = gn->d.rfc822Name;
		return check_mailbox("e-mail address", ASN1_STRING_get0_data(a), (size_t)ASN1_STRING_length(a),
		    0, 1, err, errlen);
	case GEN_URI:
		a = gn->d.uniformResourceIdentifier;
		for (int i = 0; i < ASN1_STRING_length(a); i++) {
			unsigned char c = ASN1_STRING_get0_data(a)[i];
			if (c <= 0x20 || c >= 0x7f)
				return refuse(err, errlen, "URI", ASN1_STRING_get0_data(a), (size_t)ASN1_STRING_length(a),
				    "may hold only printable ASCII characters without spaces");
		}
		if (ASN1_STRING_length(a) == 0 || memchr(ASN1_STRING_get0_data(a), ':', (size_t)ASN1_STRING_length(a)) == NULL)
			return refuse(err, errlen, "URI", ASN1_STRING_get0_data(a), (size_t)ASN1_STRING_length(a),
			    "has no scheme (scheme:rest)");
		return 0;
	case GEN_OTHERNAME:
		if (OBJ_obj2nid(gn->d.otherName->type_id) == NID_ms_upn &&
		    gn->d.otherName->value->type == V_ASN1_UTF8STRING) {
			a = gn->d.otherName->value->value.utf8string;
			return check_mailbox("principal name (UPN)", ASN1_STRING_get0_data(a),
			    (size_t)ASN1_STRING_length(a), 1, 0, err, errlen);
		}
		snprintf(err, errlen, "an otherName subjectAltName other than a UTF-8 principal name (UPN) is not issued");
		return -1;
	default:
		snprintf(err, errlen, "directory-name, registeredID, X.400 and EDI-party subjectAltNames are not issued");
		return -1;
	}
}

/* 1 when the CN text (n bytes) names one of the DNS or IP SANs, else 0. */
static int
cn_in_sans(const unsigned char *cn, size_t n, const GENERAL_NAMES *sans)
{
	unsigned char ip[16];
	char tmp[64];
	size_t iplen = 0;

	if (n < sizeof(tmp) && memchr(cn, '\0', n) == NULL) {
		memcpy(tmp, cn, n);
		tmp[n] = '\0';
		if (inet_pton(AF_INET, tmp, ip) == 1)
			iplen = 4;
		else if (inet_pton(AF_INET6, tmp, ip) == 1)
			iplen = 16;
	}
	for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
		const ASN1_STRING *a;

		if (gn->type == GEN_IPADD && iplen) {
			a = gn->d.iPAddress;
			if ((size_t)ASN1_STRING_length(a) == iplen && memcmp(ASN1_STRING_get0_data(a), ip, iplen) == 0)
				return 1;
		} else if (gn->type == GEN_DNS && !iplen) {
			a = gn->d.dNSName;
			if ((size_t)ASN1_STRING_length(a) == n &&
			    strncasecmp((const char *)ASN1_STRING_get0_data(a), (const char *)cn, n) == 0 &&
			    memchr(cn, '\0', n) == NULL)
				return 1;
		}
	}
	return 0;
}

/* 0 / -1 with err; see name_rules.h. */
int
cm_nr_check_names(const struct cm_name_rules *r, const X509_NAME *subject,
    const GENERAL_NAMES *sans, int tls_server, char *err, size_t errlen)
{
	int count = subject ? X509_NAME_entry_count(subject) : 0, cns = 0;
	int nsans = sans ? sk_GENERAL_NAME_num(sans) : 0;

	if (count + nsans > MAX_NAMES) {
		snprintf(err, errlen, "the certificate would carry more than %d names", MAX_NAMES);
		return -1;
	}
	if (cm_nr_check_subject_text(subject, err, errlen) < 0)
		return -1;
	for (int i = 0; i < nsans; i++)
		if (check_san(r, sk_GENERAL_NAME_value(sans, i), err, errlen) < 0)
			return -1;
	for (int i = 0; i < count; i++) {
		const X509_NAME_ENTRY *ne = X509_NAME_get_entry(subject, i);
		const ASN1_STRING *d = X509_NAME_ENTRY_get_data(ne);
		int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne));

		if (nid == NID_organizationalUnitName) {
			snprintf(err, errlen, "the subject has an OU (organisational unit); certificates carry none (CA/Browser Forum practice)");
			return -1;
		}
		if (nid == NID_countryName) {
			const unsigned char *c = ASN1_STRING_get0_data(d);

			if (ASN1_STRING_length(d) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z')
				return refuse(err, errlen, "the subject's C", c, (size_t)ASN1_STRING_length(d),
				    "is not a two-letter ISO 3166 country code in capitals (GB, DE, US...)");
		}
		if (nid != NID_commonName)
			continue;
		if (++cns > 1) {
			snprintf(err, errlen, "the subject has more than one CN");
			return -1;
		}
		if (tls_server) {
			unsigned char *u = NULL;
			int owned, len = entry_utf8(d, &u, &owned), in;

			if (len < 0) {
				snprintf(err, errlen, "the subject's CN is not readable text");
				return -1;
			}
			in = cn_in_sans(u, (size_t)len, sans);
			if (!in)
				refuse(err, errlen, "the subject's CN", u, (size_t)len,
				    "is not one of the certificate's DNS or IP subjectAltNames; a TLS server certificate's CN must repeat one of them");
			if (owned)
				OPENSSL_free(u);
			if (!in)
				return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ public suffix list */

struct cm_psl {
	char **rules;       /* sorted; each "n" (normal), "w" (*.x) or "e" (!x) then the name */
	size_t n;
};

/* One code point from UTF-8 s (n bytes) into *cp: bytes used, or 0 when invalid. */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t more;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		more = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		more = 2;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		more = 3;
	else
		return 0;
	if (more >= n)
		return 0;
	*cp = s[0] & (0x3f >> more);
	for (size_t k = 1; k <= more; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[k] & 0x3f);
	}
	/* overlong, surrogate, too large */
	if ((more == 1 && *cp < 0x80) || (more == 2 && *cp < 0x800) || (more == 3 && *cp < 0x10000) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
		return 0;
	return more + 1;
}

/* RFC 3492 bias adaptation. */
static uint32_t
puny_adapt(uint32_t delta, uint32_t points, int first)
{
	uint32_t k = 0;

	delta = first ? delta / 700 : delta / 2;
	delta += delta / points;
	while (delta > ((36 - 1) * 26) / 2) {
		delta /= 36 - 1;
		k += 36;
	}
	return k + (36 * delta) / (delta + 38);
}

/* Appends the A-label ("xn--" + RFC 3492 Punycode) of the label cps (n code
 * points) to out at *o: 0, or -1 when it does not fit in 63 bytes. */
static int
puny_label(const uint32_t *cps, size_t n, char *out, size_t outlen, size_t *o)
{
	size_t start = *o, basic = 0, h;
	uint32_t cur = 0x80, bias = 72;
	uint64_t delta = 0;

#define PUT(ch) do { if (*o + 1 >= outlen || *o - start >= 63) return -1; out[(*o)++] = (char)(ch); } while (0)
	PUT('x'); PUT('n'); PUT('-'); PUT('-');
	for (size_t i = 0; i < n; i++)
		if (cps[i] < 0x80) {
			PUT(cps[i]);
			basic++;
		}
	if (basic > 0)
		PUT('-');
	h = basic;
	while (h < n) {
		uint32_t m = UINT32_MAX;

		for (size_t i = 0; i < n; i++)
			if (cps[i] >= cur && cps[i] < m)
				m = cps[i];
		delta += (uint64_t)(m - cur) * (h + 1);
		if (delta > UINT32_MAX)
			return -1;
		cur = m;
		for (size_t i = 0; i < n; i++) {
			if (cps[i] < cur && ++delta > UINT32_MAX)
				return -1;
			if (cps[i] != cur)
				continue;
			uint32_t q = (uint32_t)delta;
			for (uint32_t k = 36;; k += 36) {
				uint32_t t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
				uint32_t d;

				if (q < t)
					break;
				d = t + (q - t) % (36 - t);
				PUT(d < 26 ? 'a' + d : '0' + d - 26);
				q = (q - t) / (36 - t);
			}
			PUT(q < 26 ? 'a' + q : '0' + q - 26);
			bias = puny_adapt((uint32_t)delta, (uint32_t)h + 1, h == basic);
			delta = 0;
			h++;
		}
		delta++;
		cur++;
	}
#undef PUT
	return 0;
}

/* A rule's name (n bytes, UTF-8) as lower-case A-labels into out: 0, or -1
 * when it is not a name (bad character, empty or long label). */
static int
rule_to_ascii(const unsigned char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0, i = 0;

	while (i <= n) {
		uint32_t cps[64];
		size_t ncp = 0, j = i, ascii = 1;

		while (j < n && s[j] != '.') {
			uint32_t cp;
			size_t used = utf8_next(s + j, n - j, &cp);

			if (used == 0 || ncp == 63)
				return -1;
			if (cp >= 'A' && cp <= 'Z')
				cp += 32;
			if (cp < 0x80 && !((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '-'))
				return -1;
			if (cp >= 0x80)
				ascii = 0;
			cps[ncp++] = cp;
			j += used;
		}
		if (ncp == 0)
			return -1;
		if (o > 0) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = '.';
		}
		if (ascii) {
			if (o + ncp >= outlen)
				return -1;
			for (size_t k = 0; k < ncp; k++)
				out[o++] = (char)cps[k];
		} else if (puny_label(cps, ncp, out, outlen, &o) < 0) {
			return -1;
		}
		i = j + 1;
	}
	if (o > 253)
		return -1;
	out[o] = '\0';
	return 0;
}

static int
cmp_rule(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* No return value. */
void
cm_psl_free(struct cm_psl *psl)
{
	if (psl == NULL)
		return;
	for (size_t i = 0; i < psl->n; i++)
		free(psl->rules[i]);
	free(psl->rules);
	free(psl);
}

/* 0 / -1 with err; see name_rules.h. */
int
cm_psl_parse(const char *data, size_t len, struct cm_psl **out, char *err, size_t errlen)
{
	struct cm_psl *psl = NULL;
	size_t cap = 0, line = 0;
	const unsigned char *p = (const unsigned char *)data, *end = p + len;

	*out = NULL;
	if (len > CM_PSL_MAX_BYTES) {
		snprintf(err, errlen, "the public suffix list is larger than %d bytes", CM_PSL_MAX_BYTES);
		return -1;
	}
	if ((psl = calloc(1, sizeof(*psl))) == NULL)
		goto oom;
	while (p < end) {
		const unsigned char *eol = memchr(p, '\n', (size_t)(end - p)), *tok, *tend;
		char name[260], kind = 'n';
		size_t ll;

		if (eol == NULL)
			eol = end;
		ll = (size_t)(eol - p);
		line++;
		if (ll > CM_PSL_MAX_LINE) {
			snprintf(err, errlen, "public suffix list line %zu is longer than %d bytes", line, CM_PSL_MAX_LINE);
			goto fail;
		}
		if (memchr(p, '\0', ll) != NULL) {
			snprintf(err, errlen, "public suffix list line %zu contains a NUL byte", line);
			goto fail;
		}
		/* The rule is the line's first word; "//" starts a comment. */
		tok = p;
		while (tok < eol && (*tok == ' ' || *tok == '\t' || *tok == '\r'))
			tok++;
		tend = tok;
		while (tend < eol && *tend != ' ' && *tend != '\t' && *tend != '\r')
			tend++;
		p = eol < end ? eol + 1 : end;
		if (tok == tend || (tend - tok >= 2 && tok[0] == '/' && tok[1] == '/'))
			continue;
		if (*tok == '!') {
			kind = 'e';
			tok++;
		} else if (tend - tok >= 2 && tok[0] == '*' && tok[1] == '.') {
			kind = 'w';
			tok += 2;
		}
		if (rule_to_ascii(tok, (size_t)(tend - tok), name + 1, sizeof(name) - 1) < 0) {
			snprintf(err, errlen, "public suffix list line %zu is not a rule (name, *.name or !name)", line);
			goto fail;
		}
		name[0] = kind;
		if (psl->n == CM_PSL_MAX_RULES) {
			snprintf(err, errlen, "the public suffix list has more than %d rules", CM_PSL_MAX_RULES);
			goto fail;
		}
		if (psl->n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			char **nr = realloc(psl->rules, ncap * sizeof(*nr));

			if (nr == NULL)
				goto oom;
			psl->rules = nr;
			cap = ncap;
		}
		if ((psl->rules[psl->n] = strdup(name)) == NULL)
			goto oom;
		psl->n++;
	}
	if (psl->n == 0) {
		snprintf(err, errlen, "the public suffix list holds no rules");
		goto fail;
	}
	qsort(psl->rules, psl->n, sizeof(*psl->rules), cmp_rule);
	*out = psl;
	return 0;
oom:
	snprintf(err, errlen, "out of memory reading the public suffix list");
fail:
	cm_psl_free(psl);
	return -1;
}

/* 0 / -1 with err; see name_rules.h. */
int
cm_psl_load(const char *path, struct cm_psl **out, char *err, size_t errlen)
{
	FILE *f = NULL;
	char *buf = NULL, why[200];
	size_t n = 0;
	int rc = -1;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "cannot read the public suffix list %s: %s", path, strerror(errno));
		return -1;
	}
	if ((buf = malloc(CM_PSL_MAX_BYTES + 1)) == NULL) {
		snprintf(err, errlen, "out of memory reading the public suffix list");
		goto out;
	}
	n = fread(buf, 1, CM_PSL_MAX_BYTES + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read the public suffix list %s: %s", path, strerror(errno));
		goto out;
	}
	if (cm_psl_parse(buf, n, out, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}

/* Rule count. */
size_t
cm_psl_count(const struct cm_psl *psl)
{
	return psl ? psl->n : 0;
}

/* 1 when the list has rule kind + name. */
static int
has_rule(const struct cm_psl *psl, char kind, const char *name)
{
	char key[260];
	const char *k = key;
	int n = snprintf(key, sizeof(key), "%c%s", kind, name);

	if (n < 0 || (size_t)n >= sizeof(key))
		return 0;
	return bsearch(&k, psl->rules, psl->n, sizeof(*psl->rules), cmp_rule) != NULL;
}

/* 1 / 0; see name_rules.h. */
int
cm_psl_is_suffix(const struct cm_psl *psl, const char *name)
{
	const char *parent = strchr(name, '.');

	if (has_rule(psl, 'e', name))
		return 0;
	if (has_rule(psl, 'n', name))
		return 1;
	if (parent != NULL && has_rule(psl, 'w', parent + 1))
		return 1;
	/* The list's implicit "*" rule: every top-level domain is a suffix. */
	return parent == NULL;
}
