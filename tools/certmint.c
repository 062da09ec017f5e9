/* certmint.c: the operator's command-line tool; global options and command dispatch. */
#include "config.h"

#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"

static const char usage_text[] =
    "usage: certmint [-c CERTMINT_CONF] [-v] COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  migrate [--credentials FILE]\n"
    "                      apply schema migrations not yet applied and grant the\n"
    "                      programs' account its privileges (migration account)\n"
    "  init [--key-type rsa3072|rsa2048|ecdsa-p256] [--ca-name NAME] [--country CC] [--name-constraints]\n"
    "                      create the CA in the signer if it has none, and record\n"
    "                      the CA chain (after certmint migrate)\n"
    "  admin add PRINCIPAL --role mrao|rao|drao [--customer URI] [--name N] [--email E]\n"
    "  admin list [--customer URI]\n"
    "  issue --profile P --csr FILE [--org ID] [--days N] [--customer URI]\n"
    "                      print the issued certificate (PEM) on stdout\n"
    "  customer disable|enable URI\n"
    "                      refuse (or allow again) everything for a customer\n"
    "  customer set URI notify.expiry_days 60,30,7\n"
    "                      days before expiry at which requesters are told\n"
    "  expire [--dry-run] [--customer URI] [--batch N]\n"
    "                      mark issued certificates past their notAfter expired\n"
    "  status              database, schema, signer, CA and certificate counts\n"
    "  audit verify        recompute the audit log's hash chain and check it\n"
    "                      against the signer's signed checkpoints\n"
    "  audit checkpoint    have the signer sign the audit chain head\n"
    "  journal check [--dry-run] [--journal PATH]... [--signer-conf FILE]\n"
    "                      account for every certificate in the signer's journal:\n"
    "                      import those without a row, report differences\n"
    "  ca-chain            print the signer's CA chain (PEM)\n"
    "  publish ca          write root.crt, issuing.crt and chain.pem atomically\n"
    "                      into [publish] dir/ca, served by Apache at /ca/\n"
    "  revoke SERIAL --reason R [--customer URI]\n"
    "                      revoke an issued certificate (RFC 5280 reason name)\n"
    "  notify run [--now T] [--limit N] [--no-send]\n"
    "                      queue the expiry notices due now and send the outbox\n"
    "  crl generate [--if-stale] [--out DIR]\n"
    "                      have the signer sign the CRL and publish it in\n"
    "                      [publish] dir/crl (DER and PEM, atomically)\n"
    "  ocsp refresh [--store DIR] [--full] [--jobs N] [--dry-run]\n"
    "                      have the signer sign the OCSP responses that are\n"
    "                      missing, changed or half-way to nextUpdate into\n"
    "                      [ocsp] store, and drop those of expired certificates\n"
    "  realm add --customer URI --domain D --spn HTTP/HOST@REALM --keytab FILE\n"
    "  realm list [--customer URI] | check --customer URI | delete --customer URI --domain D\n"
    "                      Kerberos realms for auto-enrollment (keytab, Apache config)\n"
    "  ad add|verify|lookup --customer URI ...\n"
    "                      register an Active Directory server; check it (connect,\n"
    "                      TLS, bind, base DN) or look a user up as autoenroll does\n"
    "\n"
    "The configuration is -c FILE, else $CERTMINT_CONF, else " CM_DEFAULT_CONF ".\n"
    "'certmint COMMAND --help' describes one command.\n"
    "Exit status: 0 success, 1 error, 2 request refused (journal check: 3\n"
    "certificates without a row were imported, 4 differences to look at).\n";

struct command {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
};

static const struct command commands[] = {
	{ "init", cmd_init },
	{ "migrate", cmd_migrate },
	{ "admin", cmd_admin },
	{ "issue", cmd_issue },
	{ "status", cmd_status },
	{ "audit", cmd_audit },
	{ "ca-chain", cmd_ca_chain },
	{ "customer", cmd_customer },
	{ "expire", cmd_expire },
	{ "journal", cmd_journal },
	{ "publish", cmd_publish },
	{ "revoke", cmd_revoke },
	{ "notify", cmd_notify },
	{ "crl", cmd_crl },
	{ "ocsp", cmd_ocsp },
	{ "realm", cmd_realm },
	{ "ad", cmd_ad },
	{ NULL, NULL }
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli c;
	struct passwd *pw;
	int opt, verbose = 0, rc = CLI_FAIL;
	const struct command *cmd;

	memset(&c, 0, sizeof(c));
	/* '+' stops at the command name so commands parse their own options */
	while ((opt = getopt_long(argc, argv, "+c:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			c.conf_path = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return CLI_OK;
		default:
			fputs(usage_text, stderr);
			return CLI_FAIL;
		}
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return CLI_FAIL;
	}
	cm_log_init("certmint", verbose ? CM_LOG_DEBUG : CM_LOG_WARN, 0);
	pw = getpwuid(getuid());
	if (pw && pw->pw_name)
		snprintf(c.actor, sizeof(c.actor), "cli:%s", pw->pw_name);
	else
		snprintf(c.actor, sizeof(c.actor), "cli:uid%u", (unsigned)getuid());

	for (cmd = commands; cmd->name; cmd++)
		if (strcmp(cmd->name, argv[optind]) == 0)
			break;
	if (cmd->name == NULL) {
		cli_error("unknown command '%s' (see certmint --help)", argv[optind]);
		return CLI_FAIL;
	}
	argc -= optind;
	argv += optind;
	optind = 0;   /* glibc: re-initialise getopt for the command's options */
	rc = cmd->run(&c, argc, argv);

	cm_db_close(c.db);
	if (c.set_loaded)
		cm_settings_free(&c.set);
	return rc;
}
