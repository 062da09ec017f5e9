/* namespace.h: the installation's name spaces from signerd.conf [namespaces] (DNS suffixes, e-mail domains and mailboxes, IP ranges) and the test of every name in a certificate against them. */
#ifndef CM_NAMESPACE_H
#define CM_NAMESPACE_H

#include <stddef.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Entries per kind, and the longest value of one [namespaces] line. */
#define CM_NS_MAX_ENTRIES 64
#define CM_NS_MAX_VALUE 4096
#define CM_NS_MAX_DNS 253          /* RFC 1035 host name, without the final dot */
#define CM_NS_MAX_LOCAL 64         /* RFC 5321 local part */

struct cm_ns_ip {
	size_t len;                    /* 4 (IPv4) or 16 (IPv6) */
	unsigned char addr[16];
	unsigned prefix;               /* bits */
};

struct cm_namespaces {
	size_t ndns;
	char dns[CM_NS_MAX_ENTRIES][CM_NS_MAX_DNS + 1];   /* lower case */
	/* "domain" (any mailbox there or below) or "local@domain" (that mailbox). */
	size_t nemail;
	char email[CM_NS_MAX_ENTRIES][CM_NS_MAX_LOCAL + 1 + CM_NS_MAX_DNS + 1];
	size_t nip;
	struct cm_ns_ip ip[CM_NS_MAX_ENTRIES];
};

/*
 * One [namespaces] line: key "dns", "email" or "ip", value a list separated
 * by commas or blanks ("example.com, corp.example.net"; "example.com
 * alice@example.org"; "10.0.0.0/8 2001:db8::/32"). Lines add up. Returns 0,
 * 1 when key is not one of the three (the caller reports it as unknown), or
 * -1 with err naming the entry that is not a DNS name, mail domain, mailbox
 * or IP range (host bits set after the prefix count as an error too).
 */
int cm_ns_add(struct cm_namespaces *ns, const char *key, const char *value,
    char *err, size_t errlen);

/* 1 when no entry of any kind is configured, else 0. */
int cm_ns_empty(const struct cm_namespaces *ns);

/*
 * Membership, each 1 inside / 0 outside. DNS: equal to a suffix or below it
 * at a label boundary, case-insensitive; "*.x" is inside when x is. E-mail:
 * exactly one '@', the domain under an e-mail domain entry by the DNS rule,
 * or the whole address equal to a mailbox entry (local part exact, domain
 * case-insensitive). IP: addr (len 4 or 16) inside a range of its family.
 * Names are taken with their length, so an embedded NUL is simply outside.
 */
int cm_ns_dns_inside(const struct cm_namespaces *ns, const char *name, size_t len);
int cm_ns_email_inside(const struct cm_namespaces *ns, const char *addr, size_t len);
int cm_ns_ip_inside(const struct cm_namespaces *ns, const unsigned char *addr, size_t len);

/*
 * Every name of a certificate about to be issued: DNS, e-mail and IP
 * subjectAltNames, emailAddress subject attributes, and the subject CN when
 * cn_is_host (profiles whose names are host names: the CN is then an IP
 * address or a DNS name). Returns 0 when all are inside, or 1 with a reason
 * for the requester that names the first name outside (non-printable bytes
 * shown as '?').
 */
int cm_ns_check(const struct cm_namespaces *ns, const X509_NAME *subject,
    const GENERAL_NAMES *sans, int cn_is_host, char *reason, size_t rlen);

/*
 * The name spaces as an X.509 nameConstraints permittedSubtrees (dNSName per
 * suffix; rfc822Name "d" and ".d" per mail domain, so that subdomains are
 * inside as the signer's rule says, and each mailbox as written; iPAddress
 * with its mask). Returns a new NAME_CONSTRAINTS, or NULL when ns is empty
 * or memory runs out.
 */
NAME_CONSTRAINTS *cm_ns_name_constraints(const struct cm_namespaces *ns);

#endif
