/* fuzz_ad_ca.c: libFuzzer target for the AD server CA intake (ad_server_ca_parse and ad_server_ca_count on arbitrary bytes). */
/* fuzz-sources: cgi/admin/ad_server_ca.c lib/buf.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgi/admin/ad_server_ca.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ad_ca_cert certs[AD_CA_MAX_CERTS];
	struct cm_buf out, again;
	char why[300];
	size_t n = 0, m = 0;

	cm_buf_init(&out, AD_CA_MAX_BYTES);
	cm_buf_init(&again, AD_CA_MAX_BYTES);
	if (ad_server_ca_parse((const char *)data, size, &out, certs, &n, why, sizeof(why)) < 0) {
		if (why[0] == '\0' || out.len != 0)
			__builtin_trap();   /* a refusal says why and keeps nothing */
	} else {
		/* what is stored parses again to the same certificates */
		if (n == 0 || n > AD_CA_MAX_CERTS || ad_server_ca_count(out.data) != n ||
		    ad_server_ca_parse(out.data, out.len, &again, NULL, &m, why, sizeof(why)) < 0 || m != n ||
		    again.len != out.len || memcmp(again.data, out.data, out.len) != 0)
			__builtin_trap();
	}
	cm_buf_free(&out);
	cm_buf_free(&again);
	return 0;
}
