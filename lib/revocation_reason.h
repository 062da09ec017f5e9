/* revocation_reason.h: the RFC 5280 CRLReason codes a revocation here may carry, and their names. */
#ifndef CM_REVOCATION_REASON_H
#define CM_REVOCATION_REASON_H

/* The codes the lifecycle writes itself (RFC 5280 section 5.3.1). */
#define CM_REASON_UNSPECIFIED 0
#define CM_REASON_SUPERSEDED 4

/* The RFC 5280 name of an offered reason code ("keyCompromise"), or NULL
 * (certificateHold is never offered: a revocation here is final). */
const char *cm_revocation_reason_name(int code);

/* The code of an offered reason named name (exact, case matters), or -1. */
int cm_revocation_reason_code(const char *name);

#endif
