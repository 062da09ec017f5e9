/* fuzz_psl.c: libFuzzer target for the public suffix list parser and the DNS name rules that use it (lib/name_rules.c). */
/* fuzz-sources: lib/name_rules.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/name_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input is a list; its first line is also tried as a DNS name under the
 * list, and every parsed list must answer for the names below without error.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const probes[] = { "com", "co.uk", "example.com", "a.b.c", "xn--fiqs8s", "x" };
	struct cm_psl *psl = NULL;
	struct cm_name_rules r;
	char err[512];
	const uint8_t *eol;

	if (cm_psl_parse((const char *)data, size, &psl, err, sizeof(err)) < 0) {
		if (psl != NULL || memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		return 0;
	}
	if (cm_psl_count(psl) == 0)
		abort();
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		(void)cm_psl_is_suffix(psl, probes[i]);
	memset(&r, 0, sizeof(r));
	r.psl = psl;
	eol = memchr(data, '\n', size);
	(void)cm_nr_dns(&r, "DNS name", data, eol ? (size_t)(eol - data) : size, err, sizeof(err));
	cm_psl_free(psl);
	return 0;
}
