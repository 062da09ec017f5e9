/* form.c: see form.h. */
