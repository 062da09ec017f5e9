/* ops.c: the SCEP operations: GetCACert, and PKIOperation (intake, decryption by signerd, the message types, the CertRep signerd signs). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "log.h"
#include "scepd.h"
#include "x509util.h"

/*
 * The largest CRL GetCRL sends: signerd takes it in one frame of the scep-
 * certrep operation (CM_SCEP_MAX_CRL, 512 KiB, about 11,000 entries). A
 * bigger frame is not cheap: a CRL grows by about 44 bytes per entry (4.4 MB
 * at 100,000, bench/crl), the whole reply is built in memory on both sides
 * of the signer socket, and the frame cap bounds what any client of signerd
 * can make it read. Devices that need a larger CRL fetch it from the CRL
 * distribution point ([publish] dir/crl/, served by Apache at /crl/).
 */
#define SCEPD_MAX_CRL CM_SCEP_MAX_CRL

static const char *const type_names[] = { [CM_SCEP_MSG_RENEWALREQ] = "RenewalReq",
	[CM_SCEP_MSG_PKCSREQ] = "PKCSReq", [CM_SCEP_MSG_CERTPOLL] = "CertPoll",
	[CM_SCEP_MSG_GETCERT] = "GetCert", [CM_SCEP_MSG_GETCRL] = "GetCRL" };

static const char *
type_name(int t)
{
	if (t >= 0 && (size_t)t < sizeof(type_names) / sizeof(type_names[0]) && type_names[t])
		return type_names[t];
	return "unknown message type";
}

/* 0 / -1; see scepd.h. */
int
scepd_get_ca_cert(struct scep_req *r, struct cm_buf *out)
{
	struct scepd *d = r->d;
	const unsigned char *certs[3];
	size_t lens[3], n = 0;
	char err[256];

	if (scepd_ca_refresh(r, 1) < 0)
		return -1;
	/* RFC 8894 4.2.1.2: the RA certificate, then the CA's. */
	certs[n] = (const unsigned char *)d->ra.data;
	lens[n++] = d->ra.len;
	certs[n] = (const unsigned char *)d->issuing.data;
	lens[n++] = d->issuing.len;
	if (d->root.len) {
		certs[n] = (const unsigned char *)d->root.data;
		lens[n++] = d->root.len;
	}
	if (cm_scep_ca_certs(certs, lens, n, out, err, sizeof(err)) < 0) {
		cm_err("SCEP: GetCACert: %s", err);
		return -1;
	}
	return 0;
}

/* The certificate (DER) of row id of r's customer into out: 0, or -1. */
static int
cert_der(struct scep_req *r, int64_t id, struct cm_buf *out)
{
	struct cm_stmt *st = cm_db_prepare(r->db,
	    "SELECT der FROM certificates WHERE id = ? AND customer_id = ? AND der IS NOT NULL");
	const char *p;
	size_t n = 0;
	int rc = -1;

	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 || cm_stmt_bind_i64(st, 1, r->customer_id) < 0 ||
	    cm_stmt_execute(st) < 0 || cm_stmt_fetch(st) != 1 || (p = cm_stmt_str(st, 0, &n)) == NULL ||
	    cm_buf_append(out, p, n) < 0)
		cm_err("SCEP: certificate %lld cannot be read: %s", (long long)id, cm_db_error(r->db));
	else
		rc = 0;
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* The issuing CA's CRL as published ([publish] dir/crl/issuing.crl) into
 * a: SUCCESS with it, or FAILURE when there is none. */
static void
get_crl(struct scep_req *r, struct scep_answer *a)
{
	const char *dir = r->d->app->settings.publish_dir;
	char path[4096];
	struct stat sb;
	unsigned char *buf = NULL;
	size_t got = 0;
	int fd = -1;

	if (dir == NULL) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "crl", "[publish] dir is not set: no CRL to send");
		return;
	}
	snprintf(path, sizeof(path), "%s/crl/issuing.crl", dir);
	errno = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size > SCEPD_MAX_CRL) {
		/* Said once per request to the operator, at warning level: every
		 * device asking gets badRequest until they act. */
		cm_warn("SCEP: GetCRL: the CRL %s is %lld bytes, more than the %d bytes GetCRL can send:"
		    " point devices at the CRL distribution point their certificates carry"
		    " (signerd.conf [publish] base_url + /crl/issuing.crl)",
		    path, (long long)sb.st_size, SCEPD_MAX_CRL);
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "crl", "the CRL is %lld bytes, over the %d bytes GetCRL sends",
		    (long long)sb.st_size, SCEPD_MAX_CRL);
		goto out;
	}
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size <= 0 || (buf = malloc((size_t)sb.st_size)) == NULL) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "crl", "the CRL %s cannot be read: %s", path,
		    errno ? strerror(errno) : "it is empty or not a file");
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);
		if (n <= 0) {
			scepd_fail(a, CM_SCEP_BAD_REQUEST, "crl", "the CRL %s cannot be read", path);
			goto out;
		}
		got += (size_t)n;
	}
	a->status = CM_SCEP_SUCCESS;
	a->crl = buf;
	a->crl_len = got;
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
}

/* GetCert: the certificate of that issuer and serial, if it is one of r's
 * customer's. */
static void
get_cert(struct scep_req *r, struct scep_answer *a)
{
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;
	char *hex = NULL, err[256], shex[40];
	struct cm_stmt *st = NULL;
	int f;

	if (cm_scep_parse_issuer_and_serial((const unsigned char *)r->content.data, r->content.len,
	    &issuer, &serial, err, sizeof(err)) < 0) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "content", "GetCert without an IssuerAndSerialNumber: %s", err);
		goto out;
	}
	if (scepd_ca_refresh(r, 0) < 0) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "ca", "the issuing CA is not available");
		goto out;
	}
	if (X509_NAME_cmp(issuer, X509_get_subject_name(r->d->issuing_x)) != 0) {
		scepd_fail(a, CM_SCEP_BAD_CERT_ID, "cert-id", "GetCert for another issuer");
		goto out;
	}
	/* serial_hex holds 16 bytes as 32 lower-case digits (leading zeros kept) */
	if ((bn = ASN1_INTEGER_to_BN(serial, NULL)) == NULL || BN_is_negative(bn) || BN_num_bytes(bn) > 16 ||
	    (hex = BN_bn2hex(bn)) == NULL) {
		scepd_fail(a, CM_SCEP_BAD_CERT_ID, "cert-id", "GetCert for a serial this CA never gives");
		goto out;
	}
	{
		size_t hl = strlen(hex), pad = hl < 32 ? 32 - hl : 0;
		memset(shex, '0', pad);
		snprintf(shex + pad, sizeof(shex) - pad, "%s", hex);
		for (char *q = shex; *q; q++)
			if (*q >= 'A' && *q <= 'F')
				*q = (char)(*q - 'A' + 'a');
	}
	st = cm_db_prepare(r->db,
	    "SELECT id FROM certificates WHERE serial_hex = ? AND customer_id = ? AND der IS NOT NULL");
	if (st == NULL || cm_stmt_bind_str(st, 0, shex) < 0 || cm_stmt_bind_i64(st, 1, r->customer_id) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0) {
		cm_err("SCEP: GetCert: %s", cm_db_error(r->db));
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "database", "the certificate could not be looked up");
		goto out;
	}
	if (f == 0) {
		scepd_fail(a, CM_SCEP_BAD_CERT_ID, "cert-id", "GetCert for serial %s: not a certificate of this customer", shex);
		goto out;
	}
	a->status = CM_SCEP_SUCCESS;
	a->cert_id = cm_stmt_i64(st, 0);
out:
	if (st)
		cm_stmt_close(st);
	OPENSSL_free(hex);
	BN_free(bn);
	X509_NAME_free(issuer);
	ASN1_INTEGER_free(serial);
}

/* PKCSReq and RenewalReq: the CSR, the challenge or the certificate that
 * signed, the rules, then the transaction. */
static void
enroll(struct scep_req *r, struct scep_answer *a)
{
	struct cm_scep_csr csr;
	char err[256];
	int64_t org = 0, dept = 0, renew_id = 0;
	int f;

	memset(&csr, 0, sizeof(csr));
	if (cm_scep_parse_csr((const unsigned char *)r->content.data, r->content.len, &csr, err, sizeof(err)) < 0) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "content", "%s without a PKCS#10 request: %s",
		    type_name(r->msg.message_type), err);
		goto out;
	}
	/* A retry of a known transaction gets its answer before anything is
	 * checked again: the same result, never a second certificate. */
	if ((f = scepd_replay(r, a)) != 0) {
		if (f < 0)
			scepd_fail(a, CM_SCEP_BAD_REQUEST, "database", "the transaction could not be read");
		goto out;
	}
	if (r->msg.message_type == CM_SCEP_MSG_RENEWALREQ) {
		/* Signed (cm_scep_parse checked it) with a certificate of ours that
		 * is still valid: that is the authentication; no challenge. */
		if ((f = scepd_our_valid_cert(r, r->msg.signer_cert, r->msg.signer_cert_len, &renew_id, &org,
		    &dept, a)) <= 0) {
			if (f < 0)
				scepd_fail(a, CM_SCEP_BAD_REQUEST, "database", "the signing certificate could not be looked up");
			goto out;
		}
	} else {
		if ((f = scepd_lockout_check(r, a)) != 0) {
			if (f < 0)
				scepd_fail(a, CM_SCEP_BAD_REQUEST, "database", "the lockout state could not be read");
			goto out;
		}
		f = csr.has_challenge ? scepd_challenge_owner(r, csr.challenge, &org, &dept) : 0;
		if (f < 0) {
			scepd_fail(a, CM_SCEP_BAD_REQUEST, "database", "the access code could not be checked");
			goto out;
		}
		if (f == 2) {
			scepd_fail(a, CM_SCEP_BAD_REQUEST, "self-enrollment",
			    "the access code is that of an organisation or department with self enrollment off");
			goto out;
		}
		if (f == 0) {
			scepd_fail(a, CM_SCEP_BAD_REQUEST, "challenge", csr.has_challenge ?
			    "the challengePassword is no access code of this customer" : "the request has no challengePassword");
			if (scepd_lockout_record(r, a->why) == 0)
				a->audited = 1;
			goto out;
		}
	}
	if (scepd_check_csr(r, csr.req, a) < 0 || scepd_check_names(r, csr.req, org, dept, a) < 0)
		goto out;
	scepd_enroll(r, csr.req, org, dept, renew_id, a);
out:
	cm_scep_csr_free(&csr);
}

/* CertPoll / GetCertInitial: IssuerAndSubject, then the transaction. */
static void
cert_poll(struct scep_req *r, struct scep_answer *a)
{
	X509_NAME *issuer = NULL, *subject = NULL;
	char err[256];

	if (cm_scep_parse_issuer_and_subject((const unsigned char *)r->content.data, r->content.len,
	    &issuer, &subject, err, sizeof(err)) < 0) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "content", "CertPoll without an IssuerAndSubject: %s", err);
		goto out;
	}
	scepd_poll(r, subject, a);
out:
	X509_NAME_free(issuer);
	X509_NAME_free(subject);
}

/* The signed CertRep of a into out. 0, or -1 (logged). */
static int
certrep(struct scep_req *r, const struct scep_answer *a, struct cm_buf *out)
{
	struct cm_signer_scep_certrep_req q;
	struct cm_signer *sg;
	struct cm_buf der;
	const unsigned char *certs[3];
	size_t lens[3], n = 0;
	char err[256];
	int rc = -1, o;

	cm_buf_init(&der, 0);
	memset(&q, 0, sizeof(q));
	q.pki_status = a->status;
	q.fail_info = a->status == CM_SCEP_FAILURE ? a->fail_info : 0;
	q.transaction_id = r->msg.transaction_id;
	q.recipient_nonce = r->msg.has_sender_nonce ? r->msg.sender_nonce : NULL;
	/* The request's digest; a request whose digest was refused (badAlg)
	 * is answered with SHA-256. */
	q.digest = r->msg.digest[0] && a->fail_info != CM_SCEP_BAD_ALG ? r->msg.digest : "sha256";
	if (a->status == CM_SCEP_SUCCESS) {
		q.cipher = cm_scep_reply_cipher(r->cipher[0] ? r->cipher : r->msg.envelope_cipher);
		q.recipient_cert = r->msg.signer_cert;
		q.recipient_cert_len = r->msg.signer_cert_len;
		if (a->crl) {
			q.crl = a->crl;
			q.crl_len = a->crl_len;
		} else {
			if (cert_der(r, a->cert_id, &der) < 0 || scepd_ca_refresh(r, 0) < 0)
				goto out;
			certs[n] = (const unsigned char *)der.data;
			lens[n++] = der.len;
			/* the issuing CA too, so the client can build the chain */
			certs[n] = (const unsigned char *)r->d->issuing.data;
			lens[n++] = r->d->issuing.len;
			q.certs = certs;
			q.cert_lens = lens;
			q.ncerts = n;
		}
	}
	if ((sg = scepd_signer(r)) == NULL)
		goto out;
	if ((o = cm_signer_scep_certrep(sg, &q, out, err, sizeof(err))) != CM_SIGNER_OK) {
		cm_err("SCEP: signerd %s the CertRep (status %u) for %s: %s", cm_signer_outcome_name(o),
		    a->status, r->tid_shown, err);
		goto out;
	}
	rc = 0;
out:
	cm_buf_free(&der);
	return rc;
}

/* Printable, clipped form of the transactionID for logs. */
static void
shown_tid(struct scep_req *r)
{
	size_t i;

	for (i = 0; i + 1 < sizeof(r->tid_shown) && r->msg.transaction_id[i]; i++)
		r->tid_shown[i] = r->msg.transaction_id[i];
	r->tid_shown[i] = '\0';
	if (i == 0)
		snprintf(r->tid_shown, sizeof(r->tid_shown), "-");
}

/* 200 / 400 / 500; see scepd.h. */
int
scepd_pki_operation(struct scep_req *r, const unsigned char *p, size_t len, struct cm_buf *out)
{
	struct scep_answer a;
	char err[256];
	int fi = CM_SCEP_BAD_REQUEST, o, rc = 500;

	memset(&a, 0, sizeof(a));
	if (cm_scep_parse(p, len, &r->msg, &fi, err, sizeof(err)) < 0) {
		if (r->msg.transaction_id[0] == '\0') {
			cm_info("SCEP %s/%s from %s: HTTP 400, no transactionID: %s", r->customer_uri, r->type,
			    r->addr, err);
			cm_buf_printf(out, "The SCEP message cannot be read: %s.\n", err);
			return 400;
		}
		shown_tid(r);
		scepd_fail(&a, (unsigned)fi, "message", "%s", err);
		goto reply;
	}
	shown_tid(r);
	if (r->msg.message_type != CM_SCEP_MSG_PKCSREQ && r->msg.message_type != CM_SCEP_MSG_RENEWALREQ &&
	    r->msg.message_type != CM_SCEP_MSG_CERTPOLL && r->msg.message_type != CM_SCEP_MSG_GETCERT &&
	    r->msg.message_type != CM_SCEP_MSG_GETCRL) {
		scepd_fail(&a, CM_SCEP_BAD_REQUEST, "message-type", "messageType %d is not one a client sends",
		    r->msg.message_type);
		goto reply;
	}
	if (scepd_signer(r) == NULL)
		return 500;
	o = cm_signer_scep_decrypt(r->sg, r->msg.envelope, r->msg.envelope_len, &r->content,
	    r->cipher, sizeof(r->cipher), err, sizeof(err));
	/* The request's first signer operation, and one without effect: a
	 * kept connection the signer dropped meanwhile (or one it refused at
	 * its per-uid cap while an old one was still being closed) is
	 * replaced and the decryption asked again, once. So the issuance
	 * that follows always goes over a connection that just worked. */
	if (o == CM_SIGNER_FAULT || o == CM_SIGNER_UNKNOWN) {
		cm_info("SCEP %s/%s %s: signer connection lost (%s); asking again on a new one", r->customer_uri,
		    r->type, r->tid_shown, err);
		cm_buf_reset(&r->content);
		if (scepd_signer(r) == NULL)
			return 500;
		o = cm_signer_scep_decrypt(r->sg, r->msg.envelope, r->msg.envelope_len, &r->content,
		    r->cipher, sizeof(r->cipher), err, sizeof(err));
	}
	if (o == CM_SIGNER_REFUSED) {
		scepd_fail(&a, CM_SCEP_BAD_MESSAGE_CHECK, "envelope", "signerd: %s", err);
		goto reply;
	}
	if (o != CM_SIGNER_OK) {
		cm_err("SCEP %s/%s %s from %s: signerd %s the decryption: %s", r->customer_uri, r->type,
		    r->tid_shown, r->addr, cm_signer_outcome_name(o), err);
		return 500;
	}
	switch (r->msg.message_type) {
	case CM_SCEP_MSG_PKCSREQ:
	case CM_SCEP_MSG_RENEWALREQ:
		enroll(r, &a);
		break;
	case CM_SCEP_MSG_CERTPOLL:
		cert_poll(r, &a);
		break;
	case CM_SCEP_MSG_GETCERT:
		get_cert(r, &a);
		break;
	case CM_SCEP_MSG_GETCRL:
		get_crl(r, &a);
		break;
	}
reply:
	if (a.status == CM_SCEP_FAILURE) {
		cm_info("SCEP %s/%s %s %s from %s: FAILURE failInfo %u, rule %s: %s", r->customer_uri, r->type,
		    type_name(r->msg.message_type), r->tid_shown, r->addr, a.fail_info, a.rule ? a.rule : "-", a.why);
		if (!a.audited)
			scepd_audit_refusal(r, &a);
	} else {
		cm_info("SCEP %s/%s %s %s from %s: %s", r->customer_uri, r->type, type_name(r->msg.message_type),
		    r->tid_shown, r->addr, a.status == CM_SCEP_SUCCESS ? "SUCCESS" : "PENDING");
	}
	if (certrep(r, &a, out) == 0)
		rc = 200;
	free(a.crl);
	return rc;
}
