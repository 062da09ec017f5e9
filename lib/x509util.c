/* x509util.c: see x509util.h. */
