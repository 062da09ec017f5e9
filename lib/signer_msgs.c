/* signer_msgs.c: the closed set of signer messages: op and tag names, and the field set of every request and reply. */
#include "config.h"

#include <string.h>

#include "signer_proto.h"

/* Reserved ops are named too, so logs and [access] errors can say which one
 * a peer or an operator asked for. */
static const char *const op_names[OP__MAX] = {
	[OP_CA_INIT] = "ca-init",
	[OP_CA_IMPORT] = "ca-import",
	[OP_CA_CHAIN] = "ca-chain",
	[OP_ISSUE] = "issue",
	[OP_CRL_SIGN] = "crl-sign",
	[OP_OCSP_SIGN] = "ocsp-sign",
	[OP_SCEP_DECRYPT] = "scep-decrypt",
	[OP_SCEP_CERTREP] = "scep-certrep",
	[OP_KEYGEN] = "keygen",
	[OP_CODE_SIGN] = "code-sign",
	[OP_TIMESTAMP] = "timestamp",
	[OP_AUDIT_CHECKPOINT] = "audit-checkpoint",
	[OP_VAULT_BACKUP] = "vault-backup",
	[OP_VAULT_RESTORE] = "vault-restore",
};

static const char *const tag_names[TAG__MAX] = {
	[TAG_KEY_TYPE] = "key-type",
	[TAG_ROOT_SUBJECT] = "root-subject",
	[TAG_ISSUING_SUBJECT] = "issuing-subject",
	[TAG_ROOT_DAYS] = "root-days",
	[TAG_ISSUING_DAYS] = "issuing-days",
	[TAG_ROOT_PEM] = "root-pem",
	[TAG_ISSUING_PEM] = "issuing-pem",
	[TAG_ISSUING_KEY_PEM] = "issuing-key-pem",
	[TAG_PASSPHRASE] = "passphrase",
	[TAG_CHAIN_PEM] = "chain-pem",
	[TAG_PROFILE] = "profile",
	[TAG_CSR_DER] = "csr-der",
	[TAG_VALIDITY_DAYS] = "validity-days",
	[TAG_SUBJECT] = "subject",
	[TAG_SAN] = "san",
	[TAG_EKU] = "eku",
	[TAG_CA] = "ca",
	[TAG_CERT_DER] = "cert-der",
	[TAG_SERIAL_HEX] = "serial-hex",
	[TAG_REASON] = "reason",
	[TAG_DEADLINE_MS] = "deadline-ms",
	[TAG_ERR_CLASS] = "err-class",
	[TAG_AUDIT_ID] = "audit-id",
	[TAG_AUDIT_HASH] = "audit-hash",
	[TAG_CHECKPOINT_AFTER] = "checkpoint-after",
	[TAG_CHECKPOINT] = "checkpoint",
	[TAG_CHECKPOINT_KEY_PEM] = "checkpoint-key-pem",
	[TAG_NAME_CONSTRAINTS] = "name-constraints",
	[TAG_CRL_STEP] = "crl-step",
	[TAG_CRL_ISSUER] = "crl-issuer",
	[TAG_THIS_UPDATE] = "this-update",
	[TAG_NEXT_UPDATE] = "next-update",
	[TAG_CRL_ENTRIES] = "crl-entries",
	[TAG_CRL_NUMBER] = "crl-number",
	[TAG_CRL_DER_LEN] = "crl-der-len",
	[TAG_CRL_OFFSET] = "crl-offset",
	[TAG_CRL_DER] = "crl-der",
	[TAG_OCSP_ITEM] = "ocsp-item",
	[TAG_OCSP_RESPONSE] = "ocsp-response",
	[TAG_SCEP_ENVELOPE] = "scep-envelope",
	[TAG_SCEP_CONTENT] = "scep-content",
	[TAG_SCEP_CIPHER] = "scep-cipher",
	[TAG_SCEP_PKI_STATUS] = "scep-pki-status",
	[TAG_SCEP_FAIL_INFO] = "scep-fail-info",
	[TAG_SCEP_TRANSACTION_ID] = "scep-transaction-id",
	[TAG_SCEP_RECIPIENT_NONCE] = "scep-recipient-nonce",
	[TAG_SCEP_DIGEST] = "scep-digest",
	[TAG_SCEP_RECIPIENT_CERT] = "scep-recipient-cert",
	[TAG_SCEP_CRL_DER] = "scep-crl-der",
	[TAG_SCEP_PKI_MESSAGE] = "scep-pki-message",
	[TAG_SCEP_RA_CERT] = "scep-ra-cert",
};

#define REQ CM_FIELD_REQUIRED
#define REP CM_FIELD_REPEAT
#define RULES(a) (sizeof(a) / sizeof((a)[0])), (a)

/* Requests. */
static const struct cm_field_rule ca_init_req[] = {
	{ TAG_KEY_TYPE, REQ }, { TAG_ROOT_SUBJECT, REQ }, { TAG_ISSUING_SUBJECT, REQ },
	{ TAG_ROOT_DAYS, 0 }, { TAG_ISSUING_DAYS, 0 }, { TAG_NAME_CONSTRAINTS, 0 },
	{ TAG_DEADLINE_MS, 0 },
};
static const struct cm_field_rule ca_import_req[] = {
	{ TAG_ROOT_PEM, REQ }, { TAG_ISSUING_PEM, REQ }, { TAG_ISSUING_KEY_PEM, REQ },
	{ TAG_PASSPHRASE, 0 },
	{ TAG_DEADLINE_MS, 0 },
};
static const struct cm_field_rule issue_req[] = {
	{ TAG_PROFILE, REQ }, { TAG_CSR_DER, REQ }, { TAG_VALIDITY_DAYS, 0 }, { TAG_SUBJECT, 0 },
	{ TAG_SAN, REP }, { TAG_EKU, REP }, { TAG_CA, 0 },
	{ TAG_DEADLINE_MS, 0 },
};
/* Every request may carry the client's deadline (TAG_DEADLINE_MS). */
static const struct cm_field_rule ca_chain_req[] = {
	{ TAG_DEADLINE_MS, 0 },
};
/* Record mode (AUDIT_ID and AUDIT_HASH) or list mode (neither, optional
 * CHECKPOINT_AFTER): one table, the handler refuses a mix. */
static const struct cm_field_rule audit_checkpoint_req[] = {
	{ TAG_AUDIT_ID, 0 }, { TAG_AUDIT_HASH, 0 }, { TAG_CHECKPOINT_AFTER, 0 },
	{ TAG_DEADLINE_MS, 0 },
};
/* One table for the four steps (CM_CRL_STEP_*): signer/crl.c checks which
 * fields each step needs. */
static const struct cm_field_rule crl_sign_req[] = {
	{ TAG_CRL_STEP, REQ }, { TAG_CRL_ISSUER, 0 }, { TAG_THIS_UPDATE, 0 }, { TAG_NEXT_UPDATE, 0 },
	{ TAG_CRL_ENTRIES, 0 }, { TAG_CRL_OFFSET, 0 },
	{ TAG_DEADLINE_MS, 0 },
};
/* OCSP_ITEM 1..CM_OCSP_MAX_ITEMS times: signer/ocsp.c counts them. */
static const struct cm_field_rule ocsp_sign_req[] = {
	{ TAG_OCSP_ITEM, REQ | REP },
	{ TAG_DEADLINE_MS, 0 },
};

static const struct cm_field_rule scep_decrypt_req[] = {
	{ TAG_SCEP_ENVELOPE, REQ },
	{ TAG_DEADLINE_MS, 0 },
};
/* Which fields each status needs (SUCCESS: cipher, recipient, certs or a
 * CRL; FAILURE: fail-info) is checked by signer/scep_ops.c. */
static const struct cm_field_rule scep_certrep_req[] = {
	{ TAG_SCEP_PKI_STATUS, REQ }, { TAG_SCEP_FAIL_INFO, 0 }, { TAG_SCEP_TRANSACTION_ID, REQ },
	{ TAG_SCEP_RECIPIENT_NONCE, 0 }, { TAG_SCEP_DIGEST, REQ }, { TAG_SCEP_CIPHER, 0 },
	{ TAG_SCEP_RECIPIENT_CERT, 0 }, { TAG_CERT_DER, REP }, { TAG_SCEP_CRL_DER, 0 },
	{ TAG_DEADLINE_MS, 0 },
};

/* OK replies. */
/* SCEP_RA_CERT only once the signer has an RA pair (issue 10). */
static const struct cm_field_rule ca_chain_reply[] = {
	{ TAG_CHAIN_PEM, REQ }, { TAG_SCEP_RA_CERT, 0 },
};
static const struct cm_field_rule scep_decrypt_reply[] = {
	{ TAG_SCEP_CONTENT, REQ }, { TAG_SCEP_CIPHER, REQ },
};
static const struct cm_field_rule scep_certrep_reply[] = {
	{ TAG_SCEP_PKI_MESSAGE, REQ },
};
static const struct cm_field_rule issue_reply[] = {
	{ TAG_CERT_DER, REQ }, { TAG_SERIAL_HEX, REQ },
};
static const struct cm_field_rule audit_checkpoint_reply[] = {
	{ TAG_CHECKPOINT, REP }, { TAG_CHECKPOINT_KEY_PEM, 0 },
};
/* begin and entries: nothing; sign: CRL_NUMBER CRL_DER_LEN; read: CRL_DER. */
static const struct cm_field_rule crl_sign_reply[] = {
	{ TAG_CRL_NUMBER, 0 }, { TAG_CRL_DER_LEN, 0 }, { TAG_CRL_DER, 0 },
};
/* One OCSP_RESPONSE per item, in order; the times used for all of them. */
static const struct cm_field_rule ocsp_sign_reply[] = {
	{ TAG_OCSP_RESPONSE, REQ | REP }, { TAG_THIS_UPDATE, REQ }, { TAG_NEXT_UPDATE, REQ },
};

/* The ERR reply to any request. */
static const struct cm_field_rule err_reply[] = {
	{ TAG_REASON, REQ },
	{ TAG_ERR_CLASS, 0 },
};

/* An entry with what == NULL has no field set: reserved ops stay that way
 * until they are served, so no request or reply decodes for them. */
static const struct cm_msg_spec requests[OP__MAX] = {
	[OP_CA_INIT] = { "ca-init request", RULES(ca_init_req) },
	[OP_CA_IMPORT] = { "ca-import request", RULES(ca_import_req) },
	[OP_CA_CHAIN] = { "ca-chain request", RULES(ca_chain_req) },
	[OP_ISSUE] = { "issue request", RULES(issue_req) },
	[OP_AUDIT_CHECKPOINT] = { "audit-checkpoint request", RULES(audit_checkpoint_req) },
	[OP_CRL_SIGN] = { "crl-sign request", RULES(crl_sign_req) },
	[OP_OCSP_SIGN] = { "ocsp-sign request", RULES(ocsp_sign_req) },
	[OP_SCEP_DECRYPT] = { "scep-decrypt request", RULES(scep_decrypt_req) },
	[OP_SCEP_CERTREP] = { "scep-certrep request", RULES(scep_certrep_req) },
};

static const struct cm_msg_spec replies[OP__MAX] = {
	[OP_CA_INIT] = { "ca-init reply", 0, NULL },
	[OP_CA_IMPORT] = { "ca-import reply", 0, NULL },
	[OP_CA_CHAIN] = { "ca-chain reply", RULES(ca_chain_reply) },
	[OP_ISSUE] = { "issue reply", RULES(issue_reply) },
	[OP_AUDIT_CHECKPOINT] = { "audit-checkpoint reply", RULES(audit_checkpoint_reply) },
	[OP_CRL_SIGN] = { "crl-sign reply", RULES(crl_sign_reply) },
	[OP_OCSP_SIGN] = { "ocsp-sign reply", RULES(ocsp_sign_reply) },
	[OP_SCEP_DECRYPT] = { "scep-decrypt reply", RULES(scep_decrypt_reply) },
	[OP_SCEP_CERTREP] = { "scep-certrep reply", RULES(scep_certrep_reply) },
};

static const struct cm_msg_spec error_reply = { "error reply", RULES(err_reply) };

/* The name, or NULL for anything outside enum cm_op. */
const char *
cm_op_name(unsigned op)
{
	if (op == 0 || op >= OP__MAX)
		return NULL;
	return op_names[op];
}

/* The op, or 0 when name is not one. */
unsigned
cm_op_parse(const char *name)
{
	for (unsigned op = 1; op < OP__MAX; op++)
		if (op_names[op] && strcmp(op_names[op], name) == 0)
			return op;
	return 0;
}

/* 1 served / 0 reserved or unknown. */
int
cm_op_served(unsigned op)
{
	return op > 0 && op < OP__MAX && requests[op].what != NULL;
}

/* The name, or NULL for a tag outside enum cm_tag. */
const char *
cm_tag_name(unsigned tag)
{
	if (tag == 0 || tag >= TAG__MAX)
		return NULL;
	return tag_names[tag];
}

/* The field set, or NULL when op has none. */
const struct cm_msg_spec *
cm_msg_spec(unsigned op, enum cm_msg_kind kind)
{
	if (kind == CM_MSG_REPLY_ERR)
		return &error_reply;
	if (op == 0 || op >= OP__MAX)
		return NULL;
	const struct cm_msg_spec *s = kind == CM_MSG_REQUEST ? &requests[op] : &replies[op];
	return s->what ? s : NULL;
}
