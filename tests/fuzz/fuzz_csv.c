/* fuzz_csv.c: libFuzzer target for the CSV record reader and whole-file check behind the persons and administrators imports. */
/* fuzz-sources: cgi/admin/csv.c lib/buf.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgi/admin/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[6] = { NULL };
	size_t pos = 0, nf = 0, records = 0;
	int r;

	if (size > 256 * 1024)
		return 0;
	while ((r = admin_csv_record((const char *)data, size, &pos, f, 6, &nf)) == 1) {
		for (size_t k = 0; k < nf && k < 6; k++)
			if (f[k] == NULL || strlen(f[k]) > ADMIN_CSV_CELL_MAX)
				abort();
		admin_csv_free(f, 6, nf);
		/* Every record consumes at least one byte, so this always ends. */
		if (++records > size + 1)
			abort();
	}
	if (pos > size)
		abort();
	{
		/* The whole-file check the administrators import runs first. */
		static const char *const header[6] = {
			"principal", "name", "email", "role", "cert_types", "scope"
		};
		char why[256];
		size_t hpos = 0;

		if (admin_csv_file_check((const char *)data, size, header, 6, 50, &hpos, why, sizeof(why)) == 0 &&
		    (hpos > size || why[0] != '\0'))
			abort();
		if (strlen(why) >= sizeof(why))
			abort();
	}
	return 0;
}
