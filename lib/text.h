/* text.h: what free text typed into a form or a CSV cell may contain before it is stored. */
#ifndef CM_TEXT_H
#define CM_TEXT_H

#include <stddef.h>

/*
 * 1 when s is well-formed UTF-8 (RFC 3629: no overlong forms, no UTF-16
 * surrogates, nothing above U+10FFFF) with no control character (C0, DEL,
 * C1), else 0. MariaDB's utf8mb4 columns refuse what this refuses, so a
 * form checks it first and answers with a message instead of a database
 * error.
 */
int cm_text_clean(const char *s);

/* The characters (code points) of s, which cm_text_clean accepted: what a
 * VARCHAR(n) column counts. */
size_t cm_text_chars(const char *s);

#endif
