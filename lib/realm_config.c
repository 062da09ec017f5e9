/* realm_config.c: a customer's Kerberos realms written out as files: realm keytabs, the merged customer keytab, Apache's autoenroll Location file, .reload (see realm_config.h). */
#include "config.h"

#define _GNU_SOURCE 1
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "keytab.h"
#include "log.h"
#include "realm_config.h"

/* A customer has a handful of Windows domains; more than this is refused. */
#define MAX_REALMS 64
#define LOCATION_MAX 4096

/* cm_realm_domain_check's work; the outputs may be half-written on error. */
static const char *
domain_check(const char *in, char *domain, size_t dlen, char *realm, size_t rlen)
{
	size_t n, label = 0, labels = 1;

	while (*in == ' ')
		in++;
	n = strlen(in);
	while (n > 0 && in[n - 1] == ' ')
		n--;
	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0)
		return "Enter the Active Directory DNS domain, such as corp.example.com.";
	if (n > CM_REALM_DOMAIN_MAX || n + 1 > dlen || n + 1 > rlen)
		return "A domain has at most 253 characters.";
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch == '.') {
			if (label == 0 || in[i - 1] == '-')
				return "Each part of the domain between dots needs letters or digits, and may not end with '-'.";
			label = 0;
			labels++;
			domain[i] = realm[i] = '.';
			continue;
		}
		if (!isalnum(ch) && ch != '-')
			return "Use letters, digits, '-' and '.' only, such as corp.example.com.";
		if (label == 0 && ch == '-')
			return "A part of the domain may not start with '-'.";
		if (++label > 63)
			return "Each part of the domain has at most 63 characters.";
		domain[i] = (char)tolower(ch);
		realm[i] = (char)toupper(ch);
	}
	if (label == 0 || in[n - 1] == '-')
		return "Each part of the domain between dots needs letters or digits, and may not end with '-'.";
	if (labels < 2)
		return "Enter the full DNS domain (with a dot), such as corp.example.com.";
	domain[n] = '\0';
	realm[n] = '\0';
	return NULL;
}

/* NULL when good (domain and realm filled); else a sentence, and both "". */
const char *
cm_realm_domain_check(const char *in, char *domain, size_t dlen, char *realm, size_t rlen)
{
	const char *msg = domain_check(in, domain, dlen, realm, rlen);

	if (msg != NULL) {
		if (dlen)
			domain[0] = '\0';
		if (rlen)
			realm[0] = '\0';
	}
	return msg;
}

/* NULL when good; see realm_config.h. */
const char *
cm_realm_spn_check(const char *spn, const char *realm)
{
	const char *host, *at;
	size_t hn;

	if (spn == NULL || spn[0] == '\0')
		return "Enter the service principal name, such as HTTP/certs.corp.example.com@CORP.EXAMPLE.COM.";
	if (strlen(spn) > CM_REALM_SPN_MAX)
		return "A service principal name has at most 512 characters.";
	if (strncmp(spn, "HTTP/", 5) != 0)
		return "The service principal name starts with HTTP/ (upper case), such as "
		    "HTTP/certs.corp.example.com@CORP.EXAMPLE.COM.";
	host = spn + 5;
	if ((at = strchr(host, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return "The service principal name ends with @ and the realm, such as @CORP.EXAMPLE.COM.";
	hn = (size_t)(at - host);
	if (hn == 0 || hn > 253)
		return "Put the web server's host name after HTTP/, such as HTTP/certs.corp.example.com@CORP.EXAMPLE.COM.";
	for (size_t i = 0; i < hn; i++)
		if (!isalnum((unsigned char)host[i]) && host[i] != '-' && host[i] != '.')
			return "The host name after HTTP/ uses letters, digits, '-' and '.' only.";
	for (const char *p = at + 1; *p; p++)
		if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-' && *p != '.')
			return "The realm after @ is the upper-case domain, such as CORP.EXAMPLE.COM.";
	if (at[1] == '\0')
		return "The service principal name ends with @ and the realm, such as @CORP.EXAMPLE.COM.";
	if (realm && strcmp(at + 1, realm) != 0)
		return "The realm after @ must be the Windows domain in upper case.";
	return NULL;
}

void
cm_realm_keytab_name(int64_t realm_id, char *out, size_t outlen)
{
	snprintf(out, outlen, "realm-%lld.keytab", (long long)realm_id);
}

/* Writes n bytes to dir/name through a temporary file renamed over it
 * (fsync before the rename and of the directory after), with mode and,
 * when group is not NULL and exists, that group. 0, or -1 with why. */
static int
write_atomic(const char *dir, const char *name, const unsigned char *p, size_t n, mode_t mode,
    const char *group, char *why, size_t whylen)
{
	char tmp[4096], path[4096];
	struct group *gr;
	int fd = -1, dfd = -1;
	size_t off = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >= sizeof(tmp)) {
		snprintf(why, whylen, "the path under %s is too long", dir);
		return -1;
	}
	/* A new file of a random name (O_EXCL): nothing planted in the
	 * directory beforehand (a link to another file) can be written through,
	 * even when root runs the CLI. */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		tmp[0] = '\0';
		goto fail;
	}
	if (fchmod(fd, mode) < 0)
		goto fail;
	/* A setgid directory already gives the group; chown only when needed. */
	if (group && (gr = getgrnam(group)) != NULL) {
		struct stat sb;

		if (fstat(fd, &sb) < 0 || (sb.st_gid != gr->gr_gid && fchown(fd, (uid_t)-1, gr->gr_gid) < 0))
			goto fail;
	}
	while (off < n) {
		ssize_t w = write(fd, p + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	snprintf(why, whylen, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

/* 0 / -1 with why. */
int
cm_realm_keytab_store(const struct cm_settings *st, int64_t realm_id, const unsigned char *data,
    size_t len, char *why, size_t whylen)
{
	char name[64];

	cm_realm_keytab_name(realm_id, name, sizeof(name));
	return write_atomic(st->keytab_dir, name, data, len, 0640, CM_KEYTAB_GROUP, why, whylen);
}

/* Reads path (at most max bytes) into *out. 0; 1 missing; -1 with why. */
static int
read_file(const char *path, size_t max, unsigned char **out, size_t *len, char *why, size_t whylen)
{
	struct stat sb;
	unsigned char *p = NULL;
	size_t off = 0;
	int fd;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		if (errno == ENOENT)
			return 1;
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > max) {
		snprintf(why, whylen, "%s is not a file of at most %zu bytes", path, max);
		close(fd);
		return -1;
	}
	if ((p = malloc((size_t)sb.st_size + 1)) == NULL) {
		snprintf(why, whylen, "out of memory");
		close(fd);
		return -1;
	}
	while (off < (size_t)sb.st_size) {
		ssize_t r = read(fd, p + off, (size_t)sb.st_size - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(why, whylen, "cannot read %s: %s", path, r < 0 ? strerror(errno) : "short read");
			OPENSSL_cleanse(p, (size_t)sb.st_size);
			free(p);
			close(fd);
			return -1;
		}
		off += (size_t)r;
	}
	close(fd);
	*out = p;
	*len = off;
	return 0;
}

/* 0 / 1 missing / -1 with why. */
int
cm_realm_keytab_read(const struct cm_settings *st, int64_t realm_id, unsigned char **out, size_t *len,
    char *why, size_t whylen)
{
	char path[4096], name[64];

	cm_realm_keytab_name(realm_id, name, sizeof(name));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", st->keytab_dir, name) >= sizeof(path)) {
		snprintf(why, whylen, "keytab_dir is too long");
		return -1;
	}
	return read_file(path, CM_KEYTAB_MAX, out, len, why, whylen);
}

/* Unlinks dir/name; gone already is fine. 0 / -1 with why. */
static int
remove_file(const char *dir, const char *name, char *why, size_t whylen)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		snprintf(why, whylen, "the path under %s is too long", dir);
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(why, whylen, "cannot remove %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* 0 / -1 with why. */
int
cm_realm_keytab_remove(const struct cm_settings *st, int64_t realm_id, char *why, size_t whylen)
{
	char name[64];

	cm_realm_keytab_name(realm_id, name, sizeof(name));
	return remove_file(st->keytab_dir, name, why, whylen);
}

/* 0, or -1 with why; see realm_config.h. */
int
cm_realm_location_text(const char *uri, const char *name, const char *keytab_path, char *out,
    size_t outlen, char *why, size_t whylen)
{
	char safe[256];
	size_t i = 0, n;

	if (uri == NULL || uri[0] == '\0' || strlen(uri) > 64) {
		snprintf(why, whylen, "the customer uri is empty or too long");
		return -1;
	}
	for (const char *p = uri; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.') {
			snprintf(why, whylen, "the customer uri holds a character Apache would misread in a <Location>");
			return -1;
		}
	if (strcmp(uri, ".") == 0 || strcmp(uri, "..") == 0) {
		snprintf(why, whylen, "the customer uri cannot be . or ..");
		return -1;
	}
	if (keytab_path == NULL || keytab_path[0] != '/') {
		snprintf(why, whylen, "keytab_dir must be an absolute path");
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)keytab_path; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\' || *p == '$' || *p == '%') {
			snprintf(why, whylen, "keytab_dir holds a character Apache would misread (quote, backslash, $, %% or a control)");
			return -1;
		}
	/* The name is only a comment: anything that could end the comment line
	 * (a newline, a trailing backslash continues it) or be expanded
	 * (${...}) becomes '?'. */
	for (const unsigned char *p = (const unsigned char *)(name ? name : ""); *p && i + 1 < sizeof(safe); p++)
		safe[i++] = (*p < 0x20 || *p == 0x7f || *p == '\\' || *p == '$') ? '?' : (char)*p;
	safe[i] = '\0';
	n = (size_t)snprintf(out, outlen,
	    "# Written by certmint for customer %s (%s); do not edit: the admin portal rewrites it.\n"
	    "<Location \"/customer/%s/autoenroll\">\n"
	    "\tAuthType GSSAPI\n"
	    "\tAuthName \"certmint auto-enrollment\"\n"
	    "\tGssapiCredStore \"keytab:%s\"\n"
	    "\tGssapiAllowedMech krb5\n"
	    "\tGssapiBasicAuth Off\n"
	    "\tRequire valid-user\n"
	    "</Location>\n", uri, safe, uri, keytab_path);
	if (n >= outlen) {
		snprintf(why, whylen, "the Location text is too long");
		return -1;
	}
	return 0;
}

/* Touches <apache_conf_dir>/.reload with the time, for the reloader: written
 * in place (not renamed), so a path unit watching it sees a close after write
 * on the same file. 0 / -1 with why. */
static int
touch_reload(const struct cm_settings *st, char *why, size_t whylen)
{
	char line[32], path[4096];
	int n = snprintf(line, sizeof(line), "%lld\n", (long long)time(NULL)), fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/.reload", st->apache_conf_dir) >= sizeof(path)) {
		snprintf(why, whylen, "apache_conf_dir is too long");
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	/* Another user wrote it last (root's `certmint realm` and the portal's
	 * uid share the directory, which is the portal's): make it anew. */
	if (fd < 0 && errno == EACCES && unlink(path) == 0)
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || write(fd, line, (size_t)n) != n) {
		snprintf(why, whylen, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (close(fd) < 0) {
		snprintf(why, whylen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* 0 / -1 with why; see realm_config.h. */
int
cm_realm_config_apply(struct cm_db *db, const struct cm_settings *st, int64_t customer_id,
    char *why, size_t whylen)
{
	struct cm_stmt *s = NULL;
	char uri[65] = "", cname[256] = "", conf_name[128], kt_name[64], kt_path[4096], w[512];
	char text[LOCATION_MAX];
	int64_t ids[MAX_REALMS];
	unsigned char *kts[MAX_REALMS], *merged = NULL;
	size_t lens[MAX_REALMS], nids = 0, nkts = 0, mlen = 0;
	int f, rc = -1;

	memset(kts, 0, sizeof(kts));
	s = cm_db_prepare(db, "SELECT uri, name FROM customers WHERE id = ?");
	if (s == NULL || cm_stmt_bind_i64(s, 0, customer_id) < 0 || cm_stmt_execute(s) < 0 ||
	    (f = cm_stmt_fetch(s)) < 0) {
		snprintf(why, whylen, "database: %s", cm_db_error(db));
		goto out;
	}
	if (f == 0) {
		snprintf(why, whylen, "no customer %lld", (long long)customer_id);
		goto out;
	}
	cm_stmt_copy_str(s, 0, uri, sizeof(uri));
	cm_stmt_copy_str(s, 1, cname, sizeof(cname));
	cm_stmt_close(s);
	s = cm_db_prepare(db, "SELECT id FROM kerberos_realms WHERE customer_id = ? AND deleted_at IS NULL"
	    " ORDER BY id LIMIT 65");
	if (s == NULL || cm_stmt_bind_i64(s, 0, customer_id) < 0 || cm_stmt_execute(s) < 0) {
		snprintf(why, whylen, "database: %s", cm_db_error(db));
		goto out;
	}
	while ((f = cm_stmt_fetch(s)) == 1) {
		if (nids == MAX_REALMS) {
			snprintf(why, whylen, "more than %d realms", MAX_REALMS);
			goto out;
		}
		ids[nids++] = cm_stmt_i64(s, 0);
	}
	if (f < 0) {
		snprintf(why, whylen, "database: %s", cm_db_error(db));
		goto out;
	}
	cm_stmt_close(s);
	s = NULL;
	snprintf(conf_name, sizeof(conf_name), "autoenroll-%s.conf", uri);
	snprintf(kt_name, sizeof(kt_name), "customer-%lld.keytab", (long long)customer_id);
	if ((size_t)snprintf(kt_path, sizeof(kt_path), "%s/%s", st->keytab_dir, kt_name) >= sizeof(kt_path)) {
		snprintf(why, whylen, "keytab_dir is too long");
		goto out;
	}
	if (nids == 0) {
		/* The Location goes first: Apache never names a keytab that is gone. */
		if (cm_realm_location_text(uri, cname, kt_path, text, sizeof(text), why, whylen) < 0 ||
		    remove_file(st->apache_conf_dir, conf_name, why, whylen) < 0 ||
		    remove_file(st->keytab_dir, kt_name, why, whylen) < 0 || touch_reload(st, why, whylen) < 0)
			goto out;
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < nids; i++) {
		size_t len;
		int r = cm_realm_keytab_read(st, ids[i], &kts[nkts], &len, w, sizeof(w));
		char pr[64], pb[CM_KEYTAB_PROBLEM_MAX];

		if (r != 0) {
			if (r < 0)
				cm_warn("realm %lld: %s", (long long)ids[i], w);
			continue;
		}
		/* An unreadable file (the check shows it) stays out of the merge. */
		if (cm_keytab_check(kts[nkts], len, "", pr, sizeof(pr), pb, sizeof(pb)) < 0) {
			cm_warn("realm %lld: keytab left out of the merge: %s", (long long)ids[i], pb);
			OPENSSL_cleanse(kts[nkts], len);
			free(kts[nkts]);
			kts[nkts] = NULL;
			continue;
		}
		lens[nkts++] = len;
	}
	if (cm_keytab_merge((const unsigned char *const *)kts, lens, nkts, &merged, &mlen, why, whylen) < 0)
		goto out;
	/* The keytab first, so the Location never names a file not there yet. */
	if (cm_realm_location_text(uri, cname, kt_path, text, sizeof(text), why, whylen) < 0 ||
	    write_atomic(st->keytab_dir, kt_name, merged, mlen, 0640, CM_KEYTAB_GROUP, why, whylen) < 0 ||
	    write_atomic(st->apache_conf_dir, conf_name, (const unsigned char *)text, strlen(text), 0644, NULL,
	    why, whylen) < 0 || touch_reload(st, why, whylen) < 0)
		goto out;
	rc = 0;
out:
	if (s)
		cm_stmt_close(s);
	for (size_t i = 0; i < nkts; i++) {
		OPENSSL_cleanse(kts[i], lens[i]);
		free(kts[i]);
	}
	if (merged) {
		OPENSSL_cleanse(merged, mlen);
		free(merged);
	}
	return rc;
}

/* 0 / 1 / 2 / -1; see realm_config.h. */
int
cm_realm_reload_status(const struct cm_settings *st, long long *when, char *msg, size_t msglen,
    int *pending)
{
	char path[4096], rpath[4096], *nl;
	unsigned char *data = NULL;
	size_t len;
	struct stat sr, ss;
	int r, have;
	char why[256], word[16];
	long long t = 0;
	int used = 0;

	*when = 0;
	*pending = 0;
	if (msglen)
		msg[0] = '\0';
	snprintf(path, sizeof(path), "%s/.reload-status", st->apache_conf_dir);
	snprintf(rpath, sizeof(rpath), "%s/.reload", st->apache_conf_dir);
	r = read_file(path, 4096, &data, &len, why, sizeof(why));
	if (r < 0)
		return -1;
	have = r == 0;
	if (stat(rpath, &sr) == 0 && (!have || (stat(path, &ss) == 0 &&
	    (sr.st_mtim.tv_sec > ss.st_mtim.tv_sec ||
	    (sr.st_mtim.tv_sec == ss.st_mtim.tv_sec && sr.st_mtim.tv_nsec > ss.st_mtim.tv_nsec)))))
		*pending = 1;
	if (!have)
		return 0;
	data[len] = '\0';
	if ((nl = strchr((char *)data, '\n')) != NULL)
		*nl = '\0';
	r = -1;
	if (sscanf((char *)data, "%15s %lld %n", word, &t, &used) >= 2) {
		*when = t;
		if (strcmp(word, "ok") == 0)
			r = 1;
		else if (strcmp(word, "failed") == 0) {
			r = 2;
			snprintf(msg, msglen, "%s", (char *)data + used);
			for (char *p = msg; *p; p++)
				if ((unsigned char)*p < 0x20)
					*p = ' ';
		}
	}
	free(data);
	return r;
}
