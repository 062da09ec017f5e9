/* fuzz_autoenroll.c: libFuzzer target for autoenroll.fcgi's intake: the url-encoded fields, the CSR in them, REMOTE_USER's principal and the serial. */
/* fuzz-sources: cgi/autoenroll/intake.c lib/form.c lib/x509util.c lib/buf.c lib/log.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgi/autoenroll/autoenroll.h"
#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_param *p = NULL;
	struct aed_fields f;
	struct aed_csr c;
	size_t n = 0;
	char err[160], why[256], user[257], realm[254], serial[33], *s;
	int code;

	if (size > AED_MAX_BODY)
		return 0;
	if (cm_form_parse((const char *)data, size, AED_MAX_BODY, 64, &p, &n, err, sizeof(err)) == 0) {
		code = aed_parse_fields(p, n, &f, why, sizeof(why));
		if (code == 0) {
			if (f.days < 1 || f.days > AED_DAYS_MAX || f.orgid < 0 ||
			    (f.serial[0] && strlen(f.serial) != 32))
				abort();
			if (f.csr != NULL) {
				code = aed_csr_intake(f.csr, f.csr_len, &c, why, sizeof(why));
				/* a CSR taken has a key digest and an e-mail; a refused one says why */
				if (code == 0 && (strlen(c.spki_sha256) != 64 || c.email[0] == '\0' || c.req == NULL))
					abort();
				if (code != 0 && (why[0] == '\0' || (code != AED_INVALID_CSR && code != AED_NO_EMAIL)))
					abort();
				aed_csr_free(&c);
			}
		} else if (code != AED_INVALID_STATUS && code != AED_ORGID_INVALID && code != AED_INVALID_SERIAL) {
			abort();
		}
	}
	cm_params_free(p, n);

	/* The same bytes as REMOTE_USER and as a serial. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (aed_parse_principal(s, user, sizeof(user), realm, sizeof(realm)) == 0 &&
	    (user[0] == '\0' || realm[0] == '\0' || strchr(user, '/') != NULL || strlen(user) + strlen(realm) + 1 > 256))
		abort();
	if (aed_parse_serial(s, serial) == 0 && strlen(serial) != 32)
		abort();
	free(s);
	return 0;
}
