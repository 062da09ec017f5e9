/* cert_lifecycle.h: every state change of a certificate row (request, issue, approve, decline, revoke, renew, supersede, expire), each checked against cert_state.c and audited in its own transaction; nothing else writes `certificates`. */
#ifndef CM_CERT_LIFECYCLE_H
#define CM_CERT_LIFECYCLE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "issuance.h"
#include "signer_client.h"

/* The longest decline message a requester is sent (bytes). */
#define CM_DECLINE_MESSAGE_MAX 1000

/* Who asks for a change of an existing row: the audit row's actor and
 * address, and the customer the row must belong to (another customer's row
 * reads as missing). */
struct cm_cert_actor {
	const char *actor;          /* principal, "cli:USER", "system:expire" */
	const char *remote_addr;    /* or NULL */
	int64_t customer_id;
};

/*
 * Every function below answers with an HTTP-like status and, unless 0, a
 * sentence in err for the person who asked:
 *   0    done (committed, audit row included);
 *   400  the input is wrong (nothing written);
 *   403  refused: customer disabled, or the signer refused by policy (the
 *        refusal has its own audit row "certificate.refused");
 *   409  the row is not in a state that allows this transition, or changed
 *        meanwhile (nothing written);
 *   500  database failure (logged; rolled back);
 *   502  the signer answered with something unreadable;
 *   503  the signer failed (journal write error, disk full, key
 *        unavailable, the request expired in its queue) or could not be
 *        reached at all (signer NULL: err is CM_SIGNER_UNREACHABLE): nothing
 *        was issued (audit row "certificate.issue_failed" with the signer's
 *        reason, or CM_SIGNER_UNREACHABLE_REASON);
 *   504  the request was sent but no reply came (timeout, connection lost):
 *        the certificate may have been issued; nothing is stored (audit
 *        row "certificate.issue_unknown"; the reconciliation imports it
 *        from the signer's journal).
 * 503 and 504 change no row, as a refusal (403) does not.
 * A certificate the signer issued but that could not be stored is a 500
 * whose err names its serial (the signer's journal still accounts for it).
 */

/* What a person is told, and the audit row's reason, when signer is NULL
 * because the caller could not connect to it (the caller logs why). */
#define CM_SIGNER_UNREACHABLE "The signer is not answering: nothing was issued; try again."
#define CM_SIGNER_UNREACHABLE_REASON "not reachable: the signer could not be connected to"

/*
 * A request instead of a certificate (an administrator approves it later):
 * the verdict (lib/issue_verdict.h: the CSR checks, any_name refused, the
 * term, the duplicate key), then the row in status
 * "requested" with its CSR, subject and names, and an audit row
 * "certificate.request", in one transaction; the signer is not asked.
 * in->renews_id, when set, must be a certificate of the customer that has
 * been issued (issued, revoked or expired; else 409). *cert_id gets the new
 * row's id (0 on failure). 0 / 400 / 403 / 409 / 500.
 */
int cm_cert_request(struct cm_db *db, const struct cm_csr_request *in, int64_t *cert_id,
    char *err, size_t errlen);

/*
 * Direct issuance: the verdict (lib/issue_verdict.h; the signer is asked
 * for its term, out->term_days), the signer, then the row in status
 * "issued" and an audit row "certificate.issue" in one transaction.
 * in->renews_id as for cm_cert_request. out gets the row id, serial and PEM.
 * A transaction the caller has open is joined (cm_cert_supersede too): it
 * is committed with the certificate and rolled back on any failure.
 * 0 / 400 / 403 / 409 / 500 / 502..504.
 */
int cm_cert_issue(struct cm_db *db, struct cm_signer *signer,
    const struct cm_csr_request *in, struct cm_issued_cert *out, char *err, size_t errlen);

/*
 * Renewal: a new certificate linked to in->renews_id (required), issued at
 * once when the approval rule says so for in's organisation/department
 * (lib/approval.h; no organisation: at once), else stored as a request
 * (out->pem NULL, out->serial_hex ""). signer may be NULL when it could not
 * be reached: only a renewal that must be issued at once then fails (503).
 * 0 / 400 / 403 / 409 / 500 / 502..504.
 */
int cm_cert_renew(struct cm_db *db, struct cm_signer *signer,
    const struct cm_csr_request *in, struct cm_issued_cert *out, char *err, size_t errlen);

/*
 * Replacement: issues a certificate from in (which must be of the same
 * customer) and, in the transaction that stores it, revokes old_id (status
 * "issued", else 409) with reason superseded; the new row's renews_id is
 * old_id. Audit rows "certificate.issue" (with "supersedes") and
 * "certificate.revoke" (with "superseded_by") in the same transaction. The
 * old row stays locked while the signer is asked, so it cannot change in
 * between. 0 / 400 / 403 / 409 / 500 / 502..504.
 */
int cm_cert_supersede(struct cm_db *db, struct cm_signer *signer, int64_t old_id,
    const struct cm_csr_request *in, struct cm_issued_cert *out, char *err, size_t errlen);

/*
 * Approval of request id: requested -> approved (approved_by, audit row
 * "certificate.approve", committed), then approved -> issued through the
 * signer (cm_cert_issue_approved). A row already approved (an issuance
 * failed before) is only issued. *approved is set to 1 once the row is
 * approved, whatever happens next. When issuance fails the row stays
 * approved with the reason in certificates.issue_error; signer NULL means
 * the signer could not be reached (503, recorded the same way). The
 * administrator who made the request may not approve it unless the
 * customer's approval.self_approve is on (lib/approval.h): 403 with
 * CM_SELF_APPROVAL_REFUSED and an audit row "certificate.approve_refused".
 * 0 / 400 (no such row, or its CSR or names fail the checks) / 403 / 409 /
 * 500 / 502..504.
 */
int cm_cert_approve(struct cm_db *db, struct cm_signer *signer, const struct cm_cert_actor *who,
    int64_t id, int *approved, char *err, size_t errlen);

/*
 * Issues the stored CSR of request id, which must be "approved": the names
 * are checked again (a domain may have lost its validation or delegation),
 * the signer asked under the request's profile, and the same row turned
 * into "issued" (serial, DER, dates; issue_error cleared) with an audit row
 * "certificate.issue" (before/after) in one transaction. A request a SCEP
 * RenewalReq made (scep_transactions) whose organisation has
 * client_revoke_superseded on also revokes the certificate it renews
 * (superseded, audit row "certificate.revoke") in that transaction, as an
 * automatically approved one does at once. The row stays
 * approved on failure. 0 / 400 / 403 / 409 / 500 / 502..504.
 */
int cm_cert_issue_approved(struct cm_db *db, struct cm_signer *signer,
    const struct cm_cert_actor *who, int64_t id, char *err, size_t errlen);

/*
 * requested -> declined with message (required: not blank, at most
 * CM_DECLINE_MESSAGE_MAX bytes; the requester reads it), approved_by and an
 * audit row "certificate.decline". The state is checked before the message.
 * 0 / 400 (no such row, or the message) / 409 / 500.
 */
int cm_cert_decline(struct cm_db *db, const struct cm_cert_actor *who, int64_t id,
    const char *message, char *err, size_t errlen);

/*
 * issued -> revoked now with an offered RFC 5280 reason code
 * (lib/revocation_reason.h) and an audit row "certificate.revoke". The
 * state is checked before the reason. 0 / 400 (no such row, or a reason not
 * offered) / 409 / 500.
 */
int cm_cert_revoke(struct cm_db *db, const struct cm_cert_actor *who, int64_t id,
    int reason_code, char *err, size_t errlen);

/*
 * issued -> expired for row id, read (and locked) by the caller as being in
 * status `status` with notAfter `not_after`, with an audit row
 * "certificate.expire", inside the caller's transaction (the expiry job
 * commits a batch at once; it alone decides that notAfter has passed).
 * 0 / 409 (the state does not allow it, or the row changed) / 500 (the
 * caller rolls back).
 */
int cm_cert_expire(struct cm_db *db, const struct cm_cert_actor *who, int64_t id,
    const char *status, const char *not_after, char *err, size_t errlen);

/* ---- Reconciliation with the signer's journal (certmint journal check). */

/* A certificate the signer journalled, as the reconciliation read it. */
struct cm_cert_recovery {
	const unsigned char *der;
	size_t der_len;
	const char *serial_hex;         /* as journalled (lowercase hex) */
	const char *profile;
	const char *journalled_at;      /* "YYYY-MM-DDTHH:MM:SSZ" */
	unsigned long uid;              /* the signer's peer uid that asked */
	const char *journal;            /* the file read, for the audit row */
	int64_t default_customer_id;    /* owner when nothing else says whose it is */
};

/* Where a recovered certificate went. */
struct cm_cert_recovered {
	int64_t cert_id;
	int64_t customer_id;
	int64_t org_id;                 /* 0: none */
	const char *status;             /* "issued" or "expired" (static) */
	const char *owner;              /* how the owner was found (static): "request",
	                                 * "domains" or "default customer" */
};

/*
 * Imports a certificate the signer issued (in->der, whose serial must be
 * in->serial_hex) that has no row, flagged recovered (recovered_at), with
 * an audit row "certificate.recovered" in the same transaction, and logs
 * an error line (it is an alarm: a certificate was issued and nobody
 * recorded it). Its owner, in this order:
 *   1. an approved request of the same profile whose CSR holds the
 *      certificate's public key (an approval whose issuance was cut off):
 *      that row becomes the issued certificate, as if the issuance had
 *      finished;
 *   2. else a new row for the one customer whose domains cover every DNS
 *      name and e-mail domain of the certificate, with the organisation
 *      when those domains are delegated to exactly one of its
 *      organisations for the certificate's type;
 *   3. else a new row for in->default_customer_id with no organisation
 *      (so only that customer's MRAOs see it).
 * Status "expired" when notAfter has passed, else "issued"; a revocation is
 * left to an administrator who looks at it. 0 imported (*out filled);
 * 409 the serial already has a row (nothing written); 400 the DER is not a
 * certificate, its serial is not the journal's, or its profile has no
 * certificate type (nothing written); 500 database failure (rolled back).
 */
int cm_cert_recover(struct cm_db *db, const char *actor, const struct cm_cert_recovery *in,
    struct cm_cert_recovered *out, char *err, size_t errlen);

/*
 * The MRAO's acknowledgement of the recovery alarm: every recovered row of
 * who->customer_id not yet acknowledged gets recovery_ack_at/_by, with one
 * audit row "certificate.recovery_acknowledged" listing their ids, in one
 * transaction. *n gets how many (0: nothing to acknowledge, nothing
 * written). 0 / 500.
 */
int cm_cert_recovery_ack(struct cm_db *db, const struct cm_cert_actor *who, long *n,
    char *err, size_t errlen);

#endif
