/* migrate.h - apply sql/NNN_*.sql once each, recorded in schema_migrations. */
#ifndef ISP_MIGRATE_H
#define ISP_MIGRATE_H

struct db;

/* Highest NNN among the files in dir (0 if none), or -1 if dir is unreadable. */
int migrate_latest_file(const char *dir);
/* Highest applied version, 0 when none, -1 on database error. */
int migrate_current(struct db *db);
/* Apply what is missing, in order, under a named lock so that two runs at
 * once do not collide.  Needs a connection made with CLIENT_MULTI_STATEMENTS.
 * Prints one line per applied file to stdout.  0 or -1 (reason on stderr). */
int migrate_apply(struct db *db, const char *dir);

#endif
