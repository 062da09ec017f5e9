/* revocation_reason.c: the one table of RFC 5280 CRLReason codes offered for a revocation (admin form, lifecycle, later CRLs and OCSP). */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "revocation_reason.h"

/* certificateHold (6) and removeFromCRL (8) are missing on purpose: a
 * revocation here is final, so nothing can be put on hold or taken back. */
static const struct {
	const char *name;
	int code;
} reasons[] = {
	{ "unspecified", CM_REASON_UNSPECIFIED },
	{ "keyCompromise", 1 },
	{ "affiliationChanged", 3 },
	{ "superseded", CM_REASON_SUPERSEDED },
	{ "cessationOfOperation", 5 },
	{ "privilegeWithdrawn", 9 },
};

/* A name or NULL. */
const char *
cm_revocation_reason_name(int code)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == code)
			return reasons[i].name;
	return NULL;
}

/* A code or -1. */
int
cm_revocation_reason_code(const char *name)
{
	for (size_t i = 0; name && i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(name, reasons[i].name) == 0)
			return reasons[i].code;
	return -1;
}
