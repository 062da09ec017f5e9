/* fuzz_scep_msg.c: libFuzzer target for the SCEP message layer: the pkiMessage intake and every decrypted-content parser, each run on the same bytes. */
/* fuzz-sources: lib/scep_msg.c lib/scep_content.c lib/scep_ca.c lib/buf.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "scep_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether s is 1..CM_SCEP_MAX_TRANSACTION_ID printable ASCII characters. */
static int
printable_tid(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > CM_SCEP_MAX_TRANSACTION_ID)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_scep_request r;
	struct cm_scep_csr csr;
	X509_NAME *a = NULL, *b = NULL;
	ASN1_INTEGER *serial = NULL;
	struct cm_buf out;
	const unsigned char *certs[1] = { data };
	size_t lens[1] = { size };
	char err[256];
	int fi = -7;

	/* The seeds are whole messages, CSRs and names: every parser reads
	 * every input, so no seed needs a selector byte. */
	err[0] = '\0';
	if (cm_scep_parse(data, size, &r, &fi, err, sizeof err) == 0) {
		if (r.envelope == NULL || r.envelope_len == 0 || r.signer_cert == NULL
		    || !printable_tid(r.transaction_id) || !r.has_sender_nonce
		    || r.digest[0] == '\0')
			__builtin_trap();   /* success promises all of these */
	} else if (err[0] == '\0' || (fi != CM_SCEP_BAD_ALG && fi != CM_SCEP_BAD_MESSAGE_CHECK
	    && fi != CM_SCEP_BAD_REQUEST)) {
		__builtin_trap();           /* failure must say why and give a failInfo */
	} else if (r.transaction_id[0] != '\0' && !printable_tid(r.transaction_id)) {
		__builtin_trap();           /* what a FAILURE reply echoes is printable */
	}
	cm_scep_request_free(&r);

	if (cm_scep_parse_csr(data, size, &csr, err, sizeof err) == 0) {
		if (csr.req == NULL || strlen(csr.challenge) >= sizeof csr.challenge)
			__builtin_trap();
	} else if (csr.req != NULL) {
		__builtin_trap();           /* failure leaves nothing to free */
	}
	cm_scep_csr_free(&csr);

	if (cm_scep_parse_issuer_and_subject(data, size, &a, &b, err, sizeof err) == 0) {
		if (a == NULL || b == NULL)
			__builtin_trap();
	} else if (a != NULL || b != NULL) {
		__builtin_trap();
	}
	X509_NAME_free(a);
	X509_NAME_free(b);
	a = NULL;
	if (cm_scep_parse_issuer_and_serial(data, size, &a, &serial, err, sizeof err) == 0) {
		if (a == NULL || serial == NULL)
			__builtin_trap();
	} else if (a != NULL || serial != NULL) {
		__builtin_trap();
	}
	X509_NAME_free(a);
	ASN1_INTEGER_free(serial);

	cm_buf_init(&out, 0);
	(void)cm_scep_ca_certs(certs, lens, 1, &out, err, sizeof err);
	cm_buf_free(&out);
	return 0;
}
