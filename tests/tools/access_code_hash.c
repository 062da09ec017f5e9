/* access_code_hash.c: tests/tools/access-code-hash KEYFILE: the stored form (keyed hash, hint) of the access code read on stdin, made by the code the portal uses, so a test stack can set a code whose plaintext it knows. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "access_code.h"

/* Prints "HASH HINT" for the code on stdin (one line). Exit 0, 1 on a bad
 * key file or code, 2 on usage. The code never reaches argv (ps shows
 * argv to every user). */
int
main(int argc, char **argv)
{
	unsigned char *key = NULL;
	size_t keylen = 0;
	char code[CM_ACCESS_CODE_MAX + 2], hash[CM_ACCESS_HASH_HEX + 1], hint[CM_ACCESS_HINT_LEN + 1], err[256];
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: access-code-hash KEYFILE < code\n");
		return 2;
	}
	if (cm_access_key_read(argv[1], &key, &keylen, err, sizeof(err)) < 0) {
		fprintf(stderr, "access-code-hash: %s\n", err);
		return 1;
	}
	if (fgets(code, sizeof(code), stdin) == NULL) {
		fprintf(stderr, "access-code-hash: no code on stdin\n");
		goto out;
	}
	code[strcspn(code, "\r\n")] = '\0';
	if (cm_access_code_hash(key, keylen, code, hash) < 0) {
		fprintf(stderr, "access-code-hash: the code is empty or longer than %d characters\n", CM_ACCESS_CODE_MAX);
		goto out;
	}
	cm_access_code_hint(code, hint);
	printf("%s %s\n", hash, hint);
	rc = 0;
out:
	memset(code, 0, sizeof(code));
	cm_access_key_free(key, keylen);
	return rc;
}
