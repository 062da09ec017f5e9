/* test_cert_state.c: every one of the 36 (from, to) pairs of the certificate lifecycle, allowed or refused. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "cert_state.h"

int
main(void)
{
	/* The five allowed transitions, by name; everything else is refused. */
	static const char *const ok_pairs[][2] = {
		{ "requested", "approved" },
		{ "requested", "declined" },
		{ "approved", "issued" },
		{ "issued", "revoked" },
		{ "issued", "expired" },
	};
	static const char *const all[] = {
		"requested", "approved", "issued", "declined", "revoked", "expired"
	};
	int allowed_count = 0;

	for (size_t i = 0; i < 6; i++) {
		for (size_t j = 0; j < 6; j++) {
			int want = 0, from = cert_state_parse(all[i]), to = cert_state_parse(all[j]);

			for (size_t k = 0; k < sizeof(ok_pairs) / sizeof(ok_pairs[0]); k++)
				if (strcmp(ok_pairs[k][0], all[i]) == 0 && strcmp(ok_pairs[k][1], all[j]) == 0)
					want = 1;
			allowed_count += cert_state_allowed(from, to);
			ok(cert_state_allowed(from, to) == want, "%s -> %s is %s", all[i], all[j],
			    want ? "allowed" : "refused");
			if (!want)
				ok(cert_state_refusal(from, to) != NULL && cert_state_refusal(from, to)[0] != '\0',
				    "%s -> %s has a refusal message", all[i], all[j]);
		}
	}
	ok(allowed_count == 5, "exactly five transitions are allowed");
	ok(cert_state_parse("hold") == -1, "an unknown state name is -1");
	ok(cert_state_parse(NULL) == -1, "NULL is -1");
	ok(cert_state_allowed(-1, CERT_APPROVED) == 0, "out-of-range from is refused");
	ok(cert_state_allowed(CERT_REQUESTED, CERT_STATE__MAX) == 0, "out-of-range to is refused");
	ok(strcmp(cert_state_name(CERT_REVOKED), "revoked") == 0, "names round-trip");
	ok(cert_state_name(CERT_STATE__MAX) == NULL, "no name out of range");
	return tap_done();
}
