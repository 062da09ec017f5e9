/* ad_server_model.h: a customer's Active Directory servers: the form, loading, audit JSON, and an organisation's binding to one. */
#ifndef CM_ADMIN_AD_SERVER_MODEL_H
#define CM_ADMIN_AD_SERVER_MODEL_H

#include <stdint.h>

#include "ad_server_check.h"
#include "admin_ctx.h"
#include "buf.h"

struct ad_server_row {
	int64_t id;
	char name[AD_NAME_MAX + 1];
	char domain[254];                 /* lower case; the Kerberos realm is its upper case */
	char ldap_uris[AD_URIS_MAX + 1];  /* one space between URIs */
	char base_dn[AD_BASE_DN_MAX + 1];
	int starttls;
	char updated_at[32];
};

/* Answers 403 (or 500) unless the policy lets the administrator manage the
 * customer's AD servers; 1 allowed, 0 answered. */
int ad_server_may_manage(struct admin_ctx *c);

/* Reads the form into s (checked and normalised), putting what was typed
 * under Form.* and messages under Errors.<field>; the error count. */
int ad_server_from_form(struct admin_ctx *c, struct ad_server_row *s);

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
