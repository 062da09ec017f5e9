/* fuzz_ocsp_store.c: libFuzzer target for the pre-signed OCSP store's file check (lib/ocsp_store.c), which ocsp.fcgi runs on every file it serves. */
/* fuzz-sources: lib/ocsp_store.c */
/* fuzz-libs: */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ocsp_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whatever is accepted lies inside the input, after the header, and its
 * times are ordered. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_ocsp_stored e;

	if (cm_ocsp_store_parse(data, size, &e) == 0) {
		if (e.der != data + CM_OCSP_STORE_HDR || e.der_len + CM_OCSP_STORE_HDR != size ||
		    e.next_update <= e.this_update || e.der[0] != 0x30 ||
		    (e.status != CM_OCSP_STORE_GOOD && e.status != CM_OCSP_STORE_REVOKED))
			abort();
	}
	return 0;
}
