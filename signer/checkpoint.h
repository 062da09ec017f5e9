/* checkpoint.h: the signer's signed audit checkpoints: the append-only file next to the journal and the key that signs them. */
#ifndef CM_CHECKPOINT_H
#define CM_CHECKPOINT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

#include "audit_checkpoint.h"
#include "vault.h"

/* The vault file of the checkpoint key (Ed25519, made on first use). */
#define CM_CHECKPOINT_KEY_NAME "audit-checkpoint.key"
/* The checkpoint file's name, in the journal's directory. */
#define CM_CHECKPOINT_FILE_NAME "audit-checkpoints"
/* Largest checkpoint file read at start (~4 million checkpoints). */
#define CM_CHECKPOINT_MAX_FILE (1024L * 1024 * 1024)

struct cm_checkpoints {
	pthread_mutex_t mu;        /* one checkpoint at a time: they are rare */
	int fd;                    /* O_APPEND, -1 when closed */
	char *path;
	const struct cm_vault *vault;
	EVP_PKEY *key;             /* NULL until the first checkpoint */
	char *pub_pem;             /* its public key, PEM */
	struct cm_checkpoint *all; /* every checkpoint, ascending ids */
	size_t n, cap;
	int started;
};

/*
 * Return convention of this module: 0 success; 1 refused with a reason for
 * the requester; -1 failure with a reason (errors of open go to err).
 */

/* The file's path for a journal at journal_path: same directory. 0 / -1. */
int cm_checkpoints_path(const char *journal_path, char *out, size_t outlen);

/* Opens (creates, mode 0600) the file at path, refuses one that is not a
 * regular file owned by this uid or that group/others may write, reads every
 * checkpoint (ids must ascend; a last line cut short by a crash is removed),
 * loads the key from v when it exists and checks the last signature. */
int cm_checkpoints_open(struct cm_checkpoints *c, const char *path,
    const struct cm_vault *v, char *err, size_t errlen);
void cm_checkpoints_close(struct cm_checkpoints *c);

/* Signs (id, hash, now) and appends it to the file (fdatasync'ed) before
 * it is returned in *out. Refused: an id below the latest checkpoint's (the
 * log lost rows), the latest id with another hash (a rewritten row), a bad
 * id or hash. The latest id with the same hash returns that checkpoint
 * again without a new record. */
int cm_checkpoints_record(struct cm_checkpoints *c, int64_t id, const char *hash,
    time_t now, struct cm_checkpoint *out, char *reason, size_t rlen);

/* Copies up to max checkpoints with ids above after (ascending) to out and
 * their count to *n; *pub_pem gets a malloc'ed copy of the public key PEM,
 * or NULL when no checkpoint was ever signed. */
int cm_checkpoints_list(struct cm_checkpoints *c, int64_t after,
    struct cm_checkpoint *out, size_t max, size_t *n, char **pub_pem,
    char *reason, size_t rlen);

#endif
