/* test_cert_exts.c: unit tests for the signer's publication extensions (CDP, AIA, certificatePolicies) and their configuration checks. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tap.h"
#include "issue.h"
#include "names.h"
#include "profile.h"
#include "sconf.h"

#define BASE "http://pki.example.com"
#define OID "2.25.252736220459226800537525035637300022058.1.1"

/* The first URI of the certificate's CRL distribution points into out ("" when none). */
static void
cdp_uri(X509 *x, char *out, size_t outlen)
{
	STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	out[0] = '\0';
	for (int i = 0; dps && i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
		if (dp->distpoint == NULL || dp->distpoint->type != 0)
			continue;
		GENERAL_NAMES *gns = dp->distpoint->name.fullname;
		for (int k = 0; k < sk_GENERAL_NAME_num(gns); k++) {
			GENERAL_NAME *gn = sk_GENERAL_NAME_value(gns, k);
			if (gn->type == GEN_URI && !out[0])
				snprintf(out, outlen, "%s", (const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier));
		}
	}
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
}

/* The URI of the AIA entry with method nid into out ("" when none); returns the number of AIA entries. */
static int
aia_uri(X509 *x, int nid, char *out, size_t outlen)
{
	AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
	int n = aia ? sk_ACCESS_DESCRIPTION_num(aia) : 0;
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		if (OBJ_obj2nid(ad->method) == nid && ad->location->type == GEN_URI)
			snprintf(out, outlen, "%s", (const char *)ASN1_STRING_get0_data(ad->location->d.uniformResourceIdentifier));
	}
	AUTHORITY_INFO_ACCESS_free(aia);
	return n;
}

/* The policy OIDs of the certificate, dotted and blank-separated, into out. */
static void
policies(X509 *x, char *out, size_t outlen)
{
	CERTIFICATEPOLICIES *cp = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);
	out[0] = '\0';
	for (int i = 0; cp && i < sk_POLICYINFO_num(cp); i++) {
		char oid[128];
		OBJ_obj2txt(oid, sizeof(oid), sk_POLICYINFO_value(cp, i)->policyid, 1);
		size_t used = strlen(out);
		snprintf(out + used, outlen - used, "%s%s", used ? " " : "", oid);
	}
	CERTIFICATEPOLICIES_free(cp);
}

static void
test_base_url(void)
{
	char err[256];
	ok(cm_publish_base_ok("http://pki.example.com", err, sizeof(err)), "plain http host accepted");
	ok(cm_publish_base_ok("http://localhost:8080/pki", err, sizeof(err)), "port and path accepted");
	ok(!cm_publish_base_ok("https://pki.example.com", err, sizeof(err)) && strstr(err, "http://"),
	    "https refused: %s", err);
	ok(!cm_publish_base_ok("http://pki.example.com/", err, sizeof(err)) && strstr(err, "end with '/'"),
	    "trailing slash refused: %s", err);
	ok(!cm_publish_base_ok("http://a.example,OCSP;URI:http://evil", err, sizeof(err)),
	    "extension syntax (',' ';') refused: %s", err);
	ok(!cm_publish_base_ok("http://a b", err, sizeof(err)), "blank refused");
	ok(!cm_publish_base_ok("http://", err, sizeof(err)), "no host refused: %s", err);
	ok(!cm_publish_base_ok("", err, sizeof(err)), "empty refused");
	char lng[CM_PUBLISH_BASE_MAX + 16];
	memset(lng, 'a', sizeof(lng) - 1);
	memcpy(lng, "http://", 7);
	lng[sizeof(lng) - 1] = '\0';
	ok(!cm_publish_base_ok(lng, err, sizeof(err)), "over-long base refused: %s", err);
}

static void
test_policy_oid(void)
{
	char err[256];
	struct cm_profiles ps;
	ok(cm_policy_oid_ok(OID, err, sizeof(err)), "2.25 UUID OID accepted");
	ok(cm_policy_oid_ok("1.3.6.1.4.1.99999.1.1", err, sizeof(err)), "PEN OID accepted");
	ok(!cm_policy_oid_ok("2.5.29.32.0", err, sizeof(err)) && strstr(err, "anyPolicy"), "anyPolicy refused: %s", err);
	ok(!cm_policy_oid_ok("1.2", err, sizeof(err)), "two arcs refused: %s", err);
	ok(!cm_policy_oid_ok("3.1.2", err, sizeof(err)), "first arc 3 refused");
	ok(!cm_policy_oid_ok("1.3.6.", err, sizeof(err)), "trailing dot refused");
	ok(!cm_policy_oid_ok("1..3.6", err, sizeof(err)), "empty arc refused");
	ok(!cm_policy_oid_ok("1.3.06", err, sizeof(err)), "leading zero refused");
	ok(!cm_policy_oid_ok("1.3.6,@pol", err, sizeof(err)), "extension syntax refused");
	ok(!cm_policy_oid_ok("serverAuth", err, sizeof(err)), "a name is not an OID");

	const char *text = "[profile p]\nkey_usage = digitalSignature\next_key_usage = serverAuth\n"
	    "max_days = 10\nkey_types = ec\nec_curves = P-256\nsubject_attrs = CN\nsan_types = DNS\n"
	    "policy_oid = 1.3.6.1.4.1.99999.7\n";
	ok(cm_profiles_parse(&ps, text, strlen(text), "t", err, sizeof(err)) == 0 &&
	    strcmp(ps.p[0].policy_oid, "1.3.6.1.4.1.99999.7") == 0, "profile reads policy_oid");
	text = "[profile p]\nkey_usage = digitalSignature\next_key_usage = serverAuth\n"
	    "max_days = 10\nkey_types = ec\nec_curves = P-256\nsubject_attrs = CN\nsan_types = DNS\n"
	    "policy_oid = 2.5.29.32.0\n";
	ok(cm_profiles_parse(&ps, text, strlen(text), "t", err, sizeof(err)) < 0 && strstr(err, "anyPolicy"),
	    "profile with anyPolicy refused at load: %s", err);

	/* The shipped profiles each carry their own OID under the demo's 2.25 arc. */
	char path[1024];
	const char *src = getenv("CERTMINT_SRCDIR");
	if (src == NULL)
		src = getenv("srcdir");
	snprintf(path, sizeof(path), "%s/conf/signer-profiles.conf", src ? src : ".");
	int r = cm_profiles_load(&ps, path, err, sizeof(err));
	ok(r == 0, "shipped profiles load");
	for (size_t i = 0; r == 0 && i < ps.n; i++)
		ok(strncmp(ps.p[i].policy_oid, "2.25.", 5) == 0, "shipped profile %s has a 2.25 policy OID (%s)",
		    ps.p[i].name, ps.p[i].policy_oid);
}

static void
test_sconf(void)
{
	char dir[] = "/tmp/cm-exts-XXXXXX", path[300], err[512];
	struct cm_sconf c;
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/signerd.conf", dir);
	static const char head[] = "[signer]\nsocket = /tmp/x.sock\nvault = /tmp/v\nvault_key_file = /tmp/k\n"
	    "journal = /tmp/j\nnamespaces = off\n";
	FILE *f = fopen(path, "w");
	fprintf(f, "%s[publish]\nbase_url = " BASE "\n", head);
	fclose(f);
	ok(cm_sconf_load(&c, path, err, sizeof(err)) == 0 && c.publish_base_url &&
	    strcmp(c.publish_base_url, BASE) == 0, "[publish] base_url read");
	cm_sconf_free(&c);
	f = fopen(path, "w");
	fprintf(f, "%s[publish]\nbase_url = https://pki.example.com\n", head);
	fclose(f);
	ok(cm_sconf_load(&c, path, err, sizeof(err)) < 0 && strstr(err, "[publish]"),
	    "an https base_url stops the signer: %s", err);
	cm_sconf_free(&c);
	f = fopen(path, "w");
	fprintf(f, "%s", head);
	fclose(f);
	ok(cm_sconf_load(&c, path, err, sizeof(err)) == 0 && c.publish_base_url == NULL,
	    "no [publish]: no base (signerd warns at start)");
	cm_sconf_free(&c);
	unlink(path);
	rmdir(dir);
}

/* Through DER, as a relying party sees it. */
static X509 *
reparse(X509 *x)
{
	unsigned char *der = NULL;
	int n = x ? i2d_X509(x, &der) : -1;
	const unsigned char *q = der;
	X509 *y = n > 0 ? d2i_X509(NULL, &q, n) : NULL;
	OPENSSL_free(der);
	return y;
}

static void
test_build(void)
{
	char err[256], reason[256], got[512];
	EVP_PKEY *rk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *ik = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *ek = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509_NAME *rn = cm_dn_parse("/C=GB/O=T/CN=T Root", err, sizeof(err));
	X509_NAME *in = cm_dn_parse("/C=GB/O=T/CN=T Issuing", err, sizeof(err));
	X509 *root = cm_ca_cert_build(rn, rk, NULL, rk, 30, -1, NULL, BASE, err, sizeof(err));
	X509 *ica = root ? cm_ca_cert_build(in, ik, root, rk, 20, 0, NULL, BASE, err, sizeof(err)) : NULL;
	X509 *plain = root ? cm_ca_cert_build(in, ik, root, rk, 20, 0, NULL, NULL, err, sizeof(err)) : NULL;
	X509 *iss = reparse(ica);
	ok(root && iss && plain, "root and issuing CA built");

	cdp_uri(root, got, sizeof(got));
	ok(got[0] == '\0' && aia_uri(root, NID_ad_ca_issuers, got, sizeof(got)) == 0, "the self-signed root has no CDP or AIA");
	cdp_uri(iss, got, sizeof(got));
	is_str(got, BASE "/crl/root.crl", "issuing CA: CDP is the root's CRL");
	int naia = aia_uri(iss, NID_ad_ca_issuers, got, sizeof(got));
	is_str(got, BASE "/ca/root.crt", "issuing CA: caIssuers is the root certificate");
	aia_uri(iss, NID_ad_OCSP, got, sizeof(got));
	ok(naia == 1 && got[0] == '\0', "issuing CA: no OCSP entry (the root has no responder)");
	cdp_uri(plain, got, sizeof(got));
	ok(got[0] == '\0', "no base: no CDP on the issuing CA");

	/* An end-entity certificate under a profile with a policy OID. */
	struct cm_profiles ps;
	const char *text = "[profile tls]\nkey_usage = digitalSignature\next_key_usage = serverAuth\n"
	    "max_days = 10\nkey_types = ec\nec_curves = P-256\nsubject_attrs = CN\nsan_types = DNS\n"
	    "policy_oid = " OID "\n";
	if (!ok(cm_profiles_parse(&ps, text, strlen(text), "t", err, sizeof(err)) == 0, "test profile parses"))
		printf("# %s\n", err);
	X509_REQ *req = X509_REQ_new();
	X509_NAME *sn = cm_dn_parse("/CN=www.example.com", err, sizeof(err));
	X509_REQ_set_subject_name(req, sn);
	X509_REQ_set_pubkey(req, ek);
	X509_REQ_sign(req, ek, EVP_sha256());
	unsigned char *csr = NULL;
	int csrlen = i2d_X509_REQ(req, &csr);
	const char *sans[] = { "DNS:www.example.com" };
	struct cm_profile_request rq = { csr, (size_t)csrlen, 5, NULL, sans, 1, NULL, 0, 0 };
	struct cm_profile_plan plan;
	unsigned char serial[CM_SERIAL_LEN];
	cm_serial_new(serial);
	int r = cm_profile_check(&ps.p[0], &rq, &plan, reason, sizeof(reason));
	if (!ok(r == 0, "request passes the profile"))
		printf("# %s\n", reason);
	X509 *ee = NULL, *bare = NULL;
	if (r == 0) {
		X509 *x = cm_issue_build(&ps.p[0], &plan, iss, ik, serial, BASE, reason, sizeof(reason));
		ee = reparse(x);
		X509_free(x);
		x = cm_issue_build(&ps.p[0], &plan, iss, ik, serial, NULL, reason, sizeof(reason));
		bare = reparse(x);
		X509_free(x);
		cm_profile_plan_free(&plan);
	}
	ok(ee != NULL, "end-entity certificate built");
	cdp_uri(ee, got, sizeof(got));
	is_str(got, BASE "/crl/issuing.crl", "end entity: CDP is the issuing CA's CRL");
	naia = aia_uri(ee, NID_ad_ca_issuers, got, sizeof(got));
	is_str(got, BASE "/ca/issuing.crt", "end entity: caIssuers is the issuing CA certificate");
	aia_uri(ee, NID_ad_OCSP, got, sizeof(got));
	is_str(got, BASE "/ocsp", "end entity: OCSP responder URL");
	is_int(naia, 2, "end entity: two AIA entries");
	policies(ee, got, sizeof(got));
	is_str(got, OID, "end entity: certificatePolicies carries the profile's OID");
	int crit = -1;
	if (ee) {
		int idx = X509_get_ext_by_NID(ee, NID_certificate_policies, -1);
		crit = idx >= 0 ? X509_EXTENSION_get_critical(X509_get_ext(ee, idx)) : -1;
	}
	is_int(crit, 0, "certificatePolicies is not critical");
	cdp_uri(bare, got, sizeof(got));
	ok(bare && got[0] == '\0' && aia_uri(bare, NID_info_access, got, sizeof(got)) == 0,
	    "no base: no CDP or AIA, the policy stays");
	policies(bare, got, sizeof(got));
	is_str(got, OID, "no base: certificatePolicies still there");

	/* The chain verifies with the new extensions in place. */
	X509_STORE *st = X509_STORE_new();
	X509_STORE_add_cert(st, root);
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	sk_X509_push(untrusted, iss);
	X509_STORE_CTX *sc = X509_STORE_CTX_new();
	X509_STORE_CTX_init(sc, st, ee, untrusted);
	ok(ee && X509_verify_cert(sc) == 1, "the end entity verifies up to the root");
	X509_STORE_CTX_free(sc);
	sk_X509_free(untrusted);
	X509_STORE_free(st);

	OPENSSL_free(csr);
	X509_NAME_free(sn);
	X509_REQ_free(req);
	X509_free(ee);
	X509_free(bare);
	X509_free(root);
	X509_free(ica);
	X509_free(iss);
	X509_free(plain);
	X509_NAME_free(rn);
	X509_NAME_free(in);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(ek);
}

int
main(void)
{
	test_base_url();
	test_policy_oid();
	test_sconf();
	test_build();
	return tap_done();
}
