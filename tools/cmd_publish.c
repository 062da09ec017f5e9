/* cmd_publish.c: certmint publish ca, the CA certificates written atomically where Apache serves /ca/ to relying parties. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cli.h"

/* The signer's chain is two certificates of a few KiB; more is not a chain. */
#define PUBLISH_CHAIN_MAX (256 * 1024)
#define PUBLISH_PATH_MAX 4096

static const char publish_usage[] =
    "usage: certmint publish ca\n"
    "\n"
    "Writes the signer's CA certificates into the ca/ directory of\n"
    "certmint.conf [publish] dir, which Apache serves at /ca/ without\n"
    "authentication: root.crt and issuing.crt (DER, application/pkix-cert,\n"
    "the caIssuers URLs in the certificates) and chain.pem (issuing CA, then\n"
    "root, PEM). Creates ca/ and crl/ (mode 0755) when missing. Each file is\n"
    "replaced atomically (temporary file, fsync, rename), so a relying party\n"
    "never reads half a file. Running it again rewrites the same bytes.\n"
    "Exit status 1 when the signer has no CA or a file cannot be written.\n";

/* Makes dir (0755) unless it exists as a directory. 0, or -1 printed. */
static int
ensure_dir(const char *dir)
{
	struct stat st;
	if (mkdir(dir, 0755) == 0 || (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
		return 0;
	cli_error("%s: cannot create the directory: %s", dir, errno == EEXIST ? "not a directory" : strerror(errno));
	return -1;
}

/* Writes all of buf to fd: 0 / -1 with errno. */
static int
write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Replaces DIR/NAME with data: a temporary file in the same directory
 * (so rename stays on one file system), fsync, rename, fsync of the
 * directory so the new name survives a crash. 0, or -1 printed.
 */
static int
publish_file(const char *dir, const char *name, const unsigned char *data, size_t len)
{
	char path[PUBLISH_PATH_MAX], tmp[PUBLISH_PATH_MAX];
	int fd = -1, dfd = -1, rc = -1;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.%ld", dir, name, (long)getpid()) >= (int)sizeof(tmp)) {
		cli_error("%s: path too long", dir);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		cli_error("%s: %s", tmp, strerror(errno));
		return -1;
	}
	/* The umask must not hide public files from Apache. */
	if (fchmod(fd, 0644) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		cli_error("%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		cli_error("%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		cli_error("%s: %s", path, strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0) {
		cli_error("%s: %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (tmp[0])
		unlink(tmp);
	return rc;
}

/* DER of x into out (OPENSSL_free it): its length, or -1 printed. */
static int
to_der(X509 *x, unsigned char **out)
{
	*out = NULL;
	int n = i2d_X509(x, out);
	if (n <= 0)
		cli_error("cannot encode a CA certificate");
	return n > 0 ? n : -1;
}

/* PEM of x appended to b: 0 / -1. */
static int
append_pem(BIO *b, X509 *x)
{
	return PEM_write_bio_X509(b, x) == 1 ? 0 : -1;
}

/* 0 / -1 printed. */
static int
publish_ca(struct cli *c)
{
	struct cm_signer *sg = NULL;
	struct cm_buf chain;
	BIO *in = NULL, *pem = NULL;
	X509 *issuing = NULL, *root = NULL, *extra = NULL;
	EVP_PKEY *rpub = NULL;
	unsigned char *rder = NULL, *ider = NULL;
	char err[512], cadir[PUBLISH_PATH_MAX], crldir[PUBLISH_PATH_MAX];
	char *p;
	int r, rlen, ilen, rc = -1;

	cm_buf_init(&chain, PUBLISH_CHAIN_MAX);
	if (cli_load(c) < 0)
		goto out;
	if (c->set.publish_dir == NULL || c->set.publish_dir[0] != '/') {
		cli_error("certmint.conf has no [publish] dir (an absolute path, e.g. /var/lib/certmint/publish, "
		    "that Apache serves at /ca/ and /crl/)");
		goto out;
	}
	if (snprintf(cadir, sizeof(cadir), "%s/ca", c->set.publish_dir) >= (int)sizeof(cadir) ||
	    snprintf(crldir, sizeof(crldir), "%s/crl", c->set.publish_dir) >= (int)sizeof(crldir)) {
		cli_error("[publish] dir is too long");
		goto out;
	}
	if (cli_signer(c, &sg) < 0)
		goto out;
	r = cm_signer_ca_chain(sg, &chain, err, sizeof(err));
	if (r != 0) {
		cli_error("signer %s: %s", r == 1 ? "refused" : "failed", err);
		goto out;
	}
	/* The signer sends the issuing CA first, then the root; check that
	 * before relying parties are told so. */
	in = BIO_new_mem_buf(chain.data, (int)chain.len);
	issuing = in ? PEM_read_bio_X509(in, NULL, NULL, NULL) : NULL;
	root = issuing ? PEM_read_bio_X509(in, NULL, NULL, NULL) : NULL;
	extra = root ? PEM_read_bio_X509(in, NULL, NULL, NULL) : NULL;
	rpub = root ? X509_get_pubkey(root) : NULL;
	if (issuing == NULL || root == NULL || extra != NULL || rpub == NULL ||
	    X509_check_issued(root, root) != X509_V_OK || X509_verify(root, rpub) != 1 ||
	    X509_check_issued(root, issuing) != X509_V_OK || X509_verify(issuing, rpub) != 1) {
		cli_error("the signer's CA chain is not an issuing CA followed by its self-signed root");
		goto out;
	}
	if ((rlen = to_der(root, &rder)) < 0 || (ilen = to_der(issuing, &ider)) < 0)
		goto out;
	pem = BIO_new(BIO_s_mem());
	if (pem == NULL || append_pem(pem, issuing) < 0 || append_pem(pem, root) < 0) {
		cli_error("cannot encode the PEM bundle");
		goto out;
	}
	long plen = BIO_get_mem_data(pem, &p);
	if (ensure_dir(c->set.publish_dir) < 0 || ensure_dir(cadir) < 0 || ensure_dir(crldir) < 0)
		goto out;
	/* Certificates before the bundle: chain.pem never names a file not yet there. */
	if (publish_file(cadir, "root.crt", rder, (size_t)rlen) < 0 ||
	    publish_file(cadir, "issuing.crt", ider, (size_t)ilen) < 0 ||
	    publish_file(cadir, "chain.pem", (const unsigned char *)p, (size_t)plen) < 0)
		goto out;
	printf("published %s/root.crt, issuing.crt, chain.pem\n", cadir);
	rc = 0;
out:
	if (sg)
		cm_signer_close(sg);
	cm_buf_free(&chain);
	BIO_free(in);
	BIO_free(pem);
	X509_free(issuing);
	X509_free(root);
	X509_free(extra);
	EVP_PKEY_free(rpub);
	OPENSSL_free(rder);
	OPENSSL_free(ider);
	return rc;
}

/* An exit status. */
int
cmd_publish(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(publish_usage, stdout);
			return CLI_OK;
		}
		fputs(publish_usage, stderr);
		return CLI_FAIL;
	}
	if (argc - optind != 1 || strcmp(argv[optind], "ca") != 0) {
		fputs(publish_usage, stderr);
		return CLI_FAIL;
	}
	return publish_ca(c) == 0 ? CLI_OK : CLI_FAIL;
}
