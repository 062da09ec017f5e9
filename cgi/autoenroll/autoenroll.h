/* autoenroll.h: autoenroll.fcgi's per-request and per-worker state and the parts that share it (serve, intake, policy, directory, person, enroll). */
#ifndef CM_AUTOENROLL_H
#define CM_AUTOENROLL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "ad_lookup.h"
#include "buf.h"
#include "codes.h"
#include "request.h"
#include "signer_client.h"
#include "web.h"

/* The whole body (url-encoded or multipart), as the endpoint's contract says. */
#define AED_MAX_BODY (64 * 1024)
/* A body must arrive within this long: a slow client cannot hold a worker. */
#define AED_BODY_TIMEOUT_MS 5000
/* The signer profile every certificate of this endpoint is issued under. */
#define AED_PROFILE "client-smime"
/* days: renew when fewer than this many days are left. */
#define AED_DAYS_DEFAULT 30
#define AED_DAYS_MAX 3650
/* Per-worker cache of directory answers (directory.c): how many users. */
#define AED_CACHE_SLOTS 64

enum aed_action { AED_ENROLL, AED_STATUS, AED_RENEW };

/* The form fields, checked (intake.c). csr points into the request's form
 * (or the worker's upload buffer) and is not owned. */
struct aed_fields {
	enum aed_action action;
	char serial[33];               /* 32 lowercase hex digits (zero-padded), "" none */
	int64_t orgid;                 /* 0: none */
	long days;
	int pem;                       /* format=pem: a PEM chain instead of PKCS#7 */
	const char *csr;
	size_t csr_len;
};

/* What the CSR says (intake.c). */
struct aed_csr {
	X509_REQ *req;
	char email[256];               /* the e-mail (subject emailAddress or SAN rfc822Name) */
	int emails_agree;              /* every e-mail of the CSR is the same address (case aside) */
	char cn[256];                  /* the one CN, "" none */
	char spki_sha256[65];          /* SHA-256 of its SubjectPublicKeyInfo, hex */
};

/* One cached directory answer (directory.c). */
struct aed_cached_user {
	int64_t server_id;
	uint64_t server_sig;           /* what the server row said (URIs, DNs, bind): an edit is a miss */
	char principal[257];
	time_t at;
	struct cm_ad_user u;
};

/* Per-worker LDAP connections kept between requests (directory.c): how
 * many AD servers at once, and how long one connection is used at most. */
#define AED_LDAP_SLOTS 8
#define AED_LDAP_KEEP_SECONDS 300

/* One kept, bound LDAP connection (directory.c). */
struct aed_ldap_conn {
	int64_t server_id;
	uint64_t server_sig;           /* as aed_cached_user's: an edit of the server row closes it */
	time_t at;                     /* when it was bound */
	time_t used;                   /* last search (the slot to replace is the least recently used) */
	struct cm_ad_conn *conn;
};

/* The CA chain answers carry, kept per worker (enroll.c). */
#define AED_CHAIN_KEEP_SECONDS 300

/* Per worker. */
struct aed_worker {
	struct cm_web_app *app;
	int started;
	long cache_seconds;            /* [autoenroll] ad_cache_seconds; 0 off */
	struct aed_cached_user cache[AED_CACHE_SLOTS];
	struct aed_ldap_conn ldap[AED_LDAP_SLOTS];
	STACK_OF(X509) *chain;         /* issuing CA first, then the root; NULL none kept */
	time_t chain_at;
};

/* One request: what each step learns, and the answer. */
struct aed_req {
	struct aed_worker *w;
	struct cm_db *db;
	struct cm_request *http;
	const char *addr;              /* REMOTE_ADDR or "-" */
	struct cm_signer *sg;          /* connected on first use (aed_signer) */

	char customer_uri[65];
	int64_t customer_id;           /* 0 until step 1 found it: no audit row before */
	char principal[257];           /* "alice@CORP.EXAMPLE.COM" once REMOTE_USER is good */
	char realm[254];
	int64_t realm_id;
	char windows_domain[254];
	struct aed_fields f;
	unsigned char *upload;         /* a CSR sent as a multipart file (malloc'ed) */

	int64_t org_id;
	struct cm_ad_server ad;        /* the organisation's AD server (loaded) */
	int ad_loaded;
	int ad_other_domain;           /* the server is the default one, of another domain */
	struct cm_ad_user user;        /* step 3 */
	int cached;                    /* the user came from the cache */
	struct aed_csr csr;
	int64_t person_id;

	/* where the time went, for the log line (ms; -1 not reached) */
	long ms_ad, ms_issue;

	/* the answer */
	int code;                      /* AED_* */
	int http_status;               /* 0: the code's default */
	char detail[512];              /* the log line's detail (never the CSR or a secret) */
	const char *result;            /* "issued", "renewed", "valid", "due" or NULL */
	int64_t cert_id;               /* the certificate answered or talked about */
	char serial[33];
	char not_after[32];            /* ISO 8601 UTC */
	long days_left;
	struct cm_buf body;            /* a certificate answer's body */
	const char *content_type;
};

/* serve.c: the FastCGI handler (the program's serve hook). */
void aed_serve(void *app, struct cm_request *req, int parse_status, struct cm_response *resp);

/* context.c (used by every other part; it uses none of them) */
/* Milliseconds on the monotonic clock. */
long aed_now_ms(void);
/* Notes a refusal: code, HTTP status (0: the code's) and the log's detail.
 * Always returns -1, so that a step can `return aed_fail(...)`. */
int aed_fail(struct aed_req *r, int code, int http_status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The request's signer connection (made on first use); NULL when signerd
 * cannot be reached (logged). */
struct cm_signer *aed_signer(struct aed_req *r);

/* auth.c: the authentication hook: REMOTE_USER to the principal. */
/* 0 with r->principal and r->realm, or -1 (27, noted). */
int aed_authenticate(struct aed_req *r);

/* intake.c: the request's fields and CSR, no database (tests/fuzz/fuzz_autoenroll.c). */
/* The fields from form (n params): 0 with f filled, or a code (6, 21, 24)
 * with why. An absent csr leaves f->csr NULL (29 is the caller's). */
int aed_parse_fields(const struct cm_param *form, size_t n, struct aed_fields *f, char *why, size_t whylen);
/* REMOTE_USER "user@REALM" split: 0, or -1 when it is not one principal of
 * a user (no '@', empty part, a '/' (a service), control bytes, too long). */
int aed_parse_principal(const char *remote_user, char *user, size_t userlen, char *realm, size_t realmlen);
/* A serial as hex (colons allowed, any case, at most 16 bytes) into out[33]
 * (lowercase, zero-padded to 32 digits). 0 / -1. */
int aed_parse_serial(const char *s, char out[33]);
/* The CSR: PEM (or DER) PKCS#10 within CM_X509_MAX_INPUT, its signature
 * good, RSA >= 2048 or EC P-256/P-384, one CN at most; its e-mail
 * addresses. 0 with c filled (free with aed_csr_free, also on failure), or
 * a code: 15 (invalid), 26 (no e-mail), with why. */
int aed_csr_intake(const char *data, size_t len, struct aed_csr *c, char *why, size_t whylen);
void aed_csr_free(struct aed_csr *c);

/* policy.c: steps 1 and 2 against the database. Each returns 0 (go on), or
 * -1 with the refusal noted (aed_fail). */
/* The customer of r->customer_uri (1, 2, 3). */
int aed_find_customer(struct aed_req *r);
/* The ticket's realm is a live realm of the customer (10). */
int aed_find_realm(struct aed_req *r);
/* The organisation (6, 7, 8, 9, 11) and its AD server, loaded (10, 12, 13). */
int aed_find_org(struct aed_req *r);
/* The e-mail's domain is delegated to the organisation for S/MIME (4, 5). */
int aed_check_domain(struct aed_req *r);

/* directory.c: step 3. */
/* The user of r->principal in r->ad (the worker's cache first): 0 with
 * r->user, or -1 (13, 16, 17, 10 noted). */
int aed_lookup_user(struct aed_req *r);
/* Forgets what the cache holds for (server, principal). */
void aed_cache_forget(struct aed_worker *w, int64_t server_id, const char *principal);

/* person.c: step 5's person. */
/* The person of r's customer with the AD mail: created or brought up to
 * date (names, principal, organisation) with its audit row, in a
 * transaction left open (the issuance joins it; serve.c commits it with a
 * successful answer, rolls it back otherwise); 0 with r->person_id, or -1
 * (20, 14 noted). */
int aed_sync_person(struct aed_req *r);
/* Read only (status): 0 with r->person_id, or -1 (22, 28, 20, 23 noted). */
int aed_find_person(struct aed_req *r);

/* enroll.c: steps 5 and 6. Each returns 0 with the answer set, or -1 noted. */
int aed_enroll(struct aed_req *r);
int aed_status(struct aed_req *r);
int aed_renew(struct aed_req *r);

#endif
