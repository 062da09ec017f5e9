/* fuzz_mobileconfig.c: libFuzzer target for the .mobileconfig field rules (S/MIME and device) and plist writer (cgi/admin/mobileconfig.c): accepted input never changes the document's structure. */
/* fuzz-sources: cgi/admin/mobileconfig.c lib/buf.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgi/admin/mobileconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The number of '<' in a profile: its elements. Text that passed the rules
 * is escaped, so every profile has as many as the reference one. */
static size_t
tags(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '<';
	return n;
}

/* Writes a profile for cn/email into b; 0 or -1. */
static int
write_one(struct cm_buf *b, const char *cn, const char *email, const char *code)
{
	struct mobileconfig m = {
		.url = "http://localhost/customer/demo/scep/smime/pkiclient.exe",
		.ca_name = "Demo Issuing CA", .ca_sha1_b64 = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		.challenge = code, .cn = cn, .email = email,
		.customer_uri = "demo", .customer_name = "Demo & <Co>",
	};

	return mobileconfig_write(b, &m);
}

/* Input: NAME \0 EMAIL \0 CODE (missing parts are empty). */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static size_t ref_tags, ref_device_tags;
	struct cm_buf b;
	const char *cn, *email, *code;
	char *s, fname[64];
	size_t used;

	if (ref_tags == 0) {
		cm_buf_init(&b, 65536);
		if (write_one(&b, "a", "a@b.c", "x") < 0)
			abort();
		ref_tags = tags(b.data);
		cm_buf_free(&b);
		cm_buf_init(&b, 65536);
		if (write_one(&b, "a.b", NULL, "x") < 0)
			abort();
		ref_device_tags = tags(b.data);
		cm_buf_free(&b);
	}
	if ((s = malloc(size + 3)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = s[size + 1] = s[size + 2] = '\0';
	cn = s;
	used = strlen(cn) + 1;
	email = s + (used <= size ? used : size);
	used += strlen(email) + 1;
	code = s + (used <= size ? used : size);
	mobileconfig_file_name(email, fname, sizeof(fname));
	if (strlen(fname) == 0 || strspn(fname, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(fname))
		abort();
	/* The access code reaches the writer checked against its hash only;
	 * the writer must still escape whatever it is. */
	if (mobileconfig_cn_problem(cn) == NULL && mobileconfig_email_problem(email) == NULL &&
	    strlen(code) <= 64) {
		if (strlen(cn) > MOBILECONFIG_CN_MAX || strlen(email) > MOBILECONFIG_EMAIL_MAX)
			abort();
		for (const char *p = cn; *p; p++)
			if ((unsigned char)*p < 0x20)
				abort();
		cm_buf_init(&b, 65536);
		if (write_one(&b, cn, email, code) < 0 || tags(b.data) != ref_tags)
			abort();
		for (const char *p = strchr(b.data, '&'); p; p = strchr(p + 1, '&'))
			if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
			    strncmp(p, "&quot;", 6) && strncmp(p, "&apos;", 6))
				abort();
		cm_buf_free(&b);
	}
	/* A device's profile: its CN rule keeps the same promises, and the
	 * document without e-mail keeps its own structure. */
	if (mobileconfig_device_cn_problem(cn) == NULL && strlen(code) <= 64) {
		/* '&' is allowed (an e-mail local part may hold it); the writer
		 * must escape it like everything else. */
		if (strlen(cn) > MOBILECONFIG_CN_MAX || strchr(cn, '<'))
			abort();
		cm_buf_init(&b, 65536);
		if (write_one(&b, cn, NULL, code) < 0 || tags(b.data) != ref_device_tags)
			abort();
		for (const char *p = strchr(b.data, '&'); p; p = strchr(p + 1, '&'))
			if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
			    strncmp(p, "&quot;", 6) && strncmp(p, "&apos;", 6))
				abort();
		cm_buf_free(&b);
	}
	free(s);
	return 0;
}
