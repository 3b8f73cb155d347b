/* errors.c - the error codes every layer speaks; statuses and 001's names in one table. */
#include "config.h"
#include "http/errors.h"

static const struct {
	int status;
	const char *code;
	const char *message;
} table[ERR__COUNT] = {
	[ERR_NONE]                   = { 200, "", "OK" },
	[ERR_VALIDATION]             = { 400, "VALIDATION_ERROR", "Invalid input." },
	[ERR_PARSE]                  = { 400, "PARSE_ERROR", "Malformed request body." },
	[ERR_UNAUTHORIZED]           = { 401, "UNAUTHORIZED", "Authentication credentials were not provided." },
	[ERR_FORBIDDEN]              = { 403, "FORBIDDEN", "You do not have permission to perform this action." },
	[ERR_NOT_FOUND]              = { 404, "NOT_FOUND", "Not found." },
	[ERR_METHOD_NOT_ALLOWED]     = { 405, "METHOD_NOT_ALLOWED", "Method not allowed." },
	[ERR_NOT_ACCEPTABLE]         = { 406, "NOT_ACCEPTABLE", "Could not satisfy the request Accept header." },
	[ERR_CONFLICT]               = { 409, "RESOURCE_CONFLICT", "Resource conflict." },
	[ERR_INTEGRITY]              = { 409, "INTEGRITY_ERROR", "Database constraint violation." },
	[ERR_PAYLOAD_TOO_LARGE]      = { 413, "PAYLOAD_TOO_LARGE", "Request body too large." },
	[ERR_UNSUPPORTED_MEDIA_TYPE] = { 415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type." },
	[ERR_BUSINESS]               = { 422, "BUSINESS_LOGIC_ERROR", "Business rule violation." },
	[ERR_THROTTLED]              = { 429, "THROTTLED", "Request was throttled." },
	[ERR_RATE_LIMIT]             = { 429, "RATE_LIMIT_EXCEEDED", "Rate limit exceeded." },
	[ERR_INTERNAL]               = { 500, "INTERNAL_ERROR", "Internal server error." },
	[ERR_EXTERNAL]               = { 502, "EXTERNAL_SERVICE_ERROR", "External service failure." },
	[ERR_UNAVAILABLE]            = { 503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable." },
	[ERR_EXTERNAL_TIMEOUT]       = { 504, "EXTERNAL_SERVICE_ERROR", "The external service did not answer in time." },
};

int
err_status(enum err e)
{
	return (e > ERR_NONE && e < ERR__COUNT) ? table[e].status : 500;
}

const char *
err_code(enum err e)
{
	return (e > ERR_NONE && e < ERR__COUNT) ? table[e].code : "INTERNAL_ERROR";
}

const char *
err_default_message(enum err e)
{
	return (e >= ERR_NONE && e < ERR__COUNT) ? table[e].message : "Internal server error.";
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default:  return "Unknown";
	}
}
