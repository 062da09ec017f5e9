/* names.c: parsing and syntax checks for subject DNs and subjectAltNames, and the signer's own pass of the shared name rules over every certificate it is asked for. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>

#include "name_rules.h"
#include "names.h"

#define UPN_OID "1.3.6.1.4.1.311.20.2.3"

/* X509_NAME or NULL with err. */
X509_NAME *
cm_dn_parse(const char *s, char *err, size_t errlen)
{
	X509_NAME *name = NULL;
	char *copy = NULL;
	size_t n = strlen(s);

	if (n == 0 || n > 4096 || s[0] != '/') {
		snprintf(err, errlen, "subject must look like /O=Example/CN=name");
		return NULL;
	}
	copy = malloc(n + 1);
	name = X509_NAME_new();
	if (copy == NULL || name == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	const char *p = s + 1;
	while (*p) {
		/* One "type=value" component, unescaping "\/" and "\\". */
		size_t w = 0;
		while (*p && *p != '/') {
			if (*p == '\\' && (p[1] == '/' || p[1] == '\\'))
				p++;
			copy[w++] = *p++;
		}
		copy[w] = '\0';
		if (*p == '/')
			p++;
		char *eq = strchr(copy, '=');
		if (eq == NULL || eq == copy) {
			snprintf(err, errlen, "subject component '%.64s' is not type=value", copy);
			goto fail;
		}
		*eq = '\0';
		const char *val = eq + 1;
		if (*val == '\0' || strlen(val) > CM_MAX_NAME_VALUE) {
			snprintf(err, errlen, "subject %s value is empty or longer than %d bytes", copy, CM_MAX_NAME_VALUE);
			goto fail;
		}
		if (OBJ_txt2nid(copy) == NID_undef) {
			snprintf(err, errlen, "unknown subject attribute type '%.64s'", copy);
			goto fail;
		}
		if (!X509_NAME_add_entry_by_txt(name, copy, MBSTRING_UTF8,
		    (const unsigned char *)val, -1, -1, 0)) {
			snprintf(err, errlen, "subject attribute %.64s has a value it cannot hold", copy);
			goto fail;
		}
	}
	free(copy);
	return name;
fail:
	free(copy);
	X509_NAME_free(name);
	return NULL;
}

static int
is_upn(const GENERAL_NAME *gn)
{
	char oid[64];
	if (gn->type != GEN_OTHERNAME)
		return 0;
	OBJ_obj2txt(oid, sizeof(oid), gn->d.otherName->type_id, 1);
	return strcmp(oid, UPN_OID) == 0;
}

/* CM_SAN_* bit or 0. */
unsigned
cm_san_type(const GENERAL_NAME *gn, const char **label)
{
	switch (gn->type) {
	case GEN_DNS: *label = "DNS"; return CM_SAN_DNS;
	case GEN_IPADD: *label = "IP"; return CM_SAN_IP;
	case GEN_EMAIL: *label = "email"; return CM_SAN_EMAIL;
	case GEN_URI: *label = "URI"; return CM_SAN_URI;
	case GEN_OTHERNAME:
		if (is_upn(gn)) {
			*label = "UPN";
			return CM_SAN_UPN;
		}
		*label = "otherName";
		return 0;
	case GEN_DIRNAME: *label = "dirName"; return 0;
	case GEN_RID: *label = "registeredID"; return 0;
	case GEN_X400: *label = "x400Address"; return 0;
	case GEN_EDIPARTY: *label = "ediPartyName"; return 0;
	default: *label = "unknown"; return 0;
	}
}

static int
printable_ok(const unsigned char *s, int len, int need_at)
{
	int at = 0;
	if (len <= 0 || len > CM_MAX_NAME_VALUE)
		return 0;
	for (int i = 0; i < len; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
		if (s[i] == '@')
			at++;
	}
	if (need_at)
		return at == 1 && s[0] != '@' && s[len - 1] != '@';
	return 1;
}

/* 0 / -1 with err. */
int
cm_san_check(const GENERAL_NAME *gn, char *err, size_t errlen)
{
	const ASN1_STRING *str = NULL;
	switch (gn->type) {
	case GEN_DNS: {
		/* Syntax only; the public suffix list and the loopback setting are
		 * applied to the finished plan (cm_names_check_plan). */
		char why[400];

		str = gn->d.dNSName;
		if (cm_nr_dns_syntax("DNS subjectAltName", ASN1_STRING_get0_data(str),
		    (size_t)ASN1_STRING_length(str), CM_NR_WILDCARD_OK | CM_NR_LOCALHOST_OK, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s; the name is malformed", why);
			return -1;
		}
		return 0;
	}
	case GEN_EMAIL:
		str = gn->d.rfc822Name;
		if (!printable_ok(ASN1_STRING_get0_data(str), ASN1_STRING_length(str), 1))
			goto bad;
		return 0;
	case GEN_URI:
		str = gn->d.uniformResourceIdentifier;
		if (!printable_ok(ASN1_STRING_get0_data(str), ASN1_STRING_length(str), 0) ||
		    memchr(ASN1_STRING_get0_data(str), ':', (size_t)ASN1_STRING_length(str)) == NULL)
			goto bad;
		return 0;
	case GEN_IPADD: {
		int l = ASN1_STRING_length(gn->d.iPAddress);
		if (l != 4 && l != 16) {
			snprintf(err, errlen, "IP subjectAltName of %d bytes is not an IPv4 or IPv6 address", l);
			return -1;
		}
		return 0;
	}
	case GEN_OTHERNAME:
		if (is_upn(gn) && gn->d.otherName->value->type == V_ASN1_UTF8STRING) {
			str = gn->d.otherName->value->value.utf8string;
			if (!printable_ok(ASN1_STRING_get0_data(str), ASN1_STRING_length(str), 1))
				goto bad;
			return 0;
		}
		snprintf(err, errlen, "unsupported otherName subjectAltName");
		return -1;
	default:
		snprintf(err, errlen, "unsupported subjectAltName type");
		return -1;
	}
bad:
	{
		const char *label;
		cm_san_type(gn, &label);
		int l = ASN1_STRING_length(str);
		snprintf(err, errlen, "%s subjectAltName '%.*s' is malformed", label,
		    l > 80 ? 80 : l, (const char *)ASN1_STRING_get0_data(str));
		for (char *q = err; *q; q++)
			if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
				*q = '?';
	}
	return -1;
}

/* GENERAL_NAME or NULL with err. */
GENERAL_NAME *
cm_san_parse(const char *s, char *err, size_t errlen)
{
	GENERAL_NAME *gn = NULL;
	const char *colon = strchr(s, ':');
	if (colon == NULL || strlen(s) > 1024) {
		snprintf(err, errlen, "subjectAltName '%.64s' is not TYPE:value", s);
		return NULL;
	}
	size_t tl = (size_t)(colon - s);
	const char *val = colon + 1;
	if (tl == 2 && strncasecmp(s, "IP", 2) == 0) {
		ASN1_OCTET_STRING *ip = a2i_IPADDRESS(val);
		if (ip == NULL) {
			snprintf(err, errlen, "IP subjectAltName '%.64s' is not an address", val);
			return NULL;
		}
		gn = GENERAL_NAME_new();
		if (gn == NULL) {
			ASN1_OCTET_STRING_free(ip);
			return NULL;
		}
		GENERAL_NAME_set0_value(gn, GEN_IPADD, ip);
	} else {
		int type;
		if (tl == 3 && strncasecmp(s, "DNS", 3) == 0)
			type = GEN_DNS;
		else if (tl == 5 && strncasecmp(s, "email", 5) == 0)
			type = GEN_EMAIL;
		else if (tl == 3 && strncasecmp(s, "URI", 3) == 0)
			type = GEN_URI;
		else {
			snprintf(err, errlen, "subjectAltName type '%.*s' is not DNS, IP, email or URI",
			    (int)(tl > 32 ? 32 : tl), s);
			return NULL;
		}
		ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
		if (ia5 == NULL || !ASN1_STRING_set(ia5, val, -1)) {
			ASN1_IA5STRING_free(ia5);
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		gn = GENERAL_NAME_new();
		if (gn == NULL) {
			ASN1_IA5STRING_free(ia5);
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		GENERAL_NAME_set0_value(gn, type, ia5);
	}
	if (cm_san_check(gn, err, errlen) < 0) {
		GENERAL_NAME_free(gn);
		return NULL;
	}
	return gn;
}

/*
 * 0 when every name of the certificate the signer is about to build passes
 * the shared rules (lib/name_rules.h) under r (NULL: defaults, every wildcard
 * refused); 1 refused with reason. A server certificate is one whose
 * extended key usages include serverAuth: its CN must repeat a SAN.
 */
int
cm_names_check_plan(const struct cm_name_rules *r, const X509_NAME *subject,
    const GENERAL_NAMES *sans, const int *eku, size_t neku, char *reason, size_t rlen)
{
	static const struct cm_name_rules defaults = { NULL, NULL, 0 };
	int tls_server = 0;

	for (size_t i = 0; i < neku; i++)
		if (eku[i] == NID_server_auth)
			tls_server = 1;
	if (cm_nr_check_names(r ? r : &defaults, subject, sans, tls_server, reason, rlen) < 0)
		return 1;
	return 0;
}
