/* journal.h: the append-only issuance journal with group commit. */
#ifndef CM_JOURNAL_H
#define CM_JOURNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"

struct cm_jrec;

struct cm_journal {
	int fd;
	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t work;      /* records queued or stop */
	pthread_cond_t done;      /* a batch finished */
	struct cm_jrec *head, *tail;
	int stop;
	uint64_t batches, records; /* for tests and the benchmark */
	uint64_t truncate_failures; /* a failed batch could not be cut off */
};

/* Opens (O_APPEND, 0600, created if missing) and starts the writer thread.
 * 0, or -1 with err. */
int cm_journal_open(struct cm_journal *j, const char *path, char *err, size_t errlen);
/* Flushes what is queued, stops the thread, closes the file. */
void cm_journal_close(struct cm_journal *j);

/* Queues one record and waits until it is written and fdatasync'ed together
 * with every record queued meanwhile. 0 durable; -1 not written (errno), and
 * the file is truncated back to its size before the failed batch. */
int cm_journal_append(struct cm_journal *j, const char *line, size_t len);

/* One record line: "TIME\tSERIAL\tPROFILE\tUID\tSUBJECT\tBASE64-DER\n".
 * 0, or -1 when memory runs out. */
int cm_journal_format(struct cm_buf *out, time_t when, const char *serial_hex,
    const char *profile, uid_t uid, const char *subject,
    const unsigned char *der, size_t der_len);

#endif
