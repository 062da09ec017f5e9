/* render.c: see render.h. */
