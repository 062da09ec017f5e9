/* db_internal.h: pure helpers of db.c and audit.c, exposed for unit tests and the CLI (not a public contract). */
#ifndef CM_DB_INTERNAL_H
#define CM_DB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "db.h"

/* Largest migration file cm_db_migrate reads. */
#define CM_MIGRATION_MAX_BYTES (1024 * 1024)

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

/* 1 when the last failure was a deadlock or lock wait timeout, after which
 * the whole transaction (rolled back by the server) may be retried. */
int cm_db_retryable(struct cm_db *db);

/* 1 when a transaction is open on this connection, else 0. */
int cm_db_in_transaction(struct cm_db *db);

/* One audit row as hashed; NULL pointers are SQL NULLs, customer_id 0 = NULL. */
struct cm_audit_row {
	int64_t id;
	const char *at;            /* "YYYY-MM-DD HH:MM:SS.ffffff", UTC */
	const char *actor;
	const char *action;
	const char *object_type;
	const char *object_id;
	int64_t customer_id;
	const char *remote_addr;
	const char *before;
	const char *after;
};

#define CM_AUDIT_GENESIS \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* hex_out (65 bytes) = SHA-256 of a length-prefixed encoding of prev_hash
 * and every field of row, so no two different rows encode alike. 0 or -1. */
int cm_audit_hash(const char *prev_hash, const struct cm_audit_row *row,
    char hex_out[65]);

#endif
