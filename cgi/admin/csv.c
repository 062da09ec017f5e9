/* csv.c: CSV for the admin reports and imports (RFC 4180 quoting, spreadsheet formula injection neutralised, upload checks). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"

/* 0 or -1; on failure b is truncated back to its length on entry. */
int
admin_csv_cell(struct cm_buf *b, const char *s)
{
	size_t start = b->len;

	if (s == NULL)
		s = "";
	if (cm_buf_putc(b, '"') < 0)
		return -1;
	if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL && cm_buf_putc(b, '\'') < 0)
		goto fail;
	for (const char *p = s; *p; p++) {
		if (*p == '"' && cm_buf_putc(b, '"') < 0)
			goto fail;
		if (cm_buf_putc(b, *p) < 0)
			goto fail;
	}
	if (cm_buf_putc(b, '"') < 0)
		goto fail;
	return 0;
fail:
	b->len = start;
	if (b->data)
		b->data[start] = '\0';
	return -1;
}

/* 0 or -1 (b truncated back to its length on entry). */
int
admin_csv_row(struct cm_buf *b, const char *const *cells, size_t n)
{
	size_t start = b->len;

	for (size_t i = 0; i < n; i++) {
		if ((i > 0 && cm_buf_putc(b, ',') < 0) || admin_csv_cell(b, cells[i]) < 0)
			goto fail;
	}
	if (cm_buf_puts(b, "\r\n") < 0)
		goto fail;
	return 0;
fail:
	b->len = start;
	if (b->data)
		b->data[start] = '\0';
	return -1;
}

void
admin_csv_free(char **f, size_t ncols, size_t nf)
{
	for (size_t k = 0; k < nf && k < ncols; k++) {
		free(f[k]);
		f[k] = NULL;
	}
}

int
admin_csv_record(const char *s, size_t len, size_t *pos, char **f, size_t ncols, size_t *nf)
{
	size_t i = *pos;

	*nf = 0;
	if (i >= len)
		return 0;
	for (;;) {
		struct cm_buf b;
		int bad = 0;

		cm_buf_init(&b, ADMIN_CSV_CELL_MAX + 1);
		if (i < len && s[i] == '"') {
			for (i++; ; i++) {
				if (i >= len) {
					bad = 1;
					break;
				}
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"') {
						i++;
					} else {
						i++;
						break;
					}
				}
				if (cm_buf_putc(&b, s[i]) < 0) {
					bad = 1;
					break;
				}
			}
		} else {
			for (; i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r'; i++)
				if (s[i] == '"' || cm_buf_putc(&b, s[i]) < 0) {
					bad = 1;
					break;
				}
		}
		if (!bad && i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
			bad = 1;
		if (!bad && b.len > ADMIN_CSV_CELL_MAX)
			bad = 1;
		if (bad) {
			cm_buf_free(&b);
			admin_csv_free(f, ncols, *nf);
			*nf = 0;
			return -1;
		}
		if (*nf < ncols)
			f[*nf] = cm_buf_steal(&b);
		cm_buf_free(&b);
		(*nf)++;
		if (i < len && s[i] == ',') {
			i++;
			continue;
		}
		if (i < len && s[i] == '\r')
			i++;
		if (i < len && s[i] == '\n')
			i++;
		*pos = i;
		return 1;
	}
}

const char *
admin_csv_unquote(const char *s)
{
	return s[0] == '\'' && s[1] && strchr("=+-@\t\r", s[1]) ? s + 1 : s;
}

/* "The file is larger than 1 MiB; ..." (in KiB when max is not whole MiB). */
static void
too_large(char *why, size_t whylen, size_t max)
{
	if (max % (1024 * 1024) == 0)
		snprintf(why, whylen, "The file is larger than %zu MiB; split it into several files.", max / (1024 * 1024));
	else
		snprintf(why, whylen, "The file is larger than %zu KiB; split it into several files.", max / 1024);
}

/* 0, or -1 with why (empty: a system error, errno set). */
int
admin_csv_file_read(const char *path, size_t size, size_t max, struct cm_buf *b,
    char *why, size_t whylen)
{
	char chunk[8192];
	FILE *fp;
	size_t n;
	int rc = 0;

	why[0] = '\0';
	if (size > max) {
		too_large(why, whylen, max);
		return -1;
	}
	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (b->len + n > max || cm_buf_append(b, chunk, n) < 0) {
			too_large(why, whylen, max);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		errno = EIO;
		rc = -1;
	}
	fclose(fp);
	return rc;
}

/* 0 (*pos past the header), or -1 with why. */
int
admin_csv_file_check(const char *s, size_t len, const char *const *header, size_t ncols,
    long max_rows, size_t *pos, char *why, size_t whylen)
{
	char *f[64] = { NULL };
	size_t p = 0, nf = 0, w = 0;
	long nrows = 0;
	int ok, r;

	why[0] = '\0';
	if (ncols == 0 || ncols > sizeof(f) / sizeof(f[0]))
		return -1;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		p = 3;          /* a spreadsheet's UTF-8 byte-order mark */
	if (len == 0 || memchr(s, '\0', len) != NULL) {
		snprintf(why, whylen, "The file is not a CSV text file.");
		return -1;
	}
	ok = admin_csv_record(s, len, &p, f, ncols, &nf) == 1 && nf == ncols;
	for (size_t k = 0; ok && k < ncols; k++)
		ok = strcasecmp(f[k], header[k]) == 0;
	admin_csv_free(f, ncols, nf);
	if (!ok) {
		int n = snprintf(why, whylen, "The first line must be the header ");

		w = n < 0 ? whylen : (size_t)n;
		for (size_t k = 0; k < ncols && w < whylen; k++) {
			n = snprintf(why + w, whylen - w, "%s%s", k ? "," : "", header[k]);
			w = n < 0 ? whylen : w + (size_t)n;
		}
		if (w < whylen)
			snprintf(why + w, whylen - w, ".");
		return -1;
	}
	*pos = p;
	while ((r = admin_csv_record(s, len, &p, f, ncols, &nf)) == 1) {
		admin_csv_free(f, ncols, nf);
		if (++nrows > max_rows)
			break;
	}
	if (r < 0) {
		snprintf(why, whylen, "The file is not valid CSV (a stray or unterminated quote, or a cell over %d characters).",
		    ADMIN_CSV_CELL_MAX);
		return -1;
	}
	if (nrows > max_rows) {
		if (max_rows >= 1000)   /* 10000 reads "10,000", as the form says */
			snprintf(why, whylen, "The file has more than %ld,%03ld rows; split it into several files.",
			    max_rows / 1000, max_rows % 1000);
		else
			snprintf(why, whylen, "The file has more than %ld rows; split it into several files.", max_rows);
		return -1;
	}
	return 0;
}
