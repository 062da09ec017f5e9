/* issue_verdict.h: the one verdict on a certificate request (CSR checks, names, key, term, duplicate key) that Preview shows and Issue obeys. */
#ifndef CM_ISSUE_VERDICT_H
#define CM_ISSUE_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "db.h"
#include "issuance.h"
#include "x509util.h"

/* What cm_issue_verdict found. Zero it before the call; free it with
 * cm_issue_verdict_free (also after a refusal). */
struct cm_issue_verdict {
	int status;                 /* 0 ready to issue; else 400 / 403 / 500 as cm_csr_check */
	char reason[512];           /* why not, for the person who asked ("" when ready) */
	const char *cert_type;      /* "ssl", ... once the profile is known */
	X509_REQ *req;              /* the parsed CSR, or NULL */
	struct cm_csr_info ci;      /* what it says (zeroed when it did not parse) */
	/* The term: what was asked (0: the maximum), the most allowed, the one
	 * that will be used; clipped when asked > allowed. */
	long requested_days, max_days, term_days;
	int clipped;
	char limit_by[96];          /* "The organisation", "The tls-server profile" */
	char limit_label[48];       /* "1 year (397 days)", "397 days" */
	char not_after[11];         /* YYYY-MM-DD (UTC) the term ends if issued now */
	char term_note[256];        /* the clipping sentence, "" when not clipped */
	char spki_sha256[65];       /* SHA-256 of the CSR's SubjectPublicKeyInfo, hex */
	int64_t dup_id;             /* a live certificate of the customer for the same key, or 0 */
	char dup_status[16];        /* its status */
};

/*
 * The verdict on in, in this order: cm_csr_check (customer, profile, size,
 * signature, key, and the RA name rules unless in->any_name), then the term
 * (the profile's maximum, for SSL the organisation's or department's
 * allowed terms, and any organisation maximum: a longer request is clipped
 * and v->term_note says so), then the duplicate-key rule: another
 * requested, approved or issued certificate of the customer, not expired,
 * with the same public key refuses unless in->allow_duplicate_key (the
 * certificate in->renews_id renews is not counted: a renewal keeps its key).
 * Returns v->status: 0 ready, 400 (v->reason says what to change), 403
 * (customer disabled), 500 (database; logged).
 */
int cm_issue_verdict(struct cm_db *db, const struct cm_csr_request *in, struct cm_issue_verdict *v);
void cm_issue_verdict_free(struct cm_issue_verdict *v);

/* The most days the RA lets profile's type have, before any organisation
 * limit (CA/Browser Forum: 397 for TLS servers); 0 for an unknown type. */
long cm_profile_max_days(const char *cert_type);

#endif
