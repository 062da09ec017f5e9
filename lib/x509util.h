/* x509util.h */
#ifndef CM_X509UTIL_H
#define CM_X509UTIL_H
#endif
