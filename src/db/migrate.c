/* migrate.c - apply sql/NNN_*.sql once each, recorded in schema_migrations. */
#include "config.h"
#include "db/migrate.h"
#include "db/db.h"
#include "util/arena.h"
#include "util/buf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mfile {
	int version;
	char name[256];
};

static int
is_migration(const char *n, int *version)
{
	size_t len = strlen(n);

	if (len < 9 || !isdigit((unsigned char)n[0]) || !isdigit((unsigned char)n[1]) ||
	    !isdigit((unsigned char)n[2]) || n[3] != '_' || strcmp(n + len - 4, ".sql") != 0)
		return 0;
	*version = (n[0] - '0') * 100 + (n[1] - '0') * 10 + (n[2] - '0');
	return *version > 0;
}

static int
cmp_mfile(const void *a, const void *b)
{
	return ((const struct mfile *)a)->version - ((const struct mfile *)b)->version;
}

/* Sorted list of migration files; returns count or -1. */
static int
list_files(const char *dir, struct mfile **out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct mfile *v = NULL;
	int n = 0, cap = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		int ver;

		if (!is_migration(e->d_name, &ver) || strlen(e->d_name) >= sizeof(v->name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, sizeof(*v) * (size_t)cap);
		}
		v[n].version = ver;
		snprintf(v[n].name, sizeof(v[n].name), "%s", e->d_name);
		n++;
	}
	closedir(d);
	qsort(v, (size_t)n, sizeof(*v), cmp_mfile);
	*out = v;
	return n;
}

int
migrate_latest_file(const char *dir)
{
	struct mfile *v = NULL;
	int n = list_files(dir, &v), latest;

	if (n < 0)
		return -1;
	latest = n ? v[n - 1].version : 0;
	free(v);
	return latest;
}

int
migrate_current(struct db *db)
{
	struct arena a;
	struct db_result r;
	int v = -1;

	arena_init(&a);
	if (db_query(db, &a, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
	    NULL, 0, &r) == 0)
		v = (int)db_val_int(&r, 0, 0, 0);
	else if (db->err == 1146)       /* no such table: nothing applied yet */
		v = 0;
	arena_free(&a);
	return v;
}

/* Send a whole file as one multi-statement query and drain every result. */
static int
run_script(struct db *db, const char *sql)
{
	int status;

	if (mysql_real_query(db->conn, sql, strlen(sql)) != 0)
		goto fail;
	do {
		MYSQL_RES *r = mysql_store_result(db->conn);

		mysql_free_result(r);
		if ((status = mysql_next_result(db->conn)) > 0)
			goto fail;
	} while (status == 0);
	return 0;
fail:
	db->err = mysql_errno(db->conn);
	snprintf(db->errmsg, sizeof(db->errmsg), "%s", mysql_error(db->conn));
	return -1;
}

static char *
read_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;

	if (fp == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);
	buf_cstr(&b);
	return b.data;
}

int
migrate_apply(struct db *db, const char *dir)
{
	struct mfile *v = NULL;
	struct arena a;
	int n, rc = -1, locked = 0;

	arena_init(&a);
	if ((n = list_files(dir, &v)) < 0) {
		fprintf(stderr, "migrate: cannot read %s: %s\n", dir, strerror(errno));
		goto out;
	}
	if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version INT NOT NULL PRIMARY KEY,"
	    " name VARCHAR(255) NOT NULL,"
	    " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
	    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4") < 0)
		goto dberr;
	{
		struct db_result r;

		if (db_query(db, &a, "SELECT GET_LOCK('ispbill_migrate', 60)", NULL, 0, &r) < 0)
			goto dberr;
		if (db_val_int(&r, 0, 0, 0) != 1) {
			fprintf(stderr, "migrate: another migration holds the lock\n");
			goto out;
		}
		locked = 1;
	}
	for (int i = 0; i < n; i++) {
		struct db_param p[2] = { db_int(v[i].version), db_str(v[i].name) };
		struct db_result r;
		char path[4096];
		char *sql;

		if (db_query(db, &a, "SELECT 1 FROM schema_migrations WHERE version = ?",
		    p, 1, &r) < 0)
			goto dberr;
		if (r.nrows)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, v[i].name);
		if ((sql = read_file(path)) == NULL) {
			fprintf(stderr, "migrate: cannot read %s: %s\n", path, strerror(errno));
			goto out;
		}
		if (run_script(db, sql) < 0) {
			free(sql);
			fprintf(stderr, "migrate: %s failed: %u %s\n", v[i].name, db->err, db->errmsg);
			goto out;
		}
		free(sql);
		if (db_query(db, &a, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
		    p, 2, NULL) < 0)
			goto dberr;
		printf("applied %s\n", v[i].name);
	}
	rc = 0;
	goto out;
dberr:
	fprintf(stderr, "migrate: database error %u: %s\n", db->err, db->errmsg);
out:
	if (locked)
		db_exec(db, "DO RELEASE_LOCK('ispbill_migrate')");
	free(v);
	arena_free(&a);
	return rc;
}
