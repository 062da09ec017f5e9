/* profile.h: certificate profiles from the signer's own file, and the check of an issue request against one. */
#ifndef CM_PROFILE_H
#define CM_PROFILE_H

#include <stddef.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define CM_PROFILE_MAX 32
#define CM_PROFILE_MAX_LIST 16
/* S/MIME certificates (emailProtection) live at most this long, whatever a
 * profile file says (CA/Browser Forum S/MIME BR 6.3.2). */
#define CM_SMIME_MAX_DAYS 825
/* A policy OID in dotted form (a 2.25 UUID OID is at most 45 bytes). */
#define CM_POLICY_OID_MAX 100

enum { CM_KT_RSA = 1, CM_KT_EC = 2, CM_KT_ED25519 = 4 };

struct cm_profile {
	char name[64];
	char key_usage[256];             /* "digitalSignature,keyEncipherment" */
	int eku[CM_PROFILE_MAX_LIST];    /* NIDs */
	size_t neku;
	long max_days;
	unsigned key_types;              /* CM_KT_* */
	long min_rsa_bits;
	int curves[CM_PROFILE_MAX_LIST]; /* NIDs */
	size_t ncurves;
	int subject_attrs[CM_PROFILE_MAX_LIST];
	size_t nsubject_attrs;
	unsigned san_types;              /* CM_SAN_* */
	int san_required;
	int cn_required;
	int ocsp_nocheck;
	/* certificatePolicies: one dotted OID under the installation's own arc
	 * ("1.3.6.1.4.1.PEN.x" or "2.25.UUID"); "": none. */
	char policy_oid[CM_POLICY_OID_MAX + 1];
};

struct cm_profiles {
	size_t n;
	struct cm_profile p[CM_PROFILE_MAX];
};

/*
 * Profile file: one "[profile NAME]" section per profile with keys
 * key_usage, ext_key_usage, max_days, key_types (rsa ec ed25519),
 * min_rsa_bits, ec_curves, subject_attrs, san_types (DNS IP email URI UPN),
 * san_required, cn_required, ocsp_nocheck, policy_oid. Lists are blank-separated.
 * Both return 0, or -1 with err; unknown keys and missing required keys fail.
 */
int cm_profiles_load(struct cm_profiles *ps, const char *path, char *err, size_t errlen);
int cm_profiles_parse(struct cm_profiles *ps, const char *data, size_t len,
    const char *name, char *err, size_t errlen);
/* 1 when oid is a policy OID a profile may carry: dotted decimal, first arc
 * 0..2, at least three arcs, no leading zeros, at most CM_POLICY_OID_MAX
 * bytes, not anyPolicy (2.5.29.32.0, meaningless in an end-entity
 * certificate). Else 0 with err. */
int cm_policy_oid_ok(const char *oid, char *err, size_t errlen);
const struct cm_profile *cm_profile_find(const struct cm_profiles *ps, const char *name);

/* What a requester asks for; NULL/0 members mean "take it from the CSR/profile". */
struct cm_profile_request {
	const unsigned char *csr_der;
	size_t csr_len;
	long days;
	const char *subject;
	const char *const *sans;
	size_t nsans;
	const char *const *ekus;
	size_t nekus;
	int ca;
};

/* What the signer will put in the certificate after every check passed. */
struct cm_profile_plan {
	X509_REQ *req;
	EVP_PKEY *pub;                   /* borrowed from req */
	X509_NAME *subject;
	GENERAL_NAMES *sans;             /* NULL when none */
	int eku[CM_PROFILE_MAX_LIST];
	size_t neku;
	long days;
	/* The profile's key usages that fit the key: no keyEncipherment or
	 * dataEncipherment for EC and Ed25519 keys (RFC 5480, RFC 8410), no
	 * keyAgreement for Ed25519. */
	char key_usage[256];
};

/*
 * Re-checks a request against profile p. Returns 0 with plan filled (free with
 * cm_profile_plan_free), 1 when refused with a reason for the requester in
 * reason, -1 on an internal failure with reason.
 */
int cm_profile_check(const struct cm_profile *p, const struct cm_profile_request *in,
    struct cm_profile_plan *plan, char *reason, size_t reasonlen);
void cm_profile_plan_free(struct cm_profile_plan *plan);

#endif
