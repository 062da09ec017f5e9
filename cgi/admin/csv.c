/* csv.c: CSV cells for the admin reports (RFC 4180 quoting, spreadsheet formula injection neutralised). */
#include "config.h"

#include <stdlib.h>
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
