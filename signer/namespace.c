/* namespace.c: parses signerd.conf [namespaces] and decides whether every name of a certificate lies inside them, so that no requester (not even a compromised web tier) gets a name outside the installation's own. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>

#include "namespace.h"

enum kind { K_DNS, K_EMAIL, K_IP };

/* 1 when s[0..n) is a DNS name of LDH labels (1..63 bytes, no hyphen at
 * either end) of at most CM_NS_MAX_DNS bytes, else 0. */
static int
ldh_name(const char *s, size_t n)
{
	if (n == 0 || n > CM_NS_MAX_DNS)
		return 0;
	size_t label = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
				return 0;
			label = 0;
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
		label++;
	}
	return 1;
}

static void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* A dns entry into ns: 0, or -1 with err. */
static int
add_dns(struct cm_namespaces *ns, const char *w, char *err, size_t errlen)
{
	if (w[0] == '.' || w[0] == '*') {
		snprintf(err, errlen, "write '%.64s' without a leading '.' or '*.': "
		    "a suffix always includes its subdomains", w);
		return -1;
	}
	if (!ldh_name(w, strlen(w))) {
		snprintf(err, errlen, "'%.64s' is not a DNS name (letters, digits, "
		    "hyphens; labels of 1-63; no final dot)", w);
		return -1;
	}
	if (ns->ndns == CM_NS_MAX_ENTRIES) {
		snprintf(err, errlen, "more than %d entries", CM_NS_MAX_ENTRIES);
		return -1;
	}
	snprintf(ns->dns[ns->ndns], sizeof(ns->dns[0]), "%s", w);
	lower(ns->dns[ns->ndns++]);
	return 0;
}

/* An email entry (domain or mailbox) into ns: 0, or -1 with err. */
static int
add_email(struct cm_namespaces *ns, const char *w, char *err, size_t errlen)
{
	const char *at = strchr(w, '@');
	const char *domain = at ? at + 1 : w;
	size_t local = at ? (size_t)(at - w) : 0;

	if (at && (local == 0 || local > CM_NS_MAX_LOCAL || strchr(domain, '@'))) {
		snprintf(err, errlen, "'%.64s' is neither a mail domain nor one "
		    "mailbox (local part of 1-%d characters, one '@')", w, CM_NS_MAX_LOCAL);
		return -1;
	}
	for (size_t i = 0; i < local; i++)
		if ((unsigned char)w[i] <= 0x20 || (unsigned char)w[i] >= 0x7f) {
			snprintf(err, errlen, "the mailbox '%.64s' has a character "
			    "that is not printable ASCII", w);
			return -1;
		}
	if (domain[0] == '.' || !ldh_name(domain, strlen(domain))) {
		snprintf(err, errlen, "'%.64s' has no valid mail domain "
		    "(subdomains are always included: no leading '.')", w);
		return -1;
	}
	if (ns->nemail == CM_NS_MAX_ENTRIES) {
		snprintf(err, errlen, "more than %d entries", CM_NS_MAX_ENTRIES);
		return -1;
	}
	char *e = ns->email[ns->nemail++];
	snprintf(e, sizeof(ns->email[0]), "%s", w);
	lower(e + local);   /* the domain only: local parts are case-sensitive (RFC 5321) */
	return 0;
}

/* An ip entry ("addr/bits" or a single address) into ns: 0, or -1 with err. */
static int
add_ip(struct cm_namespaces *ns, const char *w, char *err, size_t errlen)
{
	char addr[64];
	const char *slash = strchr(w, '/');
	size_t alen = slash ? (size_t)(slash - w) : strlen(w);
	struct cm_ns_ip r;
	long bits = -1;

	memset(&r, 0, sizeof(r));
	if (alen == 0 || alen >= sizeof(addr))
		goto bad;
	memcpy(addr, w, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, r.addr) == 1)
		r.len = 4;
	else if (inet_pton(AF_INET6, addr, r.addr) == 1)
		r.len = 16;
	else
		goto bad;
	if (slash) {
		const char *p = slash + 1;
		if (*p == '\0' || strlen(p) > 3)
			goto bad;
		bits = 0;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				goto bad;
			bits = bits * 10 + (*p - '0');
		}
		if (bits > (long)(8 * r.len))
			goto bad;
	} else {
		bits = (long)(8 * r.len);
	}
	r.prefix = (unsigned)bits;
	/* Host bits set would leave the reader guessing which range was meant. */
	for (unsigned b = r.prefix; b < 8 * r.len; b++)
		if (r.addr[b / 8] & (0x80u >> (b % 8))) {
			snprintf(err, errlen, "'%.64s' has bits set after the /%u prefix "
			    "(write the network address)", w, r.prefix);
			return -1;
		}
	if (ns->nip == CM_NS_MAX_ENTRIES) {
		snprintf(err, errlen, "more than %d entries", CM_NS_MAX_ENTRIES);
		return -1;
	}
	ns->ip[ns->nip++] = r;
	return 0;
bad:
	snprintf(err, errlen, "'%.64s' is not an IPv4 or IPv6 address or "
	    "ADDRESS/BITS range", w);
	return -1;
}

/* 0 / 1 unknown key / -1 with err. */
int
cm_ns_add(struct cm_namespaces *ns, const char *key, const char *value,
    char *err, size_t errlen)
{
	enum kind k;
	char word[CM_NS_MAX_LOCAL + 1 + CM_NS_MAX_DNS + 2];
	int any = 0;

	if (strcmp(key, "dns") == 0)
		k = K_DNS;
	else if (strcmp(key, "email") == 0)
		k = K_EMAIL;
	else if (strcmp(key, "ip") == 0)
		k = K_IP;
	else
		return 1;
	if (strlen(value) > CM_NS_MAX_VALUE) {
		snprintf(err, errlen, "the list is longer than %d bytes (use several lines)", CM_NS_MAX_VALUE);
		return -1;
	}
	for (const char *p = value; *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		size_t n = strcspn(p, " \t,");
		if (n >= sizeof(word)) {
			snprintf(err, errlen, "an entry is longer than %zu bytes", sizeof(word) - 1);
			return -1;
		}
		memcpy(word, p, n);
		word[n] = '\0';
		p += n;
		int r = k == K_DNS ? add_dns(ns, word, err, errlen) :
		    k == K_EMAIL ? add_email(ns, word, err, errlen) : add_ip(ns, word, err, errlen);
		if (r < 0)
			return -1;
		any = 1;
	}
	if (!any) {
		snprintf(err, errlen, "empty list (leave the line out to permit no %s names)", key);
		return -1;
	}
	return 0;
}

/* 1 empty / 0 not. */
int
cm_ns_empty(const struct cm_namespaces *ns)
{
	return ns->ndns == 0 && ns->nemail == 0 && ns->nip == 0;
}

/* 1 when name[0..len) equals suffix or ends in "." suffix (ASCII case folded). */
static int
under(const char *name, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);
	if (len == sl)
		return strncasecmp(name, suffix, sl) == 0;
	return len > sl + 1 && name[len - sl - 1] == '.' && strncasecmp(name + len - sl, suffix, sl) == 0;
}

/* 1 inside / 0 outside. */
int
cm_ns_dns_inside(const struct cm_namespaces *ns, const char *name, size_t len)
{
	if (name == NULL || len == 0 || memchr(name, '\0', len) != NULL)
		return 0;
	/* "*.x" stands for names one label below x: inside exactly when x is. */
	if (len > 2 && name[0] == '*' && name[1] == '.') {
		name += 2;
		len -= 2;
	}
	if (len > CM_NS_MAX_DNS)
		return 0;
	for (size_t i = 0; i < ns->ndns; i++)
		if (under(name, len, ns->dns[i]))
			return 1;
	return 0;
}

/* 1 inside / 0 outside. */
int
cm_ns_email_inside(const struct cm_namespaces *ns, const char *addr, size_t len)
{
	if (addr == NULL || len == 0 || memchr(addr, '\0', len) != NULL)
		return 0;
	const char *at = memchr(addr, '@', len);
	if (at == NULL || at == addr || memchr(at + 1, '@', len - (size_t)(at + 1 - addr)) != NULL)
		return 0;
	size_t local = (size_t)(at - addr), dlen = len - local - 1;
	if (dlen == 0 || dlen > CM_NS_MAX_DNS)
		return 0;
	for (size_t i = 0; i < ns->nemail; i++) {
		const char *e = ns->email[i], *eat = strchr(e, '@');
		if (eat == NULL) {
			if (under(at + 1, dlen, e))
				return 1;
		} else if ((size_t)(eat - e) == local && memcmp(e, addr, local) == 0 &&
		    strlen(eat + 1) == dlen && strncasecmp(eat + 1, at + 1, dlen) == 0) {
			return 1;
		}
	}
	return 0;
}

/* 1 inside / 0 outside. */
int
cm_ns_ip_inside(const struct cm_namespaces *ns, const unsigned char *addr, size_t len)
{
	if (addr == NULL || (len != 4 && len != 16))
		return 0;
	for (size_t i = 0; i < ns->nip; i++) {
		const struct cm_ns_ip *r = &ns->ip[i];
		if (r->len != len)
			continue;
		unsigned full = r->prefix / 8, rest = r->prefix % 8;
		if (memcmp(r->addr, addr, full) != 0)
			continue;
		if (rest) {
			unsigned char mask = (unsigned char)(0xffu << (8 - rest));
			if ((r->addr[full] & mask) != (addr[full] & mask))
				continue;
		}
		return 1;
	}
	return 0;
}

/* The refusal naming one name: always 1. Bytes outside printable ASCII show as '?'. */
static int
outside(char *reason, size_t rlen, const char *what, const char *name, size_t len)
{
	char shown[132];
	size_t n = len < sizeof(shown) - 4 ? len : sizeof(shown) - 4;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		shown[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	strcpy(shown + n, n < len ? "..." : "");
	snprintf(reason, rlen, "%s %s is outside the name spaces this signer may certify", what, shown);
	return 1;
}

/* The CN (as UTF-8) of a profile whose CN is a host: 0 inside, 1 refused.
 * A CN with an '@' names a mailbox (client-device certificates may name a
 * device by an address): it is held to the mail name spaces instead. */
static int
check_host_cn(const struct cm_namespaces *ns, const char *v, size_t len, char *reason, size_t rlen)
{
	unsigned char ip[16];
	char text[64];
	if (memchr(v, '@', len) != NULL)
		return cm_ns_email_inside(ns, v, len) ? 0 : outside(reason, rlen, "the subject CN", v, len);
	if (len < sizeof(text) && memchr(v, '\0', len) == NULL) {
		memcpy(text, v, len);
		text[len] = '\0';
		if (inet_pton(AF_INET, text, ip) == 1)
			return cm_ns_ip_inside(ns, ip, 4) ? 0 : outside(reason, rlen, "the subject CN", v, len);
		if (inet_pton(AF_INET6, text, ip) == 1)
			return cm_ns_ip_inside(ns, ip, 16) ? 0 : outside(reason, rlen, "the subject CN", v, len);
	}
	return cm_ns_dns_inside(ns, v, len) ? 0 : outside(reason, rlen, "the subject CN", v, len);
}

/* 0 all inside / 1 refused with reason. */
int
cm_ns_check(const struct cm_namespaces *ns, const X509_NAME *subject,
    const GENERAL_NAMES *sans, int cn_is_host, char *reason, size_t rlen)
{
	for (int i = 0; subject && i < X509_NAME_entry_count(subject); i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(subject, i);
		int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
		if (nid != NID_pkcs9_emailAddress && !(nid == NID_commonName && cn_is_host))
			continue;
		unsigned char *u = NULL;
		int n = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(e));
		int r;
		if (n < 0)
			r = outside(reason, rlen, nid == NID_commonName ? "the subject CN" : "the subject emailAddress",
			    "(unreadable)", 12);
		else if (nid == NID_commonName)
			r = check_host_cn(ns, (const char *)u, (size_t)n, reason, rlen);
		else
			r = cm_ns_email_inside(ns, (const char *)u, (size_t)n) ? 0 :
			    outside(reason, rlen, "the subject emailAddress", (const char *)u, (size_t)n);
		OPENSSL_free(u);
		if (r)
			return 1;
	}
	for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
		if (gn->type == GEN_DNS) {
			const ASN1_IA5STRING *s = gn->d.dNSName;
			const char *v = (const char *)ASN1_STRING_get0_data(s);
			size_t n = (size_t)ASN1_STRING_length(s);
			if (!cm_ns_dns_inside(ns, v, n))
				return outside(reason, rlen, "the DNS name", v, n);
		} else if (gn->type == GEN_EMAIL) {
			const ASN1_IA5STRING *s = gn->d.rfc822Name;
			const char *v = (const char *)ASN1_STRING_get0_data(s);
			size_t n = (size_t)ASN1_STRING_length(s);
			if (!cm_ns_email_inside(ns, v, n))
				return outside(reason, rlen, "the e-mail address", v, n);
		} else if (gn->type == GEN_OTHERNAME &&
		    OBJ_obj2nid(gn->d.otherName->type_id) == NID_ms_upn) {
			/* A UPN names a Windows logon account (user@UPN-suffix): it is
			 * held to the mail domains, as an address of the same form. */
			const ASN1_TYPE *t = gn->d.otherName->value;
			const char *v = "";
			size_t n = 0;
			if (t && t->type == V_ASN1_UTF8STRING) {
				v = (const char *)ASN1_STRING_get0_data(t->value.utf8string);
				n = (size_t)ASN1_STRING_length(t->value.utf8string);
			}
			if (n == 0 || !cm_ns_email_inside(ns, v, n))
				return outside(reason, rlen, "the UPN", n ? v : "(unreadable)", n ? n : 12);
		} else if (gn->type == GEN_IPADD) {
			const unsigned char *a = ASN1_STRING_get0_data(gn->d.iPAddress);
			size_t n = (size_t)ASN1_STRING_length(gn->d.iPAddress);
			if (!cm_ns_ip_inside(ns, a, n)) {
				char text[INET6_ADDRSTRLEN] = "(malformed)";
				if (n == 4 || n == 16)
					inet_ntop(n == 4 ? AF_INET : AF_INET6, a, text, sizeof(text));
				return outside(reason, rlen, "the IP address", text, strlen(text));
			}
		}
	}
	return 0;
}

/* Pushes one subtree with base gn (taken): 0 / -1 (gn freed). */
static int
push_subtree(STACK_OF(GENERAL_SUBTREE) *sk, GENERAL_NAME *gn)
{
	GENERAL_SUBTREE *st = gn ? GENERAL_SUBTREE_new() : NULL;
	if (st == NULL) {
		GENERAL_NAME_free(gn);
		return -1;
	}
	GENERAL_NAME_free(st->base);
	st->base = gn;
	if (!sk_GENERAL_SUBTREE_push(sk, st)) {
		GENERAL_SUBTREE_free(st);
		return -1;
	}
	return 0;
}

/* A GENERAL_NAME of an IA5String type (GEN_DNS, GEN_EMAIL) or NULL. */
static GENERAL_NAME *
ia5_name(int type, const char *s)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *v = ASN1_IA5STRING_new();
	if (gn == NULL || v == NULL || !ASN1_STRING_set(v, s, (int)strlen(s))) {
		GENERAL_NAME_free(gn);
		ASN1_IA5STRING_free(v);
		return NULL;
	}
	GENERAL_NAME_set0_value(gn, type, v);
	return gn;
}

/* An iPAddress constraint (address then mask, RFC 5280 4.2.1.10) or NULL. */
static GENERAL_NAME *
ip_name(const struct cm_ns_ip *r)
{
	unsigned char b[32];
	memset(b, 0, sizeof(b));
	memcpy(b, r->addr, r->len);
	for (unsigned i = 0; i < r->prefix; i++)
		b[r->len + i / 8] |= (unsigned char)(0x80u >> (i % 8));
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
	if (gn == NULL || v == NULL || !ASN1_OCTET_STRING_set(v, b, (int)(2 * r->len))) {
		GENERAL_NAME_free(gn);
		ASN1_OCTET_STRING_free(v);
		return NULL;
	}
	GENERAL_NAME_set0_value(gn, GEN_IPADD, v);
	return gn;
}

/* New NAME_CONSTRAINTS, or NULL. */
NAME_CONSTRAINTS *
cm_ns_name_constraints(const struct cm_namespaces *ns)
{
	NAME_CONSTRAINTS *nc = NULL;
	if (cm_ns_empty(ns) || (nc = NAME_CONSTRAINTS_new()) == NULL)
		return NULL;
	nc->permittedSubtrees = sk_GENERAL_SUBTREE_new_null();
	if (nc->permittedSubtrees == NULL)
		goto fail;
	for (size_t i = 0; i < ns->ndns; i++)
		if (push_subtree(nc->permittedSubtrees, ia5_name(GEN_DNS, ns->dns[i])) < 0)
			goto fail;
	for (size_t i = 0; i < ns->nemail; i++) {
		const char *e = ns->email[i];
		if (push_subtree(nc->permittedSubtrees, ia5_name(GEN_EMAIL, e)) < 0)
			goto fail;
		/* RFC 5280: "d" is mailboxes at host d only, ".d" those below it. */
		if (strchr(e, '@') == NULL) {
			char dot[CM_NS_MAX_DNS + 2];
			snprintf(dot, sizeof(dot), ".%s", e);
			if (push_subtree(nc->permittedSubtrees, ia5_name(GEN_EMAIL, dot)) < 0)
				goto fail;
		}
	}
	for (size_t i = 0; i < ns->nip; i++)
		if (push_subtree(nc->permittedSubtrees, ip_name(&ns->ip[i])) < 0)
			goto fail;
	return nc;
fail:
	NAME_CONSTRAINTS_free(nc);
	return NULL;
}
