/* scep_model.h: the admin portal's SCEP section: its handlers, the profiles a SCEP type may issue under, and the customer's SCEP settings as the pages read them. */
#ifndef CM_ADMIN_SCEP_MODEL_H
#define CM_ADMIN_SCEP_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "admin_ctx.h"

/* The <type> segment of /customer/<uri>/scep/<type>/pkiclient.exe: 1..32
 * of [a-z0-9-] (scep_types.scep_type is VARCHAR(32)). */
#define SCEP_TYPE_MAX 32
/* Types one customer may have; the settings page lists them all. */
#define SCEP_TYPES_MAX 32
/* The type every customer serves first (devices migrating from the hosted
 * service use it) and its profile. */
#define SCEP_DEFAULT_TYPE "smime"
#define SCEP_DEFAULT_PROFILE "client-smime"
/* The profile of device types: clientAuth only, the device named by its CN. */
#define SCEP_DEVICE_PROFILE "client-device"
/* Where the section lives. */
#define SCEP_PAGE "/admin/scep"
#define SCEP_SETTINGS_PAGE "/admin/scep/settings"

/* A signer profile a SCEP type may issue under: the client profiles signerd
 * knows. One table (scep_model.c), never free text. */
struct scep_profile {
	const char *profile;      /* as scep_types.profile and signerd.conf name it */
	const char *label;        /* for people */
};
extern const struct scep_profile scep_profiles[];
extern const size_t scep_nprofiles;
/* The entry of profile p, or NULL. */
const struct scep_profile *scep_profile_find(const char *p);

/* NULL when t is a valid type segment, else a message for the form. */
const char *scep_type_problem(const char *t);

/* One scep_types row. */
struct scep_type_row {
	char type[SCEP_TYPE_MAX + 1];
	char profile[65];
	int enabled;
};

/* customers.scep_enabled of the administrator's customer (locked FOR UPDATE
 * when lock, in the caller's transaction) into *on. 0, or -1 (logged). */
int scep_enabled_load(struct admin_ctx *c, int lock, int *on);
/* The customer's scep_types rows ordered by type, at most max; the count,
 * or -1 on a database error (logged). */
long scep_types_load(struct admin_ctx *c, struct scep_type_row *rows, size_t max);
/* The enrollment URL of type: "<base>/customer/<uri>/scep/<type>/pkiclient.exe",
 * base being [scep] base_url, else [web] base_url (cm_settings_scep_base_url),
 * else http:// and the request's Host. 0, or -1
 * when it does not fit out. */
int scep_type_url(struct admin_ctx *c, const char *type, char *out, size_t outlen);
/* The audit row of a SCEP setting change (object customer or scep_type,
 * named by text), in the caller's transaction. 0 or -1. */
int scep_audit(struct admin_ctx *c, const char *action, const char *object_type, const char *object_id,
    const char *before, const char *after);
/* Answers 403 unless the administrator may use the SCEP section at all
 * (policy: admin_may_see_scep); 1 may go on, 0 answered. */
int scep_section_allowed(struct admin_ctx *c);

/* scep_pending.c: how many SCEP requests in the administrator's scope wait
 * for approval (the count the overview and the list's heading show), or -1
 * on a database error (logged). */
long scep_pending_count(struct admin_ctx *c);

/* scep_page.c: the section's overview (status, URLs, self-enrollment table,
 * pending count) and an organisation's client_revoke_superseded. */
void admin_scep_overview(struct admin_ctx *c);
void admin_scep_revoke_superseded(struct admin_ctx *c);
/* scep_settings.c: the MRAO's SCEP settings: on/off (off confirmed), types
 * (add, enable, disable confirmed). */
void admin_scep_settings(struct admin_ctx *c);
void admin_scep_settings_save(struct admin_ctx *c);
void admin_scep_off_confirm(struct admin_ctx *c);
void admin_scep_off(struct admin_ctx *c);
void admin_scep_type_add(struct admin_ctx *c);
void admin_scep_type_enable(struct admin_ctx *c);
void admin_scep_type_disable_confirm(struct admin_ctx *c);
void admin_scep_type_disable(struct admin_ctx *c);
/* scep_pending.c: SCEP requests waiting for approval. */
void admin_scep_pending(struct admin_ctx *c);
/* scep_mobileconfig.c: the Apple configuration profile form and download. */
void admin_scep_mobileconfig_form(struct admin_ctx *c);
void admin_scep_mobileconfig(struct admin_ctx *c);

#endif
