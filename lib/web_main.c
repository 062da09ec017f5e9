/* web_main.c: the one main() of every .fcgi program: options, certmint.conf, the schema check, its own uid, workers. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
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
	    "       [-m SOCKET_MODE]\n"
	    "       %s --routes\n"
	    "  without -s, serves the FastCGI socket on fd 0 (mod_fcgid style)\n"
	    "  -u: started as root, the program binds SOCKET, makes USER its owner, then\n"
	    "      runs as USER (its own uid, never Apache's; groups from /etc/group)\n"
	    "  -g: the socket's group, Apache's (www-data); -m: its mode, default 0660\n"
	    "  --routes prints the route table (METHOD PATTERN flags) and exits\n", name, name);
}

/* The first wait for a database that is down, and the longest. */
#define DB_RETRY_FIRST_MS 500
#define DB_RETRY_MAX_MS   30000

/* pause_ms: sleeps, SIGTERM and all (the default action ends the wait). */
static void
pause_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Waits until the database answers and holds every migration of schema_dir,
 * before any worker serves a request. The programs' account cannot change
 * the schema (certmint migrate does, with its own account), so a schema
 * that is behind, like a database that is down, is logged ("run certmint
 * migrate") and waited for: the pause doubles from DB_RETRY_FIRST_MS to
 * DB_RETRY_MAX_MS. Meanwhile no socket is open and Apache answers 503.
 * SIGTERM still ends the wait. Returns 0 once ready; -1 when schema_dir
 * cannot be read (logged).
 */
static int
wait_for_schema(const struct cm_settings *s)
{
	struct cm_db *db = NULL;
	char err[512];
	unsigned wait_ms = DB_RETRY_FIRST_MS;
	long pending = 0;
	struct cm_migration *list = NULL;
	size_t n = 0;
	int rc = -1;

	/* An unreadable schema_dir is an installation error, not worth waiting for. */
	if (cm_migration_scan(s->schema_dir, &list, &n, err, sizeof(err)) < 0) {
		cm_err("schema_dir: %s", err);
		return -1;
	}
	cm_migration_free(list, n);
	for (;;) {
		if (db == NULL && cm_db_connect(&db, s, err, sizeof(err)) < 0) {
			cm_err("database: %s; retrying in %u.%u s", err, wait_ms / 1000, wait_ms % 1000 / 100);
			db = NULL;
		} else if (cm_db_schema_pending(db, s->schema_dir, &pending, err, sizeof(err)) < 0) {
			cm_err("schema check: %s; retrying in %u.%u s", err, wait_ms / 1000, wait_ms % 1000 / 100);
			cm_db_close(db);
			db = NULL;
		} else if (pending == 0) {
			/* certmint migrate hashes them; this catches codes left when it
			 * could not (no key then), with the same audit rows. */
			if (cm_access_code_upgrade(db, s->access_code_key, s->access_code_key_len,
			    err, sizeof(err)) < 0)
				cm_err("access codes (migration 020): %s", err);
			else
				rc = 0;
			goto out;
		} else {
			cm_err("schema: %ld migration(s) of %s not applied: run certmint migrate;"
			    " checking again in %u.%u s", pending, s->schema_dir,
			    wait_ms / 1000, wait_ms % 1000 / 100);
		}
		pause_ms(wait_ms);
		wait_ms = wait_ms * 2 > DB_RETRY_MAX_MS ? DB_RETRY_MAX_MS : wait_ms * 2;
	}
out:
	cm_db_close(db);
	return rc;
}

/*
 * The program's own uid: -u USER must not share the socket's group as its
 * primary group, which is what running as Apache's user (www-data:www-data)
 * looks like, and would let Apache's uid act as the program. 0, or -1 logged.
 */
static int
check_program_user(const char *user, const char *socket_group)
{
	struct passwd *pw;
	struct group *gr;

	if (user == NULL || socket_group == NULL || geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		cm_err("-u %s: no such user", user);
		return -1;
	}
	if ((gr = getgrnam(socket_group)) == NULL) {
		cm_err("-g %s: no such group", socket_group);
		return -1;
	}
	if (pw->pw_gid == gr->gr_gid) {
		cm_err("-u %s has the socket's group %s as its own group: run the program as a user"
		    " of its own (e.g. certmint-admin), not as Apache's", user, socket_group);
		return -1;
	}
	return 0;
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
	while ((ch = getopt(argc, argv, "c:s:n:u:g:m:h")) != -1) {
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
		case 'm': {
			char *end;
			long mode = strtol(optarg, &end, 8);

			/* Owner and group bits only: a world-usable socket lets any uid act as Apache. */
			if (*end || *optarg == '\0' || mode <= 0 || (mode & ~0770L) != 0) {
				fprintf(stderr, "%s: -m: an octal mode of owner and group bits, e.g. 0660\n", p->name);
				return 2;
			}
			o.socket_mode = (int)mode;
			break;
		}
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

	if (check_program_user(o.user, o.socket_group) < 0) {
		cm_settings_free(&app->settings);
		return 1;
	}
	/* Before the workers fork, so they share the public suffix list. */
	if (p->uses_db)
		cm_ra_names_configure(app->settings.public_suffix_list, app->settings.allow_loopback_ip);
	if (p->uses_db && wait_for_schema(&app->settings) < 0) {
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
	o.handler = p->serve ? p->serve : cm_web_serve;
	if (cm_fcgi_run(&o) == 0)
		rc = 0;
	cm_settings_free(&app->settings);
	return rc;
}
