/* cli.h: what the certmint command-line tool's commands share. */
#ifndef CM_CLI_H
#define CM_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"
#include "settings.h"
#include "signer_client.h"

/* Exit statuses of every command. */
#define CLI_OK 0
#define CLI_FAIL 1        /* usage, configuration, database, signer errors */
#define CLI_REFUSED 2     /* the request was refused (bad CSR, policy) */

struct cli {
	const char *conf_path;    /* -c, else $CERTMINT_CONF, else CM_DEFAULT_CONF */
	struct cm_settings set;
	int set_loaded;
	struct cm_db *db;
	char actor[64];           /* "cli:USER", recorded in the audit log */
};

/* Prints "certmint: MESSAGE" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* These return 0, or -1 after printing why. */
int cli_load(struct cli *c);
int cli_db(struct cli *c);
int cli_signer(struct cli *c, struct cm_signer **out);

/* Resolves --customer (NULL: the only enabled customer). 0, or -1 printed. */
int cli_customer(struct cli *c, const char *uri, int64_t *id);

/* 1 when s is 1..max bytes with no control characters. */
int cli_text_ok(const char *s, size_t max);

/* Highest applied schema version (0 when none); -1 on error. */
long cli_schema_version(struct cm_db *db);

/* Commands: argv[0] is the command's own name; each returns an exit status. */
int cmd_init(struct cli *c, int argc, char **argv);
int cmd_migrate(struct cli *c, int argc, char **argv);
int cmd_admin(struct cli *c, int argc, char **argv);
int cmd_issue(struct cli *c, int argc, char **argv);
int cmd_status(struct cli *c, int argc, char **argv);
int cmd_audit(struct cli *c, int argc, char **argv);
int cmd_ca_chain(struct cli *c, int argc, char **argv);
int cmd_customer(struct cli *c, int argc, char **argv);
int cmd_expire(struct cli *c, int argc, char **argv);
int cmd_journal(struct cli *c, int argc, char **argv);
int cmd_publish(struct cli *c, int argc, char **argv);
int cmd_revoke(struct cli *c, int argc, char **argv);
int cmd_notify(struct cli *c, int argc, char **argv);
int cmd_crl(struct cli *c, int argc, char **argv);
int cmd_ocsp(struct cli *c, int argc, char **argv);
int cmd_realm(struct cli *c, int argc, char **argv);
int cmd_ad(struct cli *c, int argc, char **argv);

/* CA chain helpers (cmd_ca.c): parses the signer's PEM chain and stores it
 * in ca_certs; *stored counts rows that were new. 0, or -1 printed. */
int cli_store_chain(struct cm_db *db, const char *pem, size_t len, int *stored);
/* Subject and notAfter of the first certificate in a PEM chain. 0 or -1. */
int cli_chain_summary(const char *pem, size_t len, char *subject, size_t slen,
    char *not_after, size_t nlen);

/* The ca_certs ids of the signer's issuing CA and root, storing the chain
 * if it is not there yet (cmd_crl.c). 0, or -1 printed. */
int cli_ca_rows(struct cli *c, struct cm_signer *sg, int64_t *issuing, int64_t *root);

#endif
