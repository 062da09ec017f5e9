/* ssl_reason.c: OpenSSL's queued error as reason text, shared by every signer module that calls OpenSSL. */
#include "config.h"

#include <stdio.h>

#include <openssl/err.h>

#include "ssl_reason.h"

/* No return value (ssl_reason.h). */
void
cm_ssl_reason(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "";
	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	snprintf(err, errlen, "%s%s%s", what, buf[0] ? ": " : "", buf);
}
