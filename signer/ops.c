/* ops.c: serves one request frame (op, field set, access, deadline) and handles ca-init, ca-import, ca-chain, issue and audit-checkpoint (crl-sign: signer/crl.c, ocsp-sign: signer/ocsp.c, scep-*: signer/scep_ops.c). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "ids.h"
#include "issue.h"
#include "log.h"
#include "names.h"
#include "namespace.h"
#include "ops.h"

#define MAX_PEM (64 * 1024)

/* Handler convention (enum op_result): 0 success with fields added to
 * reply after the OK header; 1 refused / -1 failed / 2 expired, each with a
 * reason for the requester. */
enum op_result {
	OP_DONE = 0,
	OP_REFUSED = 1,            /* policy: class "refused" */
	OP_FAULT = -1,             /* the signer failed: class "fault" */
	OP_EXPIRED = 2             /* the client's deadline passed: class "expired" */
};

static long long
wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Whether the request's deadline (TAG_DEADLINE_MS, wall-clock ms: client
 * and signer share one host's clock) has passed, at stage ("before
 * signing", ...). A client past its deadline has stopped waiting and told
 * its user the outcome is unknown; anything signed now would reach only the
 * journal. Returns 1 expired (reason set), 0 not, or no deadline (an older
 * client).
 */
static int
past_deadline(const struct cm_msg *m, const char *stage, char *reason, size_t rlen)
{
	uint64_t deadline;

	if (cm_msg_get_u64(m, TAG_DEADLINE_MS, &deadline) < 0)
		return 0;
	long long now = wall_ms();
	if (now < 0 || deadline > (uint64_t)now)
		return 0;
	long long late = now - (long long)deadline;
	snprintf(reason, rlen, "the request expired: its deadline passed %lld ms ago (%s); the client had stopped waiting, so nothing was signed",
	    late, stage);
	return 1;
}

/* The CA limits of signerd.conf into lim: lim, or NULL without a conf. */
static const struct cm_ca_limits *
ca_limits(const struct cm_signer_ctx *ctx, struct cm_ca_limits *lim)
{
	if (ctx->conf == NULL)
		return NULL;
	lim->max_root_days = ctx->conf->max_root_days;
	lim->max_issuing_days = ctx->conf->max_issuing_days;
	lim->ns = ctx->conf->namespaces_on ? &ctx->conf->ns : NULL;
	lim->publish_base = ctx->conf->publish_base_url;
	return lim;
}

/* A new CA gets its OCSP responder and SCEP RA pairs at once; a failure
 * is logged and retried by the next ocsp-sign or SCEP op, the CA stays. No
 * return value. */
static void
ocsp_after_ca(struct cm_signer_ctx *ctx)
{
	char why[256];
	if (ctx->ocsp && cm_ocsp_ensure(ctx->ocsp, why, sizeof(why)) != 0)
		cm_err("no OCSP responder certificate for the new CA yet: %s", why);
	if (ctx->scep && cm_scep_ra_ensure(ctx->scep, why, sizeof(why)) != 0)
		cm_err("no SCEP RA certificate for the new CA yet: %s", why);
}

static int
op_ca_init(struct cm_signer_ctx *ctx, const struct cm_msg *m, struct cm_buf *reply,
    char *reason, size_t rlen)
{
	char *kt = NULL, *rs = NULL, *is = NULL;
	uint32_t rd = 0, id = 0, nc = 0;
	struct cm_ca_limits lim;
	int bad1, bad2, bad3, ret = 1;

	kt = cm_msg_get_str(m, TAG_KEY_TYPE, 32, &bad1);
	rs = cm_msg_get_str(m, TAG_ROOT_SUBJECT, CM_PROTO_MAX_NAME, &bad2);
	is = cm_msg_get_str(m, TAG_ISSUING_SUBJECT, CM_PROTO_MAX_NAME, &bad3);
	if (!kt || !rs || !is) {
		snprintf(reason, rlen, "ca-init needs a key type, a root subject and an issuing subject");
		goto out;
	}
	if ((cm_msg_get(m, TAG_ROOT_DAYS) && cm_msg_get_u32(m, TAG_ROOT_DAYS, &rd) < 0) ||
	    (cm_msg_get(m, TAG_ISSUING_DAYS) && cm_msg_get_u32(m, TAG_ISSUING_DAYS, &id) < 0) ||
	    (cm_msg_get(m, TAG_NAME_CONSTRAINTS) && cm_msg_get_u32(m, TAG_NAME_CONSTRAINTS, &nc) < 0)) {
		snprintf(reason, rlen, "CA validity and name-constraints fields must be 4-byte integers");
		goto out;
	}
	ret = cm_ca_init(ctx->ca, kt, rs, is, (long)rd, (long)id, nc != 0, ca_limits(ctx, &lim), reason, rlen);
	if (ret == 0)
		cm_info("CA created (%s): root %s, issuing %s%s", kt, rs, is,
		    nc ? ", name-constrained to [namespaces]" : "");
	if (ret == 0)
		ocsp_after_ca(ctx);
	else if (ret == 1)
		cm_info("refused ca-init: %s", reason);
out:
	(void)reply;
	free(kt);
	free(rs);
	free(is);
	return ret;
}

static void
free_secret(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

static int
op_ca_import(struct cm_signer_ctx *ctx, const struct cm_msg *m, struct cm_buf *reply,
    char *reason, size_t rlen)
{
	char *root = NULL, *iss = NULL, *key = NULL, *pass = NULL;
	struct cm_ca_limits lim;
	int bad, ret = 1;

	root = cm_msg_get_str(m, TAG_ROOT_PEM, MAX_PEM, &bad);
	iss = cm_msg_get_str(m, TAG_ISSUING_PEM, MAX_PEM, &bad);
	key = cm_msg_get_str(m, TAG_ISSUING_KEY_PEM, MAX_PEM, &bad);
	pass = cm_msg_get_str(m, TAG_PASSPHRASE, CM_PROTO_MAX_NAME, &bad);
	if (!root || !iss || !key) {
		snprintf(reason, rlen, "ca-import needs the root and issuing certificates and the issuing key (PEM, up to %d bytes each)", MAX_PEM);
		goto out;
	}
	ret = cm_ca_import(ctx->ca, root, iss, key, pass, ca_limits(ctx, &lim), reason, rlen);
	if (ret == 0) {
		cm_info("CA imported");
		ocsp_after_ca(ctx);
	}
out:
	(void)reply;
	free(root);
	free(iss);
	free_secret(key);
	free_secret(pass);
	return ret;
}

static int
op_ca_chain(struct cm_signer_ctx *ctx, const struct cm_msg *m, struct cm_buf *reply,
    char *reason, size_t rlen)
{
	struct cm_buf pem;
	int ret;
	(void)m;
	cm_buf_init(&pem, MAX_PEM);
	ret = cm_ca_chain(ctx->ca, &pem, reason, rlen);
	if (ret == 0 && cm_enc_bytes(reply, TAG_CHAIN_PEM, pem.data, pem.len) < 0) {
		snprintf(reason, rlen, "chain too large");
		ret = -1;
	}
	/* The SCEP RA certificate, for GetCACert, once there is one. */
	X509 *ra = ret == 0 && ctx->scep ? cm_scep_ra_current(ctx->scep) : NULL;
	unsigned char *der = NULL;
	int dlen = ra ? i2d_X509(ra, &der) : 0;
	if (ra && (dlen <= 0 || cm_enc_bytes(reply, TAG_SCEP_RA_CERT, der, (size_t)dlen) < 0)) {
		snprintf(reason, rlen, "the RA certificate does not fit the reply");
		ret = -1;
	}
	OPENSSL_free(der);
	X509_free(ra);
	cm_buf_free(&pem);
	return ret;
}

/* Collects every repeated string field with tag: 0, or 1 with reason. */
static int
collect(const struct cm_msg *m, uint16_t tag, char **out, size_t max, size_t *n,
    char *reason, size_t rlen)
{
	*n = 0;
	for (size_t i = 0; i < m->nfields; i++) {
		if (m->fields[i].tag != tag)
			continue;
		if (*n == max) {
			snprintf(reason, rlen, "too many %s fields", tag == TAG_SAN ? "subjectAltName" : "extended key usage");
			return 1;
		}
		out[*n] = cm_field_strdup(&m->fields[i], CM_PROTO_MAX_NAME);
		if (out[*n] == NULL) {
			snprintf(reason, rlen, "a %s field is too long or contains NUL", tag == TAG_SAN ? "subjectAltName" : "extended key usage");
			return 1;
		}
		(*n)++;
	}
	return 0;
}

static int
op_issue(struct cm_signer_ctx *ctx, uid_t uid, const struct cm_msg *m, struct cm_buf *reply,
    char *reason, size_t rlen)
{
	char *profile = NULL, *subject = NULL;
	char *sans[CM_MAX_SANS + 1], *ekus[CM_PROFILE_MAX_LIST + 1];
	size_t nsans = 0, nekus = 0;
	struct cm_profile_plan plan;
	struct cm_profile_request in;
	X509 *ca_cert = NULL, *cert = NULL;
	EVP_PKEY *ca_key = NULL;
	unsigned char *der = NULL;
	struct cm_buf rec;
	unsigned char serial[CM_SERIAL_LEN];
	char hex[2 * CM_SERIAL_LEN + 1], subj[512];
	uint32_t days = 0, ca = 0;
	int bad, ret = 1, held = 0;

	memset(&plan, 0, sizeof(plan));
	memset(&in, 0, sizeof(in));
	cm_buf_init(&rec, 0);
	profile = cm_msg_get_str(m, TAG_PROFILE, 64, &bad);
	const struct cm_field *csr = cm_msg_get(m, TAG_CSR_DER);
	if (profile == NULL || csr == NULL) {
		snprintf(reason, rlen, "issue needs a profile name and a DER CSR");
		goto out;
	}
	const struct cm_profile *p = cm_profile_find(ctx->profiles, profile);
	if (p == NULL) {
		snprintf(reason, rlen, "unknown profile '%.64s'", profile);
		for (char *q = reason; *q; q++)
			if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
				*q = '?';
		goto out;
	}
	if (ctx->conf && !cm_sconf_profile_allowed(ctx->conf, uid, p->name)) {
		snprintf(reason, rlen, "profile %s not allowed for uid %u", p->name, (unsigned)uid);
		goto out;
	}
	if ((cm_msg_get(m, TAG_VALIDITY_DAYS) && cm_msg_get_u32(m, TAG_VALIDITY_DAYS, &days) < 0) ||
	    (cm_msg_get(m, TAG_CA) && cm_msg_get_u32(m, TAG_CA, &ca) < 0)) {
		snprintf(reason, rlen, "validity and CA fields must be 4-byte integers");
		goto out;
	}
	subject = cm_msg_get_str(m, TAG_SUBJECT, CM_PROTO_MAX_NAME, &bad);
	if (bad) {
		snprintf(reason, rlen, "subject is too long or contains NUL");
		goto out;
	}
	if (collect(m, TAG_SAN, sans, CM_MAX_SANS, &nsans, reason, rlen) ||
	    collect(m, TAG_EKU, ekus, CM_PROFILE_MAX_LIST, &nekus, reason, rlen))
		goto out;
	in.csr_der = csr->val;
	in.csr_len = csr->len;
	in.days = (long)days;
	in.subject = subject;
	in.sans = nsans ? (const char *const *)sans : NULL;
	in.nsans = nsans;
	in.ekus = (const char *const *)ekus;
	in.nekus = nekus;
	in.ca = ca != 0;
	if (ctx->cpu_slots) {
		while (sem_wait(ctx->cpu_slots) < 0 && errno == EINTR)
			;
		held = 1;
	}
	/* After the wait for a CPU slot, the last point before signing. */
	if (past_deadline(m, "before signing", reason, rlen)) {
		ret = OP_EXPIRED;
		goto out;
	}
	ret = cm_profile_check(p, &in, &plan, reason, rlen);
	if (ret == 0)
		ret = cm_names_check_plan(ctx->names, plan.subject, plan.sans, plan.eku, plan.neku, reason, rlen);
	if (ret != 0)
		goto out;
	/* The installation's name spaces, whatever the requester's rights. */
	if (ctx->conf && ctx->conf->namespaces_on &&
	    (ret = cm_ns_check(&ctx->conf->ns, plan.subject, plan.sans, (p->san_types & CM_SAN_DNS) != 0,
	    reason, rlen)) != 0)
		goto out;
	ret = cm_ca_get(ctx->ca, &ca_cert, &ca_key, reason, rlen);
	if (ret != 0)
		goto out;
	ret = -1;
	if (cm_serial_new(serial) < 0) {
		snprintf(reason, rlen, "random number generator failed");
		goto out;
	}
	cm_serial_hex(serial, hex);
	cert = cm_issue_build(p, &plan, ca_cert, ca_key, serial,
	    ctx->conf ? ctx->conf->publish_base_url : NULL, reason, rlen);
	if (cert == NULL)
		goto out;
	int dlen = i2d_X509(cert, &der);
	if (dlen <= 0) {
		snprintf(reason, rlen, "encoding the certificate failed");
		goto out;
	}
	X509_NAME_oneline(X509_get_subject_name(cert), subj, sizeof(subj));
	if (held) {
		sem_post(ctx->cpu_slots);
		held = 0;
	}
	/* Signed but not yet journalled: it can still be dropped as if never
	 * signed, and must be when its client has gone. */
	if (past_deadline(m, "signed, before journalling", reason, rlen)) {
		ret = OP_EXPIRED;
		goto out;
	}
	/* No certificate leaves the signer before it is on disk in the journal.
	 * A failure here is the signer's fault (disk full, I/O error), never a
	 * refusal: ret is -1 (class "fault"). */
	if (cm_journal_format(&rec, time(NULL), hex, p->name, uid, subj, der, (size_t)dlen) < 0 ||
	    cm_journal_append(ctx->journal, rec.data, rec.len) < 0) {
		int e = errno;
		cm_err("journal write failed for serial %s: %s; certificate withheld", hex, strerror(e));
		snprintf(reason, rlen, "the signer could not journal the certificate (%s), so it was not issued",
		    strerror(e));
		goto out;
	}
	/* Journalled, so issued: ocsp-sign may now say "good" for it. */
	if (ctx->issued && cm_issued_add(ctx->issued, serial, sizeof(serial)) < 0)
		cm_err("out of memory adding serial %s to the issued set: ocsp-sign will refuse good for it until a restart", hex);
	if (cm_enc_bytes(reply, TAG_CERT_DER, der, (size_t)dlen) < 0 ||
	    cm_enc_str(reply, TAG_SERIAL_HEX, hex) < 0) {
		snprintf(reason, rlen, "reply too large");
		goto out;
	}
	cm_info("issued serial %s profile %s for uid %u: %s", hex, p->name, (unsigned)uid, subj);
	ret = 0;
out:
	if (held)
		sem_post(ctx->cpu_slots);
	if (ret == 1)
		cm_info("refused issue (profile %s) for uid %u: %s", profile ? profile : "-", (unsigned)uid, reason);
	for (size_t i = 0; i < nsans; i++)
		free(sans[i]);
	for (size_t i = 0; i < nekus; i++)
		free(ekus[i]);
	free(profile);
	free(subject);
	cm_profile_plan_free(&plan);
	X509_free(ca_cert);
	X509_free(cert);
	EVP_PKEY_free(ca_key);
	OPENSSL_free(der);
	cm_buf_free(&rec);
	return ret;
}

/* ocsp-sign: a CPU slot and the deadline as for issue, the rest in
 * signer/ocsp.c. Handler convention. */
static int
op_ocsp_sign(struct cm_signer_ctx *ctx, uid_t uid, const struct cm_msg *m, struct cm_buf *reply,
    char *reason, size_t rlen)
{
	int held = 0, ret;

	if (ctx->ocsp == NULL) {
		snprintf(reason, rlen, "this signer has no OCSP responder");
		return OP_FAULT;
	}
	if (ctx->cpu_slots) {
		while (sem_wait(ctx->cpu_slots) < 0 && errno == EINTR)
			;
		held = 1;
	}
	if (past_deadline(m, "before signing", reason, rlen))
		ret = OP_EXPIRED;
	else
		ret = cm_ocsp_sign(ctx->ocsp, uid, m, reply, reason, rlen);
	if (held)
		sem_post(ctx->cpu_slots);
	return ret;
}

/* scep-decrypt and scep-certrep: a CPU slot and the deadline as for
 * ocsp-sign, the rest in signer/scep_ops.c. Handler convention. */
static int
op_scep(struct cm_signer_ctx *ctx, uid_t uid, unsigned op, const struct cm_msg *m, struct cm_buf *reply,
    char *reason, size_t rlen)
{
	int held = 0, ret;

	if (ctx->scep == NULL) {
		snprintf(reason, rlen, "this signer has no SCEP RA");
		return OP_FAULT;
	}
	if (ctx->cpu_slots) {
		while (sem_wait(ctx->cpu_slots) < 0 && errno == EINTR)
			;
		held = 1;
	}
	if (past_deadline(m, "before the RA key was used", reason, rlen))
		ret = OP_EXPIRED;
	else if (op == OP_SCEP_DECRYPT)
		ret = cm_scep_decrypt_op(ctx->scep, uid, m, reply, reason, rlen);
	else
		ret = cm_scep_certrep_op(ctx->scep, uid, m, reply, reason, rlen);
	if (held)
		sem_post(ctx->cpu_slots);
	return ret;
}

/* A decimal row id field: 0 and *id, or -1 when malformed ("0" only when
 * zero_ok). */
static int
get_row_id(const struct cm_field *f, int zero_ok, int64_t *id)
{
	if (zero_ok && f->len == 1 && f->val[0] == '0') {
		*id = 0;
		return 0;
	}
	*id = cm_id_parse_n((const char *)f->val, f->len);
	return *id > 0 ? 0 : -1;
}

/* Adds one checkpoint line to the reply: 0 / -1. */
static int
enc_checkpoint(struct cm_buf *reply, const struct cm_checkpoint *cp)
{
	char line[CM_CHECKPOINT_LINE_MAX + 1];
	int n = cm_checkpoint_format(cp, line, sizeof(line));
	return n < 0 ? -1 : cm_enc_bytes(reply, TAG_CHECKPOINT, line, (size_t)n);
}

/*
 * Record mode (AUDIT_ID + AUDIT_HASH): signs that chain head unless it
 * contradicts the latest checkpoint. List mode (neither): the checkpoints
 * above CHECKPOINT_AFTER, a page at a time, with the public key that
 * verifies them. Either way the key is the vault's own checkpoint key, not
 * the CA's: see signer/checkpoint.c.
 */
static int
op_audit_checkpoint(struct cm_signer_ctx *ctx, uid_t uid, const struct cm_msg *m,
    struct cm_buf *reply, char *reason, size_t rlen)
{
	const struct cm_field *fid = cm_msg_get(m, TAG_AUDIT_ID);
	const struct cm_field *fhash = cm_msg_get(m, TAG_AUDIT_HASH);
	const struct cm_field *fafter = cm_msg_get(m, TAG_CHECKPOINT_AFTER);
	struct cm_checkpoint *page = NULL, cp;
	char hash[65], *pub = NULL;
	int64_t id = 0;
	size_t n = 0;
	int ret = 1;

	if (ctx->checkpoints == NULL) {
		snprintf(reason, rlen, "this signer keeps no audit checkpoints");
		return -1;
	}
	if (fid || fhash) {
		if (!fid || !fhash || fafter) {
			snprintf(reason, rlen, "audit-checkpoint records with audit-id and audit-hash together, or lists with neither");
			goto out;
		}
		if (get_row_id(fid, 0, &id) < 0 || !cm_checkpoint_hash_ok((const char *)fhash->val, fhash->len)) {
			snprintf(reason, rlen, "audit-id must be a row number and audit-hash 64 lowercase hex digits");
			goto out;
		}
		memcpy(hash, fhash->val, 64);
		hash[64] = '\0';
		ret = cm_checkpoints_record(ctx->checkpoints, id, hash, time(NULL), &cp, reason, rlen);
		if (ret == 1)
			cm_warn("refused audit checkpoint at row %lld for uid %u: %s", (long long)id, (unsigned)uid, reason);
		if (ret != 0)
			goto out;
		cm_info("audit checkpoint at row %lld for uid %u", (long long)id, (unsigned)uid);
		if (enc_checkpoint(reply, &cp) < 0 ||
		    cm_enc_str(reply, TAG_CHECKPOINT_KEY_PEM, ctx->checkpoints->pub_pem) < 0) {
			snprintf(reason, rlen, "reply too large");
			ret = -1;
		}
		goto out;
	}
	if (fafter && get_row_id(fafter, 1, &id) < 0) {
		snprintf(reason, rlen, "checkpoint-after must be a row number or 0");
		goto out;
	}
	page = calloc(CM_CHECKPOINT_PAGE, sizeof(*page));
	if (page == NULL) {
		snprintf(reason, rlen, "out of memory");
		ret = -1;
		goto out;
	}
	ret = cm_checkpoints_list(ctx->checkpoints, id, page, CM_CHECKPOINT_PAGE, &n, &pub, reason, rlen);
	if (ret != 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (enc_checkpoint(reply, &page[i]) < 0)
			ret = -1;
	if (pub && cm_enc_str(reply, TAG_CHECKPOINT_KEY_PEM, pub) < 0)
		ret = -1;
	if (ret < 0)
		snprintf(reason, rlen, "reply too large");
out:
	free(page);
	free(pub);
	return ret;
}

/*
 * The class to put in an error reply to m: cls for a client that sent a
 * deadline (it knows TAG_ERR_CLASS), NULL for an older client, which would
 * take the unknown tag for a malformed reply and lose the reason.
 */
static const char *
err_class(const struct cm_msg *m, const char *cls)
{
	return cm_msg_get(m, TAG_DEADLINE_MS) ? cls : NULL;
}

/* 0 reply ready / -1 drop (logged). */
int
cm_ops_serve(struct cm_signer_ctx *ctx, uid_t uid, pid_t pid,
    const struct cm_frame_hdr *h, const unsigned char *payload, struct cm_buf *reply)
{
	const char *name = cm_op_name(h->op);
	struct cm_msg *m = NULL;
	char err[256], reason[128];
	int r, ret = -1;

	/* A closed set: an op this signer does not serve is a peer that is not
	 * ours (or not yet), and nothing it sent is worth reading further. */
	if (!cm_op_served(h->op)) {
		if (name)
			cm_warn("uid %u pid %d: operation %s (%u) is reserved, not yet served; dropping connection",
			    (unsigned)uid, (int)pid, name, (unsigned)h->op);
		else
			cm_warn("uid %u pid %d: unknown operation %u; dropping connection",
			    (unsigned)uid, (int)pid, (unsigned)h->op);
		return -1;
	}
	m = malloc(sizeof(*m));
	if (m == NULL)
		return -1;
	r = cm_msg_decode(h->op, CM_MSG_REQUEST, payload, h->payload_len, m, err, sizeof(err));
	if (r < 0) {
		cm_warn("uid %u pid %d: malformed %s request (%s); dropping connection",
		    (unsigned)uid, (int)pid, name, err);
		goto out;
	}
	/* The ACL first, so a uid learns nothing about an op it may not run. */
	if (ctx->conf && !cm_sconf_allowed(ctx->conf, uid, h->op)) {
		snprintf(reason, sizeof(reason), "operation %s not allowed for uid %u", name, (unsigned)uid);
		cm_warn("pid %d: %s", (int)pid, reason);
		ret = cm_enc_error_class(reply, h->request_id, err_class(m, CM_ERR_CLASS_REFUSED), reason);
		goto out;
	}
	if (r == 1) {
		/* Well framed, so the stream is still in step: refuse, keep serving. */
		cm_warn("uid %u pid %d: refused %s request: %s", (unsigned)uid, (int)pid, name, err);
		ret = cm_enc_error_class(reply, h->request_id, err_class(m, CM_ERR_CLASS_REFUSED), err);
		goto out;
	}
	ret = cm_ops_handle(ctx, uid, h->op, h->request_id, m, reply);
out:
	free(m);
	return ret;
}

/* 0 reply ready / -1 drop. */
int
cm_ops_handle(struct cm_signer_ctx *ctx, uid_t uid, unsigned op,
    uint32_t request_id, const struct cm_msg *m, struct cm_buf *reply)
{
	char reason[512] = "";
	int r;

	if (cm_enc_begin(reply, OP_REPLY_OK, request_id) < 0)
		return -1;
	const struct cm_field *dl = cm_msg_get(m, TAG_DEADLINE_MS);
	if (dl && dl->len != 8) {
		snprintf(reason, sizeof(reason), "the deadline field must be 8 bytes (ms since the epoch)");
		r = OP_REFUSED;
		goto answer;
	}
	/* A request that waited out its deadline in the socket (the signer was
	 * paused or busy) is not even started. */
	if (past_deadline(m, "queued", reason, sizeof(reason))) {
		r = OP_EXPIRED;
		goto answer;
	}
	switch (op) {
	case OP_CA_INIT: r = op_ca_init(ctx, m, reply, reason, sizeof(reason)); break;
	case OP_CA_IMPORT: r = op_ca_import(ctx, m, reply, reason, sizeof(reason)); break;
	case OP_CA_CHAIN: r = op_ca_chain(ctx, m, reply, reason, sizeof(reason)); break;
	case OP_ISSUE: r = op_issue(ctx, uid, m, reply, reason, sizeof(reason)); break;
	case OP_AUDIT_CHECKPOINT: r = op_audit_checkpoint(ctx, uid, m, reply, reason, sizeof(reason)); break;
	case OP_CRL_SIGN: r = cm_crl_op(ctx, uid, m, reply, reason, sizeof(reason)); break;
	case OP_OCSP_SIGN: r = op_ocsp_sign(ctx, uid, m, reply, reason, sizeof(reason)); break;
	case OP_SCEP_DECRYPT:
	case OP_SCEP_CERTREP: r = op_scep(ctx, uid, op, m, reply, reason, sizeof(reason)); break;
	default:
		snprintf(reason, sizeof(reason), "unknown operation");
		r = OP_REFUSED;
	}
answer:
	if (r == OP_DONE)
		return cm_enc_finish(reply);
	const char *cls = CM_ERR_CLASS_REFUSED;
	if (r == OP_FAULT) {
		cls = CM_ERR_CLASS_FAULT;
		cm_err("%s for uid %u failed: %s", cm_op_name(op) ? cm_op_name(op) : "?", (unsigned)uid, reason);
	} else if (r == OP_EXPIRED) {
		cls = CM_ERR_CLASS_EXPIRED;
		/* Dropped unsigned and unjournalled: the client was told "unknown",
		 * and this line is what an operator finds for it. */
		cm_warn("%s request %lu for uid %u expired, dropped: %s", cm_op_name(op) ? cm_op_name(op) : "?",
		    (unsigned long)request_id, (unsigned)uid, reason);
	}
	return cm_enc_error_class(reply, request_id, err_class(m, cls), reason[0] ? reason : "failed");
}
