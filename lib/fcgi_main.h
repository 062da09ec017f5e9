/* fcgi_main.h */
#ifndef CM_FCGI_MAIN_H
#define CM_FCGI_MAIN_H
#endif
