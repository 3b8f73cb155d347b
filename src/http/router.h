/* router.h - match a method and path against a dialect's route table. */
#ifndef ISP_ROUTER_H
#define ISP_ROUTER_H

#include "http/request.h"

enum match { MATCH_OK, MATCH_NO_METHOD, MATCH_NONE };

/* On MATCH_OK, *out is the route and the path parameters are stored in req
 * (values are arena copies).  On MATCH_NO_METHOD, allow receives the
 * methods the path does answer ("GET, HEAD, OPTIONS").  A trailing slash is
 * optional on both sides; HEAD matches GET routes. */
enum match router_match(struct request *req, const struct route *routes, size_t n,
    const char *method, const char *path, const struct route **out,
    char *allow, size_t allowlen);

#endif
