/* migrate.c: numbered schema migrations (schema/NNN_*.sql), applied in order and recorded in schema_migrations. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "migrate.h"

/* 1 when name is "NNN_anything.sql", with NNN in *version; else 0. */
int
cm_migration_version(const char *name, long *version)
{
	const char *p = name;
	size_t n = strlen(name);
	long v = 0;
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p)) {
		if (v > (LONG_MAX - 9) / 10)
			return 0;
		v = v * 10 + (*p - '0');
		p++;
	}
	if (*p != '_' || n < 4 || strcmp(name + n - 4, ".sql") != 0 ||
	    (size_t)(p - name) + 1 + 4 > n)
		return 0;
	*version = v;
	return 1;
}

/* See migrate.h. */
int
cm_sql_split(const char *text, size_t len, cm_sql_stmt_cb cb, void *ctx,
    char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	char *stmt = NULL;
	size_t slen = 0;
	unsigned line = 0, start_line = 0;
	int rc = -1;

	stmt = malloc(len + 1);
	if (stmt == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *b = p, *e = eol;
		line++;
		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		/* whole-line comments are dropped, also inside a statement */
		if (b == e || (e - b >= 2 && b[0] == '-' && b[1] == '-')) {
			p = nl ? nl + 1 : end;
			continue;
		}
		if (slen == 0)
			start_line = line;
		else
			stmt[slen++] = '\n';
		memcpy(stmt + slen, b, (size_t)(e - b));
		slen += (size_t)(e - b);
		if (e[-1] == ';') {
			slen--;
			while (slen && isspace((unsigned char)stmt[slen - 1]))
				slen--;
			stmt[slen] = '\0';
			if (slen) {
				int r = cb(ctx, stmt, start_line);
				if (r != 0) {
					rc = r;
					goto out;
				}
			}
			slen = 0;
		}
		p = nl ? nl + 1 : end;
	}
	if (slen) {
		snprintf(err, errlen, "line %u: statement not terminated by ';' at a line end",
		    start_line);
		goto out;
	}
	rc = 0;
out:
	free(stmt);
	return rc;
}

static int
migration_cmp(const void *a, const void *b)
{
	const struct cm_migration *x = a, *y = b;
	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* No return value. */
void
cm_migration_free(struct cm_migration *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i].name);
	free(list);
}

/* See migrate.h: 0, or -1 with err. */
int
cm_migration_scan(const char *dir, struct cm_migration **out, size_t *outn,
    char *err, size_t errlen)
{
	DIR *d = NULL;
	struct dirent *de;
	struct cm_migration *list = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	*outn = 0;
	d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		long v;
		if (!cm_migration_version(de->d_name, &v))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct cm_migration *nl = realloc(list, ncap * sizeof(*list));
			if (nl == NULL)
				goto nomem;
			list = nl;
			cap = ncap;
		}
		list[n].version = v;
		list[n].name = strdup(de->d_name);
		if (list[n].name == NULL)
			goto nomem;
		n++;
	}
	closedir(d);
	d = NULL;
	if (n)
		qsort(list, n, sizeof(*list), migration_cmp);
	/* "2_a.sql" and "002_b.sql" would both claim version 2 */
	for (size_t i = 1; i < n; i++) {
		if (list[i].version == list[i - 1].version) {
			snprintf(err, errlen, "%s and %s have the same version number",
			    list[i - 1].name, list[i].name);
			goto fail;
		}
	}
	*out = list;
	*outn = n;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	if (d)
		closedir(d);
	cm_migration_free(list, n);
	return -1;
}

/* Reads a whole file of at most max bytes. 0, or -1 with err. */
static int
read_small_file(const char *path, size_t max, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > max) {
		snprintf(err, errlen, "%s: not a regular file of at most %zu bytes", path, max);
		close(fd);
		return -1;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	while (len < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)sb.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "%s: read failed", path);
			free(buf);
			close(fd);
			return -1;
		}
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

struct exec_ctx {
	struct cm_db *db;
	const char *file;
	char *err;
	size_t errlen;
};

static int
exec_one(void *vctx, const char *stmt, unsigned line)
{
	struct exec_ctx *c = vctx;
	if (cm_db_exec(c->db, stmt) < 0) {
		snprintf(c->err, c->errlen, "%s:%u: %s", c->file, line, cm_db_error(c->db));
		return -1;
	}
	return 0;
}

/* 1 when version is recorded, 0 when not, -1 on error. */
static int
migration_applied(struct cm_db *db, long version)
{
	int rc = -1;
	struct cm_stmt *st = cm_db_prepare(db,
	    "SELECT 1 FROM schema_migrations WHERE version = ?");
	if (st == NULL)
		return -1;
	if (cm_stmt_bind_i64(st, 0, version) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	rc = cm_stmt_fetch(st);
out:
	cm_stmt_close(st);
	return rc;
}

static int
migration_record(struct cm_db *db, long version, const char *name)
{
	int rc = -1;
	struct cm_stmt *st = cm_db_prepare(db,
	    "INSERT INTO schema_migrations (version, name, applied_at) "
	    "VALUES (?, ?, UTC_TIMESTAMP())");
	if (st == NULL)
		return -1;
	if (cm_stmt_bind_i64(st, 0, version) < 0 ||
	    cm_stmt_bind_str(st, 1, name) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	rc = 0;
out:
	cm_stmt_close(st);
	return rc;
}

/* Serialises concurrent migrators (several programs may start at once).
 * 0 done, 1 another process holds the lock (take only), -1 database error. */
static int
migrate_lock(struct cm_db *db, int take)
{
	int rc = -1;
	struct cm_stmt *st = cm_db_prepare(db, take ?
	    "SELECT GET_LOCK('certmint.migrate', 60)" :
	    "SELECT RELEASE_LOCK('certmint.migrate')");
	if (st == NULL)
		return -1;
	if (cm_stmt_execute(st) < 0 || cm_stmt_fetch(st) != 1)
		goto out;
	rc = take && cm_stmt_i64(st, 0) != 1 ? 1 : 0;
out:
	cm_stmt_close(st);
	return rc;
}

/* Applies unrecorded schema_dir/NNN_*.sql files in version order. 0, or -1
 * with err naming the file and the server's error. */
int
cm_db_migrate(struct cm_db *db, const char *schema_dir, char *err, size_t errlen)
{
	struct cm_migration *list = NULL;
	size_t n = 0;
	char *text = NULL;
	char path[PATH_MAX];
	int locked = 0, rc = -1, r;

	if (cm_db_exec(db,
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version INT NOT NULL PRIMARY KEY,"
	    " name VARCHAR(255) NOT NULL,"
	    " applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP"
	    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci") < 0) {
		snprintf(err, errlen, "creating schema_migrations: %s", cm_db_error(db));
		return -1;
	}
	if (cm_migration_scan(schema_dir, &list, &n, err, errlen) < 0)
		return -1;
	if ((r = migrate_lock(db, 1)) != 0) {
		snprintf(err, errlen, "migration lock: %s", r > 0 ?
		    "another process holds the migration lock" : cm_db_error(db));
		goto out;
	}
	locked = 1;
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;
		int applied = migration_applied(db, list[i].version);
		struct exec_ctx ctx = { db, list[i].name, err, errlen };
		if (applied < 0) {
			snprintf(err, errlen, "%s: %s", list[i].name, cm_db_error(db));
			goto out;
		}
		if (applied)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", schema_dir,
		    list[i].name) >= sizeof(path)) {
			snprintf(err, errlen, "%s: path too long", list[i].name);
			goto out;
		}
		if (read_small_file(path, CM_MIGRATION_MAX_BYTES, &text, &len, err, errlen) < 0)
			goto out;
		if (memchr(text, '\0', len) != NULL) {
			snprintf(err, errlen, "%s: contains a NUL byte", list[i].name);
			goto out;
		}
		cm_info("applying migration %s", list[i].name);
		if (cm_sql_split(text, len, exec_one, &ctx, err, errlen) != 0) {
			/* a split error has no file name yet */
			if (strncmp(err, list[i].name, strlen(list[i].name)) != 0) {
				char tmp[512];
				snprintf(tmp, sizeof(tmp), "%s", err);
				snprintf(err, errlen, "%s: %s", list[i].name, tmp);
			}
			goto out;
		}
		free(text);
		text = NULL;
		if (migration_record(db, list[i].version, list[i].name) < 0) {
			snprintf(err, errlen, "%s: recording: %s", list[i].name, cm_db_error(db));
			goto out;
		}
	}
	rc = 0;
out:
	if (locked && migrate_lock(db, 0) < 0)
		cm_warn("releasing migration lock: %s", cm_db_error(db));
	free(text);
	cm_migration_free(list, n);
	return rc;
}

/* See migrate.h: 0, or -1 with err. */
int
cm_db_schema_pending(struct cm_db *db, const char *schema_dir, long *pending,
    char *err, size_t errlen)
{
	struct cm_migration *list = NULL;
	struct cm_stmt *st = NULL;
	size_t n = 0;
	int have_table, rc = -1;

	*pending = 0;
	if (cm_migration_scan(schema_dir, &list, &n, err, errlen) < 0)
		return -1;
	/* A database no migration ever touched has no schema_migrations. */
	st = cm_db_prepare(db, "SELECT COUNT(*) FROM information_schema.TABLES"
	    " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'schema_migrations'");
	if (st == NULL || cm_stmt_execute(st) < 0 || cm_stmt_fetch(st) != 1) {
		snprintf(err, errlen, "reading the schema version: %s", cm_db_error(db));
		goto out;
	}
	have_table = cm_stmt_i64(st, 0) > 0;
	for (size_t i = 0; i < n; i++) {
		int applied = have_table ? migration_applied(db, list[i].version) : 0;

		if (applied < 0) {
			snprintf(err, errlen, "reading the schema version: %s", cm_db_error(db));
			goto out;
		}
		if (!applied)
			(*pending)++;
	}
	rc = 0;
out:
	cm_stmt_close(st);
	cm_migration_free(list, n);
	return rc;
}

/*
 * What the programs' account may do to each table. Every table not named
 * here gets plain DML, so a table a new migration adds is usable at once;
 * a table whose rows must not be rewritten by the programs gets a line.
 * audit_log: appended to and read, never changed (the hash chain's rows);
 * audit_head: its one row is read and moved forward by lib/audit.c;
 * schema_migrations: read by the programs' start-up check only.
 * "revoke" lists what the account must lose should an older grant have
 * given it; the DDL and GRANT privileges are revoked from every table.
 */
static const struct {
	const char *table;
	const char *grant;
	const char *revoke;
} app_table_privs[] = {
	{ "audit_log", "SELECT, INSERT", "UPDATE, DELETE" },
	{ "audit_head", "SELECT, UPDATE", "INSERT, DELETE" },
	{ "schema_migrations", "SELECT", "INSERT, UPDATE, DELETE" },
};
#define APP_DML "SELECT, INSERT, UPDATE, DELETE"
#define APP_NEVER "CREATE, DROP, ALTER, INDEX, TRIGGER, REFERENCES, CREATE VIEW, SHOW VIEW," \
	" DELETE HISTORY, GRANT OPTION"

/* MariaDB's "there is no such grant" for a database and a table. */
#define ER_NONEXISTING_GRANT 1141
#define ER_NONEXISTING_TABLE_GRANT 1147

/* Sets @cm_table (quoted), @cm_grant and @cm_revoke for the statements below. 0 or -1. */
static int
grant_vars(struct cm_db *db, const char *table, const char *grant, const char *revoke)
{
	int rc = -1;
	struct cm_stmt *st = cm_db_prepare(db,
	    "SET @cm_table = CONCAT('`', REPLACE(?, '`', '``'), '`'), @cm_grant = ?, @cm_revoke = ?");

	if (st == NULL)
		return -1;
	if (cm_stmt_bind_str(st, 0, table) < 0 || cm_stmt_bind_str(st, 1, grant) < 0 ||
	    cm_stmt_bind_str(st, 2, revoke) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	rc = 0;
out:
	cm_stmt_close(st);
	return rc;
}

/* See migrate.h: 0, or -1 with err. */
int
cm_db_grant_app(struct cm_db *db, const char *user, const char *host, int *ntables,
    char *err, size_t errlen)
{
	struct cm_stmt *st = NULL;
	char **tables = NULL;
	size_t n = 0, cap = 0;
	char revoke[256];
	int r, rc = -1;

	*ntables = 0;
	/*
	 * GRANT takes no '?' for names, so each statement is one constant text
	 * that the server completes from session variables: names bound as
	 * parameters, then quoted by the server itself (QUOTE for the account,
	 * doubled backquotes for a table). Privilege lists come from the
	 * constants above only.
	 */
	st = cm_db_prepare(db, "SELECT CONCAT(QUOTE(?), '@', QUOTE(?)) = CONCAT(QUOTE("
	    "SUBSTRING_INDEX(CURRENT_USER(), '@', 1)), '@', QUOTE(SUBSTRING_INDEX(CURRENT_USER(), '@', -1)))");
	if (st == NULL || cm_stmt_bind_str(st, 0, user) < 0 || cm_stmt_bind_str(st, 1, host) < 0 ||
	    cm_stmt_execute(st) < 0 || cm_stmt_fetch(st) != 1)
		goto dberr;
	if (cm_stmt_i64(st, 0) == 1) {
		snprintf(err, errlen, "the migration account is the programs' account %s@%s:"
		    " give migrations an account of their own", user, host);
		goto out;
	}
	cm_stmt_close(st);
	st = cm_db_prepare(db, "SET @cm_grantee = CONCAT(QUOTE(?), '@', QUOTE(?))");
	if (st == NULL || cm_stmt_bind_str(st, 0, user) < 0 || cm_stmt_bind_str(st, 1, host) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto dberr;
	cm_stmt_close(st);
	st = cm_db_prepare(db, "SELECT TABLE_NAME FROM information_schema.TABLES"
	    " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME");
	if (st == NULL || cm_stmt_execute(st) < 0)
		goto dberr;
	while ((r = cm_stmt_fetch(st)) == 1) {
		const char *name = cm_stmt_str(st, 0, NULL);

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **nt = realloc(tables, ncap * sizeof(*tables));

			if (nt == NULL)
				goto nomem;
			tables = nt;
			cap = ncap;
		}
		if ((tables[n] = strdup(name ? name : "")) == NULL)
			goto nomem;
		n++;
	}
	if (r < 0)
		goto dberr;
	cm_stmt_close(st);
	st = NULL;

	for (size_t i = 0; i < n; i++) {
		const char *grant = APP_DML, *extra = NULL;

		for (size_t k = 0; k < sizeof(app_table_privs) / sizeof(app_table_privs[0]); k++) {
			if (strcmp(tables[i], app_table_privs[k].table) == 0) {
				grant = app_table_privs[k].grant;
				extra = app_table_privs[k].revoke;
			}
		}
		snprintf(revoke, sizeof(revoke), "%s%s%s", APP_NEVER, extra ? ", " : "", extra ? extra : "");
		/* Grant first, then revoke: the account never lacks what it needs. */
		if (grant_vars(db, tables[i], grant, revoke) < 0 ||
		    cm_db_exec(db, "EXECUTE IMMEDIATE CONCAT('GRANT ', @cm_grant, ' ON ', @cm_table,"
		    " ' TO ', @cm_grantee)") < 0 ||
		    cm_db_exec(db, "EXECUTE IMMEDIATE CONCAT('REVOKE ', @cm_revoke, ' ON ', @cm_table,"
		    " ' FROM ', @cm_grantee)") < 0) {
			snprintf(err, errlen, "granting %s on %s to %s@%s: %s", grant, tables[i],
			    user, host, cm_db_error(db));
			goto out;
		}
	}
	/* Database-wide privileges (an install from before issue 8 had ALL):
	 * none is wanted, and "no such grant" means there was none. */
	if (cm_db_exec(db, "EXECUTE IMMEDIATE CONCAT('REVOKE ALL PRIVILEGES ON `',"
	    " REPLACE(DATABASE(), '`', '``'), '`.* FROM ', @cm_grantee)") < 0 &&
	    cm_db_errno(db) != ER_NONEXISTING_GRANT)
		goto dberr;
	if (cm_db_exec(db, "EXECUTE IMMEDIATE CONCAT('REVOKE GRANT OPTION ON `',"
	    " REPLACE(DATABASE(), '`', '``'), '`.* FROM ', @cm_grantee)") < 0 &&
	    cm_db_errno(db) != ER_NONEXISTING_GRANT)
		goto dberr;
	*ntables = (int)n;
	rc = 0;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
	goto out;
dberr:
	snprintf(err, errlen, "granting to %s@%s: %s", user, host, cm_db_error(db));
out:
	cm_stmt_close(st);
	for (size_t i = 0; i < n; i++)
		free(tables[i]);
	free(tables);
	return rc;
}
