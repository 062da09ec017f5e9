/* cmd_ca.c: certmint init (schema + CA) and ca-chain, and recording the CA chain in ca_certs. */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "audit.h"
#include "cli.h"
#include "migrate.h"
#include "x509util.h"

#define CHAIN_MAX (1024 * 1024)

static const char init_usage[] =
    "usage: certmint init [--key-type rsa3072|rsa2048|ecdsa-p256] [--ca-name NAME]\n"
    "                     [--country CC] [--name-constraints]\n"
    "\n"
    "Checks that the schema is current (certmint migrate applies it, with\n"
    "the migration account), asks the signer to create a root and an\n"
    "issuing CA if it has none (key type default rsa3072; subjects\n"
    "\"/C=CC/O=NAME/CN=NAME Root CA\" and \"/C=CC/O=NAME/CN=NAME Issuing CA\",\n"
    "NAME default \"certmint\", letters, digits, space . _ - only), and records\n"
    "the CA chain in the database. Running it again changes nothing.\n"
    "\n"
    "  --country CC        the CA's country, two letters (ISO 3166, e.g. GB);\n"
    "                      required when a CA is created\n"
    "  --name-constraints  the issuing CA carries the signer's [namespaces] as a\n"
    "                      critical nameConstraints extension, so relying parties\n"
    "                      refuse any certificate of it for another name\n";

static const char chain_usage[] =
    "usage: certmint ca-chain\n"
    "\n"
    "Prints the signer's CA chain, issuing CA first, as PEM.\n";

/* Stores one CA certificate unless present. 1 stored, 0 present, -1 error. */
static int
store_one(struct cm_db *db, X509 *x)
{
	struct cm_stmt *st = NULL;
	struct cm_cert_info info;
	struct cm_buf der, pem;
	int root = X509_check_issued(x, x) == X509_V_OK, rc = -1;

	cm_buf_init(&der, CHAIN_MAX);
	cm_buf_init(&pem, CHAIN_MAX);
	/* The same description (names, serial, fingerprint, dates) the pages and issuance store. */
	if (cm_cert_describe(x, &info) < 0 || !info.not_before_str[0] || !info.not_after_str[0] ||
	    cm_cert_der(x, &der) < 0 || cm_cert_pem(x, &pem) < 0) {
		cli_error("cannot read a certificate of the CA chain");
		goto out;
	}
	st = cm_db_prepare(db,
	    "INSERT IGNORE INTO ca_certs (kind, subject, issuer, serial_hex, sha256,"
	    " not_before, not_after, der, pem) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL ||
	    cm_stmt_bind_str(st, 0, root ? "root" : "issuing") < 0 ||
	    cm_stmt_bind_str(st, 1, info.subject) < 0 ||
	    cm_stmt_bind_str(st, 2, info.issuer) < 0 ||
	    cm_stmt_bind_str(st, 3, info.serial_hex) < 0 ||
	    cm_stmt_bind_str(st, 4, info.sha256_hex) < 0 ||
	    cm_stmt_bind_str(st, 5, info.not_before_str) < 0 ||
	    cm_stmt_bind_str(st, 6, info.not_after_str) < 0 ||
	    cm_stmt_bind_blob(st, 7, der.data, der.len) < 0 ||
	    cm_stmt_bind_str(st, 8, pem.data) < 0 ||
	    cm_stmt_execute(st) < 0) {
		cli_error("database: %s", cm_db_error(db));
		goto out;
	}
	rc = cm_stmt_affected(st) > 0 ? 1 : 0;
out:
	cm_stmt_close(st);
	cm_cert_info_free(&info);
	cm_buf_free(&der);
	cm_buf_free(&pem);
	return rc;
}

/* Stores every certificate of a PEM chain. 0, or -1 printed. */
int
cli_store_chain(struct cm_db *db, const char *pem, size_t len, int *stored)
{
	BIO *b = NULL;
	X509 *x = NULL;
	int n = 0, rc = -1;
	*stored = 0;
	if (pem == NULL || len == 0 || len > CHAIN_MAX ||
	    (b = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		cli_error("the signer returned an empty CA chain");
		goto out;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		int r = store_one(db, x);
		X509_free(x);
		if (r < 0)
			goto out;
		*stored += r;
		n++;
	}
	if (n == 0) {
		cli_error("the signer's CA chain holds no certificate");
		goto out;
	}
	rc = 0;
out:
	BIO_free(b);
	return rc;
}

/* Subject and notAfter of the chain's first certificate. 0 or -1. */
int
cli_chain_summary(const char *pem, size_t len, char *subject, size_t slen,
    char *not_after, size_t nlen)
{
	BIO *b = (pem && len && len <= CHAIN_MAX) ? BIO_new_mem_buf(pem, (int)len) : NULL;
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	struct cm_cert_info info;
	int rc = -1;

	memset(&info, 0, sizeof(info));
	if (x == NULL || cm_cert_describe(x, &info) < 0 || !info.not_after_str[0])
		goto out;
	snprintf(subject, slen, "%s", info.subject);
	snprintf(not_after, nlen, "%s", info.not_after_str);
	rc = 0;
out:
	cm_cert_info_free(&info);
	X509_free(x);
	BIO_free(b);
	return rc;
}

static int
ca_name_ok(const char *s)
{
	if (!cli_text_ok(s, 64))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(" ._-", *s))
			return 0;
	return 1;
}

int
cmd_init(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key-type", required_argument, NULL, 'k' },
		{ "ca-name", required_argument, NULL, 'n' },
		{ "country", required_argument, NULL, 'c' },
		{ "name-constraints", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *key_type = "rsa3072", *ca_name = "certmint", *country_arg = NULL;
	char country[3] = "";
	int name_constraints = 0;
	struct cm_signer *sg = NULL;
	struct cm_buf chain, after;
	char err[512], root_subj[160], iss_subj[160], subj[1024], na[32];
	int opt, r, created = 0, stored = 0, rc = CLI_FAIL;
	long version, pending = 0;

	cm_buf_init(&chain, CHAIN_MAX);
	cm_buf_init(&after, 4096);
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k': key_type = optarg; break;
		case 'n': ca_name = optarg; break;
		case 'c': country_arg = optarg; break;
		case 'N': name_constraints = 1; break;
		case 'h': fputs(init_usage, stdout); rc = CLI_OK; goto out;
		default: fputs(init_usage, stderr); goto out;
		}
	}
	if (optind != argc) {
		fputs(init_usage, stderr);
		goto out;
	}
	if (strcmp(key_type, "rsa3072") != 0 && strcmp(key_type, "rsa2048") != 0 &&
	    strcmp(key_type, "ecdsa-p256") != 0) {
		cli_error("--key-type must be rsa3072, rsa2048 or ecdsa-p256");
		goto out;
	}
	if (!ca_name_ok(ca_name)) {
		cli_error("--ca-name: 1-64 letters, digits, spaces, '.', '_' or '-'");
		goto out;
	}
	if (country_arg) {
		if (strlen(country_arg) != 2 || !isalpha((unsigned char)country_arg[0]) ||
		    !isalpha((unsigned char)country_arg[1])) {
			cli_error("--country: two letters, the ISO 3166 country code (e.g. GB, DE, US)");
			goto out;
		}
		country[0] = (char)toupper((unsigned char)country_arg[0]);
		country[1] = (char)toupper((unsigned char)country_arg[1]);
	}
	if (cli_db(c) < 0)
		goto out;
	/* The programs' account cannot change the schema: certmint migrate
	 * (the migration account) comes first. */
	if (cm_db_schema_pending(c->db, c->set.schema_dir, &pending, err, sizeof(err)) < 0) {
		cli_error("%s", err);
		goto out;
	}
	if (pending > 0) {
		cli_error("%ld schema migration(s) not applied: run certmint migrate first", pending);
		goto out;
	}
	version = cli_schema_version(c->db);
	printf("schema: version %ld\n", version);

	if (cli_signer(c, &sg) < 0)
		goto out;
	r = cm_signer_ca_chain(sg, &chain, err, sizeof(err));
	if (r < 0) {
		cli_error("signer: %s", err);
		goto out;
	}
	if (r == 1) {
		/* no CA yet (the signer refuses to return a chain it lacks) */
		struct cm_ca_init_req req = { 0 };
		/* Asked only now: a second init on an existing CA needs no country. */
		if (!country[0]) {
			cli_error("no CA yet: --country CC is needed to create one (CA subjects carry a country)");
			goto out;
		}
		snprintf(root_subj, sizeof(root_subj), "/C=%s/O=%s/CN=%s Root CA", country, ca_name, ca_name);
		snprintf(iss_subj, sizeof(iss_subj), "/C=%s/O=%s/CN=%s Issuing CA", country, ca_name, ca_name);
		req.key_type = key_type;
		req.root_subject = root_subj;
		req.issuing_subject = iss_subj;
		req.name_constraints = name_constraints;
		r = cm_signer_ca_init(sg, &req, err, sizeof(err));
		if (r != 0) {
			cli_error("signer %s creating the CA: %s",
			    r == 1 ? "refused" : "failed", err);
			goto out;
		}
		created = 1;
		cm_buf_reset(&chain);
		r = cm_signer_ca_chain(sg, &chain, err, sizeof(err));
		if (r != 0) {
			cli_error("signer: CA chain after init: %s", err);
			goto out;
		}
	}
	if (cm_db_begin(c->db) < 0) {
		cli_error("database: %s", cm_db_error(c->db));
		goto out;
	}
	if (cli_store_chain(c->db, chain.data, chain.len, &stored) < 0) {
		cm_db_rollback(c->db);
		goto out;
	}
	if (created || stored) {
		struct cm_audit_entry e = {
			.actor = c->actor, .action = "ca.init", .object_type = "ca",
		};
		if (cm_buf_printf(&after, "{\"created\":%s,\"key_type\":",
		    created ? "true" : "false") < 0 ||
		    cm_buf_json_str(&after, created ? key_type : NULL) < 0 ||
		    cm_buf_printf(&after, ",\"certificates_recorded\":%d}", stored) < 0) {
			cm_db_rollback(c->db);
			goto out;
		}
		e.after = after.data;
		if (cm_audit(c->db, &e) < 0) {
			cli_error("audit: %s", cm_db_error(c->db));
			cm_db_rollback(c->db);
			goto out;
		}
	}
	if (cm_db_commit(c->db) < 0) {
		cli_error("database: %s", cm_db_error(c->db));
		cm_db_rollback(c->db);
		goto out;
	}
	if (cli_chain_summary(chain.data, chain.len, subj, sizeof(subj), na, sizeof(na)) == 0)
		printf("CA: %s (%s), expires %s UTC\n", subj,
		    created ? "created" : "already present", na);
	rc = CLI_OK;
out:
	if (sg)
		cm_signer_close(sg);
	cm_buf_free(&chain);
	cm_buf_free(&after);
	return rc;
}

int
cmd_ca_chain(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cm_signer *sg = NULL;
	struct cm_buf chain;
	char err[512];
	int opt, r, rc = CLI_FAIL;

	cm_buf_init(&chain, CHAIN_MAX);
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(chain_usage, stdout);
			rc = CLI_OK;
		} else
			fputs(chain_usage, stderr);
		goto out;
	}
	if (optind != argc) {
		fputs(chain_usage, stderr);
		goto out;
	}
	if (cli_signer(c, &sg) < 0)
		goto out;
	r = cm_signer_ca_chain(sg, &chain, err, sizeof(err));
	if (r != 0) {
		cli_error("signer %s: %s", r == 1 ? "refused" : "failed", err);
		goto out;
	}
	fwrite(chain.data, 1, chain.len, stdout);
	rc = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
	if (sg)
		cm_signer_close(sg);
	cm_buf_free(&chain);
	return rc;
}
