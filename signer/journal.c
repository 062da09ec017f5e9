/* journal.c: append-only issuance journal; one writer thread batches records into one write + fdatasync. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "journal.h"

struct cm_jrec {
	struct cm_jrec *next;
	const char *line;
	size_t len;
	int state;                /* 0 queued, 1 durable, -1 failed */
	int err;
};

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * Takes everything queued, writes it with one write() and one fdatasync(),
 * then wakes every waiter of the batch. Issuers that arrive while the disk
 * is busy form the next batch, so N concurrent issuances cost ~1 fsync.
 */
static void *
journal_thread(void *arg)
{
	struct cm_journal *j = arg;
	struct cm_buf b;

	cm_buf_init(&b, 0);
	pthread_mutex_lock(&j->mu);
	for (;;) {
		while (j->head == NULL && !j->stop)
			pthread_cond_wait(&j->work, &j->mu);
		if (j->head == NULL)
			break;
		struct cm_jrec *batch = j->head;
		j->head = j->tail = NULL;
		pthread_mutex_unlock(&j->mu);

		int ok = 1, e = 0;
		cm_buf_reset(&b);
		for (struct cm_jrec *r = batch; r; r = r->next)
			if (cm_buf_append(&b, r->line, r->len) < 0) {
				ok = 0;
				e = ENOMEM;
			}
		struct stat st;
		if (ok && fstat(j->fd, &st) < 0) {
			ok = 0;
			e = errno;
		}
		if (ok && (write_all(j->fd, b.data, b.len) < 0 || fdatasync(j->fd) < 0)) {
			ok = 0;
			e = errno;
			/* Cut a partial batch off, so the next one never follows garbage. */
			if (ftruncate(j->fd, st.st_size) < 0 || fdatasync(j->fd) < 0)
				j->truncate_failures++;
		}

		pthread_mutex_lock(&j->mu);
		j->batches++;
		for (struct cm_jrec *r = batch; r; r = r->next) {
			r->state = ok ? 1 : -1;
			r->err = e;
			j->records++;
		}
		pthread_cond_broadcast(&j->done);
	}
	pthread_mutex_unlock(&j->mu);
	cm_buf_free(&b);
	return NULL;
}

/* 0 / -1 with err. */
int
cm_journal_open(struct cm_journal *j, const char *path, char *err, size_t errlen)
{
	memset(j, 0, sizeof(*j));
	j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (j->fd < 0) {
		snprintf(err, errlen, "journal %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(j->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "journal %s: not a regular file", path);
		close(j->fd);
		j->fd = -1;
		return -1;
	}
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->work, NULL);
	pthread_cond_init(&j->done, NULL);
	if (pthread_create(&j->thread, NULL, journal_thread, j) != 0) {
		snprintf(err, errlen, "journal: cannot start writer thread");
		close(j->fd);
		j->fd = -1;
		return -1;
	}
	j->started = 1;
	return 0;
}

/* No return value. */
void
cm_journal_close(struct cm_journal *j)
{
	if (!j->started)
		return;
	pthread_mutex_lock(&j->mu);
	j->stop = 1;
	pthread_cond_signal(&j->work);
	pthread_mutex_unlock(&j->mu);
	pthread_join(j->thread, NULL);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->work);
	pthread_cond_destroy(&j->done);
	close(j->fd);
	j->fd = -1;
	j->started = 0;
}

/* 0 durable / -1 with errno. */
int
cm_journal_append(struct cm_journal *j, const char *line, size_t len)
{
	struct cm_jrec rec = { NULL, line, len, 0, 0 };

	pthread_mutex_lock(&j->mu);
	if (j->stop) {
		pthread_mutex_unlock(&j->mu);
		errno = ESHUTDOWN;
		return -1;
	}
	if (j->tail)
		j->tail->next = &rec;
	else
		j->head = &rec;
	j->tail = &rec;
	pthread_cond_signal(&j->work);
	while (rec.state == 0)
		pthread_cond_wait(&j->done, &j->mu);
	pthread_mutex_unlock(&j->mu);
	if (rec.state < 0) {
		errno = rec.err ? rec.err : EIO;
		return -1;
	}
	return 0;
}

/* Fields are tab-separated, so a tab or newline in a subject must not split a record. */
static int
put_field(struct cm_buf *out, const char *s)
{
	for (; *s; s++) {
		char c = (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s;
		if (cm_buf_putc(out, c) < 0)
			return -1;
	}
	return cm_buf_putc(out, '\t');
}

/* 0 / -1. */
int
cm_journal_format(struct cm_buf *out, time_t when, const char *serial_hex,
    const char *profile, uid_t uid, const char *subject,
    const unsigned char *der, size_t der_len)
{
	struct tm tm;
	char ts[32], uidbuf[24];
	gmtime_r(&when, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(uidbuf, sizeof(uidbuf), "%u", (unsigned)uid);
	if (put_field(out, ts) < 0 || put_field(out, serial_hex) < 0 ||
	    put_field(out, profile) < 0 || put_field(out, uidbuf) < 0 ||
	    put_field(out, subject) < 0)
		return -1;
	size_t need = 4 * ((der_len + 2) / 3) + 1;
	unsigned char *b64 = malloc(need);
	if (b64 == NULL)
		return -1;
	int n = EVP_EncodeBlock(b64, der, (int)der_len);
	int r = cm_buf_append(out, b64, (size_t)n);
	free(b64);
	if (r < 0)
		return -1;
	return cm_buf_putc(out, '\n');
}
