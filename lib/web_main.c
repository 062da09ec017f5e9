/* web_main.c: the one main() of every .fcgi program: options, certmint.conf, migrations, workers. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "access_code_upgrade.h"
#include "audit_signed.h"
#include "db.h"
#include "fcgi_main.h"
#include "log.h"
#include "migrate.h"
#include "ra_names.h"
#include "web.h"

/* The process's one application state; workers inherit it across fork. */
static struct cm_web_app web_app;

static void
usage(const char *name, FILE *out)
{
	fprintf(out,
	    "usage: %s [-c CERTMINT_CONF] [-s SOCKET] [-n WORKERS] [-u USER] [-g SOCKET_GROUP]\n"
	    "       %s --routes\n"
	    "  without -s, serves the FastCGI socket on fd 0 (mod_fcgid style)\n"
	    "  --routes prints the route table (METHOD PATTERN flags) and exits\n", name, name);
}

/* The first wait for a database that is down, and the longest. */
#define DB_RETRY_FIRST_MS 500
#define DB_RETRY_MAX_MS   30000

/*
 * Brings the schema up to date before any worker serves a request, so a new
 * release's migrations apply at start (migrations serialise on a server lock,
 * so several programs starting at once are safe). A database that cannot be
 * reached yet (started after us, restarting) is waited for, the pause
 * doubling from DB_RETRY_FIRST_MS to DB_RETRY_MAX_MS, each attempt logged;
 * SIGTERM still ends the wait. 0, or -1 when a migration failed (logged).
 */
static int
migrate_at_start(const struct cm_settings *s)
{
	struct cm_db *db = NULL;
	char err[512];
	unsigned wait_ms = DB_RETRY_FIRST_MS;
	int rc = -1;

	while (cm_db_connect(&db, s, err, sizeof(err)) < 0) {
		struct timespec ts = { wait_ms / 1000, (long)(wait_ms % 1000) * 1000000L };

		cm_err("database: %s; retrying in %u.%u s", err, wait_ms / 1000, wait_ms % 1000 / 100);
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		wait_ms = wait_ms * 2 > DB_RETRY_MAX_MS ? DB_RETRY_MAX_MS : wait_ms * 2;
	}
	if (cm_db_migrate(db, s->schema_dir, err, sizeof(err)) < 0)
		cm_err("schema migration: %s", err);
	else if (cm_access_code_upgrade(db, s->access_code_key, s->access_code_key_len, err, sizeof(err)) < 0)
		cm_err("schema migration 020: %s", err);
	else
		rc = 0;
	cm_db_close(db);
	return rc;
}

/* After fork and privilege drop: each worker has its own connection. 0 (a
 * failed connection is retried per request, which answers 503 meanwhile). */
static int
worker_init(void *appv)
{
	struct cm_web_app *app = appv;
	char err[256];

	if (!app->prog->uses_db)
		return 0;
	if (cm_db_connect(&app->db, &app->settings, err, sizeof(err)) < 0) {
		cm_err("database: %s (will retry per request)", err);
		app->db = NULL;
	}
	return 0;
}

static void
worker_fini(void *appv)
{
	struct cm_web_app *app = appv;

	cm_db_close(app->db);
	app->db = NULL;
}

/* Returns the exit status: 0, 1 start-up failure, 2 usage. */
int
cm_web_main(int argc, char **argv, const struct cm_web_program *p)
{
	struct cm_web_app *app = &web_app;
	struct cm_fcgi_opts o;
	const char *conf = NULL;
	char err[256];
	long workers = 0;
	int ch, level, rc = 1;

	memset(app, 0, sizeof(*app));
	memset(&o, 0, sizeof(o));
	app->prog = p;
	cm_log_init(p->name, CM_LOG_INFO, 0);
	if (argc == 2 && strcmp(argv[1], "--routes") == 0)
		return cm_routes_print(p, stdout) == 0 ? 0 : 1;
	while ((ch = getopt(argc, argv, "c:s:n:u:g:h")) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 's': o.socket_path = optarg; break;
		case 'n': {
			char *end;

			workers = strtol(optarg, &end, 10);
			if (*end || workers < 1 || workers > 256) {
				fprintf(stderr, "%s: -n: 1 to 256 workers\n", p->name);
				return 2;
			}
			break;
		}
		case 'u': o.user = optarg; break;
		case 'g': o.socket_group = optarg; break;
		default:
			usage(p->name, stderr);
			return ch == 'h' ? 0 : 2;
		}
	}
	if (optind != argc) {
		usage(p->name, stderr);
		return 2;
	}
	if (cm_settings_load(&app->settings, conf, err, sizeof(err)) < 0) {
		cm_err("configuration: %s", err);
		return 1;
	}
	if ((level = cm_log_level_parse(app->settings.log_level)) >= 0)
		cm_log_init(p->name, (enum cm_log_level)level, 0);
	cm_audit_checkpoint_setup(&app->settings);

	/* Before the workers fork, so they share the public suffix list. */
	if (p->uses_db)
		cm_ra_names_configure(app->settings.public_suffix_list, app->settings.allow_loopback_ip);
	if (p->uses_db && migrate_at_start(&app->settings) < 0) {
		cm_settings_free(&app->settings);
		return 1;
	}
	o.workers = (int)workers;
	cm_limits_default(&o.limits);
	if (app->settings.max_body > 0)
		o.limits.max_body = (size_t)app->settings.max_body;
	o.worker_init = worker_init;
	o.worker_fini = worker_fini;
	o.app = app;
	o.handler = cm_web_serve;
	if (cm_fcgi_run(&o) == 0)
		rc = 0;
	cm_settings_free(&app->settings);
	return rc;
}
