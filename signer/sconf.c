/* sconf.c: reads signerd.conf into struct cm_sconf (with its [namespaces] and CA lifetime limits) and answers ACL questions. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conffile.h"
#include "log.h"
#include "name_rules.h"
#include "signer_proto.h"
#include "sconf.h"
#include "issue.h"

static const struct cm_conf_field sconf_fields[] = {
	{ "signer", "socket", CM_CONF_STR, offsetof(struct cm_sconf, socket), 0, 0 },
	{ "signer", "socket_mode", CM_CONF_STR, offsetof(struct cm_sconf, socket_mode_str), 0, 0 },
	{ "signer", "socket_group", CM_CONF_STR, offsetof(struct cm_sconf, socket_group), 0, 0 },
	{ "signer", "user", CM_CONF_STR, offsetof(struct cm_sconf, user), 0, 0 },
	{ "signer", "vault", CM_CONF_STR, offsetof(struct cm_sconf, vault), 0, 0 },
	{ "signer", "vault_key_file", CM_CONF_STR, offsetof(struct cm_sconf, vault_key_file), 0, 0 },
	{ "signer", "journal", CM_CONF_STR, offsetof(struct cm_sconf, journal), 0, 0 },
	{ "signer", "profiles_file", CM_CONF_STR, offsetof(struct cm_sconf, profiles_file), 0, 0 },
	{ "signer", "max_connections", CM_CONF_INT, offsetof(struct cm_sconf, max_connections), 1, 4096 },
	{ "signer", "max_connections_per_uid", CM_CONF_INT, offsetof(struct cm_sconf, max_connections_per_uid), 1, 4096 },
	{ "signer", "read_timeout_ms", CM_CONF_INT, offsetof(struct cm_sconf, read_timeout_ms), 100, 3600000 },
	{ "signer", "log_level", CM_CONF_STR, offsetof(struct cm_sconf, log_level), 0, 0 },
	{ "signer", "public_suffix_list", CM_CONF_STR, offsetof(struct cm_sconf, public_suffix_list), 0, 0 },
	{ "signer", "allow_loopback_ip", CM_CONF_BOOL, offsetof(struct cm_sconf, allow_loopback_ip), 0, 0 },
	{ "signer", "max_root_days", CM_CONF_INT, offsetof(struct cm_sconf, max_root_days), 1, 36500 },
	{ "signer", "max_issuing_days", CM_CONF_INT, offsetof(struct cm_sconf, max_issuing_days), 1, 36500 },
	{ "signer", "namespaces", CM_CONF_BOOL, offsetof(struct cm_sconf, namespaces_on), 0, 0 },
	{ "publish", "base_url", CM_CONF_STR, offsetof(struct cm_sconf, publish_base_url), 0, 0 },
	{ "ocsp", "key_type", CM_CONF_STR, offsetof(struct cm_sconf, ocsp_key_type), 0, 0 },
	{ "ocsp", "validity_hours", CM_CONF_INT, offsetof(struct cm_sconf, ocsp_validity_hours), 1, 240 },
	{ "ocsp", "cert_days", CM_CONF_INT, offsetof(struct cm_sconf, ocsp_cert_days), 1, 90 },
	{ "ocsp", "rotate_days", CM_CONF_INT, offsetof(struct cm_sconf, ocsp_rotate_days), 1, 89 },
	{ "ocsp", "check_issued", CM_CONF_BOOL, offsetof(struct cm_sconf, ocsp_check_issued), 0, 0 },
	{ "scep", "ra_cert_days", CM_CONF_INT, offsetof(struct cm_sconf, scep_ra_cert_days), 1, 825 },
	{ "scep", "ra_rotate_days", CM_CONF_INT, offsetof(struct cm_sconf, scep_ra_rotate_days), 1, 824 },
	{ "scep", "check_issued", CM_CONF_BOOL, offsetof(struct cm_sconf, scep_check_issued), 0, 0 },
	{ NULL, NULL, 0, 0, 0, 0 }
};

/* Resolves a user name or a numeric uid: 0, or -1 when unknown. */
static int
resolve_uid(const char *name, uid_t *uid)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(name, &end, 10);
	if (*name && *end == '\0' && errno == 0 && v < (unsigned long)UINT_MAX) {
		*uid = (uid_t)v;
		return 0;
	}
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return -1;
	*uid = pw.pw_uid;
	return 0;
}

/* The profile list after "issue:" ("a,b,c") into e: 0, or -1 with err. */
static int
access_profiles(struct cm_acl_entry *e, const char *list, char *err, size_t errlen)
{
	if (*list == '\0') {
		snprintf(err, errlen, "'issue:' needs at least one profile name");
		return -1;
	}
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		if (n == 0 || n >= CM_SIGNER_ACL_PROFILE_LEN) {
			snprintf(err, errlen, "empty or over-long profile name in 'issue:%.64s'", list);
			return -1;
		}
		int dup = 0;
		for (size_t i = 0; i < e->nprofiles; i++)
			if (strlen(e->profiles[i]) == n && strncmp(e->profiles[i], p, n) == 0)
				dup = 1;
		if (!dup) {
			if (e->nprofiles == CM_SIGNER_MAX_ACL_PROFILES) {
				snprintf(err, errlen, "more than %d profiles after 'issue:'", CM_SIGNER_MAX_ACL_PROFILES);
				return -1;
			}
			memcpy(e->profiles[e->nprofiles], p, n);
			e->profiles[e->nprofiles][n] = '\0';
			e->nprofiles++;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

_Static_assert(OP__MAX <= 32, "struct cm_acl_entry.ops has one bit per op");

/* One operation word into e: 0, or -1 with err. */
static int
access_op(struct cm_acl_entry *e, const char *word, char *err, size_t errlen)
{
	if (strncmp(word, "issue:", 6) == 0) {
		e->ops |= 1u << OP_ISSUE;
		return access_profiles(e, word + 6, err, errlen);
	}
	unsigned op = cm_op_parse(word);
	if (op == 0) {
		snprintf(err, errlen, "unknown operation '%s' (known: ca-init ca-import ca-chain issue issue:PROFILE,... audit-checkpoint crl-sign ocsp-sign scep-decrypt scep-certrep)", word);
		return -1;
	}
	/* Granting a reserved op would read as if the signer could do it. */
	if (!cm_op_served(op)) {
		snprintf(err, errlen, "operation '%s' is reserved for a later version and not yet served", word);
		return -1;
	}
	e->ops |= 1u << op;
	if (op == OP_ISSUE)
		e->issue_any = 1;
	return 0;
}

/*
 * An [access] line "user = op op op": 0, or -1 with err. Operations are
 * separated by blanks (or commas); "issue:p1,p2" limits issue to profiles.
 */
static int
access_line(struct cm_sconf *c, const char *key, const char *value, char *err, size_t errlen)
{
	uid_t uid;
	struct cm_acl_entry *e;
	char word[1200];

	if (resolve_uid(key, &uid) < 0) {
		snprintf(err, errlen, "no such user '%s'", key);
		return -1;
	}
	for (size_t i = 0; i < c->nacl; i++)
		if (c->acl[i].uid == uid) {
			snprintf(err, errlen, "uid %u listed twice", (unsigned)uid);
			return -1;
		}
	if (c->nacl == CM_SIGNER_MAX_ACL) {
		snprintf(err, errlen, "more than %d [access] lines", CM_SIGNER_MAX_ACL);
		return -1;
	}
	e = &c->acl[c->nacl];
	memset(e, 0, sizeof(*e));
	e->uid = uid;
	for (const char *p = value; *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		/* "issue:" takes the comma list that follows; other words end at a comma. */
		size_t n = strncmp(p, "issue:", 6) == 0 ? strcspn(p, " \t") : strcspn(p, " \t,");
		if (n >= sizeof(word)) {
			snprintf(err, errlen, "operation list too long");
			return -1;
		}
		memcpy(word, p, n);
		word[n] = '\0';
		p += n;
		if (access_op(e, word, err, errlen) < 0)
			return -1;
	}
	if (e->issue_any)
		e->nprofiles = 0;
	c->nacl++;
	return 0;
}

static int
sconf_cb(void *ctx, const char *section, const char *key, const char *value,
    char *err, size_t errlen)
{
	struct cm_sconf *c = ctx;
	if (strcmp(section, "access") == 0)
		return access_line(c, key, value, err, errlen);
	if (strcmp(section, "namespaces") == 0)
		return cm_ns_add(&c->ns, key, value, err, errlen);
	return cm_conf_apply(sconf_fields, c, section, key, value, err, errlen);
}

static int
set_default(char **slot, const char *v)
{
	if (*slot)
		return 0;
	*slot = strdup(v);
	return *slot ? 0 : -1;
}

/* 0, or -1 with err. */
int
cm_sconf_load(struct cm_sconf *c, const char *path, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->max_connections = 64;
	c->max_connections_per_uid = 16;
	c->read_timeout_ms = 5000;
	c->max_root_days = 7305;
	c->max_issuing_days = 3653;
	c->namespaces_on = 1;
	c->ocsp_validity_hours = 24;
	c->ocsp_cert_days = 30;
	c->ocsp_rotate_days = 10;
	c->ocsp_check_issued = 1;
	c->scep_ra_cert_days = 365;
	c->scep_ra_rotate_days = 30;
	c->scep_check_issued = 1;
	if (cm_conf_parse_file(path, sconf_cb, c, err, errlen) < 0)
		return -1;
	if (set_default(&c->socket_mode_str, "0660") < 0 ||
	    set_default(&c->profiles_file, CM_SYSCONFDIR "/signer-profiles.conf") < 0 ||
	    set_default(&c->log_level, "info") < 0 ||
	    set_default(&c->public_suffix_list, CM_PSL_DEFAULT_PATH) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char *missing = !c->socket ? "socket" : !c->vault ? "vault" :
	    !c->vault_key_file ? "vault_key_file" : !c->journal ? "journal" : NULL;
	if (missing) {
		snprintf(err, errlen, "%s: [signer] %s is required", path, missing);
		return -1;
	}
	char *end;
	unsigned long mode = strtoul(c->socket_mode_str, &end, 8);
	if (*c->socket_mode_str == '\0' || *end != '\0' || mode > 0777) {
		snprintf(err, errlen, "%s: socket_mode '%s' is not an octal mode", path, c->socket_mode_str);
		return -1;
	}
	c->socket_mode = (unsigned)mode;
	/* Silence must not mean "any name": an operator says off, or lists them. */
	if (c->namespaces_on && cm_ns_empty(&c->ns)) {
		snprintf(err, errlen, "%s: [namespaces] lists no dns, email or ip entry: list the names this "
		    "installation may certify, or say 'namespaces = off' in [signer] to allow any name", path);
		return -1;
	}
	if (!c->namespaces_on && !cm_ns_empty(&c->ns)) {
		snprintf(err, errlen, "%s: 'namespaces = off' but [namespaces] lists entries: keep one of the two", path);
		return -1;
	}
	if (c->max_issuing_days > c->max_root_days) {
		snprintf(err, errlen, "%s: max_issuing_days (%ld) is above max_root_days (%ld)", path,
		    c->max_issuing_days, c->max_root_days);
		return -1;
	}
	char why[256];
	if (c->publish_base_url && !cm_publish_base_ok(c->publish_base_url, why, sizeof(why))) {
		snprintf(err, errlen, "%s: [publish] %s", path, why);
		return -1;
	}
	if (c->ocsp_key_type && strcmp(c->ocsp_key_type, "rsa2048") != 0 &&
	    strcmp(c->ocsp_key_type, "rsa3072") != 0 && strcmp(c->ocsp_key_type, "ecdsa-p256") != 0) {
		snprintf(err, errlen, "%s: [ocsp] key_type '%s' is not rsa2048, rsa3072 or ecdsa-p256", path,
		    c->ocsp_key_type);
		return -1;
	}
	/* Else a certificate would be due for renewal as soon as it is made. */
	if (c->ocsp_rotate_days >= c->ocsp_cert_days) {
		snprintf(err, errlen, "%s: [ocsp] rotate_days (%ld) must be below cert_days (%ld)", path,
		    c->ocsp_rotate_days, c->ocsp_cert_days);
		return -1;
	}
	if (c->scep_ra_rotate_days >= c->scep_ra_cert_days) {
		snprintf(err, errlen, "%s: [scep] ra_rotate_days (%ld) must be below ra_cert_days (%ld)", path,
		    c->scep_ra_rotate_days, c->scep_ra_cert_days);
		return -1;
	}
	if (cm_log_level_parse(c->log_level) < 0) {
		snprintf(err, errlen, "%s: log_level '%s' is not error|warn|info|debug", path, c->log_level);
		return -1;
	}
	return 0;
}

/* No return value. */
void
cm_sconf_free(struct cm_sconf *c)
{
	cm_conf_free_fields(sconf_fields, c);
}

/* 1 allowed / 0 not. */
int
cm_sconf_allowed(const struct cm_sconf *c, uid_t uid, unsigned op)
{
	if (op == 0 || op >= OP__MAX)
		return 0;
	for (size_t i = 0; i < c->nacl; i++)
		if (c->acl[i].uid == uid)
			return (c->acl[i].ops >> op) & 1u;
	return 0;
}

/* 1 some op allowed / 0 none. */
int
cm_sconf_any_allowed(const struct cm_sconf *c, uid_t uid)
{
	for (size_t i = 0; i < c->nacl; i++)
		if (c->acl[i].uid == uid)
			return c->acl[i].ops != 0;
	return 0;
}

/* 1 allowed / 0 not. */
int
cm_sconf_profile_allowed(const struct cm_sconf *c, uid_t uid, const char *profile)
{
	for (size_t i = 0; i < c->nacl; i++) {
		const struct cm_acl_entry *e = &c->acl[i];
		if (e->uid != uid)
			continue;
		if (!((e->ops >> OP_ISSUE) & 1u))
			return 0;
		if (e->issue_any)
			return 1;
		for (size_t k = 0; k < e->nprofiles; k++)
			if (strcmp(e->profiles[k], profile) == 0)
				return 1;
		return 0;
	}
	return 0;
}
