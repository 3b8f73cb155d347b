/* reports.c - bitwave's M-Pesa transaction list and summary and its
 * dashboard overview: core/mpesa_report's figures in 000's bare shapes,
 * times as FastAPI prints them. */
#include "config.h"
#include "api/bitwave/bitwave.h"
#include "api/native/native.h"
#include "api/resource.h"
#include "core/core.h"
#include "core/mpesa_report.h"
#include "json/json.h"
#include "util/timeutil.h"

#include <limits.h>
#include <string.h>

#define TX_DEFAULT 500          /* transactions of a list unless ?limit= */
#define TX_MAX     1000

/* scope and filters (status: the list's); 0, or -1 with the reply sent */
static int
read_filters(struct request *req, int with_status, struct stats_scope *sc,
    struct mpesa_report_filter *f)
{
	long long router = 0;

	if (req_query_int(req, "router_id", 0, 1, LLONG_MAX, &router) == 0)
		mpesa_report_filter(router, with_status ? req_query(req, "status") : NULL,
		    req_query(req, "start_date"), req_query(req, "end_date"), f, &req->errs);
	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, NULL), -1;
	return bw_scope(req, sc);
}

/* money as 000 writes it: a float of the exact amount */
static void
bw_money(yajl_gen g, const char *key, const char *decimal)
{
	jw_kmoney(g, key, stats_cents(decimal));
}

static const struct mpesa_tx_format bw_tx = { bw_money, bw_price, bw_time };

int
bw_transactions(struct request *req)
{
	struct stats_scope sc;
	struct mpesa_report_filter f;
	struct mpesa_report_tx *rows;
	long long skip, limit, total;
	yajl_gen g;
	int rc, n;

	if (read_filters(req, 1, &sc, &f) < 0 || bw_window(req, TX_DEFAULT, TX_MAX, &skip, &limit) < 0)
		return -1;
	rc = mpesa_tx_list(req->db, &req->arena, &sc, &f, limit, skip, &rows, &n, &total);
	if (rc != CORE_OK)
		return reply_core(req, rc, "M-Pesa transactions");
	req_add_header(req, "X-Total-Count", arena_printf(&req->arena, "%lld", total));
	g = reply_begin(req, 200, NULL);
	jw_arr(g);
	for (int i = 0; i < n; i++)
		mpesa_write_tx(g, &rows[i], &bw_tx);
	jw_arr_end(g);
	return reply_end(req, NULL);
}

int
bw_transactions_summary(struct request *req)
{
	struct stats_scope sc;
	struct mpesa_report_filter f;
	struct mpesa_report_summary s;
	int rc;

	if (read_filters(req, 0, &sc, &f) < 0)
		return -1;
	if ((rc = mpesa_tx_summary(req->db, &req->arena, &sc, &f, &s)) != CORE_OK)
		return reply_core(req, rc, "M-Pesa transactions");
	mpesa_write_summary(reply_begin(req, 200, NULL), &s, &f);
	return reply_end(req, NULL);
}

/* "2026-01-10T15:33:29.555889", UTC without the Z, as the example */
static const char *
now_naive(struct request *req)
{
	char now[40];
	size_t n;

	time_iso8601_now(now, sizeof(now), 1);
	n = strlen(now);
	if (n && now[n - 1] == 'Z')
		now[n - 1] = '\0';
	return arena_strdup(&req->arena, now);
}

int
bw_dashboard_overview(struct request *req)
{
	static const struct mpesa_dash_format bw_dash = { &bw_tx, "expiry", 1 };
	struct stats_scope sc;
	struct mpesa_dashboard d;
	int rc;

	if (bw_scope(req, &sc) < 0)
		return -1;
	if ((rc = mpesa_dashboard(req->db, &req->arena, &sc, 0, &d)) != CORE_OK)
		return reply_core(req, rc, "Dashboard");
	mpesa_write_dashboard(reply_begin(req, 200, NULL), &d, &bw_dash, now_naive(req));
	return reply_end(req, NULL);
}
