/* test_ocsp_store.c: unit tests for the pre-signed OCSP response store (lib/ocsp_store.c): format, atomic writes, checked reads, the watermark. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocsp_store.h"
#include "tap.h"

/* A DER SEQUENCE of n bytes in all (n >= 4). */
static void
fake_der(unsigned char *p, size_t n)
{
	memset(p, 0xab, n);
	p[0] = 0x30;
	if (n - 2 < 0x80) {
		p[1] = (unsigned char)(n - 2);
	} else {
		p[1] = 0x82;
		p[2] = (unsigned char)((n - 4) >> 8);
		p[3] = (unsigned char)((n - 4) & 0xff);
	}
}

static void
write_raw(int dirfd, const char *name, const void *p, size_t n)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, p, n) != (ssize_t)n)
		fprintf(stderr, "write_raw %s failed\n", name);
	if (fd >= 0)
		close(fd);
}

int
main(void)
{
	char dir[] = "/tmp/test_ocsp_store.XXXXXX";
	static unsigned char der[3000], buf[CM_OCSP_STORE_MAX + 1], file[CM_OCSP_STORE_MAX + 64];
	struct cm_ocsp_stored e;
	time_t wm = 0;
	int dfd;

	if (mkdtemp(dir) == NULL || (dfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0) {
		fprintf(stderr, "no temporary directory\n");
		return 1;
	}

	ok(cm_ocsp_store_name_ok("0a1b2c"), "hex name");
	ok(!cm_ocsp_store_name_ok(""), "empty name");
	ok(!cm_ocsp_store_name_ok("0A1B"), "upper case refused");
	ok(!cm_ocsp_store_name_ok("../x"), "path refused");
	ok(!cm_ocsp_store_name_ok(".state"), "dot file refused");
	ok(cm_ocsp_store_name_ok("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"), "64 digits");
	ok(!cm_ocsp_store_name_ok("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"), "65 digits refused");

	/* Round trip, short and long DER length forms. */
	fake_der(der, 100);
	is_int(cm_ocsp_store_put(dfd, "01ff", 1000, 2000, CM_OCSP_STORE_GOOD, der, 100), 0, "put");
	is_int(cm_ocsp_store_get(dfd, "01ff", buf, sizeof(buf), &e), 1, "get finds it");
	ok(e.this_update == 1000 && e.next_update == 2000 && e.status == CM_OCSP_STORE_GOOD, "times and status");
	ok(e.der_len == 100 && memcmp(e.der, der, 100) == 0, "DER back unchanged");
	fake_der(der, sizeof(der));
	is_int(cm_ocsp_store_put(dfd, "01ff", 1500, 2500, CM_OCSP_STORE_REVOKED, der, sizeof(der)), 0, "replace");
	is_int(cm_ocsp_store_peek(dfd, "01ff", &e), 1, "peek");
	ok(e.this_update == 1500 && e.next_update == 2500 && e.status == CM_OCSP_STORE_REVOKED && e.der == NULL,
	    "peek reads the new header only");
	is_int(cm_ocsp_store_get(dfd, "01ff", buf, sizeof(buf), &e), 1, "get the replacement");
	ok(e.der_len == sizeof(der), "long-form DER length");
	is_int(cm_ocsp_store_get(dfd, "01ff", buf, CM_OCSP_STORE_MAX, &e), -1, "a buffer of only the maximum is refused");

	/* Refused writes leave nothing behind. */
	errno = 0;
	is_int(cm_ocsp_store_put(dfd, "../evil", 1, 2, 0, der, 100), -1, "bad name refused");
	is_int(cm_ocsp_store_put(dfd, "02", 2000, 1000, 0, der, 100), -1, "next before this refused");
	is_int(cm_ocsp_store_put(dfd, "02", 1000, 2000, 2, der, 100), -1, "bad status refused");
	is_int(cm_ocsp_store_put(dfd, "02", 1000, 2000, 0, der, 99), -1, "DER not one sequence refused");
	is_int(cm_ocsp_store_get(dfd, "02", buf, sizeof(buf), &e), 0, "nothing written for refused puts");

	/* Missing and damaged files read as "none". */
	is_int(cm_ocsp_store_get(dfd, "abcd", buf, sizeof(buf), &e), 0, "missing file");
	is_int(cm_ocsp_store_peek(dfd, "abcd", &e), 0, "missing file (peek)");
	write_raw(dfd, "0b", "CMOCSP1\n", 8);
	is_int(cm_ocsp_store_get(dfd, "0b", buf, sizeof(buf), &e), 0, "short file");
	is_int(cm_ocsp_store_peek(dfd, "0b", &e), 0, "short file (peek)");
	fake_der(der, 100);
	is_int(cm_ocsp_store_put(dfd, "0c", 1000, 2000, 0, der, 100), 0, "put 0c");
	{
		int fd = openat(dfd, "0c", O_RDONLY);
		ssize_t n = read(fd, file, sizeof(file));
		close(fd);
		ok(n == CM_OCSP_STORE_HDR + 100, "file size is header + DER");
		file[0] = 'X';
		write_raw(dfd, "0d", file, (size_t)n);
		is_int(cm_ocsp_store_get(dfd, "0d", buf, sizeof(buf), &e), 0, "bad magic");
		file[0] = 'C';
		write_raw(dfd, "0e", file, (size_t)n - 1);
		is_int(cm_ocsp_store_get(dfd, "0e", buf, sizeof(buf), &e), 0, "truncated DER");
		file[30] = 1;
		write_raw(dfd, "0f", file, (size_t)n);
		is_int(cm_ocsp_store_get(dfd, "0f", buf, sizeof(buf), &e), 0, "padding not zero");
		file[30] = 0;
		file[24] = 5;
		write_raw(dfd, "10", file, (size_t)n);
		is_int(cm_ocsp_store_get(dfd, "10", buf, sizeof(buf), &e), 0, "unknown status");
		file[24] = 0;
		memset(file + n, 0, sizeof(file) - (size_t)n);
		write_raw(dfd, "11", file, sizeof(file));
		is_int(cm_ocsp_store_get(dfd, "11", buf, sizeof(buf), &e), 0, "oversized file");
	}
	ok(symlinkat("0c", dfd, "12") == 0, "symlink made");
	is_int(cm_ocsp_store_get(dfd, "12", buf, sizeof(buf), &e), 0, "a symlink is not followed");

	is_int(cm_ocsp_store_remove(dfd, "0c"), 0, "remove");
	is_int(cm_ocsp_store_remove(dfd, "0c"), 0, "remove again is fine");
	is_int(cm_ocsp_store_get(dfd, "0c", buf, sizeof(buf), &e), 0, "removed");
	is_int(cm_ocsp_store_sync(dfd), 0, "sync");

	/* The watermark. */
	is_int(cm_ocsp_store_state_read(dfd, &wm), 0, "no state yet");
	is_int(cm_ocsp_store_state_write(dfd, 1700000000), 0, "state written");
	is_int(cm_ocsp_store_state_read(dfd, &wm), 1, "state read");
	ok(wm == 1700000000, "watermark back");
	write_raw(dfd, ".state", "watermark 12x\n", 14);
	is_int(cm_ocsp_store_state_read(dfd, &wm), 0, "damaged state is none");
	write_raw(dfd, ".state", "watermark 12\nwatermark 13\n", 26);
	is_int(cm_ocsp_store_state_read(dfd, &wm), 0, "two lines are none");
	is_int(cm_ocsp_store_state_write(dfd, 0), -1, "a zero watermark is refused");

	/* No temporary files are left. */
	{
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "ls -a %s | grep -q '^\\.tmp'", dir);
		ok(system(cmd) != 0, "no temporary files left");
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup failed\n");
	}
	close(dfd);
	return tap_done();
}
