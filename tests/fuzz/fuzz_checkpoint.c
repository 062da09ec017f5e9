/* fuzz_checkpoint.c: libFuzzer target for the signed audit checkpoint line (signer's file, signer replies) and its signature check. */
/* fuzz-sources: lib/audit_checkpoint.c lib/ids.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/audit_checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	struct cm_checkpoint cp, back;
	char line[CM_CHECKPOINT_LINE_MAX + 1];

	if (key == NULL)
		key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (cm_checkpoint_parse((const char *)data, size, &cp) != 0)
		return 0;
	/* What parses formats back to the same bytes (one spelling per checkpoint). */
	int n = cm_checkpoint_format(&cp, line, sizeof(line));
	if (n < 0 || (size_t)n != size || memcmp(line, data, size) != 0)
		abort();
	if (cm_checkpoint_parse(line, (size_t)n, &back) != 0 || back.id != cp.id || back.at != cp.at)
		abort();
	/* A random signature never verifies, and checking never crashes. */
	if (cm_checkpoint_verify(&cp, key) == 1)
		abort();
	return 0;
}
