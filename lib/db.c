/* db.c: MariaDB access through prepared statements only: connections, transactions, statements and their small helpers. */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>
#include <openssl/crypto.h>

#include "db.h"
#include "log.h"

/* What a connection needs to reconnect; the password is wiped on close. */
struct cm_db {
	MYSQL *my;
	char *socket;
	char *host;
	unsigned port;
	char *name;
	char *user;
	char *password;
	char err[512];
	unsigned errnum;          /* server error number of the last failure, 0 if none */
	/* cm_db_after_commit: run once after the next commit, dropped by a rollback */
	void (*after_commit)(struct cm_db *, void *);
	void *after_commit_arg;
	/* cm_db_cache_statements: prepared statements kept for reuse */
	int cache_on;
	unsigned ncached;
	struct cm_stmt *cached[CM_DB_STMT_CACHE];
};

struct cm_stmt {
	struct cm_db *db;
	MYSQL_STMT *st;
	/* parameters: copies of what was bound */
	unsigned nparams;
	MYSQL_BIND *params;
	void **pbuf;
	unsigned long *plen;
	my_bool *pnull;
	int64_t *pint;
	unsigned char *pbound;
	/* result columns: one buffer per column, grown to fit */
	unsigned ncols;
	MYSQL_BIND *cols;
	char **cbuf;
	unsigned long *ccap;
	unsigned long *clen;
	my_bool *cnull;
	my_bool *cerr;
	int have_result;
	/* kept in db->cached: its SQL, and whether a caller holds it now */
	char *sql;
	int in_use;
};

static void
db_seterr(struct cm_db *db, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
db_seterr(struct cm_db *db, const char *fmt, ...)
{
	va_list ap;
	/* callers with a server error set errnum right after */
	db->errnum = 0;
	va_start(ap, fmt);
	vsnprintf(db->err, sizeof(db->err), fmt, ap);
	va_end(ap);
}

/* Records the server's error for a failed call on the connection. */
static void
db_myerr(struct cm_db *db)
{
	unsigned n = mysql_errno(db->my);
	db_seterr(db, "%s", mysql_error(db->my));
	db->errnum = n;
}

/* Records the server's error for a failed statement call. */
static void
stmt_err(struct cm_stmt *st)
{
	unsigned n = mysql_stmt_errno(st->st);
	db_seterr(st->db, "%s", mysql_stmt_error(st->st));
	st->db->errnum = n;
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void
free_secret(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

/* Opens db->my from the stored parameters. 0 or -1 with db->err. */
static int
db_open(struct cm_db *db)
{
	unsigned int timeout = 10, io_timeout = 600;
	my_bool off = 0;
	MYSQL *my = mysql_init(NULL);
	if (my == NULL) {
		db_seterr(db, "out of memory");
		return -1;
	}
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* Reconnecting silently would lose transaction and session state under
	 * our feet; cm_db_ping reconnects explicitly instead. */
	mysql_options(my, MYSQL_OPT_RECONNECT, &off);
	mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	/* A hung server must not hang a worker for ever; generous enough for
	 * a migration that rebuilds a large table. */
	mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
	mysql_options(my, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
	/* Every DATETIME we store and compare is UTC. */
	mysql_options(my, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	if (mysql_real_connect(my, db->socket ? NULL : db->host, db->user,
	    db->password, db->name, db->socket ? 0 : db->port, db->socket, 0) == NULL) {
		/* The server's message names user and host, never the password. */
		db_seterr(db, "cannot connect to database %s as %s via %s: %s",
		    db->name, db->user, db->socket ? db->socket : db->host,
		    mysql_error(my));
		mysql_close(my);
		return -1;
	}
	if (mysql_autocommit(my, 1) != 0) {
		db_seterr(db, "autocommit: %s", mysql_error(my));
		mysql_close(my);
		return -1;
	}
	db->my = my;
	return 0;
}

/* 0, or -1 with err. */
int
cm_db_connect(struct cm_db **out, const struct cm_settings *s, char *err, size_t errlen)
{
	struct cm_db *db = NULL;
	*out = NULL;
	db = calloc(1, sizeof(*db));
	if (db == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	db->socket = dup_or_null(s->db_socket);
	db->host = dup_or_null(s->db_host ? s->db_host : "localhost");
	db->port = s->db_port > 0 ? (unsigned)s->db_port : 3306;
	db->name = dup_or_null(s->db_name);
	db->user = dup_or_null(s->db_user);
	db->password = dup_or_null(s->db_password ? s->db_password : "");
	if ((s->db_socket && db->socket == NULL) || db->host == NULL ||
	    db->name == NULL || db->user == NULL || db->password == NULL) {
		snprintf(err, errlen, "out of memory");
		cm_db_close(db);
		return -1;
	}
	if (db_open(db) < 0) {
		snprintf(err, errlen, "%s", db->err);
		cm_db_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

static void stmt_free(struct cm_stmt *st);

/* Closes every kept statement (before their connection goes). */
static void
cache_drop(struct cm_db *db)
{
	for (unsigned i = 0; i < db->ncached; i++) {
		struct cm_stmt *st = db->cached[i];
		if (st->in_use) {
			/* A caller still holds it: its close frees it. */
			free(st->sql);
			st->sql = NULL;
			continue;
		}
		stmt_free(st);
	}
	db->ncached = 0;
}

/* No return value. */
void
cm_db_cache_statements(struct cm_db *db)
{
	db->cache_on = 1;
}

/* No return value; NULL is allowed. */
void
cm_db_close(struct cm_db *db)
{
	if (db == NULL)
		return;
	cache_drop(db);
	if (db->my)
		mysql_close(db->my);
	free(db->socket);
	free(db->host);
	free(db->name);
	free(db->user);
	free_secret(db->password);
	free(db);
}

/* 0 when the connection works (reopened if the server went away), else -1.
 * Statements prepared on the old connection are dead: callers prepare per
 * request, and the kept ones (cm_db_cache_statements) are dropped. */
int
cm_db_ping(struct cm_db *db)
{
	if (db->my && mysql_ping(db->my) == 0)
		return 0;
	if (db->my) {
		cm_warn("database connection lost (%s), reconnecting", mysql_error(db->my));
		cache_drop(db);
		mysql_close(db->my);
		db->my = NULL;
	}
	if (db_open(db) < 0) {
		cm_err("%s", db->err);
		return -1;
	}
	return 0;
}

/* The last failure's message (never NULL, "" before any). */
const char *
cm_db_error(struct cm_db *db)
{
	return db->err;
}

/* The last failure's server error number (0 when none or not the server's). */
unsigned
cm_db_errno(struct cm_db *db)
{
	return db->errnum;
}

/* See db.h. */
int
cm_db_retryable(struct cm_db *db)
{
	/* ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT */
	return db->errnum == 1213 || db->errnum == 1205;
}

/* 1 when a transaction is open on this connection, else 0. */
int
cm_db_in_transaction(struct cm_db *db)
{
	unsigned int status = 0;
	if (db->my == NULL)
		return 0;
	if (mariadb_get_infov(db->my, MARIADB_CONNECTION_SERVER_STATUS, &status) != 0)
		return 0;
	return (status & SERVER_STATUS_IN_TRANS) ? 1 : 0;
}

/* 0 or -1. */
int
cm_db_begin(struct cm_db *db)
{
	return cm_db_exec(db, "START TRANSACTION");
}

/* No return value. */
void
cm_db_after_commit(struct cm_db *db, void (*fn)(struct cm_db *, void *), void *arg)
{
	db->after_commit = fn;
	db->after_commit_arg = arg;
}

/* 0 or -1. */
int
cm_db_commit(struct cm_db *db)
{
	void (*fn)(struct cm_db *, void *) = db->after_commit;

	db->after_commit = NULL;
	if (db->my == NULL || mysql_commit(db->my) != 0) {
		if (db->my)
			db_myerr(db);
		else
			db_seterr(db, "not connected");
		return -1;
	}
	/* Cleared first, so a callback that commits again cannot loop. */
	if (fn)
		fn(db, db->after_commit_arg);
	return 0;
}

/* 0 or -1. */
int
cm_db_rollback(struct cm_db *db)
{
	db->after_commit = NULL;
	if (db->my == NULL || mysql_rollback(db->my) != 0) {
		if (db->my)
			db_myerr(db);
		else
			db_seterr(db, "not connected");
		return -1;
	}
	return 0;
}

/* 0 or -1. The one place SQL text goes to the server unprepared: constant
 * statements and migration files only, never anything built from input. */
int
cm_db_exec(struct cm_db *db, const char *sql)
{
	if (db->my == NULL) {
		db_seterr(db, "not connected");
		return -1;
	}
	if (mysql_real_query(db->my, sql, strlen(sql)) != 0) {
		db_myerr(db);
		return -1;
	}
	/* A stray result (e.g. from SHOW) would block the connection. */
	do {
		MYSQL_RES *res = mysql_store_result(db->my);
		if (res)
			mysql_free_result(res);
		else if (mysql_field_count(db->my) != 0) {
			db_myerr(db);
			return -1;
		}
	} while (mysql_next_result(db->my) == 0);
	if (mysql_errno(db->my) != 0) {
		db_myerr(db);
		return -1;
	}
	return 0;
}

static void
stmt_free_columns(struct cm_stmt *st)
{
	for (unsigned i = 0; i < st->ncols; i++)
		free(st->cbuf ? st->cbuf[i] : NULL);
	free(st->cols);
	free(st->cbuf);
	free(st->ccap);
	free(st->clen);
	free(st->cnull);
	free(st->cerr);
	st->cols = NULL;
	st->cbuf = NULL;
	st->ccap = NULL;
	st->clen = NULL;
	st->cnull = NULL;
	st->cerr = NULL;
	st->ncols = 0;
}

/* The statement, or NULL with cm_db_error set. */
struct cm_stmt *
cm_db_prepare(struct cm_db *db, const char *sql)
{
	struct cm_stmt *st = NULL;
	if (db->my == NULL) {
		db_seterr(db, "not connected");
		return NULL;
	}
	if (db->cache_on) {
		for (unsigned i = 0; i < db->ncached; i++) {
			st = db->cached[i];
			if (!st->in_use && strcmp(st->sql, sql) == 0) {
				st->in_use = 1;
				return st;
			}
		}
		st = NULL;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		goto nomem;
	st->db = db;
	st->st = mysql_stmt_init(db->my);
	if (st->st == NULL)
		goto nomem;
	if (mysql_stmt_prepare(st->st, sql, strlen(sql)) != 0) {
		stmt_err(st);
		cm_debug("prepare failed: %s", sql);
		cm_stmt_close(st);
		return NULL;
	}
	st->nparams = (unsigned)mysql_stmt_param_count(st->st);
	if (st->nparams) {
		st->params = calloc(st->nparams, sizeof(*st->params));
		st->pbuf = calloc(st->nparams, sizeof(*st->pbuf));
		st->plen = calloc(st->nparams, sizeof(*st->plen));
		st->pnull = calloc(st->nparams, sizeof(*st->pnull));
		st->pint = calloc(st->nparams, sizeof(*st->pint));
		st->pbound = calloc(st->nparams, sizeof(*st->pbound));
		if (!st->params || !st->pbuf || !st->plen || !st->pnull ||
		    !st->pint || !st->pbound)
			goto nomem;
	}
	/* Kept once it is prepared; a full cache (or no memory for the copy)
	 * just leaves this one uncached. */
	if (db->cache_on && db->ncached < CM_DB_STMT_CACHE && (st->sql = strdup(sql)) != NULL)
		db->cached[db->ncached++] = st;
	st->in_use = 1;
	return st;
nomem:
	db_seterr(db, "out of memory");
	cm_stmt_close(st);
	return NULL;
}

static int
bind_check(struct cm_stmt *st, unsigned idx)
{
	if (idx >= st->nparams) {
		db_seterr(st->db, "parameter %u out of range (statement has %u)",
		    idx, st->nparams);
		return -1;
	}
	free(st->pbuf[idx]);
	st->pbuf[idx] = NULL;
	memset(&st->params[idx], 0, sizeof(st->params[idx]));
	st->pnull[idx] = 0;
	return 0;
}

static int
bind_bytes(struct cm_stmt *st, unsigned idx, enum enum_field_types type,
    const void *p, size_t n)
{
	if (bind_check(st, idx) < 0)
		return -1;
	if (n > ULONG_MAX - 1) {
		db_seterr(st->db, "parameter %u too long", idx);
		return -1;
	}
	/* +1 so that an empty value still has a valid buffer */
	st->pbuf[idx] = malloc(n + 1);
	if (st->pbuf[idx] == NULL) {
		db_seterr(st->db, "out of memory");
		return -1;
	}
	if (n)
		memcpy(st->pbuf[idx], p, n);
	st->plen[idx] = (unsigned long)n;
	st->params[idx].buffer_type = type;
	st->params[idx].buffer = st->pbuf[idx];
	st->params[idx].buffer_length = (unsigned long)n;
	st->params[idx].length = &st->plen[idx];
	st->params[idx].is_null = &st->pnull[idx];
	st->pbound[idx] = 1;
	return 0;
}

/* 0 or -1; NULL binds SQL NULL. */
int
cm_stmt_bind_str(struct cm_stmt *st, unsigned idx, const char *s)
{
	if (s == NULL)
		return cm_stmt_bind_null(st, idx);
	return bind_bytes(st, idx, MYSQL_TYPE_STRING, s, strlen(s));
}

/* 0 or -1; p == NULL binds SQL NULL. */
int
cm_stmt_bind_blob(struct cm_stmt *st, unsigned idx, const void *p, size_t n)
{
	if (p == NULL)
		return cm_stmt_bind_null(st, idx);
	return bind_bytes(st, idx, MYSQL_TYPE_BLOB, p, n);
}

/* 0 or -1. */
int
cm_stmt_bind_i64(struct cm_stmt *st, unsigned idx, int64_t v)
{
	if (bind_check(st, idx) < 0)
		return -1;
	st->pint[idx] = v;
	st->params[idx].buffer_type = MYSQL_TYPE_LONGLONG;
	st->params[idx].buffer = &st->pint[idx];
	st->params[idx].is_null = &st->pnull[idx];
	st->pbound[idx] = 1;
	return 0;
}

/* 0 or -1. */
int
cm_stmt_bind_null(struct cm_stmt *st, unsigned idx)
{
	if (bind_check(st, idx) < 0)
		return -1;
	st->pnull[idx] = 1;
	st->params[idx].buffer_type = MYSQL_TYPE_NULL;
	st->params[idx].is_null = &st->pnull[idx];
	st->pbound[idx] = 1;
	return 0;
}

/* Binds every result column as a growable string buffer. 0 or -1. */
static int
stmt_bind_columns(struct cm_stmt *st, MYSQL_RES *meta)
{
	unsigned n = mysql_num_fields(meta);
	MYSQL_FIELD *fields = mysql_fetch_fields(meta);
	st->ncols = n;
	st->cols = calloc(n, sizeof(*st->cols));
	st->cbuf = calloc(n, sizeof(*st->cbuf));
	st->ccap = calloc(n, sizeof(*st->ccap));
	st->clen = calloc(n, sizeof(*st->clen));
	st->cnull = calloc(n, sizeof(*st->cnull));
	st->cerr = calloc(n, sizeof(*st->cerr));
	if (!st->cols || !st->cbuf || !st->ccap || !st->clen || !st->cnull || !st->cerr)
		goto nomem;
	for (unsigned i = 0; i < n; i++) {
		/* max_length is exact for the stored rows of string columns;
		 * numbers and dates fit in 80 characters once converted. A
		 * value that still does not fit is re-read in cm_stmt_fetch. */
		unsigned long cap = fields[i].max_length;
		if (cap < 80)
			cap = 80;
		st->cbuf[i] = malloc(cap + 1);
		if (st->cbuf[i] == NULL)
			goto nomem;
		st->ccap[i] = cap;
		st->cols[i].buffer_type = (fields[i].charsetnr == 63 &&
		    (fields[i].type == MYSQL_TYPE_BLOB ||
		     fields[i].type == MYSQL_TYPE_MEDIUM_BLOB ||
		     fields[i].type == MYSQL_TYPE_LONG_BLOB ||
		     fields[i].type == MYSQL_TYPE_TINY_BLOB ||
		     fields[i].type == MYSQL_TYPE_VAR_STRING ||
		     fields[i].type == MYSQL_TYPE_STRING)) ?
		    MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
		st->cols[i].buffer = st->cbuf[i];
		st->cols[i].buffer_length = cap;
		st->cols[i].length = &st->clen[i];
		st->cols[i].is_null = &st->cnull[i];
		st->cols[i].error = &st->cerr[i];
	}
	if (mysql_stmt_bind_result(st->st, st->cols) != 0) {
		stmt_err(st);
		return -1;
	}
	return 0;
nomem:
	db_seterr(st->db, "out of memory");
	return -1;
}

/* 0 or -1. Buffers the whole result client-side (store_result), so keep
 * result sets bounded with LIMIT; that is also what keyset pages do. */
int
cm_stmt_execute(struct cm_stmt *st)
{
	MYSQL_RES *meta = NULL;
	my_bool on = 1;
	int rc = -1;

	for (unsigned i = 0; i < st->nparams; i++) {
		if (!st->pbound[i]) {
			db_seterr(st->db, "parameter %u not bound", i);
			return -1;
		}
	}
	if (st->have_result) {
		mysql_stmt_free_result(st->st);
		st->have_result = 0;
	}
	stmt_free_columns(st);
	if (st->nparams && mysql_stmt_bind_param(st->st, st->params) != 0)
		goto dberr;
	if (mysql_stmt_attr_set(st->st, STMT_ATTR_UPDATE_MAX_LENGTH, &on) != 0)
		goto dberr;
	if (mysql_stmt_execute(st->st) != 0)
		goto dberr;
	meta = mysql_stmt_result_metadata(st->st);
	if (meta == NULL) {
		if (mysql_stmt_errno(st->st) != 0)
			goto dberr;
		return 0;           /* no result set: INSERT, UPDATE, ... */
	}
	if (mysql_stmt_store_result(st->st) != 0)
		goto dberr;
	st->have_result = 1;
	if (stmt_bind_columns(st, meta) < 0)
		goto out;
	rc = 0;
	goto out;
dberr:
	stmt_err(st);
out:
	if (meta)
		mysql_free_result(meta);
	return rc;
}

/* Re-reads column i whole after a truncated fetch. 0 or -1. */
static int
stmt_refetch_column(struct cm_stmt *st, unsigned i)
{
	unsigned long need = st->clen[i];
	char *nb = NULL;
	if (need == ULONG_MAX) {
		db_seterr(st->db, "column %u too long", i);
		return -1;
	}
	nb = realloc(st->cbuf[i], need + 1);
	if (nb == NULL) {
		db_seterr(st->db, "out of memory");
		return -1;
	}
	st->cbuf[i] = nb;
	st->ccap[i] = need;
	st->cols[i].buffer = nb;
	st->cols[i].buffer_length = need;
	if (mysql_stmt_fetch_column(st->st, &st->cols[i], i, 0) != 0) {
		stmt_err(st);
		return -1;
	}
	/* the new buffer must also serve the following rows */
	if (mysql_stmt_bind_result(st->st, st->cols) != 0) {
		stmt_err(st);
		return -1;
	}
	return 0;
}

/* 1 when a row is ready, 0 when no more rows, -1 on error. */
int
cm_stmt_fetch(struct cm_stmt *st)
{
	int r;
	if (!st->have_result)
		return 0;
	r = mysql_stmt_fetch(st->st);
	if (r == MYSQL_NO_DATA)
		return 0;
	if (r == 1) {
		stmt_err(st);
		return -1;
	}
	for (unsigned i = 0; i < st->ncols; i++) {
		if (st->cnull[i])
			continue;
		if (st->clen[i] > st->ccap[i] && stmt_refetch_column(st, i) < 0)
			return -1;
		st->cbuf[i][st->clen[i]] = '\0';
	}
	return 1;
}

/* The column's text (NUL-terminated, *len bytes), or NULL for SQL NULL or a
 * bad index. Valid until the next fetch or close. */
const char *
cm_stmt_str(struct cm_stmt *st, unsigned idx, size_t *len)
{
	if (len)
		*len = 0;
	if (idx >= st->ncols || st->cnull[idx])
		return NULL;
	if (len)
		*len = st->clen[idx];
	return st->cbuf[idx];
}

/* The column as an integer; 0 for NULL or non-numbers. */
int64_t
cm_stmt_i64(struct cm_stmt *st, unsigned idx)
{
	const char *s = cm_stmt_str(st, idx, NULL);
	return s ? (int64_t)strtoll(s, NULL, 10) : 0;
}

/* 1 for SQL NULL (or a bad index), else 0. */
int
cm_stmt_is_null(struct cm_stmt *st, unsigned idx)
{
	return idx >= st->ncols || st->cnull[idx];
}

/* Columns of the current result, 0 before execute or without a result. */
unsigned
cm_stmt_ncols(struct cm_stmt *st)
{
	return st->ncols;
}

/* AUTO_INCREMENT value of the last INSERT, 0 when none. */
uint64_t
cm_stmt_insert_id(struct cm_stmt *st)
{
	return (uint64_t)mysql_stmt_insert_id(st->st);
}

/* Rows changed by the last execute (rows stored, for a SELECT). */
uint64_t
cm_stmt_affected(struct cm_stmt *st)
{
	return (uint64_t)mysql_stmt_affected_rows(st->st);
}

/* No return value; NULL is allowed. */
void
cm_stmt_close(struct cm_stmt *st)
{
	if (st == NULL)
		return;
	if (st->sql != NULL) {
		/* Kept: back to a freshly prepared state for the next caller. */
		if (st->have_result)
			mysql_stmt_free_result(st->st);
		st->have_result = 0;
		stmt_free_columns(st);
		for (unsigned i = 0; i < st->nparams; i++) {
			free(st->pbuf[i]);
			st->pbuf[i] = NULL;
			st->pbound[i] = 0;
		}
		st->in_use = 0;
		return;
	}
	stmt_free(st);
}

/* Frees a statement and its server side. No return value. */
static void
stmt_free(struct cm_stmt *st)
{
	free(st->sql);
	if (st->st) {
		if (st->have_result)
			mysql_stmt_free_result(st->st);
		mysql_stmt_close(st->st);
	}
	stmt_free_columns(st);
	for (unsigned i = 0; i < st->nparams; i++)
		free(st->pbuf ? st->pbuf[i] : NULL);
	free(st->params);
	free(st->pbuf);
	free(st->plen);
	free(st->pnull);
	free(st->pint);
	free(st->pbound);
	free(st);
}

/* 1 when the whole value fitted in dst, 0 when it was cut. */
int
cm_stmt_copy_str(struct cm_stmt *st, unsigned idx, char *dst, size_t dstlen)
{
	size_t n = 0;
	const char *s = cm_stmt_str(st, idx, &n);

	if (dstlen == 0)
		return s == NULL || n == 0;
	if (s == NULL)
		n = 0;
	if (n >= dstlen) {
		memcpy(dst, s, dstlen - 1);
		dst[dstlen - 1] = '\0';
		return 0;
	}
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
	return 1;
}

/* 0, or -1 when out is too small. */
int
cm_sql_like_prefix(char *out, size_t outlen, const char *q, unsigned flags)
{
	size_t o = 0;

	/* room for the leading '%', then per character an escape and the
	 * character, and at the end '%' and the NUL */
	if (outlen < ((flags & CM_LIKE_ANYWHERE) ? 3u : 2u))
		return -1;
	if (flags & CM_LIKE_ANYWHERE)
		out[o++] = '%';
	for (; *q; q++) {
		if (o + 4 > outlen)
			return -1;
		if (*q == '%' || *q == '_' || *q == '\\')
			out[o++] = '\\';
		out[o++] = (flags & CM_LIKE_LOWER) ? (char)tolower((unsigned char)*q) : *q;
	}
	out[o++] = '%';
	out[o] = '\0';
	return 0;
}
