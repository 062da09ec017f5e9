/* cmd_notify.c: certmint notify run, the job (certmint-notify.timer, every minute) that queues the expiry notices due now and sends the outbox's due mail. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "cli.h"
#include "outbox.h"
#include "outbox_smtp.h"

/* Messages one run sends at most: a minute's work; the rest waits for the next run. */
#define LIMIT_DEFAULT 200
#define LIMIT_MAX 10000

static const char notify_usage[] =
    "usage: certmint notify run [--now 'YYYY-MM-DD HH:MM:SS'] [--limit N] [--no-send]\n"
    "\n"
    "Queues the expiry notices due now (each customer's notify.expiry_days,\n"
    "once per certificate and window), then sends up to N (default 200) due\n"
    "messages of the outbox through [smtp] of certmint.conf. A message that\n"
    "cannot be sent stays queued with its error and is tried again after 1\n"
    "minute, doubling up to 6 hours; after [smtp] give_up_days (default 3) it\n"
    "is marked failed (an MRAO can retry it on the portal's Outbox page).\n"
    "--now runs as if it were that UTC time (tests); --no-send only queues.\n"
    "Prints what it did. Exit status 0, or 1 when a message could not be sent\n"
    "or the database or configuration failed. certmint-notify.timer runs it\n"
    "every minute.\n";

/* 0 when s is "YYYY-MM-DD HH:MM:SS" (or with a T and a Z), copied to out
 * in the first form; -1 otherwise. */
static int
parse_now(const char *s, char *out, size_t outlen)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) > 20 || ((end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm)) == NULL &&
	    (end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL) || (*end != '\0' && strcmp(end, "Z") != 0))
		return -1;
	return strftime(out, outlen, "%Y-%m-%d %H:%M:%S", &tm) > 0 ? 0 : -1;
}

/* certmint notify run ...; an exit status. */
int
cmd_notify(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "now", required_argument, NULL, 'N' },
		{ "limit", required_argument, NULL, 'l' },
		{ "no-send", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cm_outbox_run run;
	struct cm_smtp sm;
	char now[32], err[512];
	long limit = LIMIT_DEFAULT, queued;
	int opt, no_send = 0, have_now = 0, rc = CLI_FAIL;

	memset(&sm, 0, sizeof(sm));
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end;

		switch (opt) {
		case 'N':
			if (parse_now(optarg, now, sizeof(now)) < 0) {
				cli_error("--now: give a UTC time as 'YYYY-MM-DD HH:MM:SS'");
				return CLI_FAIL;
			}
			have_now = 1;
			break;
		case 'l':
			limit = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || limit < 1 || limit > LIMIT_MAX) {
				cli_error("--limit: a number from 1 to %d", LIMIT_MAX);
				return CLI_FAIL;
			}
			break;
		case 'q':
			no_send = 1;
			break;
		case 'h':
			fputs(notify_usage, stdout);
			return CLI_OK;
		default:
			fputs(notify_usage, stderr);
			return CLI_FAIL;
		}
	}
	if (argc - optind != 1 || strcmp(argv[optind], "run") != 0) {
		fputs(notify_usage, stderr);
		return CLI_FAIL;
	}
	if (!have_now) {
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(now, sizeof(now), "%Y-%m-%d %H:%M:%S", &tm);
	}
	if (cli_db(c) < 0)
		return CLI_FAIL;
	/* The relay's settings are checked before anything is queued, so a
	 * broken [smtp] is reported on every run, not hidden behind a queue. */
	if (!no_send && cm_smtp_open(&sm, &c->set, err, sizeof(err)) < 0) {
		cli_error("%s", err);
		return CLI_FAIL;
	}
	if ((queued = cm_outbox_queue_expiry(c->db, now, err, sizeof(err))) < 0) {
		cli_error("%s", err);
		goto out;
	}
	printf("queued %ld expiry notice%s\n", queued, queued == 1 ? "" : "s");
	if (no_send) {
		rc = CLI_OK;
		goto out;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		cli_error("libcurl could not be initialised");
		goto out;
	}
	if (cm_outbox_send_due(c->db, now, c->set.smtp_give_up_days * 86400L, (int)limit, cm_smtp_deliver, &sm,
	    &run, err, sizeof(err)) < 0) {
		cli_error("%s", err);
		curl_global_cleanup();
		goto out;
	}
	curl_global_cleanup();
	printf("sent %ld, to retry %ld, failed %ld\n", run.sent, run.retry, run.failed);
	rc = run.retry == 0 && run.failed == 0 ? CLI_OK : CLI_FAIL;
out:
	cm_smtp_close(&sm);
	return rc;
}
