/* audit.c: see audit.h. */
