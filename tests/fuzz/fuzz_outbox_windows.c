/* fuzz_outbox_windows.c: libFuzzer target for the expiry-window parser and the address check of the outbox (lib/outbox_rules.c). */
/* fuzz-sources: lib/outbox_rules.c */
/* fuzz-libs: */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/outbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Any text either parses into sorted, distinct, in-range windows whose
 * canonical form parses to the same, or is refused with a message. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int days[CM_OUTBOX_WINDOWS_MAX], again[CM_OUTBOX_WINDOWS_MAX], n, m;
	char err[256], text[CM_OUTBOX_WINDOWS_TEXT_MAX * 2], *s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)cm_outbox_address_ok(s);
	err[0] = '\0';
	n = cm_outbox_parse_windows(s, days, CM_OUTBOX_WINDOWS_MAX, err, sizeof(err));
	if (n < 0) {
		if (err[0] == '\0')
			abort();
	} else {
		for (int i = 0; i < n; i++)
			if (days[i] < 1 || days[i] > CM_OUTBOX_WINDOW_DAYS_MAX || (i > 0 && days[i] >= days[i - 1]))
				abort();
		if (cm_outbox_format_windows(days, n, text, sizeof(text)) < 0)
			abort();
		m = cm_outbox_parse_windows(text, again, CM_OUTBOX_WINDOWS_MAX, err, sizeof(err));
		if (m != n || memcmp(days, again, (size_t)n * sizeof(int)) != 0)
			abort();
	}
	free(s);
	return 0;
}
