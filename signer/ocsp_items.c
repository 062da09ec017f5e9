/* ocsp_items.c: the parser of ocsp-sign's packed items (signer_proto.h), kept apart from the signing so the fuzz target needs nothing else. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ocsp.h"

/* 0 / 1 with reason. */
int
cm_ocsp_item_parse(const unsigned char *p, size_t len, struct cm_ocsp_item *out,
    char *reason, size_t rlen)
{
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	if (len < 1) {
		snprintf(reason, rlen, "empty item");
		return 1;
	}
	out->nonce_len = p[pos++];
	if (out->nonce_len > CM_OCSP_MAX_NONCE) {
		snprintf(reason, rlen, "nonce of %zu bytes, more than %d", out->nonce_len, CM_OCSP_MAX_NONCE);
		return 1;
	}
	if (len - pos < out->nonce_len + 1) {
		snprintf(reason, rlen, "item cut off in its nonce or single count");
		return 1;
	}
	out->nonce = out->nonce_len ? p + pos : NULL;
	pos += out->nonce_len;
	out->nsingles = p[pos++];
	if (out->nsingles < 1 || out->nsingles > CM_OCSP_MAX_SINGLES) {
		snprintf(reason, rlen, "%zu singles, not 1 to %d", out->nsingles, CM_OCSP_MAX_SINGLES);
		return 1;
	}
	for (size_t i = 0; i < out->nsingles; i++) {
		struct cm_ocsp_single *s = &out->singles[i];
		if (len - pos < 2) {
			snprintf(reason, rlen, "single %zu cut off", i);
			return 1;
		}
		s->hash = p[pos++];
		s->serial_len = p[pos++];
		if (s->hash < CM_OCSP_HASH_SHA1 || s->hash > CM_OCSP_HASH_SHA512) {
			snprintf(reason, rlen, "single %zu: hash algorithm %u is not 1 to 4", i, s->hash);
			return 1;
		}
		if (s->serial_len < 1 || s->serial_len > CM_OCSP_MAX_SERIAL) {
			snprintf(reason, rlen, "single %zu: serial of %zu bytes, not 1 to %d", i, s->serial_len,
			    CM_OCSP_MAX_SERIAL);
			return 1;
		}
		if (len - pos < s->serial_len + 10) {
			snprintf(reason, rlen, "single %zu cut off", i);
			return 1;
		}
		memcpy(s->serial, p + pos, s->serial_len);
		pos += s->serial_len;
		s->status = p[pos++];
		for (int k = 0; k < 8; k++)
			s->revoked_at = s->revoked_at << 8 | p[pos++];
		s->reason = p[pos++];
		if (s->status > CM_OCSP_UNKNOWN) {
			snprintf(reason, rlen, "single %zu: status %u is not good, revoked or unknown", i, s->status);
			return 1;
		}
		if (s->reason != CM_OCSP_NO_REASON && (s->reason > 10 || s->reason == 7)) {
			snprintf(reason, rlen, "single %zu: reason %u is not a CRLReason (0 to 10 but 7) or 255", i,
			    s->reason);
			return 1;
		}
		if (s->status != CM_OCSP_REVOKED && s->revoked_at != 0) {
			snprintf(reason, rlen, "single %zu: a revocation time on a single that is not revoked", i);
			return 1;
		}
	}
	if (pos != len) {
		snprintf(reason, rlen, "%zu bytes after the last single", len - pos);
		return 1;
	}
	return 0;
}
