/* ad_server_model.h: a customer's Active Directory servers: the form, loading, audit JSON, and an organisation's binding to one. */
#ifndef CM_ADMIN_AD_SERVER_MODEL_H
#define CM_ADMIN_AD_SERVER_MODEL_H

#include <stdint.h>

#include "ad_server_ca.h"
#include "ad_server_check.h"
#include "admin_ctx.h"
#include "buf.h"
#include "secret_box.h"

enum ad_bind_method { AD_BIND_GSSAPI = 0, AD_BIND_SIMPLE = 1 };

struct ad_server_row {
	int64_t id;
	char name[AD_NAME_MAX + 1];
	char domain[254];                 /* lower case; the Kerberos realm is its upper case */
	char ldap_uris[AD_URIS_MAX + 1];  /* one space between URIs */
	char base_dn[AD_BASE_DN_MAX + 1];
	char users_base_dn[AD_BASE_DN_MAX + 1];   /* "" = base_dn */
	int starttls;
	int is_default;
	enum ad_bind_method bind_method;
	char bind_dn[AD_BASE_DN_MAX + 1];  /* simple bind only */
	int has_password;                 /* a sealed password is stored (never the value) */
	char ca_pem[AD_CA_MAX_BYTES + 1];  /* "" = the system's trust store */
	char updated_at[32];
};

/* What the form asks of the stored password and CA, beyond the row. */
struct ad_server_form_extra {
	char password[CM_SECRET_MAX + 1]; /* typed now; "" = keep (wiped by ad_server_form_wipe) */
	int ca_set;                       /* the form gave a new CA (pasted or uploaded) */
	int ca_remove;                    /* "remove CA" was chosen */
	int make_default;                 /* "set as default" was ticked */
};

/* Answers 403 (or 500) unless the policy lets the administrator manage the
 * customer's AD servers; 1 allowed, 0 answered. */
int ad_server_may_manage(struct admin_ctx *c);

/* A server's fields as typed (form) or read (CSV import); none NULL. */
struct ad_server_fields {
	const char *name, *domain, *ldap_uris, *base_dn, *users_base_dn, *bind_method, *bind_dn;
};

/*
 * Checks and normalises in into s (name, domain, ldap_uris, base_dn,
 * users_base_dn, bind_method, bind_dn), with the same rules for the form
 * and the CSV import; calls err(arg, field, message) per problem. The count.
 */
int ad_server_fields_check(const struct ad_server_fields *in, struct ad_server_row *s,
    void (*err)(void *arg, const char *field, const char *msg), void *arg);

/*
 * Reads the form into s (checked and normalised), putting what was typed
 * under Form.* (never the password) and messages under Errors.<field>;
 * stored is the row being edited (NULL for a new one): its CA and password
 * are kept unless the form replaces them. The error count.
 */
int ad_server_from_form(struct admin_ctx *c, struct ad_server_row *s, const struct ad_server_row *stored,
    struct ad_server_form_extra *x);

/* Wipes the typed password. */
void ad_server_form_wipe(struct ad_server_form_extra *x);

/*
 * The checks every way in shares (form and CSV import) on top of the field
 * rules: a simple bind needs TLS on every URI (the password never travels
 * in clear). Calls
 * err(arg, field, message) per problem; the count.
 */
int ad_server_rules(const struct ad_server_row *s,
    void (*err)(void *arg, const char *field, const char *msg), void *arg);

/* Seals password for the customer's row into out (*outlen bytes, at most
 * CM_SECRET_SEALED_MAX); 0, or -1 (no key configured, or a crypto error;
 * why says which, without the password). */
int ad_server_seal(struct admin_ctx *c, const char *password, unsigned char *out, size_t *outlen,
    char *why, size_t whylen);

/*
 * Stores a new row (in the caller's transaction): s's fields, the sealed
 * password (NULL/0: none), and the default (s->is_default: the customer's
 * default moves to it; the customer's first server becomes default
 * whatever s says: s->is_default is updated). The new id, or -1.
 */
int64_t ad_server_insert(struct admin_ctx *c, struct ad_server_row *s, const unsigned char *sealed,
    size_t sealedlen);

/*
 * Makes id the customer's default, in the caller's transaction: the
 * previous default (locked) loses it, with its own audit row. 0 or -1.
 */
int ad_server_make_default(struct admin_ctx *c, int64_t id);

/* The number of the customer's live servers (with a lock when lock); -1 database. */
long ad_server_live_count(struct admin_ctx *c, int lock);

/* The customer's live Kerberos realm whose windows_domain is domain, as
 * Realm.{id,realm,spn,problem} (nothing when there is none). 1 found, 0 none, -1 database. */
int ad_server_render_realm(struct admin_ctx *c, const char *domain);

/* Renders a server's page (s->id 0: the new-server form) with status;
 * Form.*, Errors.* and Verify.* may be set already (ad_server_edit.c). */
void ad_server_page(struct admin_ctx *c, const struct ad_server_row *s, int status);
/* Form.* from a stored row (the page as stored). */
void ad_server_form_from_row(struct admin_ctx *c, const struct ad_server_row *s);

/* "ldaps", "StartTLS" or "none": how s's URIs are protected (every URI must be for the first two). */
const char *ad_server_tls_label(const char *uris, int starttls);

/* Loads live server id of the administrator's customer (FOR UPDATE when
 * lock, inside the caller's transaction). 1 found, 0 not, -1 database. */
int ad_server_load(struct admin_ctx *c, int64_t id, int lock, struct ad_server_row *s);

/* Whether another live server of the customer is called name (self_id: the
 * row being edited, 0 for a new one). 1 yes, 0 no, -1 database. */
int ad_server_name_taken(struct admin_ctx *c, const char *name, int64_t self_id);

/* The audit JSON of s; 0 or -1. */
int ad_server_json(const struct ad_server_row *s, struct cm_buf *b);

/* The live organisations bound to server id, as Orgs.N.{id,name} (at most
 * 100, then Bound.more) and, when names is not NULL, the first names joined
 * by ", " there (cut after about 690 bytes, then ", ..."); with lock, a
 * locking read inside the caller's transaction.
 * The count (up to 101), or -1 (database). */
long ad_server_bound_orgs(struct admin_ctx *c, int64_t id, int lock, struct cm_buf *names);

/* An organisation form's "ad_server" value: "" = none (0), a positive id,
 * or -1 when it is neither. */
int64_t ad_server_form_id(const char *v);

/* Whether id is a live server of the administrator's customer, so an
 * organisation may be bound to it (a shared lock when lock, inside the
 * caller's transaction). 1 yes, 0 no, -1 database. */
int ad_server_usable(struct admin_ctx *c, int64_t id, int lock);

/*
 * For an organisation page: Can.view_ad / Can.bind_ad, the bound server
 * (Org.ad_server.{id,name,domain}) when view, and when bind the choices
 * (AdServers.N.{id,name,domain,selected}) with selected_id chosen. 0 or -1.
 */
int ad_server_render_binding(struct admin_ctx *c, int64_t selected_id, int view, int bind);

#endif
