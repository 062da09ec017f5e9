/* test_proto.c: unit tests for the signer wire protocol (lib/signer_proto.c, lib/signer_msgs.c): codec, field sets, reserved ops, I/O. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"
#include "signer_proto.h"

static void
test_roundtrip(void)
{
	struct cm_buf b;
	struct cm_frame_hdr h;
	struct cm_msg m;
	char err[256];
	uint32_t v = 0;

	cm_buf_init(&b, 0);
	ok(cm_enc_begin(&b, OP_ISSUE, 0x01020304) == 0, "begin");
	ok(cm_enc_str(&b, TAG_PROFILE, "tls-server") == 0, "profile field");
	ok(cm_enc_bytes(&b, TAG_CSR_DER, "\x30\x00\x01", 3) == 0, "binary field");
	ok(cm_enc_u32(&b, TAG_VALIDITY_DAYS, 90) == 0, "u32 field");
	ok(cm_enc_str(&b, TAG_SAN, "DNS:a.example") == 0 && cm_enc_str(&b, TAG_SAN, "DNS:b.example") == 0,
	    "repeatable field twice");
	ok(cm_enc_finish(&b) == 0, "finish");
	is_int(b.data[0], CM_PROTO_VERSION, "version byte");
	ok(cm_hdr_decode((unsigned char *)b.data, &h, err, sizeof(err)) == 0, "header decodes");
	is_int(h.op, OP_ISSUE, "op");
	is_int(h.request_id, 0x01020304, "request id");
	is_int(h.payload_len, b.len - CM_PROTO_HDR_LEN, "payload length");
	ok(cm_msg_decode(OP_ISSUE, CM_MSG_REQUEST, (unsigned char *)b.data + CM_PROTO_HDR_LEN, h.payload_len,
	    &m, err, sizeof(err)) == 0, "payload decodes");
	is_int(m.nfields, 5, "five fields");
	char *s = cm_msg_get_str(&m, TAG_PROFILE, 64, NULL);
	is_str(s, "tls-server", "string field");
	free(s);
	ok(cm_msg_get_u32(&m, TAG_VALIDITY_DAYS, &v) == 0 && v == 90, "u32 value");
	ok(cm_msg_get_u32(&m, TAG_PROFILE, &v) < 0, "u32 of a 10-byte field fails");
	const struct cm_field *f = cm_msg_get(&m, TAG_CSR_DER);
	ok(f && f->len == 3 && memcmp(f->val, "\x30\x00\x01", 3) == 0, "binary value");
	int bad = 0;
	char *nul = cm_msg_get_str(&m, TAG_CSR_DER, 64, &bad);
	ok(nul == NULL && bad, "string with NUL refused");
	char *longs = cm_msg_get_str(&m, TAG_PROFILE, 4, &bad);
	ok(longs == NULL && bad, "string over maxlen refused");
	ok(cm_msg_get(&m, TAG_SUBJECT) == NULL, "absent field is NULL");
	cm_buf_free(&b);
}

static void
test_malformed(void)
{
	struct cm_msg m;
	struct cm_frame_hdr h;
	char err[256];
	unsigned char hdr[CM_PROTO_HDR_LEN];

	/* Truncated field header / value. */
	const unsigned char trunc1[] = { 0, TAG_PROFILE, 0, 0 };
	ok(cm_msg_decode(OP_ISSUE, CM_MSG_REQUEST, trunc1, sizeof(trunc1), &m, err, sizeof(err)) < 0, "truncated field header refused");
	const unsigned char trunc2[] = { 0, TAG_PROFILE, 0, 0, 0, 9, 'a', 'b' };
	ok(cm_msg_decode(OP_ISSUE, CM_MSG_REQUEST, trunc2, sizeof(trunc2), &m, err, sizeof(err)) < 0 && strstr(err, "claims"),
	    "field longer than payload refused");
	const unsigned char huge[] = { 0, TAG_PROFILE, 0xff, 0xff, 0xff, 0xff };
	ok(cm_msg_decode(OP_ISSUE, CM_MSG_REQUEST, huge, sizeof(huge), &m, err, sizeof(err)) < 0, "4 GiB field length refused");
	/* Unknown tags. */
	const unsigned char unk[] = { 0x12, 0x34, 0, 0, 0, 0 };
	ok(cm_msg_decode(OP_ISSUE, CM_MSG_REQUEST, unk, sizeof(unk), &m, err, sizeof(err)) < 0 && strstr(err, "unknown field tag"),
	    "unknown tag refused");
	const unsigned char zero[] = { 0, 0, 0, 0, 0, 0 };
	ok(cm_msg_decode(OP_ISSUE, CM_MSG_REQUEST, zero, sizeof(zero), &m, err, sizeof(err)) < 0, "tag 0 refused");
	const unsigned char max[] = { 0, TAG__MAX, 0, 0, 0, 0 };
	ok(cm_msg_decode(OP_ISSUE, CM_MSG_REQUEST, max, sizeof(max), &m, err, sizeof(err)) < 0, "TAG__MAX refused");
	/* A non-repeatable tag twice. */
	const unsigned char twice[] = { 0, TAG_PROFILE, 0, 0, 0, 1, 'a', 0, TAG_PROFILE, 0, 0, 0, 1, 'b' };
	ok(cm_msg_decode(OP_ISSUE, CM_MSG_REQUEST, twice, sizeof(twice), &m, err, sizeof(err)) == 1 &&
	    strstr(err, "repeated"), "repeated profile refused");
	/* Too many fields: an issue request of a profile, a CSR and SANs. */
	size_t n = (CM_PROTO_MAX_FIELDS + 1) * CM_PROTO_FIELD_HDR;
	unsigned char *many = calloc(1, n);
	for (size_t i = 0; i < CM_PROTO_MAX_FIELDS + 1; i++)
		many[i * CM_PROTO_FIELD_HDR + 1] = i == 0 ? TAG_PROFILE : i == 1 ? TAG_CSR_DER : TAG_SAN;
	ok(cm_msg_decode(OP_ISSUE, CM_MSG_REQUEST, many, n, &m, err, sizeof(err)) < 0,
	    "more than CM_PROTO_MAX_FIELDS refused");
	ok(cm_msg_decode(OP_ISSUE, CM_MSG_REQUEST, many, n - CM_PROTO_FIELD_HDR, &m, err, sizeof(err)) == 0 &&
	    m.nfields == CM_PROTO_MAX_FIELDS, "exactly CM_PROTO_MAX_FIELDS accepted");
	free(many);
	ok(cm_msg_decode(OP_CA_CHAIN, CM_MSG_REQUEST, NULL, 0, &m, err, sizeof(err)) == 0 && m.nfields == 0,
	    "empty payload accepted");

	/* Header checks. */
	struct cm_frame_hdr fh = { CM_PROTO_VERSION, OP_CA_CHAIN, 7, CM_PROTO_MAX_PAYLOAD };
	cm_hdr_encode(hdr, &fh);
	ok(cm_hdr_decode(hdr, &h, err, sizeof(err)) == 0, "payload at the cap accepted");
	fh.payload_len = CM_PROTO_MAX_PAYLOAD + 1;
	cm_hdr_encode(hdr, &fh);
	ok(cm_hdr_decode(hdr, &h, err, sizeof(err)) < 0 && strstr(err, "exceeds"), "oversize refused");
	is_int(h.request_id, 7, "request id still available for the refusal");
	fh.payload_len = 0;
	fh.version = 2;
	cm_hdr_encode(hdr, &fh);
	ok(cm_hdr_decode(hdr, &h, err, sizeof(err)) < 0 && strstr(err, "version"), "bad version refused");
	fh.version = CM_PROTO_VERSION;
	cm_hdr_encode(hdr, &fh);
	hdr[1] = 1;
	ok(cm_hdr_decode(hdr, &h, err, sizeof(err)) < 0 && strstr(err, "reserved"), "reserved byte refused");

	/* Encoder cap. */
	struct cm_buf b;
	cm_buf_init(&b, 0);
	cm_enc_begin(&b, OP_ISSUE, 1);
	char *big = calloc(1, CM_PROTO_MAX_PAYLOAD);
	ok(cm_enc_bytes(&b, TAG_CSR_DER, big, CM_PROTO_MAX_PAYLOAD) < 0, "encoder refuses a field over the cap");
	ok(cm_enc_bytes(&b, TAG_CSR_DER, big, CM_PROTO_MAX_PAYLOAD - CM_PROTO_FIELD_HDR) == 0,
	    "encoder fills the frame exactly");
	ok(cm_enc_u32(&b, TAG_CA, 1) < 0, "no room left");
	free(big);
	cm_buf_free(&b);

	ok(cm_op_name(OP_ISSUE) && !strcmp(cm_op_name(OP_ISSUE), "issue"), "op name");
	ok(cm_op_name(0) == NULL && cm_op_name(OP__MAX) == NULL && cm_op_name(0x8000) == NULL, "unknown op names");
	is_int(cm_op_parse("ca-chain"), OP_CA_CHAIN, "op parse");
	is_int(cm_op_parse("sign-bytes"), 0, "unknown op parse");
}

/* Encodes the fields tags[0..n), with empty values (the field set is about
 * tags; values are the handlers' business), as the payload of a frame of op
 * in b; returns the payload. */
static const unsigned char *
payload_of(struct cm_buf *b, unsigned op, const uint16_t *tags, size_t n, size_t *len)
{
	cm_enc_begin(b, (uint16_t)op, 1);
	for (size_t i = 0; i < n; i++)
		cm_enc_bytes(b, tags[i], "", 0);
	cm_enc_finish(b);
	*len = b->len - CM_PROTO_HDR_LEN;
	return (const unsigned char *)b->data + CM_PROTO_HDR_LEN;
}

/* cm_msg_decode of op/kind over tags: 0, -1 or 1, err filled. */
static int
decode_tags(unsigned op, enum cm_msg_kind kind, const uint16_t *tags, size_t n, char *err, size_t errlen)
{
	struct cm_buf b;
	struct cm_msg m;
	size_t len;
	cm_buf_init(&b, 0);
	const unsigned char *p = payload_of(&b, op, tags, n, &len);
	int r = cm_msg_decode(op, kind, p, len, &m, err, errlen);
	cm_buf_free(&b);
	return r;
}

/* The required tags of spec, in order, into out: how many. */
static size_t
required_tags(const struct cm_msg_spec *spec, uint16_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < spec->nrules; i++)
		if (spec->rules[i].flags & CM_FIELD_REQUIRED)
			out[n++] = spec->rules[i].tag;
	return n;
}

static const struct cm_field_rule *
rule_of(const struct cm_msg_spec *spec, uint16_t tag)
{
	for (size_t i = 0; i < spec->nrules; i++)
		if (spec->rules[i].tag == tag)
			return &spec->rules[i];
	return NULL;
}

/* Every rule of one field set, driven from its own table. */
static void
check_spec(unsigned op, enum cm_msg_kind kind)
{
	const struct cm_msg_spec *spec = cm_msg_spec(op, kind);
	uint16_t tags[TAG__MAX + 2] = { 0 };
	char err[256];
	int sane = spec && spec->what;

	ok(sane, "op %u kind %d has a field set", op, (int)kind);
	if (!sane)
		return;
	for (size_t i = 0; i < spec->nrules; i++) {
		ok(spec->rules[i].tag > 0 && spec->rules[i].tag < TAG__MAX && rule_of(spec, spec->rules[i].tag) ==
		    &spec->rules[i], "%s: rule %zu names a known tag once", spec->what, i);
	}
	size_t nreq = required_tags(spec, tags);
	ok(decode_tags(op, kind, tags, nreq, err, sizeof(err)) == 0, "%s: its required fields decode (%s)",
	    spec->what, err);
	/* Without each required field. */
	for (size_t i = 0; i < nreq; i++) {
		uint16_t less[TAG__MAX] = { 0 };
		size_t k = 0;
		for (size_t j = 0; j < nreq; j++)
			if (j != i)
				less[k++] = tags[j];
		ok(decode_tags(op, kind, less, k, err, sizeof(err)) == 1 && strstr(err, "lacks the required field") &&
		    strstr(err, cm_tag_name(tags[i])), "%s without %s refused: %s", spec->what, cm_tag_name(tags[i]), err);
	}
	/* Plus each tag: allowed once when the set names it, refused otherwise;
	 * twice only when it may repeat. */
	for (uint16_t t = 1; t < TAG__MAX; t++) {
		const struct cm_field_rule *r = rule_of(spec, t);
		tags[nreq] = t;
		tags[nreq + 1] = t;
		int once = decode_tags(op, kind, tags, nreq + 1, err, sizeof(err));
		if (r == NULL) {
			ok(once == 1 && strstr(err, "is not part of") && strstr(err, cm_tag_name(t)),
			    "%s with %s refused: %s", spec->what, cm_tag_name(t), err);
			continue;
		}
		if (r->flags & CM_FIELD_REQUIRED)
			continue;
		ok(once == 0, "%s with optional %s accepted", spec->what, cm_tag_name(t));
		int twice = decode_tags(op, kind, tags, nreq + 2, err, sizeof(err));
		if (r->flags & CM_FIELD_REPEAT)
			ok(twice == 0, "%s with %s twice accepted", spec->what, cm_tag_name(t));
		else
			ok(twice == 1 && strstr(err, "repeated"), "%s with %s twice refused: %s", spec->what,
			    cm_tag_name(t), err);
	}
	/* A required field twice: refused, unless it may repeat (ocsp-sign's items). */
	if (nreq > 0) {
		tags[nreq] = tags[0];
		int twice = decode_tags(op, kind, tags, nreq + 1, err, sizeof(err));
		if (rule_of(spec, tags[0])->flags & CM_FIELD_REPEAT)
			ok(twice == 0, "%s with required %s twice accepted", spec->what, cm_tag_name(tags[0]));
		else
			ok(twice == 1 && strstr(err, "repeated"),
			    "%s with %s twice refused", spec->what, cm_tag_name(tags[0]));
	}
}

static void
test_field_sets(void)
{
	char err[256];
	struct cm_msg m;

	/* Names: every op and tag has one, and op names parse back. */
	for (unsigned op = 1; op < OP__MAX; op++)
		ok(cm_op_name(op) && cm_op_parse(cm_op_name(op)) == op, "op %u is named (%s)", op,
		    cm_op_name(op) ? cm_op_name(op) : "-");
	for (unsigned t = 1; t < TAG__MAX; t++)
		ok(cm_tag_name(t) != NULL, "tag %u is named", t);
	ok(cm_tag_name(0) == NULL && cm_tag_name(TAG__MAX) == NULL, "no name outside the tags");

	/* Served: exactly the nine ops of today, each with a request and an OK reply set. */
	static const unsigned served[] = { OP_CA_INIT, OP_CA_IMPORT, OP_CA_CHAIN, OP_ISSUE,
		OP_AUDIT_CHECKPOINT, OP_CRL_SIGN, OP_OCSP_SIGN, OP_SCEP_DECRYPT, OP_SCEP_CERTREP };
	unsigned nserved = 0;
	for (unsigned op = 0; op < OP__MAX + 2; op++)
		nserved += cm_op_served(op) ? 1u : 0u;
	is_int(nserved, 9, "nine ops served");
	for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++) {
		ok(cm_op_served(served[i]), "%s served", cm_op_name(served[i]));
		check_spec(served[i], CM_MSG_REQUEST);
		check_spec(served[i], CM_MSG_REPLY_OK);
	}
	check_spec(OP_ISSUE, CM_MSG_REPLY_ERR);

	/* The examples of issue 7. */
	static const uint16_t issue_pass[] = { TAG_PROFILE, TAG_CSR_DER, TAG_PASSPHRASE };
	ok(decode_tags(OP_ISSUE, CM_MSG_REQUEST, issue_pass, 3, err, sizeof(err)) == 1,
	    "an issue request carrying a passphrase is refused");
	is_str(err, "field passphrase is not part of an issue request", "with a clear error");
	static const uint16_t chain_one[] = { TAG_PROFILE };
	ok(decode_tags(OP_CA_CHAIN, CM_MSG_REQUEST, chain_one, 1, err, sizeof(err)) == 1,
	    "a ca-chain request carrying a field is refused");
	is_str(err, "field profile is not part of a ca-chain request", "with a clear error");
	static const uint16_t err_extra[] = { TAG_REASON, TAG_CERT_DER };
	ok(decode_tags(OP_ISSUE, CM_MSG_REPLY_ERR, err_extra, 2, err, sizeof(err)) == 1,
	    "an error reply carrying a certificate is refused");
	is_str(err, "field cert-der is not part of an error reply", "with a clear error");
	ok(decode_tags(OP_ISSUE, CM_MSG_REPLY_ERR, NULL, 0, err, sizeof(err)) == 1,
	    "an error reply without a reason is refused");
	static const uint16_t issue_reply_serial[] = { TAG_SERIAL_HEX };
	ok(decode_tags(OP_ISSUE, CM_MSG_REPLY_OK, issue_reply_serial, 1, err, sizeof(err)) == 1,
	    "an issue reply without the certificate is refused");
	is_str(err, "the issue reply lacks the required field cert-der", "with a clear error");

	/* audit-checkpoint (issue 8): record or list fields only; replies carry
	 * checkpoints and the key, nothing of issue's. */
	static const uint16_t cp_profile[] = { TAG_AUDIT_ID, TAG_AUDIT_HASH, TAG_PROFILE };
	ok(decode_tags(OP_AUDIT_CHECKPOINT, CM_MSG_REQUEST, cp_profile, 3, err, sizeof(err)) == 1,
	    "an audit-checkpoint request carrying a profile is refused");
	is_str(err, "field profile is not part of an audit-checkpoint request", "with a clear error");
	static const uint16_t cp_reply_cert[] = { TAG_CHECKPOINT, TAG_CERT_DER };
	ok(decode_tags(OP_AUDIT_CHECKPOINT, CM_MSG_REPLY_OK, cp_reply_cert, 2, err, sizeof(err)) == 1,
	    "an audit-checkpoint reply carrying a certificate is refused");

	/* ocsp-sign (issue 9): items only, at least one; the reply needs its times. */
	static const uint16_t ocsp_items[] = { TAG_OCSP_ITEM, TAG_OCSP_ITEM, TAG_DEADLINE_MS };
	ok(decode_tags(OP_OCSP_SIGN, CM_MSG_REQUEST, ocsp_items, 3, err, sizeof(err)) == 0,
	    "an ocsp-sign request with two items decodes");
	ok(decode_tags(OP_OCSP_SIGN, CM_MSG_REQUEST, ocsp_items + 2, 1, err, sizeof(err)) == 1 &&
	    strstr(err, "lacks the required field ocsp-item"), "an ocsp-sign request without items is refused");
	static const uint16_t ocsp_profile[] = { TAG_OCSP_ITEM, TAG_PROFILE };
	ok(decode_tags(OP_OCSP_SIGN, CM_MSG_REQUEST, ocsp_profile, 2, err, sizeof(err)) == 1,
	    "an ocsp-sign request carrying a profile is refused");
	static const uint16_t ocsp_reply[] = { TAG_OCSP_RESPONSE, TAG_OCSP_RESPONSE, TAG_THIS_UPDATE, TAG_NEXT_UPDATE };
	ok(decode_tags(OP_OCSP_SIGN, CM_MSG_REPLY_OK, ocsp_reply, 4, err, sizeof(err)) == 0,
	    "an ocsp-sign reply with two responses decodes");
	ok(decode_tags(OP_OCSP_SIGN, CM_MSG_REPLY_OK, ocsp_reply, 3, err, sizeof(err)) == 1 &&
	    strstr(err, "next-update"), "an ocsp-sign reply without next-update is refused");

	/* scep-decrypt / scep-certrep (issue 10): the envelope only; the CertRep's
	 * status, transaction and digest required, certificates repeatable. */
	static const uint16_t scep_env[] = { TAG_SCEP_ENVELOPE, TAG_DEADLINE_MS };
	ok(decode_tags(OP_SCEP_DECRYPT, CM_MSG_REQUEST, scep_env, 2, err, sizeof(err)) == 0,
	    "a scep-decrypt request decodes");
	ok(decode_tags(OP_SCEP_DECRYPT, CM_MSG_REQUEST, scep_env + 1, 1, err, sizeof(err)) == 1 &&
	    strstr(err, "lacks the required field scep-envelope"), "a scep-decrypt request without the envelope is refused");
	static const uint16_t scep_env_csr[] = { TAG_SCEP_ENVELOPE, TAG_CSR_DER };
	ok(decode_tags(OP_SCEP_DECRYPT, CM_MSG_REQUEST, scep_env_csr, 2, err, sizeof(err)) == 1 &&
	    strstr(err, "field csr-der is not part of a scep-decrypt request"), "a scep-decrypt request carrying a CSR is refused");
	static const uint16_t scep_env_twice[] = { TAG_SCEP_ENVELOPE, TAG_SCEP_ENVELOPE };
	ok(decode_tags(OP_SCEP_DECRYPT, CM_MSG_REQUEST, scep_env_twice, 2, err, sizeof(err)) == 1 &&
	    strstr(err, "repeated"), "one envelope per scep-decrypt request");
	static const uint16_t scep_dec_reply[] = { TAG_SCEP_CONTENT, TAG_SCEP_CIPHER };
	ok(decode_tags(OP_SCEP_DECRYPT, CM_MSG_REPLY_OK, scep_dec_reply, 2, err, sizeof(err)) == 0,
	    "a scep-decrypt reply decodes");
	ok(decode_tags(OP_SCEP_DECRYPT, CM_MSG_REPLY_OK, scep_dec_reply, 1, err, sizeof(err)) == 1 &&
	    strstr(err, "scep-cipher"), "a scep-decrypt reply without the cipher is refused");
	static const uint16_t scep_rep_ok[] = { TAG_SCEP_PKI_STATUS, TAG_SCEP_TRANSACTION_ID, TAG_SCEP_DIGEST,
		TAG_SCEP_RECIPIENT_NONCE, TAG_SCEP_CIPHER, TAG_SCEP_RECIPIENT_CERT, TAG_CERT_DER, TAG_CERT_DER };
	ok(decode_tags(OP_SCEP_CERTREP, CM_MSG_REQUEST, scep_rep_ok, 8, err, sizeof(err)) == 0,
	    "a scep-certrep SUCCESS request with two certificates decodes");
	static const uint16_t scep_rep_notid[] = { TAG_SCEP_PKI_STATUS, TAG_SCEP_DIGEST };
	ok(decode_tags(OP_SCEP_CERTREP, CM_MSG_REQUEST, scep_rep_notid, 2, err, sizeof(err)) == 1 &&
	    strstr(err, "scep-transaction-id"), "a scep-certrep request without a transactionID is refused");
	static const uint16_t scep_rep_profile[] = { TAG_SCEP_PKI_STATUS, TAG_SCEP_TRANSACTION_ID, TAG_SCEP_DIGEST,
		TAG_PROFILE };
	ok(decode_tags(OP_SCEP_CERTREP, CM_MSG_REQUEST, scep_rep_profile, 4, err, sizeof(err)) == 1,
	    "a scep-certrep request carrying a profile is refused");
	static const uint16_t scep_rep_crl2[] = { TAG_SCEP_PKI_STATUS, TAG_SCEP_TRANSACTION_ID, TAG_SCEP_DIGEST,
		TAG_SCEP_CRL_DER, TAG_SCEP_CRL_DER };
	ok(decode_tags(OP_SCEP_CERTREP, CM_MSG_REQUEST, scep_rep_crl2, 5, err, sizeof(err)) == 1 &&
	    strstr(err, "repeated"), "one CRL per CertRep");
	static const uint16_t scep_rep_reply[] = { TAG_SCEP_PKI_MESSAGE };
	ok(decode_tags(OP_SCEP_CERTREP, CM_MSG_REPLY_OK, scep_rep_reply, 1, err, sizeof(err)) == 0,
	    "a scep-certrep reply decodes");
	ok(decode_tags(OP_SCEP_CERTREP, CM_MSG_REPLY_OK, NULL, 0, err, sizeof(err)) == 1,
	    "a scep-certrep reply without the pkiMessage is refused");
	static const uint16_t chain_ra[] = { TAG_CHAIN_PEM, TAG_SCEP_RA_CERT };
	ok(decode_tags(OP_CA_CHAIN, CM_MSG_REPLY_OK, chain_ra, 2, err, sizeof(err)) == 0 &&
	    decode_tags(OP_CA_CHAIN, CM_MSG_REPLY_OK, chain_ra, 1, err, sizeof(err)) == 0,
	    "a ca-chain reply decodes with or without the RA certificate");
	ok(decode_tags(OP_CA_CHAIN, CM_MSG_REPLY_OK, chain_ra + 1, 1, err, sizeof(err)) == 1,
	    "a ca-chain reply with only the RA certificate is refused");
	ok(TAG_SCEP_ENVELOPE == TAG_OCSP_RESPONSE + 1 && TAG_SCEP_RA_CERT == TAG_SCEP_ENVELOPE + 11 &&
	    TAG__MAX == TAG_SCEP_RA_CERT + 1, "the SCEP tags are appended, in order");

	/* crl-sign (issue 9): every step in one request set; the step is required. */
	static const uint16_t crl_begin[] = { TAG_CRL_STEP, TAG_CRL_ISSUER, TAG_THIS_UPDATE, TAG_NEXT_UPDATE };
	ok(decode_tags(OP_CRL_SIGN, CM_MSG_REQUEST, crl_begin, 4, err, sizeof(err)) == 0, "a crl-sign begin decodes");
	ok(decode_tags(OP_CRL_SIGN, CM_MSG_REQUEST, crl_begin + 1, 3, err, sizeof(err)) == 1 &&
	    strstr(err, "lacks the required field crl-step"), "a crl-sign request without its step is refused");
	static const uint16_t crl_twice[] = { TAG_CRL_STEP, TAG_CRL_ENTRIES, TAG_CRL_ENTRIES };
	ok(decode_tags(OP_CRL_SIGN, CM_MSG_REQUEST, crl_twice, 3, err, sizeof(err)) == 1 &&
	    strstr(err, "field crl-entries repeated"), "one crl-entries field per frame");
	static const uint16_t crl_reply[] = { TAG_CRL_NUMBER, TAG_CRL_DER_LEN };
	ok(decode_tags(OP_CRL_SIGN, CM_MSG_REPLY_OK, crl_reply, 2, err, sizeof(err)) == 0, "a crl-sign reply decodes");
	static const uint16_t crl_reply_cert[] = { TAG_CRL_DER, TAG_CERT_DER };
	ok(decode_tags(OP_CRL_SIGN, CM_MSG_REPLY_OK, crl_reply_cert, 2, err, sizeof(err)) == 1,
	    "a crl-sign reply carrying a certificate is refused");

	/* Reserved ops: a name, no field set, so nothing decodes for them. */
	static const uint16_t anyfield[] = { TAG_PROFILE, TAG_CSR_DER };
	for (unsigned op = 1; op < OP__MAX; op++) {
		int known = 0;
		for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++)
			known |= served[i] == op;
		if (known)
			continue;
		ok(!cm_op_served(op) && cm_msg_spec(op, CM_MSG_REQUEST) == NULL &&
		    cm_msg_spec(op, CM_MSG_REPLY_OK) == NULL, "%s is reserved: no field set", cm_op_name(op));
		ok(decode_tags(op, CM_MSG_REQUEST, NULL, 0, err, sizeof(err)) == 1 &&
		    strstr(err, "reserved and not yet served") && strstr(err, cm_op_name(op)),
		    "an empty %s request does not decode: %s", cm_op_name(op), err);
		ok(decode_tags(op, CM_MSG_REQUEST, anyfield, 2, err, sizeof(err)) == 1,
		    "a %s request with fields does not decode", cm_op_name(op));
		ok(decode_tags(op, CM_MSG_REPLY_OK, NULL, 0, err, sizeof(err)) == 1,
		    "a %s reply does not decode", cm_op_name(op));
	}
	ok(OP_CRL_SIGN == 5 && OP_OCSP_SIGN == 6 && OP_SCEP_DECRYPT == 7 && OP_SCEP_CERTREP == 8 &&
	    OP_KEYGEN == 9 && OP_CODE_SIGN == 10 && OP_TIMESTAMP == 11 && OP_AUDIT_CHECKPOINT == 12,
	    "reserved numbers are fixed");
	ok(cm_msg_decode(99, CM_MSG_REQUEST, NULL, 0, &m, err, sizeof(err)) == 1 && strstr(err, "unknown operation 99"),
	    "an unknown op does not decode");
	ok(cm_msg_decode(0, CM_MSG_REQUEST, NULL, 0, &m, err, sizeof(err)) == 1, "op 0 does not decode");
	ok(cm_msg_decode(OP__MAX, CM_MSG_REPLY_OK, NULL, 0, &m, err, sizeof(err)) == 1, "OP__MAX has no reply");

	/* Malformed beats outside-the-set: a payload cut short is -1 even if a
	 * field before the cut was not the op's. */
	struct cm_buf b;
	size_t len;
	cm_buf_init(&b, 0);
	const unsigned char *p = payload_of(&b, OP_CA_CHAIN, anyfield, 2, &len);
	ok(cm_msg_decode(OP_CA_CHAIN, CM_MSG_REQUEST, p, len - 1, &m, err, sizeof(err)) == -1,
	    "truncated payload is malformed (-1), not a field-set error: %s", err);
	cm_buf_free(&b);
}

static void
test_io(void)
{
	int sv[2];
	char buf[16], err[256];
	struct cm_frame_hdr h;
	unsigned char *payload = NULL;
	struct cm_buf b;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	ok(cm_write_full(sv[0], "abc", 3, 1000) == 0, "write");
	is_int(cm_read_full(sv[1], buf, 3, 1000), 1, "read all");
	errno = 0;
	is_int(cm_read_full(sv[1], buf, 1, 50), -1, "silent peer times out");
	is_int(errno, ETIMEDOUT, "errno ETIMEDOUT");
	ok(cm_write_full(sv[0], "ab", 2, 1000) == 0, "write 2");
	shutdown(sv[0], SHUT_WR);
	is_int(cm_read_full(sv[1], buf, 4, 1000), -1, "EOF mid-read is an error");
	is_int(errno, EPROTO, "errno EPROTO");
	is_int(cm_read_full(sv[1], buf, 4, 1000), 0, "EOF before the first byte is EOF");
	close(sv[0]);
	close(sv[1]);

	/* A frame announcing too much: refused before reading the body. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	unsigned char hdr[CM_PROTO_HDR_LEN];
	struct cm_frame_hdr fh = { CM_PROTO_VERSION, OP_ISSUE, 9, 0x7fffffff };
	cm_hdr_encode(hdr, &fh);
	cm_write_full(sv[0], hdr, sizeof(hdr), 1000);
	is_int(cm_read_frame(sv[1], 1000, &h, &payload, err, sizeof(err)), CM_RF_TOOBIG, "oversize frame: TOOBIG");
	ok(payload == NULL, "nothing allocated");
	fh.version = 3;
	fh.payload_len = 0;
	cm_hdr_encode(hdr, &fh);
	cm_write_full(sv[0], hdr, sizeof(hdr), 1000);
	is_int(cm_read_frame(sv[1], 1000, &h, &payload, err, sizeof(err)), CM_RF_BADHDR, "bad version: BADHDR");
	cm_buf_init(&b, 0);
	cm_enc_begin(&b, OP_CA_CHAIN, 77);
	cm_enc_str(&b, TAG_PROFILE, "x");
	cm_enc_finish(&b);
	cm_write_full(sv[0], b.data, b.len, 1000);
	is_int(cm_read_frame(sv[1], 1000, &h, &payload, err, sizeof(err)), CM_RF_OK, "good frame");
	ok(payload && h.request_id == 77 && h.payload_len == 7, "payload read");
	free(payload);
	payload = NULL;
	/* Header then silence: the payload read times out. */
	cm_write_full(sv[0], b.data, CM_PROTO_HDR_LEN + 2, 1000);
	is_int(cm_read_frame(sv[1], 100, &h, &payload, err, sizeof(err)), CM_RF_IOERR, "stalled payload times out");
	cm_write_full(sv[0], b.data, CM_PROTO_HDR_LEN + 2, 1000);
	close(sv[0]);
	is_int(cm_read_frame(sv[1], 100, &h, &payload, err, sizeof(err)), CM_RF_IOERR, "EOF mid-frame is an error");
	close(sv[1]);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[0]);
	is_int(cm_read_frame(sv[1], 100, &h, &payload, err, sizeof(err)), CM_RF_EOF, "EOF between frames");
	ok(cm_write_full(sv[1], "x", 1, 100) < 0, "write to a closed peer fails without SIGPIPE");
	close(sv[1]);
	cm_buf_free(&b);
}

int
main(void)
{
	test_roundtrip();
	test_malformed();
	test_field_sets();
	test_io();
	return tap_done();
}
