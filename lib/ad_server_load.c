/* ad_server_load.c: an ad_servers row made ready for the AD client: the sealed simple-bind password opened, the realm keytab found. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ad_lookup.h"
#include "secret_box.h"

/* The CA certificates of one server: a handful of PEM blocks. */
#define AD_CA_PEM_MAX (256 * 1024)

/* No return value. */
void
cm_ad_server_free(struct cm_ad_server *s)
{
	if (s == NULL)
		return;
	if (s->bind_password) {
		OPENSSL_cleanse(s->bind_password, strlen(s->bind_password));
		free(s->bind_password);
	}
	free(s->ca_pem);
	s->bind_password = NULL;
	s->ca_pem = NULL;
}

/* Copies column idx into dst; 0, or -1 with why when it does not fit. */
static int
col(struct cm_stmt *st, unsigned idx, char *dst, size_t dstlen, const char *what, char *why,
    size_t whylen)
{
	if (cm_stmt_copy_str(st, idx, dst, dstlen) == 1)
		return 0;
	snprintf(why, whylen, "the AD server's %s is longer than %zu bytes", what, dstlen - 1);
	return -1;
}

/* Opens the sealed password (bytes enc[len]) into s->bind_password. 0, or -1 with why. */
static int
unseal(const struct cm_settings *st, struct cm_ad_server *s, const char *enc, size_t len, char *why,
    size_t whylen)
{
	unsigned char plain[CM_SECRET_MAX + 1];
	char aad[CM_AD_AAD_MAX];
	size_t n = 0;
	int rc = -1;

	if (enc == NULL || len == 0) {
		snprintf(why, whylen, "the AD server binds with a password but none is stored");
		return -1;
	}
	if (st->ldap_bind_key == NULL) {
		snprintf(why, whylen,
		    "the AD server's bind password is sealed, but certmint.conf [secrets] ldap_bind_key_file is not set");
		return -1;
	}
	cm_ad_password_aad(s->customer_id, aad);
	if (cm_secret_open(st->ldap_bind_key, st->ldap_bind_key_len, aad, (const unsigned char *)enc, len,
	        plain, &n) < 0) {
		snprintf(why, whylen,
		    "the AD server's bind password does not open with the key of [secrets] ldap_bind_key_file "
		    "(another key, or the value was changed): enter the password again");
		goto out;
	}
	if (memchr(plain, '\0', n) != NULL) {
		snprintf(why, whylen, "the AD server's stored bind password holds a NUL byte");
		goto out;
	}
	if ((s->bind_password = malloc(n + 1)) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	memcpy(s->bind_password, plain, n);
	s->bind_password[n] = '\0';
	rc = 0;
out:
	OPENSSL_cleanse(plain, sizeof(plain));
	return rc;
}

/* The keytab of the customer's live realm for s->domain into s->keytab_path
 * ("" when there is none). 0, or -1 with why. */
static int
find_keytab(struct cm_db *db, const struct cm_settings *st, struct cm_ad_server *s, char *why,
    size_t whylen)
{
	struct cm_stmt *q;
	int f, rc = -1;

	s->keytab_path[0] = '\0';
	q = cm_db_prepare(db,
	    "SELECT id FROM kerberos_realms WHERE customer_id = ? AND windows_domain = ? "
	    "AND deleted_at IS NULL AND keytab_file IS NOT NULL ORDER BY id LIMIT 1");
	if (q == NULL || cm_stmt_bind_i64(q, 0, s->customer_id) < 0 || cm_stmt_bind_str(q, 1, s->domain) < 0 ||
	    cm_stmt_execute(q) < 0 || (f = cm_stmt_fetch(q)) < 0) {
		snprintf(why, whylen, "database: %s", cm_db_error(db));
		goto out;
	}
	if (f == 1) {
		int w = snprintf(s->keytab_path, sizeof(s->keytab_path), "%s/realm-%lld.keytab",
		    st->keytab_dir ? st->keytab_dir : "/var/lib/certmint/keytabs",
		    (long long)cm_stmt_i64(q, 0));
		if (w < 0 || (size_t)w >= sizeof(s->keytab_path)) {
			snprintf(why, whylen, "[autoenroll] keytab_dir is too long");
			s->keytab_path[0] = '\0';
			goto out;
		}
	}
	rc = 0;
out:
	if (q)
		cm_stmt_close(q);
	return rc;
}

/* 0; 1 not found; -1 error with why. */
int
cm_ad_server_load(struct cm_db *db, const struct cm_settings *st, int64_t customer_id, int64_t id,
    struct cm_ad_server *out, char *why, size_t whylen)
{
	struct cm_stmt *q = NULL;
	const char *v;
	size_t n;
	int f, rc = -1;

	memset(out, 0, sizeof(*out));
	q = cm_db_prepare(db,
	    "SELECT id, customer_id, name, domain, ldap_uris, base_dn, users_base_dn, starttls, ca_pem, "
	    "bind_method, bind_dn, bind_password_enc FROM ad_servers "
	    "WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
	if (q == NULL || cm_stmt_bind_i64(q, 0, id) < 0 || cm_stmt_bind_i64(q, 1, customer_id) < 0 ||
	    cm_stmt_execute(q) < 0 || (f = cm_stmt_fetch(q)) < 0) {
		snprintf(why, whylen, "database: %s", cm_db_error(db));
		goto out;
	}
	if (f == 0) {
		snprintf(why, whylen, "no AD server %lld for this customer", (long long)id);
		rc = 1;
		goto out;
	}
	out->id = cm_stmt_i64(q, 0);
	out->customer_id = cm_stmt_i64(q, 1);
	if (col(q, 2, out->name, sizeof(out->name), "name", why, whylen) < 0 ||
	    col(q, 3, out->domain, sizeof(out->domain), "domain", why, whylen) < 0 ||
	    col(q, 4, out->uris, sizeof(out->uris), "LDAP URI list", why, whylen) < 0 ||
	    col(q, 5, out->base_dn, sizeof(out->base_dn), "base DN", why, whylen) < 0 ||
	    col(q, 6, out->users_base_dn, sizeof(out->users_base_dn), "users base DN", why, whylen) < 0 ||
	    col(q, 10, out->bind_dn, sizeof(out->bind_dn), "bind DN", why, whylen) < 0)
		goto out;
	/* AD realms are the upper-case DNS domain. */
	for (size_t i = 0; out->domain[i]; i++)
		out->realm[i] = (out->domain[i] >= 'a' && out->domain[i] <= 'z') ?
		    (char)(out->domain[i] - 32) : out->domain[i];
	out->starttls = cm_stmt_i64(q, 7) != 0;
	out->timeout_ms = 5000;
	v = cm_stmt_str(q, 8, &n);
	if (v && n > 0) {
		if (n > AD_CA_PEM_MAX || memchr(v, '\0', n)) {
			snprintf(why, whylen, "the AD server's CA certificates are not PEM text of at most %d bytes",
			    AD_CA_PEM_MAX);
			goto out;
		}
		if ((out->ca_pem = strndup(v, n)) == NULL) {
			snprintf(why, whylen, "out of memory");
			goto out;
		}
	}
	v = cm_stmt_str(q, 9, NULL);
	out->simple_bind = v && strcmp(v, "simple") == 0;
	if (out->simple_bind) {
		v = cm_stmt_str(q, 11, &n);
		if (unseal(st, out, v, n, why, whylen) < 0)
			goto out;
	}
	cm_stmt_close(q);
	q = NULL;
	if (!out->simple_bind && find_keytab(db, st, out, why, whylen) < 0)
		goto out;
	rc = 0;
out:
	if (q)
		cm_stmt_close(q);
	if (rc < 0)
		cm_ad_server_free(out);
	return rc;
}

/* The default server's id, 0 when none; -1 on a database error. */
int64_t
cm_ad_default_server(struct cm_db *db, int64_t customer_id)
{
	struct cm_stmt *q;
	int64_t id = -1;
	int f;

	q = cm_db_prepare(db,
	    "SELECT id FROM ad_servers WHERE customer_id = ? AND is_default = 1 AND deleted_at IS NULL");
	if (q && cm_stmt_bind_i64(q, 0, customer_id) == 0 && cm_stmt_execute(q) == 0 &&
	    (f = cm_stmt_fetch(q)) >= 0)
		id = f == 1 ? cm_stmt_i64(q, 0) : 0;
	if (q)
		cm_stmt_close(q);
	return id;
}
