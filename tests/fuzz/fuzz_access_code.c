/* fuzz_access_code.c: libFuzzer target for access-code checks: a stored hash from the database and a code from a device. */
/* fuzz-sources: lib/access_code.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access_code.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char key[32] = "fuzz-key-fuzz-key-fuzz-key-fuzz";

/* Input: the stored value, a NUL byte, the code (both may hold any bytes). */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *stored, *code, h[CM_ACCESS_HASH_HEX + 1], hint[CM_ACCESS_HINT_LEN + 1];
	const uint8_t *nul = memchr(data, '\0', size);
	size_t sl = nul ? (size_t)(nul - data) : size;

	if ((stored = malloc(sl + 1)) == NULL)
		return 0;
	memcpy(stored, data, sl);
	stored[sl] = '\0';
	code = strndup(nul ? (const char *)nul + 1 : "", nul ? size - sl - 1 : 0);
	if (code == NULL) {
		free(stored);
		return 0;
	}
	/* Whatever the stored value, a check answers 0 or 1 and never reads past it. */
	if (cm_access_code_verify(key, sizeof(key), code, stored) > 1)
		abort();
	/* A code that hashes always verifies against its own hash, and the hint fits. */
	if (cm_access_code_hash(key, sizeof(key), code, h) == 0 &&
	    (strlen(h) != CM_ACCESS_HASH_HEX || cm_access_code_verify(key, sizeof(key), code, h) != 1))
		abort();
	cm_access_code_hint(code, hint);
	if (strlen(hint) > CM_ACCESS_HINT_LEN)
		abort();
	free(stored);
	free(code);
	return 0;
}
