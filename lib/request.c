/* request.c: see request.h. */
