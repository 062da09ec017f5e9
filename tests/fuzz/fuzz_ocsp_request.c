/* fuzz_ocsp_request.c: libFuzzer target for ocsp.fcgi's request parser and GET decoder (lib/ocsp_request.c), which read bytes from anyone. */
/* fuzz-sources: lib/ocsp_request.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ocsp_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whatever is accepted stays within the struct's bounds; a GET path
 * decodes into at most its 3/4 and what it yields parses the same way. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char buf[CM_OCSP_REQ_MAX];
	struct cm_ocsp_request rq;

	if (cm_ocsp_request_parse(data, size, &rq) == 0) {
		if (rq.nsingles < 1 || rq.nsingles > CM_OCSP_MAX_SINGLES || rq.nonce_len > CM_OCSP_MAX_NONCE)
			abort();
		for (size_t i = 0; i < rq.nsingles; i++) {
			const struct cm_ocsp_certid *c = &rq.singles[i];
			if (c->serial_len > CM_OCSP_MAX_SERIAL || c->name_hash_len > CM_OCSP_REQ_HASH_MAX ||
			    c->key_hash_len > CM_OCSP_REQ_HASH_MAX || c->hash > CM_OCSP_HASH_SHA512)
				abort();
			if (c->serial_hex[0] && strlen(c->serial_hex) != 2 * CM_OCSP_REQ_SERIAL_LEN)
				abort();
		}
	}
	long n = cm_ocsp_request_from_url((const char *)data, size, buf, sizeof(buf));
	if (n > 0) {
		if ((size_t)n > size || (size_t)n > sizeof(buf))
			abort();
		(void)cm_ocsp_request_parse(buf, (size_t)n, &rq);
	}
	return 0;
}
