/* issuance.h */
#ifndef CM_ISSUANCE_H
#define CM_ISSUANCE_H
#endif
