/* session.c: see session.h. */
