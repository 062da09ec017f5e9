/* ad_lookup.h: certmint's Active Directory client: load a server row, connect (StartTLS, simple or SASL GSSAPI bind), find a user, verify a server. */
#ifndef CM_AD_LOOKUP_H
#define CM_AD_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "settings.h"

/* Where a lookup stopped; the portal's Verify button and autoenroll.fcgi's
 * log name the stage (cm_ad_stage_name). */
enum cm_ad_stage { CM_AD_OK = 0, CM_AD_CONFIG, CM_AD_DNS, CM_AD_TCP, CM_AD_TLS, CM_AD_BIND,
	CM_AD_BASE_DN, CM_AD_SEARCH, CM_AD_NOT_FOUND, CM_AD_AMBIGUOUS };
/* "ok", "config", "dns", "tcp", "tls", "bind", "base_dn", "search",
 * "not_found", "ambiguous"; "unknown" for anything else. */
const char *cm_ad_stage_name(enum cm_ad_stage s);

struct cm_ad_server {            /* one ad_servers row made ready to use (cm_ad_server_load) */
	int64_t id, customer_id;
	char name[256], domain[254], realm[254];   /* realm = upper-case domain */
	char uris[1025], base_dn[1025], users_base_dn[1025];   /* users_base_dn "" = base_dn */
	int starttls;
	char *ca_pem;                /* NULL: the system trust store */
	int simple_bind;             /* 0: SASL GSSAPI with keytab_path */
	char bind_dn[1025];
	char *bind_password;         /* simple: unsealed (wiped by cm_ad_server_free) */
	char keytab_path[4096];      /* gssapi: <keytab_dir>/realm-<id>.keytab of the customer's
	                                live realm whose windows_domain = domain; "" when none */
	int timeout_ms;              /* per network step, default 5000 */
};

/* The aad that ties a sealed bind password to its customer's rows
 * ("ad_servers.bind_password:<customer_id>"); out holds 64 bytes. */
#define CM_AD_AAD_MAX 64
void cm_ad_password_aad(int64_t customer_id, char out[CM_AD_AAD_MAX]);

/* Loads ad_servers row id of customer_id (live), unseals the password with settings'
 * ldap_bind_key, finds the realm keytab. 0; 1 not found; -1 error with why. */
int cm_ad_server_load(struct cm_db *db, const struct cm_settings *st, int64_t customer_id,
	int64_t id, struct cm_ad_server *out, char *why, size_t whylen);
/* The customer's default server's id (0 when none); -1 on a DB error. */
int64_t cm_ad_default_server(struct cm_db *db, int64_t customer_id);
/* Wipes the password and frees what cm_ad_server_load allocated; the struct
 * may be loaded again. NULL is fine. */
void cm_ad_server_free(struct cm_ad_server *s);

struct cm_ad_user {
	char dn[1025], sam[257], upn[257], mail[257], cn[257], given_name[129], sn[129];
	int disabled;                /* userAccountControl has ACCOUNTDISABLE (0x2) */
};

struct cm_ad_conn;
/* Connects to the first URI that answers, does StartTLS when asked (verifying with ca_pem),
 * binds. 0, or -1 with *stage (dns/tcp/tls/bind/config) and why (no secrets). */
int cm_ad_connect(const struct cm_ad_server *s, struct cm_ad_conn **out, enum cm_ad_stage *stage,
	char *why, size_t whylen);
/* Finds the user by sAMAccountName (principal "alice" or "alice@REALM": the part before '@')
 * or userPrincipalName (the whole principal), under users_base_dn (else base_dn), subtree,
 * paged, referrals not chased, attributes dn, sAMAccountName, userPrincipalName, mail, cn,
 * givenName, sn, userAccountControl. 0 found (u filled), 1 not found, -1 error (*stage, why). */
int cm_ad_find_user(struct cm_ad_conn *c, const char *principal, struct cm_ad_user *u,
	enum cm_ad_stage *stage, char *why, size_t whylen);
/* Connect + bind + a base-scope read of base_dn (and users_base_dn) + optionally find
 * probe_user: what the portal's Verify button says. 0 all good (why then says what was
 * checked), -1 with stage and why. A probe user that is not there is stage not_found. */
int cm_ad_verify(const struct cm_ad_server *s, const char *probe_user, enum cm_ad_stage *stage,
	char *why, size_t whylen);
/* The URI the connection answered on and how it bound ("gssapi as svc@REALM",
 * "simple as CN=..."), for messages. */
const char *cm_ad_conn_uri(const struct cm_ad_conn *c);
const char *cm_ad_conn_bound_as(const struct cm_ad_conn *c);
/* Whether a connection kept between searches (autoenroll.fcgi keeps one per
 * worker and server) may be used again: 1, or 0 when the server closed it
 * or sent something unasked (a Notice of Disconnection): nothing is read
 * or waited for. A search on a connection that looked usable can still
 * fail; the caller then connects again once. */
int cm_ad_conn_usable(struct cm_ad_conn *c);
void cm_ad_close(struct cm_ad_conn *c);

/*
 * The network-free parts, exposed for the unit tests and fuzz target
 * (lib/ad_entry.c).
 */
#define CM_AD_PRINCIPAL_MAX 256
/* RFC 4515 escaping of an assertion value: '*', '(', ')', '\\', NUL and every
 * byte outside printable ASCII become \XX. 0, or -1 when out (outlen bytes)
 * is too small. */
int cm_ad_filter_escape(const char *in, size_t inlen, char *out, size_t outlen);
/* The search filter for principal: person objects whose sAMAccountName is the
 * part before the first '@' or whose userPrincipalName is the whole principal.
 * 0, or -1 with why (empty, too long, a control character). */
int cm_ad_user_filter(const char *principal, char *out, size_t outlen, char *why, size_t whylen);

/* One attribute value as the directory returned it (bytes, not terminated). */
struct cm_ad_value {
	const char *p;
	size_t len;
};
/* Starts an entry: clears u and sets its DN. 0, or -1 with why (too long, NUL). */
int cm_ad_entry_begin(struct cm_ad_user *u, const char *dn, size_t dnlen, char *why, size_t whylen);
/* Adds one attribute of the entry (name compared without case; attributes
 * certmint does not read are ignored). A value that does not fit its field,
 * holds NUL or control bytes, a second value of a single-valued attribute, or
 * a userAccountControl that is not a 32-bit decimal is an error: -1 with why;
 * else 0. */
int cm_ad_entry_attr(struct cm_ad_user *u, const char *name, const struct cm_ad_value *v,
	size_t n, char *why, size_t whylen);

#endif
