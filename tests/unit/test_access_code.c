/* test_access_code.c: unit tests for lib/access_code.c: the keyed hash, its constant-time check, generated codes, the key file. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access_code.h"
#include "tap.h"

/* Writes data to a new file of mode under dir; its path in out. */
static void
write_file(const char *dir, const char *name, const void *data, size_t n, mode_t mode, char *out, size_t outlen)
{
	FILE *f;

	snprintf(out, outlen, "%s/%s", dir, name);
	f = fopen(out, "w");
	if (f) {
		fwrite(data, 1, n, f);
		fclose(f);
	}
	chmod(out, mode);
}

int
main(void)
{
	unsigned char rfc_key[131], key[32], *k = NULL;
	char h[CM_ACCESS_HASH_HEX + 1], h2[CM_ACCESS_HASH_HEX + 1], code[CM_ACCESS_GEN_LEN + 1], hint[3];
	char dir[] = "/tmp/cm-test-access-code.XXXXXX", path[256], err[256], long_code[80];
	size_t kl = 0;
	int letters = 0, digits = 0, bad_chars = 0, differ = 0;

	/* RFC 4231 test case 6: a key longer than the block, 54 bytes of data. */
	memset(rfc_key, 0xaa, sizeof(rfc_key));
	ok(cm_access_code_hash(rfc_key, sizeof(rfc_key), "Test Using Larger Than Block-Size Key - Hash Key First", h) == 0,
	    "hash of RFC 4231 case 6");
	is_str(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", "... is HMAC-SHA256, lower-case hex");

	memset(key, 0x42, sizeof(key));
	ok(cm_access_code_hash(key, sizeof(key), "Zq7vK3mXp9Lw", h) == 0, "a code hashes");
	ok(strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64, "... to 64 hex digits");
	ok(strstr(h, "Zq7vK3mXp9Lw") == NULL, "... that do not contain the code");
	ok(cm_access_code_verify(key, sizeof(key), "Zq7vK3mXp9Lw", h) == 1, "the code verifies");
	ok(cm_access_code_verify(key, sizeof(key), "Zq7vK3mXp9Lx", h) == 0, "a code one character off does not");
	ok(cm_access_code_verify(key, sizeof(key), "zq7vK3mXp9Lw", h) == 0, "codes are case-sensitive");
	ok(cm_access_code_verify(key, sizeof(key), "Zq7vK3mXp9L", h) == 0, "a prefix does not verify");
	ok(cm_access_code_verify(key, sizeof(key), "", h) == 0, "the empty code does not verify");
	ok(cm_access_code_verify(key, sizeof(key), NULL, h) == 0, "no code does not verify");
	key[0] ^= 1;
	ok(cm_access_code_verify(key, sizeof(key), "Zq7vK3mXp9Lw", h) == 0, "under another key the code does not verify");
	key[0] ^= 1;

	/* Rotation: the old code stops verifying against the new hash. */
	ok(cm_access_code_hash(key, sizeof(key), "Hb4nR8wTq2Ys", h2) == 0 && strcmp(h, h2) != 0, "another code, another hash");
	ok(cm_access_code_verify(key, sizeof(key), "Zq7vK3mXp9Lw", h2) == 0, "after rotation the old code no longer verifies");
	ok(cm_access_code_verify(key, sizeof(key), "Hb4nR8wTq2Ys", h2) == 1, "... the new one does");

	/* The stored form is parsed strictly. */
	ok(cm_access_code_verify(key, sizeof(key), "Zq7vK3mXp9Lw", NULL) == 0, "no stored hash: no match");
	ok(cm_access_code_verify(key, sizeof(key), "Zq7vK3mXp9Lw", "") == 0, "an empty stored hash: no match");
	snprintf(h2, sizeof(h2), "%s", h);
	h2[63] = '\0';
	ok(cm_access_code_verify(key, sizeof(key), "Zq7vK3mXp9Lw", h2) == 0, "63 hex digits: no match");
	snprintf(h2, sizeof(h2), "%s", h);
	for (char *p = h2; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	ok(strcmp(h2, h) == 0 || cm_access_code_verify(key, sizeof(key), "Zq7vK3mXp9Lw", h2) == 0,
	    "upper-case hex is not the stored form");
	snprintf(long_code, sizeof(long_code), "%s0", h);
	ok(cm_access_code_verify(key, sizeof(key), "Zq7vK3mXp9Lw", long_code) == 0, "65 characters: no match");
	snprintf(h2, sizeof(h2), "%s", h);
	h2[10] = 'g';
	ok(cm_access_code_verify(key, sizeof(key), "Zq7vK3mXp9Lw", h2) == 0, "a non-hex digit: no match");

	/* Limits. */
	memset(long_code, 'a', 65);
	long_code[65] = '\0';
	ok(cm_access_code_hash(key, sizeof(key), long_code, h2) == -1, "a 65-character code is not hashed");
	long_code[64] = '\0';
	ok(cm_access_code_hash(key, sizeof(key), long_code, h2) == 0, "64 characters are");
	ok(cm_access_code_hash(key, sizeof(key), "", h2) == -1, "the empty code is not hashed");
	ok(cm_access_code_hash(key, 31, "Zq7vK3mXp9Lw", h2) == -1, "a key of 31 bytes is refused");
	ok(cm_access_code_hash(NULL, 0, "Zq7vK3mXp9Lw", h2) == -1, "no key is refused");
	ok(cm_access_code_verify(NULL, 0, "Zq7vK3mXp9Lw", h) == 0, "without a key nothing verifies");

	/* Generated codes. */
	ok(cm_access_code_generate(code, sizeof(code) - 1) == -1, "generate refuses a short buffer");
	for (int i = 0; i < 200; i++) {
		char prev[sizeof(code)];

		snprintf(prev, sizeof(prev), "%s", code);
		if (cm_access_code_generate(code, sizeof(code)) != 0) {
			bad_chars++;
			continue;
		}
		if (strlen(code) != CM_ACCESS_GEN_LEN || code[4] != '-' || code[9] != '-' || code[14] != '-')
			bad_chars++;
		letters = digits = 0;
		for (int j = 0; code[j]; j++) {
			if (j % 5 == 4)
				continue;
			if (strchr("abcdefghjkmnpqrstuvwxyz", code[j]))
				letters++;
			else if (strchr("23456789", code[j]))
				digits++;
			else
				bad_chars++;
		}
		if (letters == 0 || digits == 0)
			bad_chars++;
		differ += strcmp(prev, code) != 0;
	}
	ok(bad_chars == 0, "200 generated codes: xxxx-xxxx-xxxx-xxxx of unambiguous letters and digits, both present");
	ok(differ == 200, "... each different from the one before");

	cm_access_code_hint("Zq7vK3mXp9Lw", hint);
	is_str(hint, "Lw", "the hint is the last two characters");
	cm_access_code_hint("x", hint);
	is_str(hint, "x", "... or all of a shorter string");

	/* The key file. */
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return 1;
	}
	write_file(dir, "good", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", 65, 0640,
	    path, sizeof(path));
	ok(cm_access_key_read(path, &k, &kl, err, sizeof(err)) == 0, "a 0640 key file of 64 hex characters is read");
	ok(kl == 64 && k && memcmp(k, "0123456789abcdef", 16) == 0, "... its bytes without the newline are the key");
	cm_access_key_free(k, kl);
	write_file(dir, "world", "0123456789abcdef0123456789abcdef0123456789abcdef", 48, 0644, path, sizeof(path));
	ok(cm_access_key_read(path, &k, &kl, err, sizeof(err)) == -1 && k == NULL, "a world-readable key file is refused");
	ok(strstr(err, "others") != NULL, "... saying why");
	write_file(dir, "short", "0123456789abcdef0123456789abcde\n", 32, 0600, path, sizeof(path));
	ok(cm_access_key_read(path, &k, &kl, err, sizeof(err)) == -1, "31 bytes of key are refused");
	{
		char *big = malloc(CM_ACCESS_KEY_MAX + 1);

		memset(big, 'k', CM_ACCESS_KEY_MAX + 1);
		write_file(dir, "big", big, CM_ACCESS_KEY_MAX, 0600, path, sizeof(path));
		ok(cm_access_key_read(path, &k, &kl, err, sizeof(err)) == 0 && kl == CM_ACCESS_KEY_MAX,
		    "a key of the maximum size is read");
		cm_access_key_free(k, kl);
		write_file(dir, "big", big, CM_ACCESS_KEY_MAX + 1, 0600, path, sizeof(path));
		ok(cm_access_key_read(path, &k, &kl, err, sizeof(err)) == -1, "one byte more is refused");
		free(big);
	}
	snprintf(path, sizeof(path), "%s/missing", dir);
	ok(cm_access_key_read(path, &k, &kl, err, sizeof(err)) == -1, "a missing key file is refused");
	ok(cm_access_key_read(dir, &k, &kl, err, sizeof(err)) == -1, "a directory is refused");
	for (const char *n = "good\0world\0short\0big\0"; *n; n += strlen(n) + 1) {
		snprintf(path, sizeof(path), "%s/%s", dir, n);
		unlink(path);
	}
	rmdir(dir);
	cm_access_key_free(NULL, 0);
	return tap_done();
}
