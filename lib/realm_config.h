/* realm_config.h: the files a customer's Kerberos realms become (realm and customer keytabs, Apache's autoenroll Location file, .reload) and the checks of a realm's fields. */
#ifndef CM_REALM_CONFIG_H
#define CM_REALM_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "settings.h"

/* The group that may read keytabs (Apache, autoenroll.fcgi); files get it when it exists. */
#define CM_KEYTAB_GROUP "certmint-keytab"
#define CM_REALM_DOMAIN_MAX 253
#define CM_REALM_SPN_MAX 512

/*
 * Normalises a Windows (AD DNS) domain into domain (lower case, no trailing
 * dot, letters, digits, '-' and '.', labels of 1..63, at least two) and its
 * realm (upper case). NULL when good, else a sentence for the person.
 */
const char *cm_realm_domain_check(const char *in, char *domain, size_t dlen, char *realm, size_t rlen);

/*
 * Checks an SPN "HTTP/<host>@<REALM>": service HTTP, a DNS host name,
 * realm equal to realm (when not NULL). NULL when good, else a sentence.
 */
const char *cm_realm_spn_check(const char *spn, const char *realm);

/* realm-<id>.keytab, the name under keytab_dir (kerberos_realms.keytab_file). */
void cm_realm_keytab_name(int64_t realm_id, char *out, size_t outlen);

/*
 * Stores an uploaded keytab as <keytab_dir>/realm-<id>.keytab (temporary
 * file, fsync, rename; 0640, group CM_KEYTAB_GROUP when it exists).
 * 0, or -1 with why.
 */
int cm_realm_keytab_store(const struct cm_settings *st, int64_t realm_id, const unsigned char *data,
    size_t len, char *why, size_t whylen);

/*
 * Reads <keytab_dir>/realm-<id>.keytab (at most CM_KEYTAB_MAX) into *out
 * (malloc'd; wipe and free it). 0; 1 missing; -1 unreadable, with why.
 */
int cm_realm_keytab_read(const struct cm_settings *st, int64_t realm_id, unsigned char **out, size_t *len,
    char *why, size_t whylen);

/* Removes <keytab_dir>/realm-<id>.keytab (gone already is fine). 0 / -1 with why. */
int cm_realm_keytab_remove(const struct cm_settings *st, int64_t realm_id, char *why, size_t whylen);

/*
 * The Location file's text for customer uri (name: shown in its comment)
 * whose merged keytab is keytab_path, into out. 0, or -1 with why when a
 * value holds characters Apache would misread (the uri must be
 * [A-Za-z0-9._-]; the path no quote, backslash, '$', '%' or control
 * character; the name is made safe, not refused).
 */
int cm_realm_location_text(const char *uri, const char *name, const char *keytab_path, char *out,
    size_t outlen, char *why, size_t whylen);

/*
 * Writes the customer's merged keytab and Apache Location file (or removes
 * both when the customer has no live realm), then touches .reload.
 * A realm keytab that is missing or unreadable is left out of the merge
 * (the realm's check shows it). 0 / -1 with why.
 */
int cm_realm_config_apply(struct cm_db *db, const struct cm_settings *st, int64_t customer_id,
    char *why, size_t whylen);

/*
 * What the Apache reloader last wrote to <apache_conf_dir>/.reload-status:
 * 0 nothing yet; 1 "ok" at *when; 2 "failed" at *when with the first error
 * line in msg. -1 unreadable. A .reload newer than the status means a
 * reload is pending: *pending = 1.
 */
int cm_realm_reload_status(const struct cm_settings *st, long long *when, char *msg, size_t msglen,
    int *pending);

#endif
