/* policy.c: autoenroll.fcgi's rules against the database: the URL's customer, the ticket's realm, the organisation and its AD server, and the e-mail domain's delegation. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "autoenroll.h"
#include "log.h"
#include "ra_names.h"

/* 0 / -1; see autoenroll.h. A disabled customer is known (its refusal is
 * audited under it); an unknown one is not. The ticket's realm of the
 * customer is read in the same query (one round trip less per request);
 * aed_find_realm decides on it later, in the order of the codes. */
int
aed_find_customer(struct aed_req *r)
{
	struct cm_stmt *st = cm_db_prepare(r->db,
	    "SELECT c.id, c.enabled, COALESCE(k.id, 0), COALESCE(k.windows_domain, '') FROM customers c"
	    " LEFT JOIN kerberos_realms k ON k.customer_id = c.id AND k.realm = ? AND k.deleted_at IS NULL"
	    " WHERE c.uri = ? ORDER BY k.id LIMIT 1");
	int f, rc = -1;

	if (st == NULL || cm_stmt_bind_str(st, 0, r->realm) < 0 || cm_stmt_bind_str(st, 1, r->customer_uri) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0) {
		aed_fail(r, AED_ENROLL_FAILED, 503, "customer lookup: %s", cm_db_error(r->db));
	} else if (f == 0) {
		aed_fail(r, AED_CUSTOMER_INVALID, 0, "no customer %s", r->customer_uri);
	} else {
		r->customer_id = cm_stmt_i64(st, 0);
		/* An empty realm (no principal) matches no live realm row. */
		r->realm_id = r->realm[0] ? cm_stmt_i64(st, 2) : 0;
		if (r->realm_id > 0)
			cm_stmt_copy_str(st, 3, r->windows_domain, sizeof(r->windows_domain));
		if (cm_stmt_i64(st, 1) == 0)
			aed_fail(r, AED_CUSTOMER_DISABLED, 0, "customer %s is disabled", r->customer_uri);
		else
			rc = 0;
	}
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* 0 / -1; see autoenroll.h. Apache accepts any key of the customer's
 * merged keytab, so the realm is checked here too: a ticket of a realm the
 * customer does not (or no longer) serve is refused. aed_find_customer
 * read the realm row. */
int
aed_find_realm(struct aed_req *r)
{
	if (r->realm_id <= 0)
		return aed_fail(r, AED_DOMAIN_MISMATCH, 0, "realm %s is no live Kerberos realm of customer %s",
		    r->realm, r->customer_uri);
	return 0;
}

/* The live organisations of r's customer bound to AD servers: those of
 * domain (server_id 0), else those of server_id. Up to two ids into ids,
 * and the first one's client_enabled and AD server into *first_client and
 * *first_server (so that the organisation need not be read again); the
 * count (0, 1, 2 = several), or -1 on a database error. */
static int
bound_orgs(struct aed_req *r, const char *domain, int64_t server_id, int64_t ids[2], int *first_client,
    int64_t *first_server)
{
	struct cm_stmt *st = cm_db_prepare(r->db,
	    "SELECT o.id, o.client_enabled, o.ad_server_id FROM organizations o JOIN ad_servers s ON s.id = o.ad_server_id"
	    " AND s.customer_id = o.customer_id AND s.deleted_at IS NULL"
	    " WHERE o.customer_id = ? AND o.deleted_at IS NULL AND (s.domain = ? OR s.id = ?)"
	    " ORDER BY o.id LIMIT 2");
	int n = 0, f;

	if (st == NULL || cm_stmt_bind_i64(st, 0, r->customer_id) < 0 ||
	    cm_stmt_bind_str(st, 1, domain ? domain : "") < 0 || cm_stmt_bind_i64(st, 2, server_id) < 0 ||
	    cm_stmt_execute(st) < 0) {
		n = -1;
		goto out;
	}
	while ((f = cm_stmt_fetch(st)) == 1 && n < 2) {
		if (n == 0) {
			*first_client = (int)cm_stmt_i64(st, 1);
			*first_server = cm_stmt_i64(st, 2);
		}
		ids[n++] = cm_stmt_i64(st, 0);
	}
	if (f < 0)
		n = -1;
out:
	if (st)
		cm_stmt_close(st);
	return n;
}

/* How many live AD servers of r's customer serve domain; -1 on error. */
static int
servers_of_domain(struct aed_req *r, const char *domain)
{
	struct cm_stmt *st = cm_db_prepare(r->db,
	    "SELECT COUNT(*) FROM ad_servers WHERE customer_id = ? AND domain = ? AND deleted_at IS NULL");
	int n = -1;

	if (st != NULL && cm_stmt_bind_i64(st, 0, r->customer_id) == 0 && cm_stmt_bind_str(st, 1, domain) == 0 &&
	    cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1)
		n = (int)cm_stmt_i64(st, 0);
	if (st)
		cm_stmt_close(st);
	return n;
}

/*
 * 0 / -1; see autoenroll.h. The numbering, in the order the rules are tried:
 *   orgid given:      not a live organisation of this customer       6
 *   no orgid, the customer has AD servers of the realm's Windows domain:
 *                     no live organisation bound to one of them       8
 *                     several                                        11
 *   no orgid, no server of that domain, so the default AD server's:
 *                     the customer has no default server              9
 *                     no live organisation bound to it                7
 *                     several                                        11
 *   the organisation has client certificates off                     11
 *   the organisation is bound to no AD server (orgid given)          12
 *   its AD server cannot be loaded: gone                             12
 *                     or unusable (sealed password, no keytab)       13
 * A server of another domain than the realm's (the default one, or the
 * server of the orgid's organisation) is used only for users whose
 * userPrincipalName is the ticket's principal (directory.c, else 10): its
 * sAMAccountName "alice" may be another person than alice@REALM.
 */
int
aed_find_org(struct aed_req *r)
{
	struct cm_stmt *st = NULL;
	int64_t ids[2] = { 0, 0 }, server_id = 0;
	char why[512];
	int n, f, rc = -1, client = 0, known = 0;

	if (r->f.orgid > 0) {
		r->org_id = r->f.orgid;
	} else if ((n = servers_of_domain(r, r->windows_domain)) < 0) {
		return aed_fail(r, AED_ENROLL_FAILED, 503, "AD servers: %s", cm_db_error(r->db));
	} else if (n > 0) {
		if ((n = bound_orgs(r, r->windows_domain, 0, ids, &client, &server_id)) < 0)
			return aed_fail(r, AED_ENROLL_FAILED, 503, "organisations: %s", cm_db_error(r->db));
		if (n == 0)
			return aed_fail(r, AED_NO_MATCHED_ORG, 0,
			    "no organisation is bound to an AD server of domain %s", r->windows_domain);
		if (n > 1)
			return aed_fail(r, AED_NO_SUITABLE_ORG, 0,
			    "organisations %lld and %lld (at least) are bound to AD servers of domain %s: send orgid",
			    (long long)ids[0], (long long)ids[1], r->windows_domain);
		r->org_id = ids[0];
		known = 1;
	} else {
		int64_t def = cm_ad_default_server(r->db, r->customer_id);
		if (def < 0)
			return aed_fail(r, AED_ENROLL_FAILED, 503, "default AD server: %s", cm_db_error(r->db));
		if (def == 0)
			return aed_fail(r, AED_NO_AD_SERVER, 0,
			    "no AD server of domain %s and no default AD server", r->windows_domain);
		if ((n = bound_orgs(r, NULL, def, ids, &client, &server_id)) < 0)
			return aed_fail(r, AED_ENROLL_FAILED, 503, "organisations: %s", cm_db_error(r->db));
		if (n == 0)
			return aed_fail(r, AED_NO_ORGANIZATION, 0, "no organisation is bound to the default AD server %lld",
			    (long long)def);
		if (n > 1)
			return aed_fail(r, AED_NO_SUITABLE_ORG, 0,
			    "organisations %lld and %lld (at least) are bound to the default AD server: send orgid",
			    (long long)ids[0], (long long)ids[1]);
		r->org_id = ids[0];
		known = 1;
	}
	/* An organisation found through its AD server was read already. */
	if (known)
		goto have_org;
	st = cm_db_prepare(r->db,
	    "SELECT client_enabled, COALESCE(ad_server_id, 0) FROM organizations"
	    " WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
	if (st == NULL || cm_stmt_bind_i64(st, 0, r->org_id) < 0 || cm_stmt_bind_i64(st, 1, r->customer_id) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0) {
		aed_fail(r, AED_ENROLL_FAILED, 503, "organisation: %s", cm_db_error(r->db));
		goto out;
	}
	if (f == 0) {
		aed_fail(r, AED_ORGID_INVALID, 0, "orgid %lld is no live organisation of customer %s",
		    (long long)r->org_id, r->customer_uri);
		r->org_id = 0;
		goto out;
	}
	client = (int)cm_stmt_i64(st, 0);
	server_id = cm_stmt_i64(st, 1);
have_org:
	if (client == 0) {
		aed_fail(r, AED_NO_SUITABLE_ORG, 0, "organisation %lld has client certificates off", (long long)r->org_id);
		goto out;
	}
	if (server_id == 0) {
		aed_fail(r, AED_NO_MATCHED_AD, 0, "organisation %lld is bound to no AD server", (long long)r->org_id);
		goto out;
	}
	why[0] = '\0';
	f = cm_ad_server_load(r->db, &r->w->app->settings, r->customer_id, server_id, &r->ad, why, sizeof(why));
	if (f == 1) {
		aed_fail(r, AED_NO_MATCHED_AD, 0, "AD server %lld of organisation %lld is gone", (long long)server_id,
		    (long long)r->org_id);
		goto out;
	}
	if (f < 0) {
		aed_fail(r, AED_AD_FAILED, 500, "AD server %lld cannot be used: %s", (long long)server_id, why);
		goto out;
	}
	r->ad_loaded = 1;
	r->ad_other_domain = strcasecmp(r->ad.domain, r->windows_domain) != 0;
	rc = 0;
out:
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* 0 / -1; see autoenroll.h. The lifecycle checks the names again when it
 * issues; this tells the two refusals apart for the client. The
 * organisation's check comes first: what passes it passes the customer's
 * (the same query, narrowed to one organisation), so the customer's is
 * asked only to tell 4 from 5 (one query less for a good request). */
int
aed_check_domain(struct aed_req *r)
{
	char err[512], err2[512];
	int st = cm_ra_check_names(r->db, r->customer_id, r->org_id, 0, "client", r->csr.req, err, sizeof(err));

	if (st == 400) {
		int cst = cm_ra_check_names(r->db, r->customer_id, 0, 0, "client", r->csr.req, err2, sizeof(err2));
		if (cst == 400)
			return aed_fail(r, AED_NO_MATCHED_DOMAIN, 0, "%s", err2);
		if (cst != 0)
			return aed_fail(r, AED_ENROLL_FAILED, 503, "the names could not be checked");
		return aed_fail(r, AED_DOMAIN_UNAUTHORIZED, 0, "%s", err);
	}
	if (st != 0)
		return aed_fail(r, AED_ENROLL_FAILED, 503, "the names could not be checked");
	return 0;
}
