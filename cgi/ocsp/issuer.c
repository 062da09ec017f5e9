/* issuer.c: the one CA ocsp.fcgi answers for (the published issuing CA) and its CertID hashes per algorithm. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "log.h"
#include "ocspd.h"

/* Look at the published file again at most this often (a CA import). */
#define ISSUER_RECHECK_MS 5000
/* A CA certificate is a few KB; anything bigger is not one. */
#define ISSUER_MAX 65536

/* The digest of a CM_OCSP_HASH_*, or NULL. */
static const EVP_MD *
md_of(unsigned hash)
{
	switch (hash) {
	case CM_OCSP_HASH_SHA1: return EVP_sha1();
	case CM_OCSP_HASH_SHA256: return EVP_sha256();
	case CM_OCSP_HASH_SHA384: return EVP_sha384();
	case CM_OCSP_HASH_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

/* The issuing CA's ca_certs id (by its SHA-256), so that a certificate row
 * of another CA is never answered for; 0 when not (yet) recorded. */
static int64_t
issuer_row(struct ocspd *d, X509 *x)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	struct cm_stmt *st;
	int64_t id = 0;

	if (d->app->db == NULL || X509_digest(x, EVP_sha256(), md, &n) != 1)
		return 0;
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	st = cm_db_prepare(d->app->db, "SELECT id FROM ca_certs WHERE sha256 = ? AND kind = 'issuing'");
	if (st && cm_stmt_bind_str(st, 0, hex) == 0 && cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1)
		id = cm_stmt_i64(st, 0);
	cm_stmt_close(st);
	return id;
}

/* Reads path (DER) into a new X509, *mtime its modification time; NULL
 * when missing or not a certificate. */
static X509 *
read_cert(const char *path, struct timespec *mtime)
{
	static unsigned char buf[ISSUER_MAX];
	struct stat st;
	const unsigned char *p = buf;
	ssize_t n;
	X509 *x = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size < ISSUER_MAX &&
	    (n = read(fd, buf, sizeof(buf))) == st.st_size) {
		x = d2i_X509(NULL, &p, (long)n);
		*mtime = st.st_mtim;
	}
	close(fd);
	return x;
}

/* 0, or -1 (logged once per change). */
int
ocspd_issuer_refresh(struct ocspd *d)
{
	char path[4096];
	struct timespec mt = { 0, 0 };
	struct stat st;
	long long now = ocspd_now_ms();
	const char *dir = d->app->settings.publish_dir;
	X509 *x = NULL;

	if (d->have_issuer && now - d->issuer_checked_ms < ISSUER_RECHECK_MS)
		return 0;
	d->issuer_checked_ms = now;
	if (dir == NULL || snprintf(path, sizeof(path), "%s/ca/issuing.crt", dir) >= (int)sizeof(path)) {
		if (!d->have_issuer)
			cm_err("[publish] dir is not set: ocsp.fcgi answers for the CA published there (ca/issuing.crt)");
		return d->have_issuer ? 0 : -1;
	}
	if (d->have_issuer && stat(path, &st) == 0 && st.st_mtim.tv_sec == d->issuer_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == d->issuer_mtime.tv_nsec)
		goto row;   /* unchanged; its row may have been recorded since */
	if ((x = read_cert(path, &mt)) == NULL) {
		if (!d->have_issuer)
			cm_err("%s: cannot read the issuing CA certificate (run certmint publish ca)", path);
		return d->have_issuer ? 0 : -1;
	}
	const unsigned char *key = NULL;
	const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(x);
	if (bits == NULL) {
		X509_free(x);
		return d->have_issuer ? 0 : -1;
	}
	key = ASN1_STRING_get0_data(bits);
	for (unsigned h = CM_OCSP_HASH_SHA1; h <= CM_OCSP_HASH_SHA512; h++) {
		unsigned int n1 = 0, n2 = 0;
		if (X509_NAME_digest(X509_get_subject_name(x), md_of(h), d->name_hash[h], &n1) != 1 ||
		    EVP_Digest(key, (size_t)ASN1_STRING_length(bits), d->key_hash[h], &n2, md_of(h), NULL) != 1 ||
		    n1 != n2) {
			cm_err("%s: cannot hash the issuing CA's name and key", path);
			X509_free(x);
			return d->have_issuer ? 0 : -1;
		}
		d->hash_len[h] = n1;
	}
	d->issuer_mtime = mt;
	d->issuer_row = 0;
	if (d->have_issuer)
		cm_info("issuing CA certificate %s changed: answering for the new one", path);
	d->have_issuer = 1;
	d->issuer_row = issuer_row(d, x);
	X509_free(x);
	return 0;
row:
	if (d->issuer_row == 0 && (x = read_cert(path, &mt)) != NULL) {
		d->issuer_row = issuer_row(d, x);
		X509_free(x);
	}
	return 0;
}

/* 1 or 0. */
int
ocspd_issuer_matches(const struct ocspd *d, const struct cm_ocsp_certid *c)
{
	unsigned h = c->hash;

	if (!d->have_issuer || h < CM_OCSP_HASH_SHA1 || h > CM_OCSP_HASH_SHA512)
		return 0;
	return c->name_hash_len == d->hash_len[h] && c->key_hash_len == d->hash_len[h] &&
	    memcmp(c->name_hash, d->name_hash[h], d->hash_len[h]) == 0 &&
	    memcmp(c->key_hash, d->key_hash[h], d->hash_len[h]) == 0;
}
