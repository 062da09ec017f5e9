/* live.c: answers from the database with a response signerd signs now, a small per-worker cache of them, and a bound on live signing. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "ocspd.h"
#include "revocation_reason.h"
#include "signer_client.h"

/* Takes one live signature from the per-second budget: 1, or 0 when spent. */
static int
take_token(struct ocspd *d)
{
	long long now = ocspd_now_ms();

	if (d->tokens_ms == 0)
		d->tokens = OCSPD_LIVE_RATE;
	else
		d->tokens += (double)(now - d->tokens_ms) * OCSPD_LIVE_RATE / 1000.0;
	if (d->tokens > OCSPD_LIVE_RATE)
		d->tokens = OCSPD_LIVE_RATE;
	d->tokens_ms = now;
	if (d->tokens < 1.0)
		return 0;
	d->tokens -= 1.0;
	return 1;
}

/* The cached answer for c, fresh for at least OCSPD_FRESH_MARGIN, or NULL. */
static struct ocspd_cached *
cache_find(struct ocspd *d, const struct cm_ocsp_certid *c, time_t now)
{
	for (size_t i = 0; i < OCSPD_CACHE_SLOTS; i++) {
		struct ocspd_cached *e = &d->cache[i];
		if (e->der && e->hash == c->hash && strcmp(e->serial_hex, c->serial_hex) == 0) {
			if (now + OCSPD_FRESH_MARGIN <= e->next_update)
				return e;
			return NULL;
		}
	}
	return NULL;
}

static void
cache_clear(struct ocspd_cached *e)
{
	free(e->der);
	memset(e, 0, sizeof(*e));
}

/* Keeps der (taking it over) for c in its old slot or the next one in
 * turn; returns that slot. */
static struct ocspd_cached *
cache_put(struct ocspd *d, const struct cm_ocsp_certid *c, int status, time_t tu, time_t nu,
    unsigned char *der, size_t len)
{
	struct ocspd_cached *e = NULL;

	for (size_t i = 0; i < OCSPD_CACHE_SLOTS && e == NULL; i++)
		if (d->cache[i].der && d->cache[i].hash == c->hash &&
		    strcmp(d->cache[i].serial_hex, c->serial_hex) == 0)
			e = &d->cache[i];
	if (e == NULL) {
		e = &d->cache[d->cache_next];
		d->cache_next = (d->cache_next + 1) % OCSPD_CACHE_SLOTS;
	}
	cache_clear(e);
	memcpy(e->serial_hex, c->serial_hex, sizeof(e->serial_hex));
	e->hash = c->hash;
	e->status = status;
	e->this_update = tu;
	e->next_update = nu;
	e->der = der;
	e->len = len;
	return e;
}

void
ocspd_cache_drop_revoked(struct ocspd *d)
{
	for (size_t i = 0; i < OCSPD_CACHE_SLOTS; i++) {
		struct ocspd_cached *e = &d->cache[i];
		if (e->der && e->status != CM_OCSP_REVOKED &&
		    (d->overflow || ocspd_recently_revoked(d, e->serial_hex)))
			cache_clear(e);
	}
}

/* The RFC 5280 code to put in revokedInfo for the stored reason. */
static unsigned
reason_code(struct cm_stmt *st, unsigned col)
{
	int64_t v;

	if (cm_stmt_is_null(st, col))
		return CM_OCSP_NO_REASON;
	v = cm_stmt_i64(st, col);
	if (v < 0 || v > 10 || cm_revocation_reason_name((int)v) == NULL)
		return CM_OCSP_NO_REASON;
	return (unsigned)v;
}

/* Fills s's status from the certificate row of c. 0, or -1 when the
 * database failed (logged). */
static int
lookup(struct ocspd *d, const struct cm_ocsp_certid *c, struct cm_signer_ocsp_single *s)
{
	char err[256];
	struct cm_stmt *st = NULL;
	int r, rc = -1;

	s->status = CM_OCSP_UNKNOWN;
	s->revoked_at = 0;
	s->reason = CM_OCSP_NO_REASON;
	if (c->serial_hex[0] == '\0')
		return 0;   /* longer than certmint's serials: never issued here */
	if (d->app->db == NULL) {
		if (cm_db_connect(&d->app->db, &d->app->settings, err, sizeof(err)) < 0) {
			d->app->db = NULL;
			cm_err("database unavailable: %s", err);
			return -1;
		}
		d->db_suspect = 0;
	}
	if (d->db_suspect && cm_db_ping(d->app->db) < 0) {
		cm_err("database unavailable: %s", cm_db_error(d->app->db));
		return -1;
	}
	d->db_suspect = 0;
	st = cm_db_prepare(d->app->db,
	    "SELECT status, issuer_id, TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', revoked_at),"
	    " revocation_reason FROM certificates WHERE serial_hex = ?");
	if (st == NULL || cm_stmt_bind_str(st, 0, c->serial_hex) < 0 || cm_stmt_execute(st) < 0)
		goto db;
	if ((r = cm_stmt_fetch(st)) < 0)
		goto db;
	if (r == 1) {
		const char *status = cm_stmt_str(st, 0, NULL);
		int other_ca = !cm_stmt_is_null(st, 1) && d->issuer_row != 0 &&
		    cm_stmt_i64(st, 1) != d->issuer_row;

		if (other_ca || status == NULL) {
			/* Another CA's certificate with the same serial: not ours. */
		} else if (strcmp(status, "issued") == 0 || strcmp(status, "expired") == 0) {
			s->status = CM_OCSP_GOOD;
		} else if (strcmp(status, "revoked") == 0) {
			int64_t when = cm_stmt_is_null(st, 2) ? (int64_t)time(NULL) : cm_stmt_i64(st, 2);
			s->status = CM_OCSP_REVOKED;
			s->revoked_at = when > 0 ? (uint64_t)when : 0;
			s->reason = reason_code(st, 3);
		}
	}
	rc = 0;
	goto out;
db:
	cm_err("certificate lookup: database: %s", cm_db_error(d->app->db));
	d->db_suspect = 1;
out:
	cm_stmt_close(st);
	return rc;
}

/* An OCSPD_* status; *ans on OCSPD_SUCCESSFUL. */
int
ocspd_live(struct ocspd *d, const struct cm_ocsp_request *rq, struct ocspd_answer *ans)
{
	struct cm_signer_ocsp_single singles[CM_OCSP_MAX_SINGLES];
	struct cm_signer_ocsp_item item;
	struct cm_signer_ocsp_reply reply;
	struct cm_signer *sg = NULL;
	char err[512];
	time_t now = time(NULL);
	int cacheable = rq->nsingles == 1 && rq->nonce_len == 0 && rq->singles[0].serial_hex[0];
	int out;

	memset(&reply, 0, sizeof(reply));
	if (cacheable) {
		struct ocspd_cached *e = cache_find(d, &rq->singles[0], now);
		if (e) {
			ans->der = e->der;
			ans->len = e->len;
			ans->this_update = e->this_update;
			ans->next_update = e->next_update;
			return OCSPD_SUCCESSFUL;
		}
	}
	if (!take_token(d)) {
		long long t = ocspd_now_ms();
		if (t - d->refused_log_ms >= 1000) {
			cm_warn("more than %d live OCSP signatures a second in this worker: answering tryLater",
			    OCSPD_LIVE_RATE);
			d->refused_log_ms = t;
		}
		return OCSPD_TRY_LATER;
	}
	for (size_t i = 0; i < rq->nsingles; i++) {
		const struct cm_ocsp_certid *c = &rq->singles[i];
		singles[i].hash = c->hash;
		singles[i].serial = c->serial;
		singles[i].serial_len = c->serial_len;
		if (lookup(d, c, &singles[i]) < 0)
			return OCSPD_TRY_LATER;
	}
	item.nonce = rq->nonce_len ? rq->nonce : NULL;
	item.nonce_len = rq->nonce_len;
	item.singles = singles;
	item.nsingles = rq->nsingles;
	long tmo = d->app->settings.signer_timeout_ms;
	if (tmo <= 0 || tmo > OCSPD_SIGNER_TIMEOUT_MS)
		tmo = OCSPD_SIGNER_TIMEOUT_MS;
	if (cm_signer_connect(&sg, d->app->settings.signer_socket, (int)tmo, err, sizeof(err)) != CM_SIGNER_OK) {
		cm_err("signer unavailable for a live OCSP answer: %s", err);
		return OCSPD_TRY_LATER;
	}
	out = cm_signer_ocsp_sign(sg, &item, 1, &reply, err, sizeof(err));
	cm_signer_close(sg);
	if (out != CM_SIGNER_OK) {
		cm_err("signer %s a live OCSP answer for %s: %s", cm_signer_outcome_name(out),
		    rq->singles[0].serial_hex[0] ? rq->singles[0].serial_hex : "(a foreign serial)", err);
		cm_signer_ocsp_reply_free(&reply);
		return out == CM_SIGNER_REFUSED ? OCSPD_INTERNAL_ERROR : OCSPD_TRY_LATER;
	}
	if (reply.n != 1 || reply.resp[0].der == NULL || reply.resp[0].len == 0) {
		cm_err("signer sent %zu OCSP responses for one item", reply.n);
		cm_signer_ocsp_reply_free(&reply);
		return OCSPD_INTERNAL_ERROR;
	}
	ans->this_update = reply.this_update;
	ans->next_update = reply.next_update;
	unsigned char *der = reply.resp[0].der;
	size_t len = reply.resp[0].len;
	reply.resp[0].der = NULL;
	cm_signer_ocsp_reply_free(&reply);
	/* Kept only while the revocation poll can tell this worker that a
	 * "good" one went stale. */
	if (cacheable && !d->overflow && d->poll_ok_ms != 0 &&
	    ocspd_now_ms() - d->poll_ok_ms <= OCSPD_POLL_STALE * 1000) {
		struct ocspd_cached *e = cache_put(d, &rq->singles[0], (int)singles[0].status,
		    ans->this_update, ans->next_update, der, len);
		ans->der = e->der;
		ans->len = e->len;
		return OCSPD_SUCCESSFUL;
	}
	ans->der = der;
	ans->len = len;
	ans->owned = der;
	return OCSPD_SUCCESSFUL;
}
