/* ad_server_check.h: the rules for an Active Directory server's LDAP URIs and base DN, checked with libldap's own parsers. */
#ifndef CM_ADMIN_AD_SERVER_CHECK_H
#define CM_ADMIN_AD_SERVER_CHECK_H

#include <stddef.h>

#define AD_NAME_MAX 255
#define AD_URIS_MAX 1024          /* bytes of the whole list */
#define AD_URIS_COUNT_MAX 8
#define AD_BASE_DN_MAX 1024

/*
 * Checks a list of LDAP URIs separated by spaces, as ldap_initialize takes
 * it: each ldap:// or ldaps://host[:port] (a DNS name, an IPv4 address or a
 * bracketed IPv6 address; port 1-65535; at most a trailing '/'), parsed
 * with ldap_url_parse, without DN, attributes, scope, filter or extensions.
 * Writes the list with one space between URIs into out. 0, or -1 with a
 * message for the person in why (it may quote the faulty URI, up to 80 bytes).
 */
int ad_server_uris_check(const char *in, char *out, size_t outlen, char *why, size_t whylen);

/*
 * Checks a base DN ("DC=corp,DC=example,DC=com") with ldap_str2dn in
 * LDAPv3 form: non-empty, at most AD_BASE_DN_MAX bytes, UTF-8 without
 * control characters. Writes it without surrounding blanks into out.
 * NULL when acceptable, else a static message for the person.
 */
const char *ad_server_base_dn_check(const char *in, char *out, size_t outlen);

#endif
