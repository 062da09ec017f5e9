/* crl_enc.c: the CRL number signerd persists next to its journal, and the streaming DER encoder of CRLs (no signer state: unit tests and the fuzz target link it alone). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "crl.h"

/* 0 / -1 (too long). */
int
cm_crl_numbers_path(const char *journal_path, char *out, size_t outlen)
{
	const char *slash = strrchr(journal_path, '/');
	int n;

	if (slash == NULL)
		n = snprintf(out, outlen, "%s", CM_CRL_NUMBER_FILE);
	else
		n = snprintf(out, outlen, "%.*s/%s", (int)(slash - journal_path), journal_path,
		    CM_CRL_NUMBER_FILE);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* 0 / -1 with err. */
int
cm_crl_numbers_open(struct cm_crl_numbers *n, const char *path, char *err, size_t errlen)
{
	char line[64];
	FILE *f;

	memset(n, 0, sizeof(*n));
	if (snprintf(n->path, sizeof(n->path), "%s", path) >= (int)sizeof(n->path)) {
		snprintf(err, errlen, "CRL number path too long");
		return -1;
	}
	pthread_mutex_init(&n->mu, NULL);
	f = fopen(path, "re");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *end = NULL;
	int ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	errno = 0;
	unsigned long long v = ok ? strtoull(line, &end, 10) : 0;
	if (!ok || errno || end == line || (*end != '\n' && *end != '\0') || line[0] == '-') {
		snprintf(err, errlen, "%s does not hold a CRL number; refusing to guess one", path);
		return -1;
	}
	n->last = v;
	return 0;
}

void
cm_crl_numbers_close(struct cm_crl_numbers *n)
{
	pthread_mutex_destroy(&n->mu);
}

/* Writes v to path atomically and durably. 0 / -1 with errno. */
static int
write_number(const char *path, uint64_t v)
{
	char tmp[4200], dir[4096], line[32];
	int fd, len = snprintf(line, sizeof(line), "%" PRIu64 "\n", v);

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, line, (size_t)len) != len || fsync(fd) < 0) {
		int e = errno ? errno : EIO;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0)
		return -1;
	const char *slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	fd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

/* 0 / -1 with err. */
int
cm_crl_numbers_next(struct cm_crl_numbers *n, time_t now, uint64_t *out, char *err, size_t errlen)
{
	int ret = -1;

	pthread_mutex_lock(&n->mu);
	uint64_t v = n->last + 1;
	if (now > 0 && (uint64_t)now > v)
		v = (uint64_t)now;
	if (write_number(n->path, v) < 0) {
		snprintf(err, errlen, "cannot persist the CRL number in %s: %s", n->path, strerror(errno));
		goto out;
	}
	n->last = v;
	*out = v;
	ret = 0;
out:
	pthread_mutex_unlock(&n->mu);
	return ret;
}

/* DER tag and length into out (at most 6 bytes); the count. */
static size_t
der_hdr(unsigned char *out, unsigned char tag, size_t len)
{
	size_t n = 0;

	out[n++] = tag;
	if (len < 0x80) {
		out[n++] = (unsigned char)len;
		return n;
	}
	int bytes = 0;
	for (size_t l = len; l; l >>= 8)
		bytes++;
	out[n++] = (unsigned char)(0x80 | bytes);
	for (int i = bytes - 1; i >= 0; i--)
		out[n++] = (unsigned char)(len >> (8 * i));
	return n;
}

/* RFC 5280 Time: UTCTime through 2049, GeneralizedTime after. The count
 * written to out (at most 17), or 0 when t cannot be represented. */
static size_t
der_time(unsigned char *out, uint64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char s[20];
	int n;

	if (t > 253402300799ULL || gmtime_r(&tt, &tm) == NULL)
		return 0;
	int year = tm.tm_year + 1900;
	if (year >= 1950 && year < 2050)
		n = snprintf(s, sizeof(s), "%02d%02d%02d%02d%02d%02dZ", year % 100, tm.tm_mon + 1,
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		n = snprintf(s, sizeof(s), "%04d%02d%02d%02d%02d%02dZ", year, tm.tm_mon + 1,
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	out[0] = year >= 1950 && year < 2050 ? 0x17 : 0x18;
	out[1] = (unsigned char)n;
	memcpy(out + 2, s, (size_t)n);
	return (size_t)n + 2;
}

void
cm_crl_enc_init(struct cm_crl_enc *e)
{
	memset(e, 0, sizeof(*e));
	cm_buf_init(&e->body, CM_CRL_MAX_ENTRIES_DER);
}

void
cm_crl_enc_free(struct cm_crl_enc *e)
{
	/* Public data only: no need to wipe 40 MB. */
	free(e->body.data);
	free(e->head);
	free(e->tail);
	memset(e, 0, sizeof(*e));
}

/* 0 / 1 refused / -1. */
int
cm_crl_enc_add(struct cm_crl_enc *e, const unsigned char *p, size_t len, char *reason, size_t rlen)
{
	size_t pos = 0, before = e->body.len, count = e->count;

	if (e->signed_) {
		snprintf(reason, rlen, "this CRL is already signed");
		return 1;
	}
	while (pos < len) {
		unsigned char ent[80];
		size_t n = 0, slen = p[pos];

		if (slen < 1 || slen > CM_CRL_MAX_SERIAL || len - pos < 1 + slen + 8 + 1) {
			snprintf(reason, rlen, "CRL entry %zu is truncated or its serial is not 1..%d bytes",
			    e->count + 1, CM_CRL_MAX_SERIAL);
			goto refused;
		}
		const unsigned char *s = p + pos + 1;
		uint64_t t = 0;
		for (int i = 0; i < 8; i++)
			t = t << 8 | p[pos + 1 + slen + i];
		unsigned rc = p[pos + 1 + slen + 8];
		pos += 1 + slen + 8 + 1;
		while (slen > 1 && s[0] == 0) {
			s++;
			slen--;
		}
		if (s[0] == 0) {
			snprintf(reason, rlen, "CRL entry %zu has serial number 0", e->count + 1);
			goto refused;
		}
		if (rc > 10 || rc == 7) {
			snprintf(reason, rlen, "CRL entry %zu has reason code %u, not an RFC 5280 CRLReason",
			    e->count + 1, rc);
			goto refused;
		}
		unsigned char tm[20];
		size_t tl = der_time(tm, t);
		if (tl == 0) {
			snprintf(reason, rlen, "CRL entry %zu has a revocation time out of range", e->count + 1);
			goto refused;
		}
		/* SEQUENCE { INTEGER serial, Time, [Extensions { reasonCode }] } */
		size_t ilen = slen + (s[0] & 0x80 ? 1 : 0);
		size_t clen = 2 + ilen + tl + (rc ? 14 : 0);
		n = der_hdr(ent, 0x30, clen);
		ent[n++] = 0x02;
		ent[n++] = (unsigned char)ilen;
		if (s[0] & 0x80)
			ent[n++] = 0;
		memcpy(ent + n, s, slen);
		n += slen;
		memcpy(ent + n, tm, tl);
		n += tl;
		if (rc) {
			static const unsigned char ext[] = { 0x30, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15,
				0x04, 0x03, 0x0a, 0x01 };
			memcpy(ent + n, ext, sizeof(ext));
			n += sizeof(ext);
			ent[n++] = (unsigned char)rc;
		}
		if (cm_buf_append(&e->body, ent, n) < 0) {
			snprintf(reason, rlen, "the CRL exceeds %u bytes of entries", CM_CRL_MAX_ENTRIES_DER);
			e->body.len = before;
			e->count = count;
			return -1;
		}
		e->count++;
	}
	return 0;
refused:
	e->body.len = before;
	if (e->body.data)
		e->body.data[before] = '\0';
	e->count = count;
	return 1;
}

/* Splits the DER of a tbsCertList without entries at its crlExtensions
 * ([0]): the contents before them into *pre, the rest into *post. 0 / -1. */
static int
split_tbs(const unsigned char *tbs, size_t len, size_t *content, size_t *split, size_t *end)
{
	size_t pos = 0, l;

	if (len < 2 || tbs[0] != 0x30)
		return -1;
	pos = 1;
	if (tbs[pos] < 0x80) {
		l = tbs[pos++];
	} else {
		int nb = tbs[pos++] & 0x7f;
		if (nb < 1 || nb > 4 || pos + (size_t)nb > len)
			return -1;
		for (l = 0; nb--; )
			l = l << 8 | tbs[pos++];
	}
	if (pos + l != len)
		return -1;
	*content = pos;
	*end = len;
	while (pos < len) {
		if (tbs[pos] == 0xa0) {
			*split = pos;
			return 0;
		}
		size_t h = pos + 1;
		if (h >= len)
			return -1;
		if (tbs[h] < 0x80) {
			l = tbs[h++];
		} else {
			int nb = tbs[h++] & 0x7f;
			if (nb < 1 || nb > 4 || h + (size_t)nb > len)
				return -1;
			for (l = 0; nb--; )
				l = l << 8 | tbs[h++];
		}
		if (l > len - h)
			return -1;
		pos = h + l;
	}
	return -1;
}

/* 0 / -1 with reason. */
int
cm_crl_enc_sign(struct cm_crl_enc *e, X509 *issuer, EVP_PKEY *key, const EVP_MD *md,
    time_t this_update, time_t next_update, uint64_t number, char *reason, size_t rlen)
{
	X509_CRL *crl = NULL;
	ASN1_TIME *tu = NULL, *nu = NULL;
	ASN1_INTEGER *num = NULL;
	X509_EXTENSION *aki = NULL;
	EVP_MD_CTX *mctx = NULL;
	unsigned char *tbs = NULL, *alg = NULL, *sig = NULL;
	size_t content, split, end, siglen = 0;
	int tbslen, alglen, ret = -1;
	X509V3_CTX v3;

	if (e->signed_) {
		snprintf(reason, rlen, "this CRL is already signed");
		return -1;
	}
	if (md == NULL) {
		snprintf(reason, rlen, "the CA key type cannot sign a streamed CRL");
		return -1;
	}
	/* OpenSSL encodes everything but the entries, so the issuer name, the
	 * algorithm identifier and the extensions are exactly what it would
	 * write; the entries are spliced in before crlExtensions. */
	crl = X509_CRL_new();
	tu = ASN1_TIME_set(NULL, this_update);
	nu = ASN1_TIME_set(NULL, next_update);
	num = ASN1_INTEGER_new();
	if (crl == NULL || tu == NULL || nu == NULL || num == NULL ||
	    !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)) ||
	    !X509_CRL_set1_lastUpdate(crl, tu) || !X509_CRL_set1_nextUpdate(crl, nu) ||
	    !ASN1_INTEGER_set_uint64(num, number))
		goto ssl;
	X509V3_set_ctx(&v3, issuer, NULL, NULL, crl, 0);
	/* An imported CA may lack a subjectKeyIdentifier: then its issuer
	 * and serial identify it. */
	aki = X509V3_EXT_conf_nid(NULL, &v3, NID_authority_key_identifier,
	    X509_get0_subject_key_id(issuer) ? "keyid:always" : "issuer:always");
	if (aki == NULL || !X509_CRL_add_ext(crl, aki, -1) ||
	    !X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) ||
	    X509_CRL_sign(crl, key, md) <= 0)
		goto ssl;
	tbslen = i2d_re_X509_CRL_tbs(crl, &tbs);
	const X509_ALGOR *salg = NULL;
	X509_CRL_get0_signature(crl, NULL, &salg);
	alglen = salg ? i2d_X509_ALGOR(salg, &alg) : -1;
	if (tbslen <= 0 || alglen <= 0)
		goto ssl;
	if (split_tbs(tbs, (size_t)tbslen, &content, &split, &end) < 0) {
		snprintf(reason, rlen, "unexpected tbsCertList encoding");
		goto out;
	}
	unsigned char rhdr[8], thdr[8], ohdr[8], bhdr[8];
	size_t rh = e->count ? der_hdr(rhdr, 0x30, e->body.len) : 0;
	size_t tlen = (split - content) + rh + (e->count ? e->body.len : 0) + (end - split);
	size_t th = der_hdr(thdr, 0x30, tlen);

	mctx = EVP_MD_CTX_new();
	if (mctx == NULL || EVP_DigestSignInit(mctx, NULL, md, NULL, key) <= 0 ||
	    EVP_DigestSignUpdate(mctx, thdr, th) <= 0 ||
	    EVP_DigestSignUpdate(mctx, tbs + content, split - content) <= 0 ||
	    (rh && EVP_DigestSignUpdate(mctx, rhdr, rh) <= 0) ||
	    (e->count && EVP_DigestSignUpdate(mctx, e->body.data, e->body.len) <= 0) ||
	    EVP_DigestSignUpdate(mctx, tbs + split, end - split) <= 0 ||
	    EVP_DigestSignFinal(mctx, NULL, &siglen) <= 0 ||
	    (sig = OPENSSL_malloc(siglen)) == NULL ||
	    EVP_DigestSignFinal(mctx, sig, &siglen) <= 0)
		goto ssl;
	size_t bh = der_hdr(bhdr, 0x03, siglen + 1);
	size_t olen = th + tlen + (size_t)alglen + bh + 1 + siglen;
	size_t oh = der_hdr(ohdr, 0x30, olen);

	e->head_len = oh + th + (split - content) + rh;
	e->tail_len = (end - split) + (size_t)alglen + bh + 1 + siglen;
	e->head = malloc(e->head_len);
	e->tail = malloc(e->tail_len);
	if (e->head == NULL || e->tail == NULL) {
		snprintf(reason, rlen, "out of memory");
		goto out;
	}
	unsigned char *q = e->head;
	memcpy(q, ohdr, oh), q += oh;
	memcpy(q, thdr, th), q += th;
	memcpy(q, tbs + content, split - content), q += split - content;
	memcpy(q, rhdr, rh);
	q = e->tail;
	memcpy(q, tbs + split, end - split), q += end - split;
	memcpy(q, alg, (size_t)alglen), q += alglen;
	memcpy(q, bhdr, bh), q += bh;
	*q++ = 0;
	memcpy(q, sig, siglen);
	e->signed_ = 1;
	ret = 0;
	goto out;
ssl:
	{
		unsigned long x = ERR_get_error();
		char buf[200] = "";
		if (x)
			ERR_error_string_n(x, buf, sizeof(buf));
		ERR_clear_error();
		snprintf(reason, rlen, "signing the CRL failed%s%s", buf[0] ? ": " : "", buf);
	}
out:
	if (ret < 0) {
		free(e->head);
		free(e->tail);
		e->head = e->tail = NULL;
		e->head_len = e->tail_len = 0;
	}
	EVP_MD_CTX_free(mctx);
	OPENSSL_free(tbs);
	OPENSSL_free(alg);
	OPENSSL_free(sig);
	X509_EXTENSION_free(aki);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(tu);
	ASN1_TIME_free(nu);
	X509_CRL_free(crl);
	return ret;
}

/* The length, 0 before signing. */
size_t
cm_crl_enc_len(const struct cm_crl_enc *e)
{
	return e->signed_ ? e->head_len + e->body.len * (e->count ? 1 : 0) + e->tail_len : 0;
}

/* The count copied. */
size_t
cm_crl_enc_read(const struct cm_crl_enc *e, size_t off, unsigned char *out, size_t n)
{
	const unsigned char *part[3] = { e->head, (const unsigned char *)e->body.data, e->tail };
	size_t plen[3] = { e->head_len, e->count ? e->body.len : 0, e->tail_len };
	size_t done = 0;

	if (!e->signed_)
		return 0;
	for (int i = 0; i < 3 && done < n; i++) {
		if (off >= plen[i]) {
			off -= plen[i];
			continue;
		}
		size_t k = plen[i] - off < n - done ? plen[i] - off : n - done;
		memcpy(out + done, part[i] + off, k);
		done += k;
		off = 0;
	}
	return done;
}

