/* cmd_crl.c: certmint crl generate: streams the revoked certificates to signerd, which signs the CRL, and publishes it atomically as DER and PEM. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "audit.h"
#include "cli.h"
#include "x509util.h"

#define CRL_ACTOR "system:crl"
/* Rows per keyset query: the client holds one batch, never the whole list. */
#define CRL_BATCH_ROWS 10000
#define CHAIN_MAX (256 * 1024)

static const char crl_usage[] =
    "usage: certmint crl generate [--if-stale] [--out DIR]\n"
    "\n"
    "Has the signer sign a full CRL of the issuing CA, listing every revoked\n"
    "certificate that has not expired, with the reason of its revocation, and\n"
    "writes it as DIR/crl/issuing.crl (DER) and DIR/crl/issuing.crl.pem, each\n"
    "to a temporary file that is fsync'ed and renamed over the old one.\n"
    "When the signer holds the root key it also signs the root's CRL\n"
    "(root.crl, root.crl.pem; certmint revokes no CA, so it is empty).\n"
    "DIR is [publish] dir of certmint.conf unless --out. thisUpdate is now,\n"
    "nextUpdate [crl] next_update_hours later (default 24). The signer numbers\n"
    "each CRL from a counter of its own that never goes back.\n"
    "\n"
    "  --if-stale  do nothing unless a certificate was revoked since the last\n"
    "              CRL, the last one is older than [crl] max_age_hours\n"
    "              (default 12), or there is none (certmint-crl.timer runs\n"
    "              this every 5 minutes)\n";

/* One CRL being published: the file names and what went into it. */
struct crl_job {
	const char *which;        /* "issuing" | "root": the signer's crl-issuer */
	int64_t issuer_row;       /* its ca_certs id */
	char dir[4096];           /* DIR/crl */
	time_t this_update, next_update;
	char this_update_str[24]; /* UTC, as the database writes times */
	uint64_t rows;            /* revoked rows read (is_stale compares them) */
	uint64_t entries;         /* of them, listed */
	uint64_t der_len;
	char number[24];
};

/* The ca_certs id of the chain certificate x. 0 when absent, -1 error. */
static int64_t
ca_row(struct cli *c, X509 *x)
{
	struct cm_cert_info info;
	struct cm_stmt *st = NULL;
	int64_t id = -1;

	memset(&info, 0, sizeof(info));
	if (cm_cert_describe(x, &info) < 0) {
		cli_error("cannot read the signer's CA certificate");
		goto out;
	}
	st = cm_db_prepare(c->db, "SELECT id FROM ca_certs WHERE sha256 = ?");
	if (st == NULL || cm_stmt_bind_str(st, 0, info.sha256_hex) < 0 || cm_stmt_execute(st) < 0) {
		cli_error("database: %s", cm_db_error(c->db));
		goto out;
	}
	int r = cm_stmt_fetch(st);
	id = r == 1 ? cm_stmt_i64(st, 0) : r == 0 ? 0 : -1;
out:
	cm_stmt_close(st);
	cm_cert_info_free(&info);
	return id;
}

/* The ca_certs ids of the signer's issuing CA and root, storing the chain
 * if it is not there yet (cli.h; certmint ocsp refresh uses it too). 0, or
 * -1 printed. */
int
cli_ca_rows(struct cli *c, struct cm_signer *sg, int64_t *issuing, int64_t *root)
{
	struct cm_buf chain;
	char err[512];
	BIO *b = NULL;
	X509 *x = NULL, *r = NULL;
	int stored, rc = -1;

	cm_buf_init(&chain, CHAIN_MAX);
	if (cm_signer_ca_chain(sg, &chain, err, sizeof(err)) != 0) {
		cli_error("signer: %s", err);
		goto out;
	}
	if (cli_store_chain(c->db, chain.data, chain.len, &stored) < 0)
		goto out;
	b = BIO_new_mem_buf(chain.data, (int)chain.len);
	x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	r = x ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	if (x == NULL || r == NULL) {
		cli_error("the signer's CA chain lacks the issuing CA or the root");
		goto out;
	}
	*issuing = ca_row(c, x);
	*root = ca_row(c, r);
	if (*issuing <= 0 || *root <= 0) {
		if (*issuing == 0 || *root == 0)
			cli_error("the signer's CA chain is not in ca_certs");
		goto out;
	}
	rc = 0;
out:
	X509_free(x);
	X509_free(r);
	BIO_free(b);
	cm_buf_free(&chain);
	return rc;
}

/* The revoked certificates of the issuing CA not expired at cutoff (the
 * rows a CRL of that thisUpdate lists): the count, or -1. */
static int64_t
count_revoked(struct cli *c, int64_t issuer_row, const char *cutoff)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT (SELECT COUNT(*) FROM certificates FORCE INDEX (certificates_crl)"
	    " WHERE issuer_id = ? AND status = 'revoked' AND not_after > ? AND serial_hex IS NOT NULL)"
	    " + (SELECT COUNT(*) FROM certificates FORCE INDEX (certificates_crl)"
	    " WHERE issuer_id IS NULL AND status = 'revoked' AND not_after > ? AND serial_hex IS NOT NULL)");
	int64_t n = -1;

	if (st && cm_stmt_bind_i64(st, 0, issuer_row) == 0 && cm_stmt_bind_str(st, 1, cutoff) == 0 &&
	    cm_stmt_bind_str(st, 2, cutoff) == 0 && cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1)
		n = cm_stmt_i64(st, 0);
	cm_stmt_close(st);
	return n;
}

/*
 * 1 when the issuing CA's CRL must be made again, 0 when it is fresh, -1
 * printed. A revocation is final, so the rows a CRL of that thisUpdate
 * would list only ever grow: any revocation since (even one whose
 * transaction was still open while the last CRL read its snapshot, with a
 * revoked_at before that thisUpdate) makes the count differ from the rows
 * the last CRL read.
 */
static int
is_stale(struct cli *c, struct crl_job *j)
{
	struct cm_stmt *st = NULL;
	char path[4200], tu[24];
	long long age;
	int64_t rows, now_rows;
	int r;

	snprintf(path, sizeof(path), "%s/%s.crl", j->dir, j->which);
	if (access(path, F_OK) != 0)
		return 1;
	st = cm_db_prepare(c->db, "SELECT TIMESTAMPDIFF(SECOND, this_update, UTC_TIMESTAMP()),"
	    " DATE_FORMAT(this_update, '%Y-%m-%d %H:%i:%s'), entries FROM crl_state WHERE issuer_id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, j->issuer_row) < 0 || cm_stmt_execute(st) < 0 ||
	    (r = cm_stmt_fetch(st)) < 0) {
		cli_error("database: %s", cm_db_error(c->db));
		cm_stmt_close(st);
		return -1;
	}
	if (r == 0) {
		cm_stmt_close(st);
		return 1;
	}
	age = cm_stmt_i64(st, 0);
	cm_stmt_copy_str(st, 1, tu, sizeof(tu));
	rows = cm_stmt_i64(st, 2);
	cm_stmt_close(st);
	if (age >= c->set.crl_max_age_hours * 3600)
		return 1;
	if ((now_rows = count_revoked(c, j->issuer_row, tu)) < 0) {
		cli_error("database: %s", cm_db_error(c->db));
		return -1;
	}
	return now_rows != rows;
}

/* Hex serial to bytes: the count, or -1 when s is not 2..40 hex digits. */
static int
unhex(const char *s, unsigned char *out, size_t max)
{
	size_t n = strlen(s);

	if (n < 2 || n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int v = 0;
		for (int k = 0; k < 2; k++) {
			char ch = s[2 * i + k];
			int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
			    ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
			if (d < 0)
				return -1;
			v = v * 16 + d;
		}
		out[i] = (unsigned char)v;
	}
	return (int)(n / 2);
}

/* Sends the batch in b, if any. 0, or -1 printed. */
static int
flush_batch(struct cm_signer *sg, struct cm_buf *b)
{
	char err[512];

	if (b->len == 0)
		return 0;
	if (cm_signer_crl_entries(sg, b->data, b->len, err, sizeof(err)) != 0) {
		cli_error("signer: %s", err);
		return -1;
	}
	cm_buf_reset(b);
	return 0;
}

/*
 * Streams the revoked, unexpired certificates of the issuing CA to the
 * signer, batch by batch (keyset on id through certificates_crl), in one
 * read-only transaction so the CRL is one consistent snapshot. Rows
 * without an issuer_id (issued before the chain was recorded) are the
 * signer's one issuing CA's too, so they are listed as well. 0, or -1
 * printed.
 */
static int
stream_entries(struct cli *c, struct cm_signer *sg, struct crl_job *j)
{
	struct cm_buf b;
	struct cm_stmt *st = NULL;
	int ret = -1;

	cm_buf_init(&b, CM_SIGNER_CRL_BATCH);
	if (cm_db_exec(c->db, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY") < 0)
		goto db;
	for (int pass = 0; pass < 2; pass++) {
		int64_t after = 0;
		for (;;) {
			int rows = 0, r;
			st = cm_db_prepare(c->db,
			    "SELECT id, serial_hex, TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', revoked_at),"
			    " COALESCE(revocation_reason, 0)"
			    " FROM certificates FORCE INDEX (certificates_crl)"
			    " WHERE issuer_id <=> ? AND status = 'revoked' AND id > ?"
			    " AND not_after > ? AND serial_hex IS NOT NULL"
			    " ORDER BY id LIMIT ?");
			if (st == NULL ||
			    (pass == 0 ? cm_stmt_bind_i64(st, 0, j->issuer_row) : cm_stmt_bind_null(st, 0)) < 0 ||
			    cm_stmt_bind_i64(st, 1, after) < 0 || cm_stmt_bind_str(st, 2, j->this_update_str) < 0 ||
			    cm_stmt_bind_i64(st, 3, CRL_BATCH_ROWS) < 0 ||
			    cm_stmt_execute(st) < 0)
				goto db;
			while ((r = cm_stmt_fetch(st)) == 1) {
				unsigned char serial[CM_CRL_MAX_SERIAL];
				const char *hex = cm_stmt_str(st, 1, NULL);
				int64_t when = cm_stmt_i64(st, 2), reason = cm_stmt_i64(st, 3);
				int n = hex ? unhex(hex, serial, sizeof(serial)) : -1;

				after = cm_stmt_i64(st, 0);
				rows++;
				j->rows++;
				if (n < 0 || when < 0 || reason < 0 || reason > 10) {
					cli_error("certificate %" PRId64 " has an unusable serial, revocation time or reason; not listed",
					    after);
					continue;
				}
				if (b.len + 1 + CM_CRL_MAX_SERIAL + 9 > CM_SIGNER_CRL_BATCH && flush_batch(sg, &b) < 0)
					goto out;
				if (cm_signer_crl_pack(&b, serial, (size_t)n, (uint64_t)when, (unsigned)reason) < 0) {
					cli_error("out of memory");
					goto out;
				}
				j->entries++;
			}
			cm_stmt_close(st);
			st = NULL;
			if (r < 0)
				goto db;
			if (rows < CRL_BATCH_ROWS)
				break;
		}
	}
	if (flush_batch(sg, &b) < 0)
		goto out;
	ret = 0;
	goto out;
db:
	cli_error("database: %s", cm_db_error(c->db));
out:
	cm_stmt_close(st);
	if (cm_db_in_transaction(c->db))
		cm_db_rollback(c->db);
	cm_buf_free(&b);
	return ret;
}

/* Writes all of p to fd. 0 / -1 errno. */
static int
write_all(int fd, const void *p, size_t n)
{
	const char *q = p;
	while (n > 0) {
		ssize_t w = write(fd, q, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		q += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A temporary file in dir for name: fd, or -1 printed. */
static int
temp_file(const char *dir, const char *name, char *path, size_t plen)
{
	snprintf(path, plen, "%s/.%s.%ld.tmp", dir, name, (long)getpid());
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	/* Apache's uid reads them, whatever umask this job runs with. */
	if (fd >= 0 && fchmod(fd, 0644) < 0) {
		close(fd);
		unlink(path);
		fd = -1;
	}
	if (fd < 0)
		cli_error("%s: %s", path, strerror(errno));
	return fd;
}

/*
 * Reads the signed CRL from the signer chunk by chunk into temporary DER
 * and PEM files (the PEM base64 as it goes, so neither side holds the
 * whole CRL twice), fsyncs them and renames them over DIR/WHICH.crl and
 * DIR/WHICH.crl.pem, then fsyncs the directory. 0, or -1 printed.
 */
static int
publish(struct cm_signer *sg, struct crl_job *j)
{
	static const char begin[] = "-----BEGIN X509 CRL-----\n", end[] = "-----END X509 CRL-----\n";
	char tder[4300], tpem[4300], fder[4300], fpem[4300], name[64], err[512];
	/* base64 of a chunk, with its newlines */
	unsigned char *line = malloc(2 * CM_CRL_CHUNK);
	EVP_ENCODE_CTX *enc = EVP_ENCODE_CTX_new();
	struct cm_buf chunk;
	int dfd = -1, pfd = -1, dirfd = -1, ret = -1, outl;
	uint64_t off = 0;

	cm_buf_init(&chunk, CM_CRL_CHUNK);
	tder[0] = tpem[0] = '\0';
	snprintf(name, sizeof(name), "%s.crl", j->which);
	if (enc == NULL || line == NULL || (dfd = temp_file(j->dir, name, tder, sizeof(tder))) < 0)
		goto out;
	snprintf(name, sizeof(name), "%s.crl.pem", j->which);
	if ((pfd = temp_file(j->dir, name, tpem, sizeof(tpem))) < 0)
		goto out;
	EVP_EncodeInit(enc);
	if (write_all(pfd, begin, sizeof(begin) - 1) < 0)
		goto io;
	while (off < j->der_len) {
		size_t got = 0;
		cm_buf_reset(&chunk);
		if (cm_signer_crl_read(sg, off, &chunk, &got, err, sizeof(err)) != 0) {
			cli_error("signer: %s", err);
			goto out;
		}
		if (got == 0 || off + got > j->der_len) {
			cli_error("signer: the CRL it returned does not have the length it announced");
			goto out;
		}
		if (write_all(dfd, chunk.data, got) < 0 ||
		    !EVP_EncodeUpdate(enc, line, &outl, (const unsigned char *)chunk.data, (int)got) ||
		    write_all(pfd, line, (size_t)outl) < 0)
			goto io;
		off += got;
	}
	EVP_EncodeFinal(enc, line, &outl);
	if (write_all(pfd, line, (size_t)outl) < 0 || write_all(pfd, end, sizeof(end) - 1) < 0 ||
	    fsync(dfd) < 0 || fsync(pfd) < 0 || close(dfd) < 0)
		goto io;
	dfd = -1;
	if (close(pfd) < 0)
		goto io;
	pfd = -1;
	snprintf(fder, sizeof(fder), "%s/%s.crl", j->dir, j->which);
	snprintf(fpem, sizeof(fpem), "%s/%s.crl.pem", j->dir, j->which);
	if (rename(tder, fder) < 0)
		goto io;
	tder[0] = '\0';
	if (rename(tpem, fpem) < 0)
		goto io;
	tpem[0] = '\0';
	if ((dirfd = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(dirfd) < 0)
		goto io;
	ret = 0;
	goto out;
io:
	cli_error("writing the %s CRL in %s: %s", j->which, j->dir, strerror(errno));
out:
	if (dfd >= 0)
		close(dfd);
	if (pfd >= 0)
		close(pfd);
	if (dirfd >= 0)
		close(dirfd);
	if (tder[0])
		unlink(tder);
	if (tpem[0])
		unlink(tpem);
	EVP_ENCODE_CTX_free(enc);
	free(line);
	cm_buf_free(&chunk);
	return ret;
}

/* Records the published CRL in crl_state with its audit row, in one
 * transaction. 0, or -1 printed. */
static int
record(struct cli *c, const struct crl_job *j)
{
	struct cm_stmt *st = NULL;
	struct cm_buf after;
	char nu[24], id[24];
	const char *tu = j->this_update_str;
	struct tm tm;
	int ret = -1;

	cm_buf_init(&after, 4096);
	strftime(nu, sizeof(nu), "%Y-%m-%d %H:%M:%S", gmtime_r(&j->next_update, &tm));
	snprintf(id, sizeof(id), "%" PRId64, j->issuer_row);
	cm_buf_printf(&after, "{\"ca\":\"%s\",\"crl_number\":\"%s\",\"this_update\":\"%s\",\"next_update\":\"%s\","
	    "\"entries\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", j->which, j->number, tu, nu, j->entries, j->der_len);
	struct cm_audit_entry a = {
		.actor = CRL_ACTOR, .action = "crl.generate", .object_type = "ca_cert", .object_id = id,
		.after = after.data,
	};
	if (cm_db_begin(c->db) < 0)
		goto db;
	st = cm_db_prepare(c->db, "INSERT INTO crl_state (issuer_id, crl_number, this_update, next_update,"
	    " entries, der_bytes) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
	    " crl_number = VALUES(crl_number), this_update = VALUES(this_update),"
	    " next_update = VALUES(next_update), entries = VALUES(entries), der_bytes = VALUES(der_bytes)");
	if (st == NULL || cm_stmt_bind_i64(st, 0, j->issuer_row) < 0 || cm_stmt_bind_str(st, 1, j->number) < 0 ||
	    cm_stmt_bind_str(st, 2, tu) < 0 || cm_stmt_bind_str(st, 3, nu) < 0 ||
	    cm_stmt_bind_i64(st, 4, (int64_t)j->rows) < 0 || cm_stmt_bind_i64(st, 5, (int64_t)j->der_len) < 0 ||
	    cm_stmt_execute(st) < 0 || cm_audit(c->db, &a) < 0 || cm_db_commit(c->db) < 0)
		goto db;
	ret = 0;
	goto out;
db:
	cli_error("database: %s (the %s CRL number %s is published, but not recorded)", cm_db_error(c->db),
	    j->which, j->number);
	if (cm_db_in_transaction(c->db))
		cm_db_rollback(c->db);
out:
	cm_stmt_close(st);
	cm_buf_free(&after);
	return ret;
}

/* Begins, fills (issuing only), signs and publishes one CRL. 0; 1 the
 * signer refused (reason printed unless quiet_refusal, then in why); -1
 * printed. */
static int
one_crl(struct cli *c, struct cm_signer *sg, struct crl_job *j, char *why, size_t wlen)
{
	char err[512];
	int r;

	r = cm_signer_crl_begin(sg, j->which, j->this_update, j->next_update, err, sizeof(err));
	if (r == CM_SIGNER_REFUSED && why) {
		snprintf(why, wlen, "%s", err);
		return 1;
	}
	if (r != 0) {
		cli_error("signer: %s", err);
		return r == CM_SIGNER_REFUSED ? 1 : -1;
	}
	if (strcmp(j->which, "issuing") == 0 && stream_entries(c, sg, j) < 0)
		return -1;
	r = cm_signer_crl_sign(sg, j->number, sizeof(j->number), &j->der_len, err, sizeof(err));
	if (r == CM_SIGNER_REFUSED && why) {
		snprintf(why, wlen, "%s", err);
		return 1;
	}
	if (r != 0) {
		cli_error("signer: %s", err);
		return r == CM_SIGNER_REFUSED ? 1 : -1;
	}
	if (publish(sg, j) < 0 || record(c, j) < 0)
		return -1;
	printf("%s CRL number %s: %" PRIu64 " entries, %" PRIu64 " bytes, %s/%s.crl\n", j->which, j->number,
	    j->entries, j->der_len, j->dir, j->which);
	return 0;
}

/* Creates dir 0755 (Apache traverses it, whatever the umask) unless it
 * exists. 0, or -1 printed. */
static int
make_dir(const char *dir)
{
	if (mkdir(dir, 0755) == 0)
		return chmod(dir, 0755) < 0 ? (cli_error("%s: %s", dir, strerror(errno)), -1) : 0;
	if (errno == EEXIST)
		return 0;
	cli_error("%s: %s", dir, strerror(errno));
	return -1;
}

static int
crl_generate(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "if-stale", no_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cm_signer *sg = NULL;
	struct crl_job iss, root;
	const char *out = NULL;
	char why[512];
	int if_stale = 0, opt, status = CLI_FAIL;
	int64_t iss_row = 0, root_row = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': if_stale = 1; break;
		case 'o': out = optarg; break;
		case 'h': fputs(crl_usage, stdout); return CLI_OK;
		default: fputs(crl_usage, stderr); return CLI_FAIL;
		}
	}
	if (optind != argc) {
		fputs(crl_usage, stderr);
		return CLI_FAIL;
	}
	if (cli_load(c) < 0)
		return CLI_FAIL;
	if (out == NULL)
		out = c->set.publish_dir;
	if (out == NULL || out[0] != '/') {
		cli_error("[publish] dir in %s must be an absolute directory (or give --out DIR)", c->conf_path);
		return CLI_FAIL;
	}
	memset(&iss, 0, sizeof(iss));
	iss.which = "issuing";
	if (snprintf(iss.dir, sizeof(iss.dir), "%s/crl", out) >= (int)sizeof(iss.dir)) {
		cli_error("--out is too long");
		return CLI_FAIL;
	}
	if (make_dir(out) < 0 || make_dir(iss.dir) < 0)
		return CLI_FAIL;
	if (cli_db(c) < 0 || cli_signer(c, &sg) < 0 || cli_ca_rows(c, sg, &iss_row, &root_row) < 0)
		goto out;
	iss.issuer_row = iss_row;
	if (if_stale) {
		int s = is_stale(c, &iss);
		if (s < 0)
			goto out;
		if (s == 0) {
			printf("issuing CRL is up to date\n");
			status = CLI_OK;
			goto out;
		}
	}
	iss.this_update = time(NULL);
	iss.next_update = iss.this_update + (time_t)c->set.crl_next_update_hours * 3600;
	struct tm tm;
	strftime(iss.this_update_str, sizeof(iss.this_update_str), "%Y-%m-%d %H:%M:%S",
	    gmtime_r(&iss.this_update, &tm));
	root = iss;
	root.which = "root";
	root.issuer_row = root_row;
	int r = one_crl(c, sg, &iss, NULL, 0);
	if (r != 0) {
		status = r > 0 ? CLI_REFUSED : CLI_FAIL;
		goto out;
	}
	/* The root's CRL needs the root key, which an imported CA leaves
	 * outside the signer: then it is made where that key is. */
	r = one_crl(c, sg, &root, why, sizeof(why));
	if (r < 0)
		goto out;
	if (r > 0)
		printf("root CRL not signed: %s\n", why);
	status = CLI_OK;
out:
	cm_signer_close(sg);
	return status;
}

/* certmint crl SUBCOMMAND: an exit status. */
int
cmd_crl(struct cli *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "generate") == 0)
		return crl_generate(c, argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(crl_usage, stdout);
		return CLI_OK;
	}
	fputs(crl_usage, stderr);
	return CLI_FAIL;
}
