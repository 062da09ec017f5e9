/* ssl_reason.h: the one way signerd turns OpenSSL's error queue into the reason text of a refusal or fault. */
#ifndef CM_SIGNER_SSL_REASON_H
#define CM_SIGNER_SSL_REASON_H

#include <stddef.h>

/* "what: <OpenSSL's first queued error>" (or what alone when the queue is
 * empty) into err, then clears the queue so no later reason shows a stale
 * error. No return value. */
void cm_ssl_reason(char *err, size_t errlen, const char *what);

#endif
