/* vault.c: encrypted-at-rest key storage with atomic file publication. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "vault.h"
#include "ssl_reason.h"

static int
name_ok(const char *name)
{
	if (name[0] == '\0' || name[0] == '.' || strlen(name) > 64)
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return 0;
	return 1;
}

static int
vault_path(const struct cm_vault *v, const char *name, char *out, size_t outlen)
{
	if (!name_ok(name))
		return -1;
	int n = snprintf(out, outlen, "%s/%s", v->dir, name);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* Reads the passphrase file after checking who may read it: 0 / -1 with err. */
static int
read_passphrase(struct cm_vault *v, const char *key_file, char *err, size_t errlen)
{
	int fd = -1, ret = -1;
	char *buf = NULL;
	struct stat st;
	size_t got = 0;

	fd = open(key_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errlen, "vault_key_file %s: %s", key_file, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "vault_key_file %s: not a regular file", key_file);
		goto out;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "vault_key_file %s must be owned by uid %u with mode 0400 or 0600 (is uid %u, mode %04o)",
		    key_file, (unsigned)geteuid(), (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size > 4096) {
		snprintf(err, errlen, "vault_key_file %s: longer than 4096 bytes", key_file);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == '\r'))
		got--;
	buf[got] = '\0';
	if (got < CM_VAULT_MIN_PASSPHRASE || memchr(buf, '\0', got) != NULL) {
		snprintf(err, errlen, "vault_key_file %s: passphrase must be at least %d bytes of text",
		    key_file, CM_VAULT_MIN_PASSPHRASE);
		goto out;
	}
	v->pass = buf;
	v->passlen = got;
	buf = NULL;
	ret = 0;
out:
	if (buf) {
		OPENSSL_cleanse(buf, (size_t)st.st_size + 1);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/* 0 / -1 with err. */
int
cm_vault_open(struct cm_vault *v, const char *dir, const char *key_file, char *err, size_t errlen)
{
	struct stat st;

	memset(v, 0, sizeof(*v));
	if (stat(dir, &st) < 0) {
		snprintf(err, errlen, "vault %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "vault %s: not a directory", dir);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "vault %s must be owned by uid %u with mode 0700 (is uid %u, mode %04o)",
		    dir, (unsigned)geteuid(), (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	v->dir = strdup(dir);
	if (v->dir == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (read_passphrase(v, key_file, err, errlen) < 0) {
		cm_vault_close(v);
		return -1;
	}
	return 0;
}

/* No return value. */
void
cm_vault_close(struct cm_vault *v)
{
	if (v->pass) {
		OPENSSL_cleanse(v->pass, v->passlen);
		free(v->pass);
	}
	free(v->dir);
	memset(v, 0, sizeof(*v));
}

/* 1 / 0. */
int
cm_vault_exists(const struct cm_vault *v, const char *name)
{
	char path[4096];
	struct stat st;
	if (vault_path(v, name, path, sizeof(path)) < 0)
		return 0;
	return stat(path, &st) == 0;
}

/* 0 / -1 with err. */
int
cm_vault_write(const struct cm_vault *v, const char *name, const void *data,
    size_t len, char *err, size_t errlen)
{
	char path[4096], tmp[4200];
	int fd = -1, dfd = -1, ret = -1;
	size_t done = 0;

	if (vault_path(v, name, path, sizeof(path)) < 0) {
		snprintf(err, errlen, "bad vault file name");
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);   /* mkostemp creates 0600 */
	if (fd < 0) {
		snprintf(err, errlen, "vault: creating %s: %s", tmp, strerror(errno));
		tmp[0] = '\0';
		goto out;
	}
	while (done < len) {
		ssize_t r = write(fd, (const char *)data + done, len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "vault: writing %s: %s", tmp, strerror(errno));
			goto out;
		}
		done += (size_t)r;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		snprintf(err, errlen, "vault: syncing %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "vault: renaming to %s: %s", path, strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
	/* The rename itself must survive a crash too. */
	dfd = open(v->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0) {
		snprintf(err, errlen, "vault: syncing %s: %s", v->dir, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (tmp[0])
		unlink(tmp);
	return ret;
}

/* 0 / -1 with err. */
int
cm_vault_read(const struct cm_vault *v, const char *name, struct cm_buf *out,
    char *err, size_t errlen)
{
	char path[4096], chunk[8192];
	int fd, ret = -1;

	if (vault_path(v, name, path, sizeof(path)) < 0) {
		snprintf(err, errlen, "bad vault file name");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errlen, "vault: %s: %s", path, strerror(errno));
		return -1;
	}
	size_t total = 0;
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "vault: %s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		total += (size_t)r;
		if (total > CM_VAULT_MAX_FILE || cm_buf_append(out, chunk, (size_t)r) < 0) {
			snprintf(err, errlen, "vault: %s is too large", path);
			goto out;
		}
	}
	ret = 0;
out:
	OPENSSL_cleanse(chunk, sizeof(chunk));
	close(fd);
	return ret;
}

/* 0 / -1 with err. */
int
cm_vault_put_key(const struct cm_vault *v, const char *name, EVP_PKEY *key,
    char *err, size_t errlen)
{
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	X509_ALGOR *pbe = NULL;
	X509_SIG *enc = NULL;
	BIO *mem = NULL;
	char *pem = NULL;
	int ret = -1;

	p8 = EVP_PKEY2PKCS8(key);
	/* scrypt N=2^14 r=8 p=1 (16 MiB): costly to guess, within OpenSSL's default
	 * scrypt memory limit so any OpenSSL can decrypt it. */
	pbe = PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), NULL, 16, NULL, 16384, 8, 1);
	if (p8 == NULL || pbe == NULL) {
		cm_ssl_reason(err, errlen, "vault: preparing PKCS#8");
		goto out;
	}
	enc = PKCS8_set0_pbe(v->pass, (int)v->passlen, p8, pbe);
	if (enc == NULL) {
		cm_ssl_reason(err, errlen, "vault: encrypting key");
		goto out;
	}
	pbe = NULL;   /* owned by enc now */
	mem = BIO_new(BIO_s_mem());
	if (mem == NULL || !PEM_write_bio_PKCS8(mem, enc)) {
		cm_ssl_reason(err, errlen, "vault: encoding key");
		goto out;
	}
	long n = BIO_get_mem_data(mem, &pem);
	ret = cm_vault_write(v, name, pem, (size_t)n, err, errlen);
out:
	PKCS8_PRIV_KEY_INFO_free(p8);
	X509_ALGOR_free(pbe);
	X509_SIG_free(enc);
	BIO_free(mem);
	return ret;
}

/* The key, or NULL with err. */
EVP_PKEY *
cm_vault_get_key(const struct cm_vault *v, const char *name, char *err, size_t errlen)
{
	struct cm_buf b;
	BIO *mem = NULL;
	EVP_PKEY *key = NULL;

	cm_buf_init(&b, CM_VAULT_MAX_FILE);
	if (cm_vault_read(v, name, &b, err, errlen) < 0)
		goto out;
	mem = BIO_new_mem_buf(b.data, (int)b.len);
	if (mem == NULL)
		goto out;
	key = PEM_read_bio_PrivateKey(mem, NULL, NULL, v->pass);
	if (key == NULL)
		cm_ssl_reason(err, errlen, "vault: cannot decrypt key (wrong passphrase in vault_key_file?)");
out:
	BIO_free(mem);
	cm_buf_free(&b);
	return key;
}
