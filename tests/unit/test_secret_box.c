/* test_secret_box.c: unit tests for the secret box (lib/secret_box.c): round trip, wrong key, wrong aad, flipped bits, truncation, sizes. */
#include "config.h"

#include <string.h>

#include "secret_box.h"
#include "tap.h"

static const unsigned char key[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const unsigned char key2[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeF";
#define KL (sizeof(key) - 1)
#define AAD "ad_servers.bind_password:1"

int
main(void)
{
	unsigned char sealed[CM_SECRET_SEALED_MAX], sealed2[CM_SECRET_SEALED_MAX], out[CM_SECRET_MAX];
	unsigned char big[CM_SECRET_MAX + 1], copy[CM_SECRET_SEALED_MAX];
	const char *pw = "S3cret pass, with \"quotes\"";
	size_t sl = 0, sl2 = 0, ol = 0, n = strlen(pw);
	int all;

	ok(cm_secret_seal(key, KL, AAD, (const unsigned char *)pw, n, sealed, &sl) == 0, "seal");
	is_int(sl, 1 + 12 + n + 16, "sealed length is 1 + nonce + text + tag");
	is_int(sealed[0], 1, "version byte 0x01");
	ok(memmem(sealed, sl, pw, n) == NULL, "the plaintext does not appear in the sealed value");
	ok(cm_secret_open(key, KL, AAD, sealed, sl, out, &ol) == 0 && ol == n && memcmp(out, pw, n) == 0,
	    "round trip");
	ok(cm_secret_seal(key, KL, AAD, (const unsigned char *)pw, n, sealed2, &sl2) == 0 && sl2 == sl &&
	    memcmp(sealed, sealed2, sl) != 0, "two seals of one text differ (random nonce)");

	memset(out, 'x', sizeof(out));
	ok(cm_secret_open(key2, KL, AAD, sealed, sl, out, &ol) < 0 && ol == 0, "wrong key refused");
	ok(out[0] == 'x', "a refused open writes nothing");
	ok(cm_secret_open(key, KL - 1, AAD, sealed, sl, out, &ol) < 0, "shorter key refused");
	ok(cm_secret_open(key, KL, "ad_servers.bind_password:2", sealed, sl, out, &ol) < 0,
	    "wrong aad (another customer) refused");
	ok(cm_secret_open(key, KL, "", sealed, sl, out, &ol) < 0, "empty aad refused");

	all = 1;
	for (size_t i = 0; i < sl; i++)
		for (int b = 0; b < 8; b++) {
			memcpy(copy, sealed, sl);
			copy[i] ^= (unsigned char)(1u << b);
			if (cm_secret_open(key, KL, AAD, copy, sl, out, &ol) == 0)
				all = 0;
		}
	ok(all, "every flipped bit is refused (%zu bytes x 8)", sl);

	all = 1;
	for (size_t l = 0; l < sl; l++)
		if (cm_secret_open(key, KL, AAD, sealed, l, out, &ol) == 0)
			all = 0;
	ok(all, "every truncation is refused");
	memcpy(copy, sealed, sl);
	copy[sl] = 0;
	ok(cm_secret_open(key, KL, AAD, copy, sl + 1, out, &ol) < 0, "an appended byte is refused");
	ok(cm_secret_open(key, KL, AAD, sealed, CM_SECRET_SEALED_MAX + 1, out, &ol) < 0,
	    "a value longer than CM_SECRET_SEALED_MAX is refused before anything");

	memset(big, 'p', sizeof(big));
	ok(cm_secret_seal(key, KL, AAD, big, CM_SECRET_MAX, sealed, &sl) == 0 && sl == CM_SECRET_SEALED_MAX,
	    "CM_SECRET_MAX bytes seal to CM_SECRET_SEALED_MAX");
	ok(cm_secret_open(key, KL, AAD, sealed, sl, out, &ol) == 0 && ol == CM_SECRET_MAX &&
	    memcmp(out, big, CM_SECRET_MAX) == 0, "and open again");
	ok(cm_secret_seal(key, KL, AAD, big, CM_SECRET_MAX + 1, sealed, &sl) < 0 && sl == 0,
	    "a text longer than CM_SECRET_MAX is refused");
	ok(cm_secret_seal(key, KL, AAD, (const unsigned char *)"", 0, sealed, &sl) == 0 && sl == 29 &&
	    cm_secret_open(key, KL, AAD, sealed, sl, out, &ol) == 0 && ol == 0, "empty text round trip");
	ok(cm_secret_seal(NULL, 0, AAD, (const unsigned char *)pw, n, sealed, &sl) < 0, "no key: seal refused");
	ok(cm_secret_seal(key, KL, NULL, (const unsigned char *)pw, n, sealed, &sl) < 0, "no aad: seal refused");
	sealed[0] = 2;
	ok(cm_secret_open(key, KL, AAD, sealed, 29, out, &ol) < 0, "unknown version refused");
	return tap_done();
}
