/* scepd.h: scep.fcgi's per-request and per-worker state, and the parts that share it (serve, ops, policy, transactions, lockout). */
#ifndef CM_SCEPD_H
#define CM_SCEPD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "buf.h"
#include "scep_msg.h"
#include "signer_client.h"
#include "web.h"

/* The audit rows' actor: who asked is a device, known only by its address. */
#define SCEPD_ACTOR "scep"
/* The signer profile of device types (clientAuth only): its requests are
 * held to the device-name rule of scepd_check_csr instead of smime's. */
#define SCEPD_DEVICE_PROFILE "client-device"
/* How long the issuing CA certificate (sent with every SUCCESS) is kept per
 * worker before signerd is asked again; GetCACert always asks. */
#define SCEPD_CA_CACHE_SECONDS 60
/* A worker's signer connection idle longer than this is replaced rather
 * than reused: well inside signerd's read_timeout_ms (default 5 s), so the
 * signer never closes it while a request is on its way. */
#define SCEPD_SIGNER_IDLE_MS 1000
/* A body must arrive within this long: a slow client cannot hold a worker. */
#define SCEPD_BODY_TIMEOUT_MS 5000

/* Wrong challenges (lockout.c): the window counted, the counts from one
 * address and against one customer from which requests are slowed, and
 * from which they are refused without the code being checked. */
#define SCEPD_LOCK_WINDOW_MIN 15
#define SCEPD_SLOW_ADDR 2
#define SCEPD_LOCK_ADDR 5
#define SCEPD_SLOW_CUSTOMER 20
#define SCEPD_LOCK_CUSTOMER 50
/* The longest a slowed request sleeps (a worker is not held longer). */
#define SCEPD_SLOW_MAX_MS 1000

/* Per worker. */
struct scepd {
	struct cm_web_app *app;
	int started;
	/* GetCACert and SUCCESS replies: DER of the RA certificate, the
	 * issuing CA and the root, as signerd gave them. */
	time_t ca_at;
	struct cm_buf ra, issuing, root;
	X509 *issuing_x;               /* parsed issuing CA (names, serial checks) */
	/* The worker's signer connection, kept from one request to the next
	 * (a connect per request costs signerd a thread and, at as many
	 * workers as max_connections_per_uid, a refused connection while
	 * the previous one is still being closed); when last used (monotonic ms). */
	struct cm_signer *sg;
	long long sg_used_ms;
};

/* One SCEP request: the URL's customer and type, the client, and what the
 * PKIOperation found; every part fills what it learns. */
struct scep_req {
	struct scepd *d;
	struct cm_db *db;
	struct cm_request *http;
	const char *addr;              /* REMOTE_ADDR or "-" */
	int64_t customer_id;
	char customer_uri[129];
	char type[33];                 /* the <type> segment */
	char profile[65];              /* its signer profile */
	struct cm_signer *sg;          /* the worker's, taken on first use (scepd_signer) */

	struct cm_scep_request msg;    /* the parsed pkiMessage */
	char cipher[16];               /* what the envelope used (scep-decrypt) */
	struct cm_buf content;         /* the decrypted content */
	char csr_sha256[65];
	char tid_shown[48];            /* the transactionID as logged (clipped) */
};

/* What a PKIOperation answers: the CertRep's status and failInfo, for
 * SUCCESS the certificate row (or a CRL), and the log line's rule. */
struct scep_answer {
	unsigned status;               /* CM_SCEP_SUCCESS / _FAILURE / _PENDING */
	unsigned fail_info;
	int64_t cert_id;               /* SUCCESS with a certificate */
	unsigned char *crl;            /* SUCCESS for GetCRL (malloc'ed) */
	size_t crl_len;
	const char *rule;              /* failure: the rule that refused (static) */
	int audited;                   /* its audit row is written already */
	char why[512];                 /* failure: the log line's detail (no secrets) */
};

/* serve.c: the FastCGI handler (the program's serve hook). */
void scepd_serve(void *app, struct cm_request *req, int parse_status, struct cm_response *resp);

/* context.c (used by every other part; it uses none of them) */
/* The worker's signer connection for this request (taken on first use:
 * the kept one when it is still usable, else a new one); NULL when signerd
 * cannot be reached (logged). */
struct cm_signer *scepd_signer(struct scep_req *r);
/* At the end of a request: keeps the connection it used for the next. */
void scepd_signer_release(struct scep_req *r);
/* Reloads the RA and CA certificates when older than SCEPD_CA_CACHE_SECONDS,
 * or now when fresh is set (GetCACert: a client must never be handed an RA
 * certificate signerd has rotated away). 0, or -1 (logged). */
int scepd_ca_refresh(struct scep_req *r, int fresh);
/* Fails an answer: status FAILURE with fail_info, the rule and a detail. */
void scepd_fail(struct scep_answer *a, unsigned fail_info, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ops.c */
/* GetCACert: the degenerate PKCS#7 into out. 0, or -1 (logged). */
int scepd_get_ca_cert(struct scep_req *r, struct cm_buf *out);
/* PKIOperation of the message p (len bytes): the CertRep into out. Returns
 * 200 with out filled, or 400 (no transactionID could be read: out holds a
 * one-line text) or 500 (the CertRep itself could not be made; logged). */
int scepd_pki_operation(struct scep_req *r, const unsigned char *p, size_t len, struct cm_buf *out);

/* policy.c */
/* The customer (enabled, SCEP on) and its type (listed, enabled): fills
 * r->customer_id and r->profile. 1 found, 0 not (404), -1 database. */
int scepd_find_customer_type(struct scep_req *r, const char *uri, const char *type);
/* The organisation/department whose access code is code, of r's customer:
 * 1 found with self enrollment on (*org, *dept; dept 0 for the
 * organisation), 0 no such code, 2 found but self enrollment is off, -1
 * database or no key (logged). */
int scepd_challenge_owner(struct scep_req *r, const char *code, int64_t *org, int64_t *dept);
/* The key rule (RSA >= 2048, EC P-256/P-384) and the subject rule: for
 * smime a CN and an e-mail address; for a type of profile client-device a
 * CN that is a DNS name or an e-mail address (no e-mail required). 0, or
 * -1 with a on FAILURE. */
int scepd_check_csr(struct scep_req *r, X509_REQ *req, struct scep_answer *a);
/* Every name of req in a domain delegated to org/dept for client
 * certificates (lib/ra_names.h). 0, or -1 with a on FAILURE. */
int scepd_check_names(struct scep_req *r, X509_REQ *req, int64_t org, int64_t dept, struct scep_answer *a);
/* The certificate row cert (DER) is, when it is one of r's customer's
 * issued and unexpired ones: *id, *org, *dept. 1 yes, 0 no (a filled), -1 database. */
int scepd_our_valid_cert(struct scep_req *r, const unsigned char *der, size_t len,
    int64_t *id, int64_t *org, int64_t *dept, struct scep_answer *a);

/* transactions.c */
/* PKCSReq / RenewalReq of r's CSR (req): the same transactionID answered
 * again, or a new transaction claimed, decided and recorded. renew_id 0
 * for PKCSReq. Fills a. */
void scepd_enroll(struct scep_req *r, X509_REQ *req, int64_t org, int64_t dept, int64_t renew_id,
    struct scep_answer *a);
/* 1 when r's transactionID has a row (answered in a), 0 none, -1 database. */
int scepd_replay(struct scep_req *r, struct scep_answer *a);
/* CertPoll: the transaction's state now (issuing an approved request). */
void scepd_poll(struct scep_req *r, X509_NAME *subject, struct scep_answer *a);
/* One audit row for a refused request (its own transaction). */
void scepd_audit_refusal(struct scep_req *r, const struct scep_answer *a);

/* lockout.c */
/* Before a challenge is checked: 0 go on (after a short sleep when the
 * address or customer is being slowed), 1 locked out (a filled, audited),
 * -1 database. */
int scepd_lockout_check(struct scep_req *r, struct scep_answer *a);
/* A wrong challenge: its scep_challenge_failures row and audit row in one
 * transaction. 0 or -1. */
int scepd_lockout_record(struct scep_req *r, const char *why);

#endif
