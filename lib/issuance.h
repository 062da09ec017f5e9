/* issuance.h: the one path from a CSR to a stored, audited certificate (web and CLI). */
#ifndef CM_ISSUANCE_H
#define CM_ISSUANCE_H

#include <stddef.h>
#include <stdint.h>
#include "db.h"
#include "signer_client.h"

#define CM_CSR_MAX_BYTES (64 * 1024)

/* The certificate type a signer profile issues ("ssl", "client", "codesign",
 * "ocsp"), or NULL for an unknown profile. The one mapping (web and CLI). */
const char *cm_cert_type_of(const char *profile);

/* The approval settings of an organisation (and department) that
 * cm_approval_auto reads: the organisation's per type (non-zero: approve
 * automatically), and a department's SSL override (1 approve automatically,
 * 0 an administrator approves each, -1 "as the organisation", i.e.
 * departments.ssl_auto_approve NULL, or no department). */
struct cm_approval_settings {
	int org_ssl, org_client, org_codesign;
	int dept_ssl;
};

/*
 * The approval rule, pure: for "ssl" the department's override when it is
 * 0 or 1, else the organisation's SSL setting; for "client" and "codesign"
 * the organisation's setting for that type (a department has none); an
 * OCSP-signing certificate, an unknown or a NULL type never. Each type's
 * setting is changed only on its own tab, by an administrator with rights
 * on that type. 1 auto, 0 manual.
 */
int cm_approval_auto(const char *cert_type, const struct cm_approval_settings *s);

/*
 * Whether a request for cert_type in org_id (dept_id 0: the organisation
 * itself) of the customer is issued at once (1) or waits for an
 * administrator (0), by cm_approval_auto; -1 on a database error (logged).
 * An organisation not of the customer (or deleted), or a department not of
 * that organisation, answers 0. Every issuance path (portal, and later
 * SCEP and self-service) asks this one function.
 */
int cm_auto_approves(struct cm_db *db, int64_t customer_id, int64_t org_id, int64_t dept_id,
    const char *cert_type);

struct cm_issue_input {
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
};

struct cm_issue_output {
	int64_t cert_id;
	char serial_hex[33];
	char *pem;                  /* malloc'ed certificate PEM; free() it */
};

/*
 * Checks the CSR (parses, signature valid, key type and size acceptable,
 * profile known, and, unless any_name, that every DNS/e-mail/UPN name and a
 * host-name or e-mail CN lies in a validated domain of the customer delegated
 * to org_id (any of its organisations when 0) for the profile's certificate
 * type; IP, URI and other SANs need any_name), asks the signer, stores the
 * certificate row and an audit row in one transaction. Returns 0; 400 when the input is wrong (err says
 * what, nothing written); 403 "customer is disabled" (customers.enabled = 0;
 * also for the two functions below); 403 when the signer refused by policy (err has its
 * reason, an audit row records the refusal); 500/502 for database/signer
 * failures.
 */
int cm_issue_from_csr(struct cm_db *db, struct cm_signer *signer,
    const struct cm_issue_input *in, struct cm_issue_output *out,
    char *err, size_t errlen);

/*
 * A request instead of a certificate (the organisation approves by hand):
 * the same checks as cm_issue_from_csr (any_name is refused), then the row
 * is stored in status "requested" with its CSR, subject and names, and an
 * audit row "certificate.request", in one transaction; the signer is not
 * asked. *cert_id gets the row's id. Returns 0; 400 when the input is wrong
 * (err says what, nothing written); 500 on a database failure.
 */
int cm_request_from_csr(struct cm_db *db, const struct cm_issue_input *in, int64_t *cert_id,
    char *err, size_t errlen);

/*
 * Issues the stored CSR of request cert_id, which must be in status
 * "approved": re-checks the names, asks the signer under the request's
 * profile, and turns the same row into status "issued" (serial, DER, dates)
 * with an audit row "certificate.issue" (before/after) in one transaction.
 * Returns 0; 409 when the row is not approved; 400 when its CSR or names
 * fail the checks; 403 when the signer refused (err has its reason, audited);
 * 500/502 for database/signer failures. The row stays "approved" on failure.
 */
int cm_issue_request(struct cm_db *db, struct cm_signer *signer, int64_t cert_id,
    const char *actor, const char *remote_addr, char *err, size_t errlen);

#endif
