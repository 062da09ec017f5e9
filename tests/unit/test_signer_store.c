/* test_signer_store.c: unit tests for the vault, the CA pair, the journal and the op handlers. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tap.h"
#include "signer_ops_fixture.h"
#include "ca.h"
#include "journal.h"
#include "names.h"
#include "ops.h"
#include "profile.h"
#include "sconf.h"
#include "vault.h"

static char tmp[256];

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror("write");
		close(fd);
	}
	chmod(path, mode);
}

static int
count_tmp_files(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".tmp."))
			n++;
	if (d)
		closedir(d);
	return n;
}

static void
test_vault(void)
{
	char vdir[300], key[300], path[400], err[512];
	struct cm_vault v;
	struct stat st;

	snprintf(vdir, sizeof(vdir), "%s/vault", tmp);
	snprintf(key, sizeof(key), "%s/vault.key", tmp);
	mkdir(vdir, 0700);
	write_file(key, "correct horse battery staple\n", 0600);
	int r = cm_vault_open(&v, vdir, key, err, sizeof(err));
	if (!ok(r == 0, "vault opens"))
		printf("# %s\n", err);
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ok(cm_vault_put_key(&v, "test.key", k, err, sizeof(err)) == 0, "key stored");
	snprintf(path, sizeof(path), "%s/test.key", vdir);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "key file is 0600");
	struct cm_buf b;
	cm_buf_init(&b, 0);
	cm_vault_read(&v, "test.key", &b, err, sizeof(err));
	ok(b.data && strstr(b.data, "BEGIN ENCRYPTED PRIVATE KEY") && !strstr(b.data, "BEGIN PRIVATE KEY"),
	    "key is encrypted at rest");
	cm_buf_free(&b);
	EVP_PKEY *k2 = cm_vault_get_key(&v, "test.key", err, sizeof(err));
	ok(k2 && EVP_PKEY_eq(k, k2) == 1, "round trip gives the same key");
	EVP_PKEY_free(k2);
	is_int(count_tmp_files(vdir), 0, "no temporary files left");
	ok(cm_vault_write(&v, "../escape", "x", 1, err, sizeof(err)) < 0, "path traversal refused");
	ok(cm_vault_exists(&v, "test.key") == 1 && cm_vault_exists(&v, "nope") == 0, "exists");
	cm_vault_close(&v);

	/* Wrong passphrase. */
	write_file(key, "a different passphrase", 0600);
	ok(cm_vault_open(&v, vdir, key, err, sizeof(err)) == 0, "vault opens with another passphrase");
	k2 = cm_vault_get_key(&v, "test.key", err, sizeof(err));
	ok(k2 == NULL && strstr(err, "cannot decrypt"), "wrong passphrase cannot decrypt");
	EVP_PKEY_free(k2);
	cm_vault_close(&v);

	/* Permission checks. */
	write_file(key, "correct horse battery staple\n", 0644);
	ok(cm_vault_open(&v, vdir, key, err, sizeof(err)) < 0 && strstr(err, "mode"), "world-readable key file refused: %s", err);
	write_file(key, "short\n", 0400);
	ok(cm_vault_open(&v, vdir, key, err, sizeof(err)) < 0 && strstr(err, "at least"), "short passphrase refused");
	write_file(key, "correct horse battery staple\n", 0400);
	chmod(vdir, 0750);
	ok(cm_vault_open(&v, vdir, key, err, sizeof(err)) < 0 && strstr(err, "0700"), "group-accessible vault refused: %s", err);
	chmod(vdir, 0700);
	ok(cm_vault_open(&v, vdir, key, err, sizeof(err)) == 0, "0400 key file accepted");
	cm_vault_close(&v);
	EVP_PKEY_free(k);
}

static void
test_ca(void)
{
	char vdir[300], vdir2[300], key[300], err[512];
	struct cm_vault v, v2;
	struct cm_ca ca, ca2, ca3;
	struct cm_buf chain;

	snprintf(vdir, sizeof(vdir), "%s/cavault", tmp);
	snprintf(vdir2, sizeof(vdir2), "%s/cavault2", tmp);
	snprintf(key, sizeof(key), "%s/vault.key", tmp);
	mkdir(vdir, 0700);
	mkdir(vdir2, 0700);
	write_file(key, "correct horse battery staple\n", 0600);
	cm_vault_open(&v, vdir, key, err, sizeof(err));
	ok(cm_ca_load(&ca, &v, err, sizeof(err)) == 0 && ca.cert == NULL, "empty vault: no CA");
	cm_buf_init(&chain, 0);
	is_int(cm_ca_chain(&ca, &chain, err, sizeof(err)), 1, "chain before init refused");
	is_int(cm_ca_init(&ca, "rsa1024", "/C=GB/CN=R", "/C=GB/CN=I", 0, 0, 0, NULL, err, sizeof(err)), 1, "unknown key type refused");
	is_int(cm_ca_init(&ca, "ecdsa-p256", "/C=GB/CN=Same", "/C=GB/CN=Same", 0, 0, 0, NULL, err, sizeof(err)), 1, "equal subjects refused");
	/* Issue 8: CA subjects carry a country; lifetimes within signerd.conf's bounds. */
	ok(cm_ca_init(&ca, "ecdsa-p256", "/O=Test/CN=Test Root", "/C=GB/O=Test/CN=Test Issuing", 0, 0, 0, NULL,
	    err, sizeof(err)) == 1 && strstr(err, "the root subject needs one country"), "root without C= refused: %s", err);
	ok(cm_ca_init(&ca, "ecdsa-p256", "/C=GB/O=Test/CN=Test Root", "/O=Test/CN=Test Issuing", 0, 0, 0, NULL,
	    err, sizeof(err)) == 1 && strstr(err, "the issuing subject needs one country"), "issuing without C= refused: %s", err);
	ok(cm_ca_init(&ca, "ecdsa-p256", "/C=gb/CN=Test Root", "/C=GB/CN=Test Issuing", 0, 0, 0, NULL,
	    err, sizeof(err)) == 1 && strstr(err, "country"), "lower-case country refused");
	ok(cm_ca_init(&ca, "ecdsa-p256", "/C=GB/C=DE/CN=Test Root", "/C=GB/CN=Test Issuing", 0, 0, 0, NULL,
	    err, sizeof(err)) == 1 && strstr(err, "country"), "two countries refused");
	ok(cm_ca_init(&ca, "ecdsa-p256", "/C=GB/CN=Test Root", "/C=GB/CN=Test Issuing", 7306, 0, 0, NULL,
	    err, sizeof(err)) == 1 && strstr(err, "root CA validity of 7306 days is outside 1..7305"),
	    "root over the default 7305 days refused: %s", err);
	ok(cm_ca_init(&ca, "ecdsa-p256", "/C=GB/CN=Test Root", "/C=GB/CN=Test Issuing", 0, 3654, 0, NULL,
	    err, sizeof(err)) == 1 && strstr(err, "issuing CA validity of 3654 days is outside 1..3653"),
	    "issuing over the default 3653 days refused: %s", err);
	struct cm_ca_limits lim = { 1000, 500, NULL, NULL };
	ok(cm_ca_init(&ca, "ecdsa-p256", "/C=GB/CN=Test Root", "/C=GB/CN=Test Issuing", 1001, 0, 0, &lim,
	    err, sizeof(err)) == 1 && strstr(err, "max_root_days"), "root over max_root_days refused: %s", err);
	ok(cm_ca_init(&ca, "ecdsa-p256", "/C=GB/CN=Test Root", "/C=GB/CN=Test Issuing", 0, 0, 1, &lim,
	    err, sizeof(err)) == 1 && strstr(err, "no [namespaces]"), "name constraints without name spaces refused: %s", err);
	ok(ca.cert == NULL && !cm_vault_exists(&v, "issuing.pem"), "refusals created nothing");
	int r = cm_ca_init(&ca, "ecdsa-p256", "/C=GB/O=Test/CN=Test Root", "/C=GB/O=Test/CN=Test Issuing", 0, 0, 0, NULL, err, sizeof(err));
	if (!ok(r == 0, "CA created"))
		printf("# %s\n", err);
	is_int(cm_ca_init(&ca, "ecdsa-p256", "/C=GB/CN=R2", "/C=GB/CN=I2", 0, 0, 0, NULL, err, sizeof(err)), 1, "second init refused");
	ok(strstr(err, "already exists") != NULL, "reason says a CA exists");
	ok(ca.cert && X509_check_ca(ca.cert) && ca.root, "issuing CA is a CA");
	EVP_PKEY *rpub = ca.root ? X509_get0_pubkey(ca.root) : NULL;
	ok(rpub && X509_verify(ca.cert, rpub) == 1, "issuing CA signed by the root");
	ok(cm_ca_chain(&ca, &chain, err, sizeof(err)) == 0 && chain.data &&
	    strstr(strstr(chain.data, "END CERTIFICATE") + 1, "BEGIN CERTIFICATE"), "chain has two certificates");

	/* A restart finds the CA again. */
	ok(cm_ca_load(&ca2, &v, err, sizeof(err)) == 0 && ca2.cert && X509_cmp(ca2.cert, ca.cert) == 0 &&
	    ca2.key && EVP_PKEY_eq(ca2.key, ca.key) == 1, "CA reloads from the vault");

	/* Import the same pair into a second vault. */
	BIO *kb = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(kb, ca.key, NULL, NULL, 0, NULL, NULL);
	char *kpem;
	long kl = BIO_get_mem_data(kb, &kpem);
	char *keypem = strndup(kpem, (size_t)kl);
	char *end1 = strstr(chain.data, "-----END CERTIFICATE-----");
	size_t ilen = (size_t)(end1 - chain.data) + strlen("-----END CERTIFICATE-----\n");
	char *isspem = strndup(chain.data, ilen);
	char *rootpem = strdup(chain.data + ilen);
	cm_vault_open(&v2, vdir2, key, err, sizeof(err));
	cm_ca_load(&ca3, &v2, err, sizeof(err));
	is_int(cm_ca_import(&ca3, isspem, rootpem, keypem, NULL, NULL, err, sizeof(err)), 1, "swapped root/issuing refused");
	EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIO *ob = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(ob, other, NULL, NULL, 0, NULL, NULL);
	char *opem;
	long ol = BIO_get_mem_data(ob, &opem);
	char *otherpem = strndup(opem, (size_t)ol);
	ok(cm_ca_import(&ca3, rootpem, isspem, otherpem, NULL, NULL, err, sizeof(err)) == 1 && strstr(err, "does not match"),
	    "mismatched key refused");
	ok(cm_ca_import(&ca3, rootpem, isspem, keypem, NULL, &lim, err, sizeof(err)) == 1 &&
	    strstr(err, "the root certificate is valid for 7305 days, more than max_root_days (1000)"),
	    "import of a root longer than max_root_days refused: %s", err);
	struct cm_ca_limits lim2 = { 7305, 3000, NULL, NULL };
	ok(cm_ca_import(&ca3, rootpem, isspem, keypem, NULL, &lim2, err, sizeof(err)) == 1 &&
	    strstr(err, "max_issuing_days (3000)"), "import of an issuing CA longer than max_issuing_days refused: %s", err);
	r = cm_ca_import(&ca3, rootpem, isspem, keypem, NULL, NULL, err, sizeof(err));
	if (!ok(r == 0, "import of a valid pair"))
		printf("# %s\n", err);
	ok(ca3.cert && X509_cmp(ca3.cert, ca.cert) == 0, "imported issuing CA in use");
	OPENSSL_cleanse(keypem, strlen(keypem));
	free(keypem);
	free(isspem);
	free(rootpem);
	free(otherpem);
	BIO_free(kb);
	BIO_free(ob);
	EVP_PKEY_free(other);
	cm_buf_free(&chain);
	cm_ca_free(&ca3);
	cm_ca_free(&ca2);
	cm_ca_free(&ca);
	cm_vault_close(&v2);
	cm_vault_close(&v);

	/* A name-constrained issuing CA, and explicit lifetimes within the limits. */
	struct cm_vault v3;
	struct cm_ca ca4;
	static struct cm_namespaces ns;
	char vdir3[300];
	snprintf(vdir3, sizeof(vdir3), "%s/cavault3", tmp);
	mkdir(vdir3, 0700);
	cm_vault_open(&v3, vdir3, key, err, sizeof(err));
	cm_ca_load(&ca4, &v3, err, sizeof(err));
	cm_ns_add(&ns, "dns", "example.com", err, sizeof(err));
	struct cm_ca_limits lim3 = { 1000, 500, &ns, NULL };
	r = cm_ca_init(&ca4, "ecdsa-p256", "/C=DE/CN=NC Root", "/C=DE/CN=NC Issuing", 1000, 500, 1, &lim3, err, sizeof(err));
	if (!ok(r == 0, "name-constrained CA within max_root_days/max_issuing_days created"))
		printf("# %s\n", err);
	int crit = -1;
	NAME_CONSTRAINTS *nc = ca4.cert ? X509_get_ext_d2i(ca4.cert, NID_name_constraints, &crit, NULL) : NULL;
	ok(nc && crit == 1 && sk_GENERAL_SUBTREE_num(nc->permittedSubtrees) == 1,
	    "its issuing CA carries the name spaces as a critical nameConstraints");
	ok(ca4.root && X509_get_ext_by_NID(ca4.root, NID_name_constraints, -1) < 0, "the root carries none");
	NAME_CONSTRAINTS_free(nc);
	cm_ca_free(&ca4);
	cm_vault_close(&v3);
}

struct jarg {
	struct cm_journal *j;
	int id;
	int fails;
};

static void *
jworker(void *p)
{
	struct jarg *a = p;
	char line[64];
	for (int i = 0; i < 25; i++) {
		int n = snprintf(line, sizeof(line), "worker %d record %d\n", a->id, i);
		if (cm_journal_append(a->j, line, (size_t)n) < 0)
			a->fails++;
	}
	return NULL;
}

static int
count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;
	while (f && (c = fgetc(f)) != EOF)
		if (c == '\n')
			n++;
	if (f)
		fclose(f);
	return n;
}

static void
test_journal(void)
{
	char path[300], err[256];
	struct cm_journal j;
	pthread_t t[8];
	struct jarg a[8];
	struct stat st;

	snprintf(path, sizeof(path), "%s/journal.log", tmp);
	ok(cm_journal_open(&j, path, err, sizeof(err)) == 0, "journal opens");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "journal is 0600");
	for (int i = 0; i < 8; i++) {
		a[i] = (struct jarg){ &j, i, 0 };
		pthread_create(&t[i], NULL, jworker, &a[i]);
	}
	int fails = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		fails += a[i].fails;
	}
	is_int(fails, 0, "200 concurrent appends succeed");
	is_int(j.records, 200, "200 records counted");
	ok(j.batches <= j.records && j.batches > 0, "group commit: %llu batches for 200 records",
	    (unsigned long long)j.batches);
	cm_journal_close(&j);
	is_int(count_lines(path), 200, "200 lines on disk");

	/* Reopening appends, never truncates. */
	ok(cm_journal_open(&j, path, err, sizeof(err)) == 0, "journal reopens");
	struct cm_buf rec;
	cm_buf_init(&rec, 0);
	ok(cm_journal_format(&rec, 0, "00ff", "tls-server", 33, "/CN=a\tb\nc", (const unsigned char *)"\x30\x03\x02\x01\x01", 5) == 0,
	    "record formatted");
	is_str(rec.data, "1970-01-01T00:00:00Z\t00ff\ttls-server\t33\t/CN=a b c\tMAMCAQE=\n", "record format, tabs/newlines neutralised");
	ok(cm_journal_append(&j, rec.data, rec.len) == 0, "append");
	cm_buf_free(&rec);
	/* A journal that cannot be written refuses the append. */
	int ro = open(path, O_RDONLY);
	int saved = dup(j.fd);
	dup2(ro, j.fd);
	ok(cm_journal_append(&j, "x\n", 2) < 0, "failed write refuses the record");
	dup2(saved, j.fd);
	close(saved);
	close(ro);
	cm_journal_close(&j);
	is_int(count_lines(path), 201, "201 lines after reopen");
}

/* [access] lines: plain ops, "issue" (every profile) and "issue:a,b". */
static void
test_access(void)
{
	static struct cm_sconf c;
	char path[400], err[512];
	const char *head = "[signer]\nsocket = /x\nvault = /x\nvault_key_file = /x\njournal = /x\nnamespaces = off\n[access]\n";
	char text[1024];

	snprintf(path, sizeof(path), "%s/access.conf", tmp);
	snprintf(text, sizeof(text), "%s0 = ca-init ca-import ca-chain issue\n"
	    "33 = ca-chain issue:tls-server,client-smime,code-signing\n"
	    "34 = ca-chain, issue:tls-server issue:code-signing\n"
	    "35 = ca-chain\n36 =\n", head);
	write_file(path, text, 0600);
	ok(cm_sconf_load(&c, path, err, sizeof(err)) == 0, "[access] with issue:PROFILES loads: %s", err);
	ok(cm_sconf_profile_allowed(&c, 0, "ocsp-signing") && cm_sconf_profile_allowed(&c, 0, "anything"),
	    "plain issue: every profile");
	ok(cm_sconf_allowed(&c, 33, OP_ISSUE) && cm_sconf_allowed(&c, 33, OP_CA_CHAIN) &&
	    !cm_sconf_allowed(&c, 33, OP_CA_INIT), "issue:list grants the issue op");
	ok(cm_sconf_profile_allowed(&c, 33, "tls-server") && cm_sconf_profile_allowed(&c, 33, "client-smime") &&
	    cm_sconf_profile_allowed(&c, 33, "code-signing"), "listed profiles allowed");
	ok(!cm_sconf_profile_allowed(&c, 33, "ocsp-signing"), "unlisted ocsp-signing refused");
	ok(!cm_sconf_profile_allowed(&c, 33, "tls"), "prefix of a listed profile refused");
	ok(cm_sconf_profile_allowed(&c, 34, "tls-server") && cm_sconf_profile_allowed(&c, 34, "code-signing") &&
	    !cm_sconf_profile_allowed(&c, 34, "client-smime"), "two issue: words add up");
	ok(!cm_sconf_profile_allowed(&c, 35, "tls-server"), "no issue op: no profile");
	ok(!cm_sconf_profile_allowed(&c, 99, "tls-server") && !cm_sconf_any_allowed(&c, 99), "unlisted uid: nothing");
	ok(cm_sconf_any_allowed(&c, 35) && !cm_sconf_any_allowed(&c, 36), "a uid with an empty list has no op");
	cm_sconf_free(&c);

	/* [namespaces] and the CA lifetime limits (issue 8). */
	const char *base = "[signer]\nsocket = /x\nvault = /x\nvault_key_file = /x\njournal = /x\n";
	snprintf(text, sizeof(text), "%s[access]\n0 = issue\n", base);
	write_file(path, text, 0600);
	ok(cm_sconf_load(&c, path, err, sizeof(err)) < 0 && strstr(err, "namespaces = off"),
	    "no [namespaces] and no 'namespaces = off' refused: %s", err);
	cm_sconf_free(&c);
	snprintf(text, sizeof(text), "%snamespaces = off\n[namespaces]\ndns = example.com\n", base);
	write_file(path, text, 0600);
	ok(cm_sconf_load(&c, path, err, sizeof(err)) < 0 && strstr(err, "keep one of the two"),
	    "'namespaces = off' with entries refused: %s", err);
	cm_sconf_free(&c);
	snprintf(text, sizeof(text), "%s[namespaces]\ndns = example.com\nuri = https://x/\n", base);
	write_file(path, text, 0600);
	ok(cm_sconf_load(&c, path, err, sizeof(err)) < 0 && strstr(err, "uri"), "unknown [namespaces] key refused: %s", err);
	cm_sconf_free(&c);
	snprintf(text, sizeof(text), "%s[namespaces]\nip = 10.0.0.1/8\n", base);
	write_file(path, text, 0600);
	ok(cm_sconf_load(&c, path, err, sizeof(err)) < 0 && strstr(err, "bits set"), "bad range refused: %s", err);
	cm_sconf_free(&c);
	snprintf(text, sizeof(text), "%smax_root_days = 100\nmax_issuing_days = 101\n[namespaces]\ndns = example.com\n", base);
	write_file(path, text, 0600);
	ok(cm_sconf_load(&c, path, err, sizeof(err)) < 0 && strstr(err, "above max_root_days"),
	    "max_issuing_days above max_root_days refused: %s", err);
	cm_sconf_free(&c);
	snprintf(text, sizeof(text), "%s[namespaces]\ndns = example.com, demo.test\nemail = example.com\n"
	    "ip = 10.0.0.0/8\n", base);
	write_file(path, text, 0600);
	ok(cm_sconf_load(&c, path, err, sizeof(err)) == 0 && c.namespaces_on && c.ns.ndns == 2 && c.ns.nemail == 1 &&
	    c.ns.nip == 1 && c.max_root_days == 7305 && c.max_issuing_days == 3653,
	    "[namespaces] loads, lifetimes default to 7305/3653: %s", err);
	cm_sconf_free(&c);

	snprintf(text, sizeof(text), "%s33 = issue:\n", head);
	write_file(path, text, 0600);
	ok(cm_sconf_load(&c, path, err, sizeof(err)) < 0 && strstr(err, "at least one profile"), "issue: without profiles refused");
	cm_sconf_free(&c);
	snprintf(text, sizeof(text), "%s33 = issue:a,,b\n", head);
	write_file(path, text, 0600);
	ok(cm_sconf_load(&c, path, err, sizeof(err)) < 0, "empty profile name refused");
	cm_sconf_free(&c);
	snprintf(text, sizeof(text), "%s33 = issue:a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n", head);
	write_file(path, text, 0600);
	ok(cm_sconf_load(&c, path, err, sizeof(err)) < 0 && strstr(err, "more than 16"), "17 profiles refused: %s", err);
	cm_sconf_free(&c);
	snprintf(text, sizeof(text), "%s33 = sign:tls-server\n", head);
	write_file(path, text, 0600);
	ok(cm_sconf_load(&c, path, err, sizeof(err)) < 0 && strstr(err, "unknown operation"), "other op:list refused");
	cm_sconf_free(&c);
	/* A reserved op has a name but cannot be granted until it is served. */
	for (unsigned op = 1; op < OP__MAX; op++) {
		if (cm_op_served(op))
			continue;
		snprintf(text, sizeof(text), "%s33 = ca-chain %s\n", head, cm_op_name(op));
		write_file(path, text, 0600);
		ok(cm_sconf_load(&c, path, err, sizeof(err)) < 0 && strstr(err, "reserved") &&
		    strstr(err, cm_op_name(op)), "[access] granting reserved %s refused: %s", cm_op_name(op), err);
		cm_sconf_free(&c);
	}
}

/* A batch that fails part-way is cut off: the file keeps only whole records. */
static void
test_journal_truncate(void)
{
	char path[300], err[256];
	struct cm_journal j;
	struct stat st;
	struct rlimit old, lim;

	snprintf(path, sizeof(path), "%s/trunc.log", tmp);
	ok(cm_journal_open(&j, path, err, sizeof(err)) == 0, "journal opens");
	ok(cm_journal_append(&j, "first\n", 6) == 0, "first record written");
	/* Files may grow to 10 bytes: the next 12-byte record is written short, then fails. */
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 10;
	setrlimit(RLIMIT_FSIZE, &lim);
	int r = cm_journal_append(&j, "second-rec\n", 11);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, prev);
	ok(r < 0, "record over the file-size limit refused");
	ok(stat(path, &st) == 0 && st.st_size == 6, "partial batch truncated away (size %lld, want 6)",
	    (long long)st.st_size);
	is_int((int)j.truncate_failures, 0, "truncate succeeded");
	ok(cm_journal_append(&j, "third\n", 6) == 0, "next record written");
	cm_journal_close(&j);
	FILE *f = fopen(path, "r");
	char buf[64] = "";
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	is_str(buf, "first\nthird\n", "the journal holds whole records only");
}

static void
test_ops(void)
{
	char vdir[300], key[300], jpath[300], err[512], path[1024];
	struct cm_vault v;
	struct cm_ca ca;
	struct cm_journal j;
	struct cm_profiles ps;
	struct cm_buf req, reply;
	struct cm_msg *m = malloc(sizeof(*m)), *rm = malloc(sizeof(*rm));
	const char *src = getenv("CERTMINT_SRCDIR") ? getenv("CERTMINT_SRCDIR") : getenv("srcdir");

	snprintf(path, sizeof(path), "%s/conf/signer-profiles.conf", src ? src : ".");
	snprintf(vdir, sizeof(vdir), "%s/opsvault", tmp);
	snprintf(key, sizeof(key), "%s/vault.key", tmp);
	snprintf(jpath, sizeof(jpath), "%s/ops-journal.log", tmp);
	mkdir(vdir, 0700);
	cm_profiles_load(&ps, path, err, sizeof(err));
	cm_vault_open(&v, vdir, key, err, sizeof(err));
	cm_ca_load(&ca, &v, err, sizeof(err));
	cm_journal_open(&j, jpath, err, sizeof(err));
	struct cm_signer_ctx ctx = { .profiles = &ps, .ca = &ca, .journal = &j };
	cm_buf_init(&req, 0);
	cm_buf_init(&reply, 0);

	/* issue before the CA exists. */
	unsigned char *der = NULL;
	int dlen = dns_csr("ops.example", &der);

	#define RUN() serve(&ctx, &req, &reply, rm)

	cm_enc_begin(&req, OP_ISSUE, 5);
	cm_enc_str(&req, TAG_PROFILE, "tls-server");
	cm_enc_bytes(&req, TAG_CSR_DER, der, (size_t)dlen);
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_ERR, "issue without a CA is refused");

	cm_enc_begin(&req, OP_CA_INIT, 5);
	cm_enc_str(&req, TAG_KEY_TYPE, "ecdsa-p256");
	cm_enc_str(&req, TAG_ROOT_SUBJECT, "/C=GB/CN=Ops Root");
	cm_enc_str(&req, TAG_ISSUING_SUBJECT, "/C=GB/CN=Ops Issuing");
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_OK, "ca-init op");

	cm_enc_begin(&req, OP_ISSUE, 5);
	cm_enc_str(&req, TAG_PROFILE, "tls-server");
	cm_enc_bytes(&req, TAG_CSR_DER, der, (size_t)dlen);
	cm_enc_u32(&req, TAG_VALIDITY_DAYS, 30);
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_OK, "issue op");
	const struct cm_field *cf = cm_msg_get(rm, TAG_CERT_DER), *sf = cm_msg_get(rm, TAG_SERIAL_HEX);
	ok(cf && cf->len > 100 && sf && sf->len == 32, "reply carries DER and a 32-digit serial");
	is_int(reply.data[4] << 24 | reply.data[5] << 16 | reply.data[6] << 8 | reply.data[7], 5, "reply echoes the request id");
	is_int(j.records, 1, "issuance journalled");

	cm_enc_begin(&req, OP_ISSUE, 5);
	cm_enc_str(&req, TAG_PROFILE, "tls-server");
	cm_enc_bytes(&req, TAG_CSR_DER, der, (size_t)dlen);
	cm_enc_u32(&req, TAG_CA, 1);
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_ERR, "CA request refused");
	const struct cm_field *rf = cm_msg_get(rm, TAG_REASON);
	ok(rf && memmem(rf->val, rf->len, "CA certificates cannot be issued by profile tls-server", 54), "with the reason");
	is_int(j.records, 1, "refusal not journalled");

	cm_enc_begin(&req, OP_ISSUE, 5);
	cm_enc_str(&req, TAG_PROFILE, "root-ca");
	cm_enc_bytes(&req, TAG_CSR_DER, der, (size_t)dlen);
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_ERR, "unknown profile refused");

	/* Per-profile access: uid 1000 may issue tls-server only. */
	static struct cm_sconf sc;
	char cpath[400];
	snprintf(cpath, sizeof(cpath), "%s/acl.conf", tmp);
	write_file(cpath, "[signer]\nsocket = /x\nvault = /x\nvault_key_file = /x\njournal = /x\n"
	    "namespaces = off\n[access]\n1000 = ca-chain issue:tls-server\n", 0600);
	ok(cm_sconf_load(&sc, cpath, err, sizeof(err)) == 0, "ACL config loads: %s", err);
	ctx.conf = &sc;
	cm_enc_begin(&req, OP_ISSUE, 5);
	cm_enc_str(&req, TAG_PROFILE, "ocsp-signing");
	cm_enc_bytes(&req, TAG_CSR_DER, der, (size_t)dlen);
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_ERR, "issue under a profile outside the uid's list refused");
	rf = cm_msg_get(rm, TAG_REASON);
	static const char want[] = "profile ocsp-signing not allowed for uid 1000";
	ok(rf && rf->len == strlen(want) && memcmp(rf->val, want, strlen(want)) == 0,
	    "with the reason 'profile ocsp-signing not allowed for uid 1000' (%.*s)", rf ? (int)rf->len : 0,
	    rf ? (const char *)rf->val : "");
	is_int(j.records, 1, "refusal not journalled");
	cm_enc_begin(&req, OP_ISSUE, 5);
	cm_enc_str(&req, TAG_PROFILE, "tls-server");
	cm_enc_bytes(&req, TAG_CSR_DER, der, (size_t)dlen);
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_OK, "issue under the listed profile allowed");
	ctx.conf = NULL;
	cm_sconf_free(&sc);

	cm_enc_begin(&req, OP_CA_CHAIN, 5);
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_OK, "chain op");
	ok(cm_msg_get(rm, TAG_CHAIN_PEM) != NULL, "chain returned");

	/* Each op's field set, checked before any handler runs. */
	uint64_t records = j.records;
	cm_enc_begin(&req, OP_ISSUE, 5);
	cm_enc_str(&req, TAG_PROFILE, "tls-server");
	cm_enc_bytes(&req, TAG_CSR_DER, der, (size_t)dlen);
	cm_enc_str(&req, TAG_PASSPHRASE, "x");
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_ERR, "issue carrying a passphrase refused");
	ok(reason_is(rm, "field passphrase is not part of an issue request"), "with the reason");
	is_int(j.records, records, "nothing issued");
	cm_enc_begin(&req, OP_ISSUE, 5);
	cm_enc_str(&req, TAG_PROFILE, "tls-server");
	cm_enc_bytes(&req, TAG_CSR_DER, der, (size_t)dlen);
	cm_enc_str(&req, TAG_PROFILE, "client-smime");
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_ERR, "issue with two profiles refused");
	ok(reason_is(rm, "field profile repeated in the issue request"), "with the reason");
	cm_enc_begin(&req, OP_ISSUE, 5);
	cm_enc_str(&req, TAG_PROFILE, "tls-server");
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_ERR, "issue without a CSR refused");
	ok(reason_is(rm, "the issue request lacks the required field csr-der"), "with the reason");
	cm_enc_begin(&req, OP_ISSUE, 5);
	cm_enc_str(&req, TAG_PROFILE, "tls-server");
	cm_enc_bytes(&req, TAG_CSR_DER, der, (size_t)dlen);
	cm_enc_str(&req, TAG_SAN, "DNS:ops.example");
	cm_enc_str(&req, TAG_SAN, "DNS:ops.example");
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_OK, "issue with a repeated SAN field served");
	is_int(j.records, records + 1, "and issued");
	cm_enc_begin(&req, OP_CA_CHAIN, 5);
	cm_enc_u32(&req, TAG_CA, 0);
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_ERR, "ca-chain carrying any field refused");
	ok(reason_is(rm, "field ca is not part of a ca-chain request"), "with the reason");
	cm_enc_begin(&req, OP_CA_IMPORT, 5);
	cm_enc_str(&req, TAG_ROOT_PEM, "x");
	cm_enc_str(&req, TAG_ISSUING_PEM, "x");
	cm_enc_str(&req, TAG_ISSUING_KEY_PEM, "x");
	cm_enc_str(&req, TAG_KEY_TYPE, "rsa3072");
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_ERR, "ca-import carrying a key type refused");
	ok(reason_is(rm, "field key-type is not part of a ca-import request"), "with the reason");

	/* Reserved, unknown and malformed: dropped without an answer. */
	for (unsigned op = 1; op < OP__MAX; op++) {
		if (cm_op_served(op))
			continue;
		cm_enc_begin(&req, (uint16_t)op, 5);
		cm_enc_finish(&req);
		ok(RUN() == -1, "reserved op %s dropped", cm_op_name(op));
		cm_enc_begin(&req, (uint16_t)op, 5);
		cm_enc_str(&req, TAG_PROFILE, "tls-server");
		cm_enc_bytes(&req, TAG_CSR_DER, der, (size_t)dlen);
		cm_enc_finish(&req);
		ok(RUN() == -1, "reserved op %s with issue's fields dropped", cm_op_name(op));
	}
	is_int(j.records, records + 1, "nothing issued");
	/* The shared name rules (lib/name_rules.h), applied by the signer itself
	 * to a SUBJECT and SANs sent in the frame: each refused, none journalled. */
	{
		static const struct { const char *subject, *san, *why; } bad[] = {
			{ "/C=GB/O=Ops/OU=Sales/CN=ops.example", NULL, "OU" },
			{ "/CN=www.google.com", NULL, "not one of the certificate's DNS or IP subjectAltNames" },
			{ "/CN=ops.example\r\n", NULL, NULL },
			{ "/CN=ops.example ", "DNS:ops.example", "not one of" },
			{ "/CN=ops.example\x01", NULL, NULL },
			{ "/CN=a_b.example", "DNS:a_b.example", "underscore" },
			{ "/CN=ops.example", "IP:127.0.0.1", "loopback" },
			{ "/CN=ops.example", "DNS:localhost", "single label" },
			{ "/CN=ops.example", "DNS:*.example.com", "public suffix list" },
			{ "/C=gb/CN=ops.example", NULL, "country code" },
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char subj[128];
			const char *s = bad[i].subject;
			size_t o = 0;

			/* "\r", "\n", "\x01" in the table stand for the raw bytes */
			for (; *s && o + 1 < sizeof(subj); s++) {
				if (s[0] == '\\' && s[1] == 'r') { subj[o++] = '\r'; s++; }
				else if (s[0] == '\\' && s[1] == 'n') { subj[o++] = '\n'; s++; }
				else if (s[0] == '\\' && s[1] == 'x') { subj[o++] = 1; s += 3; }
				else subj[o++] = *s;
			}
			subj[o] = '\0';
			cm_enc_begin(&req, OP_ISSUE, 5);
			cm_enc_str(&req, TAG_PROFILE, "tls-server");
			cm_enc_bytes(&req, TAG_CSR_DER, der, (size_t)dlen);
			cm_enc_str(&req, TAG_SUBJECT, subj);
			if (bad[i].san) {
				cm_enc_str(&req, TAG_SAN, bad[i].san);
				if (strcmp(bad[i].san, "DNS:ops.example") != 0 && strncmp(bad[i].san, "DNS:a_b", 7) != 0)
					cm_enc_str(&req, TAG_SAN, "DNS:ops.example");
			}
			cm_enc_finish(&req);
			is_int(RUN(), OP_REPLY_ERR, "bad name refused by the signer");
			rf = cm_msg_get(rm, TAG_REASON);
			ok(rf && rf->len > 0 && (bad[i].why == NULL || memmem(rf->val, rf->len, bad[i].why, strlen(bad[i].why))),
			    "case %zu: the reason says why: %.*s", i, rf ? (int)rf->len : 0, rf ? (const char *)rf->val : "");
			is_int(j.records, records + 1, "... and nothing journalled");
		}
		/* A valid SUBJECT replaces the CSR's subject entirely. */
		cm_enc_begin(&req, OP_ISSUE, 5);
		cm_enc_str(&req, TAG_PROFILE, "tls-server");
		cm_enc_bytes(&req, TAG_CSR_DER, der, (size_t)dlen);
		cm_enc_str(&req, TAG_SUBJECT, "/C=GB/ST=Kent/L=Canterbury/O=Ops Ltd/CN=ops.example");
		cm_enc_finish(&req);
		is_int(RUN(), OP_REPLY_OK, "a clean SUBJECT is issued");
		cf = cm_msg_get(rm, TAG_CERT_DER);
		if (cf) {
			const unsigned char *p = cf->val;
			X509 *c = d2i_X509(NULL, &p, (long)cf->len);
			char line[256] = "";
			if (c)
				X509_NAME_oneline(X509_get_subject_name(c), line, sizeof(line));
			is_str(line, "/C=GB/ST=Kent/L=Canterbury/O=Ops Ltd/CN=ops.example", "the certificate carries the SUBJECT sent, not the CSR's");
			X509_free(c);
		} else {
			ok(0, "the certificate carries the SUBJECT sent, not the CSR's");
		}
		is_int(j.records, records + 2, "journalled once");
	}
	cm_enc_begin(&req, OP__MAX, 5);
	cm_enc_finish(&req);
	is_int(RUN(), -1, "op after the last reserved one dropped");
	cm_enc_begin(&req, OP_REPLY_OK, 5);
	cm_enc_finish(&req);
	is_int(RUN(), -1, "a reply op sent as a request dropped");
	cm_enc_begin(&req, OP_ISSUE, 5);
	cm_enc_str(&req, TAG_PROFILE, "tls-server");
	cm_enc_finish(&req);
	req.data[11] -= 2;   /* the header now ends the payload inside the last field */
	is_int(RUN(), -1, "truncated issue request dropped");

	/* The name spaces hold for every uid, even one with plain "issue". */
	snprintf(cpath, sizeof(cpath), "%s/ns.conf", tmp);
	write_file(cpath, "[signer]\nsocket = /x\nvault = /x\nvault_key_file = /x\njournal = /x\n"
	    "[namespaces]\ndns = example.com\n[access]\n1000 = issue\n", 0600);
	ok(cm_sconf_load(&sc, cpath, err, sizeof(err)) == 0, "config with [namespaces] loads: %s", err);
	ctx.conf = &sc;
	uint64_t before_ns = j.records;
	cm_enc_begin(&req, OP_ISSUE, 5);
	cm_enc_str(&req, TAG_PROFILE, "tls-server");
	cm_enc_bytes(&req, TAG_CSR_DER, der, (size_t)dlen);
	cm_enc_finish(&req);
	ok(RUN() == OP_REPLY_ERR &&
	    reason_is(rm, "the subject CN ops.example is outside the name spaces this signer may certify"),
	    "a name outside [namespaces] refused, naming it");
	cm_enc_begin(&req, OP_ISSUE, 5);
	cm_enc_str(&req, TAG_PROFILE, "tls-server");
	cm_enc_bytes(&req, TAG_CSR_DER, der, (size_t)dlen);
	cm_enc_str(&req, TAG_SUBJECT, "/CN=ops.example.com");
	cm_enc_str(&req, TAG_SAN, "DNS:ops.example.com");
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_OK, "names inside [namespaces] issued");
	is_int(j.records, before_ns + 1, "only the accepted one journalled");
	ctx.conf = NULL;
	cm_sconf_free(&sc);

	/* The uid's [access] line is asked before the field set. */
	snprintf(cpath, sizeof(cpath), "%s/acl2.conf", tmp);
	write_file(cpath, "[signer]\nsocket = /x\nvault = /x\nvault_key_file = /x\njournal = /x\n"
	    "namespaces = off\n[access]\n1000 = ca-chain\n", 0600);
	ok(cm_sconf_load(&sc, cpath, err, sizeof(err)) == 0, "ACL config loads: %s", err);
	ctx.conf = &sc;
	cm_enc_begin(&req, OP_CA_INIT, 5);
	cm_enc_str(&req, TAG_PASSPHRASE, "x");
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_ERR, "ca-init by a uid without the right refused");
	ok(reason_is(rm, "operation ca-init not allowed for uid 1000"), "with the ACL's reason, not the field set's");
	cm_enc_begin(&req, OP_CA_CHAIN, 5);
	cm_enc_finish(&req);
	is_int(RUN(), OP_REPLY_OK, "ca-chain allowed");
	ctx.conf = NULL;
	cm_sconf_free(&sc);

	OPENSSL_free(der);
	cm_buf_free(&req);
	cm_buf_free(&reply);
	free(m);
	free(rm);
	cm_journal_close(&j);
	cm_ca_free(&ca);
	cm_vault_close(&v);
}

int
main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/cm-signer-test.XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return 1;
	test_vault();
	test_ca();
	test_journal();
	test_journal_truncate();
	test_access();
	test_ops();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return tap_done();
}
