/* migrate.h: numbered schema migrations, and their pure helpers (file names, statement splitting) for unit tests. */
#ifndef CM_MIGRATE_H
#define CM_MIGRATE_H

#include <stddef.h>

struct cm_db;

/* Largest migration file cm_db_migrate reads. */
#define CM_MIGRATION_MAX_BYTES (1024 * 1024)

/* Applies schema/NNN_*.sql files not yet recorded in schema_migrations,
 * each in order, each recorded when done. 0, or -1 with err naming the file. */
int cm_db_migrate(struct cm_db *db, const char *schema_dir, char *err, size_t errlen);

/* Counts the schema_dir migration files the database has not recorded
 * (all of them when it has no schema_migrations) into *pending: the web
 * programs wait while it is not 0. 0, or -1 with err. */
int cm_db_schema_pending(struct cm_db *db, const char *schema_dir, long *pending,
    char *err, size_t errlen);

/*
 * Gives the programs' account user@host exactly its privileges on every
 * table of the connection's database (plain DML; audit_log SELECT and
 * INSERT only; audit_head SELECT and UPDATE; schema_migrations SELECT),
 * revokes the rest (DDL, GRANT, any database-wide grant). Run by certmint
 * migrate with the migration account after the migrations, so a new table
 * is usable at once. Refuses when db is logged in as user@host itself.
 * *ntables counts the tables granted. 0, or -1 with err.
 */
int cm_db_grant_app(struct cm_db *db, const char *user, const char *host, int *ntables,
    char *err, size_t errlen);

/* 1 when name is a migration file "NNN_anything.sql" (digits, '_', ".sql"),
 * storing NNN in *version; 0 otherwise. */
int cm_migration_version(const char *name, long *version);

struct cm_migration {
	long version;
	char *name;               /* file name inside the directory */
};

/* Lists dir's migration files sorted by version; two files with one version
 * are an error. 0 (free with cm_migration_free), or -1 with err. */
int cm_migration_scan(const char *dir, struct cm_migration **out, size_t *n,
    char *err, size_t errlen);
void cm_migration_free(struct cm_migration *list, size_t n);

/* Called once per statement found by cm_sql_split; line is the 1-based line
 * where the statement starts. Non-zero stops the split and is returned. */
typedef int (*cm_sql_stmt_cb)(void *ctx, const char *stmt, unsigned line);

/*
 * Splits migration text into statements. A statement ends at a line whose
 * last non-blank character is ';' (the ';' is dropped). Lines whose first
 * non-blank characters are "--" and blank lines outside statements are
 * skipped. Returns 0; -1 with err for text after the last ';' or no memory;
 * or the callback's non-zero value.
 */
int cm_sql_split(const char *text, size_t len, cm_sql_stmt_cb cb, void *ctx,
    char *err, size_t errlen);

#endif
