/* calls.c - the M-Pesa client's requests to Daraja: OAuth, STK push, STK
 * query and C2B URL registration, each one blocking HTTPS request bounded
 * by the config's timeouts. */
#include "config.h"
#include "lib/mpesa/mpesa_int.h"

#include <string.h>
#include <time.h>

#include "lib/mpesa/httpc.h"

#define PATH_OAUTH    "/oauth/v1/generate?grant_type=client_credentials"
#define PATH_STK_PUSH "/mpesa/stkpush/v1/processrequest"
#define PATH_STK_QUERY "/mpesa/stkpushquery/v1/query"
#define PATH_C2B_REGISTER "/mpesa/c2b/v1/registerurl"

/* One request to Daraja; MPESA_OK when an HTTP answer (any status) is in
 * rs, else the transport's error.  rs is initialised here. */
static int
call(const struct mpesa_config *cfg, const char *method, const char *path,
    const char *authorization, const struct buf *body, struct httpc_resp *rs,
    struct mpesa_error *err)
{
	struct buf url = BUF_INIT;
	struct httpc_req rq;
	enum httpc_result r;
	int rc;

	memset(&rq, 0, sizeof(rq));
	httpc_url(&url, cfg->base_url, MPESA_SANDBOX_URL, path);
	rq.method = method;
	rq.url = buf_cstr(&url);
	rq.authorization = authorization;
	if (body != NULL) {
		rq.body = body->data;
		rq.body_len = body->len;
	}
	rq.ca_file = cfg->ca_file;
	rq.connect_timeout_ms = cfg->connect_timeout_ms;
	rq.timeout_ms = cfg->timeout_ms;
	r = httpc_do(&rq, rs);
	switch (r) {
	case HTTPC_OK:
		rc = MPESA_OK;
		break;
	case HTTPC_EURL:
		rc = mp_fail(err, MPESA_EINVAL, "base_url", "%s: %s", buf_cstr(&url), rs->error);
		break;
	case HTTPC_ETIMEOUT:
		rc = mp_fail(err, MPESA_ETIMEOUT, NULL, "%s: %s", path, rs->error);
		break;
	case HTTPC_ETOOBIG:
		rc = mp_fail(err, MPESA_EHTTP, NULL, "%s: %s", path, rs->error);
		break;
	case HTTPC_ENOMEM:
		rc = mp_fail(err, MPESA_ENOMEM, NULL, "%s", rs->error);
		break;
	default:
		rc = mp_fail(err, MPESA_ENET, NULL, "%s: %s", path, rs->error);
		break;
	}
	if (rc != MPESA_OK && err != NULL)
		err->http_status = rs->status;
	buf_free(&url);
	return rc;
}

/* POST body to path with the caller's token; rs is initialised here. */
static int
post(const struct mpesa_config *cfg, const char *token, const char *path,
    const struct buf *body, struct httpc_resp *rs, struct mpesa_error *err)
{
	struct buf auth = BUF_INIT;
	int rc;

	buf_printf(&auth, "Bearer %s", token);
	rc = call(cfg, "POST", path, buf_cstr(&auth), body, rs, err);
	buf_free(&auth);
	return rc;
}

static int
token_ok(const char *token, struct mpesa_error *err)
{
	if (token == NULL || token[0] == '\0' || !mp_no_ctl(token))
		return mp_fail(err, MPESA_EINVAL, "token",
		    "must be a non-empty access token without control characters");
	return MPESA_OK;
}

int
mpesa_token_fetch(const struct mpesa_config *cfg, char token[MPESA_TOKEN_MAX],
    long *expires_in, struct mpesa_error *err)
{
	struct buf cred = BUF_INIT, auth = BUF_INIT;
	struct httpc_resp rs;
	int rc;

	token[0] = '\0';
	if (cfg->consumer_key == NULL || cfg->consumer_key[0] == '\0' ||
	    strchr(cfg->consumer_key, ':') != NULL)
		return mp_fail(err, MPESA_EINVAL, "consumer_key",
		    "must not be empty or hold ':'");
	if (cfg->consumer_secret == NULL || cfg->consumer_secret[0] == '\0')
		return mp_fail(err, MPESA_EINVAL, "consumer_secret", "must not be empty");
	buf_printf(&cred, "%s:%s", cfg->consumer_key, cfg->consumer_secret);
	buf_puts(&auth, "Basic ");
	httpc_base64(&auth, cred.data, cred.len);
	rc = call(cfg, "GET", PATH_OAUTH, buf_cstr(&auth), NULL, &rs, err);
	if (rc == MPESA_OK)
		rc = mpesa_token_parse(rs.status, rs.body.data, rs.body.len, token, expires_in,
		    err);
	httpc_resp_free(&rs);
	buf_free(&cred);
	buf_free(&auth);
	return rc;
}

int
mpesa_stk_push(const struct mpesa_config *cfg, const char *token,
    const struct mpesa_stk_req *req, struct mpesa_stk_resp *resp, struct mpesa_error *err)
{
	struct buf body = BUF_INIT;
	struct httpc_resp rs;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if ((rc = token_ok(token, err)) != MPESA_OK ||
	    (rc = mpesa_stk_body(cfg, req, time(NULL), &body, err)) != MPESA_OK)
		goto out;
	if ((rc = post(cfg, token, PATH_STK_PUSH, &body, &rs, err)) == MPESA_OK)
		rc = mpesa_stk_push_parse(rs.status, rs.body.data, rs.body.len, resp, err);
	httpc_resp_free(&rs);
out:
	buf_free(&body);
	return rc;
}

int
mpesa_stk_query(const struct mpesa_config *cfg, const char *token,
    const char *checkout_request_id, struct mpesa_stk_status *out, struct mpesa_error *err)
{
	struct buf body = BUF_INIT;
	struct httpc_resp rs;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = token_ok(token, err)) != MPESA_OK ||
	    (rc = mpesa_stk_query_body(cfg, checkout_request_id, time(NULL), &body, err))
	    != MPESA_OK)
		goto out;
	if ((rc = post(cfg, token, PATH_STK_QUERY, &body, &rs, err)) == MPESA_OK)
		rc = mpesa_stk_query_parse(rs.status, rs.body.data, rs.body.len, out, err);
	httpc_resp_free(&rs);
out:
	buf_free(&body);
	return rc;
}

int
mpesa_c2b_register(const struct mpesa_config *cfg, const char *token,
    const char *confirmation_url, const char *validation_url,
    enum mpesa_c2b_response_type response_type, struct mpesa_error *err)
{
	struct buf body = BUF_INIT;
	struct httpc_resp rs;
	int rc;

	if ((rc = token_ok(token, err)) != MPESA_OK ||
	    (rc = mpesa_c2b_register_body(cfg, confirmation_url, validation_url,
	    response_type, &body, err)) != MPESA_OK)
		goto out;
	if ((rc = post(cfg, token, PATH_C2B_REGISTER, &body, &rs, err)) == MPESA_OK)
		rc = mpesa_c2b_register_parse(rs.status, rs.body.data, rs.body.len, err);
	httpc_resp_free(&rs);
out:
	buf_free(&body);
	return rc;
}
