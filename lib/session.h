/* session.h: database-backed sessions (cookie) and the CSRF token each one carries. */
#ifndef CM_SESSION_H
#define CM_SESSION_H

#include "db.h"

#define CM_SESSION_COOKIE "certmint_session"

struct cm_session {
	int64_t id;              /* row id */
	char token[65];          /* cookie value: 32 random bytes, hex (only the
	                            SHA-256 of it is stored) */
	char csrf[65];           /* 32 random bytes, hex */
	char subject[256];       /* principal (admin) or e-mail (developer) */
	int is_new;              /* created by this call: a login */
};

/*
 * Finds the live session for cookie (may be NULL) that belongs to subject;
 * otherwise creates one (is_new = 1). kind separates admin/developer
 * sessions ("admin", "csod"). Returns 0 or -1.
 */
int cm_session_open(struct cm_db *db, const char *kind, const char *cookie,
    const char *subject, long ttl, struct cm_session *out);
/* Deletes the session (logout). 0 or -1. */
int cm_session_close(struct cm_db *db, const struct cm_session *s);
/* Deletes every session of kind that belongs to subject (an MRAO ending
 * another administrator's sessions): that browser's next request starts a
 * new session, a login. The number of sessions ended, or -1. */
long cm_session_end_subject(struct cm_db *db, const char *kind, const char *subject);
/* Constant-time comparison of a submitted token; 1 valid, 0 not. */
int cm_csrf_valid(const struct cm_session *s, const char *token);

/* Fills out with 2*n hex chars of CSPRNG output (+NUL); 0 or -1. */
int cm_random_hex(char *out, size_t n);

#endif
