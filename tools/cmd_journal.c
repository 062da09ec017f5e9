/* cmd_journal.c: certmint journal check, the reconciliation of the signer's issuance journal with the certificates table (imports what the database does not know, reports what differs). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cert_lifecycle.h"
#include "cli.h"
#include "conffile.h"
#include "journal_read.h"

#define JOURNAL_ACTOR "system:journal-check"
#define SIGNER_CONF_DEFAULT CM_SYSCONFDIR "/signerd.conf"
/* A record younger than this may belong to an issuance whose program is
 * storing its row right now: importing it would make that store fail. */
#define MIN_AGE_DEFAULT 120
#define MIN_AGE_MAX (7L * 86400)
/* Journals one run reads: one per signer (several nodes, each with its own
 * signer and journal, share one database). */
#define MAX_JOURNALS 16
/* Rows of the reverse check read per query (keyset pages); the SQL spells
 * the same number. */
#define PAGE 1000
#define PAGE_SQL "1000"

/* Exit statuses beyond cli.h's: see journal_usage. */
#define CLI_RECOVERED 3
#define CLI_DIFFERS 4

static const char journal_usage[] =
    "usage: certmint journal check [--dry-run] [--journal PATH]... [--signer-conf FILE]\n"
    "                              [--customer URI] [--min-age SECONDS]\n"
    "\n"
    "Compares the signer's issuance journal with the database, as root (the\n"
    "journal is the signer user's, mode 0600). The journal is PATH, else the\n"
    "'journal' key of signerd.conf (--signer-conf, default " SIGNER_CONF_DEFAULT ").\n"
    "With several signers (one per node, one database), give each one's journal\n"
    "with --journal (at most 16): the check is against all of them together.\n"
    "\n"
    "Each journalled certificate without a database row is imported as a\n"
    "recovered row (status issued, or expired past its notAfter) with an audit\n"
    "row certificate.recovered (actor " JOURNAL_ACTOR "), an error line in the log\n"
    "and an alarm on the MRAOs' home page and dashboard. Its owner: the approved\n"
    "request holding its public key, else the one customer whose domains cover\n"
    "its names (with the organisation they are delegated to, if only one), else\n"
    "--customer URI, else the first customer (lowest id), with no organisation.\n"
    "Also reported, for a person to resolve: rows whose DER differs from the\n"
    "journal, issued/revoked/expired rows with a DER but no journal record,\n"
    "journal lines that are not records, serials journalled twice.\n"
    "The signer's own certificates (its OCSP responder certificates, profile\n"
    "signer.*) have no row and are skipped: the summary says how many.\n"
    "Records younger than --min-age seconds (default 120) are not imported yet:\n"
    "their issuance may still be storing its row.\n"
    "--dry-run reports the same and changes nothing.\n"
    "\n"
    "Prints one line per finding and a summary. Exit status: 0 everything is\n"
    "accounted for; 3 certificates without a row were found (and imported,\n"
    "unless --dry-run), nothing else; 4 something a person must look at was\n"
    "found (see the lines above); 1 the check could not run. A second run after\n"
    "a 3 finds nothing.\n";

/* The signer's journal path from signerd.conf: only [signer] journal is
 * read; every other key is the signer's business. */
static int
signer_conf_cb(void *ctx, const char *section, const char *key, const char *value,
    char *err, size_t errlen)
{
	char **journal = ctx;

	(void)err;
	(void)errlen;
	if (strcmp(section, "signer") == 0 && strcmp(key, "journal") == 0) {
		free(*journal);
		*journal = strdup(value);
	}
	return 0;
}

/* The counts the summary prints. */
struct tally {
	long records, known, recovered, pending, differs, unjournalled, unreadable, duplicates, failed;
	long own;                  /* the signer's own certificates, skipped */
};

/* Journalled serials, for the reverse check and duplicates. */
struct serials {
	char (*v)[65];
	size_t n, cap;
};

static int
serials_add(struct serials *s, const char *hex)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		void *p = realloc(s->v, cap * sizeof(*s->v));

		if (p == NULL)
			return -1;
		s->v = p;
		s->cap = cap;
	}
	snprintf(s->v[s->n++], sizeof(s->v[0]), "%s", hex);
	return 0;
}

static int
serial_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The customer that owns certificates nothing else attributes: --customer,
 * else the first enabled customer, else the first one. 0 with *id, or -1
 * printed. */
static int
default_customer(struct cli *c, const char *uri, int64_t *id)
{
	struct cm_stmt *st;
	int f;

	st = cm_db_prepare(c->db, uri ? "SELECT id FROM customers WHERE uri = ?" :
	    "SELECT id FROM customers ORDER BY enabled DESC, id LIMIT 1");
	if (st == NULL || (uri && cm_stmt_bind_str(st, 0, uri) < 0) || cm_stmt_execute(st) < 0 ||
	    (f = cm_stmt_fetch(st)) < 0) {
		cli_error("database: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	if (f == 1)
		*id = cm_stmt_i64(st, 0);
	cm_stmt_close(st);
	if (f == 0) {
		if (uri)
			cli_error("no customer with uri '%s'", uri);
		else
			cli_error("there is no customer yet to give recovered certificates to (certmint init)");
		return -1;
	}
	return 0;
}

/* Checks one record (line lineno of journal path) against its row (st: the prepared lookup by serial),
 * importing it when it has none. 0, or -1 on a database error (printed). */
static int
check_record(struct cli *c, struct cm_stmt *st, const struct cm_journal_entry *e, const char *path,
    unsigned long lineno,
    const struct cm_cert_recovery *base, time_t cutoff, int dry_run, struct tally *t)
{
	struct cm_cert_recovery in = *base;
	struct cm_cert_recovered out;
	char err[512];
	int f, r;

	if (cm_stmt_bind_str(st, 0, e->serial_hex) < 0 || cm_stmt_execute(st) < 0 ||
	    (f = cm_stmt_fetch(st)) < 0) {
		cli_error("database: %s", cm_db_error(c->db));
		return -1;
	}
	if (f == 1) {
		size_t len = 0;
		const char *der = cm_stmt_str(st, 1, &len);

		t->known++;
		if (der == NULL || len != e->der_len || memcmp(der, e->der, len) != 0) {
			t->differs++;
			printf("der-differs: serial %s: certificate %lld (%s) %s the journal's (%s line %lu, %s)\n",
			    e->serial_hex, (long long)cm_stmt_i64(st, 0), cm_stmt_str(st, 2, NULL) ? cm_stmt_str(st, 2, NULL) : "",
			    der ? "holds a DER that differs from" : "holds no DER, unlike",
			    path, lineno, e->time);
		}
		return 0;
	}
	if (e->when > cutoff) {
		t->pending++;
		printf("pending: serial %s (profile %s, journalled %s): no row yet, too recent to judge\n",
		    e->serial_hex, e->profile, e->time);
		return 0;
	}
	if (dry_run) {
		t->recovered++;
		printf("unrecorded: serial %s (profile %s, signer uid %lu, journalled %s, %s): no database row; would be recovered\n",
		    e->serial_hex, e->profile, e->uid, e->time, e->subject);
		return 0;
	}
	in.der = e->der;
	in.der_len = e->der_len;
	in.serial_hex = e->serial_hex;
	in.profile = e->profile;
	in.journalled_at = e->time;
	in.uid = e->uid;
	r = cm_cert_recover(c->db, JOURNAL_ACTOR, &in, &out, err, sizeof(err));
	if (r == 0) {
		t->recovered++;
		printf("recovered: serial %s (profile %s, signer uid %lu, journalled %s, %s): certificate %lld,"
		    " customer %lld, organisation %lld, %s, owner by %s\n",
		    e->serial_hex, e->profile, e->uid, e->time, e->subject, (long long)out.cert_id,
		    (long long)out.customer_id, (long long)out.org_id, out.status, out.owner);
		return 0;
	}
	if (r == 409) {
		/* Stored meanwhile by the issuance itself: accounted for. */
		t->known++;
		return 0;
	}
	if (r == 400) {
		t->failed++;
		printf("not-recovered: serial %s (journalled %s): %s\n", e->serial_hex, e->time, err);
		return 0;
	}
	cli_error("recovering serial %s: %s", e->serial_hex, err);
	return -1;
}

/* Rows with a certificate (issued, revoked, expired, with a DER) last
 * changed before db_start whose serial is not in the sorted journal set.
 * 0, or -1 printed. */
static int
check_rows(struct cli *c, const struct serials *s, const char *db_start, struct tally *t)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT id, serial_hex, status FROM certificates WHERE id > ? AND serial_hex IS NOT NULL"
	    " AND der IS NOT NULL AND status IN ('issued', 'revoked', 'expired') AND updated_at < ?"
	    " ORDER BY id LIMIT " PAGE_SQL);
	int64_t last = 0;
	int f, n;

	if (st == NULL)
		goto dberr;
	do {
		if (cm_stmt_bind_i64(st, 0, last) < 0 || cm_stmt_bind_str(st, 1, db_start) < 0 ||
		    cm_stmt_execute(st) < 0)
			goto dberr;
		n = 0;
		while ((f = cm_stmt_fetch(st)) == 1) {
			const char *serial = cm_stmt_str(st, 1, NULL);
			char key[65];

			n++;
			last = cm_stmt_i64(st, 0);
			snprintf(key, sizeof(key), "%s", serial ? serial : "");
			if (bsearch(key, s->v, s->n, sizeof(*s->v), serial_cmp) == NULL) {
				t->unjournalled++;
				printf("no-journal-entry: certificate %lld (serial %s, %s) has no record in the journal\n",
				    (long long)last, key, cm_stmt_str(st, 2, NULL) ? cm_stmt_str(st, 2, NULL) : "");
			}
		}
		if (f < 0)
			goto dberr;
	} while (n == PAGE);
	cm_stmt_close(st);
	return 0;
dberr:
	cli_error("database: %s", cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return -1;
}

/* One journal file: every record checked against the database (st: the
 * prepared lookup by serial), its serials added to s. 0, or -1 printed. */
static int
read_journal(struct cli *c, struct cm_stmt *st, const char *path, struct cm_cert_recovery *base,
    time_t cutoff, int dry_run, struct serials *s, struct tally *t)
{
	struct cm_journal_reader rd;
	struct cm_journal_entry e;
	char err[512];
	FILE *f = NULL;
	int fd, r, rc = -1, reader = 0;

	memset(&e, 0, sizeof(e));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 || (f = fdopen(fd, "r")) == NULL) {
		cli_error("journal %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (cm_journal_reader_init(&rd, f, err, sizeof(err)) < 0) {
		cli_error("%s", err);
		goto out;
	}
	reader = 1;
	base->journal = path;
	while ((r = cm_journal_next(&rd, &e, err, sizeof(err))) != 0) {
		if (r == -3) {
			cli_error("journal %s: %s", path, err);
			goto out;
		}
		if (r == -2) {
			/* Not durable, so never handed out: nothing to account for. */
			fprintf(stderr, "certmint: journal %s: %s; ignored\n", path, err);
			break;
		}
		if (r == -1) {
			t->unreadable++;
			printf("unreadable: journal %s %s\n", path, err);
			continue;
		}
		/* The signer's own OCSP responder certificates have no row and
		 * never get one: counted, not imported. */
		if (CM_JOURNAL_IS_SIGNERS_OWN(e.profile)) {
			t->own++;
			continue;
		}
		t->records++;
		if (serials_add(s, e.serial_hex) < 0) {
			cli_error("out of memory");
			goto out;
		}
		if (check_record(c, st, &e, path, rd.lineno, base, cutoff, dry_run, t) < 0)
			goto out;
	}
	rc = 0;
out:
	cm_journal_entry_free(&e);
	if (reader)
		cm_journal_reader_free(&rd);
	fclose(f);
	return rc;
}

/* certmint journal check: the exit status (journal_usage). */
static int
journal_check(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "journal", required_argument, NULL, 'j' },
		{ "signer-conf", required_argument, NULL, 's' },
		{ "customer", required_argument, NULL, 'C' },
		{ "min-age", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cm_cert_recovery base;
	struct cm_stmt *st = NULL;
	struct serials s = { NULL, 0, 0 };
	struct tally t;
	const char *uri = NULL, *signer_conf = SIGNER_CONF_DEFAULT;
	char *journals[MAX_JOURNALS] = { NULL }, *end, err[512], db_start[24];
	long min_age = MIN_AGE_DEFAULT;
	time_t cutoff;
	int opt, nj = 0, dry_run = 0, rc = CLI_FAIL;

	memset(&t, 0, sizeof(t));
	memset(&base, 0, sizeof(base));
	while ((opt = getopt_long(argc, argv, "nj:s:C:a:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			dry_run = 1;
			break;
		case 'j':
			if (nj == MAX_JOURNALS) {
				cli_error("at most %d journals", MAX_JOURNALS);
				goto out;
			}
			if ((journals[nj++] = strdup(optarg)) == NULL)
				goto oom;
			break;
		case 's':
			signer_conf = optarg;
			break;
		case 'C':
			uri = optarg;
			break;
		case 'a':
			errno = 0;
			min_age = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno || min_age < 0 || min_age > MIN_AGE_MAX) {
				cli_error("--min-age takes a number of seconds from 0 to %ld", MIN_AGE_MAX);
				goto out;
			}
			break;
		case 'h':
			fputs(journal_usage, stdout);
			rc = CLI_OK;
			goto out;
		default:
			fputs(journal_usage, stderr);
			goto out;
		}
	}
	if (optind != argc || (uri && !cli_text_ok(uri, 64))) {
		fputs(journal_usage, stderr);
		goto out;
	}
	if (nj == 0) {
		if (cm_conf_parse_file(signer_conf, signer_conf_cb, &journals[0], err, sizeof(err)) < 0) {
			cli_error("%s (give the journal with --journal PATH)", err);
			goto out;
		}
		if (journals[0] == NULL) {
			cli_error("%s names no [signer] journal", signer_conf);
			goto out;
		}
		nj = 1;
	}
	if (cli_db(c) < 0 || default_customer(c, uri, &base.default_customer_id) < 0)
		goto out;
	/* The database's clock before the first journal byte is read: a row
	 * last changed before it was journalled before it too (the signer
	 * journals before it answers), so the reverse check cannot mistake an
	 * issuance that finishes during the run for a row without a record. */
	st = cm_db_prepare(c->db, "SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s')");
	if (st == NULL || cm_stmt_execute(st) < 0 || cm_stmt_fetch(st) != 1 ||
	    !cm_stmt_copy_str(st, 0, db_start, sizeof(db_start)))
		goto dberr;
	cm_stmt_close(st);
	cutoff = time(NULL) - min_age;

	st = cm_db_prepare(c->db, "SELECT id, der, status FROM certificates WHERE serial_hex = ?");
	if (st == NULL)
		goto dberr;
	for (int i = 0; i < nj; i++)
		if (read_journal(c, st, journals[i], &base, cutoff, dry_run, &s, &t) < 0)
			goto out;
	cm_stmt_close(st);
	st = NULL;

	qsort(s.v, s.n, sizeof(*s.v), serial_cmp);
	for (size_t i = 1; i < s.n; i++)
		if (strcmp(s.v[i], s.v[i - 1]) == 0 && (i + 1 == s.n || strcmp(s.v[i + 1], s.v[i]) != 0)) {
			t.duplicates++;
			printf("duplicate: serial %s is journalled more than once\n", s.v[i]);
		}
	if (check_rows(c, &s, db_start, &t) < 0)
		goto out;

	printf("journal check: %ld records, %ld with a database row, %ld %s, %ld too recent to judge,"
	    " %ld not recoverable, %ld DER differs, %ld rows without a record, %ld unreadable lines,"
	    " %ld duplicate serials, %ld of the signer's own skipped\n",
	    t.records, t.known, t.recovered, dry_run ? "without a row (dry run: not recovered)" : "recovered",
	    t.pending, t.failed, t.differs, t.unjournalled, t.unreadable, t.duplicates, t.own);
	if (t.failed || t.differs || t.unjournalled || t.unreadable || t.duplicates)
		rc = CLI_DIFFERS;
	else if (t.recovered)
		rc = CLI_RECOVERED;
	else
		rc = CLI_OK;
	goto out;
oom:
	cli_error("out of memory");
	goto out;
dberr:
	cli_error("database: %s", cm_db_error(c->db));
out:
	if (st)
		cm_stmt_close(st);
	free(s.v);
	for (int i = 0; i < nj; i++)
		free(journals[i]);
	return rc;
}

/* certmint journal SUBCOMMAND: the exit status. */
int
cmd_journal(struct cli *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return journal_check(c, argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(journal_usage, stdout);
		return CLI_OK;
	}
	fputs(journal_usage, stderr);
	return CLI_FAIL;
}
