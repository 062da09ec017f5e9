/* csv.h: CSV cells for the admin reports, quoted and safe to open in a spreadsheet. */
#ifndef CM_ADMIN_CSV_H
#define CM_ADMIN_CSV_H

#include "buf.h"

/*
 * Appends s (NULL = empty) as one CSV cell, always in double quotes with
 * inner quotes doubled (RFC 4180). A cell that a spreadsheet would take for
 * a formula (first character = + - @, or a tab or carriage return) gets a
 * single quote in front, so opening the report never runs anything.
 * 0, or -1 when the buffer is full (b is left as it was).
 */
int admin_csv_cell(struct cm_buf *b, const char *s);

/* Appends the cells as one record ending in CRLF, separated by commas. 0 or -1. */
int admin_csv_row(struct cm_buf *b, const char *const *cells, size_t n);

#endif
