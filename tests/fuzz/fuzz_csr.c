/* fuzz_csr.c: libFuzzer target for CSR intake (cm_csr_load + cm_csr_describe on arbitrary bytes). */
/* fuzz-sources: lib/x509util.c lib/buf.c lib/log.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "x509util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	X509_REQ *req = NULL;
	struct cm_csr_info ci;
	struct cm_buf der;
	char err[256];

	if (cm_csr_load(data, size, &req, err, sizeof(err)) < 0) {
		if (req != NULL || err[0] == '\0')
			__builtin_trap();   /* failure must leave no object and say why */
		return 0;
	}
	if (cm_csr_describe(req, &ci) == 0) {
		char *j = cm_strlist_join(&ci.sans, ", ");

		free(j);
		cm_csr_info_free(&ci);
	}
	cm_buf_init(&der, 0);
	(void)cm_csr_der(req, &der);
	cm_buf_free(&der);
	X509_REQ_free(req);
	return 0;
}
