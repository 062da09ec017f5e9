/* kerberos_realms.h: a customer's Kerberos realms (table kerberos_realms): load, save with the uploaded keytab, re-check, delete; each change audited and written out as files (realm_config.h). The portal and the CLI both call these. */
#ifndef CM_KERBEROS_REALMS_H
#define CM_KERBEROS_REALMS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"
#include "keytab.h"
#include "settings.h"

struct cm_realm {
	int64_t id, customer_id;
	char domain[254];                 /* lower case */
	char realm[254];                  /* its upper case */
	char spn[513];
	char keytab_file[256];            /* "" when none */
	char keytab_sha256[65];
	char principals[CM_KEYTAB_PRINCIPALS_MAX + 1];
	char problem[CM_KEYTAB_PROBLEM_MAX + 1];   /* "" = the keytab is good */
	char checked_at[32], updated_at[32];       /* "YYYY-MM-DD HH:MM:SS" UTC, "" when never */
};

/* Who makes a change: the audit row's actor and address (NULL: none). */
struct cm_realm_actor {
	const char *actor;
	const char *remote_addr;
};

/* Live realm id of customer_id (FOR UPDATE when lock, inside the caller's
 * transaction). 1 found, 0 not, -1 database (logged). */
int cm_realm_load(struct cm_db *db, int64_t customer_id, int64_t id, int lock, struct cm_realm *r);
/* The same by its (normalised) domain. */
int cm_realm_by_domain(struct cm_db *db, int64_t customer_id, const char *domain, int lock, struct cm_realm *r);

/* The audit JSON of r (no key material: the keytab's hash, principals and
 * problem only). 0 or -1. */
int cm_realm_json(const struct cm_realm *r, struct cm_buf *b);

/*
 * Saves r (r->id 0: a new realm of r->customer_id; else an update of that
 * live row) with domain, realm and spn already checked
 * (cm_realm_domain_check, cm_realm_spn_check), and keytab bytes kt
 * (NULL: keep the stored keytab; required for a new realm). The keytab is
 * checked against spn, stored as realm-<id>.keytab and its check recorded,
 * the row and its audit row (kerberos_realm.create / .update) committed
 * together; then the customer's files are rewritten (cm_realm_config_apply).
 * 0 saved (r filled as stored; when writing the files failed, warn says
 * why); 1 refused with *field ("domain" taken, "keytab" unreadable or
 * missing) and why for the person; -1 error with why (logged).
 */
int cm_realm_save(struct cm_db *db, const struct cm_settings *st, const struct cm_realm_actor *who,
    struct cm_realm *r, const unsigned char *kt, size_t ktlen, const char **field, char *why, size_t whylen,
    char *warn, size_t warnlen);

/*
 * Re-checks realm id's stored keytab file (missing: the problem says so),
 * records the result (audited as kerberos_realm.check when it changed).
 * Does not rewrite the files. 0 good; 1 with a problem (r->problem);
 * 2 not found; -1 error with why.
 */
int cm_realm_recheck(struct cm_db *db, const struct cm_settings *st, const struct cm_realm_actor *who,
    int64_t customer_id, int64_t id, struct cm_realm *r, char *why, size_t whylen);

/*
 * Marks realm id deleted (kerberos_realm.delete audited), removes its
 * keytab and rewrites the customer's files. 0 done (warn as in
 * cm_realm_save); 1 not found; -1 error with why.
 */
int cm_realm_delete(struct cm_db *db, const struct cm_settings *st, const struct cm_realm_actor *who,
    int64_t customer_id, int64_t id, char *why, size_t whylen, char *warn, size_t warnlen);

#endif
