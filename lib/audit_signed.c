/* audit_signed.c: takes signed checkpoints of the audit chain head from signerd and reads them back for verification (see audit_signed.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "audit_signed.h"
#include "log.h"
#include "signer_client.h"

/* A checkpoint in the middle of a user's action waits at most this long:
 * a slow signer delays the action a little, never by the full timeout. */
#define NOTE_TIMEOUT_MS 3000
/* Upper bound on checkpoints read back (a page per round trip). */
#define MAX_CHECKPOINTS (16L * 1024 * 1024)

/* Set once at start, before the workers fork; read-only afterwards. */
static long every;
static char signer_socket[108];
static int timeout_ms;

/* No return value. */
void
cm_audit_checkpoint_setup(const struct cm_settings *s)
{
	every = s->audit_checkpoint_every;
	if (s->signer_socket == NULL ||
	    snprintf(signer_socket, sizeof(signer_socket), "%s", s->signer_socket) >= (int)sizeof(signer_socket))
		every = 0;
	timeout_ms = s->signer_timeout_ms > 0 && s->signer_timeout_ms < NOTE_TIMEOUT_MS ?
	    (int)s->signer_timeout_ms : NOTE_TIMEOUT_MS;
}

/* cm_db_after_commit callback: logs, never fails anything. */
static void
checkpoint_after_commit(struct cm_db *db, void *arg)
{
	struct cm_checkpoint cp;
	char err[512];
	int r;

	(void)arg;
	r = cm_audit_checkpoint_now(db, signer_socket, timeout_ms, &cp, err, sizeof(err));
	if (r == 0)
		cm_debug("audit checkpoint signed at row %" PRId64, cp.id);
	else if (r == 1)
		/* Also what a concurrent checkpoint of a later head looks like. */
		cm_warn("audit checkpoint refused by the signer: %s", err);
	else if (r < 0)
		cm_err("audit checkpoint not taken: %s", err);
}

/* No return value. */
void
cm_audit_checkpoint_note(struct cm_db *db, int64_t id)
{
	if (every > 0 && id > 0 && id % every == 0)
		cm_db_after_commit(db, checkpoint_after_commit, NULL);
}

/* 0 / 2 / 1 / -1. */
int
cm_audit_checkpoint_now(struct cm_db *db, const char *sock, int tmo,
    struct cm_checkpoint *out, char *err, size_t errlen)
{
	struct cm_stmt *st = NULL;
	struct cm_signer *sg = NULL;
	char hash[65];
	const char *h;
	size_t hlen = 0;
	int64_t id;
	int rc = -1;

	/* The committed head: a checkpoint never covers a row that could
	 * still be rolled back. */
	st = cm_db_prepare(db, "SELECT last_id, last_hash FROM audit_head WHERE id = 1");
	if (st == NULL || cm_stmt_execute(st) < 0 || cm_stmt_fetch(st) != 1) {
		snprintf(err, errlen, "reading audit_head: %s", cm_db_error(db));
		goto out;
	}
	id = cm_stmt_i64(st, 0);
	h = cm_stmt_str(st, 1, &hlen);
	if (id == 0) {
		snprintf(err, errlen, "the audit log is empty");
		rc = 2;
		goto out;
	}
	if (h == NULL || !cm_checkpoint_hash_ok(h, hlen)) {
		snprintf(err, errlen, "audit_head holds a malformed hash");
		goto out;
	}
	memcpy(hash, h, 64);
	hash[64] = '\0';
	cm_stmt_close(st);
	st = NULL;
	if (cm_signer_connect(&sg, sock, tmo, err, errlen) != 0)
		goto out;
	rc = cm_signer_audit_checkpoint(sg, id, hash, out, err, errlen);
out:
	cm_stmt_close(st);
	cm_signer_close(sg);
	return rc;
}

/* 0 / -1 with err. */
int
cm_audit_fetch_checkpoints(const char *sock, int tmo, struct cm_checkpoint **out,
    size_t *n, char *err, size_t errlen)
{
	struct cm_signer *sg = NULL;
	struct cm_checkpoint *all = NULL;
	struct cm_buf pem;
	EVP_PKEY *pub = NULL;
	BIO *mem = NULL;
	size_t cap = 0, got;
	int64_t after = 0;
	int rc = -1;

	*out = NULL;
	*n = 0;
	cm_buf_init(&pem, 16 * 1024);
	if (cm_signer_connect(&sg, sock, tmo, err, errlen) != 0)
		goto out;
	do {
		if (*n + CM_CHECKPOINT_PAGE > cap) {
			size_t ncap = cap ? cap * 2 : 4 * CM_CHECKPOINT_PAGE;
			struct cm_checkpoint *p;
			if (ncap > (size_t)MAX_CHECKPOINTS) {
				snprintf(err, errlen, "the signer holds more than %ld checkpoints", MAX_CHECKPOINTS);
				goto out;
			}
			p = realloc(all, ncap * sizeof(*p));
			if (p == NULL) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			all = p;
			cap = ncap;
		}
		cm_buf_reset(&pem);
		int r = cm_signer_audit_checkpoints(sg, after, all + *n, CM_CHECKPOINT_PAGE, &got, &pem,
		    err, errlen);
		if (r != 0)
			goto out;
		for (size_t i = 0; i < got; i++) {
			if (all[*n + i].id <= after) {
				snprintf(err, errlen, "signer: checkpoints out of order at row %" PRId64, all[*n + i].id);
				goto out;
			}
			after = all[*n + i].id;
		}
		*n += got;
	} while (got == CM_CHECKPOINT_PAGE);
	if (*n == 0) {
		rc = 0;
		goto out;
	}
	/* The key comes from the signer, not the database the checkpoints
	 * guard; every signature is checked, so the list is the signer's. */
	mem = BIO_new_mem_buf(pem.data, (int)pem.len);
	pub = mem && pem.len ? PEM_read_bio_PUBKEY(mem, NULL, NULL, NULL) : NULL;
	if (pub == NULL) {
		snprintf(err, errlen, "signer: no usable checkpoint key in its reply");
		goto out;
	}
	for (size_t i = 0; i < *n; i++)
		if (!cm_checkpoint_verify(&all[i], pub)) {
			snprintf(err, errlen, "signer: the checkpoint at row %" PRId64 " has a bad signature", all[i].id);
			goto out;
		}
	rc = 0;
out:
	if (rc == 0 && *n > 0) {
		*out = all;
		all = NULL;
	} else {
		*n = 0;
	}
	free(all);
	EVP_PKEY_free(pub);
	BIO_free(mem);
	cm_buf_free(&pem);
	cm_signer_close(sg);
	return rc;
}
