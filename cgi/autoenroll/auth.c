/* auth.c: autoenroll.fcgi's authentication hook: the Kerberos principal Apache (mod_auth_gssapi) put in REMOTE_USER is who asks; the person is found from it after the directory has vouched for it (person.c). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "autoenroll.h"

/*
 * 0 / -1; see autoenroll.h. The only authentication is Apache's: a
 * customer without a live realm has no <Location> block, so its requests
 * arrive without REMOTE_USER and are refused here (27), never served as
 * anyone. The realm is upper-cased as every AD realm is; the user part is
 * kept as sent (AD compares it without case).
 */
int
aed_authenticate(struct aed_req *r)
{
	const char *ru = r->http->remote_user;
	char user[257];

	if (ru == NULL || *ru == '\0')
		return aed_fail(r, AED_INVALID_REMOTE_USER, 0,
		    "no REMOTE_USER: Apache did not authenticate this request (no Kerberos <Location> for the customer?)");
	if (aed_parse_principal(ru, user, sizeof(user), r->realm, sizeof(r->realm)) < 0)
		return aed_fail(r, AED_INVALID_REMOTE_USER, 0, "REMOTE_USER \"%.80s\" is not user@REALM", ru);
	for (char *p = r->realm; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	/* aed_parse_principal took at most 256 bytes: the principal fits. */
	snprintf(r->principal, sizeof(r->principal), "%.*s@%s", (int)strlen(user), user, r->realm);
	return 0;
}
