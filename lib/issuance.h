/* issuance.h: CSR intake (what a certificate request carries, and the checks every CSR passes before it is stored or signed), web and CLI alike. */
#ifndef CM_ISSUANCE_H
#define CM_ISSUANCE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "approval.h"
#include "cert_types.h"
#include "db.h"
#include "x509util.h"

#define CM_CSR_MAX_BYTES (64 * 1024)

/* A CSR and what it is for: the input of every lifecycle function that
 * creates a certificate row (lib/cert_lifecycle.h). */
struct cm_csr_request {
	const char *actor;          /* principal or "cli:USER" */
	const char *remote_addr;    /* or NULL */
	int64_t customer_id;        /* required */
	int64_t org_id;             /* 0 = none */
	int64_t dept_id;            /* 0 = none */
	const char *profile;        /* signer profile name */
	const char *csr;            /* PEM or DER bytes */
	size_t csr_len;
	long validity_days;         /* 0 = profile maximum */
	int any_name;               /* operator override (certmint issue --any-name only):
	                               skip the check that every name lies in a validated
	                               domain delegated to the organisation; audited */
	int64_t renews_id;          /* 0, or the certificate this one renews (stored as
	                               certificates.renews_id and in the audit row) */
	int allow_duplicate_key;    /* the administrator confirmed another live certificate
	                               for a key that has one (lib/issue_verdict.h); audited */
	int64_t person_id;          /* 0, or the persons row the certificate is for (stored as
	                               certificates.person_id by a direct issuance) */
	/* NULL, or called by cm_cert_issue / _supersede / _renew / _request
	 * inside the transaction that stores the new row, after its audit row
	 * and before the commit, with the row's id and whether it was issued
	 * (1) or only requested (0): a caller's own record of the outcome
	 * (scep.fcgi: its transaction row and audit row) then commits with the
	 * certificate or not at all, for one commit instead of two. 0, or -1
	 * to roll the whole transaction back (the lifecycle then answers as
	 * for any failed store). It must not write `certificates`. */
	int (*in_tx)(struct cm_db *db, int64_t cert_id, int issued, void *arg);
	void *in_tx_arg;
};

/* A certificate the lifecycle has stored (or a request, then pem is NULL). */
struct cm_issued_cert {
	int64_t cert_id;
	char serial_hex[33];        /* "" for a request */
	char *pem;                  /* malloc'ed certificate PEM or NULL; free() it */
	long requested_days;        /* the validity asked for (0: the maximum) */
	long term_days;             /* the validity used (the request's, clipped) */
};

/*
 * The checks every CSR passes before it is stored or signed: customer and
 * actor given, customer enabled, known profile, validity in range, size,
 * parses, signature verifies, acceptable key type and size, and, unless
 * in->any_name, the RA name check (lib/ra_names.h) against in's
 * organisation/department. The subject to issue under is built (CN from the
 * CSR, O/L/ST/C from the organisation's record, never an OU) into
 * ci->issue_subject and ci->issue_dn, and every name passes the syntax rules
 * (cm_ra_check_syntax), --any-name or not. *reqp, *ci and *cert_typep are set (the caller
 * frees *reqp with X509_REQ_free and *ci with cm_csr_info_free, also on
 * failure; *ci must be zeroed first). Returns 0; 400 when the input is
 * wrong (err says what); 403 "customer is disabled"; 500 on database errors.
 */
int cm_csr_check(struct cm_db *db, const struct cm_csr_request *in, X509_REQ **reqp,
    struct cm_csr_info *ci, const char **cert_typep, char *err, size_t errlen);

#endif
