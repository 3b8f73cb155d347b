/* errors.h - the error codes every layer speaks; statuses and 001's names in one table. */
#ifndef ISP_ERRORS_H
#define ISP_ERRORS_H

enum err {
	ERR_NONE = 0,
	ERR_VALIDATION,             /* 400 VALIDATION_ERROR */
	ERR_PARSE,                  /* 400 PARSE_ERROR */
	ERR_UNAUTHORIZED,           /* 401 UNAUTHORIZED */
	ERR_FORBIDDEN,              /* 403 FORBIDDEN */
	ERR_NOT_FOUND,              /* 404 NOT_FOUND */
	ERR_METHOD_NOT_ALLOWED,     /* 405 METHOD_NOT_ALLOWED */
	ERR_NOT_ACCEPTABLE,         /* 406 NOT_ACCEPTABLE */
	ERR_CONFLICT,               /* 409 RESOURCE_CONFLICT */
	ERR_INTEGRITY,              /* 409 INTEGRITY_ERROR */
	ERR_PAYLOAD_TOO_LARGE,      /* 413 PAYLOAD_TOO_LARGE */
	ERR_UNSUPPORTED_MEDIA_TYPE, /* 415 UNSUPPORTED_MEDIA_TYPE */
	ERR_BUSINESS,               /* 422 BUSINESS_LOGIC_ERROR */
	ERR_THROTTLED,              /* 429 THROTTLED */
	ERR_RATE_LIMIT,             /* 429 RATE_LIMIT_EXCEEDED */
	ERR_INTERNAL,               /* 500 INTERNAL_ERROR */
	ERR_EXTERNAL,               /* 502 EXTERNAL_SERVICE_ERROR */
	ERR_UNAVAILABLE,            /* 503 SERVICE_UNAVAILABLE */
	ERR_EXTERNAL_TIMEOUT,       /* 504 EXTERNAL_SERVICE_ERROR: a router did not answer */
	ERR__COUNT
};

int         err_status(enum err e);
const char *err_code(enum err e);        /* "VALIDATION_ERROR" */
const char *err_default_message(enum err e);
const char *http_reason(int status);     /* "Not Found" */

#endif
