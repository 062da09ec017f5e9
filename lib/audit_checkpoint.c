/* audit_checkpoint.c: signed checkpoints of the audit chain head: signed bytes, text line, Ed25519 signing and checking (see audit_checkpoint.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "audit_checkpoint.h"
#include "ids.h"

#define TIME_MAX_DIGITS 12

static const char hexd[] = "0123456789abcdef";

/* 1 / 0. */
int
cm_checkpoint_hash_ok(const char *s, size_t len)
{
	if (len != 64)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Length, or -1. */
int
cm_checkpoint_tbs(const struct cm_checkpoint *cp, char *out, size_t outlen)
{
	if (cp->id < 1 || cp->at < 0 || !cm_checkpoint_hash_ok(cp->hash, strnlen(cp->hash, 65)))
		return -1;
	int n = snprintf(out, outlen, "certmint-audit-checkpoint-v1\n%" PRId64 "\n%s\n%" PRId64 "\n",
	    cp->id, cp->hash, cp->at);
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

/* Length, or -1. */
int
cm_checkpoint_format(const struct cm_checkpoint *cp, char *out, size_t outlen)
{
	char sig[2 * CM_CHECKPOINT_SIG_LEN + 1];

	for (size_t i = 0; i < CM_CHECKPOINT_SIG_LEN; i++) {
		sig[2 * i] = hexd[cp->sig[i] >> 4];
		sig[2 * i + 1] = hexd[cp->sig[i] & 15];
	}
	sig[sizeof(sig) - 1] = '\0';
	int n = snprintf(out, outlen, "%" PRId64 " %s %" PRId64 " %s", cp->id, cp->hash, cp->at, sig);
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

/* The next space-separated word of s[*pos..len): its start and length;
 * *pos moves past one following space. -1 when empty. */
static int
word(const char *s, size_t len, size_t *pos, const char **w, size_t *wlen)
{
	size_t i = *pos;

	*w = s + i;
	while (i < len && s[i] != ' ')
		i++;
	*wlen = i - *pos;
	if (*wlen == 0)
		return -1;
	*pos = i < len ? i + 1 : i;
	/* a trailing space would leave an empty last word: malformed */
	if (i < len && *pos == len)
		return -1;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 0 / -1. */
int
cm_checkpoint_parse(const char *s, size_t len, struct cm_checkpoint *cp)
{
	const char *w;
	size_t wlen, pos = 0;

	memset(cp, 0, sizeof(*cp));
	if (len == 0 || len > CM_CHECKPOINT_LINE_MAX)
		return -1;
	/* id */
	if (word(s, len, &pos, &w, &wlen) < 0 || (cp->id = cm_id_parse_n(w, wlen)) == 0)
		return -1;
	/* hash */
	if (word(s, len, &pos, &w, &wlen) < 0 || !cm_checkpoint_hash_ok(w, wlen))
		return -1;
	memcpy(cp->hash, w, 64);
	cp->hash[64] = '\0';
	/* time: "0" or digits without a leading zero */
	if (word(s, len, &pos, &w, &wlen) < 0 || wlen > TIME_MAX_DIGITS || (wlen > 1 && w[0] == '0'))
		return -1;
	for (size_t i = 0; i < wlen; i++) {
		if (w[i] < '0' || w[i] > '9')
			return -1;
		cp->at = cp->at * 10 + (w[i] - '0');
	}
	/* signature, and nothing after it */
	if (word(s, len, &pos, &w, &wlen) < 0 || wlen != 2 * CM_CHECKPOINT_SIG_LEN || pos != len)
		return -1;
	for (size_t i = 0; i < CM_CHECKPOINT_SIG_LEN; i++) {
		int hi = hexval(w[2 * i]), lo = hexval(w[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		cp->sig[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* 0 / -1. */
int
cm_checkpoint_sign(struct cm_checkpoint *cp, EVP_PKEY *key)
{
	char tbs[256];
	size_t siglen = CM_CHECKPOINT_SIG_LEN;
	int n, rc = -1;
	EVP_MD_CTX *md = NULL;

	n = cm_checkpoint_tbs(cp, tbs, sizeof(tbs));
	if (n < 0 || key == NULL || EVP_PKEY_get_size(key) != CM_CHECKPOINT_SIG_LEN)
		return -1;
	md = EVP_MD_CTX_new();
	/* Ed25519 signs the message itself: no digest is named. */
	if (md == NULL || EVP_DigestSignInit(md, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(md, cp->sig, &siglen, (const unsigned char *)tbs, (size_t)n) != 1 ||
	    siglen != CM_CHECKPOINT_SIG_LEN)
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

/* 1 valid / 0 not. */
int
cm_checkpoint_verify(const struct cm_checkpoint *cp, EVP_PKEY *pub)
{
	char tbs[256];
	int n, ok = 0;
	EVP_MD_CTX *md = NULL;

	n = cm_checkpoint_tbs(cp, tbs, sizeof(tbs));
	if (n < 0 || pub == NULL || EVP_PKEY_get_id(pub) != EVP_PKEY_ED25519)
		return 0;
	md = EVP_MD_CTX_new();
	if (md != NULL && EVP_DigestVerifyInit(md, NULL, NULL, NULL, pub) == 1 &&
	    EVP_DigestVerify(md, cp->sig, CM_CHECKPOINT_SIG_LEN, (const unsigned char *)tbs, (size_t)n) == 1)
		ok = 1;
	EVP_MD_CTX_free(md);
	return ok;
}

/* No return value. */
void
cm_checkpoint_time(int64_t at, char out[32])
{
	time_t t = (time_t)at;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, 32, "@%" PRId64, at);
}
