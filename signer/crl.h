/* crl.h: CRLs signed by signerd: the persisted CRL number and the streaming DER encoder (crl_enc.c), and the crl-sign op (crl.c). */
#ifndef CM_CRL_H
#define CM_CRL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "buf.h"
#include "signer_proto.h"

/* The file next to the journal that holds the last CRL number handed out. */
#define CM_CRL_NUMBER_FILE "crlnumber"
/* The most DER a CRL's entries may take (about 5 million entries). */
#define CM_CRL_MAX_ENTRIES_DER (256u * 1024 * 1024)

/*
 * The CRL number counter, one for every CRL this signer signs (root and
 * issuing share it: each CRL's numbers still strictly increase). It lives
 * in the signer's own directory, not the database, so restoring the
 * database cannot move it back. Return convention: 0, or -1 with err.
 */
struct cm_crl_numbers {
	pthread_mutex_t mu;
	char path[4096];
	uint64_t last;
};

/* The counter's path next to journal_path. 0 / -1 (too long). */
int cm_crl_numbers_path(const char *journal_path, char *out, size_t outlen);
/* Reads path (missing: starts at 0). A file that exists but does not
 * parse is an error: guessing could hand out a number twice. */
int cm_crl_numbers_open(struct cm_crl_numbers *n, const char *path, char *err, size_t errlen);
void cm_crl_numbers_close(struct cm_crl_numbers *n);
/* The next number, max(last + 1, now): after losing the file the counter
 * still never goes back while the clock does not. Written to a temporary
 * file, fsync'ed and renamed (and the directory fsync'ed) before it is
 * returned. */
int cm_crl_numbers_next(struct cm_crl_numbers *n, time_t now, uint64_t *out, char *err, size_t errlen);

/*
 * The encoder: entries are turned into DER as they arrive (that buffer is
 * the only thing that grows, about 40 bytes an entry); signing builds the
 * small parts around it and hashes all of it in place. The CRL is then
 * head + body + tail, read back in chunks.
 */
struct cm_crl_enc {
	struct cm_buf body;       /* revokedCertificates' entries, DER */
	size_t count;
	unsigned char *head;      /* outer and tbs headers, fields up to nextUpdate, revoked header */
	size_t head_len;
	unsigned char *tail;      /* crlExtensions, signatureAlgorithm, signature */
	size_t tail_len;
	int signed_;
};

void cm_crl_enc_init(struct cm_crl_enc *e);
void cm_crl_enc_free(struct cm_crl_enc *e);
/* Adds packed entries (signer_proto.h, CM_CRL_STEP_*). 0; 1 refused (a
 * malformed entry, reason set; nothing of this chunk is kept); -1 too
 * many entries or out of memory. */
int cm_crl_enc_add(struct cm_crl_enc *e, const unsigned char *p, size_t len,
    char *reason, size_t rlen);
/* Signs the CRL of issuer with key and digest md (NULL, as for Ed25519,
 * is refused: the TBS is hashed in pieces): v2, thisUpdate, nextUpdate,
 * the authorityKeyIdentifier and number. 0, or -1 with reason. */
int cm_crl_enc_sign(struct cm_crl_enc *e, X509 *issuer, EVP_PKEY *key, const EVP_MD *md,
    time_t this_update, time_t next_update, uint64_t number, char *reason, size_t rlen);
/* Length of the signed CRL (0 before signing). */
size_t cm_crl_enc_len(const struct cm_crl_enc *e);
/* Copies up to n bytes from off of the signed CRL into out; the count. */
size_t cm_crl_enc_read(const struct cm_crl_enc *e, size_t off, unsigned char *out, size_t n);

struct cm_signer_ctx;
/* The crl-sign op for one request of a connection (its state is kept per
 * connection thread and freed when the thread ends). Handler convention of
 * signer/ops.c: 0 done, 1 refused, -1 fault, with reason. */
int cm_crl_op(struct cm_signer_ctx *ctx, uid_t uid, const struct cm_msg *m, struct cm_buf *reply,
    char *reason, size_t rlen);

#endif
