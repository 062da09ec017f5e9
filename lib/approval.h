/* approval.h: the approval rule (does a request for a certificate type in an organisation/department issue at once, or wait for an administrator?). */
#ifndef CM_APPROVAL_H
#define CM_APPROVAL_H

#include <stdint.h>
#include "db.h"

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

/* The sentence every program shows when a requester tries to approve their
 * own request. */
#define CM_SELF_APPROVAL_REFUSED "You requested this certificate; another administrator must approve it."

/* Pure: 1 when approver is the administrator who made the request
 * (requester: certificates.requested_by, a Kerberos principal or
 * "cli:USER"; compared without case, as admins.principal is unique), else
 * 0; NULL or empty never matches. */
int cm_is_requester(const char *requester, const char *approver);

/*
 * Whether approver may approve a request that requester made, for the
 * customer: 1 yes (someone else, or the customer's approval.self_approve
 * setting, customers.self_approve, is on), 0 no, -1 database error
 * (logged). The lifecycle's approve asks this, so every program obeys it.
 */
int cm_approval_by_allowed(struct cm_db *db, int64_t customer_id, const char *requester,
    const char *approver);

#endif
