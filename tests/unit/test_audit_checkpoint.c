/* test_audit_checkpoint.c: unit tests for signed audit checkpoints: the signed bytes, the text line, Ed25519 sign/verify (lib/audit_checkpoint.c) and the signer's checkpoint file (signer/checkpoint.c). */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "tap.h"
#include "audit_checkpoint.h"
#include "checkpoint.h"
#include "vault.h"

#define H1 "4f2006dc87a982088a4bf61b1dab51eccb77d13d68442e9df11ab280040a5655"
#define H2 "aaaa06dc87a982088a4bf61b1dab51eccb77d13d68442e9df11ab280040a5655"

static char tmp[256];

static void
test_codec(void)
{
	struct cm_checkpoint cp, back;
	char tbs[256], line[CM_CHECKPOINT_LINE_MAX + 1];
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	memset(&cp, 0, sizeof(cp));
	cp.id = 1234;
	memcpy(cp.hash, H1, 65);
	cp.at = 1796301883;
	ok(cm_checkpoint_tbs(&cp, tbs, sizeof(tbs)) > 0, "signed bytes encode");
	is_str(tbs, "certmint-audit-checkpoint-v1\n1234\n" H1 "\n1796301883\n", "signed bytes are tagged and line-separated");
	ok(cm_checkpoint_tbs(&cp, tbs, 20) < 0, "too small a buffer is refused");

	ok(cm_checkpoint_sign(&cp, key) == 0, "Ed25519 signs");
	ok(cm_checkpoint_verify(&cp, key) == 1, "its signature verifies");
	ok(cm_checkpoint_verify(&cp, other) == 0, "not with another key");
	back = cp;
	back.id = 1233;
	ok(cm_checkpoint_verify(&back, key) == 0, "a changed id does not verify");
	back = cp;
	back.hash[0] = 'a';
	ok(cm_checkpoint_verify(&back, key) == 0, "a changed hash does not verify");
	back = cp;
	back.at++;
	ok(cm_checkpoint_verify(&back, key) == 0, "a changed time does not verify");
	back = cp;
	back.sig[10] ^= 1;
	ok(cm_checkpoint_verify(&back, key) == 0, "a changed signature does not verify");
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ok(cm_checkpoint_sign(&back, ec) < 0 && cm_checkpoint_verify(&cp, ec) == 0, "only Ed25519 keys are used");
	EVP_PKEY_free(ec);

	int n = cm_checkpoint_format(&cp, line, sizeof(line));
	ok(n > 0 && (size_t)n == strlen(line) && n < CM_CHECKPOINT_LINE_MAX, "line formats (%d bytes)", n);
	ok(strncmp(line, "1234 " H1 " 1796301883 ", 5 + 65 + 11) == 0, "line is ID HASH TIME SIG");
	ok(cm_checkpoint_parse(line, (size_t)n, &back) == 0, "line parses back");
	ok(back.id == cp.id && strcmp(back.hash, cp.hash) == 0 && back.at == cp.at &&
	    memcmp(back.sig, cp.sig, sizeof(cp.sig)) == 0, "round trip keeps every field");
	ok(cm_checkpoint_verify(&back, key) == 1, "and the parsed checkpoint verifies");

	/* Malformed lines. */
	char bad[CM_CHECKPOINT_LINE_MAX * 2];
	const char *sig = line + 5 + 65 + 11;
	static const char *const prefixes[] = {
		"0 " H1 " 1 ", "01 " H1 " 1 ", "-1 " H1 " 1 ", "1 " H2 "0 1 ", "1 " H1 " 01 ",
		"1 " H1 "  1 ", "1  " H1 " 1 ", "1 4F2006DC87A982088A4BF61B1DAB51ECCB77D13D68442E9DF11AB280040A5655 1 ",
		"1 " H1 " 1x ", "1 " H1 " 1234567890123 ", "1234567890123456789 " H1 " 1 ", "1 " H1 " ",
	};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		snprintf(bad, sizeof(bad), "%s%s", prefixes[i], sig);
		ok(cm_checkpoint_parse(bad, strlen(bad), &back) < 0, "refused: %.40s...", prefixes[i]);
	}
	snprintf(bad, sizeof(bad), "%s ", line);
	ok(cm_checkpoint_parse(bad, strlen(bad), &back) < 0, "a trailing space is refused");
	snprintf(bad, sizeof(bad), "%s 1", line);
	ok(cm_checkpoint_parse(bad, strlen(bad), &back) < 0, "a fifth word is refused");
	ok(cm_checkpoint_parse(line, (size_t)n - 2, &back) < 0, "a short signature is refused");
	memcpy(bad, line, (size_t)n + 1);
	bad[n - 1] = 'g';
	ok(cm_checkpoint_parse(bad, (size_t)n, &back) < 0, "a non-hex signature is refused");
	ok(cm_checkpoint_parse(line, 0, &back) < 0, "an empty line is refused");
	memset(bad, '1', sizeof(bad));
	ok(cm_checkpoint_parse(bad, CM_CHECKPOINT_LINE_MAX + 1, &back) < 0, "an over-long line is refused");
	ok(cm_checkpoint_hash_ok(H1, 64) && !cm_checkpoint_hash_ok(H1, 63), "hash check wants 64 hex digits");

	char when[32];
	cm_checkpoint_time(0, when);
	is_str(when, "1970-01-01 00:00:00 UTC", "time is shown in UTC");
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

static void
test_store(void)
{
	char vdir[300], keyf[300], path[400], err[512], reason[256];
	struct cm_vault v;
	struct cm_checkpoints c;
	struct cm_checkpoint cp, page[4];
	char *pub = NULL;
	size_t n = 0;
	int fd;

	snprintf(vdir, sizeof(vdir), "%s/vault", tmp);
	snprintf(keyf, sizeof(keyf), "%s/vault.key", tmp);
	snprintf(path, sizeof(path), "%s/audit-checkpoints", tmp);
	mkdir(vdir, 0700);
	fd = open(keyf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "correct horse battery staple\n", 29) != 29)
		perror("vault key");
	if (fd >= 0)
		close(fd);
	ok(cm_vault_open(&v, vdir, keyf, err, sizeof(err)) == 0, "vault opens");

	char p2[300];
	ok(cm_checkpoints_path("/var/lib/certmint/journal/issued.log", p2, sizeof(p2)) == 0 &&
	    strcmp(p2, "/var/lib/certmint/journal/audit-checkpoints") == 0, "the file sits next to the journal");

	if (!ok(cm_checkpoints_open(&c, path, &v, err, sizeof(err)) == 0, "an empty file opens"))
		printf("# %s\n", err);
	ok(c.key == NULL && !cm_vault_exists(&v, CM_CHECKPOINT_KEY_NAME), "no key before the first checkpoint");
	ok(cm_checkpoints_list(&c, 0, page, 4, &n, &pub, reason, sizeof(reason)) == 0 && n == 0 && pub == NULL,
	    "nothing listed, no key");
	is_int(cm_checkpoints_record(&c, 10, H1, 1000, &cp, reason, sizeof(reason)), 0, "first checkpoint recorded");
	ok(cm_vault_exists(&v, CM_CHECKPOINT_KEY_NAME), "the key was made in the vault on first use");
	ok(cp.id == 10 && cm_checkpoint_verify(&cp, c.key), "the checkpoint is signed");
	is_int(cm_checkpoints_record(&c, 9, H1, 1001, &cp, reason, sizeof(reason)), 1, "a lower row is refused");
	ok(strstr(reason, "below the latest signed checkpoint (row 10)") != NULL, "... saying so: %s", reason);
	is_int(cm_checkpoints_record(&c, 10, H2, 1001, &cp, reason, sizeof(reason)), 1, "the same row with another hash is refused");
	ok(strstr(reason, "rewritten") != NULL, "... as a rewrite: %s", reason);
	is_int(cm_checkpoints_record(&c, 10, H1, 1002, &cp, reason, sizeof(reason)), 0, "the same row and hash is answered");
	ok(cp.at == 1000, "... with the checkpoint already signed");
	is_int(cm_checkpoints_record(&c, 0, H1, 1002, &cp, reason, sizeof(reason)), 1, "row 0 is refused");
	is_int(cm_checkpoints_record(&c, 11, "abc", 1002, &cp, reason, sizeof(reason)), 1, "a bad hash is refused");
	for (int i = 20; i <= 60; i += 10)
		cm_checkpoints_record(&c, i, H2, 1000 + i, &cp, reason, sizeof(reason));
	ok(cm_checkpoints_list(&c, 0, page, 4, &n, &pub, reason, sizeof(reason)) == 0 && n == 4 &&
	    page[0].id == 10 && page[3].id == 40 && pub && strstr(pub, "BEGIN PUBLIC KEY"), "a page from the start, with the key");
	free(pub);
	ok(cm_checkpoints_list(&c, 40, page, 4, &n, &pub, reason, sizeof(reason)) == 0 && n == 2 &&
	    page[0].id == 50 && page[1].id == 60, "the next page after row 40");
	free(pub);
	ok(cm_checkpoints_list(&c, 35, page, 4, &n, &pub, reason, sizeof(reason)) == 0 && n == 3 &&
	    page[0].id == 40, "after a row between checkpoints");
	free(pub);
	cm_checkpoints_close(&c);

	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the file is 0600");
	/* A crash mid-write leaves half a line: cut on the next start. */
	fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, "70 abc", 6) != 6)
		perror("append");
	if (fd >= 0)
		close(fd);
	if (!ok(cm_checkpoints_open(&c, path, &v, err, sizeof(err)) == 0, "reopens after a torn last line"))
		printf("# %s\n", err);
	ok(c.n == 6 && c.all[5].id == 60 && c.key != NULL, "every checkpoint and the key are back");
	is_int(cm_checkpoints_record(&c, 59, H2, 2000, &cp, reason, sizeof(reason)), 1, "after a restart a lower row is still refused");
	is_int(cm_checkpoints_record(&c, 70, H1, 2000, &cp, reason, sizeof(reason)), 0, "and a higher one recorded");
	cm_checkpoints_close(&c);
	{
		char buf[4096];
		ssize_t got = -1;
		int lines = 0;
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			got = read(fd, buf, sizeof(buf) - 1);
			close(fd);
		}
		for (ssize_t i = 0; i < got; i++)
			lines += buf[i] == '\n';
		ok(got > 0 && buf[got - 1] == '\n' && lines == 7 && memmem(buf, (size_t)got, "70 abc", 6) == NULL,
		    "the torn bytes are gone (seven whole lines)");
	}

	/* Files the signer must not trust. */
	chmod(path, 0620);
	ok(cm_checkpoints_open(&c, path, &v, err, sizeof(err)) < 0 && strstr(err, "only it may write"),
	    "a group-writable file is refused: %s", err);
	chmod(path, 0600);
	fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, "junk line\n", 10) != 10)
		perror("append");
	if (fd >= 0)
		close(fd);
	ok(cm_checkpoints_open(&c, path, &v, err, sizeof(err)) < 0 && strstr(err, "not a checkpoint line"),
	    "a malformed line is refused: %s", err);
	unlink(path);
	snprintf(p2, sizeof(p2), "%s/vault/%s", tmp, CM_CHECKPOINT_KEY_NAME);
	ok(cm_checkpoints_open(&c, path, &v, err, sizeof(err)) == 0, "a fresh file opens with the old key");
	cm_checkpoints_record(&c, 5, H1, 3000, &cp, reason, sizeof(reason));
	cm_checkpoints_close(&c);
	unlink(p2);
	ok(cm_checkpoints_open(&c, path, &v, err, sizeof(err)) < 0 && strstr(err, "is not signed by"),
	    "checkpoints without their key are refused: %s", err);
	cm_vault_close(&v);
}

int
main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/cm-checkpoint-test.XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return 1;
	test_codec();
	test_store();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return tap_done();
}
