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

/* Longest cell admin_csv_record accepts. */
#define ADMIN_CSV_CELL_MAX 1000

/*
 * Reads one RFC 4180 record of s[0..len) starting at *pos (advanced past it)
 * into f[0..ncols) as malloc'ed strings; *nf gets the number of cells in the
 * record (cells past ncols are counted but not kept). 1 a record, 0 at the
 * end, -1 malformed (stray or unterminated quote, cell over
 * ADMIN_CSV_CELL_MAX); on -1 nothing is left allocated.
 */
int admin_csv_record(const char *s, size_t len, size_t *pos, char **f, size_t ncols, size_t *nf);
/* Frees the kept cells of a record read by admin_csv_record. */
void admin_csv_free(char **f, size_t ncols, size_t nf);

/* s without the quote admin_csv_cell puts before a formula-like first
 * character, so an exported cell imports as it was. */
const char *admin_csv_unquote(const char *s);

/*
 * Uploaded CSV files. admin_csv_file_read reads the file at path (an upload
 * of size bytes) into b, refusing one over max bytes. admin_csv_file_check
 * then checks the whole file before anything is written: text without NUL
 * bytes, a first record equal to header[0..ncols) (any case; a UTF-8
 * byte-order mark is skipped), every record well-formed, at most max_rows
 * records after the header; *pos gets the offset just past the header.
 * Both: 0, or -1 with why[] set to a message for the user, or why[0] = '\0'
 * for a system error (errno set; the caller logs it).
 */
int admin_csv_file_read(const char *path, size_t size, size_t max, struct cm_buf *b,
    char *why, size_t whylen);
int admin_csv_file_check(const char *s, size_t len, const char *const *header, size_t ncols,
    long max_rows, size_t *pos, char *why, size_t whylen);

#endif
