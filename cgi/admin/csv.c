/* csv.c: CSV cells for the admin reports (RFC 4180 quoting, spreadsheet formula injection neutralised). */
#include "config.h"

#include <string.h>

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
