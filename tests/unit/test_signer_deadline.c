/* test_signer_deadline.c: signerd's side of request deadlines and error classes: expired requests dropped unsigned and unjournalled, journal failures answered as faults. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tap.h"
#include "signer_ops_fixture.h"
#include "ca.h"
#include "journal.h"
#include "names.h"
#include "ops.h"
#include "profile.h"
#include "vault.h"

static char tmp[256];
static char jpath[300];
static unsigned char *csr_der;
static int csr_len;

static long long
wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
journal_size(void)
{
	struct stat st;
	return stat(jpath, &st) == 0 ? (long long)st.st_size : -1;
}

/* An issue request for the test CSR; deadline 0: none (an older client). */
static void
issue_req(struct cm_buf *req, long long deadline, const char *profile)
{
	cm_enc_begin(req, OP_ISSUE, 9);
	cm_enc_str(req, TAG_PROFILE, profile);
	cm_enc_bytes(req, TAG_CSR_DER, csr_der, (size_t)csr_len);
	if (deadline)
		cm_enc_u64(req, TAG_DEADLINE_MS, (uint64_t)deadline);
	cm_enc_finish(req);
}

struct bg {
	struct cm_signer_ctx *ctx;
	struct cm_buf req, reply;
	struct cm_msg rm;
	int op;
};

static void *
bg_serve(void *arg)
{
	struct bg *b = arg;
	b->op = serve(b->ctx, &b->req, &b->reply, &b->rm);
	return NULL;
}


static void
test_deadlines(void)
{
	char vdir[300], key[300], err[512], path[1024];
	struct cm_vault v;
	struct cm_ca ca;
	struct cm_journal j;
	struct cm_profiles ps;
	struct cm_buf req, reply;
	struct cm_msg *rm = malloc(sizeof(*rm));
	sem_t slots;
	const char *src = getenv("CERTMINT_SRCDIR") ? getenv("CERTMINT_SRCDIR") : getenv("srcdir");
	long long size;
	int r;

	snprintf(path, sizeof(path), "%s/conf/signer-profiles.conf", src ? src : ".");
	snprintf(vdir, sizeof(vdir), "%s/vault", tmp);
	snprintf(key, sizeof(key), "%s/vault.key", tmp);
	snprintf(jpath, sizeof(jpath), "%s/journal.log", tmp);
	mkdir(vdir, 0700);
	FILE *kf = fopen(key, "w");
	if (kf) {
		fputs("deadline test vault key\n", kf);
		fclose(kf);
	}
	chmod(key, 0600);
	ok(cm_profiles_load(&ps, path, err, sizeof(err)) == 0, "profiles load: %s", err);
	ok(cm_vault_open(&v, vdir, key, err, sizeof(err)) == 0, "vault opens: %s", err);
	cm_ca_load(&ca, &v, err, sizeof(err));
	ok(cm_journal_open(&j, jpath, err, sizeof(err)) == 0, "journal opens: %s", err);
	sem_init(&slots, 0, 1);
	struct cm_signer_ctx ctx = { .profiles = &ps, .ca = &ca, .journal = &j, .cpu_slots = &slots };
	cm_buf_init(&req, 0);
	cm_buf_init(&reply, 0);
	csr_len = dns_csr("deadline.example", &csr_der);

	/* ca-init with a deadline ahead: served as ever. */
	cm_enc_begin(&req, OP_CA_INIT, 5);
	cm_enc_str(&req, TAG_KEY_TYPE, "ecdsa-p256");
	cm_enc_str(&req, TAG_ROOT_SUBJECT, "/C=GB/CN=Deadline Root");
	cm_enc_str(&req, TAG_ISSUING_SUBJECT, "/C=GB/CN=Deadline Issuing");
	cm_enc_u64(&req, TAG_DEADLINE_MS, (uint64_t)(wall_ms() + 60000));
	cm_enc_finish(&req);
	is_int(serve(&ctx, &req, &reply, rm), OP_REPLY_OK, "ca-init with a future deadline");

	/* An old client: no deadline, issued; its refusals carry no class. */
	issue_req(&req, 0, "tls-server");
	size = journal_size();
	is_int(serve(&ctx, &req, &reply, rm), OP_REPLY_OK, "issue without a deadline (older client) is served");
	ok(journal_size() > size, "and journalled");
	issue_req(&req, 0, "no-such-profile");
	is_int(serve(&ctx, &req, &reply, rm), OP_REPLY_ERR, "an older client's refused request");
	ok(field_is(rm, TAG_ERR_CLASS, NULL), "gets no class (it would not know the tag)");

	/* A new client: future deadline served; refusal classed. */
	issue_req(&req, wall_ms() + 60000, "tls-server");
	size = journal_size();
	is_int(serve(&ctx, &req, &reply, rm), OP_REPLY_OK, "issue with a future deadline is served");
	ok(journal_size() > size, "and journalled");
	issue_req(&req, wall_ms() + 60000, "no-such-profile");
	is_int(serve(&ctx, &req, &reply, rm), OP_REPLY_ERR, "a refused request");
	ok(field_is(rm, TAG_ERR_CLASS, CM_ERR_CLASS_REFUSED), "has class refused");

	/* Expired while queued: dropped before anything is done. */
	issue_req(&req, wall_ms() - 5, "tls-server");
	size = journal_size();
	is_int(serve(&ctx, &req, &reply, rm), OP_REPLY_ERR, "issue past its deadline is answered with an error");
	ok(field_is(rm, TAG_ERR_CLASS, CM_ERR_CLASS_EXPIRED), "of class expired");
	if (!ok(reason_has(rm, "expired"),
	    "whose reason says expired"))
		print_reason(rm);
	is_int(journal_size(), size, "nothing journalled for it");

	/* Expired while waiting for a CPU slot (the lock): checked after the wait. */
	struct bg *b = calloc(1, sizeof(*b));
	b->ctx = &ctx;
	cm_buf_init(&b->req, 0);
	cm_buf_init(&b->reply, 0);
	issue_req(&b->req, wall_ms() + 300, "tls-server");
	size = journal_size();
	while (sem_wait(&slots) < 0 && errno == EINTR)
		;
	pthread_t t;
	pthread_create(&t, NULL, bg_serve, b);
	struct timespec ts = { 0, 600 * 1000000L };
	nanosleep(&ts, NULL);
	sem_post(&slots);
	pthread_join(t, NULL);
	is_int(b->op, OP_REPLY_ERR, "issue whose deadline passed while it waited for a slot: an error");
	ok(field_is(&b->rm, TAG_ERR_CLASS, CM_ERR_CLASS_EXPIRED), "of class expired");
	is_int(journal_size(), size, "nothing journalled for it");
	cm_buf_free(&b->req);
	cm_buf_free(&b->reply);
	free(b);

	/* A deadline that is not 8 bytes. */
	cm_enc_begin(&req, OP_ISSUE, 9);
	cm_enc_str(&req, TAG_PROFILE, "tls-server");
	cm_enc_bytes(&req, TAG_CSR_DER, csr_der, (size_t)csr_len);
	cm_enc_u32(&req, TAG_DEADLINE_MS, 12345);
	cm_enc_finish(&req);
	is_int(serve(&ctx, &req, &reply, rm), OP_REPLY_ERR, "a 4-byte deadline is refused");
	ok(field_is(rm, TAG_ERR_CLASS, CM_ERR_CLASS_REFUSED), "as a refusal");

	/* A journal that cannot be written (as on a full disk): a fault, not a refusal. */
	issue_req(&req, wall_ms() + 60000, "tls-server");
	size = journal_size();
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	struct rlimit old, lim;
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = (rlim_t)size + 10;
	setrlimit(RLIMIT_FSIZE, &lim);
	r = serve(&ctx, &req, &reply, rm);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, prev);
	is_int(r, OP_REPLY_ERR, "issue with an unwritable journal is an error");
	ok(field_is(rm, TAG_ERR_CLASS, CM_ERR_CLASS_FAULT), "of class fault");
	if (!ok(reason_has(rm, "could not journal"),
	    "whose reason names the journal"))
		print_reason(rm);
	is_int(journal_size(), size, "the journal is as it was");

	OPENSSL_free(csr_der);
	cm_buf_free(&req);
	cm_buf_free(&reply);
	free(rm);
	cm_journal_close(&j);
	sem_destroy(&slots);
	cm_ca_free(&ca);
	cm_vault_close(&v);
}

int
main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/cm-deadline-test.XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return 1;
	test_deadlines();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return tap_done();
}
