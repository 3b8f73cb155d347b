/* native.h - the native dialect's handlers, grouped by file. */
#ifndef ISP_NATIVE_H
#define ISP_NATIVE_H

#include "http/request.h"

/* native.c */
void native_write_field_errors(struct request *req);

/* health.c */
int h_health(struct request *req);
int h_health_detailed(struct request *req);
int h_health_ready(struct request *req);
int h_health_live(struct request *req);

/* auth.c */
int h_auth_login(struct request *req);
int h_auth_me(struct request *req);

#endif
