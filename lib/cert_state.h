/* cert_state.h: the certificate lifecycle's states and the only transitions allowed between them (admin pages and the CLI's expiry job alike). */
#ifndef CM_CERT_STATE_H
#define CM_CERT_STATE_H

enum cert_state {
	CERT_REQUESTED = 0,
	CERT_APPROVED,
	CERT_ISSUED,
	CERT_DECLINED,
	CERT_REVOKED,
	CERT_EXPIRED,
	CERT_STATE__MAX
};

/* The state named s (the certificates.status column's words); -1 when unknown. */
int cert_state_parse(const char *s);

/* The column word for a state, or NULL when out of range. */
const char *cert_state_name(int s);

/*
 * 1 when a certificate may move from one state to the other:
 * requested->approved, requested->declined, approved->issued,
 * issued->revoked and issued->expired (by time); 0 for every other pair,
 * staying in the same state included, and for out-of-range values.
 */
int cert_state_allowed(int from, int to);

/* The sentence shown when a transition is refused ("A declined request
 * cannot be revoked."); never NULL. */
const char *cert_state_refusal(int from, int to);

#endif
