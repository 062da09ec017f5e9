/* issue_verdict.c: the one verdict on a certificate request (CSR checks, names, key, term, duplicate key), shared by the portal's Preview and every issuing path. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "issue_verdict.h"
#include "log.h"

/* The RA's ceiling per certificate type. The signer's profiles
 * (conf/signer-profiles.conf) still have the last word; these keep the term
 * the portal shows equal to the one the signer will put in. */
static const struct {
	const char *type;
	long days;
} type_max[] = {
	{ "ssl", 397 },         /* CA/Browser Forum baseline requirements */
	{ "client", 825 },
	{ "codesign", 1095 },
	{ "ocsp", 90 },
};

/* The most days, or 0 for an unknown type; see issue_verdict.h. */
long
cm_profile_max_days(const char *cert_type)
{
	for (size_t i = 0; cert_type && i < sizeof(type_max) / sizeof(type_max[0]); i++)
		if (strcmp(type_max[i].type, cert_type) == 0)
			return type_max[i].days;
	return 0;
}

/* Days of the longest term in an allowed-terms list ("1y,2y": the
 * organisation settings' own format, checked when it was saved), with its
 * years in *years; 0 when the list names none. */
static long
terms_max_days(const char *terms, int *years)
{
	static const long days_of[] = { 0, 397, 730, 1095 };
	int best = 0;

	for (const char *p = terms; p && *p; p++)
		if (*p >= '1' && *p <= '3' && p[1] == 'y' && *p - '0' > best)
			best = *p - '0';
	*years = best;
	return days_of[best];
}

/*
 * The organisation's (or the department's, for SSL) limit on the term of
 * a cert_type certificate into org_id/dept_id: *days 0 when it sets none,
 * else the days, with *years set when the limit is a term in years.
 * 0, or -1 on a database error.
 */
static int
org_limit(struct cm_db *db, int64_t customer_id, int64_t org_id, int64_t dept_id,
    const char *cert_type, long *days, int *years)
{
	struct cm_stmt *st;
	int f = -1;

	*days = 0;
	*years = 0;
	if (org_id <= 0)
		return 0;
	st = cm_db_prepare(db,
	    "SELECT o.max_validity_days, COALESCE(d.ssl_allowed_terms, o.ssl_allowed_terms)"
	    " FROM organizations o LEFT JOIN departments d ON d.id = ? AND d.org_id = o.id"
	    " WHERE o.id = ? AND o.customer_id = ?");
	if (st && cm_stmt_bind_i64(st, 0, dept_id) == 0 && cm_stmt_bind_i64(st, 1, org_id) == 0 &&
	    cm_stmt_bind_i64(st, 2, customer_id) == 0 && cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (f == 1) {
		long max = (long)cm_stmt_i64(st, 0);

		if (strcmp(cert_type, "ssl") == 0)
			*days = terms_max_days(cm_stmt_str(st, 1, NULL), years);
		if (max > 0 && (*days == 0 || max < *days)) {
			*days = max;
			*years = 0;
		}
	}
	if (st)
		cm_stmt_close(st);
	if (f < 0)
		cm_err("term of organisation %lld: %s", (long long)org_id, cm_db_error(db));
	return f < 0 ? -1 : 0;
}

/* Fills v's term fields from in; 0 or 500 (v->reason set). */
static int
decide_term(struct cm_db *db, const struct cm_csr_request *in, struct cm_issue_verdict *v)
{
	long org_days;
	int years;
	time_t end;
	struct tm tm;

	v->max_days = cm_profile_max_days(v->cert_type);
	snprintf(v->limit_by, sizeof(v->limit_by), "The %s profile", in->profile);
	snprintf(v->limit_label, sizeof(v->limit_label), "%ld days", v->max_days);
	if (org_limit(db, in->customer_id, in->org_id, in->dept_id, v->cert_type, &org_days, &years) < 0) {
		snprintf(v->reason, sizeof(v->reason), "The organisation could not be read; this has been logged.");
		return 500;
	}
	if (org_days > 0 && org_days <= v->max_days) {
		v->max_days = org_days;
		snprintf(v->limit_by, sizeof(v->limit_by), "%s", in->dept_id > 0 && years ?
		    "The department" : "The organisation");
		if (years)
			snprintf(v->limit_label, sizeof(v->limit_label), "%d year%s (%ld days)", years,
			    years > 1 ? "s" : "", org_days);
		else
			snprintf(v->limit_label, sizeof(v->limit_label), "%ld days", org_days);
	}
	v->requested_days = in->validity_days;
	v->term_days = in->validity_days > 0 && in->validity_days < v->max_days ? in->validity_days : v->max_days;
	v->clipped = in->validity_days > v->max_days;
	if (v->clipped)
		snprintf(v->term_note, sizeof(v->term_note),
		    "%s allows at most %s; the certificate will be valid for %ld days, not the %ld asked for.",
		    v->limit_by, v->limit_label, v->term_days, in->validity_days);
	end = time(NULL) + (time_t)v->term_days * 86400;
	if (gmtime_r(&end, &tm) == NULL || strftime(v->not_after, sizeof(v->not_after), "%Y-%m-%d", &tm) == 0)
		v->not_after[0] = '\0';
	return 0;
}

/* v->spki_sha256 from the CSR's public key; 0 or -1. */
static int
spki_hash(struct cm_issue_verdict *v)
{
	EVP_PKEY *pk = X509_REQ_get0_pubkey(v->req);
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int len, rc = -1;

	if (pk == NULL || (len = i2d_PUBKEY(pk, &der)) <= 0)
		return -1;
	if (EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32) {
		for (unsigned i = 0; i < mdlen; i++)
			snprintf(v->spki_sha256 + 2 * i, sizeof(v->spki_sha256) - 2 * i, "%02x", md[i]);
		rc = 0;
	}
	OPENSSL_free(der);
	return rc;
}

/* v->dup_id / dup_status: the oldest live certificate of the customer with
 * v's key, other than the one in renews; 0 or -1 (database). */
static int
find_duplicate(struct cm_db *db, const struct cm_csr_request *in, struct cm_issue_verdict *v)
{
	struct cm_stmt *st = cm_db_prepare(db,
	    "SELECT id, status FROM certificates WHERE customer_id = ? AND spki_sha256 = ?"
	    " AND status IN ('requested', 'approved', 'issued')"
	    " AND (not_after IS NULL OR not_after > UTC_TIMESTAMP()) AND id <> ?"
	    " ORDER BY id LIMIT 1");
	int f = -1;

	if (st && cm_stmt_bind_i64(st, 0, in->customer_id) == 0 && cm_stmt_bind_str(st, 1, v->spki_sha256) == 0 &&
	    cm_stmt_bind_i64(st, 2, in->renews_id) == 0 && cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (f == 1) {
		v->dup_id = cm_stmt_i64(st, 0);
		cm_stmt_copy_str(st, 1, v->dup_status, sizeof(v->dup_status));
	} else if (f < 0) {
		cm_err("duplicate key check: %s", cm_db_error(db));
	}
	if (st)
		cm_stmt_close(st);
	return f < 0 ? -1 : 0;
}

/* v->status: 0 / 400 / 403 / 500; see issue_verdict.h. */
int
cm_issue_verdict(struct cm_db *db, const struct cm_csr_request *in, struct cm_issue_verdict *v)
{
	v->reason[0] = '\0';
	v->status = cm_csr_check(db, in, &v->req, &v->ci, &v->cert_type, v->reason, sizeof(v->reason));
	if (v->status != 0)
		return v->status;
	if ((v->status = decide_term(db, in, v)) != 0)
		return v->status;
	if (spki_hash(v) < 0) {
		snprintf(v->reason, sizeof(v->reason), "The CSR's public key could not be read.");
		return v->status = 400;
	}
	if (find_duplicate(db, in, v) < 0) {
		snprintf(v->reason, sizeof(v->reason), "The certificates could not be read; this has been logged.");
		return v->status = 500;
	}
	if (v->dup_id > 0 && !in->allow_duplicate_key) {
		snprintf(v->reason, sizeof(v->reason),
		    "Certificate %lld (%s) already has this public key. Use a new key pair, or confirm that you"
		    " want another certificate for the same key (portal: tick \"Issue another certificate for"
		    " this key\"; command line: --allow-duplicate-key).", (long long)v->dup_id, v->dup_status);
		return v->status = 400;
	}
	return v->status = 0;
}

void
cm_issue_verdict_free(struct cm_issue_verdict *v)
{
	cm_csr_info_free(&v->ci);
	X509_REQ_free(v->req);
	v->req = NULL;
}
