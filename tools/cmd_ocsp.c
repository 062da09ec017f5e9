/* cmd_ocsp.c: certmint ocsp refresh: keeps the pre-signed OCSP store (lib/ocsp_store.h) that ocsp.fcgi serves, signing through signerd on several connections at once. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "ocsp_refresh.h"
#include "ocsp_store.h"
#include "signer_proto.h"

/* Rows per keyset query: the client holds one batch of rows, never the list. */
#define WALK_ROWS 10000
#define MAX_JOBS 16
/*
 * The watermark published is the database's clock at the start minus this:
 * a revocation's revoked_at is set inside its transaction, which may commit
 * after this run's snapshot was taken; a reader looks up every revocation
 * at or after the watermark itself, so one that this run could not see must
 * not lie before it. Revocation transactions take milliseconds.
 */
#define WATERMARK_MARGIN 60

static const char ocsp_usage[] =
    "usage: certmint ocsp refresh [--store DIR] [--full] [--jobs N] [--dry-run]\n"
    "\n"
    "Keeps the pre-signed OCSP responses ocsp.fcgi serves: one file per\n"
    "unexpired issued or revoked certificate of the issuing CA in DIR ([ocsp]\n"
    "store of certmint.conf unless --store). A response is signed by signerd\n"
    "when there is none (or it is damaged), the certificate's status changed,\n"
    "or half of its validity has passed; files of certificates that expired\n"
    "or are unknown are removed, other names are left alone. When everything\n"
    "succeeded the revocation watermark (.state) advances to the database's\n"
    "clock at the start of the run (less " "60 s); a failed run (signer down,\n"
    "disk full) keeps the files it did not replace and the old watermark,\n"
    "says what failed and exits 1. A certificate the signer refuses to vouch\n"
    "for (a serial it never issued) gets no stored response and is named on\n"
    "stderr; it does not fail the run (ocsp.fcgi answers it live).\n"
    "certmint-ocsp-refresh.timer runs this every 5 minutes.\n"
    "\n"
    "  --full      sign every response again\n"
    "  --jobs N    signer connections signing at once (1..16, default 2)\n"
    "  --dry-run   count what would be signed and removed; change nothing\n";

/* One certificate whose response is to be signed. */
struct item {
	char hex[CM_OCSP_STORE_NAME_MAX + 1];
	unsigned char serial[CM_OCSP_MAX_SERIAL];
	unsigned char slen;
	unsigned char status;     /* CM_OCSP_STORE_GOOD / _REVOKED */
	unsigned reason;          /* CRLReason or CM_OCSP_NO_REASON */
	uint64_t revoked_at;
};

/* Up to CM_OCSP_MAX_ITEMS of them: one OP_OCSP_SIGN request. */
struct batch {
	size_t n;
	struct item it[CM_OCSP_MAX_ITEMS];
};

/*
 * The walk (main thread) hands full batches to the signing threads
 * through a small bounded queue, so the database walk, the signer and the
 * file writes overlap and memory stays at a few batches.
 */
struct pool {
	pthread_mutex_t mu;
	pthread_cond_t nonempty, nonfull;
	struct batch **q;
	size_t qcap, head, count;
	int closed;
	int abort;                /* a fault: stop signing, keep every file */
	int dirfd;
	uint64_t signed_n, failed;
	uint64_t refused;         /* certificates the signer would not vouch for */
};

struct worker {
	struct pool *p;
	struct cm_signer *sg;
	pthread_t th;
	int started;
};

/* Pushes b (blocks while the queue is full). 0, or -1 when the run aborted
 * (b is freed). */
static int
pool_push(struct pool *p, struct batch *b)
{
	pthread_mutex_lock(&p->mu);
	while (p->count == p->qcap && !p->abort)
		pthread_cond_wait(&p->nonfull, &p->mu);
	if (p->abort) {
		p->failed += b->n;
		pthread_mutex_unlock(&p->mu);
		free(b);
		return -1;
	}
	p->q[(p->head + p->count) % p->qcap] = b;
	p->count++;
	pthread_cond_signal(&p->nonempty);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

/* The next batch, or NULL once the queue is closed and empty. */
static struct batch *
pool_pop(struct pool *p)
{
	struct batch *b = NULL;

	pthread_mutex_lock(&p->mu);
	while (p->count == 0 && !p->closed)
		pthread_cond_wait(&p->nonempty, &p->mu);
	if (p->count > 0) {
		b = p->q[p->head];
		p->head = (p->head + 1) % p->qcap;
		p->count--;
		pthread_cond_signal(&p->nonfull);
	}
	pthread_mutex_unlock(&p->mu);
	return b;
}

/* Adds to the counters; fault also stops the run. */
static void
pool_count(struct pool *p, uint64_t ok, uint64_t failed, int fault)
{
	pthread_mutex_lock(&p->mu);
	p->signed_n += ok;
	p->failed += failed;
	if (fault && !p->abort) {
		p->abort = 1;
		pthread_cond_broadcast(&p->nonfull);
	}
	pthread_mutex_unlock(&p->mu);
}

static int
pool_aborted(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	int a = p->abort;
	pthread_mutex_unlock(&p->mu);
	return a;
}

/*
 * Signs it[0..n) on one request and writes each response. A refused
 * request of several items is split in halves and each sent again, so one
 * certificate the signer will not vouch for (a serial not in its journal)
 * costs only its own response and some 2 log2(n) requests, and a reply
 * the signer says would not fit its frame (a large responder
 * certificate) is asked for in smaller parts. Counts into the pool; a
 * signer fault or a write error other than a response too big for the
 * store aborts the run.
 */
static void
sign_items(struct worker *w, const struct item *it, size_t n)
{
	struct cm_signer_ocsp_single singles[CM_OCSP_MAX_ITEMS];
	struct cm_signer_ocsp_item items[CM_OCSP_MAX_ITEMS];
	struct cm_signer_ocsp_reply rep;
	char err[512];
	uint64_t ok = 0, failed = 0;
	int r;

	if (n == 0 || n > CM_OCSP_MAX_ITEMS)
		return;
	for (size_t i = 0; i < n; i++) {
		singles[i] = (struct cm_signer_ocsp_single){
			.hash = CM_OCSP_HASH_SHA1, .serial = it[i].serial, .serial_len = it[i].slen,
			.status = it[i].status == CM_OCSP_STORE_REVOKED ? CM_OCSP_REVOKED : CM_OCSP_GOOD,
			.revoked_at = it[i].revoked_at, .reason = it[i].reason,
		};
		items[i] = (struct cm_signer_ocsp_item){ .singles = &singles[i], .nsingles = 1 };
	}
	memset(&rep, 0, sizeof(rep));
	r = cm_signer_ocsp_sign(w->sg, items, n, &rep, err, sizeof(err));
	if (r == CM_SIGNER_REFUSED && n > 1) {
		sign_items(w, it, n / 2);
		if (!pool_aborted(w->p))
			sign_items(w, it + n / 2, n - n / 2);
		else
			pool_count(w->p, 0, n - n / 2, 0);
		return;
	}
	if (r == CM_SIGNER_REFUSED) {
		/* Not a failure of the run: the certificate gets no stored
		 * response, so ocsp.fcgi answers it from the database (and the
		 * signer's verdict) each time; the watermark still advances. */
		cli_error("certificate %s: the signer refused its OCSP response: %s", it[0].hex, err);
		pthread_mutex_lock(&w->p->mu);
		w->p->refused++;
		pthread_mutex_unlock(&w->p->mu);
		return;
	}
	if (r != CM_SIGNER_OK || rep.n != n) {
		cli_error("signing OCSP responses: %s", r != CM_SIGNER_OK ? err : "a reply with the wrong number of responses");
		cm_signer_ocsp_reply_free(&rep);
		pool_count(w->p, 0, n, 1);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (cm_ocsp_store_put(w->p->dirfd, it[i].hex, rep.this_update, rep.next_update, it[i].status,
		    rep.resp[i].der, rep.resp[i].len) == 0) {
			ok++;
			continue;
		}
		int e = errno;
		failed++;
		if (e == EINVAL) {
			cli_error("certificate %s: the signer's response does not fit the store (%zu bytes)",
			    it[i].hex, rep.resp[i].len);
			continue;
		}
		cli_error("writing %s in the OCSP store: %s", it[i].hex, strerror(e));
		failed += n - i - 1;
		pool_count(w->p, ok, failed, 1);
		cm_signer_ocsp_reply_free(&rep);
		return;
	}
	cm_signer_ocsp_reply_free(&rep);
	pool_count(w->p, ok, failed, 0);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct batch *b;

	while ((b = pool_pop(w->p)) != NULL) {
		if (pool_aborted(w->p))
			pool_count(w->p, 0, b->n, 0);
		else
			sign_items(w, b->it, b->n);
		free(b);
	}
	return NULL;
}

/* One run's figures and settings. */
struct run {
	struct cli *c;
	int dirfd;
	int full, dry_run;
	int64_t issuer_row;
	time_t t0;                /* the watermark this run publishes */
	char cutoff[24];          /* the database's UTC now: not_after must be later */
	uint64_t walked, kept, to_sign, removed, bad_rows;
	struct cm_ocsp_nameset seen;
	struct pool *pool;        /* NULL on a dry run */
	struct batch *cur;
};

/* Queues one certificate (or counts it on a dry run). 0, or -1 when the
 * run is aborting or out of memory (printed). */
static int
queue_item(struct run *r, const struct item *it)
{
	r->to_sign++;
	if (r->dry_run)
		return 0;
	if (r->cur == NULL) {
		if ((r->cur = malloc(sizeof(*r->cur))) == NULL) {
			cli_error("out of memory");
			return -1;
		}
		r->cur->n = 0;
	}
	r->cur->it[r->cur->n++] = *it;
	if (r->cur->n == CM_OCSP_MAX_ITEMS) {
		struct batch *b = r->cur;
		r->cur = NULL;
		return pool_push(r->pool, b);
	}
	return 0;
}

/*
 * One row of the walk: remembers its serial, looks at its file and
 * queues it when it is due. 0, or -1 to stop the walk (printed).
 */
static int
one_row(struct run *r, int64_t id, const char *hex_in, int revoked, int64_t when, int reason_null,
    int64_t reason, time_t now)
{
	unsigned char buf[CM_OCSP_STORE_MAX + 1];
	struct cm_ocsp_stored e;
	struct item it;
	size_t hl = hex_in ? strlen(hex_in) : 0;
	int have, rc;

	memset(&it, 0, sizeof(it));
	r->walked++;
	if (hl == 0 || hl > CM_OCSP_STORE_NAME_MAX)
		goto bad;
	for (size_t i = 0; i <= hl; i++) {
		char ch = hex_in[i];
		it.hex[i] = ch >= 'A' && ch <= 'F' ? (char)(ch - 'A' + 'a') : ch;
	}
	rc = cm_ocsp_refresh_serial(it.hex, it.serial, sizeof(it.serial));
	if (rc < 0 || !cm_ocsp_store_name_ok(it.hex))
		goto bad;
	it.slen = (unsigned char)rc;
	it.status = revoked ? CM_OCSP_STORE_REVOKED : CM_OCSP_STORE_GOOD;
	it.reason = CM_OCSP_NO_REASON;
	if (revoked) {
		int code = cm_ocsp_refresh_reason(reason_null, reason);
		if (code < 0 || when <= 0)
			goto bad;
		it.reason = (unsigned)code;
		it.revoked_at = (uint64_t)when;
	}
	if (cm_ocsp_nameset_add(&r->seen, it.hex) < 0) {
		cli_error("out of memory");
		return -1;
	}
	/* The whole file, not only the header: a damaged response behind a
	 * sound header is signed again rather than left until it ages. */
	have = cm_ocsp_store_get(r->dirfd, it.hex, buf, sizeof(buf), &e);
	if (have < 0) {
		cli_error("reading %s in the OCSP store: %s", it.hex, strerror(errno));
		return -1;
	}
	if (!cm_ocsp_refresh_due(have, &e, it.status, now, r->full)) {
		r->kept++;
		return 0;
	}
	return queue_item(r, &it);
bad:
	/* Its file, if any, stays: ocsp.fcgi answers it from the database. */
	cli_error("certificate %" PRId64 " has an unusable serial, revocation time or reason; not signed", id);
	r->bad_rows++;
	if (hl > 0 && hl <= CM_OCSP_STORE_NAME_MAX && cm_ocsp_store_name_ok(it.hex) &&
	    cm_ocsp_nameset_add(&r->seen, it.hex) < 0) {
		cli_error("out of memory");
		return -1;
	}
	return 0;
}

/*
 * Walks the issuing CA's unexpired issued and revoked certificates by
 * keyset on id through certificates_crl, one walk per status (and per
 * issuer_id: rows issued before the chain was recorded have none and are
 * the one issuing CA's too, as for the CRL), in one read-only snapshot so
 * no certificate is seen twice. 0 walked, 1 stopped (aborting run), -1
 * printed.
 */
static int
walk(struct run *r)
{
	struct cm_db *db = r->c->db;
	struct cm_stmt *st = NULL;
	time_t now = time(NULL);
	int ret = -1;

	if (cm_db_exec(db, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY") < 0)
		goto db;
	for (int pass = 0; pass < 4; pass++) {
		int revoked = pass >= 2, null_issuer = pass % 2;
		int64_t after = 0;
		for (;;) {
			int rows = 0, f;
			st = cm_db_prepare(db,
			    "SELECT id, serial_hex, TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', revoked_at),"
			    " revocation_reason IS NULL, COALESCE(revocation_reason, 0)"
			    " FROM certificates FORCE INDEX (certificates_crl)"
			    " WHERE issuer_id <=> ? AND status = ? AND id > ?"
			    " AND not_after > ? AND serial_hex IS NOT NULL"
			    " ORDER BY id LIMIT ?");
			if (st == NULL ||
			    (null_issuer ? cm_stmt_bind_null(st, 0) : cm_stmt_bind_i64(st, 0, r->issuer_row)) < 0 ||
			    cm_stmt_bind_str(st, 1, revoked ? "revoked" : "issued") < 0 ||
			    cm_stmt_bind_i64(st, 2, after) < 0 || cm_stmt_bind_str(st, 3, r->cutoff) < 0 ||
			    cm_stmt_bind_i64(st, 4, WALK_ROWS) < 0 || cm_stmt_execute(st) < 0)
				goto db;
			while ((f = cm_stmt_fetch(st)) == 1) {
				after = cm_stmt_i64(st, 0);
				rows++;
				if (one_row(r, after, cm_stmt_str(st, 1, NULL), revoked,
				    cm_stmt_is_null(st, 2) ? -1 : cm_stmt_i64(st, 2), (int)cm_stmt_i64(st, 3),
				    cm_stmt_i64(st, 4), now) < 0) {
					ret = r->pool && pool_aborted(r->pool) ? 1 : -1;
					goto out;
				}
			}
			cm_stmt_close(st);
			st = NULL;
			if (f < 0)
				goto db;
			if (rows < WALK_ROWS)
				break;
		}
	}
	ret = 0;
	goto out;
db:
	cli_error("database: %s", cm_db_error(db));
out:
	cm_stmt_close(st);
	if (cm_db_in_transaction(db))
		cm_db_rollback(db);
	return ret;
}

/*
 * Removes the files of serials the walk did not see (expired, deleted,
 * another CA's). Only names cm_ocsp_store_name_ok accepts are ours; a
 * symbolic link of such a name is unlinked itself, never followed; a
 * directory is left alone. 0, or -1 printed.
 */
static int
sweep(struct run *r)
{
	int fd = dup(r->dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int ret = 0;

	if (d == NULL) {
		cli_error("reading the OCSP store: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		struct stat sb;
		if (!cm_ocsp_store_name_ok(de->d_name) || cm_ocsp_nameset_has(&r->seen, de->d_name))
			continue;
		if (fstatat(r->dirfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !(S_ISREG(sb.st_mode) || S_ISLNK(sb.st_mode)))
			continue;
		if (!r->dry_run && cm_ocsp_store_remove(r->dirfd, de->d_name) < 0) {
			cli_error("removing %s from the OCSP store: %s", de->d_name, strerror(errno));
			ret = -1;
			continue;
		}
		r->removed++;
		errno = 0;
	}
	if (errno != 0 && ret == 0) {
		cli_error("reading the OCSP store: %s", strerror(errno));
		ret = -1;
	}
	closedir(d);
	return ret;
}

/* The database's UTC clock: *t0 in seconds, cutoff as it writes times. 0,
 * or -1 printed. */
static int
db_now(struct cli *c, time_t *t0, char *cutoff, size_t clen)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', t), DATE_FORMAT(t, '%Y-%m-%d %H:%i:%s')"
	    " FROM (SELECT UTC_TIMESTAMP() AS t) n");
	int rc = -1;

	if (st && cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1 &&
	    cm_stmt_copy_str(st, 1, cutoff, clen) == 1) {
		*t0 = (time_t)cm_stmt_i64(st, 0);
		rc = *t0 > 0 ? 0 : -1;
	}
	if (rc < 0)
		cli_error("database: %s", cm_db_error(c->db));
	cm_stmt_close(st);
	return rc;
}

/* The audit row of a run that changed the store. 0, or -1 printed. */
static int
audit_run(struct run *r, uint64_t signed_n, uint64_t failed, uint64_t refused, int advanced, double secs)
{
	struct cm_buf after;
	char id[24];
	int ret = -1;

	cm_buf_init(&after, 1024);
	snprintf(id, sizeof(id), "%" PRId64, r->issuer_row);
	/* watermark: what .state now says, null when this run left it alone. */
	char wm[24] = "null";
	if (advanced)
		snprintf(wm, sizeof(wm), "%lld", (long long)r->t0);
	cm_buf_printf(&after, "{\"signed\":%" PRIu64 ",\"kept\":%" PRIu64 ",\"removed\":%" PRIu64
	    ",\"failed\":%" PRIu64 ",\"refused\":%" PRIu64 ",\"full\":%s,\"watermark\":%s,\"seconds\":%.1f}",
	    signed_n, r->kept, r->removed, failed, refused, r->full ? "true" : "false", wm, secs);
	struct cm_audit_entry a = {
		.actor = r->c->actor, .action = "ocsp.refresh", .object_type = "ca_cert", .object_id = id,
		.after = after.data,
	};
	if (cm_db_begin(r->c->db) < 0 || cm_audit(r->c->db, &a) < 0 || cm_db_commit(r->c->db) < 0) {
		cli_error("database: %s (the OCSP store was refreshed, but the audit row is missing)",
		    cm_db_error(r->c->db));
		if (cm_db_in_transaction(r->c->db))
			cm_db_rollback(r->c->db);
	} else {
		ret = 0;
	}
	cm_buf_free(&after);
	return ret;
}

/* Opens (creating it 0755 if missing) the store directory: fd, or -1 printed. */
static int
open_store(const char *dir, int create)
{
	int fd;

	if (create && mkdir(dir, 0755) == 0 && chmod(dir, 0755) < 0) {
		cli_error("%s: %s", dir, strerror(errno));
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		cli_error("the OCSP store %s: %s", dir, strerror(errno));
	return fd;
}

static double
elapsed(const struct timespec *t)
{
	struct timespec n;
	clock_gettime(CLOCK_MONOTONIC, &n);
	return (double)(n.tv_sec - t->tv_sec) + (double)(n.tv_nsec - t->tv_nsec) / 1e9;
}

static int
ocsp_refresh(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "full", no_argument, NULL, 'f' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct worker workers[MAX_JOBS];
	struct pool pool;
	struct run r;
	struct cm_signer *sg = NULL;
	struct timespec start;
	const char *store = NULL;
	char *end;
	long jobs = 2;
	int opt, status = CLI_FAIL, walked = -1, pool_ready = 0;
	int64_t root_row = 0;

	memset(&r, 0, sizeof(r));
	memset(workers, 0, sizeof(workers));
	memset(&pool, 0, sizeof(pool));
	r.c = c;
	r.dirfd = -1;
	cm_ocsp_nameset_init(&r.seen);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': store = optarg; break;
		case 'f': r.full = 1; break;
		case 'n': r.dry_run = 1; break;
		case 'j':
			errno = 0;
			jobs = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || jobs < 1 || jobs > MAX_JOBS) {
				cli_error("--jobs must be 1..%d", MAX_JOBS);
				return CLI_FAIL;
			}
			break;
		case 'h': fputs(ocsp_usage, stdout); return CLI_OK;
		default: fputs(ocsp_usage, stderr); return CLI_FAIL;
		}
	}
	if (optind != argc) {
		fputs(ocsp_usage, stderr);
		return CLI_FAIL;
	}
	if (cli_load(c) < 0)
		return CLI_FAIL;
	if (store == NULL)
		store = c->set.ocsp_store;
	if (store == NULL || store[0] != '/') {
		cli_error("[ocsp] store in %s must be an absolute directory (or give --store DIR)", c->conf_path);
		return CLI_FAIL;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	if ((r.dirfd = open_store(store, !r.dry_run)) < 0)
		goto out;
	/* One run at a time: two would sign the same responses twice and the
	 * slower one could publish an older watermark after the newer. */
	if (!r.dry_run && flock(r.dirfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			cli_error("locking %s: %s", store, strerror(errno));
			goto out;
		}
		fprintf(stderr, "certmint: waiting for another ocsp refresh of %s\n", store);
		if (flock(r.dirfd, LOCK_EX) < 0) {
			cli_error("locking %s: %s", store, strerror(errno));
			goto out;
		}
	}
	if (cli_db(c) < 0 || cli_signer(c, &sg) < 0 || cli_ca_rows(c, sg, &r.issuer_row, &root_row) < 0)
		goto out;
	if (db_now(c, &r.t0, r.cutoff, sizeof(r.cutoff)) < 0)
		goto out;
	r.t0 -= WATERMARK_MARGIN;
	if (!r.dry_run) {
		pool.dirfd = r.dirfd;
		pool.qcap = (size_t)jobs * 2;
		if ((pool.q = calloc(pool.qcap, sizeof(*pool.q))) == NULL) {
			cli_error("out of memory");
			goto out;
		}
		pthread_mutex_init(&pool.mu, NULL);
		pthread_cond_init(&pool.nonempty, NULL);
		pthread_cond_init(&pool.nonfull, NULL);
		pool_ready = 1;
		r.pool = &pool;
		/* The connection that read the chain signs too. */
		workers[0].sg = sg;
		sg = NULL;
		for (long i = 0; i < jobs; i++) {
			workers[i].p = &pool;
			if (i > 0 && cli_signer(c, &workers[i].sg) < 0)
				goto stop;
			if (pthread_create(&workers[i].th, NULL, worker_main, &workers[i]) != 0) {
				cli_error("cannot start a signing thread");
				goto stop;
			}
			workers[i].started = 1;
		}
	}
	walked = walk(&r);
	if (walked == 0 && r.cur && r.cur->n > 0) {
		struct batch *b = r.cur;
		r.cur = NULL;
		if (pool_push(&pool, b) < 0)
			walked = 1;
	}
stop:
	if (pool_ready) {
		pthread_mutex_lock(&pool.mu);
		pool.closed = 1;
		if (!(walked == 0 || walked == 1))
			pool.abort = 1;
		pthread_cond_broadcast(&pool.nonempty);
		pthread_cond_broadcast(&pool.nonfull);
		pthread_mutex_unlock(&pool.mu);
		for (long i = 0; i < jobs; i++)
			if (workers[i].started)
				pthread_join(workers[i].th, NULL);
	}
	free(r.cur);
	r.cur = NULL;
	{
		uint64_t signed_n = r.dry_run ? 0 : pool.signed_n;
		uint64_t failed = (r.dry_run ? 0 : pool.failed) + r.bad_rows;
		int aborted = walked != 0 || (!r.dry_run && pool.abort);
		int advanced = 0;

		/* A run that stopped half-way keeps every file: it cannot tell
		 * which of the rest are still wanted. */
		if (!aborted && sweep(&r) < 0)
			aborted = 1;
		if (!aborted && !r.dry_run && cm_ocsp_store_sync(r.dirfd) < 0) {
			cli_error("syncing the OCSP store: %s", strerror(errno));
			aborted = 1;
		}
		if (!aborted && !r.dry_run && failed == 0) {
			if (cm_ocsp_store_state_write(r.dirfd, r.t0) < 0) {
				cli_error("writing the watermark in %s: %s", store, strerror(errno));
				aborted = 1;
			} else {
				advanced = 1;
			}
		}
		double secs = elapsed(&start);
		if (r.dry_run) {
			printf("ocsp refresh (dry run): %" PRIu64 " certificates, %" PRIu64 " to sign, %" PRIu64
			    " kept, %" PRIu64 " to remove, %" PRIu64 " unusable rows\n",
			    r.walked, r.to_sign, r.kept, r.removed, r.bad_rows);
			status = aborted || walked != 0 ? CLI_FAIL : CLI_OK;
			goto out;
		}
		uint64_t refused = pool.refused;
		/* Refusals alone write no row: every run would repeat it. */
		if ((signed_n > 0 || r.removed > 0) && c->db &&
		    audit_run(&r, signed_n, failed, refused, advanced, secs) < 0)
			aborted = 1;
		char wm[48];
		if (advanced)
			snprintf(wm, sizeof(wm), "watermark now %lld", (long long)r.t0);
		else
			snprintf(wm, sizeof(wm), "watermark not advanced");
		char refused_note[128] = "";
		if (refused > 0)
			snprintf(refused_note, sizeof(refused_note),
			    "; %" PRIu64 " refused by the signer (no stored response: answered live)", refused);
		printf("ocsp refresh: %" PRIu64 " certificates, %" PRIu64 " signed, %" PRIu64 " kept, %" PRIu64
		    " removed, %" PRIu64 " failed in %.1f s (%.0f signatures/s); %s%s\n",
		    r.walked, signed_n, r.kept, r.removed, failed, secs, secs > 0 ? (double)signed_n / secs : 0.0, wm,
		    refused_note);
		status = aborted || failed > 0 ? CLI_FAIL : CLI_OK;
	}
out:
	for (int i = 0; i < MAX_JOBS; i++)
		cm_signer_close(workers[i].sg);
	cm_signer_close(sg);
	if (pool_ready) {
		pthread_mutex_destroy(&pool.mu);
		pthread_cond_destroy(&pool.nonempty);
		pthread_cond_destroy(&pool.nonfull);
	}
	for (size_t i = 0; pool.q && i < pool.count; i++)
		free(pool.q[(pool.head + i) % pool.qcap]);
	free(pool.q);
	free(r.cur);
	cm_ocsp_nameset_free(&r.seen);
	if (r.dirfd >= 0)
		close(r.dirfd);
	return status;
}

/* certmint ocsp SUBCOMMAND: an exit status. */
int
cmd_ocsp(struct cli *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "refresh") == 0)
		return ocsp_refresh(c, argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(ocsp_usage, stdout);
		return CLI_OK;
	}
	fputs(ocsp_usage, stderr);
	return CLI_FAIL;
}
