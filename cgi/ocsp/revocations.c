/* revocations.c: the store's watermark (.state) and the revocations newer than it, polled from the database about once a second. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "ocspd.h"

#define POLL_INTERVAL_MS 1000

/* Milliseconds on the coarse monotonic clock (cheap: no system call). */
long long
ocspd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* qsort/bsearch order of serial_hex strings (fixed width). */
static int
cmp_serial(const void *a, const void *b)
{
	return memcmp(a, b, 2 * CM_OCSP_REQ_SERIAL_LEN + 1);
}

/* Re-reads .state when its mtime changed (or it appeared or went). */
static void
read_state(struct ocspd *d)
{
	struct stat st;
	time_t w;

	if (d->store_fd < 0)
		return;
	if (fstatat(d->store_fd, ".state", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (d->have_watermark)
			cm_warn("the OCSP store has no .state any more: answering every request live");
		d->have_watermark = 0;
		d->state_mtime.tv_sec = 0;
		d->state_mtime.tv_nsec = 0;
		return;
	}
	if (d->have_watermark && st.st_mtim.tv_sec == d->state_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == d->state_mtime.tv_nsec)
		return;
	int r = cm_ocsp_store_state_read(d->store_fd, &w);
	if (r == 1) {
		d->have_watermark = 1;
		d->watermark = w;
		d->state_mtime = st.st_mtim;
		d->poll_ms = 0;   /* a new watermark: poll again now */
	} else {
		if (d->have_watermark)
			cm_warn("the OCSP store's .state cannot be read: answering every request live");
		d->have_watermark = 0;
	}
}

/* Reads the serials revoked at or after the watermark (less the slack)
 * into d->recent; without a watermark, those since the worker started. 0, or -1 (logged) when the database failed. */
static int
poll_db(struct ocspd *d)
{
	struct cm_db *db = d->app->db;
	struct cm_stmt *st = NULL;
	char err[256];
	size_t n = 0;
	int r, rc = -1;

	if (db == NULL) {
		if (cm_db_connect(&d->app->db, &d->app->settings, err, sizeof(err)) < 0) {
			d->app->db = NULL;
			cm_warn("revocation poll: database: %s", err);
			return -1;
		}
		db = d->app->db;
		d->db_suspect = 0;
	}
	if (d->db_suspect && cm_db_ping(db) < 0) {
		cm_warn("revocation poll: database: %s", cm_db_error(db));
		return -1;
	}
	d->db_suspect = 0;
	/* certificates_revoked (migration 027) covers this: one short range. */
	st = cm_db_prepare(db,
	    "SELECT serial_hex FROM certificates FORCE INDEX (certificates_revoked)"
	    " WHERE revoked_at >= '1970-01-01 00:00:00' + INTERVAL ? SECOND AND serial_hex IS NOT NULL"
	    " LIMIT ?");
	/* Without a watermark, since this worker started: what its cache of
	 * live answers must hear about. */
	time_t since = (d->have_watermark ? d->watermark : d->started_wall) - OCSPD_WATERMARK_SLACK;
	if (st == NULL || cm_stmt_bind_i64(st, 0, (int64_t)since) < 0 ||
	    cm_stmt_bind_i64(st, 1, OCSPD_MAX_RECENT + 1) < 0 || cm_stmt_execute(st) < 0)
		goto db;
	d->overflow = 0;
	while ((r = cm_stmt_fetch(st)) == 1) {
		size_t len = 0;
		const char *s = cm_stmt_str(st, 0, &len);
		if (s == NULL || len != 2 * CM_OCSP_REQ_SERIAL_LEN)
			continue;   /* not a serial a request can map to */
		if (n >= OCSPD_MAX_RECENT) {
			d->overflow = 1;
			break;
		}
		if (n == d->caprecent) {
			size_t cap = d->caprecent ? d->caprecent * 2 : 64;
			void *p = realloc(d->recent, cap * sizeof(*d->recent));
			if (p == NULL) {
				d->overflow = 1;
				break;
			}
			d->recent = p;
			d->caprecent = cap;
		}
		memcpy(d->recent[n], s, len);
		d->recent[n][len] = '\0';
		n++;
	}
	if (r < 0)
		goto db;
	if (n > 1)
		qsort(d->recent, n, sizeof(*d->recent), cmp_serial);
	d->nrecent = n;
	if (d->overflow)
		cm_warn("more than %d revocations since the OCSP store's watermark: answering live until"
		    " certmint ocsp refresh catches up", OCSPD_MAX_RECENT);
	rc = 0;
	goto out;
db:
	cm_warn("revocation poll: database: %s", cm_db_error(db));
	d->db_suspect = 1;
out:
	cm_stmt_close(st);
	return rc;
}

/* 1 when a poll succeeded just now, else 0. */
int
ocspd_revocations_tick(struct ocspd *d)
{
	long long now = ocspd_now_ms();

	if (d->poll_ms != 0 && now - d->poll_ms < POLL_INTERVAL_MS)
		return 0;
	if (d->store_fd < 0 && d->app->settings.ocsp_store) {
		d->store_fd = open(d->app->settings.ocsp_store, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d->store_fd < 0 && d->poll_ms == 0)
			cm_warn("OCSP store %s: %s (answering live)", d->app->settings.ocsp_store, strerror(errno));
	}
	read_state(d);
	d->poll_ms = now;
	if (poll_db(d) < 0)
		return 0;
	d->poll_ok_ms = now;
	return 1;
}

/* 1 or 0 (ocspd.h). */
int
ocspd_recently_revoked(const struct ocspd *d, const char *serial_hex)
{
	return d->nrecent > 0 &&
	    bsearch(serial_hex, d->recent, d->nrecent, sizeof(*d->recent), cmp_serial) != NULL;
}

/* 1 or 0 (ocspd.h). */
int
ocspd_store_usable(const struct ocspd *d, const char *serial_hex)
{
	if (d->store_fd < 0 || !d->have_watermark || d->overflow || d->poll_ok_ms == 0 ||
	    ocspd_now_ms() - d->poll_ok_ms > OCSPD_POLL_STALE * 1000)
		return 0;
	return !ocspd_recently_revoked(d, serial_hex);
}
