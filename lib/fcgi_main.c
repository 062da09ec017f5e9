/* fcgi_main.c: see fcgi_main.h. */
