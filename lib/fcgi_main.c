/* fcgi_main.c: the FastCGI accept loop: socket setup, privilege drop, pre-forked workers. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "fcgi_main.h"
#include "log.h"

#define FM_MAX_WORKERS 256
#define FM_BACKLOG 128
#define FM_STOP_GRACE_MS 10000      /* then SIGKILL */
#define FM_BACKOFF_MIN_MS 200
#define FM_BACKOFF_MAX_MS 10000
#define FM_HEALTHY_MS 2000          /* a worker that lived this long resets its backoff */
#define FM_MAX_ACCEPT_ERRORS 50

static volatile sig_atomic_t fm_stop;
static volatile sig_atomic_t fm_idle;

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An idle worker (blocked in accept or reading params) can die at once; a busy
 * one finishes its request first. SA_RESTART keeps a handler's own system
 * calls (database, signer) from failing with EINTR during shutdown. */
static void
worker_on_term(int sig)
{
	(void)sig;
	fm_stop = 1;
	FCGX_ShutdownPending();
	if (fm_idle)
		_exit(0);
}

static void
noop_handler(int sig)
{
	(void)sig;
}

static void
set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* cm_read_fn over a FastCGI stream: bytes read, 0 at the end, -1 on error. */
static ssize_t
fcgx_read(void *ctx, char *buf, size_t n)
{
	FCGX_Stream *in = ctx;
	int want = n > INT_MAX ? INT_MAX : (int)n;
	int got = FCGX_GetStr(buf, want, in);
	if (got < 0 || (got == 0 && FCGX_GetError(in) != 0))
		return -1;
	return got;
}

/* cm_write_fn over a FastCGI stream: bytes written or -1. */
static ssize_t
fcgx_write(void *ctx, const void *buf, size_t n)
{
	FCGX_Stream *out = ctx;
	int want = n > INT_MAX ? INT_MAX : (int)n;
	int put = FCGX_PutStr(buf, want, out);
	return put < 0 ? -1 : put;
}

static void
serve_one(const struct cm_fcgi_opts *o, const struct cm_limits *lim, FCGX_Request *req)
{
	struct cm_request r;
	struct cm_response resp;

	cm_resp_init(&resp);
	int st = cm_request_parse_head(&r, req->envp, fcgx_read, req->in, lim);
	if (st != 0)
		cm_info("request refused with %d: %s", st, r.error);
	o->handler(o->app, &r, st, &resp);
	if (cm_resp_send(&resp, fcgx_write, req->out) < 0)
		cm_warn("could not send the response (client gone?)");
	cm_resp_free(&resp);
	cm_request_free(&r);
}

/* Serves requests on fd until told to stop or max_requests is reached.
 * Returns 0, or -1 when accepting keeps failing. */
static int
worker_loop(const struct cm_fcgi_opts *o, int fd)
{
	FCGX_Request req;
	struct cm_limits lim = o->limits;
	struct cm_limits dflt;
	long served = 0;
	int errors = 0;
	int rc = 0;

	cm_limits_default(&dflt);
	if (lim.max_body == 0)
		lim.max_body = dflt.max_body;
	if (lim.max_field == 0)
		lim.max_field = dflt.max_field;
	if (lim.max_fields == 0)
		lim.max_fields = dflt.max_fields;
	if (lim.max_file == 0)
		lim.max_file = lim.max_body;
	if (lim.max_files == 0)
		lim.max_files = dflt.max_files;
	if (lim.tmpdir == NULL)
		lim.tmpdir = dflt.tmpdir;

	if (FCGX_InitRequest(&req, fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		cm_err("FCGX_InitRequest failed");
		return -1;
	}
	while (!fm_stop && (o->max_requests <= 0 || served < o->max_requests)) {
		fm_idle = 1;
		if (fm_stop)
			break;
		int a = FCGX_Accept_r(&req);
		fm_idle = 0;
		if (a < 0) {
			if (fm_stop)
				break;
			if (++errors >= FM_MAX_ACCEPT_ERRORS) {
				cm_err("accepting FastCGI connections keeps failing: %s", strerror(errno));
				rc = -1;
				break;
			}
			continue;
		}
		errors = 0;
		serve_one(o, &lim, &req);
		FCGX_Finish_r(&req);
		served++;
	}
	fm_idle = 0;
	FCGX_Free(&req, 1);
	return rc;
}

/* Returns 0, or -1 (logged) when the socket path is in use or not a socket. */
static int
remove_stale_socket(const char *path)
{
	struct stat st;
	struct sockaddr_un sa;
	int fd = -1, rc = -1;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		cm_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		cm_err("%s exists and is not a socket; refusing to replace it", path);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		cm_err("%s: another process is already serving this socket", path);
		goto out;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		cm_err("unlink %s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Returns the listening fd, or -1 (logged). */
static int
open_socket(const struct cm_fcgi_opts *o)
{
	struct sockaddr_un sa;
	int mode = o->socket_mode ? o->socket_mode : 0660;
	int fd;

	/* libfcgi exit()s on an over-long path; check it here instead. */
	if (strlen(o->socket_path) >= sizeof(sa.sun_path)) {
		cm_err("socket path too long: %s", o->socket_path);
		return -1;
	}
	if (remove_stale_socket(o->socket_path) < 0)
		return -1;
	/*
	 * bind() creates the socket with its final mode (umask = the bits not
	 * asked for), so nothing is chmod'ed by path afterwards: the path could
	 * have been swapped for a symlink by then, and chmod/chown as root
	 * would follow it. The group is set with AT_SYMLINK_NOFOLLOW and the
	 * result checked to be our socket.
	 */
	mode_t old = umask((mode_t)(~mode & 0777));
	fd = FCGX_OpenSocket(o->socket_path, FM_BACKLOG);
	umask(old);
	if (fd < 0) {
		cm_err("cannot listen on %s: %s", o->socket_path, strerror(errno));
		return -1;
	}
	/* The owner is the program's own user (-u, when we are root), so the
	 * socket says whose it is; the group is Apache's, the only other uid
	 * that may connect. */
	uid_t owner = (uid_t)-1;
	if (o->user && geteuid() == 0) {
		struct passwd *pw = getpwnam(o->user);
		if (pw == NULL) {
			cm_err("unknown user %s", o->user);
			goto fail;
		}
		owner = pw->pw_uid;
	}
	if (o->socket_group || owner != (uid_t)-1) {
		struct group *gr = o->socket_group ? getgrnam(o->socket_group) : NULL;
		gid_t gid = gr ? gr->gr_gid : (gid_t)-1;
		struct stat st;
		if (o->socket_group && gr == NULL) {
			cm_err("unknown group %s", o->socket_group);
			goto fail;
		}
		if (fchownat(AT_FDCWD, o->socket_path, owner, gid, AT_SYMLINK_NOFOLLOW) < 0) {
			cm_err("chown %s:%s %s: %s", o->user ? o->user : "", o->socket_group ? o->socket_group : "",
			    o->socket_path, strerror(errno));
			goto fail;
		}
		if (lstat(o->socket_path, &st) < 0 || !S_ISSOCK(st.st_mode) ||
		    (gr && st.st_gid != gid) || (owner != (uid_t)-1 && st.st_uid != owner)) {
			cm_err("%s was replaced while it was being set up; refusing to serve it", o->socket_path);
			goto fail;
		}
	}
	return fd;
fail:
	close(fd);
	unlink(o->socket_path);
	return -1;
}

/* 0, or -1 (logged) when the switch failed or left us root. */
static int
drop_privileges(const char *user)
{
	if (geteuid() != 0) {
		if (user)
			cm_info("not root; ignoring user %s", user);
		return 0;
	}
	if (user == NULL) {
		cm_warn("running as root: pass a user to switch to after binding the socket");
		return 0;
	}
	struct passwd *pw = getpwnam(user);
	if (pw == NULL) {
		cm_err("unknown user %s", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		cm_err("cannot switch to user %s: %s", user, strerror(errno));
		return -1;
	}
	if (getuid() == 0 || geteuid() == 0 || getgid() == 0 || getegid() == 0 || setuid(0) == 0) {
		cm_err("still root after switching to user %s; refusing to serve", user);
		return -1;
	}
	return 0;
}

/* Runs in the child: never returns. */
static void __attribute__((noreturn))
worker_main(const struct cm_fcgi_opts *o, int fd, const sigset_t *oldmask, pid_t parent)
{
	int rc;

	/* Workers must not outlive a parent that was killed outright. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(0);

	set_handler(SIGTERM, worker_on_term, SA_RESTART);
	set_handler(SIGINT, worker_on_term, SA_RESTART);
	set_handler(SIGCHLD, SIG_DFL, 0);
	set_handler(SIGPIPE, SIG_IGN, 0);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	if (fm_stop)
		_exit(0);
	if (o->worker_init && o->worker_init(o->app) < 0) {
		cm_err("worker start-up failed");
		_exit(1);
	}
	rc = worker_loop(o, fd);
	if (o->worker_fini)
		o->worker_fini(o->app);
	_exit(rc < 0 ? 1 : 0);
}

struct slot {
	pid_t pid;
	long long started;
	long long next_start;
	long long backoff;
};

static void
log_death(pid_t pid, int status)
{
	if (WIFSIGNALED(status))
		cm_err("worker %d killed by signal %d", (int)pid, WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		cm_err("worker %d exited with status %d", (int)pid, WEXITSTATUS(status));
	else
		cm_info("worker %d exited", (int)pid);
}

static void
stop_workers(struct slot *slots, int n)
{
	int live = 0;
	for (int i = 0; i < n; i++)
		if (slots[i].pid > 0 && kill(slots[i].pid, SIGTERM) == 0)
			live++;
	long long deadline = now_ms() + FM_STOP_GRACE_MS;
	while (live > 0) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);
		if (p < 0 && errno == ECHILD)
			break;
		if (p > 0) {
			for (int i = 0; i < n; i++)
				if (slots[i].pid == p) {
					slots[i].pid = 0;
					live--;
				}
			continue;
		}
		if (now_ms() >= deadline) {
			for (int i = 0; i < n; i++)
				if (slots[i].pid > 0) {
					cm_warn("worker %d did not stop; killing it", (int)slots[i].pid);
					kill(slots[i].pid, SIGKILL);
				}
			deadline = now_ms() + 60000;
		}
		struct timespec ts = { 0, 20 * 1000000 };
		nanosleep(&ts, NULL);
	}
}

/* Returns 0 after SIGTERM/SIGINT, -1 on a start-up failure (logged). */
int
cm_fcgi_run(const struct cm_fcgi_opts *o)
{
	sigset_t set, oldmask;
	struct slot *slots = NULL;
	int fd = -1, rc = -1, nworkers;

	if (o->handler == NULL) {
		cm_err("cm_fcgi_run: no handler");
		return -1;
	}
	if (FCGX_Init() != 0) {
		cm_err("FCGX_Init failed");
		return -1;
	}
	fm_stop = 0;

	if (o->socket_path == NULL) {
		/* mod_fcgid style: the server hands us the listening socket on fd 0
		 * and manages the processes itself. */
		if (FCGX_IsCGI()) {
			cm_err("not started by a FastCGI server (fd 0 is not a socket); use -s SOCKET");
			return -1;
		}
		set_handler(SIGTERM, worker_on_term, SA_RESTART);
		set_handler(SIGINT, worker_on_term, SA_RESTART);
		set_handler(SIGPIPE, SIG_IGN, 0);
		if (o->worker_init && o->worker_init(o->app) < 0) {
			cm_err("start-up failed");
			return -1;
		}
		rc = worker_loop(o, 0);
		if (o->worker_fini)
			o->worker_fini(o->app);
		return rc;
	}

	nworkers = o->workers > 0 ? o->workers : 2;
	if (nworkers > FM_MAX_WORKERS)
		nworkers = FM_MAX_WORKERS;
	slots = calloc((size_t)nworkers, sizeof(*slots));
	if (slots == NULL) {
		cm_err("out of memory");
		return -1;
	}
	if ((fd = open_socket(o)) < 0)
		goto out;
	if (drop_privileges(o->user) < 0)
		goto out_unlink;

	/* The parent only waits for signals: blocked, they are taken by
	 * sigtimedwait with no race against the checks in between. */
	set_handler(SIGCHLD, noop_handler, 0);
	set_handler(SIGPIPE, SIG_IGN, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &oldmask);
	cm_info("serving FastCGI on %s with %d workers", o->socket_path, nworkers);
	pid_t parent = getpid();

	while (!fm_stop) {
		long long now = now_ms();
		long long wake = now + 5000;

		for (int i = 0; i < nworkers; i++) {
			if (slots[i].pid != 0)
				continue;
			if (slots[i].next_start > now) {
				if (slots[i].next_start < wake)
					wake = slots[i].next_start;
				continue;
			}
			pid_t p = fork();
			if (p < 0) {
				cm_err("fork: %s", strerror(errno));
				slots[i].next_start = now + FM_BACKOFF_MAX_MS;
				continue;
			}
			if (p == 0) {
				free(slots);
				worker_main(o, fd, &oldmask, parent);
			}
			slots[i].pid = p;
			slots[i].started = now;
		}

		int st;
		pid_t p;
		while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
			log_death(p, st);
			for (int i = 0; i < nworkers; i++) {
				if (slots[i].pid != p)
					continue;
				long long t = now_ms();
				slots[i].pid = 0;
				/* A worker that dies young is probably crashing on start-up
				 * or on every request: back off so the loop does not spin. */
				if (t - slots[i].started < FM_HEALTHY_MS) {
					slots[i].backoff = slots[i].backoff ? slots[i].backoff * 2 : FM_BACKOFF_MIN_MS;
					if (slots[i].backoff > FM_BACKOFF_MAX_MS)
						slots[i].backoff = FM_BACKOFF_MAX_MS;
				} else {
					slots[i].backoff = 0;
				}
				slots[i].next_start = t + slots[i].backoff;
				if (slots[i].next_start < wake)
					wake = slots[i].next_start;
			}
		}
		int any_dead = 0;
		for (int i = 0; i < nworkers; i++)
			if (slots[i].pid == 0)
				any_dead = 1;
		if (any_dead && wake <= now_ms())
			continue;

		long long wait = wake - now_ms();
		if (wait < 1)
			wait = 1;
		struct timespec ts = { (time_t)(wait / 1000), (long)(wait % 1000) * 1000000 };
		int sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT) {
			cm_info("signal %d: stopping workers", sig);
			fm_stop = 1;
		}
	}
	stop_workers(slots, nworkers);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	rc = 0;
out_unlink:
	/* After the privilege drop the directory may not let us; harmless. */
	if (unlink(o->socket_path) < 0 && errno != ENOENT)
		cm_debug("unlink %s: %s", o->socket_path, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	free(slots);
	return rc;
}
