/* fuzz_ocsp_refresh.c: libFuzzer target for certmint ocsp refresh's serial parser and walked-name set (lib/ocsp_refresh.c), fed from database rows. */
/* fuzz-sources: lib/ocsp_refresh.c lib/revocation_reason.c */
/* fuzz-libs: */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ocsp_refresh.h"
#include "signer_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input is split at newlines into names: an accepted serial fits and is
 * never 0; every name the set accepts is found again. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_ocsp_nameset s;
	char name[128];
	size_t i = 0;

	if (size > 64 * 1024)
		return 0;
	cm_ocsp_nameset_init(&s);
	while (i < size) {
		size_t n = 0;
		while (i < size && data[i] != '\n') {
			if (n + 1 < sizeof(name))
				name[n++] = data[i] ? (char)data[i] : '0';
			i++;
		}
		i++;
		name[n] = '\0';
		unsigned char b[CM_OCSP_MAX_SERIAL];
		int len = cm_ocsp_refresh_serial(name, b, sizeof(b));
		if (len == 0 || len > CM_OCSP_MAX_SERIAL || (len == 1 && b[0] == 0))
			abort();
		int r = cm_ocsp_nameset_add(&s, name);
		if ((r == 1 || r == 0) && !cm_ocsp_nameset_has(&s, name))
			abort();
		if (r < 0 && n >= 1 && n <= CM_OCSP_STORE_NAME_MAX)
			abort();
		(void)cm_ocsp_refresh_reason(n & 1, (long long)(n % 13) - 1);
	}
	cm_ocsp_nameset_free(&s);
	return 0;
}
