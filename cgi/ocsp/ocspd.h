/* ocspd.h: ocsp.fcgi's per-worker state and the parts that share it (issuer, revocations, live signing, responder). */
#ifndef CM_OCSPD_H
#define CM_OCSPD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ocsp_request.h"
#include "ocsp_store.h"
#include "web.h"

/* OCSPResponseStatus values (RFC 6960 4.2.1) this responder sends. */
#define OCSPD_SUCCESSFUL 0
#define OCSPD_MALFORMED 1
#define OCSPD_INTERNAL_ERROR 2
#define OCSPD_TRY_LATER 3
#define OCSPD_UNAUTHORIZED 6

/* A stored or cached response is served while nextUpdate is at least this
 * far away; after that a fresh one is signed. */
#define OCSPD_FRESH_MARGIN 60
/* Revocations are looked up from this long before the store's watermark
 * (clock differences between the refresh job and the database). */
#define OCSPD_WATERMARK_SLACK 5
/* Without a successful revocation poll for this long the store is not
 * trusted (every request goes live, which needs the database anyway). */
#define OCSPD_POLL_STALE 30
/* More revocations than this since the watermark: the store is not trusted. */
#define OCSPD_MAX_RECENT 100000
/* Live responses kept per worker (one CertID, no nonce). */
#define OCSPD_CACHE_SLOTS 256
/* Live signatures per worker and second; beyond them tryLater. */
#define OCSPD_LIVE_RATE 200
/* How long a live answer may wait for signerd. */
#define OCSPD_SIGNER_TIMEOUT_MS 5000

struct ocspd_cached {
	char serial_hex[2 * CM_OCSP_REQ_SERIAL_LEN + 1];   /* "" = free slot */
	unsigned hash;
	int status;                    /* CM_OCSP_GOOD / _REVOKED / _UNKNOWN */
	time_t this_update, next_update;
	unsigned char *der;
	size_t len;
};

/* What a successful answer sends. der is borrowed (the store buffer, a
 * cache slot) unless owned is set, then the responder frees it. */
struct ocspd_answer {
	const unsigned char *der;
	size_t len;
	unsigned char *owned;
	time_t this_update, next_update;
};

struct ocspd {
	struct cm_web_app *app;
	int started;
	time_t started_wall;
	int store_fd;                  /* [ocsp] store, or -1 */

	/* The issuing CA: CertID hashes per CM_OCSP_HASH_* (index 1..4). */
	int have_issuer;
	unsigned char name_hash[5][64], key_hash[5][64];
	size_t hash_len[5];
	int64_t issuer_row;            /* its ca_certs.id, 0 until found */
	struct timespec issuer_mtime;  /* of the published issuing.crt */
	long long issuer_checked_ms;

	/* Revocations newer than the store (revocations.c). */
	int have_watermark;
	time_t watermark;
	struct timespec state_mtime;
	long long poll_ms;             /* last poll attempt, monotonic ms */
	long long poll_ok_ms;          /* last successful poll */
	int overflow;                  /* more than OCSPD_MAX_RECENT: store not trusted */
	char (*recent)[2 * CM_OCSP_REQ_SERIAL_LEN + 1];    /* sorted */
	size_t nrecent, caprecent;

	/* Live path (live.c). */
	struct ocspd_cached cache[OCSPD_CACHE_SLOTS];
	size_t cache_next;
	double tokens;
	long long tokens_ms;
	long long refused_log_ms;
	int db_suspect;                /* ping (and reconnect) before the next query */

	/* The store file of the request being answered. */
	unsigned char filebuf[CM_OCSP_STORE_MAX + 1];
};

/* Monotonic milliseconds. */
long long ocspd_now_ms(void);

/* issuer.c: loads (or reloads, when the published file changed) the
 * issuing CA. 0, or -1 when it is not available (logged). */
int ocspd_issuer_refresh(struct ocspd *d);
/* 1 when c names the issuing CA (hash served, both hashes equal), else 0. */
int ocspd_issuer_matches(const struct ocspd *d, const struct cm_ocsp_certid *c);

/* revocations.c: re-reads .state when it changed and polls the database
 * for recent revocations, at most about once a second. 1 when it polled
 * successfully just now (the caller then drops stale cached answers). */
int ocspd_revocations_tick(struct ocspd *d);
/* 1 when the store may answer for serial_hex: a watermark, a recent
 * successful poll, and the serial not revoked since; else 0. */
int ocspd_store_usable(const struct ocspd *d, const char *serial_hex);
/* 1 when serial_hex is among the recent revocations, else 0. */
int ocspd_recently_revoked(const struct ocspd *d, const char *serial_hex);

/* live.c: answers rq (every CertID the issuing CA's) from the database,
 * signed by signerd now, or from the per-worker cache. Returns an
 * OCSPD_* status; on OCSPD_SUCCESSFUL *ans is filled. */
int ocspd_live(struct ocspd *d, const struct cm_ocsp_request *rq, struct ocspd_answer *ans);
/* Drops cached "good" answers of serials revoked since (after each poll). */
void ocspd_cache_drop_revoked(struct ocspd *d);

/* responder.c: the FastCGI handler (the program's serve hook). */
void ocspd_serve(void *app, struct cm_request *req, int parse_status, struct cm_response *resp);

#endif
