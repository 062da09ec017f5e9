/* checkpoint.c: signs audit chain checkpoints with the vault's checkpoint key and keeps them in an append-only, fsync'ed file next to the journal. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "checkpoint.h"
#include "log.h"

/* 0 / -1. */
int
cm_checkpoints_path(const char *journal_path, char *out, size_t outlen)
{
	const char *slash = strrchr(journal_path, '/');
	int n;

	if (slash == NULL)
		n = snprintf(out, outlen, "%s", CM_CHECKPOINT_FILE_NAME);
	else
		n = snprintf(out, outlen, "%.*s/%s", (int)(slash - journal_path), journal_path,
		    CM_CHECKPOINT_FILE_NAME);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* The public half as PEM, malloc'ed; NULL on failure. */
static char *
public_pem(EVP_PKEY *key)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *data = NULL, *out = NULL;
	long n;

	if (mem == NULL || !PEM_write_bio_PUBKEY(mem, key))
		goto out;
	n = BIO_get_mem_data(mem, &data);
	if (n <= 0 || (out = malloc((size_t)n + 1)) == NULL)
		goto out;
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
out:
	BIO_free(mem);
	return out;
}

/* Adds cp at the end of the in-memory list. 0 / -1. */
static int
push(struct cm_checkpoints *c, const struct cm_checkpoint *cp)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct cm_checkpoint *p = realloc(c->all, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		c->all = p;
		c->cap = cap;
	}
	c->all[c->n++] = *cp;
	return 0;
}

/* Reads the whole file into memory, checking every line. 0 / -1 with err. */
static int
load(struct cm_checkpoints *c, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0, start = 0, lineno = 0;
	int rc = -1;

	if (fstat(c->fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", c->path, strerror(errno));
		return -1;
	}
	if (st.st_size > CM_CHECKPOINT_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than %ld bytes", c->path, CM_CHECKPOINT_MAX_FILE);
		return -1;
	}
	if (st.st_size == 0)
		return 0;
	buf = malloc((size_t)st.st_size);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory reading %s", c->path);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = pread(c->fd, buf + got, (size_t)st.st_size - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "%s: %s", c->path, r < 0 ? strerror(errno) : "shorter than its size");
			goto out;
		}
		got += (size_t)r;
	}
	for (size_t i = 0; i < got; i++) {
		struct cm_checkpoint cp;
		if (buf[i] != '\n')
			continue;
		lineno++;
		if (cm_checkpoint_parse(buf + start, i - start, &cp) < 0) {
			snprintf(err, errlen, "%s:%zu: not a checkpoint line", c->path, lineno);
			goto out;
		}
		if (c->n > 0 && cp.id <= c->all[c->n - 1].id) {
			snprintf(err, errlen, "%s:%zu: checkpoint for row %" PRId64 " does not follow row %" PRId64,
			    c->path, lineno, cp.id, c->all[c->n - 1].id);
			goto out;
		}
		if (push(c, &cp) < 0) {
			snprintf(err, errlen, "out of memory reading %s", c->path);
			goto out;
		}
		start = i + 1;
	}
	if (start < got) {
		/* A crash between write and fdatasync can leave half a line, which
		 * was never answered: cut it, so the next record starts clean. */
		cm_warn("%s: removing an incomplete last line (%zu bytes)", c->path, got - start);
		if (ftruncate(c->fd, (off_t)start) < 0 || fdatasync(c->fd) < 0) {
			snprintf(err, errlen, "%s: cannot cut its incomplete last line: %s", c->path, strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* 0 / -1 with err. */
int
cm_checkpoints_open(struct cm_checkpoints *c, const char *path,
    const struct cm_vault *v, char *err, size_t errlen)
{
	struct stat st;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->vault = v;
	c->path = strdup(path);
	if (c->path == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (c->fd < 0) {
		snprintf(err, errlen, "checkpoint file %s: %s", path, strerror(errno));
		goto fail;
	}
	/* Only the signer may write it: a program uid that could would make the
	 * checkpoints as rewritable as the database they guard. */
	if (fstat(c->fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) != 0) {
		snprintf(err, errlen, "checkpoint file %s must be a regular file owned by uid %u that only it may write",
		    path, (unsigned)geteuid());
		goto fail;
	}
	if (load(c, err, errlen) < 0)
		goto fail;
	if (cm_vault_exists(v, CM_CHECKPOINT_KEY_NAME)) {
		c->key = cm_vault_get_key(v, CM_CHECKPOINT_KEY_NAME, err, errlen);
		if (c->key == NULL)
			goto fail;
		if (EVP_PKEY_get_id(c->key) != EVP_PKEY_ED25519 || (c->pub_pem = public_pem(c->key)) == NULL) {
			snprintf(err, errlen, "vault file %s is not an Ed25519 key", CM_CHECKPOINT_KEY_NAME);
			goto fail;
		}
	}
	if (c->n > 0 && (c->key == NULL || !cm_checkpoint_verify(&c->all[c->n - 1], c->key))) {
		snprintf(err, errlen, "%s: the latest checkpoint (row %" PRId64 ") is not signed by the vault's %s",
		    path, c->all[c->n - 1].id, CM_CHECKPOINT_KEY_NAME);
		goto fail;
	}
	pthread_mutex_init(&c->mu, NULL);
	c->started = 1;
	return 0;
fail:
	cm_checkpoints_close(c);
	return -1;
}

/* No return value. */
void
cm_checkpoints_close(struct cm_checkpoints *c)
{
	if (c->started)
		pthread_mutex_destroy(&c->mu);
	if (c->fd >= 0)
		close(c->fd);
	EVP_PKEY_free(c->key);
	free(c->pub_pem);
	free(c->all);
	free(c->path);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Makes and stores the key on the first checkpoint; mu held. 0 / -1. */
static int
ensure_key(struct cm_checkpoints *c, char *reason, size_t rlen)
{
	char err[256];
	EVP_PKEY *key;

	if (c->key)
		return 0;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (key == NULL) {
		snprintf(reason, rlen, "cannot generate the checkpoint key");
		return -1;
	}
	if (cm_vault_put_key(c->vault, CM_CHECKPOINT_KEY_NAME, key, err, sizeof(err)) < 0) {
		cm_err("%s", err);
		snprintf(reason, rlen, "cannot store the checkpoint key in the vault");
		EVP_PKEY_free(key);
		return -1;
	}
	c->pub_pem = public_pem(key);
	if (c->pub_pem == NULL) {
		snprintf(reason, rlen, "out of memory");
		EVP_PKEY_free(key);
		return -1;
	}
	c->key = key;
	cm_info("made the audit checkpoint key (%s in the vault)", CM_CHECKPOINT_KEY_NAME);
	return 0;
}

/* Appends one line and makes it durable; on failure the file is cut back. 0 / -1. */
static int
append_line(struct cm_checkpoints *c, const char *line, size_t len)
{
	struct stat st;
	size_t done = 0;

	if (fstat(c->fd, &st) < 0)
		return -1;
	while (done < len) {
		ssize_t r = write(c->fd, line + done, len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		done += (size_t)r;
	}
	if (fdatasync(c->fd) < 0)
		goto fail;
	return 0;
fail:;
	int e = errno;
	if (ftruncate(c->fd, st.st_size) < 0 || fdatasync(c->fd) < 0)
		cm_err("%s: cannot cut a failed checkpoint off: %s", c->path, strerror(errno));
	errno = e;
	return -1;
}

/* 0 / 1 / -1. */
int
cm_checkpoints_record(struct cm_checkpoints *c, int64_t id, const char *hash,
    time_t now, struct cm_checkpoint *out, char *reason, size_t rlen)
{
	struct cm_checkpoint cp;
	char line[CM_CHECKPOINT_LINE_MAX + 2];
	int n, ret = 1;

	if (id < 1 || hash == NULL || !cm_checkpoint_hash_ok(hash, strlen(hash))) {
		snprintf(reason, rlen, "a checkpoint needs a row id of at least 1 and a 64-hex-digit chain hash");
		return 1;
	}
	pthread_mutex_lock(&c->mu);
	if (c->n > 0) {
		const struct cm_checkpoint *last = &c->all[c->n - 1];
		if (id < last->id) {
			snprintf(reason, rlen, "row %" PRId64 " is below the latest signed checkpoint (row %" PRId64
			    "): rows are missing from the audit log, or this head is stale", id, last->id);
			goto out;
		}
		if (id == last->id) {
			if (strcmp(hash, last->hash) != 0) {
				snprintf(reason, rlen, "row %" PRId64 " was signed with another chain hash: the audit log was rewritten",
				    id);
				goto out;
			}
			*out = *last;
			ret = 0;
			goto out;
		}
	}
	ret = -1;
	if (ensure_key(c, reason, rlen) < 0)
		goto out;
	memset(&cp, 0, sizeof(cp));
	cp.id = id;
	memcpy(cp.hash, hash, 65);
	cp.at = (int64_t)now;
	if (cm_checkpoint_sign(&cp, c->key) < 0) {
		snprintf(reason, rlen, "signing the checkpoint failed");
		goto out;
	}
	n = cm_checkpoint_format(&cp, line, sizeof(line) - 1);
	if (n < 0) {
		snprintf(reason, rlen, "encoding the checkpoint failed");
		goto out;
	}
	line[n++] = '\n';
	if (push(c, &cp) < 0) {
		snprintf(reason, rlen, "out of memory");
		goto out;
	}
	/* Nothing is answered before the checkpoint is on disk. */
	if (append_line(c, line, (size_t)n) < 0) {
		cm_err("%s: checkpoint for row %" PRId64 " not written: %s", c->path, id, strerror(errno));
		c->n--;
		snprintf(reason, rlen, "the signer could not write its checkpoint file");
		goto out;
	}
	*out = cp;
	ret = 0;
out:
	pthread_mutex_unlock(&c->mu);
	return ret;
}

/* 0 / -1. */
int
cm_checkpoints_list(struct cm_checkpoints *c, int64_t after,
    struct cm_checkpoint *out, size_t max, size_t *n, char **pub_pem,
    char *reason, size_t rlen)
{
	size_t lo, hi;
	int ret = -1;

	*n = 0;
	*pub_pem = NULL;
	pthread_mutex_lock(&c->mu);
	/* first checkpoint with id > after */
	lo = 0;
	hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->all[mid].id <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < c->n && *n < max; i++)
		out[(*n)++] = c->all[i];
	if (c->pub_pem && (*pub_pem = strdup(c->pub_pem)) == NULL) {
		snprintf(reason, rlen, "out of memory");
		goto out;
	}
	ret = 0;
out:
	pthread_mutex_unlock(&c->mu);
	return ret;
}
