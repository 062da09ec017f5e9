/* ra_names.c: the registration-authority name check: every name a CSR carries must lie in a validated domain delegated to the organisation for the certificate type. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <ctype.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "name_rules.h"
#include "ra_names.h"

/* A CSR naming more than this many subjects/SANs is refused outright. */
#define MAX_CHECKED_NAMES 1000

/*
 * Registration-authority check: every name the certificate would carry must
 * lie in a validated domain of the customer delegated (for this certificate
 * type) to the organisation asked for, or to any of the customer's
 * organisations when no organisation is given.
 */
struct ra_check {
	struct cm_db *db;
	struct cm_stmt *st;             /* the coverage query, prepared once */
	int64_t customer_id, org_id, dept_id;
	const char *cert_type;          /* delegation type, NULL when none exists */
	const char *type_label;         /* "SSL", ... for messages */
	char who[160];                  /* "Demo Organisation" or "any organisation of this customer" */
	int names;                      /* names checked so far */
};

/* Copies s (n bytes) for a message: non-printable bytes as '?', at most 100. */
static void
shown_name(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 4 < dstlen && o < 100; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (o < n && o + 3 < dstlen) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

/* Refusal text for a name outside the delegated domains; returns 400. */
static int
ra_refuse(struct ra_check *ra, const char *name, size_t n, char *err, size_t errlen)
{
	char shown[112];

	shown_name(shown, sizeof(shown), name, n);
	snprintf(err, errlen, "%s is not in a validated domain delegated to %s for %s certificates",
	    shown, ra->who, ra->type_label);
	return 400;
}

/* Lower-cases a host name (n bytes) into dst and checks its syntax: LDH
 * labels (and '_'), an optional leading "*." label, no empty label, at most
 * 253 bytes, one trailing dot dropped. 0, or -1 when it is not a host name. */
static int
host_norm(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t label = 0;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || n + 1 > dstlen)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '*') {
			if (i != 0 || n < 3 || s[1] != '.')
				return -1;
		} else if (c == '.') {
			if (label == 0)
				return -1;
			label = 0;
			dst[i] = '.';
			continue;
		} else if (!(isalnum(c) || c == '-' || c == '_') || c >= 0x80) {
			return -1;
		}
		if (++label > 63)
			return -1;
		dst[i] = (char)tolower(c);
	}
	dst[n] = '\0';
	return 0;
}

/* 1 when host (normalised, no wildcard) equals a delegated domain row or
 * lies one or more labels under one ("x" or "*.x" rows); 0 not; -1 database. */
static int
ra_covered(struct ra_check *ra, const char *host)
{
	char wild[260];

	if (ra->cert_type == NULL)
		return 0;
	if (ra->st == NULL) {
		ra->st = cm_db_prepare(ra->db,
		    "SELECT 1 FROM domains d JOIN domain_delegations dd ON dd.domain_id = d.id"
		    " JOIN organizations o ON o.id = dd.org_id"
		    " WHERE d.customer_id = ? AND d.name IN (?, ?) AND d.deleted_at IS NULL"
		    " AND d.validation_state = 'validated'"
		    " AND (d.validation_expires_at IS NULL OR d.validation_expires_at > UTC_TIMESTAMP())"
		    " AND dd.cert_type = ? AND dd.state = 'approved'"
		    " AND o.customer_id = d.customer_id AND o.deleted_at IS NULL"
		    " AND (? = 0 OR dd.org_id = ?)"
		    " AND (dd.dept_id IS NULL OR dd.dept_id = ? OR ? = 0)"
		    " LIMIT 1");
		if (ra->st == NULL)
			return -1;
	}
	/* host itself ("x" rows only), then each parent ("x" and "*.x" rows) */
	for (const char *s = host; s != NULL; ) {
		int r;

		if (s == host)
			snprintf(wild, sizeof(wild), "%s", s);
		else
			snprintf(wild, sizeof(wild), "*.%s", s);
		if (cm_stmt_bind_i64(ra->st, 0, ra->customer_id) < 0 ||
		    cm_stmt_bind_str(ra->st, 1, s) < 0 ||
		    cm_stmt_bind_str(ra->st, 2, wild) < 0 ||
		    cm_stmt_bind_str(ra->st, 3, ra->cert_type) < 0 ||
		    cm_stmt_bind_i64(ra->st, 4, ra->org_id) < 0 ||
		    cm_stmt_bind_i64(ra->st, 5, ra->org_id) < 0 ||
		    cm_stmt_bind_i64(ra->st, 6, ra->dept_id) < 0 ||
		    cm_stmt_bind_i64(ra->st, 7, ra->org_id) < 0 ||
		    cm_stmt_execute(ra->st) < 0 || (r = cm_stmt_fetch(ra->st)) < 0)
			return -1;
		if (r == 1)
			return 1;
		s = strchr(s, '.');
		if (s != NULL)
			s++;
	}
	return 0;
}

/* A DNS name (n bytes, maybe "*.x"): 0 covered, 400 (err set), 500. */
static int
ra_host(struct ra_check *ra, const char *name, size_t n, char *err, size_t errlen)
{
	char host[256];
	const char *h = host;
	int r;

	if (host_norm(host, sizeof(host), name, n) < 0) {
		char shown[112];
		shown_name(shown, sizeof(shown), name, n);
		snprintf(err, errlen, "\"%s\" is not a valid DNS name", shown);
		return 400;
	}
	if (host[0] == '*')
		h = host + 2;   /* *.x: x itself must be covered */
	if ((r = ra_covered(ra, h)) < 0)
		return 500;
	return r == 1 ? 0 : ra_refuse(ra, name, n, err, errlen);
}

/* An e-mail address or UPN (user@domain, n bytes): 0, 400 or 500. */
static int
ra_mailbox(struct ra_check *ra, const char *what, const char *name, size_t n, char *err, size_t errlen)
{
	const char *at = n ? memchr(name, '@', n) : NULL;
	char host[256];
	int r;

	if (at == NULL || at == name || memchr(at + 1, '@', n - (size_t)(at + 1 - name)) != NULL ||
	    memchr(name, '\0', n) != NULL ||
	    host_norm(host, sizeof(host), at + 1, n - (size_t)(at + 1 - name)) < 0 || host[0] == '*') {
		char shown[112];
		shown_name(shown, sizeof(shown), name, n);
		snprintf(err, errlen, "\"%s\" is not a valid %s (user@domain)", shown, what);
		return 400;
	}
	if ((r = ra_covered(ra, host)) < 0)
		return 500;
	return r == 1 ? 0 : ra_refuse(ra, name, n, err, errlen);
}

/* 1 when a subject CN (n bytes) should be read as a host name: only host
 * characters, and a dot in it (or any such CN for a TLS server). */
static int
cn_is_host(const char *s, size_t n, const char *cert_type)
{
	int dot = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.')
			dot = 1;
		else if (!(isalnum(c) || c == '-' || c == '_' || c == '*') || c >= 0x80)
			return 0;
	}
	return dot || (cert_type && strcmp(cert_type, "ssl") == 0);
}

/* 1 when s (n bytes) is an IPv4 or IPv6 literal. */
static int
is_ip_literal(const char *s, size_t n)
{
	char tmp[64];
	unsigned char addr[16];

	if (n == 0 || n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET, tmp, addr) == 1 || inet_pton(AF_INET6, tmp, addr) == 1;
}

/* Refusal for a name form only an operator may issue; returns 400. */
static int
ra_operator_only(const char *what, const char *name, size_t n, char *err, size_t errlen)
{
	char shown[112];

	shown_name(shown, sizeof(shown), name, n);
	snprintf(err, errlen, "%s%s%s cannot be checked against your domains; only an operator can issue it (certmint issue --any-name)",
	    what, n ? " " : "", shown);
	return 400;
}

/* The subject's CN and emailAddress entries: 0, 400 or 500. */
static int
ra_subject(struct ra_check *ra, X509_REQ *req, char *err, size_t errlen)
{
	const X509_NAME *nm = X509_REQ_get_subject_name(req);
	int rc = 0;

	for (int i = 0; rc == 0 && i < X509_NAME_entry_count(nm); i++) {
		const X509_NAME_ENTRY *ne = X509_NAME_get_entry(nm, i);
		int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne));
		unsigned char *u = NULL;
		int len;

		if (nid != NID_commonName && nid != NID_pkcs9_emailAddress)
			continue;
		if (++ra->names > MAX_CHECKED_NAMES) {
			snprintf(err, errlen, "the CSR names more than %d subjects and SANs", MAX_CHECKED_NAMES);
			return 400;
		}
		if ((len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(ne))) < 0) {
			snprintf(err, errlen, "the CSR's subject has an unreadable %s", nid == NID_commonName ? "CN" : "emailAddress");
			return 400;
		}
		if (nid == NID_pkcs9_emailAddress)
			rc = ra_mailbox(ra, "e-mail address", (const char *)u, (size_t)len, err, errlen);
		else if (is_ip_literal((const char *)u, (size_t)len))
			rc = ra_operator_only("the IP address", (const char *)u, (size_t)len, err, errlen);
		else if (memchr(u, '@', (size_t)len) != NULL && memchr(u, ' ', (size_t)len) == NULL)
			rc = ra_mailbox(ra, "e-mail address", (const char *)u, (size_t)len, err, errlen);
		else if (cn_is_host((const char *)u, (size_t)len, ra->cert_type))
			rc = ra_host(ra, (const char *)u, (size_t)len, err, errlen);
		OPENSSL_free(u);
	}
	return rc;
}

/* One subjectAltName entry: 0, 400 or 500. */
static int
ra_general_name(struct ra_check *ra, const GENERAL_NAME *gn, char *err, size_t errlen)
{
	const ASN1_STRING *a;

	switch (gn->type) {
	case GEN_DNS:
		a = gn->d.dNSName;
		return ra_host(ra, (const char *)ASN1_STRING_get0_data(a), (size_t)ASN1_STRING_length(a), err, errlen);
	case GEN_EMAIL:
		a = gn->d.rfc822Name;
		return ra_mailbox(ra, "e-mail address", (const char *)ASN1_STRING_get0_data(a),
		    (size_t)ASN1_STRING_length(a), err, errlen);
	case GEN_OTHERNAME:
		if (OBJ_obj2nid(gn->d.otherName->type_id) == NID_ms_upn &&
		    gn->d.otherName->value->type == V_ASN1_UTF8STRING) {
			a = gn->d.otherName->value->value.utf8string;
			return ra_mailbox(ra, "principal name (UPN)", (const char *)ASN1_STRING_get0_data(a),
			    (size_t)ASN1_STRING_length(a), err, errlen);
		}
		return ra_operator_only("an otherName SAN", "", 0, err, errlen);
	case GEN_IPADD: {
		char ip[INET6_ADDRSTRLEN] = "";
		a = gn->d.iPAddress;
		if (!(a->length == 4 && inet_ntop(AF_INET, a->data, ip, sizeof(ip))) &&
		    !(a->length == 16 && inet_ntop(AF_INET6, a->data, ip, sizeof(ip))))
			snprintf(ip, sizeof(ip), "(malformed)");
		return ra_operator_only("the IP address SAN", ip, strlen(ip), err, errlen);
	}
	case GEN_URI:
		a = gn->d.uniformResourceIdentifier;
		return ra_operator_only("the URI SAN", (const char *)ASN1_STRING_get0_data(a),
		    (size_t)ASN1_STRING_length(a), err, errlen);
	default:
		return ra_operator_only("a directory-name or other SAN", "", 0, err, errlen);
	}
}

/* 0 / 400 / 500; see ra_names.h. */
int
cm_ra_check_names(struct cm_db *db, int64_t customer_id, int64_t org_id, int64_t dept_id,
    const char *cert_type, X509_REQ *req, char *err, size_t errlen)
{
	struct ra_check ra;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	int rc = 0;

	memset(&ra, 0, sizeof(ra));
	ra.db = db;
	ra.customer_id = customer_id;
	ra.org_id = org_id;
	ra.dept_id = dept_id;
	if (strcmp(cert_type, "ssl") == 0) {
		ra.cert_type = "ssl";
		ra.type_label = "SSL";
	} else if (strcmp(cert_type, "client") == 0) {
		ra.cert_type = "client";
		ra.type_label = "client/S-MIME";
	} else if (strcmp(cert_type, "codesign") == 0) {
		ra.cert_type = "codesign";
		ra.type_label = "code-signing";
	} else {
		ra.cert_type = NULL;    /* no domain is ever delegated for it */
		ra.type_label = cert_type;
	}
	if (org_id > 0) {
		struct cm_stmt *st = cm_db_prepare(db,
		    "SELECT name FROM organizations WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
		int r = -1;

		if (st && cm_stmt_bind_i64(st, 0, org_id) == 0 &&
		    cm_stmt_bind_i64(st, 1, customer_id) == 0 && cm_stmt_execute(st) == 0 &&
		    (r = cm_stmt_fetch(st)) == 1) {
			size_t len = 0;
			const char *nm = cm_stmt_str(st, 0, &len);
			shown_name(ra.who, sizeof(ra.who), nm ? nm : "", nm ? len : 0);
		}
		if (st)
			cm_stmt_close(st);
		if (r < 0)
			return 500;
		if (r == 0) {
			snprintf(err, errlen, "organisation %lld is not one of this customer's", (long long)org_id);
			return 400;
		}
	} else {
		snprintf(ra.who, sizeof(ra.who), "any organisation of this customer");
	}

	if ((rc = ra_subject(&ra, req, err, errlen)) != 0)
		goto out;
	exts = X509_REQ_get_extensions(req);
	for (int i = 0; rc == 0 && i < sk_X509_EXTENSION_num(exts); i++) {
		X509_EXTENSION *ext = sk_X509_EXTENSION_value(exts, i);
		GENERAL_NAMES *gens;

		if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_subject_alt_name)
			continue;
		if ((gens = X509V3_EXT_d2i(ext)) == NULL) {
			snprintf(err, errlen, "the CSR's subjectAltName extension cannot be read");
			rc = 400;
			break;
		}
		for (int j = 0; rc == 0 && j < sk_GENERAL_NAME_num(gens); j++) {
			if (++ra.names > MAX_CHECKED_NAMES) {
				snprintf(err, errlen, "the CSR names more than %d subjects and SANs", MAX_CHECKED_NAMES);
				rc = 400;
				break;
			}
			rc = ra_general_name(&ra, sk_GENERAL_NAME_value(gens, j), err, errlen);
		}
		GENERAL_NAMES_free(gens);
	}
out:
	if (rc == 500)
		cm_err("issuance: checking names against domains: %s", cm_db_error(db));
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	if (ra.st)
		cm_stmt_close(ra.st);
	return rc;
}

/* The process's rules: written once (at start or on first use) under
 * rules_mu, read-only afterwards, so worker threads share them safely. */
static pthread_mutex_t rules_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cm_name_rules rules;
static struct cm_psl *rules_psl;
static char *rules_path;
static int rules_ready;

/* Loads the list into the process's rules; the caller holds rules_mu. */
static void
rules_load(const char *psl_path, int allow_loopback_ip)
{
	char err[512];

	cm_psl_free(rules_psl);
	rules_psl = NULL;
	free(rules_path);
	rules_path = strdup(psl_path ? psl_path : CM_PSL_DEFAULT_PATH);
	if (cm_psl_load(rules_path ? rules_path : CM_PSL_DEFAULT_PATH, &rules_psl, err, sizeof(err)) < 0)
		cm_warn("%s: every wildcard name will be refused", err);
	rules.psl = rules_psl;
	rules.psl_path = rules_path ? rules_path : CM_PSL_DEFAULT_PATH;
	rules.allow_loopback_ip = allow_loopback_ip;
	rules_ready = 1;
}

/* No return value; see ra_names.h. */
void
cm_ra_names_configure(const char *psl_path, int allow_loopback_ip)
{
	pthread_mutex_lock(&rules_mu);
	rules_load(psl_path, allow_loopback_ip);
	pthread_mutex_unlock(&rules_mu);
}

/* The rules, loaded with the defaults when nobody configured them. */
const struct cm_name_rules *
cm_ra_name_rules(void)
{
	pthread_mutex_lock(&rules_mu);
	if (!rules_ready)
		rules_load(NULL, 0);
	pthread_mutex_unlock(&rules_mu);
	return &rules;
}

/* 0 / 400; see ra_names.h. */
int
cm_ra_check_syntax(X509_REQ *req, const X509_NAME *subject, const char *cert_type,
    char *err, size_t errlen)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	GENERAL_NAMES *sans = NULL;
	int rc = 0;

	/* What the CSR says, even where the certificate will not repeat it
	 * (an OU, say): a CSR with hidden bytes is not one to trust further. */
	if (cm_nr_check_subject_text(X509_REQ_get_subject_name(req), err, errlen) < 0) {
		rc = 400;
		goto out;
	}
	for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
		X509_EXTENSION *ext = sk_X509_EXTENSION_value(exts, i);

		if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_subject_alt_name)
			continue;
		if (sans != NULL || (sans = X509V3_EXT_d2i(ext)) == NULL) {
			snprintf(err, errlen, sans ? "the CSR has two subjectAltName extensions" :
			    "the CSR's subjectAltName extension cannot be read");
			rc = 400;
			goto out;
		}
	}
	if (cm_nr_check_names(cm_ra_name_rules(), subject, sans, strcmp(cert_type, "ssl") == 0, err, errlen) < 0)
		rc = 400;
out:
	GENERAL_NAMES_free(sans);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return rc;
}
