/* db.h: MariaDB access through prepared statements only (connections, transactions, statements). */
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
/* Keeps the statements prepared on db (up to CM_DB_STMT_CACHE of them,
 * keyed by their SQL text) for the next cm_db_prepare of the same SQL
 * instead of closing them: a long-lived worker that runs the same few
 * statements on every request (scep.fcgi) saves a prepare round trip and
 * the server's parse per statement. cm_stmt_close then only resets the
 * statement (its result and its bindings: every parameter must be bound
 * again). A reconnect or cm_db_close drops them. No return value. */
#define CM_DB_STMT_CACHE 48
void cm_db_cache_statements(struct cm_db *db);
const char *cm_db_error(struct cm_db *db);
/* The server's error number of the last failure (e.g. 1141 "no such grant"),
 * 0 when the failure was not the server's. */
unsigned cm_db_errno(struct cm_db *db);

int cm_db_begin(struct cm_db *db);
/* Runs fn(db, arg) once, right after the next successful cm_db_commit on db
 * (a failed commit or a rollback drops it; a second call replaces it). For
 * work that must only follow durable rows, such as an audit checkpoint. */
void cm_db_after_commit(struct cm_db *db, void (*fn)(struct cm_db *, void *), void *arg);
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

/* 1 when the last failure was a deadlock or lock wait timeout, after which
 * the whole transaction (rolled back by the server) may be retried; else 0. */
int cm_db_retryable(struct cm_db *db);

/* 1 when a transaction is open on this connection, else 0. */
int cm_db_in_transaction(struct cm_db *db);

/* Copies column idx of the current row into dst (at most dstlen - 1 bytes,
 * always terminated; SQL NULL gives ""). 1 when the whole value fitted,
 * 0 when it was cut. */
int cm_stmt_copy_str(struct cm_stmt *st, unsigned idx, char *dst, size_t dstlen);

/* Flags of cm_sql_like_prefix. */
#define CM_LIKE_ANYWHERE 0x1      /* also a leading '%': q anywhere in the value */
#define CM_LIKE_LOWER 0x2         /* ASCII letters of q lower-cased */

/* Writes into out the LIKE pattern that matches values starting with q:
 * LIKE's metacharacters '%', '_' and '\\' escaped with '\\' (MariaDB's
 * default ESCAPE), '%' appended. 0, or -1 when out (outlen bytes: at most
 * 2 * strlen(q) + 3 are needed) is too small. */
int cm_sql_like_prefix(char *out, size_t outlen, const char *q, unsigned flags);

#endif
