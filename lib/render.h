/* render.h */
#ifndef CM_RENDER_H
#define CM_RENDER_H
#endif
