/* ad_lookup.c: the network half of the AD client: connect to the first LDAP URI that answers, StartTLS, simple or SASL GSSAPI bind from a realm keytab, paged user search, the Verify checks. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <lber.h>
#include <ldap.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ad_lookup.h"

#define AD_PAGE_SIZE 100
#define AD_MAX_URIS 8
/* A TGT with less than this left is renewed before a bind. */
#define AD_TGT_MARGIN 300

struct cm_ad_conn {
	LDAP *ld;
	char uri[1025];
	char bound_as[1100];
	char base_dn[1025], users_base_dn[1025];
	int timeout_ms;
};

/*
 * Cyrus SASL's interaction record (sasl/sasl.h, unchanged since SASL 2.0);
 * declared here so the build needs no libsasl2-dev: GSSAPI asks at most for
 * the authorisation id, which stays empty (the bound identity is the ticket's).
 */
struct sasl_interact_rec {
	unsigned long id;
	const char *challenge, *prompt, *defresult;
	const void *result;
	unsigned len;
};

/* The SASL interaction callback: every prompt gets its default or "".
 * LDAP_SUCCESS always. */
static int
sasl_quiet(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	struct sasl_interact_rec *r = in;

	(void)ld;
	(void)flags;
	(void)defaults;
	for (; r && r->id != 0; r++) {
		r->result = r->defresult ? r->defresult : "";
		r->len = (unsigned)strlen(r->result);
	}
	return LDAP_SUCCESS;
}

/* The handle's diagnostic message into out ("" when none). No return value. */
static void
ld_diag(LDAP *ld, char *out, size_t outlen)
{
	char *m = NULL;

	out[0] = '\0';
	if (ld && ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &m) == LDAP_OPT_SUCCESS && m) {
		snprintf(out, outlen, "%s", m);
		ldap_memfree(m);
	}
	/* AD's messages end in NUL-padded or newline text; keep one line. */
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

/* " (diag)" or "" for messages. No return value. */
static void
paren(const char *diag, char *out, size_t outlen)
{
	if (diag[0])
		snprintf(out, outlen, " (%s)", diag);
	else
		out[0] = '\0';
}

/* Opens a TCP connection to host:port within timeout_ms to learn why libldap
 * could not: 0 when it connects (so the failure came later: TLS), else -1
 * with the reason in why. */
static int
tcp_probe(const char *host, int port, int timeout_ms, char *why, size_t whylen)
{
	struct addrinfo hints, *ai = NULL, *a;
	char portstr[16];
	int fd = -1, rc = -1, err = 0, g;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((g = getaddrinfo(host, portstr, &hints, &ai)) != 0) {
		snprintf(why, whylen, "%s does not resolve (%s)", host, gai_strerror(g));
		return -1;
	}
	for (a = ai; a; a = a->ai_next) {
		struct pollfd p;
		socklen_t sl = sizeof(err);

		fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
			rc = 0;
			break;
		}
		if (errno != EINPROGRESS) {
			err = errno;
			close(fd);
			fd = -1;
			continue;
		}
		p.fd = fd;
		p.events = POLLOUT;
		g = poll(&p, 1, timeout_ms);
		if (g == 0)
			err = ETIMEDOUT;
		else if (g < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
			err = errno;
		if (g > 0 && err == 0) {
			rc = 0;
			break;
		}
		close(fd);
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	if (rc < 0) {
		if (err == ETIMEDOUT)
			snprintf(why, whylen, "no answer from %s port %d within %d ms", host, port, timeout_ms);
		else
			snprintf(why, whylen, "cannot connect to %s port %d: %s", host, port, strerror(err));
	}
	return rc;
}

/* The CA certificates of s for this connection: written to a private
 * temporary file (libldap with GnuTLS only reads CAs from files), loaded into
 * a new TLS context of ld, and removed again. 0, or -1 with why. */
static int
tls_setup(LDAP *ld, const struct cm_ad_server *s, char *why, size_t whylen)
{
	char path[4200];
	const char *tmp = getenv("TMPDIR");
	int demand = LDAP_OPT_X_TLS_DEMAND, min = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2, zero = 0, fd = -1;
	int rc = -1;
	size_t n, off = 0;

	path[0] = '\0';
	if (ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &min) != LDAP_OPT_SUCCESS) {
		snprintf(why, whylen, "libldap refused the TLS options");
		return -1;
	}
	if (s->ca_pem && s->ca_pem[0]) {
		if (tmp == NULL || tmp[0] != '/' || strlen(tmp) > 4000)
			tmp = "/tmp";
		snprintf(path, sizeof(path), "%s/certmint-ad-ca-XXXXXX", tmp);
		if ((fd = mkstemp(path)) < 0) {
			snprintf(why, whylen, "cannot write the server's CA to %s: %s", tmp, strerror(errno));
			path[0] = '\0';
			goto out;
		}
		n = strlen(s->ca_pem);
		while (off < n) {
			ssize_t w = write(fd, s->ca_pem + off, n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				snprintf(why, whylen, "cannot write the server's CA to %s: %s", path,
				    strerror(errno));
				goto out;
			}
			off += (size_t)w;
		}
		if (close(fd) < 0) {
			fd = -1;
			snprintf(why, whylen, "cannot write the server's CA to %s: %s", path, strerror(errno));
			goto out;
		}
		fd = -1;
		if (ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, path) != LDAP_OPT_SUCCESS) {
			snprintf(why, whylen, "libldap refused the server's CA file");
			goto out;
		}
	}
	/* A context of this handle's own: the CA of one server never serves another. */
	if (ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) != LDAP_OPT_SUCCESS) {
		snprintf(why, whylen, "the server's CA certificates could not be loaded (is it PEM?)");
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (path[0])
		unlink(path);
	return rc;
}

/* Why cert (the server's leaf) fails for host: does it name the host, does
 * it chain to the CA certificates of s (else the system store). Written into
 * out; "" when both checks pass. No return value. */
static void
cert_reason(X509 *cert, const char *host, const struct cm_ad_server *s, char *out, size_t outlen)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	unsigned char ip[16];
	char subj[300] = "";
	int named, is_ip = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;

	out[0] = '\0';
	X509_NAME_oneline(X509_get_subject_name(cert), subj, sizeof(subj));
	named = is_ip ? X509_check_ip_asc(cert, host, 0) == 1 : X509_check_host(cert, host, 0, 0, NULL) == 1;
	if (!named) {
		snprintf(out, outlen, "the server's certificate (%s) does not name %s%s", subj, host,
		    is_ip ? ": use the host name it names in the URI" : "");
		goto done;
	}
	if (store == NULL || ctx == NULL)
		goto done;
	if (s->ca_pem && s->ca_pem[0]) {
		BIO *b = BIO_new_mem_buf(s->ca_pem, -1);
		X509 *ca;

		while (b && (ca = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
			X509_STORE_add_cert(store, ca);
			X509_free(ca);
		}
		BIO_free(b);
	} else {
		X509_STORE_set_default_paths(store);
	}
	if (X509_STORE_CTX_init(ctx, store, cert, NULL) == 1 && X509_verify_cert(ctx) != 1)
		snprintf(out, outlen, "the server's certificate (%s) was not verified by %s: %s", subj,
		    s->ca_pem && s->ca_pem[0] ? "the server's CA certificates" : "the system trust store",
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
done:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
}

/*
 * libldap (GnuTLS) reports a failed certificate check only as a connect
 * error; to say which check failed, connect once more without checking,
 * take the server's certificate and check it here. Writes the reason into
 * why. No return value.
 */
static void
tls_diagnose(const struct cm_ad_server *s, const char *uri, const char *host, int ldaps,
    const char *what, char *why, size_t whylen)
{
	LDAP *ld = NULL;
	struct berval cert = { 0, NULL };
	struct timeval tv;
	X509 *x = NULL;
	const unsigned char *p;
	char reason[700];
	int v3 = LDAP_VERSION3, never = LDAP_OPT_X_TLS_NEVER, zero = 0;

	snprintf(why, whylen, "%s: %s: TLS handshake failed", uri, what);
	tv.tv_sec = s->timeout_ms / 1000;
	tv.tv_usec = (s->timeout_ms % 1000) * 1000;
	if (ldap_initialize(&ld, uri) != LDAP_SUCCESS)
		return;
	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &never) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) != LDAP_OPT_SUCCESS)
		goto out;
	if (ldap_connect(ld) != LDAP_SUCCESS || (!ldaps && ldap_start_tls_s(ld, NULL, NULL) != LDAP_SUCCESS)) {
		snprintf(why, whylen, "%s: %s: TLS handshake failed (also without checking the certificate: "
		    "no common protocol version or cipher?)", uri, what);
		goto out;
	}
	if (ldap_get_option(ld, LDAP_OPT_X_TLS_PEERCERT, &cert) != LDAP_OPT_SUCCESS || cert.bv_val == NULL)
		goto out;
	p = (const unsigned char *)cert.bv_val;
	if ((x = d2i_X509(NULL, &p, (long)cert.bv_len)) == NULL)
		goto out;
	cert_reason(x, host, s, reason, sizeof(reason));
	if (reason[0])
		snprintf(why, whylen, "%s: %s: %s", uri, what, reason);
	else
		snprintf(why, whylen, "%s: %s: TLS handshake failed (the certificate names the host and is "
		    "verified here: a missing intermediate CA?)", uri, what);
out:
	X509_free(x);
	if (cert.bv_val)
		ber_memfree(cert.bv_val);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

/* The AD sub-code of an invalid-credentials diagnostic ("..., data 52e, v..."),
 * explained. NULL when there is none or it is unknown. */
static const char *
ad_data_code(const char *diag, char code[8])
{
	static const struct {
		const char *code, *text;
	} codes[] = {
		{ "525", "no such user" }, { "52e", "wrong password" },
		{ "530", "not permitted to log on at this time" },
		{ "531", "not permitted to log on from this workstation" },
		{ "532", "password expired" }, { "533", "account disabled" },
		{ "701", "account expired" }, { "773", "password must be changed" },
		{ "775", "account locked out" },
	};
	const char *p = strstr(diag, "data ");
	size_t n = 0;

	code[0] = '\0';
	if (p == NULL)
		return NULL;
	p += 5;
	while (n < 7 && ((p[n] >= '0' && p[n] <= '9') || (p[n] >= 'a' && p[n] <= 'f')))
		n++;
	if (n == 0)
		return NULL;
	memcpy(code, p, n);
	code[n] = '\0';
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(codes[i].code, code) == 0)
			return codes[i].text;
	return NULL;
}

/* The keytab's client principal of realm (the first entry "name@REALM" with
 * no '/'), unparsed into out. 0; -1 with why. */
static int
keytab_client(krb5_context kc, krb5_keytab kt, const char *realm, const char *path,
    krb5_principal *princ, char *out, size_t outlen, char *why, size_t whylen)
{
	krb5_kt_cursor cur;
	krb5_keytab_entry e;
	krb5_error_code ke;
	size_t rl = strlen(realm);
	int found = 0;

	if ((ke = krb5_kt_start_seq_get(kc, kt, &cur)) != 0) {
		const char *m = krb5_get_error_message(kc, ke);
		snprintf(why, whylen, "cannot read the realm keytab %s: %s", path, m);
		krb5_free_error_message(kc, m);
		return -1;
	}
	while (!found && krb5_kt_next_entry(kc, kt, &e, &cur) == 0) {
		char *name = NULL;

		if (krb5_unparse_name(kc, e.principal, &name) == 0) {
			size_t n = strlen(name);
			const char *at = strrchr(name, '@');

			if (at && (size_t)(at - name) < n && strcmp(at + 1, realm) == 0 && n > rl + 1 &&
			    memchr(name, '/', (size_t)(at - name)) == NULL && strlen(name) < outlen &&
			    krb5_copy_principal(kc, e.principal, princ) == 0) {
				snprintf(out, outlen, "%s", name);
				found = 1;
			}
			krb5_free_unparsed_name(kc, name);
		}
		krb5_free_keytab_entry_contents(kc, &e);
	}
	krb5_kt_end_seq_get(kc, kt, &cur);
	if (!found) {
		snprintf(why, whylen,
		    "the realm keytab %s holds no client principal of %s (the service account's own "
		    "name@%s, without '/'): export it into the keytab, an SPN cannot log on",
		    path, realm, realm);
		return -1;
	}
	return 0;
}

/* Fills ccname ("MEMORY:certmint-ad-<realm>") with a TGT of the realm
 * keytab's client principal, unless it already holds one valid for more than
 * AD_TGT_MARGIN seconds; who gets the principal's name. 0, or -1 with why. */
static int
realm_tgt(const struct cm_ad_server *s, const char *ccname, char *who, size_t wholen, char *why,
    size_t whylen)
{
	krb5_context kc = NULL;
	krb5_keytab kt = NULL;
	krb5_ccache cc = NULL;
	krb5_principal client = NULL, tgs = NULL, ccp = NULL;
	krb5_get_init_creds_opt *opt = NULL;
	krb5_creds creds, mc;
	krb5_error_code ke;
	char ktname[4200];
	int have_creds = 0, rc = -1;

	memset(&creds, 0, sizeof(creds));
	if ((ke = krb5_init_context(&kc)) != 0) {
		snprintf(why, whylen, "Kerberos: cannot initialise (krb5.conf: KRB5_CONFIG?), error %d", (int)ke);
		return -1;
	}
	if (access(s->keytab_path, R_OK) < 0) {
		snprintf(why, whylen, "cannot read the realm keytab %s: %s", s->keytab_path, strerror(errno));
		goto out;
	}
	snprintf(ktname, sizeof(ktname), "FILE:%s", s->keytab_path);
	if ((ke = krb5_kt_resolve(kc, ktname, &kt)) != 0)
		goto kerr;
	if (keytab_client(kc, kt, s->realm, s->keytab_path, &client, who, wholen, why, whylen) < 0)
		goto out;
	if ((ke = krb5_cc_resolve(kc, ccname, &cc)) != 0)
		goto kerr;
	/* A TGT from an earlier bind of this process, still good, saves the KDC a trip. */
	if (krb5_cc_get_principal(kc, cc, &ccp) == 0 && krb5_principal_compare(kc, ccp, client) &&
	    krb5_build_principal(kc, &tgs, (unsigned)strlen(s->realm), s->realm, KRB5_TGS_NAME,
	        s->realm, (char *)NULL) == 0) {
		memset(&mc, 0, sizeof(mc));
		mc.client = client;
		mc.server = tgs;
		if (krb5_cc_retrieve_cred(kc, cc, 0, &mc, &creds) == 0) {
			have_creds = 1;
			if ((time_t)creds.times.endtime > time(NULL) + AD_TGT_MARGIN) {
				rc = 0;
				goto out;
			}
			krb5_free_cred_contents(kc, &creds);
			memset(&creds, 0, sizeof(creds));
			have_creds = 0;
		}
	}
	if ((ke = krb5_get_init_creds_opt_alloc(kc, &opt)) != 0)
		goto kerr;
	ke = krb5_get_init_creds_keytab(kc, &creds, client, kt, 0, NULL, opt);
	if (ke != 0) {
		const char *m = krb5_get_error_message(kc, ke);

		if (ke == KRB5_KDC_UNREACH)
			snprintf(why, whylen, "the KDC of realm %s is unreachable (%s)", s->realm, m);
		else if (ke == KRB5_REALM_UNKNOWN || ke == KRB5_REALM_CANT_RESOLVE)
			snprintf(why, whylen, "no KDC is known for realm %s: add it to krb5.conf (%s)",
			    s->realm, m);
		else
			snprintf(why, whylen, "kinit as %s from the realm keytab failed: %s", who, m);
		krb5_free_error_message(kc, m);
		goto out;
	}
	have_creds = 1;
	if ((ke = krb5_cc_initialize(kc, cc, client)) != 0 || (ke = krb5_cc_store_cred(kc, cc, &creds)) != 0)
		goto kerr;
	rc = 0;
	goto out;
kerr:
	{
		const char *m = krb5_get_error_message(kc, ke);
		snprintf(why, whylen, "Kerberos, realm %s: %s", s->realm, m);
		krb5_free_error_message(kc, m);
	}
out:
	if (have_creds)
		krb5_free_cred_contents(kc, &creds);
	if (opt)
		krb5_get_init_creds_opt_free(kc, opt);
	if (tgs)
		krb5_free_principal(kc, tgs);
	if (ccp)
		krb5_free_principal(kc, ccp);
	if (client)
		krb5_free_principal(kc, client);
	if (cc)
		krb5_cc_close(kc, cc);
	if (kt)
		krb5_kt_close(kc, kt);
	krb5_free_context(kc);
	return rc;
}

/* SASL GSSAPI bind with the realm's MEMORY ccache, selected for this thread
 * only (gss_krb5_ccache_name) so one process binds to several realms.
 * 0, or -1 with why. */
static int
bind_gssapi(struct cm_ad_conn *c, const struct cm_ad_server *s, int tls, char *why, size_t whylen)
{
	char ccname[300], who[300], diag[512], p[600], prev[300];
	const char *old = NULL;
	OM_uint32 minor;
	int r, had_prev = 0;

	if (s->realm[0] == '\0') {
		snprintf(why, whylen, "the server has no Kerberos realm (its domain is empty)");
		return -1;
	}
	if (s->keytab_path[0] == '\0') {
		snprintf(why, whylen,
		    "no Kerberos realm with a keytab for domain %s: add the realm %s and its keytab "
		    "(portal: Kerberos realms, or certmint realm add) or use a simple bind",
		    s->domain, s->realm);
		return -1;
	}
	snprintf(ccname, sizeof(ccname), "MEMORY:certmint-ad-%s", s->realm);
	if (realm_tgt(s, ccname, who, sizeof(who), why, whylen) < 0)
		return -1;
	if (gss_krb5_ccache_name(&minor, ccname, &old) != GSS_S_COMPLETE) {
		snprintf(why, whylen, "GSSAPI: cannot select the credentials cache of realm %s", s->realm);
		return -1;
	}
	if (old) {
		snprintf(prev, sizeof(prev), "%s", old);
		had_prev = 1;
	}
	/*
	 * Inside TLS, AD refuses a SASL security layer ("Cannot bind using
	 * sign/seal on a connection on which TLS or SSL is in effect"); outside
	 * TLS the layer (integrity and privacy) is negotiated.
	 */
	if (tls)
		ldap_set_option(c->ld, LDAP_OPT_X_SASL_SECPROPS, "maxssf=0");
	r = ldap_sasl_interactive_bind_s(c->ld, NULL, "GSSAPI", NULL, NULL, LDAP_SASL_QUIET,
	    sasl_quiet, NULL);
	gss_krb5_ccache_name(&minor, had_prev ? prev : NULL, NULL);
	if (r != LDAP_SUCCESS) {
		ld_diag(c->ld, diag, sizeof(diag));
		paren(diag, p, sizeof(p));
		if (r == LDAP_STRONG_AUTH_REQUIRED && tls)
			/* Samba's default "ldap server require strong auth = yes" wants a
			 * SASL layer and refuses one inside TLS. */
			snprintf(why, whylen,
			    "%s: the server requires a SASL security layer, which cannot be used inside TLS "
			    "(LDAP 8): bind without StartTLS/ldaps, or on Samba set \"ldap server require "
			    "strong auth = allow_sasl_over_tls\"%s", c->uri, p);
		else if (r == LDAP_STRONG_AUTH_REQUIRED)
			snprintf(why, whylen, "%s: the server requires a stronger bind (LDAP 8)%s", c->uri, p);
		else
			snprintf(why, whylen, "%s: SASL GSSAPI bind as %s failed: %s (LDAP %d)%s", c->uri,
			    who, ldap_err2string(r), r, p);
		return -1;
	}
	snprintf(c->bound_as, sizeof(c->bound_as), "%s (SASL GSSAPI)", who);
	return 0;
}

/* Simple bind with bind_dn and the unsealed password. 0, or -1 with why. */
static int
bind_simple(struct cm_ad_conn *c, const struct cm_ad_server *s, char *why, size_t whylen)
{
	struct berval cred;
	char diag[512], p[600], code[8];
	const char *text;
	int r;

	if (s->bind_dn[0] == '\0' || s->bind_password == NULL || s->bind_password[0] == '\0') {
		snprintf(why, whylen, "simple bind needs a bind DN and a password (none stored)");
		return -1;
	}
	cred.bv_val = s->bind_password;
	cred.bv_len = strlen(s->bind_password);
	r = ldap_sasl_bind_s(c->ld, s->bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
	if (r == LDAP_SUCCESS) {
		snprintf(c->bound_as, sizeof(c->bound_as), "%s (simple bind)", s->bind_dn);
		return 0;
	}
	ld_diag(c->ld, diag, sizeof(diag));
	paren(diag, p, sizeof(p));
	if (r == LDAP_INVALID_CREDENTIALS) {
		text = ad_data_code(diag, code);
		if (code[0])
			snprintf(why, whylen, "%s: invalid credentials for %s (LDAP 49, AD data %s%s%s)%s",
			    c->uri, s->bind_dn, code, text ? ": " : "", text ? text : "", p);
		else
			snprintf(why, whylen, "%s: invalid credentials for %s (LDAP 49)%s", c->uri,
			    s->bind_dn, p);
	} else if (r == LDAP_STRONG_AUTH_REQUIRED || r == LDAP_CONFIDENTIALITY_REQUIRED) {
		snprintf(why, whylen,
		    "%s: the server refuses a simple bind without TLS (LDAP %d %s): use StartTLS or ldaps://%s",
		    c->uri, r, ldap_err2string(r), p);
	} else {
		snprintf(why, whylen, "%s: simple bind as %s failed: %s (LDAP %d)%s", c->uri, s->bind_dn,
		    ldap_err2string(r), r, p);
	}
	return -1;
}

/* One URI: DNS, TCP, TLS; leaves c->ld connected (not bound). 0, or -1 with
 * *stage and why. */
static int
open_uri(struct cm_ad_conn *c, const struct cm_ad_server *s, const char *uri, int *tls,
    enum cm_ad_stage *stage, char *why, size_t whylen)
{
	LDAPURLDesc *lud = NULL;
	struct addrinfo hints, *ai = NULL;
	struct timeval tv;
	char diag[512], p[600], probe[512];
	int v3 = LDAP_VERSION3, port, g, r, rc = -1, ldaps;

	*tls = 0;
	snprintf(c->uri, sizeof(c->uri), "%s", uri);
	if (ldap_url_parse(uri, &lud) != LDAP_URL_SUCCESS || lud->lud_host == NULL || !lud->lud_host[0]) {
		*stage = CM_AD_CONFIG;
		snprintf(why, whylen, "%s is not an LDAP URI with a host", uri);
		goto out;
	}
	ldaps = strcasecmp(lud->lud_scheme, "ldaps") == 0;
	port = lud->lud_port ? lud->lud_port : (ldaps ? 636 : 389);
	/* Our own lookup first: libldap reports a name that does not resolve
	 * as a plain connect error. */
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((g = getaddrinfo(lud->lud_host, NULL, &hints, &ai)) != 0) {
		*stage = CM_AD_DNS;
		snprintf(why, whylen, "%s: the name %s does not resolve (%s)", uri, lud->lud_host,
		    gai_strerror(g));
		goto out;
	}
	freeaddrinfo(ai);
	if (ldap_initialize(&c->ld, uri) != LDAP_SUCCESS) {
		*stage = CM_AD_CONFIG;
		snprintf(why, whylen, "%s: libldap does not accept this URI", uri);
		goto out;
	}
	tv.tv_sec = s->timeout_ms / 1000;
	tv.tv_usec = (s->timeout_ms % 1000) * 1000;
	if (ldap_set_option(c->ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(c->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(c->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(c->ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(c->ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON) != LDAP_OPT_SUCCESS) {
		*stage = CM_AD_CONFIG;
		snprintf(why, whylen, "%s: libldap refused the connection options", uri);
		goto out;
	}
	if (ldaps || s->starttls) {
		if (tls_setup(c->ld, s, why, whylen) < 0) {
			*stage = CM_AD_TLS;
			goto out;
		}
	}
	if ((r = ldap_connect(c->ld)) != LDAP_SUCCESS) {
		ld_diag(c->ld, diag, sizeof(diag));
		if (tcp_probe(lud->lud_host, port, s->timeout_ms, probe, sizeof(probe)) < 0) {
			*stage = CM_AD_TCP;
			snprintf(why, whylen, "%s: %s", uri, probe);
		} else if (ldaps) {
			*stage = CM_AD_TLS;
			tls_diagnose(s, uri, lud->lud_host, 1, "ldaps", why, whylen);
		} else {
			*stage = CM_AD_TCP;
			paren(diag, p, sizeof(p));
			snprintf(why, whylen, "%s: cannot connect: %s%s", uri, ldap_err2string(r), p);
		}
		goto out;
	}
	if (ldaps) {
		*tls = 1;
	} else if (s->starttls) {
		r = ldap_start_tls_s(c->ld, NULL, NULL);
		if (r != LDAP_SUCCESS) {
			*stage = CM_AD_TLS;
			ld_diag(c->ld, diag, sizeof(diag));
			paren(diag, p, sizeof(p));
			if (r > 0)
				snprintf(why, whylen, "%s: the server refused StartTLS: %s (LDAP %d)%s", uri,
				    ldap_err2string(r), r, p);
			else if (r == LDAP_CONNECT_ERROR)
				tls_diagnose(s, uri, lud->lud_host, 0, "StartTLS", why, whylen);
			else
				snprintf(why, whylen, "%s: StartTLS failed: %s%s", uri, ldap_err2string(r), p);
			goto out;
		}
		*tls = 1;
	}
	rc = 0;
out:
	if (lud)
		ldap_free_urldesc(lud);
	if (rc < 0 && c->ld) {
		ldap_unbind_ext_s(c->ld, NULL, NULL);
		c->ld = NULL;
	}
	return rc;
}

/* 0, or -1 with *stage and why. */
int
cm_ad_connect(const struct cm_ad_server *s, struct cm_ad_conn **out, enum cm_ad_stage *stage,
    char *why, size_t whylen)
{
	struct cm_ad_conn *c = NULL;
	char list[sizeof(s->uris)], *save = NULL, *u, first[1024];
	enum cm_ad_stage first_stage = CM_AD_CONFIG;
	int tried = 0, tls = 0, rc = -1;

	*out = NULL;
	*stage = CM_AD_CONFIG;
	first[0] = '\0';
	if (s->uris[0] == '\0' || s->base_dn[0] == '\0') {
		snprintf(why, whylen, "the server has no LDAP URI or no base DN");
		return -1;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	c->timeout_ms = s->timeout_ms > 0 ? s->timeout_ms : 5000;
	snprintf(c->base_dn, sizeof(c->base_dn), "%s", s->base_dn);
	snprintf(c->users_base_dn, sizeof(c->users_base_dn), "%s",
	    s->users_base_dn[0] ? s->users_base_dn : s->base_dn);
	{
		struct cm_ad_server t = *s;    /* the timeout default applied; no pointer is kept */
		t.timeout_ms = c->timeout_ms;
		snprintf(list, sizeof(list), "%s", s->uris);
		for (u = strtok_r(list, " ", &save); u && tried < AD_MAX_URIS; u = strtok_r(NULL, " ", &save)) {
			tried++;
			if (open_uri(c, &t, u, &tls, stage, why, whylen) == 0)
				break;
			/* The next URI is another server: a name, a port or a
			 * certificate of this one does not decide for it. */
			if (first[0] == '\0') {
				snprintf(first, sizeof(first), "%s", why);
				first_stage = *stage;
			}
		}
		if (c->ld == NULL) {
			if (tried > 1)
				snprintf(why, whylen, "%s (and %d more URI%s failed)", first, tried - 1,
				    tried > 2 ? "s" : "");
			else if (tried == 1)
				snprintf(why, whylen, "%s", first);
			else
				snprintf(why, whylen, "the server has no LDAP URI");
			*stage = tried ? first_stage : CM_AD_CONFIG;
			goto out;
		}
		*stage = CM_AD_BIND;
		if ((t.simple_bind ? bind_simple(c, &t, why, whylen) : bind_gssapi(c, &t, tls, why, whylen)) < 0)
			goto out;
	}
	*stage = CM_AD_OK;
	*out = c;
	c = NULL;
	rc = 0;
out:
	cm_ad_close(c);
	return rc;
}

/* No return value. */
void
cm_ad_close(struct cm_ad_conn *c)
{
	if (c == NULL)
		return;
	if (c->ld)
		ldap_unbind_ext_s(c->ld, NULL, NULL);
	free(c);
}

/* 1 / 0; see ad_lookup.h. Between two synchronous searches an idle LDAP
 * connection has nothing to read: readable (EOF, a Notice of
 * Disconnection) or an error/hang-up means it is finished. */
int
cm_ad_conn_usable(struct cm_ad_conn *c)
{
	struct pollfd pfd;
	ber_socket_t fd = -1;
	int r;

	if (c == NULL || c->ld == NULL || ldap_get_option(c->ld, LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS || fd < 0)
		return 0;
	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	do
		r = poll(&pfd, 1, 0);
	while (r < 0 && errno == EINTR);
	return r == 0;
}

/* Static strings of c. */
const char *
cm_ad_conn_uri(const struct cm_ad_conn *c)
{
	return c->uri;
}

const char *
cm_ad_conn_bound_as(const struct cm_ad_conn *c)
{
	return c->bound_as;
}

/* A search result code said for an administrator into why, with the stage it
 * belongs to. No return value. */
static void
search_failure(struct cm_ad_conn *c, int r, const char *base, const char *diag,
    enum cm_ad_stage *stage, char *why, size_t whylen)
{
	char p[600];

	paren(diag, p, sizeof(p));
	if (r == LDAP_NO_SUCH_OBJECT) {
		*stage = CM_AD_BASE_DN;
		snprintf(why, whylen, "%s: the base DN %s does not exist on the server (LDAP 32)%s",
		    c->uri, base, p);
	} else if (r == LDAP_REFERRAL) {
		*stage = CM_AD_BASE_DN;
		snprintf(why, whylen,
		    "%s: the base DN %s is not in this server's directory (it answers with a referral)%s",
		    c->uri, base, p);
	} else if (r == LDAP_TIMEOUT || r == LDAP_TIMELIMIT_EXCEEDED) {
		*stage = CM_AD_SEARCH;
		snprintf(why, whylen, "%s: the search under %s took longer than %d ms", c->uri, base,
		    c->timeout_ms);
	} else {
		*stage = CM_AD_SEARCH;
		snprintf(why, whylen, "%s: search under %s failed: %s (LDAP %d)%s", c->uri, base,
		    ldap_err2string(r), r, p);
	}
}

/* The entry e into u. 0, or -1 with why. */
static int
parse_entry(LDAP *ld, LDAPMessage *e, struct cm_ad_user *u, char *why, size_t whylen)
{
	BerElement *ber = NULL;
	char *dn = ldap_get_dn(ld, e), *a;
	int rc = -1;

	if (cm_ad_entry_begin(u, dn, dn ? strlen(dn) : 0, why, whylen) < 0)
		goto out;
	for (a = ldap_first_attribute(ld, e, &ber); a; a = ldap_next_attribute(ld, e, ber)) {
		struct berval **bv = ldap_get_values_len(ld, e, a);
		struct cm_ad_value *v = NULL;
		size_t n = bv ? (size_t)ldap_count_values_len(bv) : 0;
		int r = 0;

		if (n > 0 && (v = calloc(n, sizeof(*v))) == NULL) {
			snprintf(why, whylen, "out of memory");
			r = -1;
		}
		for (size_t i = 0; v && i < n; i++) {
			v[i].p = bv[i]->bv_val;
			v[i].len = bv[i]->bv_len;
		}
		if (r == 0 && n > 0)
			r = cm_ad_entry_attr(u, a, v, n, why, whylen);
		free(v);
		ldap_value_free_len(bv);
		ldap_memfree(a);
		if (r < 0)
			goto out;
	}
	rc = 0;
out:
	if (ber)
		ber_free(ber, 0);
	if (dn)
		ldap_memfree(dn);
	if (rc < 0)
		memset(u, 0, sizeof(*u));
	return rc;
}

/* 0 found, 1 not found, -1 with *stage and why. */
int
cm_ad_find_user(struct cm_ad_conn *c, const char *principal, struct cm_ad_user *u,
    enum cm_ad_stage *stage, char *why, size_t whylen)
{
	static char *attrs[] = { "sAMAccountName", "userPrincipalName", "mail", "cn", "givenName",
		"sn", "userAccountControl", NULL };
	char filter[2048], diag[512];
	struct berval cookie = { 0, NULL };
	struct timeval tv;
	int found = 0, rc = -1;

	memset(u, 0, sizeof(*u));
	*stage = CM_AD_SEARCH;
	if (cm_ad_user_filter(principal, filter, sizeof(filter), why, whylen) < 0) {
		*stage = CM_AD_CONFIG;
		return -1;
	}
	tv.tv_sec = c->timeout_ms / 1000;
	tv.tv_usec = (c->timeout_ms % 1000) * 1000;
	/* Paged although one entry is expected: AD caps unpaged searches, and a
	 * filter that matched more must still end. */
	for (;;) {
		LDAPControl *page = NULL, *ctrls[2] = { NULL, NULL }, **sctrls = NULL;
		LDAPMessage *res = NULL, *m;
		ber_int_t count = 0;
		int r, err = LDAP_SUCCESS;
		char *dmsg = NULL;

		if (ldap_create_page_control(c->ld, AD_PAGE_SIZE, cookie.bv_val ? &cookie : NULL, 0, &page) !=
		    LDAP_SUCCESS) {
			snprintf(why, whylen, "cannot build the paged results control");
			goto out;
		}
		ctrls[0] = page;
		r = ldap_search_ext_s(c->ld, c->users_base_dn, LDAP_SCOPE_SUBTREE, filter, attrs, 0, ctrls,
		    NULL, &tv, 0, &res);
		ldap_control_free(page);
		if (res == NULL) {
			ld_diag(c->ld, diag, sizeof(diag));
			search_failure(c, r, c->users_base_dn, diag, stage, why, whylen);
			goto out;
		}
		for (m = ldap_first_message(c->ld, res); m; m = ldap_next_message(c->ld, m)) {
			/* Search references (AD's referrals to other partitions)
			 * are not chased: the user is in this domain or nowhere. */
			if (ldap_msgtype(m) != LDAP_RES_SEARCH_ENTRY)
				continue;
			if (++found == 1 && parse_entry(c->ld, m, u, why, whylen) < 0) {
				*stage = CM_AD_SEARCH;
				ldap_msgfree(res);
				goto out;
			}
		}
		if (ldap_parse_result(c->ld, res, &err, NULL, &dmsg, NULL, &sctrls, 0) != LDAP_SUCCESS)
			err = r;
		snprintf(diag, sizeof(diag), "%s", dmsg ? dmsg : "");
		if (dmsg)
			ldap_memfree(dmsg);
		if (err != LDAP_SUCCESS) {
			ldap_controls_free(sctrls);
			ldap_msgfree(res);
			search_failure(c, err, c->users_base_dn, diag, stage, why, whylen);
			goto out;
		}
		if (cookie.bv_val) {
			ber_memfree(cookie.bv_val);
			cookie.bv_val = NULL;
			cookie.bv_len = 0;
		}
		if (sctrls) {
			LDAPControl *pc = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, sctrls, NULL);
			if (pc && ldap_parse_pageresponse_control(c->ld, pc, &count, &cookie) != LDAP_SUCCESS) {
				cookie.bv_val = NULL;
				cookie.bv_len = 0;
			}
			ldap_controls_free(sctrls);
		}
		ldap_msgfree(res);
		if (found > 1 || cookie.bv_val == NULL || cookie.bv_len == 0)
			break;
	}
	if (found > 1) {
		*stage = CM_AD_AMBIGUOUS;
		memset(u, 0, sizeof(*u));
		snprintf(why, whylen, "%s: more than one entry under %s matches %s", c->uri,
		    c->users_base_dn, principal);
		goto out;
	}
	if (found == 0) {
		*stage = CM_AD_NOT_FOUND;
		snprintf(why, whylen, "%s: no user %s under %s", c->uri, principal, c->users_base_dn);
		rc = 1;
		goto out;
	}
	*stage = CM_AD_OK;
	rc = 0;
out:
	if (cookie.bv_val)
		ber_memfree(cookie.bv_val);
	return rc;
}

/* A base-scope read of dn: 0, or -1 with *stage and why. */
static int
read_base(struct cm_ad_conn *c, const char *dn, enum cm_ad_stage *stage, char *why, size_t whylen)
{
	static char *noattrs[] = { LDAP_NO_ATTRS, NULL };
	LDAPMessage *res = NULL;
	struct timeval tv;
	char diag[512];
	int r;

	tv.tv_sec = c->timeout_ms / 1000;
	tv.tv_usec = (c->timeout_ms % 1000) * 1000;
	r = ldap_search_ext_s(c->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)", noattrs, 0, NULL, NULL, &tv,
	    1, &res);
	if (r == LDAP_SUCCESS && res && ldap_count_entries(c->ld, res) == 1) {
		ldap_msgfree(res);
		return 0;
	}
	ld_diag(c->ld, diag, sizeof(diag));
	if (res)
		ldap_msgfree(res);
	/* An entry the bound account may not read looks the same as none. */
	search_failure(c, r == LDAP_SUCCESS ? LDAP_NO_SUCH_OBJECT : r, dn, diag, stage, why, whylen);
	return -1;
}

/* 0 (why: what was checked), or -1 with *stage and why. */
int
cm_ad_verify(const struct cm_ad_server *s, const char *probe_user, enum cm_ad_stage *stage,
    char *why, size_t whylen)
{
	struct cm_ad_conn *c = NULL;
	struct cm_ad_user u;
	char found[1400];
	int r, rc = -1;

	found[0] = '\0';
	if (cm_ad_connect(s, &c, stage, why, whylen) < 0)
		return -1;
	if (read_base(c, c->base_dn, stage, why, whylen) < 0)
		goto out;
	if (strcmp(c->users_base_dn, c->base_dn) != 0 && read_base(c, c->users_base_dn, stage, why, whylen) < 0)
		goto out;
	if (probe_user && probe_user[0]) {
		r = cm_ad_find_user(c, probe_user, &u, stage, why, whylen);
		if (r != 0)
			goto out;
		snprintf(found, sizeof(found), "; user %s found: %s%s", probe_user, u.dn,
		    u.disabled ? " (disabled)" : "");
	}
	*stage = CM_AD_OK;
	snprintf(why, whylen, "connected to %s, bound as %s, base DN %s readable%s%s%s", c->uri,
	    c->bound_as, c->base_dn, strcmp(c->users_base_dn, c->base_dn) ? ", users base DN " : "",
	    strcmp(c->users_base_dn, c->base_dn) ? c->users_base_dn : "", found);
	rc = 0;
out:
	cm_ad_close(c);
	return rc;
}
