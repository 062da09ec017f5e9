/* ocsp_store.c: the pre-signed OCSP response store (file format, atomic writes, checked reads; see ocsp_store.h). */
#include "config.h"

#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocsp_store.h"

#define STATE_NAME ".state"
#define STATE_MAX 64

static uint64_t
get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void
put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

int
cm_ocsp_store_name_ok(const char *name)
{
	size_t n = 0;

	if (name == NULL)
		return 0;
	for (; name[n]; n++)
		if (!((name[n] >= '0' && name[n] <= '9') || (name[n] >= 'a' && name[n] <= 'f')))
			return 0;
	return n >= 1 && n <= CM_OCSP_STORE_NAME_MAX;
}

/* The header's fields into e: 0, or -1 when they are not ours. */
static int
parse_header(const unsigned char *p, struct cm_ocsp_stored *e)
{
	static const unsigned char zero[7];
	uint64_t tu, nu;

	if (memcmp(p, CM_OCSP_STORE_MAGIC, 8) != 0 || memcmp(p + 25, zero, 7) != 0)
		return -1;
	tu = get_u64(p + 8);
	nu = get_u64(p + 16);
	if (p[24] != CM_OCSP_STORE_GOOD && p[24] != CM_OCSP_STORE_REVOKED)
		return -1;
	/* Times a time_t holds, and a nextUpdate after thisUpdate. */
	if (tu == 0 || nu <= tu || nu > (uint64_t)INT64_MAX / 2)
		return -1;
	e->this_update = (time_t)tu;
	e->next_update = (time_t)nu;
	e->status = p[24];
	e->der = NULL;
	e->der_len = 0;
	return 0;
}

/* 1 when p[len] is exactly one DER SEQUENCE (definite length), else 0. */
static int
one_sequence(const unsigned char *p, size_t len)
{
	size_t hl, body;

	if (len < 2 || p[0] != 0x30)
		return 0;
	if (p[1] < 0x80) {
		hl = 2;
		body = p[1];
	} else {
		size_t nb = p[1] & 0x7f;
		if (nb == 0 || nb > 2 || len < 2 + nb)
			return 0;
		body = 0;
		for (size_t i = 0; i < nb; i++)
			body = (body << 8) | p[2 + i];
		hl = 2 + nb;
	}
	return hl + body == len;
}

int
cm_ocsp_store_parse(const unsigned char *p, size_t len, struct cm_ocsp_stored *e)
{
	struct cm_ocsp_stored t;

	if (p == NULL || len <= CM_OCSP_STORE_HDR || len > CM_OCSP_STORE_MAX)
		return -1;
	if (parse_header(p, &t) < 0 || !one_sequence(p + CM_OCSP_STORE_HDR, len - CM_OCSP_STORE_HDR))
		return -1;
	t.der = p + CM_OCSP_STORE_HDR;
	t.der_len = len - CM_OCSP_STORE_HDR;
	*e = t;
	return 0;
}

/* Opens serial_hex's file for reading: fd, or -1 with errno (EINVAL for a
 * name that is no serial). */
static int
open_entry(int dirfd, const char *serial_hex)
{
	if (!cm_ocsp_store_name_ok(serial_hex)) {
		errno = EINVAL;
		return -1;
	}
	return openat(dirfd, serial_hex, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
}

/* Reads up to cap bytes (until EOF): the count, or -1 with errno. */
static ssize_t
read_upto(int fd, unsigned char *buf, size_t cap)
{
	size_t got = 0;

	while (got < cap) {
		ssize_t r = read(fd, buf + got, cap - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int
cm_ocsp_store_get(int dirfd, const char *serial_hex, unsigned char *buf, size_t cap,
    struct cm_ocsp_stored *e)
{
	int fd;
	ssize_t n;

	if (cap <= CM_OCSP_STORE_MAX) {
		errno = EINVAL;
		return -1;
	}
	fd = open_entry(dirfd, serial_hex);
	if (fd < 0)
		return errno == ENOENT || errno == EINVAL || errno == ELOOP ? 0 : -1;
	/* Reading one byte more than a valid file holds tells an oversized one
	 * (cm_ocsp_store_parse refuses it). */
	n = read_upto(fd, buf, CM_OCSP_STORE_MAX + 1);
	int saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	return cm_ocsp_store_parse(buf, (size_t)n, e) == 0 ? 1 : 0;
}

int
cm_ocsp_store_peek(int dirfd, const char *serial_hex, struct cm_ocsp_stored *e)
{
	unsigned char hdr[CM_OCSP_STORE_HDR];
	int fd = open_entry(dirfd, serial_hex);
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT || errno == EINVAL || errno == ELOOP ? 0 : -1;
	n = read_upto(fd, hdr, sizeof(hdr));
	int saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	return n == (ssize_t)sizeof(hdr) && parse_header(hdr, e) == 0 ? 1 : 0;
}

/* Writes p[n] to dirfd/name through a temporary file renamed over it;
 * durable: fsync the file and then the directory. 0 / -1 errno. */
static int
write_atomic(int dirfd, const char *name, const unsigned char *a, size_t alen,
    const unsigned char *b, size_t blen, int durable)
{
	char tmp[CM_OCSP_STORE_NAME_MAX + 32];
	int fd, saved;

	snprintf(tmp, sizeof(tmp), ".tmp.%s.%ld", name, (long)getpid());
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0644) < 0)
		goto fail;
	const unsigned char *parts[2] = { a, b };
	size_t lens[2] = { alen, blen };
	for (int i = 0; i < 2; i++) {
		size_t off = 0;
		while (off < lens[i]) {
			ssize_t w = write(fd, parts[i] + off, lens[i] - off);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				goto fail;
			}
			off += (size_t)w;
		}
	}
	if (durable && fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		goto fail;
	if (durable && fsync(dirfd) < 0)
		return -1;
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	(void)unlinkat(dirfd, tmp, 0);
	errno = saved;
	return -1;
}

int
cm_ocsp_store_put(int dirfd, const char *serial_hex, time_t this_update, time_t next_update,
    int status, const unsigned char *der, size_t der_len)
{
	unsigned char hdr[CM_OCSP_STORE_HDR];
	struct cm_ocsp_stored check;

	if (!cm_ocsp_store_name_ok(serial_hex) || der == NULL ||
	    (status != CM_OCSP_STORE_GOOD && status != CM_OCSP_STORE_REVOKED) ||
	    this_update <= 0 || next_update <= this_update ||
	    der_len + CM_OCSP_STORE_HDR > CM_OCSP_STORE_MAX || !one_sequence(der, der_len)) {
		errno = EINVAL;
		return -1;
	}
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, CM_OCSP_STORE_MAGIC, 8);
	put_u64(hdr + 8, (uint64_t)this_update);
	put_u64(hdr + 16, (uint64_t)next_update);
	hdr[24] = (unsigned char)status;
	if (parse_header(hdr, &check) < 0) {
		errno = EINVAL;
		return -1;
	}
	return write_atomic(dirfd, serial_hex, hdr, sizeof(hdr), der, der_len, 0);
}

int
cm_ocsp_store_remove(int dirfd, const char *serial_hex)
{
	if (!cm_ocsp_store_name_ok(serial_hex)) {
		errno = EINVAL;
		return -1;
	}
	if (unlinkat(dirfd, serial_hex, 0) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int
cm_ocsp_store_sync(int dirfd)
{
	if (syncfs(dirfd) < 0)
		return -1;
	return fsync(dirfd);
}

int
cm_ocsp_store_state_write(int dirfd, time_t watermark)
{
	char line[STATE_MAX];
	int n = snprintf(line, sizeof(line), "watermark %lld\n", (long long)watermark);

	if (watermark <= 0 || n < 0 || (size_t)n >= sizeof(line)) {
		errno = EINVAL;
		return -1;
	}
	return write_atomic(dirfd, STATE_NAME, (const unsigned char *)line, (size_t)n,
	    (const unsigned char *)"", 0, 1);
}

int
cm_ocsp_store_state_read(int dirfd, time_t *watermark)
{
	char buf[STATE_MAX];
	int fd = openat(dirfd, STATE_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	ssize_t n;
	long long v;
	char nl;

	if (fd < 0)
		return errno == ENOENT || errno == ELOOP ? 0 : -1;
	n = read_upto(fd, (unsigned char *)buf, sizeof(buf) - 1);
	int saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	buf[n] = '\0';
	if (strlen(buf) != (size_t)n || sscanf(buf, "watermark %lld%c", &v, &nl) != 2 || nl != '\n' ||
	    v <= 0 || strchr(buf, '\n') != buf + n - 1)
		return 0;
	*watermark = (time_t)v;
	return 1;
}
