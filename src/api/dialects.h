/* dialects.h - the five API dialects; nginx picks one per server{} with
 * fastcgi_param ISPBILL_DIALECT. */
#ifndef ISP_DIALECTS_H
#define ISP_DIALECTS_H

#include "http/request.h"

extern const struct dialect dialect_native;
extern const struct dialect dialect_bitwave;
extern const struct dialect dialect_netflow;
extern const struct dialect dialect_ktl;
extern const struct dialect dialect_mikrobill;

const struct dialect *dialect_find(const char *name);

#endif
