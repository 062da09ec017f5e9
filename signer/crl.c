/* crl.c: the crl-sign op's steps (begin, entries, sign, read) on one connection, with its state per connection thread. */
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
#include "issue.h"
#include "log.h"
#include "ops.h"

/* How far thisUpdate may lie from the signer's clock, and nextUpdate after
 * it: the caller chooses them, the signer bounds them, so a compromised
 * caller cannot publish a CRL that stays "fresh" for years. */
#define CRL_MAX_SKEW (24 * 3600)
#define CRL_MAX_PERIOD (366L * 24 * 3600)
#define ROOT_KEY "root.key"

/* One connection's CRL under construction. */
struct crl_session {
	int root;                 /* the root's CRL, else the issuing CA's */
	time_t this_update, next_update;
	struct cm_crl_enc enc;
};

static pthread_key_t session_key;
static pthread_once_t session_once = PTHREAD_ONCE_INIT;

static void
session_free(void *p)
{
	struct crl_session *s = p;
	if (s) {
		cm_crl_enc_free(&s->enc);
		free(s);
	}
}

static void
session_key_make(void)
{
	(void)pthread_key_create(&session_key, session_free);
}

/* Drops this thread's session. */
static void
session_end(void)
{
	session_free(pthread_getspecific(session_key));
	(void)pthread_setspecific(session_key, NULL);
}

/* The issuer certificate and key of the CRL: 0, 1 refused, -1 fault. */
static int
crl_signer(struct cm_signer_ctx *ctx, int root, X509 **cert, EVP_PKEY **key, char *reason, size_t rlen)
{
	if (!root)
		return cm_ca_get(ctx->ca, cert, key, reason, rlen);
	pthread_rwlock_rdlock(&ctx->ca->lock);
	X509 *r = ctx->ca->root;
	if (r)
		X509_up_ref(r);
	pthread_rwlock_unlock(&ctx->ca->lock);
	if (r == NULL) {
		snprintf(reason, rlen, "this signer has no CA yet");
		return 1;
	}
	if (!cm_vault_exists(ctx->ca->vault, ROOT_KEY)) {
		X509_free(r);
		snprintf(reason, rlen, "this signer's vault holds no root key (the CA was imported): sign the root's CRL where the root key is kept");
		return 1;
	}
	*key = cm_vault_get_key(ctx->ca->vault, ROOT_KEY, reason, rlen);
	if (*key == NULL) {
		X509_free(r);
		return -1;
	}
	*cert = r;
	return 0;
}

/* Handler convention of ops.c: 0 / 1 refused / -1 fault. */
int
cm_crl_op(struct cm_signer_ctx *ctx, uid_t uid, const struct cm_msg *m, struct cm_buf *reply,
    char *reason, size_t rlen)
{
	struct crl_session *s;
	uint32_t step;
	uint64_t tu, nu, off;
	const struct cm_field *f;
	int ret = 1;

	(void)pthread_once(&session_once, session_key_make);
	s = pthread_getspecific(session_key);
	if (cm_msg_get_u32(m, TAG_CRL_STEP, &step) < 0) {
		snprintf(reason, rlen, "crl-step must be a 4-byte integer");
		return 1;
	}
	switch (step) {
	case CM_CRL_STEP_BEGIN:
		session_end();
		f = cm_msg_get(m, TAG_CRL_ISSUER);
		if (f == NULL || cm_msg_get_u64(m, TAG_THIS_UPDATE, &tu) < 0 ||
		    cm_msg_get_u64(m, TAG_NEXT_UPDATE, &nu) < 0) {
			snprintf(reason, rlen, "a CRL begins with crl-issuer, this-update and next-update (8-byte times)");
			return 1;
		}
		int root = f->len == 4 && memcmp(f->val, "root", 4) == 0;
		if (!root && !(f->len == 7 && memcmp(f->val, "issuing", 7) == 0)) {
			snprintf(reason, rlen, "crl-issuer must be \"issuing\" or \"root\"");
			return 1;
		}
		time_t now = time(NULL);
		if (tu > (uint64_t)now + CRL_MAX_SKEW || tu + CRL_MAX_SKEW < (uint64_t)now ||
		    nu <= tu || nu - tu > (uint64_t)CRL_MAX_PERIOD) {
			snprintf(reason, rlen, "this-update must be within a day of now and next-update after it, at most 366 days later");
			return 1;
		}
		s = calloc(1, sizeof(*s));
		if (s == NULL || pthread_setspecific(session_key, s) != 0) {
			free(s);
			snprintf(reason, rlen, "out of memory");
			return -1;
		}
		cm_crl_enc_init(&s->enc);
		s->root = root;
		s->this_update = (time_t)tu;
		s->next_update = (time_t)nu;
		return 0;
	case CM_CRL_STEP_ENTRIES:
		f = cm_msg_get(m, TAG_CRL_ENTRIES);
		if (s == NULL || s->enc.signed_) {
			snprintf(reason, rlen, "crl entries without a CRL begun on this connection");
			return 1;
		}
		if (f == NULL) {
			snprintf(reason, rlen, "the entries step needs crl-entries");
			return 1;
		}
		ret = cm_crl_enc_add(&s->enc, f->val, f->len, reason, rlen);
		if (ret != 0)
			session_end();
		/* Too many entries is the request's fault, not the signer's. */
		return ret != 0 ? 1 : 0;
	case CM_CRL_STEP_SIGN: {
		X509 *cert = NULL;
		EVP_PKEY *key = NULL;
		uint64_t number = 0;
		char num[24];

		if (s == NULL || s->enc.signed_) {
			snprintf(reason, rlen, "sign without a CRL begun on this connection");
			return 1;
		}
		ret = crl_signer(ctx, s->root, &cert, &key, reason, rlen);
		if (ret == 0 && (ctx->crl_numbers == NULL ||
		    cm_crl_numbers_next(ctx->crl_numbers, time(NULL), &number, reason, rlen) < 0)) {
			if (ctx->crl_numbers == NULL)
				snprintf(reason, rlen, "this signer keeps no CRL number");
			ret = -1;
		}
		if (ret == 0)
			ret = cm_crl_enc_sign(&s->enc, cert, key, cm_sign_md(key), s->this_update,
			    s->next_update, number, reason, rlen);
		X509_free(cert);
		EVP_PKEY_free(key);
		if (ret != 0) {
			session_end();
			return ret;
		}
		snprintf(num, sizeof(num), "%" PRIu64, number);
		if (cm_enc_str(reply, TAG_CRL_NUMBER, num) < 0 ||
		    cm_enc_u64(reply, TAG_CRL_DER_LEN, (uint64_t)cm_crl_enc_len(&s->enc)) < 0) {
			snprintf(reason, rlen, "reply too large");
			return -1;
		}
		cm_info("signed CRL number %s of the %s CA for uid %u: %zu entries, %zu bytes", num,
		    s->root ? "root" : "issuing", (unsigned)uid, s->enc.count, cm_crl_enc_len(&s->enc));
		return 0;
	}
	case CM_CRL_STEP_READ: {
		if (s == NULL || !s->enc.signed_ || cm_msg_get_u64(m, TAG_CRL_OFFSET, &off) < 0) {
			snprintf(reason, rlen, "read needs a signed CRL on this connection and crl-offset (8 bytes)");
			return 1;
		}
		size_t total = cm_crl_enc_len(&s->enc);
		if (off > total) {
			snprintf(reason, rlen, "crl-offset is past the end of the CRL");
			return 1;
		}
		size_t n = total - off < CM_CRL_CHUNK ? total - off : CM_CRL_CHUNK;
		unsigned char *chunk = malloc(n ? n : 1);
		if (chunk == NULL) {
			snprintf(reason, rlen, "out of memory");
			return -1;
		}
		cm_crl_enc_read(&s->enc, (size_t)off, chunk, n);
		ret = cm_enc_bytes(reply, TAG_CRL_DER, chunk, n) < 0 ? -1 : 0;
		free(chunk);
		if (ret < 0)
			snprintf(reason, rlen, "reply too large");
		/* The last chunk read: the memory goes back at once. */
		if (off + n == total)
			session_end();
		return ret;
	}
	default:
		snprintf(reason, rlen, "crl-step %u is not a step of crl-sign", (unsigned)step);
		return 1;
	}
}
