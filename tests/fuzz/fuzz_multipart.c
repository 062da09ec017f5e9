/* fuzz_multipart.c: libFuzzer target for the streaming multipart parser, fed in fuzzer-chosen chunks. */
/* fuzz-sources: lib/multipart.c lib/request.c lib/form.c lib/buf.c lib/log.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "multipart.h"
#include "request.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char tmpdir[] = "/tmp/cm-fuzz-multipart-XXXXXX";

/* Every upload is unlinked per input, so the directory is empty at exit. */
static void
remove_tmpdir(void)
{
	rmdir(tmpdir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cm_log_init("fuzz", CM_LOG_ERR, 0);
	if (mkdtemp(tmpdir) == NULL)
		abort();
	atexit(remove_tmpdir);
	return 0;
}

/* Input: one byte of chunk size (1..256), then the body for boundary "XyZ". */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_request r;
	struct cm_limits lim;
	struct cm_multipart *m;
	char err[200];
	int rc = 0;

	if (size < 1)
		return 0;
	size_t chunk = (size_t)data[0] + 1;
	data++;
	size--;
	memset(&r, 0, sizeof(r));
	cm_limits_default(&lim);
	lim.max_field = 512;
	lim.max_file = 1024;
	lim.max_fields = 8;
	lim.max_files = 3;
	lim.max_body = 64 * 1024;
	lim.tmpdir = tmpdir;
	m = cm_multipart_new("XyZ", &r, &lim);
	if (m == NULL)
		abort();
	for (size_t pos = 0; pos < size && rc == 0; pos += chunk) {
		size_t n = size - pos < chunk ? size - pos : chunk;
		rc = cm_multipart_feed(m, (const char *)data + pos, n, err, sizeof(err));
	}
	if (rc == 0)
		rc = cm_multipart_finish(m, err, sizeof(err));
	if (rc != 0 && rc != 400 && rc != 413)
		abort();
	for (size_t i = 0; i < r.nform; i++)
		if (r.form[i].value_len > lim.max_field)
			abort();
	for (size_t i = 0; i < r.nfiles; i++)
		if (r.files[i].size > lim.max_file)
			abort();
	if (r.nform + r.nfiles > lim.max_fields || r.nfiles > lim.max_files)
		abort();
	cm_multipart_free(m);
	cm_request_free(&r);
	return 0;
}
