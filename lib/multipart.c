/* multipart.c: see multipart.h. */
