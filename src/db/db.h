/* db.h - one MariaDB connection per process: reconnect, prepared statements
 * behind a small binding helper, transactions with deadlock retry. */
#ifndef ISP_DB_H
#define ISP_DB_H

#include <stddef.h>
#include <string.h>
#include <mysql.h>

#include "util/arena.h"

struct config;

#define DB_STMT_CACHE 128

struct db {
	MYSQL *conn;
	const struct config *cfg;
	unsigned long flags;            /* extra client flags (multi statements) */
	int in_tx;
	unsigned int err;               /* last server/client error number */
	char errmsg[256];
	size_t ncache;
	struct { char *sql; unsigned long hash; MYSQL_STMT *st; } cache[DB_STMT_CACHE];
};

enum db_ptype { DB_P_NULL, DB_P_INT, DB_P_STR };

struct db_param {
	enum db_ptype type;
	long long i;
	const char *s;
	size_t len;
};

static inline struct db_param
db_int(long long v)
{
	struct db_param p = { DB_P_INT, v, NULL, 0 };
	return p;
}

static inline struct db_param
db_str(const char *s)
{
	struct db_param p = { s ? DB_P_STR : DB_P_NULL, 0, s, s ? strlen(s) : 0 };
	return p;
}

static inline struct db_param
db_null(void)
{
	struct db_param p = { DB_P_NULL, 0, NULL, 0 };
	return p;
}

/* Every value comes back as text (NULL for SQL NULL) allocated in the
 * caller's arena: DECIMAL stays exact, dates stay as MariaDB prints them. */
struct db_result {
	unsigned nrows, ncols;
	char ***rows;                   /* rows[r][c] */
	unsigned long **lens;
	char **cols;                    /* column names */
	unsigned long long affected;
	unsigned long long insert_id;
};

void db_init(struct db *db, const struct config *cfg, unsigned long flags);
int  db_connect(struct db *db);                 /* 0 or -1 (db->err, db->errmsg) */
void db_close(struct db *db);
/* A cheap round trip; reconnects once if the server went away. */
int  db_ping(struct db *db);

/* Run a prepared statement (prepared once per connection and cached by its
 * text; the least recently prepared is dropped when the cache is full).  res may be NULL for statements without a result set.  Out of a
 * transaction a lost connection is re-established and the call retried once.
 * Returns 0 or -1. */
int  db_query(struct db *db, struct arena *a, const char *sql,
    const struct db_param *params, unsigned nparams, struct db_result *res);
/* Plain text statement without parameters (DDL, SET, BEGIN). */
int  db_exec(struct db *db, const char *sql);

int  db_begin(struct db *db);
int  db_commit(struct db *db);
void db_rollback(struct db *db);

/* Run fn inside a transaction; on deadlock (1213) or lock wait timeout
 * (1205) roll back and run it again, up to tries times.  fn returns 0 to
 * commit, a negative value for a database error, a positive value for its
 * own error (rolled back, returned as is). */
int  db_tx(struct db *db, int tries, int (*fn)(struct db *, void *), void *ctx);

int  db_is_retryable(unsigned int err);
int  db_is_disconnect(unsigned int err);

/* Result helpers */
const char *db_val(const struct db_result *r, unsigned row, unsigned col);
long long   db_val_int(const struct db_result *r, unsigned row, unsigned col, long long def);

#endif
