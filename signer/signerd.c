/* signerd.c: the signer daemon: socket, privilege drop, one thread per connection, dispatch. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ca.h"
#include "checkpoint.h"
#include "journal.h"
#include "issued_set.h"
#include "log.h"
#include "ocsp.h"
#include "ops.h"
#include "profile.h"
#include "scep.h"
#include "signer_proto.h"
#include "sconf.h"
#include "vault.h"

#define REPLY_TIMEOUT_MS 10000

struct conn {
	int fd;
	uid_t uid;
	pid_t pid;
	size_t slot;
};

static struct cm_sconf conf;
static struct cm_profiles profiles;
static struct cm_vault vault;
static struct cm_ca ca;
static struct cm_journal journal;
static struct cm_checkpoints checkpoints;
static struct cm_crl_numbers crl_numbers;
static struct cm_issued_set issued;
static struct cm_ocsp ocsp;
static struct cm_scep_ra scep_ra;
static struct cm_signer_ctx ctx;
static sem_t cpu_slots;
static struct cm_psl *psl;
static struct cm_name_rules name_rules;

/* Connection table: how many threads run, which fds to shut on SIGTERM,
 * and each slot's peer uid (for the per-uid cap). */
static pthread_mutex_t conns_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t conns_cv = PTHREAD_COND_INITIALIZER;
static int *conn_fds;
static uid_t *conn_uids;
static size_t nconns;
static int stopping;

static void
usage(void)
{
	fprintf(stderr, "usage: certmint-signerd [-c SIGNERD_CONF] [-f]\n");
	exit(2);
}

/* One connection: many requests in a row until EOF, timeout or a protocol fault. */
static void *
conn_thread(void *arg)
{
	struct conn *c = arg;
	struct cm_buf reply;
	char err[256];

	cm_buf_init(&reply, CM_PROTO_MAX_FRAME);
	for (;;) {
		struct cm_frame_hdr h;
		unsigned char *payload = NULL;
		int drop = 1;

		enum cm_rf rf = cm_read_frame(c->fd, (int)conf.read_timeout_ms, &h, &payload, err, sizeof(err));
		switch (rf) {
		case CM_RF_EOF:
			break;
		case CM_RF_IOERR:
			cm_debug("uid %u pid %d: closing: %s", (unsigned)c->uid, (int)c->pid, err);
			break;
		case CM_RF_BADHDR:
			cm_warn("uid %u pid %d: malformed frame header (%s); dropping connection",
			    (unsigned)c->uid, (int)c->pid, err);
			break;
		case CM_RF_TOOBIG:
			/* Refused without reading or allocating the payload. */
			cm_warn("uid %u pid %d: %s; refusing and dropping connection", (unsigned)c->uid, (int)c->pid, err);
			if (cm_enc_error(&reply, h.request_id, err) == 0)
				(void)cm_write_full(c->fd, reply.data, reply.len, REPLY_TIMEOUT_MS);
			break;
		case CM_RF_OK:
			if (cm_ops_serve(&ctx, c->uid, c->pid, &h, payload, &reply) < 0)
				break;
			if (cm_write_full(c->fd, reply.data, reply.len, REPLY_TIMEOUT_MS) < 0) {
				cm_debug("uid %u: reply not delivered: %s", (unsigned)c->uid, strerror(errno));
				break;
			}
			drop = 0;
			break;
		}
		/* Requests can carry secrets (ca-import: key PEM, passphrase). */
		if (payload) {
			OPENSSL_cleanse(payload, h.payload_len);
			free(payload);
		}
		if (drop)
			break;
	}
	cm_buf_free(&reply);
	close(c->fd);
	pthread_mutex_lock(&conns_mu);
	conn_fds[c->slot] = -1;
	nconns--;
	pthread_cond_broadcast(&conns_cv);
	pthread_mutex_unlock(&conns_mu);
	free(c);
	return NULL;
}

/* Open connections of uid; conns_mu held. */
static long
conns_of_uid(uid_t uid)
{
	long n = 0;

	for (long i = 0; i < conf.max_connections; i++)
		if (conn_fds[i] != -1 && conn_uids[i] == uid)
			n++;
	return n;
}

/* Binds the socket with the configured mode and group: fd, or -1 (logged). */
static int
open_socket(uid_t owner, gid_t group)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	if (strlen(conf.socket) >= sizeof(sa.sun_path)) {
		cm_err("socket path %s is too long", conf.socket);
		return -1;
	}
	/* Replace a stale socket from a previous run, never any other file. */
	if (lstat(conf.socket, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			cm_err("%s exists and is not a socket", conf.socket);
			return -1;
		}
		unlink(conf.socket);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		cm_err("socket: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, conf.socket);
	/* bind() creates the socket with its final mode (no chmod on a path that
	 * could be swapped for a symlink afterwards); lchown never follows one. */
	mode_t old = umask((mode_t)(~conf.socket_mode & 0777));
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0) {
		cm_err("bind %s: %s", conf.socket, strerror(errno));
		close(fd);
		return -1;
	}
	if (fchownat(AT_FDCWD, conf.socket, owner, group, AT_SYMLINK_NOFOLLOW) < 0) {
		cm_err("setting owner/mode of %s: %s", conf.socket, strerror(errno));
		close(fd);
		return -1;
	}
	if (listen(fd, 128) < 0) {
		cm_err("listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Drops root for good: 0, or -1 (logged). */
static int
drop_privileges(const struct passwd *pw)
{
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		cm_err("dropping to user %s: %s", pw->pw_name, strerror(errno));
		return -1;
	}
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0 || geteuid() == 0 || getuid() == 0)) {
		cm_err("could regain root after dropping to %s; refusing to run", pw->pw_name);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *conf_path = CM_SIGNERD_DEFAULT_CONF;
	int foreground = 0, lfd = -1, sfd = -1, status = 1, opt;
	char err[512], cppath[4096];
	struct passwd *pw = NULL;
	uid_t sock_uid = geteuid();
	gid_t sock_gid = getegid();
	sigset_t sigs;

	while ((opt = getopt(argc, argv, "c:fh")) != -1) {
		switch (opt) {
		case 'c': conf_path = optarg; break;
		case 'f': foreground = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	cm_log_init("certmint-signerd", CM_LOG_INFO, !foreground);
	if (cm_sconf_load(&conf, conf_path, err, sizeof(err)) < 0) {
		/* Not daemonised yet: an operator starting it by hand sees why. */
		if (!foreground)
			fprintf(stderr, "certmint-signerd: %s\n", err);
		cm_err("%s", err);
		cm_sconf_free(&conf);
		return 1;
	}
	cm_log_init("certmint-signerd", cm_log_level_parse(conf.log_level), !foreground);
	if (cm_profiles_load(&profiles, conf.profiles_file, err, sizeof(err)) < 0) {
		cm_err("%s", err);
		goto out;
	}
	for (size_t i = 0; i < conf.nacl; i++)
		for (size_t k = 0; k < conf.acl[i].nprofiles; k++)
			if (cm_profile_find(&profiles, conf.acl[i].profiles[k]) == NULL) {
				cm_err("%s: [access] uid %u: issue:%s names no profile in %s", conf_path,
				    (unsigned)conf.acl[i].uid, conf.acl[i].profiles[k], conf.profiles_file);
				goto out;
			}
	if (conf.publish_base_url == NULL)
		cm_warn("%s: no [publish] base_url: certificates will carry no CRL distribution point "
		    "and no authority information access, so relying parties cannot check revocation", conf_path);
	/* Read once, before privileges drop; a list that cannot be read leaves
	 * the signer running with every wildcard refused, said in the log. */
	if (cm_psl_load(conf.public_suffix_list, &psl, err, sizeof(err)) < 0)
		cm_warn("%s: every wildcard name will be refused", err);
	else
		cm_info("public suffix list %s: %zu rules", conf.public_suffix_list, cm_psl_count(psl));
	/* Single DES only decrypts what old SCEP clients send (scep-decrypt);
	 * it signs nothing, and a CertRep uses it only when asked. */
	if (cm_scep_load_legacy() < 0)
		cm_warn("OpenSSL's legacy provider did not load: SCEP envelopes in single DES will be refused");
	name_rules.psl = psl;
	name_rules.psl_path = conf.public_suffix_list;
	name_rules.allow_loopback_ip = conf.allow_loopback_ip;
	umask(077);

	if (conf.user) {
		pw = getpwnam(conf.user);
		if (pw == NULL) {
			cm_err("user %s does not exist", conf.user);
			goto out;
		}
		if (geteuid() == 0) {
			sock_uid = pw->pw_uid;
			sock_gid = pw->pw_gid;
		} else if (geteuid() != pw->pw_uid) {
			cm_err("configured user %s, but started as uid %u (not root)", conf.user, (unsigned)geteuid());
			goto out;
		}
	}
	if (conf.socket_group) {
		struct group *gr = getgrnam(conf.socket_group);
		if (gr == NULL) {
			cm_err("socket_group %s does not exist", conf.socket_group);
			goto out;
		}
		sock_gid = gr->gr_gid;
	}

	/* Signals are taken synchronously through a signalfd in the accept loop. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);

	lfd = open_socket(sock_uid, sock_gid);
	if (lfd < 0 || sfd < 0)
		goto out;
	if (geteuid() == 0) {
		if (pw == NULL)
			cm_warn("running as root: set [signer] user to a dedicated account");
		else if (drop_privileges(pw) < 0)
			goto out;
	}

	/* Before any thread exists: fork() keeps only the calling thread. */
	if (!foreground && daemon(1, 0) < 0) {
		cm_err("daemon: %s", strerror(errno));
		goto out;
	}
	/* Key material is opened only as the signer user, whose files these are. */
	if (cm_vault_open(&vault, conf.vault, conf.vault_key_file, err, sizeof(err)) < 0 ||
	    cm_ca_load(&ca, &vault, err, sizeof(err)) < 0 ||
	    cm_journal_open(&journal, conf.journal, err, sizeof(err)) < 0) {
		cm_err("%s", err);
		goto out;
	}
	/* Next to the journal: a directory only the signer user may write. */
	if (cm_checkpoints_path(conf.journal, cppath, sizeof(cppath)) < 0 ||
	    cm_checkpoints_open(&checkpoints, cppath, &vault, err, sizeof(err)) < 0) {
		cm_err("%s", err);
		goto out;
	}
	ctx.checkpoints = &checkpoints;
	/* The CRL number too: the signer's directory, never the database. */
	if (cm_crl_numbers_path(conf.journal, cppath, sizeof(cppath)) < 0 ||
	    cm_crl_numbers_open(&crl_numbers, cppath, err, sizeof(err)) < 0) {
		cm_err("%s", err);
		goto out;
	}
	ctx.crl_numbers = &crl_numbers;
	/* Every serial the journal holds, so ocsp-sign can refuse "good" for
	 * one this signer never issued (and scep-certrep a certificate). */
	if (conf.ocsp_check_issued || conf.scep_check_issued) {
		struct timespec t0, t1;
		size_t skipped = 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (cm_issued_init(&issued) < 0 ||
		    cm_issued_load_journal(&issued, conf.journal, &skipped, err, sizeof(err)) < 0) {
			cm_err("%s", err[0] ? err : "out of memory for the issued serials");
			goto out;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		cm_info("issued serials: %zu from the journal in %ld ms, %zu lines skipped", cm_issued_count(&issued),
		    (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000), skipped);
		ctx.issued = &issued;
	}
	struct cm_ocsp_conf oc = {
		.key_type = conf.ocsp_key_type,
		.validity_hours = conf.ocsp_validity_hours,
		.cert_days = conf.ocsp_cert_days,
		.rotate_days = conf.ocsp_rotate_days,
		.check_issued = conf.ocsp_check_issued,
	};
	if (cm_ocsp_init(&ocsp, &oc, &ca, &vault, &journal, cm_profile_find(&profiles, "ocsp-signing"),
	    conf.ocsp_check_issued ? ctx.issued : NULL) < 0) {
		cm_err("cannot set up the OCSP responder");
		goto out;
	}
	ctx.ocsp = &ocsp;
	/* A CA without a responder pair (or with one due) gets it now; a
	 * failure is retried by every ocsp-sign. */
	if (cm_ocsp_ensure(&ocsp, err, sizeof(err)) != 0)
		cm_err("OCSP responder certificate: %s", err);
	struct cm_scep_conf sc = {
		.cert_days = conf.scep_ra_cert_days,
		.rotate_days = conf.scep_ra_rotate_days,
		.check_issued = conf.scep_check_issued,
		.publish_base = conf.publish_base_url,
	};
	if (cm_scep_ra_init(&scep_ra, &sc, &ca, &vault, &journal, ctx.issued) < 0) {
		cm_err("cannot set up the SCEP RA");
		goto out;
	}
	ctx.scep = &scep_ra;
	/* The same for the SCEP RA pair: made now, retried by every SCEP op. */
	if (cm_scep_ra_ensure(&scep_ra, err, sizeof(err)) != 0)
		cm_err("SCEP RA certificate: %s", err);
	ctx.profiles = &profiles;
	ctx.ca = &ca;
	ctx.journal = &journal;
	ctx.conf = &conf;
	ctx.names = &name_rules;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (sem_init(&cpu_slots, 0, (unsigned)(ncpu < 1 ? 1 : ncpu > 256 ? 256 : ncpu)) == 0)
		ctx.cpu_slots = &cpu_slots;
	conn_fds = malloc(sizeof(int) * (size_t)conf.max_connections);
	conn_uids = calloc((size_t)conf.max_connections, sizeof(uid_t));
	if (conn_fds == NULL || conn_uids == NULL)
		goto out;
	for (long i = 0; i < conf.max_connections; i++)
		conn_fds[i] = -1;
	cm_info("listening on %s as uid %u; %zu profiles; CA %s", conf.socket, (unsigned)geteuid(),
	    profiles.n, ca.cert ? "loaded" : "not yet created");
	if (conf.namespaces_on)
		cm_info("name spaces: %zu DNS suffixes, %zu mail domains or mailboxes, %zu IP ranges",
		    conf.ns.ndns, conf.ns.nemail, conf.ns.nip);
	else
		cm_warn("namespaces = off: certificates for any name can be issued");

	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while (!stopping) {
		pthread_mutex_lock(&conns_mu);
		int full = nconns >= (size_t)conf.max_connections;
		pthread_mutex_unlock(&conns_mu);
		/* At max_connections new peers wait in the listen backlog. */
		struct pollfd pfd[2] = { { sfd, POLLIN, 0 }, { full ? -1 : lfd, POLLIN, 0 } };
		int r = poll(pfd, 2, full ? 50 : -1);
		if (r < 0 && errno != EINTR) {
			cm_err("poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo != SIGHUP) {
				cm_info("signal %u: shutting down", si.ssi_signo);
				stopping = 1;
			}
			continue;
		}
		if (!(pfd[1].revents & POLLIN))
			continue;
		int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0)
			continue;
		struct conn *c = calloc(1, sizeof(*c));
		if (c == NULL || cm_peer_uid(cfd, &c->uid, &c->pid) < 0) {
			cm_err("cannot identify peer: closing");
			free(c);
			close(cfd);
			continue;
		}
		/* A peer with no allowed operation gets no thread and no slot. */
		if (!cm_sconf_any_allowed(&conf, c->uid)) {
			cm_warn("uid %u pid %d: no operation allowed for this uid; closing", (unsigned)c->uid, (int)c->pid);
			free(c);
			close(cfd);
			continue;
		}
		c->fd = cfd;
		pthread_mutex_lock(&conns_mu);
		/* One peer uid (a busy or hostile program) may not hold every slot
		 * and starve the others: past its cap it is closed at once. */
		if (conns_of_uid(c->uid) >= conf.max_connections_per_uid) {
			pthread_mutex_unlock(&conns_mu);
			cm_warn("uid %u pid %d: already %ld connections from this uid (max_connections_per_uid); closing",
			    (unsigned)c->uid, (int)c->pid, conf.max_connections_per_uid);
			free(c);
			close(cfd);
			continue;
		}
		for (c->slot = 0; conn_fds[c->slot] != -1; c->slot++)
			;
		conn_fds[c->slot] = cfd;
		conn_uids[c->slot] = c->uid;
		nconns++;
		pthread_mutex_unlock(&conns_mu);
		pthread_t t;
		if (pthread_create(&t, &attr, conn_thread, c) != 0) {
			cm_err("cannot start connection thread");
			pthread_mutex_lock(&conns_mu);
			conn_fds[c->slot] = -1;
			nconns--;
			pthread_mutex_unlock(&conns_mu);
			close(cfd);
			free(c);
		}
	}
	pthread_attr_destroy(&attr);

	/* Stop taking work, wake every connection thread, wait for them (bounded). */
	close(lfd);
	lfd = -1;
	unlink(conf.socket);
	pthread_mutex_lock(&conns_mu);
	for (long i = 0; i < conf.max_connections; i++)
		if (conn_fds[i] >= 0)
			shutdown(conn_fds[i], SHUT_RDWR);
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	while (nconns > 0)
		if (pthread_cond_timedwait(&conns_cv, &conns_mu, &until) == ETIMEDOUT)
			break;
	size_t left = nconns;
	pthread_mutex_unlock(&conns_mu);
	if (left > 0) {
		/* A thread stuck in signing still holds CA references: exit without freeing. */
		cm_warn("%zu connections did not finish; exiting anyway", left);
		_exit(1);
	}
	status = 0;
out:
	if (lfd >= 0)
		close(lfd);
	if (sfd >= 0)
		close(sfd);
	cm_journal_close(&journal);
	if (ctx.checkpoints)
		cm_checkpoints_close(&checkpoints);
	if (ctx.crl_numbers)
		cm_crl_numbers_close(&crl_numbers);
	if (ctx.ocsp)
		cm_ocsp_free(&ocsp);
	if (ctx.scep)
		cm_scep_ra_free(&scep_ra);
	cm_scep_unload_legacy();
	if (ctx.issued)
		cm_issued_free(&issued);
	if (ctx.cpu_slots)
		sem_destroy(&cpu_slots);
	if (ca.vault)
		cm_ca_free(&ca);
	cm_vault_close(&vault);
	free(conn_fds);
	free(conn_uids);
	cm_psl_free(psl);
	cm_sconf_free(&conf);
	cm_info("stopped");
	return status;
}
