/* fuzz_journal.c: libFuzzer target for the signer-journal reader behind certmint journal check (lib/journal_read.c): a whole journal file, line by line. */
/* fuzz-sources: lib/journal_read.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_journal_reader rd;
	struct cm_journal_entry e;
	char err[256];
	unsigned long records = 0;
	FILE *f;
	int r;

	if (size == 0 || size > 1024 * 1024)
		return 0;
	if ((f = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	memset(&e, 0, sizeof(e));
	if (cm_journal_reader_init(&rd, f, err, sizeof(err)) < 0) {
		fclose(f);
		return 0;
	}
	while ((r = cm_journal_next(&rd, &e, err, sizeof(err))) != 0 && r != -2 && r != -3) {
		if (r == 1) {
			/* What the reader promises of every record it returns. */
			if (e.der == NULL || e.der_len == 0 || e.der_len > CM_JOURNAL_DER_MAX ||
			    strlen(e.serial_hex) == 0 || strlen(e.profile) == 0 ||
			    strlen(e.subject) > CM_JOURNAL_SUBJECT_MAX)
				abort();
			records++;
		}
		/* Every line consumes at least its newline. */
		if (rd.lineno > size)
			abort();
	}
	(void)records;
	cm_journal_entry_free(&e);
	cm_journal_reader_free(&rd);
	fclose(f);
	return 0;
}
