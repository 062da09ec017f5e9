/* profile.c: parses the profiles file and re-checks every issuance against a profile. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/evp.h>

#include "conffile.h"
#include "names.h"
#include "profile.h"

#define MAX_RSA_BITS 8192

struct parse_ctx {
	struct cm_profiles *ps;
	struct cm_profile *cur;
	unsigned seen;            /* bit per required key seen in cur */
};

enum { SEEN_KU = 1, SEEN_EKU = 2, SEEN_DAYS = 4, SEEN_KT = 8, SEEN_SUBJ = 16, SEEN_SAN = 32 };

/* Calls fn(word) for each blank-separated word: 0, or -1 when fn fails. */
static int
each_word(const char *value, int (*fn)(void *, const char *, char *, size_t), void *arg,
    char *err, size_t errlen)
{
	char word[128];
	for (const char *p = value; *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		size_t n = strcspn(p, " \t,");
		if (n >= sizeof(word)) {
			snprintf(err, errlen, "list item too long");
			return -1;
		}
		memcpy(word, p, n);
		word[n] = '\0';
		p += n;
		if (fn(arg, word, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int
add_ku(void *arg, const char *w, char *err, size_t errlen)
{
	static const char *const ok[] = { "digitalSignature", "nonRepudiation",
	    "keyEncipherment", "dataEncipherment", "keyAgreement", NULL };
	struct cm_profile *p = arg;
	for (int i = 0; ok[i]; i++) {
		if (strcmp(ok[i], w) != 0)
			continue;
		/* Whole comma-separated words only: "keyAgreement" is not in "x,keyAgreementX". */
		for (const char *q = p->key_usage; *q;) {
			size_t n = strcspn(q, ",");
			if (n == strlen(w) && strncmp(q, w, n) == 0) {
				snprintf(err, errlen, "key usage '%s' listed twice", w);
				return -1;
			}
			q += n;
			if (*q == ',')
				q++;
		}
		size_t used = strlen(p->key_usage);
		int n = snprintf(p->key_usage + used, sizeof(p->key_usage) - used, "%s%s",
		    used ? "," : "", w);
		if (n < 0 || (size_t)n >= sizeof(p->key_usage) - used) {
			p->key_usage[used] = '\0';
			snprintf(err, errlen, "key usage list is longer than %zu bytes", sizeof(p->key_usage) - 1);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "key usage '%s' is not one an end-entity profile may carry", w);
	return -1;
}

static int
add_nid(int *list, size_t *n, int nid)
{
	for (size_t i = 0; i < *n; i++)
		if (list[i] == nid)
			return 0;
	if (*n == CM_PROFILE_MAX_LIST)
		return -1;
	list[(*n)++] = nid;
	return 0;
}

static int
add_eku(void *arg, const char *w, char *err, size_t errlen)
{
	struct cm_profile *p = arg;
	int nid = OBJ_txt2nid(w);
	if (nid == NID_undef || nid == NID_anyExtendedKeyUsage) {
		snprintf(err, errlen, "unknown or unusable extended key usage '%s'", w);
		return -1;
	}
	if (add_nid(p->eku, &p->neku, nid) < 0) {
		snprintf(err, errlen, "too many extended key usages");
		return -1;
	}
	return 0;
}

static int
add_kt(void *arg, const char *w, char *err, size_t errlen)
{
	struct cm_profile *p = arg;
	if (!strcmp(w, "rsa"))
		p->key_types |= CM_KT_RSA;
	else if (!strcmp(w, "ec"))
		p->key_types |= CM_KT_EC;
	else if (!strcmp(w, "ed25519"))
		p->key_types |= CM_KT_ED25519;
	else {
		snprintf(err, errlen, "key type '%s' is not rsa, ec or ed25519", w);
		return -1;
	}
	return 0;
}

static int
add_curve(void *arg, const char *w, char *err, size_t errlen)
{
	struct cm_profile *p = arg;
	int nid = EC_curve_nist2nid(w);
	if (nid == NID_undef)
		nid = OBJ_sn2nid(w);
	if (nid == NID_undef) {
		snprintf(err, errlen, "unknown EC curve '%s'", w);
		return -1;
	}
	if (add_nid(p->curves, &p->ncurves, nid) < 0) {
		snprintf(err, errlen, "too many curves");
		return -1;
	}
	return 0;
}

static int
add_subj(void *arg, const char *w, char *err, size_t errlen)
{
	struct cm_profile *p = arg;
	int nid = OBJ_txt2nid(w);
	if (nid == NID_undef) {
		snprintf(err, errlen, "unknown subject attribute '%s'", w);
		return -1;
	}
	if (add_nid(p->subject_attrs, &p->nsubject_attrs, nid) < 0) {
		snprintf(err, errlen, "too many subject attributes");
		return -1;
	}
	return 0;
}

static int
add_san(void *arg, const char *w, char *err, size_t errlen)
{
	struct cm_profile *p = arg;
	if (!strcmp(w, "DNS"))
		p->san_types |= CM_SAN_DNS;
	else if (!strcmp(w, "IP"))
		p->san_types |= CM_SAN_IP;
	else if (!strcmp(w, "email"))
		p->san_types |= CM_SAN_EMAIL;
	else if (!strcmp(w, "URI"))
		p->san_types |= CM_SAN_URI;
	else if (!strcmp(w, "UPN"))
		p->san_types |= CM_SAN_UPN;
	else if (!strcmp(w, "none"))
		;
	else {
		snprintf(err, errlen, "SAN type '%s' is not DNS, IP, email, URI, UPN or none", w);
		return -1;
	}
	return 0;
}

static int
get_bool(const char *value, int *out, char *err, size_t errlen)
{
	int b = cm_conf_bool(value);
	if (b < 0) {
		snprintf(err, errlen, "'%s' is not yes or no", value);
		return -1;
	}
	*out = b;
	return 0;
}

static int
get_long(const char *value, long lo, long hi, long *out, char *err, size_t errlen)
{
	char *end;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < lo || v > hi) {
		snprintf(err, errlen, "'%s' is not a number in %ld..%ld", value, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int has_nid(const int *list, size_t n, int nid);

/* 1 / 0 with err. */
int
cm_policy_oid_ok(const char *oid, char *err, size_t errlen)
{
	size_t n = strlen(oid), arcs = 0;
	if (n == 0 || n > CM_POLICY_OID_MAX) {
		snprintf(err, errlen, "policy_oid must be 1..%d bytes", CM_POLICY_OID_MAX);
		return 0;
	}
	/* Digits and single dots only, which also keeps the value one OID in
	 * OpenSSL's extension syntax. */
	for (const char *p = oid; *p;) {
		size_t d = strspn(p, "0123456789");
		if (d == 0 || (d > 1 && *p == '0')) {
			snprintf(err, errlen, "policy_oid '%s' is not a dotted decimal OID (e.g. 1.3.6.1.4.1.99999.1.1 or 2.25.UUID)", oid);
			return 0;
		}
		arcs++;
		p += d;
		if (*p == '.' && p[1] != '\0')
			p++;
		else if (*p != '\0') {
			snprintf(err, errlen, "policy_oid '%s' is not a dotted decimal OID (e.g. 1.3.6.1.4.1.99999.1.1 or 2.25.UUID)", oid);
			return 0;
		}
	}
	if (arcs < 3 || oid[0] > '2' || oid[1] != '.') {
		snprintf(err, errlen, "policy_oid '%s' needs at least three arcs under 0, 1 or 2 (your organisation's own arc)", oid);
		return 0;
	}
	if (strcmp(oid, "2.5.29.32.0") == 0) {
		snprintf(err, errlen, "policy_oid must be the installation's own policy, not anyPolicy (2.5.29.32.0)");
		return 0;
	}
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	ASN1_OBJECT_free(o);
	if (o == NULL) {
		ERR_clear_error();
		snprintf(err, errlen, "policy_oid '%s' cannot be encoded", oid);
		return 0;
	}
	return 1;
}

static int
finish_profile(struct parse_ctx *c, char *err, size_t errlen)
{
	static const struct { unsigned bit; const char *key; } req[] = {
		{ SEEN_KU, "key_usage" }, { SEEN_EKU, "ext_key_usage" }, { SEEN_DAYS, "max_days" },
		{ SEEN_KT, "key_types" }, { SEEN_SUBJ, "subject_attrs" }, { SEEN_SAN, "san_types" },
	};
	if (c->cur == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (!(c->seen & req[i].bit)) {
			snprintf(err, errlen, "profile %s: %s is required", c->cur->name, req[i].key);
			return -1;
		}
	if ((c->cur->key_types & CM_KT_EC) && c->cur->ncurves == 0) {
		snprintf(err, errlen, "profile %s: ec_curves is required when key_types has ec", c->cur->name);
		return -1;
	}
	if (has_nid(c->cur->eku, c->cur->neku, NID_email_protect) && c->cur->max_days > CM_SMIME_MAX_DAYS) {
		snprintf(err, errlen, "profile %s: max_days %ld is above %d, the most an S/MIME "
		    "(emailProtection) certificate may have", c->cur->name, c->cur->max_days, CM_SMIME_MAX_DAYS);
		return -1;
	}
	if (c->cur->san_required && c->cur->san_types == 0) {
		snprintf(err, errlen, "profile %s: san_required without san_types", c->cur->name);
		return -1;
	}
	return 0;
}

static int
profile_cb(void *arg, const char *section, const char *key, const char *value,
    char *err, size_t errlen)
{
	struct parse_ctx *c = arg;

	if (strncmp(section, "profile ", 8) != 0) {
		snprintf(err, errlen, "keys belong in a [profile NAME] section, not [%s]", section);
		return -1;
	}
	const char *pname = section + 8;
	if (c->cur == NULL || strcmp(c->cur->name, pname) != 0) {
		if (finish_profile(c, err, errlen) < 0)
			return -1;
		if (cm_profile_find(c->ps, pname) != NULL) {
			snprintf(err, errlen, "profile %s defined twice", pname);
			return -1;
		}
		if (c->ps->n == CM_PROFILE_MAX || strlen(pname) >= sizeof(c->cur->name)) {
			snprintf(err, errlen, "too many profiles or name too long");
			return -1;
		}
		/* The journal marks the signer's own certificates with this prefix
		 * (lib/journal_read.h): no customer profile may look like them. */
		if (strncmp(pname, "signer.", 7) == 0) {
			snprintf(err, errlen, "profile %s: names starting with 'signer.' are the signer's own", pname);
			return -1;
		}
		c->cur = &c->ps->p[c->ps->n++];
		memset(c->cur, 0, sizeof(*c->cur));
		snprintf(c->cur->name, sizeof(c->cur->name), "%s", pname);
		c->cur->min_rsa_bits = 2048;
		c->seen = 0;
	}
	struct cm_profile *p = c->cur;
	if (!strcmp(key, "key_usage")) {
		c->seen |= SEEN_KU;
		p->key_usage[0] = '\0';
		return each_word(value, add_ku, p, err, errlen);
	}
	if (!strcmp(key, "ext_key_usage")) {
		c->seen |= SEEN_EKU;
		p->neku = 0;
		return each_word(value, add_eku, p, err, errlen);
	}
	if (!strcmp(key, "max_days")) {
		c->seen |= SEEN_DAYS;
		return get_long(value, 1, 3650, &p->max_days, err, errlen);
	}
	if (!strcmp(key, "key_types")) {
		c->seen |= SEEN_KT;
		p->key_types = 0;
		return each_word(value, add_kt, p, err, errlen);
	}
	if (!strcmp(key, "min_rsa_bits"))
		return get_long(value, 2048, MAX_RSA_BITS, &p->min_rsa_bits, err, errlen);
	if (!strcmp(key, "ec_curves")) {
		p->ncurves = 0;
		return each_word(value, add_curve, p, err, errlen);
	}
	if (!strcmp(key, "subject_attrs")) {
		c->seen |= SEEN_SUBJ;
		p->nsubject_attrs = 0;
		return each_word(value, add_subj, p, err, errlen);
	}
	if (!strcmp(key, "san_types")) {
		c->seen |= SEEN_SAN;
		p->san_types = 0;
		return each_word(value, add_san, p, err, errlen);
	}
	if (!strcmp(key, "san_required"))
		return get_bool(value, &p->san_required, err, errlen);
	if (!strcmp(key, "cn_required"))
		return get_bool(value, &p->cn_required, err, errlen);
	if (!strcmp(key, "ocsp_nocheck"))
		return get_bool(value, &p->ocsp_nocheck, err, errlen);
	if (!strcmp(key, "policy_oid")) {
		if (!cm_policy_oid_ok(value, err, errlen))
			return -1;
		snprintf(p->policy_oid, sizeof(p->policy_oid), "%s", value);
		return 0;
	}
	return 1;
}

/* 0 / -1 with err. */
int
cm_profiles_parse(struct cm_profiles *ps, const char *data, size_t len,
    const char *name, char *err, size_t errlen)
{
	struct parse_ctx c = { ps, NULL, 0 };
	memset(ps, 0, sizeof(*ps));
	if (cm_conf_parse_buf(data, len, name, profile_cb, &c, err, errlen) < 0)
		return -1;
	char why[256];
	if (finish_profile(&c, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", name, why);
		return -1;
	}
	if (ps->n == 0) {
		snprintf(err, errlen, "%s: no [profile NAME] sections", name);
		return -1;
	}
	return 0;
}

/* 0 / -1 with err. */
int
cm_profiles_load(struct cm_profiles *ps, const char *path, char *err, size_t errlen)
{
	struct parse_ctx c = { ps, NULL, 0 };
	memset(ps, 0, sizeof(*ps));
	if (cm_conf_parse_file(path, profile_cb, &c, err, errlen) < 0)
		return -1;
	char why[256];
	if (finish_profile(&c, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return -1;
	}
	if (ps->n == 0) {
		snprintf(err, errlen, "%s: no [profile NAME] sections", path);
		return -1;
	}
	return 0;
}

/* The profile or NULL. */
const struct cm_profile *
cm_profile_find(const struct cm_profiles *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].name, name) == 0)
			return &ps->p[i];
	return NULL;
}

static int
has_nid(const int *list, size_t n, int nid)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == nid)
			return 1;
	return 0;
}

/* Key type and size: 0 ok, 1 refused. */
static int
check_key(const struct cm_profile *p, EVP_PKEY *pub, char *reason, size_t rlen)
{
	int id = EVP_PKEY_get_base_id(pub);
	if (id == EVP_PKEY_RSA) {
		int bits = EVP_PKEY_get_bits(pub);
		if (!(p->key_types & CM_KT_RSA)) {
			snprintf(reason, rlen, "RSA keys are not allowed by profile %s", p->name);
			return 1;
		}
		if (bits < p->min_rsa_bits) {
			snprintf(reason, rlen, "RSA key of %d bits is below the %ld-bit minimum of profile %s",
			    bits, p->min_rsa_bits, p->name);
			return 1;
		}
		if (bits > MAX_RSA_BITS) {
			snprintf(reason, rlen, "RSA key of %d bits is above the %d-bit maximum", bits, MAX_RSA_BITS);
			return 1;
		}
		/* Public exponent: odd and at least 65537 (e = 3 invites low-exponent attacks). */
		BIGNUM *e = NULL;
		int good_e = EVP_PKEY_get_bn_param(pub, "e", &e) == 1 && e != NULL &&
		    BN_is_odd(e) && BN_cmp(e, BN_value_one()) > 0 && BN_num_bits(e) >= 17;
		BN_free(e);
		if (!good_e) {
			snprintf(reason, rlen, "RSA public exponent must be odd and at least 65537");
			return 1;
		}
		return 0;
	}
	if (id == EVP_PKEY_EC) {
		char curve[64] = "";
		size_t cl = 0;
		if (!(p->key_types & CM_KT_EC)) {
			snprintf(reason, rlen, "EC keys are not allowed by profile %s", p->name);
			return 1;
		}
		if (!EVP_PKEY_get_utf8_string_param(pub, "group", curve, sizeof(curve), &cl) ||
		    !has_nid(p->curves, p->ncurves, OBJ_sn2nid(curve))) {
			snprintf(reason, rlen, "EC curve %s is not allowed by profile %s",
			    curve[0] ? curve : "(explicit parameters)", p->name);
			return 1;
		}
		/* Explicit curve parameters would be copied into the certificate as sent. */
		char enc[32] = "";
		size_t el = 0;
		if (!EVP_PKEY_get_utf8_string_param(pub, "encoding", enc, sizeof(enc), &el) ||
		    strcmp(enc, "named_curve") != 0) {
			snprintf(reason, rlen, "EC keys must name their curve (explicit curve parameters are refused)");
			return 1;
		}
		return 0;
	}
	if (id == EVP_PKEY_ED25519) {
		if (!(p->key_types & CM_KT_ED25519)) {
			snprintf(reason, rlen, "Ed25519 keys are not allowed by profile %s", p->name);
			return 1;
		}
		return 0;
	}
	snprintf(reason, rlen, "key type %s is not allowed by profile %s",
	    OBJ_nid2sn(id) ? OBJ_nid2sn(id) : "unknown", p->name);
	return 1;
}

/* CSR extensionRequest: refuses CA requests, takes the SANs. 0 / 1 refused / -1. */
static int
check_csr_extensions(const struct cm_profile *p, X509_REQ *req, GENERAL_NAMES **sans,
    char *reason, size_t rlen)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	int ret = 0;

	*sans = NULL;
	for (int i = 0; exts && i < sk_X509_EXTENSION_num(exts); i++) {
		X509_EXTENSION *ext = sk_X509_EXTENSION_value(exts, i);
		int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
		if (nid == NID_basic_constraints) {
			BASIC_CONSTRAINTS *bc = X509V3_EXT_d2i(ext);
			if (bc == NULL) {
				snprintf(reason, rlen, "CSR basicConstraints extension is malformed");
				ret = 1;
				goto out;
			}
			int ca = bc->ca;
			BASIC_CONSTRAINTS_free(bc);
			if (ca) {
				snprintf(reason, rlen, "CA certificates cannot be issued by profile %s", p->name);
				ret = 1;
				goto out;
			}
		} else if (nid == NID_key_usage) {
			ASN1_BIT_STRING *ku = X509V3_EXT_d2i(ext);
			if (ku == NULL) {
				snprintf(reason, rlen, "CSR keyUsage extension is malformed");
				ret = 1;
				goto out;
			}
			/* bits 5 and 6: keyCertSign and cRLSign, the marks of a CA. */
			int ca = ASN1_BIT_STRING_get_bit(ku, 5) || ASN1_BIT_STRING_get_bit(ku, 6);
			ASN1_BIT_STRING_free(ku);
			if (ca) {
				snprintf(reason, rlen, "CA certificates cannot be issued by profile %s "
				    "(the CSR asks for keyCertSign or cRLSign)", p->name);
				ret = 1;
				goto out;
			}
		} else if (nid == NID_subject_alt_name && *sans == NULL) {
			*sans = X509V3_EXT_d2i(ext);
			if (*sans == NULL) {
				snprintf(reason, rlen, "CSR subjectAltName extension is malformed");
				ret = 1;
				goto out;
			}
		}
	}
out:
	if (ret != 0) {
		GENERAL_NAMES_free(*sans);
		*sans = NULL;
	}
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return ret;
}

/*
 * The profile's key usages that fit the public key into plan->key_usage:
 * 0, or 1 with a reason when none is left. An EC key signs or agrees on
 * keys, never encrypts them (RFC 5480 3); an Ed25519 key only signs
 * (RFC 8410 5). RSA keeps what the profile says.
 */
static int
key_usage_for_key(const struct cm_profile *p, EVP_PKEY *pub, struct cm_profile_plan *plan,
    char *reason, size_t rlen)
{
	int id = EVP_PKEY_get_base_id(pub);
	size_t used = 0;

	plan->key_usage[0] = '\0';
	for (const char *q = p->key_usage; *q;) {
		size_t n = strcspn(q, ",");
		int drop = 0;
		if (id == EVP_PKEY_EC || id == EVP_PKEY_ED25519)
			drop = (n == 15 && strncmp(q, "keyEncipherment", n) == 0) ||
			    (n == 16 && strncmp(q, "dataEncipherment", n) == 0);
		if (id == EVP_PKEY_ED25519 && n == 12 && strncmp(q, "keyAgreement", n) == 0)
			drop = 1;
		if (!drop) {
			/* Both buffers are the same size, so a subset always fits. */
			int w = snprintf(plan->key_usage + used, sizeof(plan->key_usage) - used, "%s%.*s",
			    used ? "," : "", (int)n, q);
			if (w > 0)
				used += (size_t)w;
		}
		q += n;
		if (*q == ',')
			q++;
	}
	if (used == 0) {
		snprintf(reason, rlen, "profile %s has no key usage that fits a%s key (%s)", p->name,
		    id == EVP_PKEY_EC ? "n EC" : id == EVP_PKEY_ED25519 ? "n Ed25519" : "", p->key_usage);
		return 1;
	}
	return 0;
}

static void
sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '?';
}

/* See profile.h. */
int
cm_profile_check(const struct cm_profile *p, const struct cm_profile_request *in,
    struct cm_profile_plan *plan, char *reason, size_t rlen)
{
	GENERAL_NAMES *csr_sans = NULL;
	int ret = 1;

	memset(plan, 0, sizeof(*plan));
	if (in->ca) {
		snprintf(reason, rlen, "CA certificates cannot be issued by profile %s", p->name);
		goto out;
	}
	if (in->csr_der == NULL || in->csr_len == 0 || in->csr_len > 64 * 1024) {
		snprintf(reason, rlen, "a DER CSR of 1..65536 bytes is required");
		goto out;
	}
	const unsigned char *cp = in->csr_der;
	plan->req = d2i_X509_REQ(NULL, &cp, (long)in->csr_len);
	if (plan->req == NULL || cp != in->csr_der + in->csr_len) {
		snprintf(reason, rlen, "CSR is not a well-formed PKCS#10 request");
		goto out;
	}
	plan->pub = X509_REQ_get0_pubkey(plan->req);
	if (plan->pub == NULL) {
		snprintf(reason, rlen, "CSR public key cannot be read");
		goto out;
	}
	if (check_key(p, plan->pub, reason, rlen) || key_usage_for_key(p, plan->pub, plan, reason, rlen))
		goto out;
	if (X509_REQ_verify(plan->req, plan->pub) != 1) {
		snprintf(reason, rlen, "CSR signature is invalid");
		goto out;
	}
	if (check_csr_extensions(p, plan->req, &csr_sans, reason, rlen))
		goto out;

	/* Validity. */
	plan->days = in->days == 0 ? p->max_days : in->days;
	if (in->days < 0 || in->days > p->max_days) {
		snprintf(reason, rlen, "requested validity of %ld days exceeds the %ld-day maximum of profile %s",
		    in->days, p->max_days, p->name);
		goto out;
	}
	/* Again here, for profiles not read through cm_profiles_load. */
	if (has_nid(p->eku, p->neku, NID_email_protect) && plan->days > CM_SMIME_MAX_DAYS) {
		snprintf(reason, rlen, "requested validity of %ld days exceeds the %d-day maximum of S/MIME certificates",
		    plan->days, CM_SMIME_MAX_DAYS);
		goto out;
	}

	/* Extended key usage: a subset of the profile's. */
	if (in->nekus == 0) {
		memcpy(plan->eku, p->eku, sizeof(p->eku));
		plan->neku = p->neku;
	} else {
		for (size_t i = 0; i < in->nekus; i++) {
			ASN1_OBJECT *obj = OBJ_txt2obj(in->ekus[i], 0);
			int nid = obj ? OBJ_obj2nid(obj) : NID_undef;
			ASN1_OBJECT_free(obj);
			if (nid == NID_undef || !has_nid(p->eku, p->neku, nid)) {
				snprintf(reason, rlen, "extended key usage %.64s is not allowed by profile %s",
				    in->ekus[i], p->name);
				sanitize(reason);
				goto out;
			}
			if (add_nid(plan->eku, &plan->neku, nid) < 0) {
				snprintf(reason, rlen, "too many extended key usages");
				goto out;
			}
		}
	}

	/* Subject. */
	if (in->subject) {
		char why[256];
		plan->subject = cm_dn_parse(in->subject, why, sizeof(why));
		if (plan->subject == NULL) {
			snprintf(reason, rlen, "%s", why);
			goto out;
		}
	} else {
		plan->subject = X509_NAME_dup(X509_REQ_get_subject_name(plan->req));
		if (plan->subject == NULL) {
			ret = -1;
			snprintf(reason, rlen, "out of memory");
			goto out;
		}
	}
	int has_cn = 0;
	for (int i = 0; i < X509_NAME_entry_count(plan->subject); i++) {
		X509_NAME_ENTRY *e = X509_NAME_get_entry(plan->subject, i);
		int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
		if (!has_nid(p->subject_attrs, p->nsubject_attrs, nid)) {
			char oid[80];
			OBJ_obj2txt(oid, sizeof(oid), X509_NAME_ENTRY_get_object(e), 0);
			snprintf(reason, rlen, "subject attribute %s is not allowed by profile %s", oid, p->name);
			goto out;
		}
		if (ASN1_STRING_length(X509_NAME_ENTRY_get_data(e)) > CM_MAX_NAME_VALUE) {
			snprintf(reason, rlen, "subject attribute values are limited to %d bytes", CM_MAX_NAME_VALUE);
			goto out;
		}
		if (nid == NID_commonName)
			has_cn = 1;
	}
	if (p->cn_required && !has_cn) {
		snprintf(reason, rlen, "profile %s requires a subject CN", p->name);
		goto out;
	}

	/* subjectAltNames: from the request, else the CSR. */
	if (in->sans != NULL) {
		if (in->nsans > CM_MAX_SANS) {
			snprintf(reason, rlen, "more than %d subjectAltNames", CM_MAX_SANS);
			goto out;
		}
		plan->sans = GENERAL_NAMES_new();
		if (plan->sans == NULL) {
			ret = -1;
			goto out;
		}
		for (size_t i = 0; i < in->nsans; i++) {
			char why[256];
			GENERAL_NAME *gn = cm_san_parse(in->sans[i], why, sizeof(why));
			if (gn == NULL) {
				snprintf(reason, rlen, "%s", why);
				sanitize(reason);
				goto out;
			}
			if (!sk_GENERAL_NAME_push(plan->sans, gn)) {
				GENERAL_NAME_free(gn);
				ret = -1;
				goto out;
			}
		}
	} else {
		plan->sans = csr_sans;
		csr_sans = NULL;
	}
	int nsans = plan->sans ? sk_GENERAL_NAME_num(plan->sans) : 0;
	if (nsans > CM_MAX_SANS) {
		snprintf(reason, rlen, "more than %d subjectAltNames", CM_MAX_SANS);
		goto out;
	}
	for (int i = 0; i < nsans; i++) {
		GENERAL_NAME *gn = sk_GENERAL_NAME_value(plan->sans, i);
		const char *label;
		unsigned t = cm_san_type(gn, &label);
		if (t == 0 || !(p->san_types & t)) {
			snprintf(reason, rlen, "%s subjectAltNames are not allowed by profile %s", label, p->name);
			goto out;
		}
		if (cm_san_check(gn, reason, rlen) < 0)
			goto out;
	}
	if (nsans == 0) {
		GENERAL_NAMES_free(plan->sans);
		plan->sans = NULL;
	}
	if (p->san_required && nsans == 0) {
		snprintf(reason, rlen, "profile %s requires at least one subjectAltName", p->name);
		goto out;
	}
	if (nsans == 0 && X509_NAME_entry_count(plan->subject) == 0) {
		snprintf(reason, rlen, "the certificate needs a subject or a subjectAltName");
		goto out;
	}
	ret = 0;
out:
	GENERAL_NAMES_free(csr_sans);
	if (ret != 0)
		cm_profile_plan_free(plan);
	ERR_clear_error();
	return ret;
}

/* No return value. */
void
cm_profile_plan_free(struct cm_profile_plan *plan)
{
	X509_REQ_free(plan->req);
	X509_NAME_free(plan->subject);
	GENERAL_NAMES_free(plan->sans);
	memset(plan, 0, sizeof(*plan));
}
