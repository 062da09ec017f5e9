/* scep_ra.c: signerd's SCEP RA key + certificate: an own_pair.c pair (RSA-2048, issued by the issuing CA, journalled, kept in the vault) whose previous pair is kept for decryption. */
#include "config.h"

#include <string.h>

#include <openssl/x509v3.h>

#include "own_pair.h"
#include "profile.h"
#include "scep.h"

/* The RA certificate's rules. Built in, not in the profile file: no
 * operator edit may give the RA key an EKU or CA rights. keyEncipherment
 * because clients encrypt the pkiMessage to it, digitalSignature because it
 * signs the CertRep; no EKU: RFC 8894 asks for none, and neither micromdm's
 * scepclient nor certmonger look for one. */
static const struct cm_profile ra_profile = {
	.name = CM_SCEP_JOURNAL_PROFILE,
	.key_usage = "digitalSignature,keyEncipherment",
	.neku = 0,
	.max_days = CM_SCEP_RA_MAX_DAYS,
	.key_types = CM_KT_RSA,
	.min_rsa_bits = 2048,
	.subject_attrs = { NID_commonName, NID_organizationName, NID_organizationalUnitName, NID_countryName },
	.nsubject_attrs = 4,
	.san_types = 0,
	.cn_required = 1,
	.ocsp_nocheck = 0,
	.policy_oid = "",
};

/* 0 / -1. */
int
cm_scep_ra_init(struct cm_scep_ra *r, const struct cm_scep_conf *conf, struct cm_ca *ca,
    const struct cm_vault *v, struct cm_journal *j, struct cm_issued_set *issued)
{
	/* The previous pair is kept: clients may have cached its certificate
	 * from GetCACert and still encrypt to it. */
	const struct cm_own_pair_desc d = {
		.what = "SCEP RA",
		.subject_suffix = " SCEP RA",
		.journal_profile = CM_SCEP_JOURNAL_PROFILE,
		.vault_cert = CM_SCEP_VAULT_CERT,
		.vault_key = CM_SCEP_VAULT_KEY,
		.vault_prev_cert = CM_SCEP_VAULT_PREV_CERT,
		.vault_prev_key = CM_SCEP_VAULT_PREV_KEY,
		.key_type = "rsa2048",
		.rsa_only = 1,
		.profile = &ra_profile,
		.publish_base = conf->publish_base,
		.cert_days = conf->cert_days,
		.rotate_days = conf->rotate_days,
		.rotated_note = " (the previous one still decrypts)",
	};

	memset(r, 0, sizeof(*r));
	if (cm_own_pair_init(&r->pair, &d, ca, v, j, issued, r) < 0)
		return -1;
	r->conf = *conf;
	r->ca = ca;
	r->issued = issued;
	return 0;
}

/* No return value. */
void
cm_scep_ra_free(struct cm_scep_ra *r)
{
	if (r->ca == NULL)
		return;
	cm_own_pair_free(&r->pair);
	memset(r, 0, sizeof(*r));
}

/* 0 / 1 (scep.h). */
int
cm_scep_ra_get(struct cm_scep_ra *r, X509 **cert, EVP_PKEY **key, X509 **prev_cert, EVP_PKEY **prev_key)
{
	return cm_own_pair_get(&r->pair, cert, key, prev_cert, prev_key);
}

/* A new reference, or NULL. */
X509 *
cm_scep_ra_current(struct cm_scep_ra *r)
{
	return cm_own_pair_current(&r->pair);
}

/* 0 / -1 (scep.h). */
int
cm_scep_ra_ensure(struct cm_scep_ra *r, char *reason, size_t rlen)
{
	return cm_own_pair_ensure(&r->pair, reason, rlen);
}
