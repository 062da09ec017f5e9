/* fuzz_ocsp_items.c: libFuzzer target for signerd's parser of ocsp-sign's packed items (signer/ocsp_items.c). */
/* fuzz-sources: signer/ocsp_items.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signer/ocsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: one item's bytes. Whatever the parser accepts must be within every
 * bound of the format and must pack back to exactly the same bytes (the
 * format has one encoding: nothing skipped, nothing trailing).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_ocsp_item it;
	unsigned char back[1 + CM_OCSP_MAX_NONCE + 1 + CM_OCSP_MAX_SINGLES * CM_OCSP_SINGLE_LEN(CM_OCSP_MAX_SERIAL)];
	char reason[256];
	size_t n = 0;

	if (size > CM_PROTO_MAX_PAYLOAD)
		return 0;
	reason[0] = '\0';
	if (cm_ocsp_item_parse(data, size, &it, reason, sizeof(reason)) != 0) {
		if (reason[0] == '\0' || memchr(reason, '\0', sizeof(reason)) == NULL)
			abort();   /* every refusal says why */
		return 0;
	}
	if (it.nonce_len > CM_OCSP_MAX_NONCE || it.nsingles < 1 || it.nsingles > CM_OCSP_MAX_SINGLES ||
	    (it.nonce_len && (it.nonce < data || it.nonce + it.nonce_len > data + size)))
		abort();
	back[n++] = (unsigned char)it.nonce_len;
	if (it.nonce_len)
		memcpy(back + n, it.nonce, it.nonce_len);
	n += it.nonce_len;
	back[n++] = (unsigned char)it.nsingles;
	for (size_t i = 0; i < it.nsingles; i++) {
		const struct cm_ocsp_single *s = &it.singles[i];
		if (s->hash < 1 || s->hash > 4 || s->serial_len < 1 || s->serial_len > CM_OCSP_MAX_SERIAL ||
		    s->status > CM_OCSP_UNKNOWN || (s->reason != CM_OCSP_NO_REASON && (s->reason > 10 || s->reason == 7)) ||
		    (s->status != CM_OCSP_REVOKED && s->revoked_at != 0))
			abort();
		back[n++] = (unsigned char)s->hash;
		back[n++] = (unsigned char)s->serial_len;
		memcpy(back + n, s->serial, s->serial_len);
		n += s->serial_len;
		back[n++] = (unsigned char)s->status;
		for (int k = 7; k >= 0; k--)
			back[n++] = (unsigned char)(s->revoked_at >> (8 * k));
		back[n++] = (unsigned char)s->reason;
	}
	if (n != size || memcmp(back, data, size) != 0)
		abort();
	return 0;
}
