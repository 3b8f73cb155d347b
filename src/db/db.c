/* db.c - one MariaDB connection per process: reconnect, prepared statements
 * behind a small binding helper, transactions with deadlock retry. */
#include "config.h"
#include "db/db.h"
#include "util/conf.h"
#include "util/log.h"

#include <errmsg.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define DB_INIT_SQL \
	"SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE," \
	"NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'"

static void
set_err(struct db *db, unsigned int no, const char *msg)
{
	db->err = no;
	snprintf(db->errmsg, sizeof(db->errmsg), "%s", msg ? msg : "");
}

void
db_init(struct db *db, const struct config *cfg, unsigned long flags)
{
	memset(db, 0, sizeof(*db));
	db->cfg = cfg;
	db->flags = flags;
}

static void
drop_cache(struct db *db)
{
	for (size_t i = 0; i < db->ncache; i++) {
		mysql_stmt_close(db->cache[i].st);
		free(db->cache[i].sql);
	}
	db->ncache = 0;
}

void
db_close(struct db *db)
{
	drop_cache(db);
	if (db->conn)
		mysql_close(db->conn);
	db->conn = NULL;
	db->in_tx = 0;
}

int
db_connect(struct db *db)
{
	const struct config *c = db->cfg;
	unsigned int ct = (unsigned int)c->db_connect_timeout;
	unsigned int rt = (unsigned int)c->db_read_timeout;
	MYSQL *m;

	db_close(db);
	if ((m = mysql_init(NULL)) == NULL) {
		set_err(db, CR_OUT_OF_MEMORY, "mysql_init failed");
		return -1;
	}
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rt);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rt);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(m, MYSQL_INIT_COMMAND, DB_INIT_SQL);
	if (!mysql_real_connect(m, c->db_socket[0] ? NULL : c->db_host, c->db_user,
	    c->db_password, c->db_name, (unsigned int)c->db_port,
	    c->db_socket[0] ? c->db_socket : NULL, db->flags)) {
		set_err(db, mysql_errno(m), mysql_error(m));
		mysql_close(m);
		return -1;
	}
	db->conn = m;
	set_err(db, 0, NULL);
	return 0;
}

int
db_is_disconnect(unsigned int err)
{
	return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST ||
	    err == CR_CONNECTION_ERROR || err == CR_CONN_HOST_ERROR ||
	    err == ER_CONNECTION_KILLED || err == ER_SERVER_SHUTDOWN ||
	    err == CR_COMMANDS_OUT_OF_SYNC || err == 4031 /* idle timeout */;
}

int
db_is_retryable(unsigned int err)
{
	return err == ER_LOCK_DEADLOCK || err == ER_LOCK_WAIT_TIMEOUT;
}

static int
ensure(struct db *db)
{
	return db->conn ? 0 : db_connect(db);
}

int
db_ping(struct db *db)
{
	if (ensure(db) < 0)
		return -1;
	if (mysql_query(db->conn, "SELECT 1") == 0) {
		MYSQL_RES *r = mysql_store_result(db->conn);

		mysql_free_result(r);
		return 0;
	}
	set_err(db, mysql_errno(db->conn), mysql_error(db->conn));
	if (!db_is_disconnect(db->err) || db->in_tx)
		return -1;
	if (db_connect(db) < 0)
		return -1;
	if (mysql_query(db->conn, "SELECT 1") != 0) {
		set_err(db, mysql_errno(db->conn), mysql_error(db->conn));
		return -1;
	}
	mysql_free_result(mysql_store_result(db->conn));
	return 0;
}

int
db_exec(struct db *db, const char *sql)
{
	int again = !db->in_tx;

	for (;;) {
		if (ensure(db) < 0)
			return -1;
		if (mysql_query(db->conn, sql) == 0) {
			MYSQL_RES *r = mysql_store_result(db->conn);

			mysql_free_result(r);
			return 0;
		}
		set_err(db, mysql_errno(db->conn), mysql_error(db->conn));
		if (!again || !db_is_disconnect(db->err))
			return -1;
		again = 0;
		db_close(db);
	}
}

static unsigned long
sql_hash(const char *s)
{
	unsigned long h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static MYSQL_STMT *
stmt_get(struct db *db, const char *sql)
{
	unsigned long h = sql_hash(sql);
	MYSQL_STMT *st;

	for (size_t i = 0; i < db->ncache; i++)
		if (db->cache[i].hash == h && strcmp(db->cache[i].sql, sql) == 0)
			return db->cache[i].st;
	if ((st = mysql_stmt_init(db->conn)) == NULL) {
		set_err(db, CR_OUT_OF_MEMORY, "mysql_stmt_init failed");
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		set_err(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	if (db->ncache == DB_STMT_CACHE) {
		/* full: forget the oldest */
		mysql_stmt_close(db->cache[0].st);
		free(db->cache[0].sql);
		memmove(&db->cache[0], &db->cache[1], sizeof(db->cache[0]) * (DB_STMT_CACHE - 1));
		db->ncache--;
	}
	db->cache[db->ncache].sql = xstrdup(sql);
	db->cache[db->ncache].hash = h;
	db->cache[db->ncache].st = st;
	db->ncache++;
	return st;
}

static int
stmt_fail(struct db *db, MYSQL_STMT *st)
{
	set_err(db, mysql_stmt_errno(st), mysql_stmt_error(st));
	mysql_stmt_free_result(st);
	mysql_stmt_reset(st);
	return -1;
}

static int
run_once(struct db *db, struct arena *a, const char *sql,
    const struct db_param *params, unsigned np, struct db_result *res)
{
	MYSQL_STMT *st;
	MYSQL_BIND *pb = NULL, *rb = NULL;
	MYSQL_RES *meta = NULL;
	my_bool *isnull = NULL;
	unsigned long *lens = NULL;
	unsigned ncols, cap = 16;
	int rc;

	if (ensure(db) < 0)
		return -1;
	if ((st = stmt_get(db, sql)) == NULL)
		return -1;
	if (mysql_stmt_param_count(st) != np) {
		set_err(db, CR_PARAMS_NOT_BOUND, "parameter count does not match the statement");
		return -1;
	}
	if (np) {
		pb = arena_calloc(a, np, sizeof(*pb));
		for (unsigned i = 0; i < np; i++) {
			switch (params[i].type) {
			case DB_P_NULL:
				pb[i].buffer_type = MYSQL_TYPE_NULL;
				break;
			case DB_P_INT:
				pb[i].buffer_type = MYSQL_TYPE_LONGLONG;
				pb[i].buffer = (void *)&params[i].i;
				break;
			case DB_P_STR:
				pb[i].buffer_type = MYSQL_TYPE_STRING;
				pb[i].buffer = (void *)params[i].s;
				pb[i].buffer_length = params[i].len;
				pb[i].length = arena_alloc(a, sizeof(unsigned long));
				*pb[i].length = (unsigned long)params[i].len;
				break;
			}
		}
		if (mysql_stmt_bind_param(st, pb) != 0)
			return stmt_fail(db, st);
	}
	if (mysql_stmt_execute(st) != 0)
		return stmt_fail(db, st);
	if (res)
		memset(res, 0, sizeof(*res));
	meta = mysql_stmt_result_metadata(st);
	if (meta == NULL) {
		if (res) {
			res->affected = mysql_stmt_affected_rows(st);
			res->insert_id = mysql_stmt_insert_id(st);
		}
		/* no mysql_stmt_reset: it is a round trip (COM_STMT_RESET), and a
		 * statement whose result is read to the end runs again as it is */
		return 0;
	}
	ncols = mysql_num_fields(meta);
	if (mysql_stmt_store_result(st) != 0) {
		mysql_free_result(meta);
		return stmt_fail(db, st);
	}
	rb = arena_calloc(a, ncols, sizeof(*rb));
	isnull = arena_calloc(a, ncols, sizeof(*isnull));
	lens = arena_calloc(a, ncols, sizeof(*lens));
	for (unsigned c = 0; c < ncols; c++) {
		rb[c].buffer_type = MYSQL_TYPE_STRING;
		rb[c].buffer = NULL;
		rb[c].buffer_length = 0;
		rb[c].length = &lens[c];
		rb[c].is_null = &isnull[c];
	}
	if (mysql_stmt_bind_result(st, rb) != 0) {
		mysql_free_result(meta);
		return stmt_fail(db, st);
	}
	if (res) {
		MYSQL_FIELD *f = mysql_fetch_fields(meta);

		res->ncols = ncols;
		res->cols = arena_calloc(a, ncols, sizeof(char *));
		for (unsigned c = 0; c < ncols; c++)
			res->cols[c] = arena_strdup(a, f[c].name);
		res->rows = arena_calloc(a, cap, sizeof(char **));
		res->lens = arena_calloc(a, cap, sizeof(unsigned long *));
	}
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
		char **row;
		unsigned long *rl;

		if (res == NULL)
			continue;
		if (res->nrows == cap) {
			char ***nr = arena_calloc(a, cap * 2, sizeof(char **));
			unsigned long **nl = arena_calloc(a, cap * 2, sizeof(unsigned long *));

			memcpy(nr, res->rows, cap * sizeof(char **));
			memcpy(nl, res->lens, cap * sizeof(unsigned long *));
			res->rows = nr;
			res->lens = nl;
			cap *= 2;
		}
		row = arena_calloc(a, ncols, sizeof(char *));
		rl = arena_calloc(a, ncols, sizeof(unsigned long));
		for (unsigned c = 0; c < ncols; c++) {
			MYSQL_BIND b;

			if (isnull[c])
				continue;
			rl[c] = lens[c];
			row[c] = arena_alloc(a, lens[c] + 1);
			if (lens[c]) {
				memset(&b, 0, sizeof(b));
				b.buffer_type = MYSQL_TYPE_STRING;
				b.buffer = row[c];
				b.buffer_length = lens[c] + 1;
				b.length = &lens[c];
				if (mysql_stmt_fetch_column(st, &b, c, 0) != 0) {
					mysql_free_result(meta);
					return stmt_fail(db, st);
				}
			}
			row[c][rl[c]] = '\0';
		}
		res->rows[res->nrows] = row;
		res->lens[res->nrows] = rl;
		res->nrows++;
	}
	mysql_free_result(meta);
	if (rc != MYSQL_NO_DATA)
		return stmt_fail(db, st);
	mysql_stmt_free_result(st);
	return 0;
}

int
db_query(struct db *db, struct arena *a, const char *sql,
    const struct db_param *params, unsigned nparams, struct db_result *res)
{
	if (run_once(db, a, sql, params, nparams, res) == 0)
		return 0;
	if (db->in_tx || !db_is_disconnect(db->err))
		return -1;
	log_warn("database connection lost (%u %s); reconnecting", db->err, db->errmsg);
	db_close(db);
	return run_once(db, a, sql, params, nparams, res);
}

int
db_begin(struct db *db)
{
	if (db_exec(db, "START TRANSACTION") < 0)
		return -1;
	db->in_tx = 1;
	return 0;
}

int
db_commit(struct db *db)
{
	int rc = db_exec(db, "COMMIT");

	db->in_tx = 0;
	return rc;
}

void
db_rollback(struct db *db)
{
	unsigned int err = db->err;
	char msg[sizeof(db->errmsg)];

	memcpy(msg, db->errmsg, sizeof(msg));
	if (db->conn && mysql_query(db->conn, "ROLLBACK") != 0)
		db_close(db);           /* a broken connection: start over */
	db->in_tx = 0;
	/* keep the error that caused the rollback */
	db->err = err;
	memcpy(db->errmsg, msg, sizeof(msg));
}

int
db_tx(struct db *db, int tries, int (*fn)(struct db *, void *), void *ctx)
{
	for (int attempt = 1;; attempt++) {
		int rc;

		if (db_begin(db) < 0)
			return -1;
		rc = fn(db, ctx);
		if (rc == 0 && db_commit(db) == 0)
			return 0;
		db_rollback(db);
		if (rc > 0)
			return rc;
		if (!db_is_retryable(db->err) || attempt >= tries)
			return -1;
		log_info("transaction retry %d after %u: %s", attempt, db->err, db->errmsg);
		{
			struct timespec ts = { 0, 5000000L * attempt };
			nanosleep(&ts, NULL);
		}
	}
}

const char *
db_val(const struct db_result *r, unsigned row, unsigned col)
{
	if (row >= r->nrows || col >= r->ncols)
		return NULL;
	return r->rows[row][col];
}

long long
db_val_int(const struct db_result *r, unsigned row, unsigned col, long long def)
{
	const char *v = db_val(r, row, col);
	char *end;
	long long n;

	if (v == NULL || *v == '\0')
		return def;
	n = strtoll(v, &end, 10);
	return *end == '\0' ? n : def;
}
