/* cmd_ad.c: certmint ad add|verify|lookup: register a customer's Active Directory server from the command line, and check it as the portal's Verify button and autoenroll.fcgi do. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ad_lookup.h"
#include "audit.h"
#include "cgi/admin/ad_server_check.h"
#include "cli.h"
#include "secret_box.h"

#define AD_CA_FILE_MAX (256 * 1024)

static const char ad_usage[] =
    "usage: certmint ad add --customer URI --name N --domain D --uris U --base-dn DN\n"
    "           [--users-base-dn DN] [--ca FILE] [--starttls|--no-starttls]\n"
    "           [--simple-bind DN --password-file F] [--default]\n"
    "       certmint ad verify --customer URI --server NAME [--user U]\n"
    "       certmint ad lookup --customer URI --server NAME USER\n"
    "\n"
    "add: registers an Active Directory server of the customer (as the portal's\n"
    "AD servers page does; audited as ad_server.create). It binds with SASL\n"
    "GSSAPI and the keytab of the customer's Kerberos realm of domain D (no\n"
    "secret stored), or with --simple-bind DN and the first line of F as the\n"
    "password, sealed with certmint.conf [secrets] ldap_bind_key_file. --ca FILE:\n"
    "the PEM CA certificates that verify the server's TLS certificate (default:\n"
    "the system trust store). StartTLS is on unless --no-starttls. --default\n"
    "makes it the customer's default server (moving the default from another\n"
    "server in the same transaction); a customer's first server is its default.\n"
    "\n"
    "verify: connects, binds, reads the base DN (and users base DN) and, with\n"
    "--user, finds that user; prints \"stage: ok\" or the stage that failed\n"
    "(dns, tcp, tls, bind, base_dn, search, not_found, ambiguous, config) and\n"
    "\"message: ...\".\n"
    "\n"
    "lookup: finds USER (sAMAccountName, or userPrincipalName user@REALM) and\n"
    "prints its attributes as \"key: value\" lines.\n"
    "\n"
    "Exit status: 0 ok; 2 the directory said no (verification failed, user not\n"
    "found) or add was refused; 1 usage, configuration or database error.\n";

/* Reads at most max bytes of path into a new NUL-terminated string (*len
 * without the NUL). NULL after printing why. */
static char *
read_small_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n;

	if (f == NULL) {
		cli_error("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(max + 2)) == NULL) {
		cli_error("out of memory");
		goto out;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f)) {
		cli_error("cannot read %s", path);
		goto fail;
	}
	if (n > max) {
		cli_error("%s is larger than %zu bytes", path, max);
		goto fail;
	}
	buf[n] = '\0';
	*len = n;
	goto out;
fail:
	OPENSSL_cleanse(buf, max + 2);
	free(buf);
	buf = NULL;
out:
	fclose(f);
	return buf;
}

/* Checks that pem holds PEM certificates only (at least one); writes the first
 * one's SHA-256 fingerprint (hex) into fp. 0, or -1 printed. */
static int
ca_check(const char *pem, size_t len, const char *path, char fp[65])
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *x;
	int n = 0;

	fp[0] = '\0';
	if (b == NULL) {
		cli_error("out of memory");
		return -1;
	}
	if (memchr(pem, '\0', len) != NULL) {
		BIO_free(b);
		cli_error("refused: %s is not PEM text", path);
		return -1;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (n++ == 0) {
			unsigned char md[32];
			unsigned mdlen = 0;
			if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1 && mdlen == 32)
				for (int i = 0; i < 32; i++)
					snprintf(fp + 2 * i, 3, "%02x", md[i]);
		}
		X509_free(x);
	}
	BIO_free(b);
	if (n == 0) {
		cli_error("refused: %s holds no PEM certificate", path);
		return -1;
	}
	return 0;
}

/* A lower-case DNS domain of 1-253 bytes with at least one dot. */
static int
domain_ok(const char *d)
{
	size_t n = strlen(d), label = 0;

	if (n == 0 || n > 253 || strchr(d, '.') == NULL || d[0] == '.' || d[n - 1] == '.')
		return 0;
	for (const char *p = d; *p; p++) {
		if (*p == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-') || ++label > 63)
			return 0;
	}
	return 1;
}

struct ad_add {
	const char *customer, *name, *domain, *uris_in, *base_in, *users_base_in, *ca_file;
	const char *bind_dn_in, *password_file;
	int starttls, make_default;
	char uris[AD_URIS_MAX + 1], base_dn[AD_BASE_DN_MAX + 1], users_base_dn[AD_BASE_DN_MAX + 1];
	char bind_dn[AD_BASE_DN_MAX + 1];
};

/* The audit JSON of a new server (never the password). 0 / -1. */
static int
add_json(const struct ad_add *a, int is_default, int64_t moved_from, const char *ca_fp, struct cm_buf *b)
{
	if (cm_buf_puts(b, "{\"name\":") < 0 || cm_buf_json_str(b, a->name) < 0 ||
	    cm_buf_puts(b, ",\"domain\":") < 0 || cm_buf_json_str(b, a->domain) < 0 ||
	    cm_buf_puts(b, ",\"ldap_uris\":") < 0 || cm_buf_json_str(b, a->uris) < 0 ||
	    cm_buf_puts(b, ",\"base_dn\":") < 0 || cm_buf_json_str(b, a->base_dn) < 0 ||
	    cm_buf_printf(b, ",\"starttls\":%s", a->starttls ? "true" : "false") < 0 ||
	    cm_buf_puts(b, ",\"users_base_dn\":") < 0 ||
	    (a->users_base_dn[0] ? cm_buf_json_str(b, a->users_base_dn) : cm_buf_puts(b, "null")) < 0 ||
	    cm_buf_puts(b, ",\"ca_sha256\":") < 0 ||
	    (ca_fp[0] ? cm_buf_json_str(b, ca_fp) : cm_buf_puts(b, "null")) < 0 ||
	    cm_buf_printf(b, ",\"is_default\":%s", is_default ? "true" : "false") < 0 ||
	    cm_buf_printf(b, ",\"bind_method\":\"%s\"", a->bind_dn[0] ? "simple" : "gssapi") < 0 ||
	    cm_buf_puts(b, ",\"bind_dn\":") < 0 ||
	    (a->bind_dn[0] ? cm_buf_json_str(b, a->bind_dn) : cm_buf_puts(b, "null")) < 0)
		return -1;
	if (moved_from > 0 && cm_buf_printf(b, ",\"default_moved_from\":%lld", (long long)moved_from) < 0)
		return -1;
	return cm_buf_puts(b, "}");
}

/* The sealed password of the first line of path into sealed. 0, or -1 printed. */
static int
seal_password_file(struct cli *c, int64_t customer_id, const char *path, unsigned char *sealed,
    size_t *sealed_len)
{
	char *pw, aad[CM_AD_AAD_MAX];
	size_t len = 0, n;
	int rc = -1;

	if (c->set.ldap_bind_key == NULL) {
		cli_error("a simple bind needs certmint.conf [secrets] ldap_bind_key_file (the key that seals the password)");
		return -1;
	}
	if ((pw = read_small_file(path, CM_SECRET_MAX + 2, &len)) == NULL)
		return -1;
	n = strcspn(pw, "\r\n");
	if (n == 0 || n > CM_SECRET_MAX) {
		cli_error("refused: the first line of %s must hold the password (1-%d bytes)", path, CM_SECRET_MAX);
		goto out;
	}
	cm_ad_password_aad(customer_id, aad);
	if (cm_secret_seal(c->set.ldap_bind_key, c->set.ldap_bind_key_len, aad, (unsigned char *)pw, n,
	        sealed, sealed_len) < 0) {
		cli_error("cannot seal the password");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(pw, len);
	free(pw);
	return rc;
}

/* ad add. An exit status. */
static int
ad_add(struct cli *c, struct ad_add *a)
{
	struct cm_stmt *st = NULL;
	struct cm_audit_entry e;
	struct cm_buf after;
	unsigned char sealed[CM_SECRET_SEALED_MAX];
	size_t sealed_len = 0, ca_len = 0;
	char why[512], ca_fp[65] = "", oid[32], *ca = NULL;
	const char *msg;
	int64_t customer_id, id, old_default = 0;
	int f, is_default, rc = CLI_FAIL;

	cm_buf_init(&after, 0);
	if (!cli_text_ok(a->name, AD_NAME_MAX)) {
		cli_error("refused: --name must be 1-%d characters without control characters", AD_NAME_MAX);
		return CLI_REFUSED;
	}
	if (!domain_ok(a->domain)) {
		cli_error("refused: --domain must be a lower-case DNS domain such as corp.example.com");
		return CLI_REFUSED;
	}
	if (ad_server_uris_check(a->uris_in, a->uris, sizeof(a->uris), why, sizeof(why)) < 0) {
		cli_error("refused: --uris: %s", why);
		return CLI_REFUSED;
	}
	if ((msg = ad_server_base_dn_check(a->base_in, a->base_dn, sizeof(a->base_dn))) != NULL) {
		cli_error("refused: --base-dn: %s", msg);
		return CLI_REFUSED;
	}
	if (a->users_base_in &&
	    (msg = ad_server_base_dn_check(a->users_base_in, a->users_base_dn, sizeof(a->users_base_dn))) != NULL) {
		cli_error("refused: --users-base-dn: %s", msg);
		return CLI_REFUSED;
	}
	if (a->bind_dn_in) {
		if ((msg = ad_server_base_dn_check(a->bind_dn_in, a->bind_dn, sizeof(a->bind_dn))) != NULL) {
			cli_error("refused: --simple-bind: %s", msg);
			return CLI_REFUSED;
		}
		if (a->password_file == NULL) {
			cli_error("refused: --simple-bind needs --password-file");
			return CLI_REFUSED;
		}
	} else if (a->password_file) {
		cli_error("refused: --password-file goes with --simple-bind DN");
		return CLI_REFUSED;
	}
	if (a->ca_file) {
		if ((ca = read_small_file(a->ca_file, AD_CA_FILE_MAX, &ca_len)) == NULL)
			return CLI_FAIL;
		if (ca_check(ca, ca_len, a->ca_file, ca_fp) < 0) {
			rc = CLI_REFUSED;
			goto out;
		}
	}
	if (cli_load(c) < 0 || cli_db(c) < 0 || cli_customer(c, a->customer, &customer_id) < 0)
		goto out;
	if (a->bind_dn[0] && seal_password_file(c, customer_id, a->password_file, sealed, &sealed_len) < 0)
		goto out;
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	st = cm_db_prepare(c->db,
	    "SELECT id FROM ad_servers WHERE customer_id = ? AND live_name = ? FOR UPDATE");
	if (st == NULL || cm_stmt_bind_i64(st, 0, customer_id) < 0 || cm_stmt_bind_str(st, 1, a->name) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0)
		goto rollback;
	cm_stmt_close(st);
	st = NULL;
	if (f == 1) {
		cm_db_rollback(c->db);
		cli_error("refused: the customer already has an AD server named '%s'", a->name);
		rc = CLI_REFUSED;
		goto out;
	}
	/* Exactly one default per customer: the first server becomes it, and
	 * --default moves it here in this transaction. */
	st = cm_db_prepare(c->db,
	    "SELECT id FROM ad_servers WHERE customer_id = ? AND is_default = 1 AND deleted_at IS NULL FOR UPDATE");
	if (st == NULL || cm_stmt_bind_i64(st, 0, customer_id) < 0 || cm_stmt_execute(st) < 0 ||
	    (f = cm_stmt_fetch(st)) < 0)
		goto rollback;
	if (f == 1)
		old_default = cm_stmt_i64(st, 0);
	cm_stmt_close(st);
	st = NULL;
	is_default = a->make_default || old_default == 0;
	if (a->make_default && old_default > 0) {
		st = cm_db_prepare(c->db, "UPDATE ad_servers SET is_default = 0 WHERE id = ? AND customer_id = ?");
		if (st == NULL || cm_stmt_bind_i64(st, 0, old_default) < 0 ||
		    cm_stmt_bind_i64(st, 1, customer_id) < 0 || cm_stmt_execute(st) < 0)
			goto rollback;
		cm_stmt_close(st);
		st = NULL;
	}
	st = cm_db_prepare(c->db,
	    "INSERT INTO ad_servers (customer_id, name, domain, ldap_uris, base_dn, starttls, users_base_dn, "
	    "ca_pem, is_default, bind_method, bind_dn, bind_password_enc) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL || cm_stmt_bind_i64(st, 0, customer_id) < 0 || cm_stmt_bind_str(st, 1, a->name) < 0 ||
	    cm_stmt_bind_str(st, 2, a->domain) < 0 || cm_stmt_bind_str(st, 3, a->uris) < 0 ||
	    cm_stmt_bind_str(st, 4, a->base_dn) < 0 || cm_stmt_bind_i64(st, 5, a->starttls) < 0 ||
	    cm_stmt_bind_str(st, 6, a->users_base_dn[0] ? a->users_base_dn : NULL) < 0 ||
	    cm_stmt_bind_str(st, 7, ca) < 0 || cm_stmt_bind_i64(st, 8, is_default) < 0 ||
	    cm_stmt_bind_str(st, 9, a->bind_dn[0] ? "simple" : "gssapi") < 0 ||
	    cm_stmt_bind_str(st, 10, a->bind_dn[0] ? a->bind_dn : NULL) < 0 ||
	    (a->bind_dn[0] ? cm_stmt_bind_blob(st, 11, sealed, sealed_len) : cm_stmt_bind_null(st, 11)) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto rollback;
	id = (int64_t)cm_stmt_insert_id(st);
	cm_stmt_close(st);
	st = NULL;
	if (add_json(a, is_default, a->make_default ? old_default : 0, ca_fp, &after) < 0)
		goto rollback;
	snprintf(oid, sizeof(oid), "%lld", (long long)id);
	memset(&e, 0, sizeof(e));
	e.actor = c->actor;
	e.action = "ad_server.create";
	e.object_type = "ad_server";
	e.object_id = oid;
	e.after = after.data;
	e.customer_id = customer_id;
	if (cm_audit(c->db, &e) < 0 || cm_db_commit(c->db) < 0)
		goto rollback;
	printf("ad server %s added (id %lld%s, %s bind)\n", a->name, (long long)id,
	    is_default ? ", default" : "", a->bind_dn[0] ? "simple" : "SASL GSSAPI");
	rc = CLI_OK;
	goto out;
rollback:
	cm_db_rollback(c->db);
dberr:
	cli_error("database: %s", cm_db_error(c->db));
out:
	if (st)
		cm_stmt_close(st);
	OPENSSL_cleanse(sealed, sizeof(sealed));
	cm_buf_free(&after);
	free(ca);
	return rc;
}

/* Loads the customer's server named name into s. CLI_OK, or an exit status printed. */
static int
load_named(struct cli *c, const char *customer, const char *name, struct cm_ad_server *s)
{
	struct cm_stmt *st;
	char why[512];
	int64_t customer_id, id = 0;
	int f = -1, r;

	if (cli_load(c) < 0 || cli_db(c) < 0 || cli_customer(c, customer, &customer_id) < 0)
		return CLI_FAIL;
	st = cm_db_prepare(c->db, "SELECT id FROM ad_servers WHERE customer_id = ? AND live_name = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, customer_id) < 0 || cm_stmt_bind_str(st, 1, name) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0) {
		if (st)
			cm_stmt_close(st);
		cli_error("database: %s", cm_db_error(c->db));
		return CLI_FAIL;
	}
	if (f == 1)
		id = cm_stmt_i64(st, 0);
	cm_stmt_close(st);
	if (f == 0) {
		cli_error("the customer has no AD server named '%s'", name);
		return CLI_FAIL;
	}
	r = cm_ad_server_load(c->db, &c->set, customer_id, id, s, why, sizeof(why));
	if (r != 0) {
		cli_error("AD server '%s': %s", name, why);
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* Prints the failure as the portal shows it. CLI_REFUSED. */
static int
print_stage(enum cm_ad_stage stage, const char *why)
{
	printf("stage: %s\nmessage: %s\n", cm_ad_stage_name(stage), why);
	return CLI_REFUSED;
}

/* An exit status. */
int
cmd_ad(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "customer", required_argument, NULL, 'C' },
		{ "name", required_argument, NULL, 'n' },
		{ "domain", required_argument, NULL, 'd' },
		{ "uris", required_argument, NULL, 'u' },
		{ "base-dn", required_argument, NULL, 'b' },
		{ "users-base-dn", required_argument, NULL, 'B' },
		{ "ca", required_argument, NULL, 'a' },
		{ "starttls", no_argument, NULL, 's' },
		{ "no-starttls", no_argument, NULL, 'S' },
		{ "simple-bind", required_argument, NULL, 'D' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "default", no_argument, NULL, 'F' },
		{ "server", required_argument, NULL, 'r' },
		{ "user", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ad_add a;
	struct cm_ad_server s;
	struct cm_ad_conn *conn = NULL;
	struct cm_ad_user u;
	enum cm_ad_stage stage = CM_AD_OK;
	const char *sub, *server = NULL, *user = NULL;
	char why[2048];
	int opt, r, rc;

	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	a.starttls = 1;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(ad_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_FAIL : CLI_OK;
	}
	sub = argv[1];
	argc--;
	argv++;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'C': a.customer = optarg; break;
		case 'n': a.name = optarg; break;
		case 'd': a.domain = optarg; break;
		case 'u': a.uris_in = optarg; break;
		case 'b': a.base_in = optarg; break;
		case 'B': a.users_base_in = optarg; break;
		case 'a': a.ca_file = optarg; break;
		case 's': a.starttls = 1; break;
		case 'S': a.starttls = 0; break;
		case 'D': a.bind_dn_in = optarg; break;
		case 'p': a.password_file = optarg; break;
		case 'F': a.make_default = 1; break;
		case 'r': server = optarg; break;
		case 'U': user = optarg; break;
		case 'h': fputs(ad_usage, stdout); return CLI_OK;
		default: fputs(ad_usage, stderr); return CLI_FAIL;
		}
	}
	/* A directory that drops the connection must not kill the command. */
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(sub, "add") == 0) {
		if (optind != argc || !a.customer || !a.name || !a.domain || !a.uris_in || !a.base_in) {
			fputs(ad_usage, stderr);
			return CLI_FAIL;
		}
		return ad_add(c, &a);
	}
	if (strcmp(sub, "verify") == 0) {
		if (optind != argc || !a.customer || !server) {
			fputs(ad_usage, stderr);
			return CLI_FAIL;
		}
		if ((rc = load_named(c, a.customer, server, &s)) != CLI_OK)
			return rc;
		if (cm_ad_verify(&s, user, &stage, why, sizeof(why)) < 0)
			rc = print_stage(stage, why);
		else
			printf("stage: ok\nmessage: %s\n", why);
		cm_ad_server_free(&s);
		return rc;
	}
	if (strcmp(sub, "lookup") == 0) {
		if (optind != argc - 1 || !a.customer || !server) {
			fputs(ad_usage, stderr);
			return CLI_FAIL;
		}
		if ((rc = load_named(c, a.customer, server, &s)) != CLI_OK)
			return rc;
		if (cm_ad_connect(&s, &conn, &stage, why, sizeof(why)) < 0) {
			rc = print_stage(stage, why);
			goto lookup_out;
		}
		r = cm_ad_find_user(conn, argv[optind], &u, &stage, why, sizeof(why));
		if (r != 0) {
			rc = print_stage(stage, why);
			goto lookup_out;
		}
		printf("dn: %s\nsAMAccountName: %s\nuserPrincipalName: %s\nmail: %s\ncn: %s\n"
		    "givenName: %s\nsn: %s\ndisabled: %s\n", u.dn, u.sam, u.upn, u.mail, u.cn, u.given_name,
		    u.sn, u.disabled ? "yes" : "no");
lookup_out:
		cm_ad_close(conn);
		cm_ad_server_free(&s);
		return rc;
	}
	cli_error("unknown ad command '%s' (add, verify, lookup)", sub);
	return CLI_FAIL;
}
