/* cmd_migrate.c: certmint migrate: the schema migrations and the programs' grants, with the migration account. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access_code_upgrade.h"
#include "cli.h"
#include "conffile.h"
#include "migrate.h"

static const char migrate_usage[] =
    "usage: certmint migrate [--credentials FILE]\n"
    "\n"
    "Logs in to the database with the migration account, applies the schema\n"
    "migrations (schema_dir in certmint.conf) that the database has not\n"
    "recorded yet, in numeric order, then grants the programs' account\n"
    "([database] user) exactly what it may do on every table: SELECT, INSERT,\n"
    "UPDATE, DELETE; on audit_log only SELECT and INSERT; no DDL, no GRANT.\n"
    "\n"
    "The migration account's credentials are in FILE (default: migrate.conf\n"
    "next to certmint.conf), which must belong to root and be readable by\n"
    "nobody else (0600):\n"
    "  [migrate]\n"
    "  user = certmint_migrate\n"
    "  password = ...\n"
    "  app_host = localhost    (host part of the programs' account)\n";

/* The migration account: its own file, readable by root alone. */
struct migrate_creds {
	char *user;
	char *password;
	char *app_host;           /* the programs' account is [database] user @ this */
};

#define F(key, field) \
	{ "migrate", key, CM_CONF_STR, offsetof(struct migrate_creds, field), 0, 0 }
static const struct cm_conf_field creds_fields[] = {
	F("user", user),
	F("password", password),
	F("app_host", app_host),
	{ NULL, NULL, 0, 0, 0, 0 }
};
#undef F

static int
creds_cb(void *ctx, const char *section, const char *key, const char *value,
    char *err, size_t errlen)
{
	return cm_conf_apply(creds_fields, ctx, section, key, value, err, errlen);
}

static void
creds_free(struct migrate_creds *m)
{
	if (m->password)
		memset(m->password, 0, strlen(m->password));
	cm_conf_free_fields(creds_fields, m);
}

/*
 * Reads the credentials file after checking that only root can read it: a
 * file the programs' uids could read would hand them DDL and GRANT. 0, or
 * -1 printed.
 */
static int
creds_load(const char *path, struct migrate_creds *m)
{
	char err[512];
	struct stat sb;
	int fd;

	memset(m, 0, sizeof(*m));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		cli_error("migration account: %s: %s (see certmint migrate --help)", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (!S_ISREG(sb.st_mode) || sb.st_uid != 0 || (sb.st_mode & 077) != 0) {
		cli_error("migration account: %s must be a file owned by root, mode 0600 or 0400"
		    " (it is %04o, uid %u)", path, (unsigned)(sb.st_mode & 07777), (unsigned)sb.st_uid);
		return -1;
	}
	if (cm_conf_parse_file(path, creds_cb, m, err, sizeof(err)) < 0) {
		cli_error("%s", err);
		creds_free(m);
		return -1;
	}
	if (m->user == NULL || m->password == NULL) {
		cli_error("%s: [migrate] needs user and password", path);
		creds_free(m);
		return -1;
	}
	if (m->app_host == NULL && (m->app_host = strdup("localhost")) == NULL) {
		cli_error("out of memory");
		creds_free(m);
		return -1;
	}
	return 0;
}

/* The default credentials file: migrate.conf in certmint.conf's directory. */
static void
default_creds_path(const struct cli *c, char *out, size_t len)
{
	const char *conf = c->conf_path ? c->conf_path : getenv("CERTMINT_CONF");
	char copy[PATH_MAX];

	if (conf == NULL)
		conf = CM_DEFAULT_CONF;
	snprintf(copy, sizeof(copy), "%s", conf);
	snprintf(out, len, "%s/migrate.conf", dirname(copy));
}

int
cmd_migrate(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "credentials", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct migrate_creds m;
	struct cm_settings as_migrator;
	struct cm_db *db = NULL;
	char path[PATH_MAX], err[512];
	const char *creds = NULL;
	long before, after, hashed;
	int opt, ntables = 0, rc = CLI_FAIL;

	memset(&m, 0, sizeof(m));
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'C': creds = optarg; break;
		case 'h': fputs(migrate_usage, stdout); return CLI_OK;
		default: fputs(migrate_usage, stderr); return CLI_FAIL;
		}
	}
	if (optind != argc) {
		fputs(migrate_usage, stderr);
		return CLI_FAIL;
	}
	if (cli_load(c) < 0)
		return CLI_FAIL;
	if (creds == NULL) {
		default_creds_path(c, path, sizeof(path));
		creds = path;
	}
	if (creds_load(creds, &m) < 0)
		return CLI_FAIL;
	/* certmint.conf's server and database, the migration account's login. */
	as_migrator = c->set;
	as_migrator.db_user = m.user;
	as_migrator.db_password = m.password;
	if (cm_db_connect(&db, &as_migrator, err, sizeof(err)) < 0) {
		cli_error("migration account %s: %s", m.user, err);
		goto out;
	}
	before = cli_schema_version(db);
	if (cm_db_migrate(db, c->set.schema_dir, err, sizeof(err)) < 0) {
		cli_error("migration failed: %s", err);
		goto out;
	}
	/* 020's second half: the key is a file SQL cannot read (lib/access_code_upgrade.h). */
	if ((hashed = cm_access_code_upgrade(db, c->set.access_code_key, c->set.access_code_key_len,
	    err, sizeof(err))) < 0) {
		cli_error("migration 020: %s", err);
		goto out;
	}
	if (hashed > 0)
		printf("access codes: %ld plaintext code%s hashed\n", hashed, hashed == 1 ? "" : "s");
	after = cli_schema_version(db);
	if (after == before)
		printf("schema: version %ld, up to date\n", after);
	else
		printf("schema: version %ld (was %ld)\n", after, before < 0 ? 0 : before);
	if (cm_db_grant_app(db, c->set.db_user, m.app_host, &ntables, err, sizeof(err)) < 0) {
		cli_error("grants: %s", err);
		goto out;
	}
	printf("grants: %s@%s may read and write %d tables (audit_log: read and append only),"
	    " no DDL\n", c->set.db_user, m.app_host, ntables);
	rc = CLI_OK;
out:
	cm_db_close(db);
	creds_free(&m);
	return rc;
}
