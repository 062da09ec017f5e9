/* outbox_smtp.h: delivers one outbox message through the configured SMTP relay with libcurl (only the CLI links it: the web programs never talk SMTP). */
#ifndef CM_OUTBOX_SMTP_H
#define CM_OUTBOX_SMTP_H

#include <stddef.h>

#include "buf.h"
#include "outbox.h"
#include "settings.h"

/* The relay as [smtp] of certmint.conf names it. */
struct cm_smtp {
	const char *url;
	const char *from;
	const char *user;         /* or NULL */
	char *password;           /* read from password_file; cleansed by cm_smtp_close */
	int starttls;
	long timeout;
};

/* Fills sm from s (reading the password file). 0, or -1 with err: [smtp]
 * has no url or from, from is not an address, or the file is unreadable. */
int cm_smtp_open(struct cm_smtp *sm, const struct cm_settings *s, char *err, size_t errlen);
void cm_smtp_close(struct cm_smtp *sm);

/* A cm_outbox_deliver_fn: ctx is a struct cm_smtp. 0 delivered (the relay
 * accepted it), or -1 with libcurl's reason in err. */
int cm_smtp_deliver(void *ctx, const struct cm_outbox_item *m, char *err, size_t errlen);

/* Writes the RFC 5322 message of m (headers, CRLF line ends; a subject
 * that is not ASCII is RFC 2047 encoded) into out. date is the Date:
 * header's value. 0, or -1 out of memory. Exposed for the unit test. */
int cm_smtp_format(struct cm_buf *out, const char *from, const struct cm_outbox_item *m, const char *date);

#endif
