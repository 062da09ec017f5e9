/* fuzz_secret_open.c: libFuzzer target for cm_secret_open, which reads sealed bind passwords from the database (a row another program could have written). */
/* fuzz-sources: lib/secret_box.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secret_box.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char key[32] = "fuzz-key-fuzz-key-fuzz-key-fuzz";

/* Input: the sealed value. Also: a value sealed from the input opens to it. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char out[CM_SECRET_MAX], sealed[CM_SECRET_SEALED_MAX];
	size_t ol = 0, sl = 0;

	if (cm_secret_open(key, sizeof(key), "ad_servers.bind_password:1", data, size, out, &ol) == 0 &&
	    ol > CM_SECRET_MAX)
		abort();
	if (size <= CM_SECRET_MAX &&
	    (cm_secret_seal(key, sizeof(key), "a", data, size, sealed, &sl) < 0 ||
	        cm_secret_open(key, sizeof(key), "a", sealed, sl, out, &ol) < 0 || ol != size ||
	        memcmp(out, data, size) != 0))
		abort();
	return 0;
}
