/* access_code.c: keyed hashes of self-enrollment access codes, their constant-time check, and code generation. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "access_code.h"

static const char hexd[] = "0123456789abcdef";

/* The HMAC of code into mac[32]; 0 or -1. */
static int
mac_of(const unsigned char *key, size_t keylen, const char *code, size_t n, unsigned char mac[32])
{
	unsigned int ml = 0;

	if (key == NULL || keylen < CM_ACCESS_KEY_MIN || keylen > CM_ACCESS_KEY_MAX)
		return -1;
	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)code, n, mac, &ml) == NULL ||
	    ml != 32)
		return -1;
	return 0;
}

/* 0 or -1. */
int
cm_access_code_hash(const unsigned char *key, size_t keylen, const char *code,
    char out[CM_ACCESS_HASH_HEX + 1])
{
	unsigned char mac[32];
	size_t n = code ? strnlen(code, CM_ACCESS_CODE_MAX + 1) : 0;

	out[0] = '\0';
	if (n == 0 || n > CM_ACCESS_CODE_MAX || mac_of(key, keylen, code, n, mac) < 0)
		return -1;
	for (size_t i = 0; i < 32; i++) {
		out[2 * i] = hexd[mac[i] >> 4];
		out[2 * i + 1] = hexd[mac[i] & 15];
	}
	out[CM_ACCESS_HASH_HEX] = '\0';
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

/* The value of one lower-case hex digit, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 1 match, 0 not. */
int
cm_access_code_verify(const unsigned char *key, size_t keylen, const char *code,
    const char *stored)
{
	unsigned char want[32], mac[32];
	size_t n;
	int ok;

	if (code == NULL || stored == NULL || strnlen(stored, CM_ACCESS_HASH_HEX + 1) != CM_ACCESS_HASH_HEX)
		return 0;
	for (size_t i = 0; i < 32; i++) {
		int hi = hexval(stored[2 * i]), lo = hexval(stored[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return 0;
		want[i] = (unsigned char)(hi << 4 | lo);
	}
	n = strnlen(code, CM_ACCESS_CODE_MAX + 1);
	if (n == 0 || n > CM_ACCESS_CODE_MAX || mac_of(key, keylen, code, n, mac) < 0)
		return 0;
	ok = CRYPTO_memcmp(want, mac, sizeof(mac)) == 0;
	OPENSSL_cleanse(mac, sizeof(mac));
	return ok;
}

/* Letters and digits nobody misreads when typing a code into a device. */
static const char code_alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
#define ALPHABET_N (sizeof(code_alphabet) - 1)

/* 0 or -1. */
int
cm_access_code_generate(char *out, size_t outlen)
{
	unsigned char b[64];
	size_t o, used, limit = 256 - 256 % ALPHABET_N;    /* unbiased: reject the top bytes */
	int letters, digits;

	if (outlen < CM_ACCESS_GEN_LEN + 1)
		return -1;
	for (int tries = 0; tries < 16; tries++) {
		if (RAND_bytes(b, sizeof(b)) != 1)
			return -1;
		o = used = 0;
		letters = digits = 0;
		while (o < CM_ACCESS_GEN_LEN && used < sizeof(b)) {
			unsigned char x = b[used++];
			char ch;

			if (o % 5 == 4) {
				out[o++] = '-';
				used--;    /* the separator takes no random byte */
				continue;
			}
			if (x >= limit)
				continue;
			ch = code_alphabet[x % ALPHABET_N];
			if (ch >= '0' && ch <= '9')
				digits++;
			else
				letters++;
			out[o++] = ch;
		}
		out[o] = '\0';
		if (o == CM_ACCESS_GEN_LEN && letters > 0 && digits > 0) {
			OPENSSL_cleanse(b, sizeof(b));
			return 0;
		}
	}
	OPENSSL_cleanse(b, sizeof(b));
	OPENSSL_cleanse(out, outlen);
	return -1;
}

void
cm_access_code_hint(const char *code, char out[CM_ACCESS_HINT_LEN + 1])
{
	size_t n = code ? strnlen(code, CM_ACCESS_CODE_MAX) : 0;

	snprintf(out, CM_ACCESS_HINT_LEN + 1, "%s", n > CM_ACCESS_HINT_LEN ? code + n - CM_ACCESS_HINT_LEN : code ? code : "");
}

/* 0, or -1 with err. */
int
cm_access_key_read(const char *path, unsigned char **key, size_t *keylen, char *err,
    size_t errlen)
{
	unsigned char buf[CM_ACCESS_KEY_MAX + 2];
	struct stat st;
	ssize_t r;
	size_t n = 0;
	int fd;

	*key = NULL;
	*keylen = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		snprintf(err, errlen, "%s: cannot open the access-code key file: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: the access-code key must be a regular file", path);
		goto fail;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, errlen, "%s: the access-code key is readable or writable by others (chmod 0640)", path);
		goto fail;
	}
	/* One byte more than allowed (plus a newline) tells an over-long file. */
	while (n < sizeof(buf) && (r = read(fd, buf + n, sizeof(buf) - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		n += (size_t)r;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n < CM_ACCESS_KEY_MIN || n > CM_ACCESS_KEY_MAX) {
		snprintf(err, errlen, "%s: the access-code key must hold %d to %d bytes (e.g. openssl rand -hex 32)",
		    path, CM_ACCESS_KEY_MIN, CM_ACCESS_KEY_MAX);
		goto fail;
	}
	if ((*key = malloc(n)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	memcpy(*key, buf, n);
	*keylen = n;
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return 0;
fail:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return -1;
}

void
cm_access_key_free(unsigned char *key, size_t keylen)
{
	if (key == NULL)
		return;
	OPENSSL_cleanse(key, keylen);
	free(key);
}
