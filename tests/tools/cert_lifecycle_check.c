/* cert_lifecycle_check.c: every transition of lib/cert_lifecycle.c against the stack's real MariaDB and signer (run by tests/integration/86-cert-lifecycle.sh); prints TAP. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cert_lifecycle.h"
#include "db.h"
#include "log.h"
#include "revocation_reason.h"
#include "settings.h"
#include "signer_client.h"
#include "x509util.h"
#include "../unit/tap.h"

#define ACTOR "test:86"
/* Requests are made by another actor: the approver may not be the requester. */
#define REQUESTER "test:86-requester"

/* A user variable only this session sets: the trigger the script creates
 * refuses an audit row of that action, so a write fails halfway. */
#define FAIL_TRIGGER \
	"CREATE OR REPLACE TRIGGER audit_log_test_86_fail BEFORE INSERT ON audit_log FOR EACH ROW" \
	" IF @cm_test_86_fail IS NOT NULL AND NEW.action =" \
	" CAST(@cm_test_86_fail AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_unicode_ci THEN" \
	" SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'test 86: this audit row is refused';" \
	" END IF"

static struct cm_db *db;
static struct cm_db *owner_db;   /* creates and drops the test trigger */
static int64_t cust;

/* Reads a whole file (a CSR) into *out; 0 or -1. */
static int
slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
		return -1;
	buf = malloc(65536 + 1);
	n = buf ? fread(buf, 1, 65536, f) : 0;
	fclose(f);
	if (buf == NULL || n == 0) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* The first column of the first row of sql with "?" bound to id (and a
 * second "?" to id2 when sql has one), as text in a static buffer:
 * "NULL" for SQL NULL, "<none>" for no row, "<error>" on errors. */
static const char *
q(const char *sql, int64_t id, int64_t id2)
{
	static char val[1024];
	struct cm_stmt *st = cm_db_prepare(db, sql);
	const char *first = strchr(sql, '?');
	int two = first && strchr(first + 1, '?') != NULL;
	int f = -1;

	snprintf(val, sizeof(val), "<error>");
	if (st && cm_stmt_bind_i64(st, 0, id) == 0 && (!two || cm_stmt_bind_i64(st, 1, id2) == 0) &&
	    cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (f == 0)
		snprintf(val, sizeof(val), "<none>");
	else if (f == 1)
		snprintf(val, sizeof(val), "%s", cm_stmt_is_null(st, 0) ? "NULL" : cm_stmt_str(st, 0, NULL));
	if (f < 0)
		printf("# query failed: %s: %s\n", sql, cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	return val;
}

/* certificates.COL of row id (COL is a constant column list). */
#define col(id, what) q("SELECT " what " FROM certificates WHERE id = ?", (id), 0)
/* Audit rows of action about certificate id. */
static long
naudit(int64_t id, const char *action)
{
	struct cm_stmt *st = cm_db_prepare(db,
	    "SELECT COUNT(*) FROM audit_log WHERE object_type = 'certificate' AND object_id = ? AND action = ?");
	char idstr[32];
	long n = -1;

	snprintf(idstr, sizeof(idstr), "%lld", (long long)id);
	if (st && cm_stmt_bind_str(st, 0, idstr) == 0 && cm_stmt_bind_str(st, 1, action) == 0 &&
	    cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1)
		n = (long)cm_stmt_i64(st, 0);
	if (st)
		cm_stmt_close(st);
	return n;
}
/* The after_json of the newest audit row of action about id. */
static const char *
audit_after(int64_t id, const char *action)
{
	static char val[2048];
	struct cm_stmt *st = cm_db_prepare(db,
	    "SELECT CONCAT(COALESCE(before_json, '-'), ' => ', after_json) FROM audit_log"
	    " WHERE object_type = 'certificate' AND object_id = ? AND action = ? ORDER BY id DESC LIMIT 1");
	char idstr[32];

	snprintf(val, sizeof(val), "<none>");
	snprintf(idstr, sizeof(idstr), "%lld", (long long)id);
	if (st && cm_stmt_bind_str(st, 0, idstr) == 0 && cm_stmt_bind_str(st, 1, action) == 0 &&
	    cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1)
		snprintf(val, sizeof(val), "%s", cm_stmt_str(st, 0, NULL) ? cm_stmt_str(st, 0, NULL) : "");
	if (st)
		cm_stmt_close(st);
	return val;
}
/* Every certificate and audit row there is: a write that left anything behind changes one. */
static long long
rows(void)
{
	return atoll(q("SELECT (SELECT COUNT(*) FROM certificates WHERE customer_id = ?)"
	    " + (SELECT COUNT(*) FROM audit_log WHERE id > ?)", cust, 0));
}
/* Rows with serial number serial (any customer); -1 on errors. */
static long
count_serial(const char *serial)
{
	struct cm_stmt *st = cm_db_prepare(db, "SELECT COUNT(*) FROM certificates WHERE serial_hex = ?");
	long n = -1;

	if (st && cm_stmt_bind_str(st, 0, serial) == 0 && cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1)
		n = (long)cm_stmt_i64(st, 0);
	if (st)
		cm_stmt_close(st);
	return n;
}
static int
has(const char *s, const char *sub)
{
	return s && strstr(s, sub) != NULL;
}

int
main(int argc, char **argv)
{
	struct cm_settings set;
	struct cm_signer *sg = NULL;
	struct cm_csr_request in;
	struct cm_issued_cert out;
	struct cm_cert_actor who;
	char err[512], *csr[9] = { NULL };
	size_t csrlen[9] = { 0 };
	int64_t manual, autoorg, R, D, I, S, Q, N1, N2;
	int approved, r;
	long long before;

	if (argc != 6) {
		fprintf(stderr, "usage: cert-lifecycle-check CONF CUSTOMER_ID MANUAL_ORG AUTO_ORG CSR_DIR\n"
		    "  CSR_DIR holds 1.csr .. 8.csr, each for a distinct name in a domain delegated\n"
		    "  for SSL to both organisations (MANUAL_ORG approves by hand, AUTO_ORG at once)\n");
		return 2;
	}
	cm_log_init("cert-lifecycle-check", CM_LOG_ERR, 0);
	cust = atoll(argv[2]);
	manual = atoll(argv[3]);
	autoorg = atoll(argv[4]);
	for (int i = 1; i <= 8; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%d.csr", argv[5], i);
		if (slurp(path, &csr[i], &csrlen[i]) < 0) {
			fprintf(stderr, "%s: cannot read\n", path);
			return 2;
		}
	}
	if (cm_settings_load(&set, argv[1], err, sizeof(err)) < 0 ||
	    cm_db_connect(&db, &set, err, sizeof(err)) < 0 ||
	    cm_signer_connect(&sg, set.signer_socket, (int)set.signer_timeout_ms, err, sizeof(err)) != 0) {
		fprintf(stderr, "setup: %s\n", err);
		return 2;
	}
	{
		/* The programs' account may not create triggers (issue 8): the
		 * fixture is made with the database owner's account when the stack
		 * names it ($CERTMINT_DB_MIGRATE_USER/_PASSWORD). */
		struct cm_settings owner = set;
		const char *ou = getenv("CERTMINT_DB_MIGRATE_USER"), *op = getenv("CERTMINT_DB_MIGRATE_PASSWORD");

		if (ou && op) {
			owner.db_user = (char *)ou;
			owner.db_password = (char *)op;
		}
		ok(cm_db_connect(&owner_db, &owner, err, sizeof(err)) == 0 &&
		    cm_db_exec(owner_db, FAIL_TRIGGER) == 0,
		    "a trigger that can refuse this session's audit rows");
	}

	memset(&in, 0, sizeof(in));
	in.actor = REQUESTER;
	in.customer_id = cust;
	in.org_id = manual;
	in.profile = "tls-server";
	who.actor = ACTOR;
	who.remote_addr = "192.0.2.86";
	who.customer_id = cust;
#define CSR(i) (in.csr = csr[i], in.csr_len = csrlen[i])

	/* ---- request */
	CSR(1);
	r = cm_cert_request(db, &in, &R, err, sizeof(err));
	is_int(r, 0, "request: stored");
	is_str(col(R, "status"), "requested", "... status requested");
	is_str(col(R, "csr IS NOT NULL AND der IS NULL"), "1", "... with its CSR and no certificate");
	is_int(naudit(R, "certificate.request"), 1, "... one audit row certificate.request");

	/* ---- a wrong transition is refused and changes nothing */
	before = rows();
	r = cm_cert_revoke(db, &who, R, 1, err, sizeof(err));
	is_int(r, 409, "revoking a request: 409");
	ok(has(err, "This certificate is requested. Only an issued certificate can be revoked"), "... saying why (%s)", err);
	is_str(col(R, "CONCAT(status, '/', revocation_reason IS NULL)"), "requested/1", "... still a request");
	is_int(rows(), before, "... no row written");
	r = cm_cert_expire(db, &who, R, "requested", "2000-01-01 00:00:00", err, sizeof(err));
	is_int(r, 409, "expiring a request: 409");

	/* ---- another customer's row reads as missing */
	{
		struct cm_cert_actor other = who;

		other.customer_id = cust + 1000000;
		r = cm_cert_approve(db, sg, &other, R, &approved, err, sizeof(err));
		is_int(r, 400, "another customer's actor: 400 (no such certificate)");
		is_str(col(R, "status"), "requested", "... still a request");
	}

	/* ---- the requester may not approve their own request (approval.self_approve is off) */
	{
		struct cm_cert_actor self = who;

		self.actor = REQUESTER;
		r = cm_cert_approve(db, sg, &self, R, &approved, err, sizeof(err));
		is_int(r, 403, "the requester approving their own request: 403");
		is_int(approved, 0, "... not approved");
		ok(has(err, "another administrator must approve it"), "... saying why (%s)", err);
		is_str(col(R, "status"), "requested", "... still a request");
		is_int(naudit(R, "certificate.approve_refused"), 1, "... the refusal audited");
	}

	/* ---- approve while the signer is unreachable: approved, the reason kept */
	r = cm_cert_approve(db, NULL, &who, R, &approved, err, sizeof(err));
	is_int(r, 503, "approve without a signer: 503 (a signer fault, nothing issued)");
	is_int(approved, 1, "... but approved");
	ok(has(err, "the signer is not answering: nothing was issued"), "... saying so (%s)", err);
	is_str(col(R, "CONCAT(status, '/', approved_by, '/', issue_error)"),
	    "approved/" ACTOR "/" CM_SIGNER_UNREACHABLE, "... status approved, issue_error set");
	is_int(naudit(R, "certificate.approve"), 1, "... one audit row certificate.approve");
	is_int(naudit(R, "certificate.issue_failed"), 1, "... and one certificate.issue_failed");
	ok(has(audit_after(R, "certificate.issue_failed"), "\"reason\":\"" CM_SIGNER_UNREACHABLE_REASON "\""),
	    "... whose reason says the signer was not reachable");

	/* ---- approve again ("Issue now"): issued by the signer */
	r = cm_cert_approve(db, sg, &who, R, &approved, err, sizeof(err));
	is_int(r, 0, "approve an approved request: issued");
	is_str(col(R, "CONCAT(status, '/', LENGTH(serial_hex), '/', der IS NOT NULL, '/', issue_error IS NULL)"),
	    "issued/32/1/1", "... the same row is issued, with serial and DER, issue_error cleared");
	is_int(naudit(R, "certificate.issue"), 1, "... one audit row certificate.issue");
	ok(has(audit_after(R, "certificate.issue"), "{\"status\": \"approved\"} => ") ||
	    has(audit_after(R, "certificate.issue"), "{\"status\":\"approved\"} => "), "... before: approved");

	/* ---- revoke */
	r = cm_cert_revoke(db, &who, R, 7, err, sizeof(err));
	is_int(r, 400, "a reason not offered (7): 400");
	r = cm_cert_revoke(db, &who, R, 1, err, sizeof(err));
	is_int(r, 0, "revoke with keyCompromise");
	is_str(col(R, "CONCAT(status, '/', revocation_reason, '/', revoked_at IS NOT NULL)"), "revoked/1/1",
	    "... revoked, reason 1, with a time");
	ok(has(audit_after(R, "certificate.revoke"), "\"reason\":\"keyCompromise\""), "... audited with the reason");
	before = rows();
	is_int(cm_cert_revoke(db, &who, R, 4, err, sizeof(err)), 409, "revoking twice: 409");
	is_str(col(R, "revocation_reason"), "1", "... the first reason stays");
	is_int(rows(), before, "... no row written");

	/* ---- decline */
	CSR(2);
	is_int(cm_cert_request(db, &in, &D, err, sizeof(err)), 0, "a second request");
	is_int(cm_cert_decline(db, &who, D, "  \n", err, sizeof(err)), 400, "decline without a message: 400");
	is_str(col(D, "status"), "requested", "... still a request");
	is_int(cm_cert_decline(db, &who, D, "use the wildcard", err, sizeof(err)), 0, "decline with a message");
	is_str(col(D, "CONCAT(status, '/', decline_message, '/', approved_by)"),
	    "declined/use the wildcard/" ACTOR, "... declined, message and actor stored");
	is_int(naudit(D, "certificate.decline"), 1, "... one audit row certificate.decline");
	is_int(cm_cert_approve(db, sg, &who, D, &approved, err, sizeof(err)), 409, "approving a declined request: 409");
	is_int(approved, 0, "... not approved");

	/* ---- direct issue */
	in.org_id = autoorg;
	CSR(3);
	r = cm_cert_issue(db, sg, &in, &out, err, sizeof(err));
	I = out.cert_id;
	is_int(r, 0, "direct issue");
	ok(out.pem && has(out.pem, "BEGIN CERTIFICATE") && strlen(out.serial_hex) == 32, "... returns the PEM and serial");
	free(out.pem);
	is_str(col(I, "CONCAT(status, '/', renews_id IS NULL)"), "issued/1", "... status issued, renewing nothing");
	is_int(naudit(I, "certificate.issue"), 1, "... one audit row certificate.issue");

	/* ---- supersede: the replacement stored and the old one revoked together */
	CSR(4);
	r = cm_cert_supersede(db, sg, I, &in, &out, err, sizeof(err));
	S = out.cert_id;
	free(out.pem);
	is_int(r, 0, "supersede");
	is_str(col(I, "CONCAT(status, '/', revocation_reason)"), "revoked/4", "... the old certificate is revoked (superseded)");
	{
		char want[64];

		snprintf(want, sizeof(want), "issued/%lld", (long long)I);
		is_str(col(S, "CONCAT(status, '/', renews_id)"), want, "... the new one issued, linked to the old one");
		snprintf(want, sizeof(want), "\"superseded_by\":%lld", (long long)S);
		ok(has(audit_after(I, "certificate.revoke"), want), "... revoke audited with superseded_by");
		snprintf(want, sizeof(want), "\"supersedes\":%lld", (long long)I);
		ok(has(audit_after(S, "certificate.issue"), want), "... issue audited with supersedes");
	}
	is_str(q("SELECT (SELECT MAX(id) FROM audit_log WHERE object_id = ? AND action = 'certificate.revoke')"
	    " - (SELECT MAX(id) FROM audit_log WHERE object_id = ? AND action = 'certificate.issue')", I, S), "1",
	    "... the two audit rows are consecutive (one transaction holds the chain head)");
	before = rows();
	CSR(5);
	is_int(cm_cert_supersede(db, sg, I, &in, &out, err, sizeof(err)), 409, "superseding a revoked certificate: 409");
	free(out.pem);
	is_int(rows(), before, "... nothing written, nothing signed into the table");

	/* ---- a failure halfway through supersede leaves nothing half-written */
	before = rows();
	ok(cm_db_exec(db, "SET @cm_test_86_fail = 'certificate.revoke'") == 0, "the revoke's audit row will fail");
	r = cm_cert_supersede(db, sg, S, &in, &out, err, sizeof(err));
	free(out.pem);
	is_int(r, 500, "supersede whose revoke cannot be audited: 500");
	ok(has(err, "was issued but could not be stored"), "... saying the certificate is in the signer's journal only");
	is_str(col(S, "status"), "issued", "... the old certificate is still issued");
	is_int(rows(), before, "... no certificate row, no audit row left behind");
	{
		const char *p = strstr(err, "(serial ");
		char serial[33] = "";

		if (p)
			sscanf(p, "(serial %32[0-9a-f])", serial);
		ok(strlen(serial) == 32, "... the message names the serial");
		is_int(count_serial(serial), 0, "... no row carries it");
	}

	/* ---- a failure in a simple transition: the status change is rolled back with its audit row */
	in.org_id = manual;
	CSR(6);
	is_int(cm_cert_request(db, &in, &Q, err, sizeof(err)), 0, "a third request");
	ok(cm_db_exec(db, "SET @cm_test_86_fail = 'certificate.decline'") == 0, "the decline's audit row will fail");
	before = rows();
	is_int(cm_cert_decline(db, &who, Q, "no", err, sizeof(err)), 500, "decline that cannot be audited: 500");
	is_str(col(Q, "CONCAT(status, '/', decline_message IS NULL, '/', approved_by IS NULL)"), "requested/1/1",
	    "... the request is unchanged");
	is_int(rows(), before, "... nothing left behind");
	ok(cm_db_exec(db, "SET @cm_test_86_fail = 'certificate.request'") == 0, "the request's audit row will fail");
	before = rows();
	{
		int64_t id = -1;

		CSR(7);
		is_int(cm_cert_request(db, &in, &id, err, sizeof(err)), 500, "request that cannot be audited: 500");
		is_int(id, 0, "... no id given back");
	}
	is_int(rows(), before, "... no row inserted");
	ok(cm_db_exec(db, "SET @cm_test_86_fail = NULL") == 0, "audit rows are accepted again");

	/* ---- renew: linked to the old certificate; the approval rule decides */
	in.renews_id = D;
	CSR(7);
	r = cm_cert_renew(db, sg, &in, &out, err, sizeof(err));
	free(out.pem);
	is_int(r, 409, "renewing a declined request: 409");
	in.renews_id = S;
	r = cm_cert_renew(db, sg, &in, &out, err, sizeof(err));
	N1 = out.cert_id;
	is_int(r, 0, "renew into an organisation that approves by hand");
	ok(out.pem == NULL && out.serial_hex[0] == '\0', "... gives a request, no certificate");
	free(out.pem);
	{
		char want[64];

		snprintf(want, sizeof(want), "requested/%lld", (long long)S);
		is_str(col(N1, "CONCAT(status, '/', renews_id)"), want, "... status requested, linked to the renewed one");
		snprintf(want, sizeof(want), "\"renews\":%lld", (long long)S);
		ok(has(audit_after(N1, "certificate.request"), want), "... audited with renews");
	}
	in.org_id = autoorg;
	CSR(8);
	{
		long long failed0 = atoll(q("SELECT COUNT(*) FROM audit_log WHERE customer_id = ?"
		    " AND action = 'certificate.issue_failed' AND id > ?", cust, 0));

		r = cm_cert_renew(db, NULL, &in, &out, err, sizeof(err));
		free(out.pem);
		is_int(r, 503, "renew that must be issued at once, without a signer: 503");
		is_str(err, CM_SIGNER_UNREACHABLE, "... the signer is not answering");
		is_int(out.cert_id, 0, "... no row");
		is_int(atoll(q("SELECT COUNT(*) FROM audit_log WHERE customer_id = ?"
		    " AND action = 'certificate.issue_failed' AND id > ?", cust, 0)), failed0 + 1,
		    "... a certificate.issue_failed audit row");
	}
	r = cm_cert_renew(db, sg, &in, &out, err, sizeof(err));
	N2 = out.cert_id;
	ok(r == 0 && out.pem != NULL, "renew into an organisation that approves at once: issued");
	free(out.pem);
	{
		char want[64];

		snprintf(want, sizeof(want), "issued/%lld", (long long)S);
		is_str(col(N2, "CONCAT(status, '/', renews_id)"), want, "... linked to the renewed one");
	}
	is_str(col(S, "status"), "issued", "... and the renewed one stays issued (renewal is not supersede)");

	/* ---- expire (the caller's transaction: the expiry job commits a batch) */
	ok(cm_db_begin(db) == 0, "a transaction for the expiry");
	r = cm_cert_expire(db, &who, N2, "issued", "2000-01-01 00:00:00", err, sizeof(err));
	is_int(r, 0, "expire an issued certificate");
	r = cm_cert_expire(db, &who, R, "issued", "2000-01-01 00:00:00", err, sizeof(err));
	is_int(r, 409, "expire a row read as issued that is revoked now: 409 (changed meanwhile)");
	ok(cm_db_commit(db) == 0, "... committed");
	is_str(col(N2, "status"), "expired", "... status expired");
	ok(has(audit_after(N2, "certificate.expire"), "\"not_after\":\"2000-01-01 00:00:00\""),
	    "... audited with the notAfter it was expired for");
	is_str(col(R, "status"), "revoked", "... the revoked one stays revoked");
	is_int(cm_cert_expire(db, &who, R, "revoked", "2000-01-01 00:00:00", err, sizeof(err)), 409,
	    "expiring a revoked certificate: 409");

	/* ---- recover: a certificate the signer issued that has no row (the
	 * journal check's import), and the MRAO's acknowledgement */
	{
		struct cm_signer_issue_req sreq;
		struct cm_signer_issue_reply sres;
		struct cm_cert_recovery rec;
		struct cm_cert_recovered got;
		struct cm_buf der;
		X509_REQ *req = NULL;
		long acked = -1;
		int64_t id;

		memset(&sreq, 0, sizeof(sreq));
		memset(&sres, 0, sizeof(sres));
		cm_buf_init(&der, 0);
		ok(cm_csr_load(csr[5], csrlen[5], &req, err, sizeof(err)) == 0 && cm_csr_der(req, &der) == 0,
		    "a CSR for the signer alone");
		sreq.profile = "tls-server";
		sreq.csr_der = (const unsigned char *)der.data;
		sreq.csr_len = der.len;
		is_int(cm_signer_issue(sg, &sreq, &sres, err, sizeof(err)), 0, "the signer issues it: no row");
		memset(&rec, 0, sizeof(rec));
		rec.der = sres.der;
		rec.der_len = sres.der_len;
		rec.serial_hex = sres.serial_hex;
		rec.profile = "tls-server";
		rec.journalled_at = "2026-01-01T00:00:00Z";
		rec.uid = 0;
		rec.journal = "test-86";
		rec.default_customer_id = cust;
		ok(cm_db_exec(db, "SET @cm_test_86_fail = 'certificate.recovered'") == 0, "the recovery's audit row will fail");
		before = rows();
		is_int(cm_cert_recover(db, ACTOR, &rec, &got, err, sizeof(err)), 500, "recover that cannot be audited: 500");
		is_int(rows(), before, "... no row, no audit row left behind");
		is_int(count_serial(sres.serial_hex), 0, "... the serial still has no row");
		ok(cm_db_exec(db, "SET @cm_test_86_fail = NULL") == 0, "audit rows are accepted again");
		is_int(cm_cert_recover(db, ACTOR, &rec, &got, err, sizeof(err)), 0, "recover: imported");
		id = got.cert_id;
		is_str(col(id, "CONCAT(status, '/', recovered_at IS NOT NULL, '/', recovery_ack_at IS NULL)"),
		    "issued/1/1", "... status issued, flagged recovered, not acknowledged");
		is_int(count_serial(sres.serial_hex), 1, "... one row for the serial");
		is_int(naudit(id, "certificate.recovered"), 1, "... one audit row certificate.recovered");
		ok(has(audit_after(id, "certificate.recovered"), "\"journal\":\"test-86\""), "... naming the journal");
		rec.default_customer_id = cust + 1000;
		is_int(cm_cert_recover(db, ACTOR, &rec, &got, err, sizeof(err)), 409, "recovering it again: 409");
		is_int(count_serial(sres.serial_hex), 1, "... still one row");
		rec.serial_hex = "00";
		is_int(cm_cert_recover(db, ACTOR, &rec, &got, err, sizeof(err)), 400,
		    "a record whose DER has another serial: 400");
		ok(cm_db_exec(db, "SET @cm_test_86_fail = 'certificate.recovery_acknowledged'") == 0,
		    "the acknowledgement's audit row will fail");
		is_int(cm_cert_recovery_ack(db, &who, &acked, err, sizeof(err)), 500, "acknowledge that cannot be audited: 500");
		is_str(col(id, "recovery_ack_at IS NULL"), "1", "... the row is not acknowledged");
		ok(cm_db_exec(db, "SET @cm_test_86_fail = NULL") == 0, "audit rows are accepted again");
		is_int(cm_cert_recovery_ack(db, &who, &acked, err, sizeof(err)), 0, "acknowledge");
		ok(acked >= 1, "... at least the recovered row (%ld)", acked);
		is_str(col(id, "CONCAT(recovery_ack_at IS NOT NULL, '/', recovery_ack_by)"), "1/" ACTOR, "... recorded on the row");
		is_int(cm_cert_recovery_ack(db, &who, &acked, err, sizeof(err)), 0, "acknowledging again");
		is_int(acked, 0, "... finds nothing to acknowledge");
		X509_REQ_free(req);
		cm_buf_free(&der);
		cm_signer_issue_reply_free(&sres);
	}

	ok(owner_db && cm_db_exec(owner_db, "DROP TRIGGER IF EXISTS audit_log_test_86_fail") == 0,
	    "the test trigger is dropped");
	cm_db_close(owner_db);
	{
		int64_t bad = 0;
		char berr[256];

		is_int(cm_audit_verify(db, &bad, berr, sizeof(berr)), 0, "the audit chain is intact after the failures");
	}
	for (int i = 1; i <= 8; i++)
		free(csr[i]);
	cm_signer_close(sg);
	cm_db_close(db);
	cm_settings_free(&set);
	return tap_done();
}
