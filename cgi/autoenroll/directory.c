/* directory.c: step 3 of autoenroll.fcgi: the user in the organisation's Active Directory (lib/ad_lookup.h), with a short per-worker cache of the answers. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "autoenroll.h"
#include "log.h"

/*
 * The cache: one slot per (AD server id, principal), kept
 * [autoenroll] ad_cache_seconds (default 60, 0 off) in this worker only.
 * What it saves is one LDAP connect + bind + search per enrollment of the
 * same user (a logon script retrying, status then renew). Only good answers
 * are kept: a user found, enabled, with mail and cn; so a user disabled or
 * changed in AD is seen at most that long later. An entry is dropped when
 * it expires, when a lookup of the same key fails, and when the server row
 * it came from was edited (its URIs, DNs, TLS or bind settings: the slot
 * keeps a digest of them, compared with the row loaded for this request).
 * A worker's restart empties it.
 */

/* FNV-1a over s, continuing from h. */
static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	h ^= 0xff;                       /* a separator, so "ab"+"c" differs from "a"+"bc" */
	return h * 1099511628211ULL;
}

static uint64_t
server_sig(const struct cm_ad_server *s)
{
	uint64_t h = 14695981039346656037ULL;
	char flags[32];

	snprintf(flags, sizeof(flags), "%d/%d", s->starttls, s->simple_bind);
	h = fnv(h, s->uris);
	h = fnv(h, s->base_dn);
	h = fnv(h, s->users_base_dn);
	h = fnv(h, s->bind_dn);
	h = fnv(h, s->keytab_path);
	h = fnv(h, s->domain);
	return fnv(h, flags);
}

static struct aed_cached_user *
cache_find(struct aed_worker *w, const struct cm_ad_server *s, const char *principal)
{
	time_t now = time(NULL);

	if (w->cache_seconds <= 0)
		return NULL;
	for (size_t i = 0; i < AED_CACHE_SLOTS; i++) {
		struct aed_cached_user *c = &w->cache[i];
		if (c->server_id == s->id && c->at > 0 && strcmp(c->principal, principal) == 0) {
			if (now - c->at < w->cache_seconds && now >= c->at && c->server_sig == server_sig(s))
				return c;
			OPENSSL_cleanse(c, sizeof(*c));
			return NULL;
		}
	}
	return NULL;
}

static void
cache_put(struct aed_worker *w, const struct cm_ad_server *s, const char *principal, const struct cm_ad_user *u)
{
	int64_t server_id = s->id;

	struct aed_cached_user *slot = &w->cache[0];
	time_t now = time(NULL);

	if (w->cache_seconds <= 0)
		return;
	for (size_t i = 0; i < AED_CACHE_SLOTS; i++) {
		struct aed_cached_user *c = &w->cache[i];
		if (c->at == 0 || now - c->at >= w->cache_seconds ||
		    (c->server_id == server_id && strcmp(c->principal, principal) == 0)) {
			slot = c;
			break;
		}
		if (c->at < slot->at)
			slot = c;
	}
	slot->server_id = server_id;
	slot->server_sig = server_sig(s);
	snprintf(slot->principal, sizeof(slot->principal), "%s", principal);
	slot->u = *u;
	slot->at = now;
}

/* No return value; see autoenroll.h. */
void
aed_cache_forget(struct aed_worker *w, int64_t server_id, const char *principal)
{
	for (size_t i = 0; i < AED_CACHE_SLOTS; i++) {
		struct aed_cached_user *c = &w->cache[i];
		if (c->at > 0 && c->server_id == server_id && strcmp(c->principal, principal) == 0)
			OPENSSL_cleanse(c, sizeof(*c));
	}
}

/* A value AD gave that a certificate can carry: not empty, no control bytes. */
static int
usable(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* The directory's answer about the user, checked: 0, or -1 noted. */
static int
check_user(struct aed_req *r, const struct cm_ad_user *u)
{
	/* A server of another domain found the user perhaps by
	 * sAMAccountName alone: only the whole principal identifies them. */
	if (r->ad_other_domain && strcasecmp(u->upn, r->principal) != 0)
		return aed_fail(r, AED_DOMAIN_MISMATCH, 0,
		    "AD server %s is of domain %s, not the realm's %s, and %s's userPrincipalName is \"%s\"",
		    r->ad.name, r->ad.domain, r->windows_domain, r->principal, u->upn);
	if (u->disabled)
		return aed_fail(r, AED_AD_FAILED, 403, "account disabled in AD (%s, server %s)", u->dn, r->ad.name);
	if (!usable(u->mail) || strchr(u->mail, '@') == NULL)
		return aed_fail(r, AED_NO_AD_EMAIL, 0, "%s has no mail in AD (server %s)", u->dn, r->ad.name);
	if (!usable(u->cn))
		return aed_fail(r, AED_NO_AD_NAME, 0, "%s has no cn in AD (server %s)", u->dn, r->ad.name);
	return 0;
}

/*
 * The kept LDAP connections: one bound connection per AD server in each
 * worker, used for every lookup of that server (a connect + StartTLS + bind
 * costs several round trips and, with GSSAPI, a service ticket; the search
 * alone is one). A kept connection is closed and made again when:
 *   - the server row was edited (URIs, DNs, TLS, bind settings: the same
 *     digest as the answer cache's);
 *   - it was bound AED_LDAP_KEEP_SECONDS ago (so a new bind password, a
 *     changed keytab or CA file, or a DC that DNS now names otherwise, is
 *     used within that long, and no Kerberos session outlives its ticket);
 *   - the server closed it or sent a Notice of Disconnection
 *     (cm_ad_conn_usable, checked before each use);
 *   - a search on it failed: the lookup is then tried once more on a new
 *     connection, whose answer (or failure) is the one that counts.
 * Slots are per server id, never shared between customers' servers. A
 * worker's restart closes them.
 */
static struct aed_ldap_conn *
ldap_slot(struct aed_worker *w, const struct cm_ad_server *s, time_t now)
{
	struct aed_ldap_conn *free_slot = NULL, *lru = &w->ldap[0];
	uint64_t sig = server_sig(s);

	for (size_t i = 0; i < AED_LDAP_SLOTS; i++) {
		struct aed_ldap_conn *k = &w->ldap[i];
		if (k->conn != NULL && k->server_id == s->id) {
			if (k->server_sig == sig && now >= k->at && now - k->at < AED_LDAP_KEEP_SECONDS &&
			    cm_ad_conn_usable(k->conn))
				return k;
			cm_ad_close(k->conn);
			memset(k, 0, sizeof(*k));
			return k;
		}
		if (k->conn == NULL && free_slot == NULL)
			free_slot = k;
		if (k->used < lru->used)
			lru = k;
	}
	if (free_slot != NULL)
		return free_slot;
	cm_ad_close(lru->conn);
	memset(lru, 0, sizeof(*lru));
	return lru;
}

static void
ldap_drop(struct aed_ldap_conn *k)
{
	cm_ad_close(k->conn);
	memset(k, 0, sizeof(*k));
}

/* 0 / -1; see autoenroll.h. */
int
aed_lookup_user(struct aed_req *r)
{
	struct aed_cached_user *c = cache_find(r->w, &r->ad, r->principal);
	struct aed_ldap_conn *k;
	enum cm_ad_stage stage = CM_AD_OK;
	char why[512] = "";
	int f = -1, st = 0;
	time_t now = time(NULL);

	if (c != NULL) {
		r->user = c->u;
		r->cached = 1;
		r->ms_ad = 0;
		return check_user(r, &r->user);
	}
	long t0 = aed_now_ms();
	k = ldap_slot(r->w, &r->ad, now);
	for (int attempt = 0; attempt < 2; attempt++) {
		int kept = k->conn != NULL;

		if (!kept) {
			if ((st = cm_ad_connect(&r->ad, &k->conn, &stage, why, sizeof(why))) < 0) {
				k->conn = NULL;
				break;
			}
			k->server_id = r->ad.id;
			k->server_sig = server_sig(&r->ad);
			k->at = now;
		}
		k->used = now;
		f = cm_ad_find_user(k->conn, r->principal, &r->user, &stage, why, sizeof(why));
		if (f >= 0 || stage == CM_AD_AMBIGUOUS)
			break;
		/* A failed search leaves the connection in doubt: never kept. */
		ldap_drop(k);
		if (!kept)
			break;
	}
	r->ms_ad = aed_now_ms() - t0;
	if (st < 0)
		return aed_fail(r, AED_AD_FAILED, stage == CM_AD_CONFIG ? 500 : 503,
		    "AD server %s unreachable at %s: %s", r->ad.name, cm_ad_stage_name(stage), why);
	if (f < 0) {
		aed_cache_forget(r->w, r->ad.id, r->principal);
		return aed_fail(r, AED_AD_FAILED, stage == CM_AD_AMBIGUOUS ? 403 : 503,
		    "AD server %s: looking up %s failed at %s: %s", r->ad.name, r->principal, cm_ad_stage_name(stage),
		    why);
	}
	if (f == 1) {
		aed_cache_forget(r->w, r->ad.id, r->principal);
		return aed_fail(r, AED_AD_FAILED, 403, "user not found: %s is not in AD server %s", r->principal,
		    r->ad.name);
	}
	if (check_user(r, &r->user) < 0)
		return -1;
	cache_put(r->w, &r->ad, r->principal, &r->user);
	return 0;
}
