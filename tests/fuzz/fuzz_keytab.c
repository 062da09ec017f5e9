/* fuzz_keytab.c: libFuzzer target for the keytab parser (lib/keytab.c), which reads keytabs administrators upload to the portal. */
/* fuzz-sources: lib/keytab.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keytab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whatever is readable merges into a keytab that reads back with the same
 * verdict, and texts stay NUL-terminated inside their buffers. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char pr[CM_KEYTAB_PRINCIPALS_MAX], pb[CM_KEYTAB_PROBLEM_MAX], cl[128];
	char pr2[CM_KEYTAB_PRINCIPALS_MAX], pb2[CM_KEYTAB_PROBLEM_MAX];
	const unsigned char *in[2] = { data, data };
	size_t lens[2] = { size, size }, mlen;
	unsigned char *m;
	int r, r2;

	r = cm_keytab_check(data, size, "HTTP/web.corp.example.com@CORP.EXAMPLE.COM", pr, sizeof(pr), pb, sizeof(pb));
	if (memchr(pr, 0, sizeof(pr)) == NULL || memchr(pb, 0, sizeof(pb)) == NULL)
		abort();
	(void)cm_keytab_first_client(data, size, NULL, cl, sizeof(cl));
	if (memchr(cl, 0, sizeof(cl)) == NULL)
		abort();
	if (cm_keytab_merge(in, lens, 2, &m, &mlen, pb2, sizeof(pb2)) == 0) {
		if (r < 0)
			abort();
		/* The same input twice: every entry once, so the verdict holds. */
		r2 = cm_keytab_check(m, mlen, "HTTP/web.corp.example.com@CORP.EXAMPLE.COM", pr2, sizeof(pr2),
		    pb2, sizeof(pb2));
		if (r2 != r || mlen > size + 2)
			abort();
		free(m);
	} else if (r >= 0) {
		abort();
	}
	return 0;
}
