/* cert_state.c: the certificate lifecycle's transition table (the one place that says which status changes are allowed, for admin.fcgi and the certmint CLI). */
#include "config.h"

#include <string.h>

#include "cert_state.h"

static const char *const names[CERT_STATE__MAX] = {
	[CERT_REQUESTED] = "requested",
	[CERT_APPROVED] = "approved",
	[CERT_ISSUED] = "issued",
	[CERT_DECLINED] = "declined",
	[CERT_REVOKED] = "revoked",
	[CERT_EXPIRED] = "expired",
};

/* allowed[from][to] */
static const unsigned char allowed[CERT_STATE__MAX][CERT_STATE__MAX] = {
	[CERT_REQUESTED] = { [CERT_APPROVED] = 1, [CERT_DECLINED] = 1 },
	[CERT_APPROVED] = { [CERT_ISSUED] = 1 },
	[CERT_ISSUED] = { [CERT_REVOKED] = 1, [CERT_EXPIRED] = 1 },
};

/* State number or -1. */
int
cert_state_parse(const char *s)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < CERT_STATE__MAX; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* Column word or NULL. */
const char *
cert_state_name(int s)
{
	return s >= 0 && s < CERT_STATE__MAX ? names[s] : NULL;
}

/* 1 allowed, 0 not. */
int
cert_state_allowed(int from, int to)
{
	if (from < 0 || from >= CERT_STATE__MAX || to < 0 || to >= CERT_STATE__MAX)
		return 0;
	return allowed[from][to];
}

/* A fixed sentence; never NULL. */
const char *
cert_state_refusal(int from, int to)
{
	switch (to) {
	case CERT_APPROVED:
	case CERT_DECLINED:
		return from == CERT_REQUESTED ? "This transition is allowed." :
		    "Only a certificate in status \"requested\" can be approved or declined; this one is not a pending request.";
	case CERT_ISSUED:
		return "Only an approved request can be issued.";
	case CERT_REVOKED:
		return "Only an issued certificate can be revoked; this one is not (it is a request, was declined, is already revoked, or has expired).";
	case CERT_EXPIRED:
		return "Only an issued certificate expires.";
	default:
		return "A certificate cannot go back to being a request.";
	}
}
