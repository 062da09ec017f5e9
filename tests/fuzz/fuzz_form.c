/* fuzz_form.c: libFuzzer target for urlencoded form and query parsing. */
/* fuzz-sources: lib/form.c lib/buf.c lib/log.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_param *p = NULL;
	size_t n = 0, outlen = 0;
	char err[160];

	if (cm_form_parse((const char *)data, size, 64, 16, &p, &n, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < n; i++) {
			/* decoded values never exceed the cap and are NUL-terminated */
			if (p[i].value_len > 64 || p[i].value[p[i].value_len] != '\0' || strlen(p[i].name) > 64)
				abort();
		}
	} else if (n != 0) {
		abort();    /* a failed call must remove what it added */
	}
	cm_params_free(p, n);

	for (int plus = 0; plus < 2; plus++) {
		char *s = cm_url_decode((const char *)data, size, plus, &outlen);
		if (s != NULL && (outlen > size || s[outlen] != '\0'))
			abort();
		free(s);
	}
	return 0;
}
