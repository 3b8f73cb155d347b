/* locations.c - Bangladesh divisions, districts and thanas (003). */
#include "config.h"
#include "core/locations.h"
#include "db/db.h"
#include "util/arena.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct field division_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "name", "name", FT_STR, FF_READONLY | FF_SEARCH | FF_SORT },
	{ "bn_name", "bn_name", FT_STR, FF_READONLY | FF_SEARCH },
	{ "url", "url", FT_STR, FF_READONLY },
	{ "districts_count", "(SELECT COUNT(*) FROM districts d WHERE d.division_id = t.id)",
	  FT_INT, FF_READONLY | FF_SORT },
};

const struct entity ent_division = {
	"Division", "divisions", division_fields,
	sizeof(division_fields) / sizeof(division_fields[0]), EF_READONLY, "t.name ASC", NULL, 0,
};

static const struct field district_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "division_id", "division_id", FT_ID, FF_READONLY | FF_FILTER | FF_SORT },
	{ "division_name", "(SELECT v.name FROM divisions v WHERE v.id = t.division_id)", FT_STR,
	  FF_READONLY },
	{ "name", "name", FT_STR, FF_READONLY | FF_SEARCH | FF_SORT },
	{ "bn_name", "bn_name", FT_STR, FF_READONLY | FF_SEARCH },
	{ "lat", "lat", FT_DECIMAL, FF_READONLY },
	{ "lon", "lon", FT_DECIMAL, FF_READONLY },
	{ "url", "url", FT_STR, FF_READONLY },
	{ "thanas_count", "(SELECT COUNT(*) FROM thanas h WHERE h.district_id = t.id)", FT_INT,
	  FF_READONLY | FF_SORT },
};

const struct entity ent_district = {
	"District", "districts", district_fields,
	sizeof(district_fields) / sizeof(district_fields[0]), EF_READONLY, "t.name ASC", NULL, 0,
};

static const struct field thana_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "district_id", "district_id", FT_ID, FF_READONLY | FF_FILTER | FF_SORT },
	{ "district", "district_id", FT_ID, FF_READONLY | FF_FILTER | FF_HIDDEN },
	{ "district_name", "(SELECT d.name FROM districts d WHERE d.id = t.district_id)", FT_STR,
	  FF_READONLY | FF_SORT },
	{ "name", "name", FT_STR, FF_READONLY | FF_SEARCH | FF_SORT },
	{ "bn_name", "bn_name", FT_STR, FF_READONLY | FF_SEARCH },
	{ "url", "url", FT_STR, FF_READONLY },
};

const struct entity ent_thana = {
	"Thana", "thanas", thana_fields, sizeof(thana_fields) / sizeof(thana_fields[0]),
	EF_READONLY, "t.name ASC", NULL, 0,
};

/* Split one line of quoted CSV into at most max fields (in place). */
static int
csv_split(char *line, char **out, int max)
{
	int n = 0;
	char *p = line;

	while (*p && *p != '\n' && *p != '\r') {
		char *w;

		if (n == max)
			return -1;
		if (*p == '"') {
			w = ++p;
			out[n++] = w;
			for (;;) {
				if (*p == '\0')
					return -1;
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else
					*w++ = *p++;
			}
			*w = '\0';
		} else {
			out[n++] = p;
			while (*p && *p != ',' && *p != '\n' && *p != '\r')
				p++;
			if (*p == ',') {
				*p = '\0';
				p++;
				continue;
			}
			if (*p)
				*p = '\0';
			break;
		}
		if (*p == ',')
			p++;
		else if (*p && *p != '\n' && *p != '\r')
			return -1;
	}
	return n;
}

static int
load(struct db *db, struct arena *a, const char *dir, const char *file, int want,
    const char *sql, int *count, char *err, size_t errlen)
{
	char path[4096], line[2048];
	FILE *fp;
	int lineno = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		char *f[8];
		struct db_param p[7];
		int n;

		lineno++;
		if (line[0] == '\n' || line[0] == '\r' || line[0] == '\0')
			continue;
		n = csv_split(line, f, 8);
		if (n != want) {
			snprintf(err, errlen, "%s:%d: expected %d fields, found %d", path, lineno, want, n);
			fclose(fp);
			return -1;
		}
		for (int i = 0; i < n; i++)
			p[i] = (f[i][0] || i == 0) ? db_str(f[i]) : db_null();
		if (db_query(db, a, sql, p, (unsigned)n, NULL) < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, db->errmsg);
			fclose(fp);
			return -1;
		}
		(*count)++;
		arena_reset(a);
	}
	fclose(fp);
	return 0;
}

int
locations_import(struct db *db, const char *dir, int counts[3], char *err, size_t errlen)
{
	struct arena a;
	int rc = -1;

	counts[0] = counts[1] = counts[2] = 0;
	arena_init(&a);
	if (db_begin(db) < 0) {
		snprintf(err, errlen, "%s", db->errmsg);
		goto out;
	}
	if (load(db, &a, dir, "divisions.csv", 4,
	    "INSERT INTO divisions (id, name, bn_name, url) VALUES (?, ?, ?, ?) "
	    "ON DUPLICATE KEY UPDATE name = VALUES(name), bn_name = VALUES(bn_name), url = VALUES(url)",
	    &counts[0], err, errlen) < 0 ||
	    load(db, &a, dir, "districts.csv", 7,
	    "INSERT INTO districts (id, division_id, name, bn_name, lat, lon, url) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE division_id = VALUES(division_id), "
	    "name = VALUES(name), bn_name = VALUES(bn_name), lat = VALUES(lat), lon = VALUES(lon), "
	    "url = VALUES(url)", &counts[1], err, errlen) < 0 ||
	    load(db, &a, dir, "upazilas.csv", 5,
	    "INSERT INTO thanas (id, district_id, name, bn_name, url) VALUES (?, ?, ?, ?, ?) "
	    "ON DUPLICATE KEY UPDATE district_id = VALUES(district_id), name = VALUES(name), "
	    "bn_name = VALUES(bn_name), url = VALUES(url)", &counts[2], err, errlen) < 0) {
		db_rollback(db);
		goto out;
	}
	if (db_commit(db) < 0) {
		snprintf(err, errlen, "%s", db->errmsg);
		goto out;
	}
	rc = 0;
out:
	arena_free(&a);
	return rc;
}

int
locations_summary(struct db *db, struct arena *a, struct locations_summary *out)
{
	struct db_result r;

	memset(out, 0, sizeof(*out));
	if (db_query(db, a, "SELECT (SELECT COUNT(*) FROM divisions), (SELECT COUNT(*) FROM districts), "
	    "(SELECT COUNT(*) FROM thanas)", NULL, 0, &r) < 0)
		return CORE_DB;
	out->divisions = db_val_int(&r, 0, 0, 0);
	out->districts = db_val_int(&r, 0, 1, 0);
	out->thanas = db_val_int(&r, 0, 2, 0);
	if (db_query(db, a, "SELECT v.name, COUNT(DISTINCT d.id), COUNT(h.id) FROM divisions v "
	    "LEFT JOIN districts d ON d.division_id = v.id LEFT JOIN thanas h ON h.district_id = d.id "
	    "GROUP BY v.id, v.name ORDER BY v.name", NULL, 0, &r) < 0)
		return CORE_DB;
	for (unsigned i = 0; i < r.nrows && out->nper < 16; i++) {
		out->per[out->nper].name = db_val(&r, i, 0);
		out->per[out->nper].districts = db_val_int(&r, i, 1, 0);
		out->per[out->nper].thanas = db_val_int(&r, i, 2, 0);
		out->nper++;
	}
	return CORE_OK;
}
