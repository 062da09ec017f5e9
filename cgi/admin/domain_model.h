/* domain_model.h: domains of a customer: name rules, loading, JSON for the audit log, and the scope checks asked of the policy. */
#ifndef CM_ADMIN_DOMAIN_MODEL_H
#define CM_ADMIN_DOMAIN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "admin_ctx.h"
#include "buf.h"

#define DOMAIN_NAME_MAX 253

struct domain_row {
	int64_t id;
	int64_t customer_id;
	char name[DOMAIN_NAME_MAX + 1];
	char state[16];           /* none, pending, validated, expired */
	char method[16];          /* email, http, cname, manual or "" */
	char validated_at[32];    /* "YYYY-MM-DD HH:MM:SS" or "" */
	char created_at[32];
};

/* Normalises a typed DNS name or "*.name" into out (lower case, one trailing
 * dot dropped). NULL when it is acceptable, else a message for the person. */
const char *domain_name_normalise(const char *in, char *out, size_t outlen);

/* Loads domain id of the administrator's customer (not deleted); with
 * lock, FOR UPDATE inside the caller's transaction. 1 found, 0 not, -1 database. */
int domain_load(struct admin_ctx *c, int64_t id, int lock, struct domain_row *d);

/* The audit JSON of d ({"name":..,"validation_state":..,...}); 0 or -1. */
int domain_json(const struct domain_row *d, struct cm_buf *b);

/* Writes the audit row of action on d in the caller's transaction; 0 or -1. */
int domain_audit(struct admin_ctx *c, const char *action, int64_t id, const char *before,
    const char *after);

/* Whether the administrator may see domain id: an MRAO every domain of its
 * customer, others a domain with a delegation the policy lets them view.
 * 1 allowed, 0 denied, -1 database error. */
int domain_may_view(struct admin_ctx *c, int64_t domain_id);

/* Loads c->id into d when the administrator may see it, else answers 404
 * (or 500); 1 ready, 0 an error page was sent. */
int domain_load_visible(struct admin_ctx *c, struct domain_row *d);

/* Whether the administrator may (un)delegate domain_id to org_id / dept_id
 * (0: the whole organisation) for cert_type: the policy's
 * ACTION_DELEGATE_DOMAIN, and for a delegated administrator only to a
 * department and only what the MRAO delegated to its organisation for that
 * type. 1 allowed, 0 denied, -1 database error. */
int domain_may_delegate(struct admin_ctx *c, int64_t domain_id, int64_t org_id, int64_t dept_id,
    const char *cert_type);

/* Renders the domain's detail page (delegations, forms) with status; the
 * caller may have set Form.* and Errors.* already. */
void domain_show(struct admin_ctx *c, const struct domain_row *d, int status);


#endif
