/* fuzz_frame.c: libFuzzer target for the signerd frame header, field decoder and per-op field sets. */
/* fuzz-sources: lib/signer_proto.c lib/signer_msgs.c lib/buf.c lib/log.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signer_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads what a handler would after a successful decode. */
static void
use_fields(const struct cm_msg *m)
{
	for (size_t i = 0; i < m->nfields; i++) {
		char *s = cm_field_strdup(&m->fields[i], CM_PROTO_MAX_NAME);
		free(s);
	}
	uint32_t v;
	uint64_t d;
	(void)cm_msg_get_u32(m, TAG_VALIDITY_DAYS, &v);
	(void)cm_msg_get_u64(m, TAG_DEADLINE_MS, &d);
	(void)cm_msg_get(m, TAG_REASON);
	(void)cm_msg_get(m, TAG_ERR_CLASS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_frame_hdr h;
	struct cm_msg *m = malloc(sizeof(*m));
	char err[256];

	if (m == NULL)
		return 0;
	/* As signerd sees it: a header, then exactly payload_len bytes, decoded
	 * as a request of the header's op (any op, reserved ones included). */
	if (size >= CM_PROTO_HDR_LEN && cm_hdr_decode(data, &h, err, sizeof(err)) == 0 &&
	    h.payload_len <= size - CM_PROTO_HDR_LEN) {
		if (cm_msg_decode(h.op, CM_MSG_REQUEST, data + CM_PROTO_HDR_LEN, h.payload_len, m,
		    err, sizeof(err)) == 0)
			use_fields(m);
		/* As the client sees a reply to that op. */
		enum cm_msg_kind kind = h.op == OP_REPLY_ERR ? CM_MSG_REPLY_ERR : CM_MSG_REPLY_OK;
		unsigned op = (unsigned)(h.request_id % (OP__MAX + 1));
		if (cm_msg_decode(op, kind, data + CM_PROTO_HDR_LEN, h.payload_len, m, err, sizeof(err)) == 0)
			use_fields(m);
	}
	/* And the whole input as a bare payload: the first byte picks the op and
	 * the message kind, so every field set is reached. */
	if (size > 0) {
		unsigned op = data[0] % (OP__MAX + 1);
		enum cm_msg_kind kind = (enum cm_msg_kind)((data[0] >> 5) % 3);
		if (cm_msg_decode(op, kind, data + 1, size - 1, m, err, sizeof(err)) == 0)
			use_fields(m);
	}
	free(m);
	return 0;
}
