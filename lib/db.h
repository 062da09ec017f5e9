/* db.h: MariaDB access through prepared statements only, plus schema migrations. */
#ifndef CM_DB_H
#define CM_DB_H

#include <stddef.h>
#include <stdint.h>
#include "settings.h"

struct cm_db;
struct cm_stmt;

/* 0, or -1 with err (never containing the password). */
int cm_db_connect(struct cm_db **out, const struct cm_settings *s, char *err, size_t errlen);
void cm_db_close(struct cm_db *db);
/* Reconnects if the server went away; 0 or -1. Call at the start of each request. */
int cm_db_ping(struct cm_db *db);
const char *cm_db_error(struct cm_db *db);

int cm_db_begin(struct cm_db *db);
int cm_db_commit(struct cm_db *db);
int cm_db_rollback(struct cm_db *db);

/*
 * Statements. Parameters are numbered from 0 in '?' order and must all be
 * bound before execute. Strings are copied at bind time. Functions returning
 * int give 0 on success and -1 on error (cm_db_error says why) unless noted.
 */
struct cm_stmt *cm_db_prepare(struct cm_db *db, const char *sql);
int cm_stmt_bind_str(struct cm_stmt *st, unsigned idx, const char *s);   /* NULL binds NULL */
int cm_stmt_bind_blob(struct cm_stmt *st, unsigned idx, const void *p, size_t n);
int cm_stmt_bind_i64(struct cm_stmt *st, unsigned idx, int64_t v);
int cm_stmt_bind_null(struct cm_stmt *st, unsigned idx);
int cm_stmt_execute(struct cm_stmt *st);
/* 1 when a row is ready, 0 when no more rows, -1 on error. */
int cm_stmt_fetch(struct cm_stmt *st);
/* Column accessors for the current row (idx from 0). Strings stay valid
 * until the next fetch or close; NULL column gives NULL / 0. */
const char *cm_stmt_str(struct cm_stmt *st, unsigned idx, size_t *len);
int64_t cm_stmt_i64(struct cm_stmt *st, unsigned idx);
int cm_stmt_is_null(struct cm_stmt *st, unsigned idx);
unsigned cm_stmt_ncols(struct cm_stmt *st);
uint64_t cm_stmt_insert_id(struct cm_stmt *st);
uint64_t cm_stmt_affected(struct cm_stmt *st);
void cm_stmt_close(struct cm_stmt *st);

/* Runs one statement with no parameters and no result (DDL in migrations). */
int cm_db_exec(struct cm_db *db, const char *sql);

/* Applies schema/NNN_*.sql files not yet recorded in schema_migrations,
 * each in order, each recorded when done. 0, or -1 with err naming the file. */
int cm_db_migrate(struct cm_db *db, const char *schema_dir, char *err, size_t errlen);

#endif
