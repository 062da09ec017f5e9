/* sconf.h: signerd.conf, the signer's own configuration ([signer], [namespaces] and [access]). */
#ifndef CM_SCONF_H
#define CM_SCONF_H

#include <stddef.h>
#include <sys/types.h>

#include "namespace.h"

#define CM_SIGNERD_DEFAULT_CONF CM_SYSCONFDIR "/signerd.conf"
#define CM_SIGNER_MAX_ACL 64
#define CM_SIGNER_MAX_ACL_PROFILES 16
#define CM_SIGNER_ACL_PROFILE_LEN 64

struct cm_acl_entry {
	uid_t uid;
	unsigned ops;              /* bit (1u << op) per allowed enum cm_op */
	/* "issue" alone: every profile (issue_any = 1); "issue:a,b": only these. */
	int issue_any;
	size_t nprofiles;
	char profiles[CM_SIGNER_MAX_ACL_PROFILES][CM_SIGNER_ACL_PROFILE_LEN];
};

struct cm_sconf {
	/* [signer] */
	char *socket;
	char *socket_mode_str;     /* octal text, default "0660" */
	char *socket_group;
	char *user;
	char *vault;
	char *vault_key_file;
	char *journal;
	char *profiles_file;
	long max_connections;      /* default 64 */
	long max_connections_per_uid; /* default 16: one peer uid cannot take every slot */
	long read_timeout_ms;      /* idle limit per connection, default 5000: below the
	                              clients' 10 s, so an idle peer frees its slot first */
	char *log_level;
	char *public_suffix_list;  /* default CM_PSL_DEFAULT_PATH; unreadable: wildcards refused */
	int allow_loopback_ip;     /* 0.0.0.0, ::, 127/8, ::1 and "localhost"; default no */
	/* CA lifetimes that ca-init may create and ca-import may accept. */
	long max_root_days;        /* default 7305 (20 years) */
	long max_issuing_days;     /* default 3653 (10 years) */
	/* "namespaces = off" alone lets names go unchecked; on (the default)
	 * with an empty [namespaces] is a configuration error. */
	int namespaces_on;
	/* [publish] base_url: "http://HOST" that certificates point relying
	 * parties at (CDP, AIA; signer/issue.h). NULL: none (warned at start). */
	char *publish_base_url;
	/* [ocsp]: the delegated OCSP responder (signer/ocsp.h). key_type NULL:
	 * rsa2048 under an RSA CA, ecdsa-p256 under an EC one. */
	char *ocsp_key_type;       /* rsa2048 | rsa3072 | ecdsa-p256 */
	long ocsp_validity_hours;  /* nextUpdate - thisUpdate, default 24, 1..240 */
	long ocsp_cert_days;       /* responder certificate lifetime, default 30, max 90 */
	long ocsp_rotate_days;     /* renewed with fewer days left, default 10, < cert_days */
	int ocsp_check_issued;     /* "good" only for serials in the journal, default yes */
	/* [scep]: the SCEP RA pair (signer/scep.h). */
	long scep_ra_cert_days;    /* RA certificate lifetime, default 365, max 825 */
	long scep_ra_rotate_days;  /* renewed with fewer days left, default 30, < ra_cert_days */
	int scep_check_issued;     /* a CertRep's certificate must be in the journal, default yes */
	/* [namespaces] */
	struct cm_namespaces ns;
	/* derived */
	unsigned socket_mode;
	/* [access] */
	size_t nacl;
	struct cm_acl_entry acl[CM_SIGNER_MAX_ACL];
};

/* Loads and validates path into c. Returns 0, or -1 with err (unknown keys,
 * unknown users or operations, missing required keys). */
int cm_sconf_load(struct cm_sconf *c, const char *path, char *err, size_t errlen);
void cm_sconf_free(struct cm_sconf *c);

/* 1 when uid may run op, else 0. */
int cm_sconf_allowed(const struct cm_sconf *c, uid_t uid, unsigned op);

/* 1 when uid may run at least one operation (a peer worth a thread), else 0. */
int cm_sconf_any_allowed(const struct cm_sconf *c, uid_t uid);

/* 1 when uid may issue under the named profile (plain "issue" allows every
 * profile, "issue:a,b" only those listed), else 0. */
int cm_sconf_profile_allowed(const struct cm_sconf *c, uid_t uid, const char *profile);

/* The uid of the peer on a connected Unix socket: 0 and *uid, or -1 errno. */
int cm_peer_uid(int fd, uid_t *uid, pid_t *pid);

#endif
