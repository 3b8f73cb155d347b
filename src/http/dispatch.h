/* dispatch.h - from a FastCGI request to a reply: route, limits, body, auth,
 * permission, handler, envelope, one log line. */
#ifndef ISP_DISPATCH_H
#define ISP_DISPATCH_H

#include <fcgiapp.h>

#include "http/request.h"

/* What the worker publishes about the request it is serving, so that the
 * master can say which route was running when a worker died. */
struct worker_slot {
	volatile int pid;
	volatile int busy;
	char method[8];
	char path[120];
	char request_id[40];
};

/* Serve one accepted request and write the reply into its output stream.
 * slot may be NULL. */
void dispatch_fcgi(struct request *req, FCGX_Request *fr, struct worker_slot *slot);

/* The request id: the client's X-Request-ID when it is short and plain,
 * else 16 random hex digits. */
const char *request_id_make(struct request *req);

#endif
