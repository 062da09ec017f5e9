/* cmd_realm.c: certmint realm add|list|check|delete: a customer's Kerberos realms for auto-enrollment (keytab upload, the Apache Location file), as the portal's Settings -> Kerberos realms does. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "kerberos_realms.h"
#include "realm_config.h"

static const char realm_usage[] =
    "usage: certmint realm add --customer URI --domain DOMAIN --spn HTTP/HOST@REALM --keytab FILE\n"
    "       certmint realm list [--customer URI]\n"
    "       certmint realm check --customer URI\n"
    "       certmint realm delete --customer URI --domain DOMAIN\n"
    "\n"
    "add: the Windows (AD DNS) domain whose users' Kerberos tickets the customer's\n"
    "autoenroll URL accepts; the realm is the domain in upper case. The keytab (of\n"
    "the service account holding the SPN, with AES keys; also its own principal\n"
    "svc@REALM for LDAP binds) is checked and stored as [autoenroll] keytab_dir/\n"
    "realm-<id>.keytab; the customer's merged keytab and the Apache Location file\n"
    "in [autoenroll] apache_conf_dir are rewritten and .reload touched. A domain\n"
    "the customer has already is updated (new SPN and keytab). A keytab that is\n"
    "readable but has a problem (no SPN, no AES key) is stored with the problem\n"
    "shown as a warning. Audited as kerberos_realm.create / .update.\n"
    "\n"
    "list: one line per live realm: customer, domain, realm, SPN, keytab state\n"
    "(ok / problem: ... ), last check, principals (tab-separated, with a header).\n"
    "\n"
    "check: checks every realm keytab of the customer again, records the result\n"
    "(kerberos_realm.check when it changed) and rewrites the files. Exit status 2\n"
    "when a keytab has a problem or is missing.\n"
    "\n"
    "delete: marks the realm deleted (kerberos_realm.delete), removes its keytab\n"
    "and rewrites the customer's files (removed when no realm is left).\n";

/* Reads a keytab file given on the command line (at most CM_KEYTAB_MAX).
 * 0, or -1 printed. */
static int
read_keytab(const char *path, unsigned char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	size_t n;

	*out = NULL;
	*len = 0;
	if (f == NULL) {
		cli_error("%s: %s", path, strerror(errno));
		return -1;
	}
	if ((p = malloc(CM_KEYTAB_MAX + 1)) == NULL) {
		fclose(f);
		cli_error("out of memory");
		return -1;
	}
	n = fread(p, 1, CM_KEYTAB_MAX + 1, f);
	if (ferror(f) || n > CM_KEYTAB_MAX) {
		cli_error("%s: %s", path, ferror(f) ? "read error" : "larger than 64 KiB: not a service keytab");
		OPENSSL_cleanse(p, CM_KEYTAB_MAX + 1);
		free(p);
		fclose(f);
		return -1;
	}
	fclose(f);
	*out = p;
	*len = n;
	return 0;
}

static int
realm_add(struct cli *c, int64_t cust, const char *domain_in, const char *spn, const char *keytab)
{
	struct cm_realm r, existing;
	struct cm_realm_actor who = { c->actor, NULL };
	const char *msg, *field;
	unsigned char *kt = NULL;
	size_t ktlen = 0;
	char why[1024], warn[1024];
	int f, rc = CLI_FAIL, s;

	memset(&r, 0, sizeof(r));
	if ((msg = cm_realm_domain_check(domain_in, r.domain, sizeof(r.domain), r.realm, sizeof(r.realm))) != NULL) {
		cli_error("--domain: %s", msg);
		return CLI_FAIL;
	}
	if ((msg = cm_realm_spn_check(spn, r.realm)) != NULL) {
		cli_error("--spn: %s", msg);
		return CLI_FAIL;
	}
	snprintf(r.spn, sizeof(r.spn), "%s", spn);
	r.customer_id = cust;
	if (read_keytab(keytab, &kt, &ktlen) < 0)
		return CLI_FAIL;
	if ((f = cm_realm_by_domain(c->db, cust, r.domain, 0, &existing)) < 0) {
		cli_error("database: %s", cm_db_error(c->db));
		goto out;
	}
	if (f == 1)
		r.id = existing.id;
	s = cm_realm_save(c->db, &c->set, &who, &r, kt, ktlen, &field, why, sizeof(why), warn, sizeof(warn));
	if (s != 0) {
		cli_error("%s%s%s", field ? field : "", field ? ": " : "", why);
		rc = s == 1 ? CLI_REFUSED : CLI_FAIL;
		goto out;
	}
	printf("realm %s %s (id %lld, %s)\n", r.realm, f == 1 ? "updated" : "added", (long long)r.id, r.spn);
	if (r.problem[0])
		cli_error("warning: %s", r.problem);
	if (warn[0])
		cli_error("warning: the Apache configuration was not written: %s", warn);
	rc = CLI_OK;
out:
	if (kt) {
		OPENSSL_cleanse(kt, ktlen);
		free(kt);
	}
	return rc;
}

static int
realm_list(struct cli *c, int64_t cust)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT c.uri, r.windows_domain, r.realm, r.spn, COALESCE(r.keytab_problem, ''),"
	    " COALESCE(CAST(r.keytab_checked_at AS CHAR), ''), COALESCE(r.keytab_principals, '')"
	    " FROM kerberos_realms r JOIN customers c ON c.id = r.customer_id"
	    " WHERE r.deleted_at IS NULL AND (? = 0 OR r.customer_id = ?) ORDER BY c.uri, r.windows_domain");
	int f;

	if (st == NULL || cm_stmt_bind_i64(st, 0, cust) < 0 || cm_stmt_bind_i64(st, 1, cust) < 0 ||
	    cm_stmt_execute(st) < 0) {
		cli_error("database: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return CLI_FAIL;
	}
	printf("customer\tdomain\trealm\tspn\tkeytab\tchecked_at\tprincipals\n");
	while ((f = cm_stmt_fetch(st)) == 1) {
		const char *problem = cm_stmt_str(st, 4, NULL);

		printf("%s\t%s\t%s\t%s\t%s%s\t%s\t%s\n", cm_stmt_str(st, 0, NULL), cm_stmt_str(st, 1, NULL),
		    cm_stmt_str(st, 2, NULL), cm_stmt_str(st, 3, NULL), problem[0] ? "problem: " : "ok",
		    problem, cm_stmt_str(st, 5, NULL), cm_stmt_str(st, 6, NULL));
	}
	cm_stmt_close(st);
	if (f < 0) {
		cli_error("database: %s", cm_db_error(c->db));
		return CLI_FAIL;
	}
	return CLI_OK;
}

static int
realm_check(struct cli *c, int64_t cust)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT id FROM kerberos_realms WHERE customer_id = ? AND deleted_at IS NULL ORDER BY id LIMIT 1000");
	struct cm_realm_actor who = { c->actor, NULL };
	struct cm_realm r;
	int64_t ids[1000];
	size_t n = 0;
	char why[1024];
	int f, rc = CLI_OK;

	if (st == NULL || cm_stmt_bind_i64(st, 0, cust) < 0 || cm_stmt_execute(st) < 0) {
		cli_error("database: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return CLI_FAIL;
	}
	while ((f = cm_stmt_fetch(st)) == 1 && n < 1000)
		ids[n++] = cm_stmt_i64(st, 0);
	cm_stmt_close(st);
	if (f < 0) {
		cli_error("database: %s", cm_db_error(c->db));
		return CLI_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		int r2 = cm_realm_recheck(c->db, &c->set, &who, cust, ids[i], &r, why, sizeof(why));

		if (r2 < 0) {
			cli_error("realm %lld: %s", (long long)ids[i], why);
			return CLI_FAIL;
		}
		if (r2 == 2)
			continue;
		if (r2 == 1) {
			printf("%s\tproblem: %s\n", r.domain, r.problem);
			rc = CLI_REFUSED;
		} else
			printf("%s\tok\t%s\n", r.domain, r.principals);
	}
	if (cm_realm_config_apply(c->db, &c->set, cust, why, sizeof(why)) < 0) {
		cli_error("the Apache configuration was not written: %s", why);
		return CLI_FAIL;
	}
	return rc;
}

static int
realm_delete(struct cli *c, int64_t cust, const char *domain_in)
{
	struct cm_realm_actor who = { c->actor, NULL };
	struct cm_realm r;
	char domain[254], realm[254], why[1024], warn[1024];
	const char *msg;
	int f;

	if ((msg = cm_realm_domain_check(domain_in, domain, sizeof(domain), realm, sizeof(realm))) != NULL) {
		cli_error("--domain: %s", msg);
		return CLI_FAIL;
	}
	if ((f = cm_realm_by_domain(c->db, cust, domain, 0, &r)) < 0) {
		cli_error("database: %s", cm_db_error(c->db));
		return CLI_FAIL;
	}
	if (f == 1)
		f = cm_realm_delete(c->db, &c->set, &who, cust, r.id, why, sizeof(why), warn, sizeof(warn));
	else
		f = 1;
	if (f == 1) {
		cli_error("the customer has no Kerberos realm for %s", domain);
		return CLI_FAIL;
	}
	if (f < 0) {
		cli_error("%s", why);
		return CLI_FAIL;
	}
	printf("realm %s deleted\n", realm);
	if (warn[0])
		cli_error("warning: %s", warn);
	return CLI_OK;
}

/* certmint realm add|list|check|delete; an exit status. */
int
cmd_realm(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "customer", required_argument, NULL, 'C' },
		{ "domain", required_argument, NULL, 'd' },
		{ "spn", required_argument, NULL, 's' },
		{ "keytab", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *customer = NULL, *domain = NULL, *spn = NULL, *keytab = NULL, *sub;
	int64_t cust = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'C': customer = optarg; break;
		case 'd': domain = optarg; break;
		case 's': spn = optarg; break;
		case 'k': keytab = optarg; break;
		case 'h':
			fputs(realm_usage, stdout);
			return CLI_OK;
		default:
			fputs(realm_usage, stderr);
			return CLI_FAIL;
		}
	}
	if (argc - optind != 1)
		goto usage;
	sub = argv[optind];
	if ((strcmp(sub, "add") == 0 && (domain == NULL || spn == NULL || keytab == NULL)) ||
	    (strcmp(sub, "delete") == 0 && domain == NULL) ||
	    (strcmp(sub, "add") != 0 && strcmp(sub, "delete") != 0 && strcmp(sub, "list") != 0 &&
	    strcmp(sub, "check") != 0) ||
	    (customer != NULL && !cli_text_ok(customer, 64)))
		goto usage;
	if (cli_db(c) < 0)
		return CLI_FAIL;
	/* list without --customer: every customer's realms. */
	if ((customer != NULL || strcmp(sub, "list") != 0) && cli_customer(c, customer, &cust) < 0)
		return CLI_FAIL;
	if (strcmp(sub, "add") == 0)
		return realm_add(c, cust, domain, spn, keytab);
	if (strcmp(sub, "delete") == 0)
		return realm_delete(c, cust, domain);
	if (strcmp(sub, "check") == 0)
		return realm_check(c, cust);
	return realm_list(c, cust);
usage:
	fputs(realm_usage, stderr);
	return CLI_FAIL;
}
