/* locations.h - Bangladesh divisions, districts and thanas (003). */
#ifndef ISP_LOCATIONS_H
#define ISP_LOCATIONS_H

#include "core/entity.h"

extern const struct entity ent_division;
extern const struct entity ent_district;
extern const struct entity ent_thana;

/* Load divisions.csv, districts.csv and upazilas.csv from dir (the
 * bd-geo data set: quoted CSV, no header), replacing rows by id.  Counts
 * out; a line that does not parse is an error naming file and line. */
int locations_import(struct db *db, const char *dir, int counts[3], char *err, size_t errlen);

struct locations_summary {
	long long divisions, districts, thanas;
	struct { const char *name; long long districts, thanas; } per[16];
	int nper;
};
int locations_summary(struct db *db, struct arena *a, struct locations_summary *out);

#endif
