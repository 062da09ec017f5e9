/* response.c: see response.h. */
