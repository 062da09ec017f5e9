/* transactions.c: SCEP transactions (scep_transactions): a retried transactionID gets the same answer, a new one is claimed, decided through the certificate lifecycle and recorded; polls follow the certificate row. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "approval.h"
#include "audit.h"
#include "cert_lifecycle.h"
#include "cert_types.h"
#include "log.h"
#include "scepd.h"
#include "x509util.h"

/* MariaDB's ER_DUP_ENTRY: another worker claimed the transaction first. */
#define ER_DUP_ENTRY 1062

/*
 * The key a transaction is stored under: the transactionID itself for a
 * PKCSReq. A RenewalReq's is "R<id>:" plus it, <id> being the certificate
 * it renews: clients such as Debian's scepclient derive the transactionID
 * from the public key and renew with the same key and the same stored
 * CSR, so the plain ID would read as a retry of the first enrollment and
 * answer the old certificate. The certificate it is signed with tells one
 * renewal from the next. An ID too long for the column with the prefix is
 * replaced by its SHA-256 (hex) after the prefix.
 */
static void
tx_key(const struct scep_req *r, int64_t renew_id, char *out, size_t outlen)
{
	char pre[32];
	unsigned char md[32];
	unsigned mdlen = 0;

	if (renew_id <= 0) {
		snprintf(out, outlen, "%s", r->msg.transaction_id);
		return;
	}
	snprintf(pre, sizeof(pre), "R%lld:", (long long)renew_id);
	if (strlen(pre) + strlen(r->msg.transaction_id) < outlen) {
		memcpy(out, pre, strlen(pre));
		memcpy(out + strlen(pre), r->msg.transaction_id, strlen(r->msg.transaction_id) + 1);
		return;
	}
	EVP_Digest(r->msg.transaction_id, strlen(r->msg.transaction_id), md, &mdlen, EVP_sha256(), NULL);
	snprintf(out, outlen, "%s", pre);
	for (unsigned i = 0; i < mdlen && strlen(out) + 3 <= outlen; i++)
		snprintf(out + strlen(out), outlen - strlen(out), "%02x", md[i]);
}

/* SHA-256 (hex) of the decrypted CSR: what tells a retry from another request. */
static void
csr_hash(struct scep_req *r)
{
	unsigned char md[32];
	unsigned mdlen = 0;

	if (r->csr_sha256[0])
		return;
	EVP_Digest(r->content.data, r->content.len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(r->csr_sha256 + 2 * i, 3, "%02x", md[i]);
}

/* SHA-256 (hex) of a name's DER into out[65]: 0, or -1 (no name, or it
 * cannot be encoded). */
static int
name_hash(X509_NAME *name, char out[65])
{
	unsigned char md[32], *der = NULL;
	unsigned mdlen = 0;
	int len = name ? i2d_X509_NAME(name, &der) : -1;

	out[0] = '\0';
	if (len <= 0)
		return -1;
	int ok = EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) == 1;
	OPENSSL_free(der);
	if (!ok)
		return -1;
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* SHA-256 (hex) of the decrypted CSR's subject into out[65] ("" when the
 * content is no CSR: a renewal's is, a poll's is not). */
static void
csr_subject_hash(struct scep_req *r, char out[65])
{
	const unsigned char *p = (const unsigned char *)r->content.data;
	X509_REQ *req = p ? d2i_X509_REQ(NULL, &p, (long)r->content.len) : NULL;

	if (req == NULL || name_hash(X509_REQ_get_subject_name(req), out) < 0)
		out[0] = '\0';
	X509_REQ_free(req);
}

/* The audit row of a transaction change (inside the caller's transaction
 * when one is open). 0 or -1. */
static int
audit_tx(struct scep_req *r, const char *action, const char *key, int64_t cert_id, const char *status,
    int fail_info, const char *detail)
{
	struct cm_audit_entry e;
	struct cm_buf j;
	int rc;

	cm_buf_init(&j, 0);
	if (cm_buf_puts(&j, "{\"transaction_id\":") < 0 || cm_buf_json_str(&j, key) < 0 ||
	    cm_buf_printf(&j, ",\"message_type\":%d,\"scep_type\":", r->msg.message_type) < 0 ||
	    cm_buf_json_str(&j, r->type) < 0 ||
	    (status && (cm_buf_puts(&j, ",\"status\":") < 0 || cm_buf_json_str(&j, status) < 0)) ||
	    (cert_id > 0 && cm_buf_printf(&j, ",\"certificate_id\":%lld", (long long)cert_id) < 0) ||
	    (fail_info >= 0 && cm_buf_printf(&j, ",\"fail_info\":%d", fail_info) < 0) ||
	    (detail && (cm_buf_puts(&j, ",\"reason\":") < 0 || cm_buf_json_str(&j, detail) < 0)) ||
	    cm_buf_puts(&j, "}") < 0) {
		cm_buf_free(&j);
		return -1;
	}
	memset(&e, 0, sizeof(e));
	e.actor = SCEPD_ACTOR;
	e.action = action;
	e.object_type = "scep_transaction";
	e.object_id = key;
	e.after = j.data;
	e.remote_addr = r->addr;
	e.customer_id = r->customer_id;
	rc = cm_audit(r->db, &e);
	cm_buf_free(&j);
	return rc;
}

/* No return value (a failed audit write is logged by cm_audit). */
void
scepd_audit_refusal(struct scep_req *r, const struct scep_answer *a)
{
	audit_tx(r, "scep.refused", r->msg.transaction_id[0] ? r->msg.transaction_id : "-", 0, "failed",
	    (int)a->fail_info, a->rule);
}

/* Sets a transaction's outcome (status, certificate, failInfo) with its
 * audit row, in one transaction. 0 or -1 (logged). */
static int
tx_update(struct scep_req *r, const char *key, const char *status, int64_t cert_id, int fail_info,
    const char *detail)
{
	struct cm_stmt *st = NULL;

	if (cm_db_begin(r->db) < 0)
		goto fail;
	st = cm_db_prepare(r->db,
	    "UPDATE scep_transactions SET status = ?, certificate_id = COALESCE(?, certificate_id), fail_info = ?"
	    " WHERE customer_id = ? AND transaction_id = ?");
	if (st == NULL || cm_stmt_bind_str(st, 0, status) < 0 ||
	    (cert_id > 0 ? cm_stmt_bind_i64(st, 1, cert_id) : cm_stmt_bind_null(st, 1)) < 0 ||
	    (fail_info >= 0 ? cm_stmt_bind_i64(st, 2, fail_info) : cm_stmt_bind_null(st, 2)) < 0 ||
	    cm_stmt_bind_i64(st, 3, r->customer_id) < 0 || cm_stmt_bind_str(st, 4, key) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto fail;
	cm_stmt_close(st);
	st = NULL;
	if (audit_tx(r, "scep.transaction_update", key, cert_id, status, fail_info, detail) < 0 ||
	    cm_db_commit(r->db) < 0)
		goto fail;
	return 0;
fail:
	cm_err("SCEP: transaction %s: recording %s: %s", r->tid_shown, status, cm_db_error(r->db));
	if (st)
		cm_stmt_close(st);
	cm_db_rollback(r->db);
	return -1;
}

/* The outcome written inside the lifecycle's own transaction (struct
 * cm_csr_request's in_tx): the certificate row, its audit row, this
 * transaction row and its audit row commit together. */
struct tx_outcome {
	struct scep_req *r;
	const char *key;
	int done;                      /* set once the row is written */
};

/* 0 or -1 (the lifecycle rolls back and answers as for a failed store). */
static int
tx_outcome_in_tx(struct cm_db *db, int64_t cert_id, int issued, void *arg)
{
	struct tx_outcome *o = arg;
	struct scep_req *r = o->r;
	const char *status = issued ? "issued" : "pending";
	struct cm_stmt *st = cm_db_prepare(db,
	    "UPDATE scep_transactions SET status = ?, certificate_id = ?, fail_info = NULL"
	    " WHERE customer_id = ? AND transaction_id = ?");
	int rc = -1;

	if (st == NULL || cm_stmt_bind_str(st, 0, status) < 0 || cm_stmt_bind_i64(st, 1, cert_id) < 0 ||
	    cm_stmt_bind_i64(st, 2, r->customer_id) < 0 || cm_stmt_bind_str(st, 3, o->key) < 0 ||
	    cm_stmt_execute(st) < 0) {
		cm_err("SCEP: transaction %s: recording %s: %s", r->tid_shown, status, cm_db_error(db));
		goto out;
	}
	if (audit_tx(r, "scep.transaction_update", o->key, cert_id, status, -1, NULL) < 0)
		goto out;
	o->done = 1;
	rc = 0;
out:
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* A claim given up (nothing was issued), so that the client's retry is
 * decided afresh. 0 or -1. */
static int
tx_release(struct scep_req *r, const char *key, const char *why)
{
	struct cm_stmt *st = NULL;

	if (cm_db_begin(r->db) < 0)
		goto fail;
	st = cm_db_prepare(r->db, "DELETE FROM scep_transactions"
	    " WHERE customer_id = ? AND transaction_id = ? AND certificate_id IS NULL");
	if (st == NULL || cm_stmt_bind_i64(st, 0, r->customer_id) < 0 || cm_stmt_bind_str(st, 1, key) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto fail;
	cm_stmt_close(st);
	st = NULL;
	if (audit_tx(r, "scep.transaction_released", key, 0, NULL, -1, why) < 0 || cm_db_commit(r->db) < 0)
		goto fail;
	return 0;
fail:
	cm_err("SCEP: transaction %s: releasing: %s", r->tid_shown, cm_db_error(r->db));
	if (st)
		cm_stmt_close(st);
	cm_db_rollback(r->db);
	return -1;
}

/* The state of certificate row id: its status into status; 1, 0 no row, -1. */
static int
cert_status(struct scep_req *r, int64_t id, char *status, size_t len)
{
	struct cm_stmt *st = cm_db_prepare(r->db, "SELECT status FROM certificates WHERE id = ? AND customer_id = ?");
	int f = -1;

	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 || cm_stmt_bind_i64(st, 1, r->customer_id) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0 ||
	    (f == 1 && cm_stmt_copy_str(st, 0, status, len) != 1)) {
		cm_err("SCEP: certificate %lld: %s", (long long)id, cm_db_error(r->db));
		f = -1;
	}
	if (st)
		cm_stmt_close(st);
	return f;
}

/*
 * The answer of a stored transaction (key) in status tx_status with
 * certificate cert_id (0: none yet) and fail_info: a pending one follows
 * its certificate row, which an administrator approves or declines in the
 * portal (admin.fcgi issues on approval; a row left approved because the
 * signer failed then is issued here).
 */
static void
answer_stored(struct scep_req *r, const char *key, const char *tx_status, int64_t cert_id, int fail_info,
    struct scep_answer *a)
{
	char cs[16], err[512];
	int f;

	if (strcmp(tx_status, "issued") == 0) {
		a->status = CM_SCEP_SUCCESS;
		a->cert_id = cert_id;
		return;
	}
	if (strcmp(tx_status, "failed") == 0) {
		scepd_fail(a, fail_info >= 0 ? (unsigned)fail_info : CM_SCEP_BAD_REQUEST, "replay",
		    "transaction %s failed before", r->tid_shown);
		return;
	}
	/* pending */
	if (cert_id <= 0) {
		/* Another worker holds the claim and is deciding it now. */
		a->status = CM_SCEP_PENDING;
		return;
	}
	if ((f = cert_status(r, cert_id, cs, sizeof(cs))) <= 0) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "database", "certificate %lld of transaction %s cannot be read",
		    (long long)cert_id, r->tid_shown);
		return;
	}
	if (strcmp(cs, "approved") == 0) {
		struct cm_cert_actor who = { SCEPD_ACTOR, r->addr, r->customer_id };
		struct cm_signer *sg = scepd_signer(r);
		int st = cm_cert_issue_approved(r->db, sg, &who, cert_id, err, sizeof(err));
		if (st != 0) {
			cm_warn("SCEP: transaction %s: approved certificate %lld not issued yet (%d): %s", r->tid_shown,
			    (long long)cert_id, st, err);
			a->status = CM_SCEP_PENDING;
			return;
		}
		snprintf(cs, sizeof(cs), "issued");
	}
	if (strcmp(cs, "requested") == 0) {
		a->status = CM_SCEP_PENDING;
	} else if (strcmp(cs, "declined") == 0) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "declined", "certificate %lld of transaction %s was declined",
		    (long long)cert_id, r->tid_shown);
		if (tx_update(r, key, "failed", 0, CM_SCEP_BAD_REQUEST, "declined") == 0)
			a->audited = 1;
	} else {
		/* issued, or since revoked or expired: the answer stays the
		 * certificate this transaction made. */
		a->status = CM_SCEP_SUCCESS;
		a->cert_id = cert_id;
		tx_update(r, key, "issued", cert_id, -1, NULL);
	}
}

/* Reads the transaction stored under key: 1 (answered in a, the CSR
 * compared when csr_check), 0 none, -1 database. */
static int
replay_key(struct scep_req *r, const char *key, int csr_check, struct scep_answer *a)
{
	struct cm_stmt *st = cm_db_prepare(r->db,
	    "SELECT csr_sha256, status, COALESCE(certificate_id, 0), COALESCE(fail_info, -1)"
	    " FROM scep_transactions WHERE customer_id = ? AND transaction_id = ?");
	char hash[65] = "", status[16] = "";
	int64_t cert_id;
	int fail_info, f;

	if (st == NULL || cm_stmt_bind_i64(st, 0, r->customer_id) < 0 || cm_stmt_bind_str(st, 1, key) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0) {
		cm_err("SCEP: transaction %s: %s", r->tid_shown, cm_db_error(r->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	if (f == 0) {
		cm_stmt_close(st);
		return 0;
	}
	cm_stmt_copy_str(st, 0, hash, sizeof(hash));
	cm_stmt_copy_str(st, 1, status, sizeof(status));
	cert_id = cm_stmt_i64(st, 2);
	fail_info = (int)cm_stmt_i64(st, 3);
	cm_stmt_close(st);
	if (csr_check) {
		csr_hash(r);
		if (strcmp(hash, r->csr_sha256) != 0) {
			scepd_fail(a, CM_SCEP_BAD_REQUEST, "replay",
			    "transaction %s is known with another CSR", r->tid_shown);
			return 1;
		}
	}
	answer_stored(r, key, status, cert_id, fail_info, a);
	return 1;
}

/* 1 / 0 / -1; see scepd.h. A RenewalReq's key needs the certificate it is
 * signed with, so its replay is checked in scepd_enroll. */
int
scepd_replay(struct scep_req *r, struct scep_answer *a)
{
	if (r->msg.message_type == CM_SCEP_MSG_RENEWALREQ)
		return 0;
	return replay_key(r, r->msg.transaction_id, 1, a);
}

/* Claims key for r's request: 1 claimed (row written, with its audit row),
 * 0 another worker has it (answered in a by re-reading), -1 database. */
static int
tx_claim(struct scep_req *r, const char *key, struct scep_answer *a)
{
	struct cm_stmt *st = NULL;
	char subject[65];

	csr_hash(r);
	csr_subject_hash(r, subject);
	if (cm_db_begin(r->db) < 0)
		goto fail;
	st = cm_db_prepare(r->db,
	    "INSERT INTO scep_transactions (customer_id, scep_type, transaction_id, message_type, csr_sha256,"
	    " subject_sha256, status, remote_addr) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)");
	if (st == NULL || cm_stmt_bind_i64(st, 0, r->customer_id) < 0 || cm_stmt_bind_str(st, 1, r->type) < 0 ||
	    cm_stmt_bind_str(st, 2, key) < 0 || cm_stmt_bind_i64(st, 3, r->msg.message_type) < 0 ||
	    cm_stmt_bind_str(st, 4, r->csr_sha256) < 0 ||
	    (subject[0] ? cm_stmt_bind_str(st, 5, subject) : cm_stmt_bind_null(st, 5)) < 0 ||
	    cm_stmt_bind_str(st, 6, r->addr) < 0)
		goto fail;
	if (cm_stmt_execute(st) < 0) {
		if (cm_db_errno(r->db) == ER_DUP_ENTRY) {
			/* The unique key decided: the loser reads the winner's row. */
			cm_stmt_close(st);
			cm_db_rollback(r->db);
			return replay_key(r, key, 1, a) == 1 ? 0 : -1;
		}
		goto fail;
	}
	cm_stmt_close(st);
	st = NULL;
	if (audit_tx(r, "scep.transaction", key, 0, "pending", -1, NULL) < 0 || cm_db_commit(r->db) < 0)
		goto fail;
	return 1;
fail:
	cm_err("SCEP: transaction %s: claiming: %s", r->tid_shown, cm_db_error(r->db));
	if (st)
		cm_stmt_close(st);
	cm_db_rollback(r->db);
	return -1;
}

/* organizations.client_revoke_superseded of org: 1, 0, or -1. */
static int
revoke_superseded(struct scep_req *r, int64_t org)
{
	struct cm_stmt *st = cm_db_prepare(r->db,
	    "SELECT client_revoke_superseded FROM organizations WHERE id = ? AND customer_id = ?");
	int v = -1;

	if (st != NULL && cm_stmt_bind_i64(st, 0, org) == 0 && cm_stmt_bind_i64(st, 1, r->customer_id) == 0 &&
	    cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1)
		v = cm_stmt_i64(st, 0) ? 1 : 0;
	else
		cm_err("SCEP: organisation %lld: %s", (long long)org, cm_db_error(r->db));
	if (st)
		cm_stmt_close(st);
	return v;
}

/* No return value; see scepd.h. */
void
scepd_enroll(struct scep_req *r, X509_REQ *req, int64_t org, int64_t dept, int64_t renew_id,
    struct scep_answer *a)
{
	struct cm_csr_request in;
	struct cm_issued_cert out;
	char key[CM_SCEP_MAX_TRANSACTION_ID + 1], err[512];
	const char *type = cm_cert_type_of(r->profile);
	struct tx_outcome outcome = { r, key, 0 };
	int st, f, autoa, revoke = 0;

	(void)req;
	memset(&out, 0, sizeof(out));
	tx_key(r, renew_id, key, sizeof(key));
	if (renew_id > 0 && (f = replay_key(r, key, 1, a)) != 0) {
		if (f < 0)
			scepd_fail(a, CM_SCEP_BAD_REQUEST, "database", "the transaction could not be read");
		return;
	}
	if ((autoa = cm_auto_approves(r->db, r->customer_id, org, dept, type ? type : "client")) < 0 ||
	    (renew_id > 0 && autoa && (revoke = revoke_superseded(r, org)) < 0)) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "database", "the approval rule could not be read");
		return;
	}
	if ((f = tx_claim(r, key, a)) <= 0) {
		if (f < 0)
			scepd_fail(a, CM_SCEP_BAD_REQUEST, "database", "the transaction could not be recorded");
		return;
	}
	memset(&in, 0, sizeof(in));
	in.actor = SCEPD_ACTOR;
	in.remote_addr = r->addr;
	in.customer_id = r->customer_id;
	in.org_id = org;
	in.dept_id = dept;
	in.profile = r->profile;
	in.csr = r->content.data;
	in.csr_len = r->content.len;
	in.renews_id = renew_id;
	in.in_tx = tx_outcome_in_tx;
	in.in_tx_arg = &outcome;
	err[0] = '\0';
	if (renew_id > 0 && autoa && revoke)
		st = cm_cert_supersede(r->db, scepd_signer(r), renew_id, &in, &out, err, sizeof(err));
	else if (renew_id > 0)
		st = cm_cert_renew(r->db, autoa ? scepd_signer(r) : NULL, &in, &out, err, sizeof(err));
	else if (autoa)
		st = cm_cert_issue(r->db, scepd_signer(r), &in, &out, err, sizeof(err));
	else
		st = cm_cert_request(r->db, &in, &out.cert_id, err, sizeof(err));
	free(out.pem);
	if (st == 0 && out.cert_id > 0) {
		int issued = out.serial_hex[0] != '\0';
		/* Recorded with the certificate (outcome.done); the separate
		 * update is for a lifecycle path that did not call in_tx. */
		if (!outcome.done && tx_update(r, key, issued ? "issued" : "pending", out.cert_id, -1, NULL) < 0) {
			/* The certificate row exists; the client's retry finds the
			 * claim pending without it and is told PENDING. */
			a->status = CM_SCEP_PENDING;
			return;
		}
		if (issued) {
			a->status = CM_SCEP_SUCCESS;
			a->cert_id = out.cert_id;
		} else {
			a->status = CM_SCEP_PENDING;
		}
		return;
	}
	if (st == 400 || st == 403 || st == 409 || st == 503) {
		/* Nothing was issued (a rule of the lifecycle or of the signer's
		 * profile refused, or the signer could not be reached): the claim
		 * is given up, so that nothing is left of a refused request but
		 * its audit rows, and a retry is decided afresh. RFC 8894 clients
		 * derive the transactionID from the public key: a failure kept
		 * would refuse that key for good, even after the cause is fixed. */
		scepd_fail(a, CM_SCEP_BAD_REQUEST, st == 503 ? "signer" : "lifecycle", "certificate lifecycle %d: %s",
		    st, err);
		if (tx_release(r, key, err) == 0)
			a->audited = 1;
		return;
	}
	/* 500 / 502 / 504: a fault after which a certificate may exist (the
	 * reconciliation imports it): the transaction fails for good, so a
	 * retry never makes a second one. */
	scepd_fail(a, CM_SCEP_BAD_REQUEST, "fault", "certificate lifecycle %d: %s", st, err);
	if (tx_update(r, key, "failed", 0, CM_SCEP_BAD_REQUEST, err) == 0)
		a->audited = 1;
}

/* A transaction as a CertPoll reads it. */
struct poll_row {
	char key[CM_SCEP_MAX_TRANSACTION_ID + 1];
	char status[16];
	int64_t cert_id;
	int fail_info;
	int has_subject;
	char subject[65];              /* subject_sha256 */
	struct cm_buf csr;             /* before subject_sha256 (029): its request's CSR */
};

#define POLL_COLUMNS \
	"SELECT t.transaction_id, t.status, COALESCE(t.certificate_id, 0), COALESCE(t.fail_info, -1), c.csr," \
	" t.subject_sha256 FROM scep_transactions t LEFT JOIN certificates c ON c.id = t.certificate_id"

/* Runs st (prepared from POLL_COLUMNS, bound; closed here) into *p: 1 a
 * row, 0 none, -1 database (logged). */
static int
poll_fetch(struct scep_req *r, struct cm_stmt *st, struct poll_row *p)
{
	int f = -1;

	if (st == NULL || cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0) {
		cm_err("SCEP: poll %s: %s", r->tid_shown, cm_db_error(r->db));
		f = -1;
	} else if (f == 1) {
		cm_stmt_copy_str(st, 0, p->key, sizeof(p->key));
		cm_stmt_copy_str(st, 1, p->status, sizeof(p->status));
		p->cert_id = cm_stmt_i64(st, 2);
		p->fail_info = (int)cm_stmt_i64(st, 3);
		p->csr.len = 0;
		if (!cm_stmt_is_null(st, 4)) {
			size_t n = 0;
			const char *csr = cm_stmt_str(st, 4, &n);
			if (csr != NULL && cm_buf_append(&p->csr, csr, n) < 0)
				f = -1;
		}
		p->has_subject = !cm_stmt_is_null(st, 5);
		if (p->has_subject)
			cm_stmt_copy_str(st, 5, p->subject, sizeof(p->subject));
	}
	if (st)
		cm_stmt_close(st);
	return f;
}

/* The transaction stored under key: 1 / 0 / -1 as poll_fetch. */
static int
poll_by_key(struct scep_req *r, const char *key, struct poll_row *p)
{
	struct cm_stmt *st = cm_db_prepare(r->db, POLL_COLUMNS " WHERE t.customer_id = ? AND t.transaction_id = ?");

	if (st != NULL && (cm_stmt_bind_i64(st, 0, r->customer_id) < 0 || cm_stmt_bind_str(st, 1, key) < 0)) {
		cm_stmt_close(st);
		st = NULL;
	}
	return poll_fetch(r, st, p);
}

/* The most recent RenewalReq stored under "R<id>:" + r's transactionID
 * (any id): 1 / 0 / -1 as poll_fetch. */
static int
poll_any_renewal(struct scep_req *r, struct poll_row *p)
{
	struct cm_stmt *st = cm_db_prepare(r->db, POLL_COLUMNS
	    " WHERE t.customer_id = ? AND t.message_type = 17 AND t.transaction_id LIKE 'R%'"
	    " AND SUBSTRING(t.transaction_id, LOCATE(':', t.transaction_id) + 1) = ?"
	    " ORDER BY t.id DESC LIMIT 1");

	if (st != NULL && (cm_stmt_bind_i64(st, 0, r->customer_id) < 0 ||
	    cm_stmt_bind_str(st, 1, r->msg.transaction_id) < 0)) {
		cm_stmt_close(st);
		st = NULL;
	}
	return poll_fetch(r, st, p);
}

/* How many renewals of renewals a CertPoll follows from the first
 * enrollment (one a year is decades). */
#define POLL_MAX_RENEWALS 32

/* No return value; see scepd.h. The subject is the CSR's (what a client
 * knows): it must match the transaction's subject hash (its CSR is not kept
 * once the request is decided).
 * The issuer is not compared: clients differ in which CA certificate's
 * name they send (the RA's, the issuing CA's).
 * Which transaction: clients that derive the transactionID from the key
 * (Debian's scepclient, scep-forge) renew with the ID of their first
 * enrollment, whose plain row answers the first certificate. So from that
 * row the renewals are followed, "R<certificate>:" + the ID (tx_key), to
 * the newest: a pending renewal's poll gets the renewal, not the
 * certificate it renews. Without a plain row (enrolled otherwise), the
 * newest renewal stored with that ID. */
void
scepd_poll(struct scep_req *r, X509_NAME *subject, struct scep_answer *a)
{
	struct poll_row p, next;
	char key[CM_SCEP_MAX_TRANSACTION_ID + 1];
	int f, same = 1;

	memset(&p, 0, sizeof(p));
	memset(&next, 0, sizeof(next));
	cm_buf_init(&p.csr, 0);
	cm_buf_init(&next.csr, 0);
	if ((f = poll_by_key(r, r->msg.transaction_id, &p)) == 1) {
		for (int i = 0; i < POLL_MAX_RENEWALS && p.cert_id > 0; i++) {
			struct cm_buf t;
			tx_key(r, p.cert_id, key, sizeof(key));
			if ((f = poll_by_key(r, key, &next)) <= 0)
				break;
			t = p.csr;
			p = next;
			next.csr = t;
		}
		if (f >= 0)
			f = 1;
	} else if (f == 0) {
		f = poll_any_renewal(r, &p);
	}
	if (f < 0) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "database", "the transaction could not be read");
		goto out;
	}
	if (f == 0) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "poll", "CertPoll for transaction %s, which is unknown", r->tid_shown);
		goto out;
	}
	if (p.has_subject) {
		char got[65];
		same = name_hash(subject, got) == 0 && strcmp(p.subject, got) == 0;
	} else if (p.csr.len > 0) {
		/* A transaction from before subject_sha256 (029): its request's CSR. */
		X509_REQ *req = NULL;
		char err[128];
		if (cm_csr_load(p.csr.data, p.csr.len, &req, err, sizeof(err)) == 0)
			same = X509_NAME_cmp(X509_REQ_get_subject_name(req), subject) == 0;
		X509_REQ_free(req);
	}
	if (!same) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "poll", "CertPoll for transaction %s names another subject", r->tid_shown);
		goto out;
	}
	answer_stored(r, p.key, p.status, p.cert_id, p.fail_info, a);
out:
	cm_buf_free(&p.csr);
	cm_buf_free(&next.csr);
}
