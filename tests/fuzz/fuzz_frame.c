/* fuzz_frame.c: libFuzzer target for the signerd frame header and field decoder. */
/* fuzz-sources: signer/proto.c lib/buf.c lib/log.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signer/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_frame_hdr h;
	struct cm_msg *m = malloc(sizeof(*m));
	char err[256];

	if (m == NULL)
		return 0;
	/* As signerd sees it: a header, then exactly payload_len bytes. */
	if (size >= CM_PROTO_HDR_LEN && cm_hdr_decode(data, &h, err, sizeof(err)) == 0 &&
	    h.payload_len <= size - CM_PROTO_HDR_LEN &&
	    cm_msg_decode(data + CM_PROTO_HDR_LEN, h.payload_len, m, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < m->nfields; i++) {
			char *s = cm_field_strdup(&m->fields[i], CM_PROTO_MAX_NAME);
			free(s);
		}
		uint32_t v;
		(void)cm_msg_get_u32(m, TAG_VALIDITY_DAYS, &v);
	}
	/* And the whole input as a bare payload. */
	(void)cm_msg_decode(data, size, m, err, sizeof(err));
	free(m);
	return 0;
}
