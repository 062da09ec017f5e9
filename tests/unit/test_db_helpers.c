/* test_db_helpers.c: migration file naming, ordering and statement splitting (no database needed). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "migrate.h"
#include "tap.h"

struct collect {
	struct cm_buf out;     /* "LINE:STMT|" per statement */
	int stop_at;           /* stop (return 7) at this statement number, 0 never */
	int n;
};

static int
collect_cb(void *vctx, const char *stmt, unsigned line)
{
	struct collect *c = vctx;
	c->n++;
	if (c->stop_at && c->n == c->stop_at)
		return 7;
	return cm_buf_printf(&c->out, "%u:%s|", line, stmt) < 0 ? -1 : 0;
}

/* Splits text; returns the split's result and leaves the collected text in *got. */
static int
split(const char *text, char **got, int stop_at, char *err, size_t errlen)
{
	struct collect c;
	int r;
	memset(&c, 0, sizeof(c));
	cm_buf_init(&c.out, 0);
	c.stop_at = stop_at;
	err[0] = '\0';
	r = cm_sql_split(text, strlen(text), collect_cb, &c, err, errlen);
	*got = cm_buf_steal(&c.out);
	return r;
}

static void
test_versions(void)
{
	long v = -1;
	ok(cm_migration_version("001_init.sql", &v) == 1 && v == 1, "001_init.sql is version 1");
	ok(cm_migration_version("010_more.sql", &v) == 1 && v == 10, "010_more.sql is version 10");
	ok(cm_migration_version("2_x.sql", &v) == 1 && v == 2, "2_x.sql is version 2");
	ok(!cm_migration_version("init.sql", &v), "no number: not a migration");
	ok(!cm_migration_version("001init.sql", &v), "no underscore: not a migration");
	ok(!cm_migration_version("001_init.sql~", &v), "editor backup: not a migration");
	ok(!cm_migration_version("001_init.sql.orig", &v), ".orig: not a migration");
	ok(!cm_migration_version("001_init.SQL", &v), "upper-case suffix: not a migration");
	ok(!cm_migration_version("README", &v), "README: not a migration");
	ok(!cm_migration_version("", &v), "empty name: not a migration");
	ok(!cm_migration_version("99999999999999999999999_x.sql", &v), "overflowing number refused");
}

static int
touch(const char *dir, const char *name)
{
	char p[512];
	FILE *f;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f == NULL)
		return -1;
	fputs("SELECT 1;\n", f);
	return fclose(f);
}

static void
rm(const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
}

static void
test_scan(void)
{
	char dir[] = "/tmp/cm-test-migrations-XXXXXX";
	struct cm_migration *list = NULL;
	size_t n = 0;
	char err[256];
	static const char *files[] = { "010_b.sql", "002_a.sql", "1_first.sql",
	    "README", "003_c.sql.orig", NULL };

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	for (int i = 0; files[i]; i++)
		touch(dir, files[i]);
	ok(cm_migration_scan(dir, &list, &n, err, sizeof(err)) == 0, "scan succeeds");
	is_int(n, 3, "scan keeps only migration files");
	if (n == 3) {
		is_str(list[0].name, "1_first.sql", "ordered numerically: first");
		is_str(list[1].name, "002_a.sql", "ordered numerically: second");
		is_str(list[2].name, "010_b.sql", "ordered numerically, not by text: third");
	}
	cm_migration_free(list, n);

	touch(dir, "2_dup.sql");
	ok(cm_migration_scan(dir, &list, &n, err, sizeof(err)) == -1, "two files with one version refused");
	ok(strstr(err, "002_a.sql") && strstr(err, "2_dup.sql"), "error names both files");
	rm(dir, "2_dup.sql");

	ok(cm_migration_scan("/nonexistent/dir", &list, &n, err, sizeof(err)) == -1 &&
	    strstr(err, "/nonexistent/dir") != NULL, "missing directory named in error");

	for (int i = 0; files[i]; i++)
		rm(dir, files[i]);
	rmdir(dir);
}

static void
test_split(void)
{
	char err[256], *got = NULL;

	ok(split("CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n", &got, 0, err, sizeof(err)) == 0,
	    "two statements split");
	is_str(got, "1:CREATE TABLE a (x INT)|2:CREATE TABLE b (y INT)|", "one per line");
	free(got);

	split("-- header\n\nCREATE TABLE a (\n\tx INT, -- inline stays\n\t-- whole line goes\n\ty INT\n);\n",
	    &got, 0, err, sizeof(err));
	is_str(got, "3:CREATE TABLE a (\nx INT, -- inline stays\ny INT\n)|",
	    "multi-line statement keeps its lines, drops whole-line comments, starts at line 3");
	free(got);

	split("INSERT INTO t VALUES ('a;b');\n", &got, 0, err, sizeof(err));
	is_str(got, "1:INSERT INTO t VALUES ('a;b')|", "';' inside a line does not split");
	free(got);

	split("SELECT 1; \r\nSELECT 2 ;\t\r\n", &got, 0, err, sizeof(err));
	is_str(got, "1:SELECT 1|2:SELECT 2|", "CRLF and trailing blanks tolerated");
	free(got);

	split("SELECT 1;\n;\n\nSELECT 2;", &got, 0, err, sizeof(err));
	is_str(got, "1:SELECT 1|4:SELECT 2|", "empty statements skipped; no final newline needed");
	free(got);

	ok(split("SELECT 1;\nSELECT 2\n", &got, 0, err, sizeof(err)) == -1,
	    "unterminated last statement refused");
	ok(strstr(err, "line 2") != NULL, "error gives the statement's line");
	free(got);

	ok(split("SELECT 1;\nSELECT 2;\nSELECT 3;\n", &got, 2, err, sizeof(err)) == 7,
	    "callback's error stops the split and is returned");
	is_str(got, "1:SELECT 1|", "no statement after the failing one runs");
	free(got);

	ok(split("", &got, 0, err, sizeof(err)) == 0 && got[0] == '\0', "empty text: no statements");
	free(got);
}

int
main(void)
{
	test_versions();
	test_scan();
	test_split();
	return tap_done();
}
