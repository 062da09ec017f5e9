/* proto.h: the signerd wire protocol (one header for every message). */
#ifndef CM_PROTO_H
#define CM_PROTO_H
#endif
