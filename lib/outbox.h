/* outbox.h: the notification outbox: mail queued in the transaction of the event that causes it, the expiry windows, and the sender's queue work (delivery itself is lib/outbox_smtp.h). */
#ifndef CM_OUTBOX_H
#define CM_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* Caps of a message (the columns of schema/026_outbox.sql; the body is
 * capped so that a message is one bounded read for the sender). */
#define CM_OUTBOX_RECIPIENT_MAX 254
#define CM_OUTBOX_SUBJECT_MAX 255
#define CM_OUTBOX_BODY_MAX 16384
#define CM_OUTBOX_KEY_MAX 128

/* The expiry windows of a customer ("60,30,7"): at most this many, each
 * 1..CM_OUTBOX_WINDOW_DAYS_MAX days, written in at most
 * CM_OUTBOX_WINDOWS_TEXT_MAX bytes. */
#define CM_OUTBOX_WINDOWS_MAX 8
#define CM_OUTBOX_WINDOW_DAYS_MAX 366
#define CM_OUTBOX_WINDOWS_TEXT_MAX 64

/* Backoff after failed attempts: 1 minute, doubling, at most 6 hours. */
#define CM_OUTBOX_BACKOFF_FIRST 60L
#define CM_OUTBOX_BACKOFF_MAX (6L * 3600)

/* A message to queue. cert_id 0: none. */
struct cm_outbox_msg {
	int64_t customer_id;
	int64_t cert_id;
	const char *kind;         /* "expiry", "approved", "declined", "waiting", ... */
	const char *event_key;    /* what makes it unique with the recipient */
	const char *recipient;
	const char *subject;
	const char *body;
};

/*
 * Queues m inside the caller's transaction (or on its own when none is
 * open). The same (event_key, recipient) queued before is not queued
 * again. 1 queued, 0 already there, -1 with err: the message breaks a cap
 * or the address is not one (nothing written), or a database error
 * (logged; the caller rolls back).
 */
int cm_outbox_enqueue(struct cm_db *db, const struct cm_outbox_msg *m, char *err, size_t errlen);

/* 1 when addr is a plain mailbox address (local@domain, printable ASCII,
 * no spaces, brackets, quotes or commas, at most CM_OUTBOX_RECIPIENT_MAX
 * bytes): safe in an SMTP envelope and a To: header. */
int cm_outbox_address_ok(const char *addr);

/*
 * Parses expiry windows "60,30,7" (spaces allowed around numbers; "" or
 * "none": no windows) into days[], sorted from the largest down, without
 * repeats. Returns how many (0..max), or -1 with a sentence in err for the
 * person who typed it.
 */
int cm_outbox_parse_windows(const char *s, int *days, int max, char *err, size_t errlen);

/* Writes days[0..n) as "60,30,7" into out. 0, or -1 when it does not fit. */
int cm_outbox_format_windows(const int *days, int n, char *out, size_t outlen);

/* Seconds to wait before the next attempt after `attempts` failed ones
 * (1 or more): CM_OUTBOX_BACKOFF_FIRST doubling, at most
 * CM_OUTBOX_BACKOFF_MAX. */
long cm_outbox_backoff(int attempts);

/*
 * The mail of a certificate event, queued in the caller's transaction
 * (lib/cert_lifecycle.c calls it before it commits the change):
 *   "certificate.request"  to the approvers in scope (MRAO, RAO/DRAO whose
 *                          scope and certificate types cover the request,
 *                          with an e-mail address; not the requester);
 *   "certificate.approve"  to the requester;
 *   "certificate.decline"  to the requester, with the decline message.
 * The requester's address is their administrator row's e-mail, else the
 * certificate's e-mail. Other actions, and events nobody can be told of,
 * queue nothing. 0, or -1 on a database error (logged).
 */
int cm_outbox_cert_event(struct cm_db *db, const char *action, int64_t customer_id, int64_t cert_id);

/*
 * Queues the expiry notices due at now ("YYYY-MM-DD HH:MM:SS", UTC) for
 * every enabled customer: an issued certificate whose notAfter lies within
 * a window of the customer's notify_expiry_days gets one message for the
 * smallest window it is in, to its requester (see above), once per window.
 * Each customer in its own transaction. Returns how many were queued, or
 * -1 with err (a database error; earlier customers stay queued).
 */
long cm_outbox_queue_expiry(struct cm_db *db, const char *now, char *err, size_t errlen);

/* A message as the sender reads it. */
struct cm_outbox_item {
	int64_t id;
	int attempts;             /* failed attempts so far */
	char recipient[CM_OUTBOX_RECIPIENT_MAX + 1];
	char subject[CM_OUTBOX_SUBJECT_MAX + 1];
	char *body;               /* owned by the sender's loop */
};

/* Delivers one message: 0 delivered, or -1 with a sentence in err (the
 * message stays queued and is tried again later). */
typedef int (*cm_outbox_deliver_fn)(void *ctx, const struct cm_outbox_item *m, char *err, size_t errlen);

/* What a run of the sender did. */
struct cm_outbox_run {
	long sent;
	long retry;               /* failed attempts, tried again later */
	long failed;              /* given up (status failed) */
};

/*
 * Sends up to limit messages due at now (queued, next_attempt_at <= now),
 * oldest first, each claimed before delivery (a lease: a parallel run
 * skips it) and marked after it: sent (sent_at), or attempts + 1,
 * last_error and next_attempt_at = now + cm_outbox_backoff(); a message
 * still failing give_up_s seconds after its first failure becomes
 * "failed" (with an audit row "outbox.failed"). Never deletes a message.
 * 0 (out counts what happened), or -1 with err on a database error.
 */
int cm_outbox_send_due(struct cm_db *db, const char *now, long give_up_s, int limit,
    cm_outbox_deliver_fn deliver, void *ctx, struct cm_outbox_run *out, char *err, size_t errlen);

/*
 * "Retry now" of failed message id of customer_id: back to queued, due at
 * once, attempts and give-up time reset, with an audit row "outbox.retry"
 * by actor in one transaction. 0 done, 404 no such failed message of the
 * customer (a queued or sent one: 409), 500 database error (logged).
 */
int cm_outbox_retry(struct cm_db *db, int64_t customer_id, int64_t id, const char *actor,
    const char *remote_addr);

#endif
