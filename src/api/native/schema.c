/* schema.c - the OpenAPI 3 document of the native dialect, generated from
 * its route table: every route with its method, path parameters, body,
 * permission and security; request and response schemas from the entity
 * descriptions where a route serves a resource (best effort elsewhere). */
#include "config.h"
#include "api/dialects.h"
#include "api/native/native.h"
#include "json/json.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define REF(g, name) do { jw_obj(g); jw_kstr(g, "$ref", name); jw_obj_end(g); } while (0)

/* Is this route one of the generic handlers, whose ctx is a resource? */
static const struct resource *
route_resource(const struct route *rt)
{
	if (rt->ctx && (rt->fn == res_list || rt->fn == res_get || rt->fn == res_create ||
	    rt->fn == res_update || rt->fn == res_delete))
		return rt->ctx;
	return NULL;
}

/* An entity's component name: its label without spaces, "Permission category"
 * -> "PermissionCategory". */
static const char *
schema_name(struct request *req, const struct entity *e)
{
	char *out = arena_alloc(&req->arena, strlen(e->label) + 1), *o = out;
	int up = 1;

	for (const char *p = e->label; *p; p++) {
		if (!isalnum((unsigned char)*p)) {
			up = 1;
			continue;
		}
		*o++ = up ? (char)toupper((unsigned char)*p) : *p;
		up = 0;
	}
	*o = '\0';
	return out;
}

static const char *
schema_ref(struct request *req, const struct entity *e)
{
	return arena_printf(&req->arena, "#/components/schemas/%s", schema_name(req, e));
}

/* one field's schema; the caller has written its key */
static void
field_schema(yajl_gen g, const struct field *f)
{
	static const char *const type[] = {
		[FT_ID] = "integer", [FT_INT] = "integer", [FT_BOOL] = "boolean",
		[FT_STR] = "string", [FT_TEXT] = "string", [FT_EMAIL] = "string",
		[FT_ENUM] = "string", [FT_DECIMAL] = "number", [FT_DATETIME] = "string",
		[FT_DATE] = "string", [FT_JSON] = NULL, [FT_UUID] = "string",
	};
	static const char *const format[] = {
		[FT_ID] = "int64", [FT_EMAIL] = "email", [FT_DECIMAL] = "decimal",
		[FT_DATETIME] = "date-time", [FT_DATE] = "date", [FT_UUID] = "uuid",
	};

	jw_obj(g);
	if (type[f->type])
		jw_kstr(g, "type", type[f->type]);
	else
		jw_kstr(g, "description", "Any JSON object or array.");
	if (f->type < sizeof(format) / sizeof(format[0]) && format[f->type])
		jw_kstr(g, "format", format[f->type]);
	if (f->type == FT_DECIMAL)
		jw_kstr(g, "description", "Exact, 2 decimal places; \"400.00\" is accepted too.");
	if (f->type == FT_ENUM && f->choices) {
		jw_key(g, "enum");
		jw_arr(g);
		for (const char *const *c = f->choices; *c; c++)
			jw_str(g, *c);
		jw_arr_end(g);
	}
	if (f->maxlen && (f->type == FT_STR || f->type == FT_TEXT || f->type == FT_EMAIL))
		jw_kint(g, "maxLength", f->maxlen);
	if ((f->type == FT_INT || f->type == FT_ID) && f->min < f->max) {
		jw_kint(g, "minimum", f->min);
		jw_kint(g, "maximum", f->max);
	}
	if (f->flags & FF_NULLABLE)
		jw_kbool(g, "nullable", 1);
	if (f->flags & FF_READONLY)
		jw_kbool(g, "readOnly", 1);
	else if (f->flags & FF_HIDDEN)
		jw_kbool(g, "writeOnly", 1);
	jw_obj_end(g);
}

/* An entity as one object schema: readOnly fields are answered only,
 * writeOnly (hidden) ones only sent; required: what a create needs. */
static void
entity_schema(yajl_gen g, const struct entity *e)
{
	int nreq = 0;

	jw_obj(g);
	jw_kstr(g, "type", "object");
	jw_key(g, "properties");
	jw_obj(g);
	for (size_t i = 0; i < e->nfields; i++) {
		if (e->fields[i].flags & FF_INTERNAL)
			continue;
		jw_key(g, e->fields[i].name);
		field_schema(g, &e->fields[i]);
	}
	jw_obj_end(g);
	for (size_t i = 0; i < e->nfields; i++)
		if ((e->fields[i].flags & FF_REQUIRED) && !(e->fields[i].flags & FF_INTERNAL)) {
			if (nreq++ == 0) {
				jw_key(g, "required");
				jw_arr(g);
			}
			jw_str(g, e->fields[i].name);
		}
	if (nreq)
		jw_arr_end(g);
	if (e->flags & EF_READONLY)
		jw_kstr(g, "description", "Read only: no create, update or delete.");
	jw_obj_end(g);
}

/* "page_size" style parameter of a query */
static void
query_param(yajl_gen g, const char *name, const char *type, const char *desc)
{
	jw_obj(g);
	jw_kstr(g, "name", name);
	jw_kstr(g, "in", "query");
	jw_kbool(g, "required", 0);
	jw_kstr(g, "description", desc);
	jw_key(g, "schema");
	jw_obj(g);
	jw_kstr(g, "type", type);
	jw_obj_end(g);
	jw_obj_end(g);
}

/* a list's page, search, ordering and filters */
static void
list_params(struct request *req, yajl_gen g, const struct entity *e)
{
	struct buf search = { 0 }, sort = { 0 };

	query_param(g, "page", "integer", "Page number, from 1.");
	query_param(g, "page_size", "integer", "Rows a page, 1 to 100 (20 by default).");
	query_param(g, "limit", "integer", "page_size's alias; with offset, limit/offset paging.");
	query_param(g, "offset", "integer", "Rows to skip (with limit).");
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];

		if (f->flags & FF_SEARCH)
			buf_printf(&search, "%s%s", search.len ? ", " : "", f->name);
		if (f->flags & FF_SORT)
			buf_printf(&sort, "%s%s", sort.len ? ", " : "", f->name);
	}
	if (search.len)
		query_param(g, "search", "string", arena_printf(&req->arena,
		    "Words to find in: %s.", buf_cstr(&search)));
	if (sort.len)
		query_param(g, "ordering", "string", arena_printf(&req->arena,
		    "Comma-separated fields, - for descending: %s.", buf_cstr(&sort)));
	buf_free(&search);
	buf_free(&sort);
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];

		if (!(f->flags & FF_FILTER))
			continue;
		jw_obj(g);
		jw_kstr(g, "name", f->name);
		jw_kstr(g, "in", "query");
		jw_kbool(g, "required", 0);
		jw_kstr(g, "description", "Only rows with this value.");
		jw_key(g, "schema");
		field_schema(g, f);
		jw_obj_end(g);
	}
}

/* the {name} parameters of a pattern */
static void
path_params(yajl_gen g, const char *pattern, const struct resource *res)
{
	for (const char *p = strchr(pattern, '{'); p; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		char name[64];
		int is_id;

		if (end == NULL || (size_t)(end - p - 1) >= sizeof(name))
			break;
		snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
		is_id = strcmp(name, "id") == 0;
		jw_obj(g);
		jw_kstr(g, "name", name);
		jw_kstr(g, "in", "path");
		jw_kbool(g, "required", 1);
		if (is_id && res && (res->e->flags & EF_UUID))
			jw_kstr(g, "description", "The id, or the uuid.");
		else if (strcmp(name, "secret") == 0)
			jw_kstr(g, "description", "The tenant's callback secret (the URL is the "
			    "credential).");
		jw_key(g, "schema");
		jw_obj(g);
		jw_kstr(g, "type", is_id && !(res && (res->e->flags & EF_UUID)) ? "integer" : "string");
		jw_obj_end(g);
		jw_obj_end(g);
	}
}

/* the success answer: 001's envelope, data typed when the entity is known */
static void
ok_response(struct request *req, yajl_gen g, const struct route *rt,
    const struct resource *res)
{
	int list = rt->fn == res_list, created = rt->fn == res_create;

	jw_key(g, created ? "201" : "200");
	jw_obj(g);
	jw_kstr(g, "description", created ? "Created." : list ? "One page of rows." : "Success.");
	jw_key(g, "content");
	jw_obj(g);
	jw_key(g, "application/json");
	jw_obj(g);
	jw_key(g, "schema");
	jw_obj(g);
	jw_key(g, "allOf");
	jw_arr(g);
	REF(g, list ? "#/components/schemas/Page" : "#/components/schemas/Envelope");
	if (res && rt->fn != res_delete) {
		jw_obj(g);
		jw_key(g, "properties");
		jw_obj(g);
		jw_key(g, "data");
		if (list) {
			jw_obj(g);
			jw_kstr(g, "type", "array");
			jw_key(g, "items");
			REF(g, schema_ref(req, res->e));
			jw_obj_end(g);
		} else
			REF(g, schema_ref(req, res->e));
		jw_obj_end(g);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_obj_end(g);
	jw_obj_end(g);
	jw_obj_end(g);
	jw_obj_end(g);
}

static void
error_ref(yajl_gen g, const char *status)
{
	jw_key(g, status);
	REF(g, "#/components/responses/Error");
}

static void
operation(struct request *req, yajl_gen g, const struct route *rt)
{
	const struct resource *res = route_resource(rt);
	const char *tag = rt->pattern + (strncmp(rt->pattern, "/api/", 5) == 0 ? 5 : 1);
	char op[256], *o = op;
	int has_params = strchr(rt->pattern, '{') != NULL;

	/* operationId: get_api_customers_id */
	for (const char *p = rt->method; *p && o < op + sizeof(op) - 1; p++)
		*o++ = (char)tolower((unsigned char)*p);
	for (const char *p = rt->pattern; *p && o < op + sizeof(op) - 1; p++)
		if (isalnum((unsigned char)*p))
			*o++ = *p;
		else if (o[-1] != '_')
			*o++ = '_';
	while (o > op && o[-1] == '_')
		o--;
	*o = '\0';

	/* "get": the operationId starts with the method in lower case */
	jw_strn(g, op, strlen(rt->method));
	jw_obj(g);
	jw_kstr(g, "operationId", op);
	jw_key(g, "tags");
	jw_arr(g);
	jw_strn(g, tag, strcspn(tag, "/"));
	jw_arr_end(g);
	if (res == NULL)        /* hand-written: the route says what it is */
		jw_kstr(g, "summary", arena_printf(&req->arena, "%s %s", rt->method, rt->pattern));
	else {
		static const struct { handler_fn fn; const char *verb; } v[] = {
			{ res_list, "List" }, { res_get, "Get" }, { res_create, "Create" },
			{ res_update, "Update" }, { res_delete, "Delete" },
		};
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
			if (v[i].fn == rt->fn)
				jw_kstr(g, "summary", arena_printf(&req->arena, "%s %s%s", v[i].verb,
				    res->e->label, rt->fn == res_list ? " rows" :
				    rt->fn == res_update && !strcmp(rt->method, "PATCH") ?
				    " (only the fields given)" : ""));
	}
	jw_kstr(g, "description", rt->flags & R_PUBLIC ? "Public: no credential." :
	    rt->perm ? arena_printf(&req->arena, "Permission: `%s`.", rt->perm) :
	    "Any authenticated caller.");
	jw_key(g, "x-permission");
	jw_str(g, rt->perm);
	if (rt->flags & R_PUBLIC) {
		jw_key(g, "security");
		jw_arr(g);
		jw_arr_end(g);
	}

	jw_key(g, "parameters");
	jw_arr(g);
	path_params(g, rt->pattern, res);
	if (res && rt->fn == res_list)
		list_params(req, g, res->e);
	jw_arr_end(g);

	if (rt->flags & R_BODY) {
		jw_key(g, "requestBody");
		jw_obj(g);
		/* PATCH, and hand-written handlers, take what they take */
		jw_kbool(g, "required", res && (rt->fn == res_create || !strcmp(rt->method, "PUT")));
		jw_key(g, "content");
		jw_obj(g);
		jw_key(g, "application/json");
		jw_obj(g);
		jw_key(g, "schema");
		if (res)
			REF(g, schema_ref(req, res->e));
		else {
			jw_obj(g);
			jw_kstr(g, "type", "object");
			jw_obj_end(g);
		}
		jw_obj_end(g);
		jw_obj_end(g);
		jw_obj_end(g);
	}

	jw_key(g, "responses");
	jw_obj(g);
	ok_response(req, g, rt, res);
	if ((rt->flags & R_BODY) || (res && rt->fn == res_list))
		error_ref(g, "400");
	if (!(rt->flags & R_PUBLIC)) {
		error_ref(g, "401");
		error_ref(g, "403");
	}
	if (has_params)
		error_ref(g, "404");
	jw_obj_end(g);
	jw_obj_end(g);
}

/* components: the envelope, a page, the error, each entity served */
static void
components(struct request *req, yajl_gen g, const struct dialect *d)
{
	static const char envelope[] =
	    "{\"type\":\"object\",\"properties\":{\"success\":{\"type\":\"boolean\"},"
	    "\"message\":{\"type\":\"string\"},\"data\":{},"
	    "\"timestamp\":{\"type\":\"string\",\"format\":\"date-time\"}}}";
	static const char page[] =
	    "{\"allOf\":[{\"$ref\":\"#/components/schemas/Envelope\"},{\"type\":\"object\","
	    "\"properties\":{\"pagination\":{\"type\":\"object\",\"properties\":{"
	    "\"current_page\":{\"type\":\"integer\"},\"total_pages\":{\"type\":\"integer\"},"
	    "\"total_items\":{\"type\":\"integer\"},\"page_size\":{\"type\":\"integer\"},"
	    "\"has_next\":{\"type\":\"boolean\"},\"has_previous\":{\"type\":\"boolean\"},"
	    "\"next_page\":{\"type\":\"integer\",\"nullable\":true},"
	    "\"previous_page\":{\"type\":\"integer\",\"nullable\":true}}}}}]}";
	static const char error[] =
	    "{\"type\":\"object\",\"properties\":{\"success\":{\"type\":\"boolean\",\"enum\":[false]},"
	    "\"message\":{\"type\":\"string\"},\"data\":{\"nullable\":true},"
	    "\"timestamp\":{\"type\":\"string\",\"format\":\"date-time\"},"
	    "\"errors\":{\"type\":\"object\",\"description\":\"{\\\"field\\\": [\\\"message\\\"]}, "
	    "or {\\\"detail\\\": \\\"message\\\"}\",\"additionalProperties\":{}},"
	    "\"error_code\":{\"type\":\"string\",\"example\":\"VALIDATION_ERROR\"}}}";

	static const char schemes[] =
	    "{\"bearerAuth\":{\"type\":\"http\",\"scheme\":\"bearer\",\"bearerFormat\":\"JWT\","
	    "\"description\":\"The access token of POST /api/auth/login/.\"},"
	    "\"clientKey\":{\"type\":\"apiKey\",\"in\":\"header\",\"name\":\"X-Client-Key\","
	    "\"description\":\"An API client's key (/api/auth/api-clients/).\"}}";

	/* fixed parts, written as they are (yajl_gen_number copies its text) */
	jw_key(g, "components");
	jw_obj(g);
	jw_key(g, "securitySchemes");
	yajl_gen_number(g, schemes, sizeof(schemes) - 1);

	jw_key(g, "responses");
	jw_obj(g);
	jw_key(g, "Error");
	jw_obj(g);
	jw_kstr(g, "description", "An error in 001's shape; error_code names its kind.");
	jw_key(g, "content");
	jw_obj(g);
	jw_key(g, "application/json");
	jw_obj(g);
	jw_key(g, "schema");
	REF(g, "#/components/schemas/Error");
	jw_obj_end(g);
	jw_obj_end(g);
	jw_obj_end(g);
	jw_obj_end(g);

	jw_key(g, "schemas");
	jw_obj(g);
	jw_key(g, "Envelope");
	yajl_gen_number(g, envelope, sizeof(envelope) - 1);
	jw_key(g, "Page");
	yajl_gen_number(g, page, sizeof(page) - 1);
	jw_key(g, "Error");
	yajl_gen_number(g, error, sizeof(error) - 1);
	for (size_t i = 0; i < d->nroutes; i++) {
		const struct resource *res = route_resource(&d->routes[i]);
		int seen = 0;

		if (res == NULL)
			continue;
		for (size_t j = 0; j < i && !seen; j++) {
			const struct resource *r2 = route_resource(&d->routes[j]);

			seen = r2 && r2->e == res->e;
		}
		if (seen)
			continue;
		jw_key(g, schema_name(req, res->e));
		entity_schema(g, res->e);
	}
	jw_obj_end(g);
	jw_obj_end(g);
}

int
h_schema(struct request *req)
{
	const struct dialect *d = &dialect_native;
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	int rc;

	jw_obj(g);
	jw_kstr(g, "openapi", "3.0.3");
	jw_key(g, "info");
	jw_obj(g);
	jw_kstr(g, "title", "ispbill API");
	jw_kstr(g, "version", PACKAGE_VERSION);
	jw_kstr(g, "description", "The native API of ispbill (document 001's conventions), "
	    "generated from the route table that serves it. Every answer is in 001's envelope "
	    "{success, message, data, timestamp}; lists add pagination.");
	jw_obj_end(g);
	jw_key(g, "servers");
	jw_arr(g);
	jw_obj(g);
	jw_kstr(g, "url", "/");
	jw_obj_end(g);
	jw_arr_end(g);
	/* either credential */
	jw_key(g, "security");
	yajl_gen_number(g, "[{\"bearerAuth\":[]},{\"clientKey\":[]}]", 36);

	/* paths: the routes of one pattern together, in table order */
	jw_key(g, "paths");
	jw_obj(g);
	for (size_t i = 0; i < d->nroutes; i++) {
		int first = 1;

		for (size_t j = 0; j < i && first; j++)
			first = strcmp(d->routes[j].pattern, d->routes[i].pattern) != 0;
		if (!first)
			continue;
		jw_key(g, d->routes[i].pattern);
		jw_obj(g);
		for (size_t j = i; j < d->nroutes; j++)
			if (strcmp(d->routes[j].pattern, d->routes[i].pattern) == 0)
				operation(req, g, &d->routes[j]);
		jw_obj_end(g);
	}
	jw_obj_end(g);
	components(req, g, d);
	jw_obj_end(g);

	yajl_gen_get_buf(g, &buf, &len);
	rc = reply_raw(req, 200, arena_strndup(&req->arena, (const char *)buf, len));
	yajl_gen_free(g);
	return rc;
}
