/* issuance.c: CSR -> checks -> signer -> one transaction (certificate row + audit row); shared by web and CLI. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <ctype.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "audit.h"
#include "buf.h"
#include "issuance.h"
#include "log.h"
#include "x509util.h"

#define MIN_RSA_BITS 2048
#define MAX_VALIDITY_DAYS 3650
/* A CSR naming more than this many subjects/SANs is refused outright. */
#define MAX_CHECKED_NAMES 1000

static const struct {
	const char *profile;
	const char *cert_type;
} profile_types[] = {
	{ "tls-server", "ssl" },
	{ "client-smime", "client" },
	{ "code-signing", "codesign" },
	{ "ocsp-signing", "ocsp" },
};

/* The certificate type or NULL; see issuance.h. */
const char *
cm_cert_type_of(const char *profile)
{
	for (size_t i = 0; i < sizeof(profile_types) / sizeof(profile_types[0]); i++)
		if (profile && strcmp(profile, profile_types[i].profile) == 0)
			return profile_types[i].cert_type;
	return NULL;
}

/* 1 auto-approve, 0 an administrator approves; see issuance.h. */
int
cm_approval_auto(const char *cert_type, const struct cm_approval_settings *s)
{
	if (cert_type == NULL)
		return 0;
	if (strcmp(cert_type, "ssl") == 0)
		return s->dept_ssl == 0 || s->dept_ssl == 1 ? s->dept_ssl : s->org_ssl != 0;
	if (strcmp(cert_type, "client") == 0)
		return s->org_client != 0;
	if (strcmp(cert_type, "codesign") == 0)
		return s->org_codesign != 0;
	/* OCSP-signing certificates sign for the CA: never without a person. */
	return 0;
}

/* 1 / 0 / -1; see issuance.h. */
int
cm_auto_approves(struct cm_db *db, int64_t customer_id, int64_t org_id, int64_t dept_id,
    const char *cert_type)
{
	static const struct cm_approval_settings all_auto = { 1, 1, 1, 1 };
	struct cm_approval_settings set;
	struct cm_stmt *st;
	int r = -1;

	/* A type never approved automatically (OCSP, unknown): nothing to read. */
	if (!cm_approval_auto(cert_type, &all_auto))
		return 0;
	/* A department that is not the organisation's reads as absent (answer
	 * 0), so a wrong pair never borrows another department's setting. */
	st = cm_db_prepare(db,
	    "SELECT o.ssl_auto_approve, o.client_auto_approve, o.codesign_auto_approve,"
	    " d.ssl_auto_approve, d.id IS NOT NULL FROM organizations o"
	    " LEFT JOIN departments d ON d.id = ? AND d.org_id = o.id AND d.deleted_at IS NULL"
	    " WHERE o.id = ? AND o.customer_id = ? AND o.deleted_at IS NULL");
	if (st && cm_stmt_bind_i64(st, 0, dept_id) == 0 && cm_stmt_bind_i64(st, 1, org_id) == 0 &&
	    cm_stmt_bind_i64(st, 2, customer_id) == 0 && cm_stmt_execute(st) == 0)
		r = cm_stmt_fetch(st);
	if (r == 1 && dept_id > 0 && cm_stmt_i64(st, 4) == 0)
		r = 0;
	if (r == 1) {
		set.org_ssl = (int)cm_stmt_i64(st, 0);
		set.org_client = (int)cm_stmt_i64(st, 1);
		set.org_codesign = (int)cm_stmt_i64(st, 2);
		set.dept_ssl = dept_id > 0 && !cm_stmt_is_null(st, 3) ? (int)cm_stmt_i64(st, 3) : -1;
		r = cm_approval_auto(cert_type, &set);
	} else if (r < 0) {
		cm_err("approval setting of organisation %lld / department %lld: %s", (long long)org_id,
		    (long long)dept_id, cm_db_error(db));
	}
	if (st)
		cm_stmt_close(st);
	return r;
}

/* Copies s cut to at most max bytes on a UTF-8 boundary (column widths). */
static char *
clip(const char *s, size_t max)
{
	size_t n;
	char *c;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if ((c = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

/* The id of the ca_certs row that issued cert, 0 when unknown. */
static int64_t
issuer_row(struct cm_db *db, X509 *cert)
{
	struct cm_stmt *st = cm_db_prepare(db, "SELECT id, der FROM ca_certs WHERE kind = 'issuing' ORDER BY id DESC LIMIT 20");
	STACK_OF(X509) *sk = sk_X509_new_null();
	int64_t ids[20], found = 0;
	int n = 0, i;

	if (st == NULL || sk == NULL || cm_stmt_execute(st) < 0)
		goto out;
	while (n < 20 && cm_stmt_fetch(st) == 1) {
		size_t len = 0;
		const char *der = cm_stmt_str(st, 1, &len);
		X509 *x = NULL;

		if (der && cm_cert_load(der, len, &x, NULL, 0) == 0) {
			if (!sk_X509_push(sk, x)) {
				X509_free(x);
				break;
			}
			ids[n++] = cm_stmt_i64(st, 0);
		}
	}
	if ((i = cm_find_issuer(cert, sk)) >= 0)
		found = ids[i];
out:
	sk_X509_pop_free(sk, X509_free);
	if (st)
		cm_stmt_close(st);
	return found;
}

static void
audit_refusal(struct cm_db *db, const struct cm_issue_input *in, const char *subject,
    const char *reason)
{
	struct cm_buf j;
	struct cm_audit_entry e;

	cm_buf_init(&j, 0);
	memset(&e, 0, sizeof(e));
	if (cm_buf_puts(&j, "{\"profile\":") < 0 || cm_buf_json_str(&j, in->profile) < 0 ||
	    cm_buf_puts(&j, ",\"subject\":") < 0 || cm_buf_json_str(&j, subject) < 0 ||
	    cm_buf_puts(&j, ",\"reason\":") < 0 || cm_buf_json_str(&j, reason) < 0 ||
	    cm_buf_puts(&j, "}") < 0) {
		cm_err("issuance: out of memory writing the refusal audit row");
		goto out;
	}
	e.actor = in->actor;
	e.action = "certificate.refused";
	e.object_type = "certificate";
	e.after = j.data;
	e.remote_addr = in->remote_addr;
	e.customer_id = in->customer_id;
	if (cm_audit(db, &e) < 0)
		cm_err("issuance: audit row for a refusal failed: %s", cm_db_error(db));
out:
	cm_buf_free(&j);
}

/*
 * Registration-authority check: every name the certificate would carry must
 * lie in a validated domain of the customer delegated (for this certificate
 * type) to the organisation asked for, or to any of the customer's
 * organisations when no organisation is given.
 */
struct ra_check {
	struct cm_db *db;
	struct cm_stmt *st;             /* the coverage query, prepared once */
	const struct cm_issue_input *in;
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
	const struct cm_issue_input *in = ra->in;
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
		if (cm_stmt_bind_i64(ra->st, 0, in->customer_id) < 0 ||
		    cm_stmt_bind_str(ra->st, 1, s) < 0 ||
		    cm_stmt_bind_str(ra->st, 2, wild) < 0 ||
		    cm_stmt_bind_str(ra->st, 3, ra->cert_type) < 0 ||
		    cm_stmt_bind_i64(ra->st, 4, in->org_id) < 0 ||
		    cm_stmt_bind_i64(ra->st, 5, in->org_id) < 0 ||
		    cm_stmt_bind_i64(ra->st, 6, in->dept_id) < 0 ||
		    cm_stmt_bind_i64(ra->st, 7, in->org_id) < 0 ||
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

/*
 * Checks every name of req against the customer's delegated domains (see
 * struct ra_check). Returns 0 when all are covered (or in->any_name), 400
 * with err naming the first name that is not, 500 on database errors.
 */
static int
ra_check_names(struct cm_db *db, const struct cm_issue_input *in, const char *cert_type,
    X509_REQ *req, char *err, size_t errlen)
{
	struct ra_check ra;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	int rc = 0;

	if (in->any_name)
		return 0;
	memset(&ra, 0, sizeof(ra));
	ra.db = db;
	ra.in = in;
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
	if (in->org_id > 0) {
		struct cm_stmt *st = cm_db_prepare(db,
		    "SELECT name FROM organizations WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
		int r = -1;

		if (st && cm_stmt_bind_i64(st, 0, in->org_id) == 0 &&
		    cm_stmt_bind_i64(st, 1, in->customer_id) == 0 && cm_stmt_execute(st) == 0 &&
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
			snprintf(err, errlen, "organisation %lld is not one of this customer's", (long long)in->org_id);
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

/* 1 when the customer exists and is enabled (customers.enabled: the
 * operator's switch, which refuses everything for it); 0 when not; -1 database. */
static int
customer_enabled(struct cm_db *db, int64_t customer_id)
{
	struct cm_stmt *st = cm_db_prepare(db, "SELECT enabled FROM customers WHERE id = ?");
	int r = -1, f;

	if (st && cm_stmt_bind_i64(st, 0, customer_id) == 0 && cm_stmt_execute(st) == 0 &&
	    (f = cm_stmt_fetch(st)) >= 0)
		r = f == 1 && cm_stmt_i64(st, 0) == 1;
	if (st)
		cm_stmt_close(st);
	return r;
}

/* A certificate the signer has just issued, decoded and clipped for its row. */
struct signed_cert {
	struct cm_signer_issue_reply res;
	X509 *cert;
	struct cm_cert_info xi;
	struct cm_buf pem;
	char *sans, *subj, *cn, *email;
	int64_t issuer_id;
};

static void
signed_cert_init(struct signed_cert *sc)
{
	memset(sc, 0, sizeof(*sc));
	cm_buf_init(&sc->pem, 0);
}

static void
signed_cert_free(struct signed_cert *sc)
{
	free(sc->sans);
	free(sc->subj);
	free(sc->cn);
	free(sc->email);
	cm_buf_free(&sc->pem);
	cm_cert_info_free(&sc->xi);
	X509_free(sc->cert);
	cm_signer_issue_reply_free(&sc->res);
}

/*
 * Asks the signer for in's certificate from the CSR's DER and reads the
 * answer back into sc for the certificates row. Returns 0 when issued and
 * ready; 403 when the signer refused (err has its reason, an audit row
 * records it); 502 when the signer could not be asked or answered with an
 * unreadable certificate; -1 when it was issued but the row's fields could
 * not be prepared (out of memory): the caller reports issued-but-not-stored.
 */
static int
sign_csr(struct cm_db *db, struct cm_signer *signer, const struct cm_issue_input *in,
    const char *subject, const struct cm_buf *csrder, struct signed_cert *sc,
    char *err, size_t errlen)
{
	struct cm_signer_issue_req sreq;
	char serr[512];
	int r;

	memset(&sreq, 0, sizeof(sreq));
	sreq.profile = in->profile;
	sreq.csr_der = (const unsigned char *)csrder->data;
	sreq.csr_len = csrder->len;
	sreq.validity_days = in->validity_days;
	serr[0] = '\0';
	r = cm_signer_issue(signer, &sreq, &sc->res, serr, sizeof(serr));
	if (r == 1) {
		snprintf(err, errlen, "the signer refused: %s", serr);
		audit_refusal(db, in, subject, serr);
		return 403;
	}
	if (r != 0) {
		snprintf(err, errlen, "the signer could not be asked: %s", serr);
		cm_err("issuance: signer: %s", serr);
		return 502;
	}
	if (cm_cert_load(sc->res.der, sc->res.der_len, &sc->cert, serr, sizeof(serr)) < 0 ||
	    cm_cert_describe(sc->cert, &sc->xi) < 0 || cm_cert_pem(sc->cert, &sc->pem) < 0) {
		cm_err("issuance: the signer returned serial %s that we cannot read: %s",
		    sc->res.serial_hex, serr);
		snprintf(err, errlen, "the signer returned an unreadable certificate (serial %s)", sc->res.serial_hex);
		return 502;
	}
	if ((sc->sans = cm_strlist_join(&sc->xi.sans, ", ")) == NULL ||
	    (sc->subj = clip(sc->xi.subject, 1024)) == NULL ||
	    (sc->xi.cn && (sc->cn = clip(sc->xi.cn, 255)) == NULL) ||
	    (sc->xi.email && (sc->email = clip(sc->xi.email, 255)) == NULL))
		return -1;
	sc->issuer_id = issuer_row(db, sc->cert);
	return 0;
}

/*
 * The checks every CSR passes before it is stored or signed: customer and
 * actor given, known profile, validity in range, size, parses, signature
 * verifies, acceptable key, and the RA name check. *reqp and *ci are set
 * (caller frees them, also on failure). 0, or 400 (err says what) / 500.
 */
static int
check_csr(struct cm_db *db, const struct cm_issue_input *in, X509_REQ **reqp,
    struct cm_csr_info *ci, const char **cert_typep, char *err, size_t errlen)
{
	X509_REQ *req;
	const char *cert_type;
	int r;

	if (in->customer_id <= 0 || in->actor == NULL) {
		snprintf(err, errlen, "no customer or actor given for the certificate");
		return 400;
	}
	if ((r = customer_enabled(db, in->customer_id)) != 1) {
		snprintf(err, errlen, r == 0 ? "customer is disabled" : "internal error");
		return r == 0 ? 403 : 500;
	}
	if ((cert_type = cm_cert_type_of(in->profile)) == NULL) {
		snprintf(err, errlen, "unknown profile \"%.64s\"; use tls-server, client-smime, code-signing or ocsp-signing",
		    in->profile ? in->profile : "");
		return 400;
	}
	if (in->validity_days < 0 || in->validity_days > MAX_VALIDITY_DAYS) {
		snprintf(err, errlen, "validity must be between 1 and %d days (or empty for the profile's maximum)",
		    MAX_VALIDITY_DAYS);
		return 400;
	}
	if (in->csr_len > CM_CSR_MAX_BYTES) {
		snprintf(err, errlen, "the CSR is larger than %d bytes; that is not a certificate request",
		    CM_CSR_MAX_BYTES);
		return 400;
	}
	if (cm_csr_load(in->csr, in->csr_len, reqp, err, errlen) < 0) {
		return 400;
	}
	req = *reqp;
	if (cm_csr_describe(req, ci) < 0)
		return 500;
	if (!ci->sig_valid) {
		snprintf(err, errlen, "the CSR's signature does not verify (it was altered after signing, or is damaged)");
		return 400;
	}
	if (strcmp(ci->key.type, "rsa") == 0 && ci->key.bits < MIN_RSA_BITS) {
		snprintf(err, errlen, "RSA keys must be at least %d bits; this CSR has a %d-bit key",
		    MIN_RSA_BITS, ci->key.bits);
		return 400;
	}
	if (strcmp(ci->key.type, "rsa") != 0 && strcmp(ci->key.type, "ec") != 0 &&
	    strcmp(ci->key.type, "ed25519") != 0) {
		snprintf(err, errlen, "the CSR's key type (%s) is not supported; use RSA (2048 bits or more) or ECDSA",
		    ci->key.type);
		return 400;
	}
	if ((r = ra_check_names(db, in, cert_type, req, err, errlen)) != 0)
		return r;
	*cert_typep = cert_type;
	return 0;
}

/* 0 / 400 / 403 / 500 / 502, see issuance.h. */
int
cm_issue_from_csr(struct cm_db *db, struct cm_signer *signer,
    const struct cm_issue_input *in, struct cm_issue_output *out,
    char *err, size_t errlen)
{
	X509_REQ *req = NULL;
	struct cm_csr_info ci;
	struct signed_cert sc;
	struct cm_buf csrder, after;
	struct cm_stmt *st = NULL;
	struct cm_audit_entry e;
	const char *cert_type;
	char idstr[32];
	int in_tx = 0, rc = 500, r;

	memset(&ci, 0, sizeof(ci));
	signed_cert_init(&sc);
	memset(&e, 0, sizeof(e));
	memset(out, 0, sizeof(*out));
	cm_buf_init(&csrder, 0);
	cm_buf_init(&after, 0);
	snprintf(err, errlen, "internal error");

	if ((r = check_csr(db, in, &req, &ci, &cert_type, err, errlen)) != 0) {
		rc = r;
		goto out;
	}
	if (cm_csr_der(req, &csrder) < 0)
		goto out;

	if ((r = sign_csr(db, signer, in, ci.subject, &csrder, &sc, err, errlen)) < 0)
		goto stored_fail;
	if (r != 0) {
		rc = r;
		goto out;
	}

	if (cm_db_begin(db) < 0)
		goto stored_fail;
	in_tx = 1;
	st = cm_db_prepare(db,
	    "INSERT INTO certificates (customer_id, org_id, dept_id, issuer_id, cert_type, profile,"
	    " status, serial_hex, subject_dn, common_name, sans, email, key_type, key_bits,"
	    " not_before, not_after, der, csr, requested_by)"
	    " VALUES (?, ?, ?, ?, ?, ?, 'issued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL ||
	    cm_stmt_bind_i64(st, 0, in->customer_id) < 0 ||
	    (in->org_id > 0 ? cm_stmt_bind_i64(st, 1, in->org_id) : cm_stmt_bind_null(st, 1)) < 0 ||
	    (in->dept_id > 0 ? cm_stmt_bind_i64(st, 2, in->dept_id) : cm_stmt_bind_null(st, 2)) < 0 ||
	    (sc.issuer_id > 0 ? cm_stmt_bind_i64(st, 3, sc.issuer_id) : cm_stmt_bind_null(st, 3)) < 0 ||
	    cm_stmt_bind_str(st, 4, cert_type) < 0 ||
	    cm_stmt_bind_str(st, 5, in->profile) < 0 ||
	    cm_stmt_bind_str(st, 6, sc.res.serial_hex) < 0 ||
	    cm_stmt_bind_str(st, 7, sc.subj) < 0 ||
	    cm_stmt_bind_str(st, 8, sc.cn) < 0 ||
	    cm_stmt_bind_str(st, 9, sc.sans) < 0 ||
	    cm_stmt_bind_str(st, 10, sc.email) < 0 ||
	    cm_stmt_bind_str(st, 11, sc.xi.key.type) < 0 ||
	    cm_stmt_bind_i64(st, 12, sc.xi.key.bits) < 0 ||
	    cm_stmt_bind_str(st, 13, sc.xi.not_before_str) < 0 ||
	    cm_stmt_bind_str(st, 14, sc.xi.not_after_str) < 0 ||
	    cm_stmt_bind_blob(st, 15, sc.res.der, sc.res.der_len) < 0 ||
	    cm_stmt_bind_blob(st, 16, in->csr, in->csr_len) < 0 ||
	    cm_stmt_bind_str(st, 17, in->actor) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto stored_fail;
	out->cert_id = (int64_t)cm_stmt_insert_id(st);
	cm_stmt_close(st);
	st = NULL;

	snprintf(idstr, sizeof(idstr), "%lld", (long long)out->cert_id);
	if (cm_buf_puts(&after, "{\"serial\":") < 0 || cm_buf_json_str(&after, sc.res.serial_hex) < 0 ||
	    cm_buf_puts(&after, ",\"profile\":") < 0 || cm_buf_json_str(&after, in->profile) < 0 ||
	    cm_buf_puts(&after, ",\"subject\":") < 0 || cm_buf_json_str(&after, sc.subj) < 0 ||
	    cm_buf_puts(&after, ",\"sans\":") < 0 || cm_buf_json_str(&after, sc.sans) < 0 ||
	    cm_buf_puts(&after, ",\"not_after\":") < 0 || cm_buf_json_str(&after, sc.xi.not_after_str) < 0 ||
	    cm_buf_printf(&after, ",\"org_id\":%lld,\"sha256\":", (long long)in->org_id) < 0 ||
	    cm_buf_json_str(&after, sc.xi.sha256_hex) < 0 ||
	    (in->any_name && cm_buf_puts(&after, ",\"any_name\":true") < 0) ||
	    cm_buf_puts(&after, "}") < 0)
		goto stored_fail;
	e.actor = in->actor;
	e.action = "certificate.issue";
	e.object_type = "certificate";
	e.object_id = idstr;
	e.after = after.data;
	e.remote_addr = in->remote_addr;
	e.customer_id = in->customer_id;
	if (cm_audit(db, &e) < 0 || cm_db_commit(db) < 0)
		goto stored_fail;
	in_tx = 0;
	snprintf(out->serial_hex, sizeof(out->serial_hex), "%s", sc.res.serial_hex);
	out->pem = cm_buf_steal(&sc.pem);
	err[0] = '\0';
	cm_info("issued %s certificate %s (id %lld) for %s", in->profile, sc.res.serial_hex,
	    (long long)out->cert_id, in->actor);
	rc = 0;
	goto out;

stored_fail:
	/* The signer's journal still accounts for this certificate. */
	cm_err("issuance: certificate %s was issued but not stored: %s", sc.res.serial_hex,
	    cm_db_error(db));
	snprintf(err, errlen, "the certificate (serial %s) was issued but could not be stored; an operator can recover it from the signer's journal",
	    sc.res.serial_hex);
	out->cert_id = 0;
	rc = 500;
out:
	if (st)
		cm_stmt_close(st);
	if (in_tx)
		cm_db_rollback(db);
	cm_buf_free(&after);
	cm_buf_free(&csrder);
	cm_csr_info_free(&ci);
	X509_REQ_free(req);
	signed_cert_free(&sc);
	return rc;
}

/* The first "email:" SAN of a CSR, clipped for the column; NULL when none or out of memory. */
static char *
csr_email(const struct cm_csr_info *ci)
{
	for (size_t i = 0; i < ci->sans.n; i++)
		if (strncmp(ci->sans.v[i], "email:", 6) == 0)
			return clip(ci->sans.v[i] + 6, 255);
	return NULL;
}

/* 0 / 400 / 500, see issuance.h. */
int
cm_request_from_csr(struct cm_db *db, const struct cm_issue_input *in, int64_t *cert_id,
    char *err, size_t errlen)
{
	X509_REQ *req = NULL;
	struct cm_csr_info ci;
	struct cm_stmt *st = NULL;
	struct cm_buf after;
	struct cm_audit_entry e;
	const char *cert_type = NULL;
	char *sans = NULL, *subj = NULL, *cn = NULL, *email = NULL;
	char idstr[32];
	int in_tx = 0, rc = 500, r;

	memset(&ci, 0, sizeof(ci));
	memset(&e, 0, sizeof(e));
	cm_buf_init(&after, 0);
	*cert_id = 0;
	snprintf(err, errlen, "internal error");
	if (in->any_name) {
		/* The operator override is for immediate issuance from the CLI only. */
		snprintf(err, errlen, "a request cannot skip the domain check");
		rc = 400;
		goto out;
	}
	if ((r = check_csr(db, in, &req, &ci, &cert_type, err, errlen)) != 0) {
		rc = r;
		goto out;
	}
	if ((sans = cm_strlist_join(&ci.sans, ", ")) == NULL ||
	    (subj = clip(ci.subject ? ci.subject : "", 1024)) == NULL ||
	    (ci.cn && (cn = clip(ci.cn, 255)) == NULL))
		goto out;
	email = csr_email(&ci);
	if (cm_db_begin(db) < 0)
		goto out;
	in_tx = 1;
	st = cm_db_prepare(db,
	    "INSERT INTO certificates (customer_id, org_id, dept_id, cert_type, profile, status,"
	    " subject_dn, common_name, sans, email, key_type, key_bits, csr, requested_by)"
	    " VALUES (?, ?, ?, ?, ?, 'requested', ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL ||
	    cm_stmt_bind_i64(st, 0, in->customer_id) < 0 ||
	    (in->org_id > 0 ? cm_stmt_bind_i64(st, 1, in->org_id) : cm_stmt_bind_null(st, 1)) < 0 ||
	    (in->dept_id > 0 ? cm_stmt_bind_i64(st, 2, in->dept_id) : cm_stmt_bind_null(st, 2)) < 0 ||
	    cm_stmt_bind_str(st, 3, cert_type) < 0 ||
	    cm_stmt_bind_str(st, 4, in->profile) < 0 ||
	    cm_stmt_bind_str(st, 5, subj) < 0 ||
	    cm_stmt_bind_str(st, 6, cn) < 0 ||
	    cm_stmt_bind_str(st, 7, sans) < 0 ||
	    cm_stmt_bind_str(st, 8, email) < 0 ||
	    cm_stmt_bind_str(st, 9, ci.key.type) < 0 ||
	    cm_stmt_bind_i64(st, 10, ci.key.bits) < 0 ||
	    cm_stmt_bind_blob(st, 11, in->csr, in->csr_len) < 0 ||
	    cm_stmt_bind_str(st, 12, in->actor) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto out;
	*cert_id = (int64_t)cm_stmt_insert_id(st);
	snprintf(idstr, sizeof(idstr), "%lld", (long long)*cert_id);
	if (cm_buf_puts(&after, "{\"status\":\"requested\",\"profile\":") < 0 || cm_buf_json_str(&after, in->profile) < 0 ||
	    cm_buf_puts(&after, ",\"subject\":") < 0 || cm_buf_json_str(&after, subj) < 0 ||
	    cm_buf_puts(&after, ",\"sans\":") < 0 || cm_buf_json_str(&after, sans) < 0 ||
	    cm_buf_printf(&after, ",\"org_id\":%lld,\"dept_id\":%lld}", (long long)in->org_id,
	    (long long)in->dept_id) < 0)
		goto out;
	e.actor = in->actor;
	e.action = "certificate.request";
	e.object_type = "certificate";
	e.object_id = idstr;
	e.after = after.data;
	e.remote_addr = in->remote_addr;
	e.customer_id = in->customer_id;
	if (cm_audit(db, &e) < 0 || cm_db_commit(db) < 0)
		goto out;
	in_tx = 0;
	err[0] = '\0';
	cm_info("request %lld (%s) stored for %s", (long long)*cert_id, in->profile, in->actor);
	rc = 0;
out:
	if (rc == 500)
		cm_err("issuance: storing a request: %s", cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	if (in_tx)
		cm_db_rollback(db);
	if (rc != 0)
		*cert_id = 0;
	free(sans);
	free(subj);
	free(cn);
	free(email);
	cm_buf_free(&after);
	cm_csr_info_free(&ci);
	X509_REQ_free(req);
	return rc;
}

/* 0 / 400 / 403 / 409 / 500 / 502, see issuance.h. */
int
cm_issue_request(struct cm_db *db, struct cm_signer *signer, int64_t cert_id,
    const char *actor, const char *remote_addr, char *err, size_t errlen)
{
	X509_REQ *req = NULL;
	struct cm_csr_info ci;
	struct signed_cert sc;
	struct cm_issue_input in;
	struct cm_buf csrder, after, csr;
	struct cm_stmt *st = NULL;
	struct cm_audit_entry e;
	const char *cert_type = NULL;
	char *profile = NULL;
	char idstr[32];
	int in_tx = 0, rc = 500, r, f;

	memset(&ci, 0, sizeof(ci));
	signed_cert_init(&sc);
	memset(&in, 0, sizeof(in));
	memset(&e, 0, sizeof(e));
	cm_buf_init(&csrder, 0);
	cm_buf_init(&after, 0);
	cm_buf_init(&csr, 0);
	snprintf(err, errlen, "internal error");

	st = cm_db_prepare(db,
	    "SELECT customer_id, org_id, dept_id, profile, status, csr FROM certificates WHERE id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, cert_id) < 0 || cm_stmt_execute(st) < 0 ||
	    (f = cm_stmt_fetch(st)) < 0)
		goto out;
	if (f == 0) {
		snprintf(err, errlen, "there is no such certificate request");
		rc = 400;
		goto out;
	}
	if (strcmp(cm_stmt_str(st, 4, NULL) ? cm_stmt_str(st, 4, NULL) : "", "approved") != 0) {
		snprintf(err, errlen, "only an approved request can be issued");
		rc = 409;
		goto out;
	}
	{
		size_t len = 0;
		const char *p = cm_stmt_str(st, 5, &len);

		if (p == NULL || len == 0) {
			snprintf(err, errlen, "the request has no stored CSR");
			rc = 400;
			goto out;
		}
		if (cm_buf_append(&csr, p, len) < 0 ||
		    (profile = clip(cm_stmt_str(st, 3, NULL), 64)) == NULL)
			goto out;
	}
	in.actor = actor;
	in.remote_addr = remote_addr;
	in.customer_id = cm_stmt_i64(st, 0);
	in.org_id = cm_stmt_is_null(st, 1) ? 0 : cm_stmt_i64(st, 1);
	in.dept_id = cm_stmt_is_null(st, 2) ? 0 : cm_stmt_i64(st, 2);
	in.profile = profile;
	in.csr = csr.data;
	in.csr_len = csr.len;
	cm_stmt_close(st);
	st = NULL;

	/* The names are checked again: a domain may have lost its validation
	 * or delegation since the request was made. */
	if ((r = check_csr(db, &in, &req, &ci, &cert_type, err, errlen)) != 0) {
		rc = r;
		goto out;
	}
	if (cm_csr_der(req, &csrder) < 0)
		goto out;
	if ((r = sign_csr(db, signer, &in, ci.subject, &csrder, &sc, err, errlen)) < 0)
		goto stored_fail;
	if (r != 0) {
		rc = r;
		goto out;
	}
	if (cm_db_begin(db) < 0)
		goto stored_fail;
	in_tx = 1;
	st = cm_db_prepare(db,
	    "UPDATE certificates SET status = 'issued', issuer_id = ?, serial_hex = ?, subject_dn = ?,"
	    " common_name = ?, sans = ?, email = ?, key_type = ?, key_bits = ?, not_before = ?,"
	    " not_after = ?, der = ?, issue_error = NULL WHERE id = ? AND status = 'approved'");
	if (st == NULL ||
	    (sc.issuer_id > 0 ? cm_stmt_bind_i64(st, 0, sc.issuer_id) : cm_stmt_bind_null(st, 0)) < 0 ||
	    cm_stmt_bind_str(st, 1, sc.res.serial_hex) < 0 ||
	    cm_stmt_bind_str(st, 2, sc.subj) < 0 ||
	    cm_stmt_bind_str(st, 3, sc.cn) < 0 ||
	    cm_stmt_bind_str(st, 4, sc.sans) < 0 ||
	    cm_stmt_bind_str(st, 5, sc.email) < 0 ||
	    cm_stmt_bind_str(st, 6, sc.xi.key.type) < 0 ||
	    cm_stmt_bind_i64(st, 7, sc.xi.key.bits) < 0 ||
	    cm_stmt_bind_str(st, 8, sc.xi.not_before_str) < 0 ||
	    cm_stmt_bind_str(st, 9, sc.xi.not_after_str) < 0 ||
	    cm_stmt_bind_blob(st, 10, sc.res.der, sc.res.der_len) < 0 ||
	    cm_stmt_bind_i64(st, 11, cert_id) < 0 ||
	    cm_stmt_execute(st) < 0 || cm_stmt_affected(st) != 1)
		goto stored_fail;
	cm_stmt_close(st);
	st = NULL;
	snprintf(idstr, sizeof(idstr), "%lld", (long long)cert_id);
	if (cm_buf_puts(&after, "{\"status\":\"issued\",\"serial\":") < 0 || cm_buf_json_str(&after, sc.res.serial_hex) < 0 ||
	    cm_buf_puts(&after, ",\"profile\":") < 0 || cm_buf_json_str(&after, in.profile) < 0 ||
	    cm_buf_puts(&after, ",\"subject\":") < 0 || cm_buf_json_str(&after, sc.subj) < 0 ||
	    cm_buf_puts(&after, ",\"sans\":") < 0 || cm_buf_json_str(&after, sc.sans) < 0 ||
	    cm_buf_puts(&after, ",\"not_after\":") < 0 || cm_buf_json_str(&after, sc.xi.not_after_str) < 0 ||
	    cm_buf_puts(&after, ",\"sha256\":") < 0 || cm_buf_json_str(&after, sc.xi.sha256_hex) < 0 ||
	    cm_buf_puts(&after, "}") < 0)
		goto stored_fail;
	e.actor = actor;
	e.action = "certificate.issue";
	e.object_type = "certificate";
	e.object_id = idstr;
	e.before = "{\"status\":\"approved\"}";
	e.after = after.data;
	e.remote_addr = remote_addr;
	e.customer_id = in.customer_id;
	if (cm_audit(db, &e) < 0 || cm_db_commit(db) < 0)
		goto stored_fail;
	in_tx = 0;
	err[0] = '\0';
	cm_info("issued request %lld as %s for %s", (long long)cert_id, sc.res.serial_hex, actor);
	rc = 0;
	goto out;

stored_fail:
	cm_err("issuance: request %lld issued as %s but not stored: %s", (long long)cert_id,
	    sc.res.serial_hex, cm_db_error(db));
	snprintf(err, errlen, "the certificate (serial %s) was issued but could not be stored; an operator can recover it from the signer's journal",
	    sc.res.serial_hex);
	rc = 500;
out:
	if (rc == 500 && sc.res.serial_hex[0] == '\0')
		cm_err("issuance: request %lld: %s", (long long)cert_id, cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	if (in_tx)
		cm_db_rollback(db);
	free(profile);
	cm_buf_free(&after);
	cm_buf_free(&csrder);
	cm_buf_free(&csr);
	cm_csr_info_free(&ci);
	X509_REQ_free(req);
	signed_cert_free(&sc);
	return rc;
}
