/* scep.h: signerd's SCEP RA: the RA key + certificate pair (scep_ra.c, on own_pair.c), the pkiMessage envelope intake (scep_envelope.c) and the scep-decrypt / scep-certrep ops (scep_ops.c). */
#ifndef CM_SIGNER_SCEP_H
#define CM_SIGNER_SCEP_H

#include <stddef.h>
#include <sys/types.h>

#include <openssl/x509.h>

#include "buf.h"
#include "own_pair.h"
#include "signer_proto.h"

/* The profile name the RA certificates are journalled under: the signer's
 * own (lib/journal_read.h, CM_JOURNAL_SIGNER_PROFILE_PREFIX), so certmint
 * journal check never imports them. */
#define CM_SCEP_JOURNAL_PROFILE "signer.scep-ra"
/* Their vault files: the pair in use, and the one it replaced (kept for
 * decryption: clients may have cached that certificate from GetCACert). */
#define CM_SCEP_VAULT_KEY "scep-ra.key"
#define CM_SCEP_VAULT_CERT "scep-ra.crt"
#define CM_SCEP_VAULT_PREV_KEY "scep-ra-prev.key"
#define CM_SCEP_VAULT_PREV_CERT "scep-ra-prev.crt"
/* The RA certificate's longest life (as S/MIME certificates: SCEP clients
 * treat it as one). */
#define CM_SCEP_RA_MAX_DAYS 825

struct cm_ca;
struct cm_vault;
struct cm_journal;
struct cm_issued_set;

/* [scep] of signerd.conf, after defaults. */
struct cm_scep_conf {
	long cert_days;            /* ra_cert_days: the RA certificate's lifetime */
	long rotate_days;          /* ra_rotate_days: renewed when fewer days remain */
	int check_issued;          /* a CertRep's issued certificate must be in issued */
	const char *publish_base;  /* [publish] base_url for CDP/AIA, or NULL */
};

/*
 * The RA: its pair (own_pair.h: the current one, and the previous one kept
 * for decryption), and what the SCEP ops read.
 */
struct cm_scep_ra {
	struct cm_own_pair pair;
	struct cm_scep_conf conf;
	struct cm_ca *ca;
	struct cm_issued_set *issued;  /* the RA certificate's serial goes in; NULL: not kept */
};

/* Sets up r (no pair yet). 0 / -1. */
int cm_scep_ra_init(struct cm_scep_ra *r, const struct cm_scep_conf *conf, struct cm_ca *ca,
    const struct cm_vault *v, struct cm_journal *j, struct cm_issued_set *issued);
void cm_scep_ra_free(struct cm_scep_ra *r);

/*
 * Makes sure an RA pair for the current issuing CA is in use: loads it
 * (and the previous one) from the vault when none is, else creates one,
 * journals it and writes it to the vault; renews a pair with fewer than
 * rotate_days left, keeping the old one as the previous pair. Cheap when
 * nothing is due. At start, after ca-init / ca-import, before every SCEP
 * op. 0 (also when there is no CA yet), -1 fault (reason).
 */
int cm_scep_ra_ensure(struct cm_scep_ra *r, char *reason, size_t rlen);

/* New references to the current pair and (when there is one, else NULL)
 * the previous pair. 0, or 1 when there is no current pair. */
int cm_scep_ra_get(struct cm_scep_ra *r, X509 **cert, EVP_PKEY **key, X509 **prev_cert,
    EVP_PKEY **prev_key);

/* The current RA certificate (a new reference), or NULL. */
X509 *cm_scep_ra_current(struct cm_scep_ra *r);

/*
 * The envelope intake (no signer state: the fuzz target and unit tests
 * call it with their own keys).
 */
enum cm_scep_plain {
	CM_SCEP_PLAIN_OTHER = 0,
	CM_SCEP_PLAIN_CSR,             /* PKCS#10 CertificationRequest */
	CM_SCEP_PLAIN_ISSUER_SERIAL,   /* IssuerAndSerialNumber (GetCert, GetCRL) */
	CM_SCEP_PLAIN_ISSUER_SUBJECT   /* IssuerAndSubject (CertPoll) */
};
/* What the len bytes at p are: exactly one DER value of one of the three
 * kinds, nothing before or after, else CM_SCEP_PLAIN_OTHER. Safe on any
 * bytes; refuses more than CM_SCEP_MAX_CONTENT. */
enum cm_scep_plain cm_scep_plain_classify(const unsigned char *p, size_t len);
const char *cm_scep_plain_name(enum cm_scep_plain k);

/* The envelope cipher of TAG_SCEP_CIPHER name: the EVP cipher, or NULL for
 * anything but the five names (or when des-cbc's legacy provider is not
 * loaded). */
const EVP_CIPHER *cm_scep_cipher(const char *name);

/* Candidate recipients: the RA pairs an envelope may be addressed to. */
struct cm_scep_recipient {
	X509 *cert;
	EVP_PKEY *key;
};

/*
 * Opens the envelope (DER ContentInfo envelopedData, at most
 * CM_SCEP_MAX_ENVELOPE bytes): parses it, names its content-encryption
 * cipher (one of the five, else refused), finds a KeyTransRecipientInfo
 * addressed to one of the n candidates (issuerAndSerialNumber or
 * subjectKeyIdentifier; else "not addressed to this RA"), decrypts with
 * that one's key and classifies the plaintext. 0 with the plaintext
 * appended to content, *cipher the TAG_SCEP_CIPHER name, *kind what it is;
 * 1 refused with reason (every decryption failure has the same one); -1
 * when content has no room (reason says so).
 */
int cm_scep_envelope_open(const unsigned char *env, size_t len, const struct cm_scep_recipient *cands,
    size_t n, struct cm_buf *content, const char **cipher, enum cm_scep_plain *kind,
    char *reason, size_t rlen);

/*
 * What a CertRep says (parsed and checked by cm_scep_certrep_op, or built
 * by a unit test): status and failInfo, the transaction, the request's
 * senderNonce (NULL: none), the digest; for SUCCESS the cipher, the
 * recipient and the certificates or the CRL.
 */
struct cm_scep_certrep {
	unsigned status;                 /* CM_SCEP_SUCCESS / _FAILURE / _PENDING */
	unsigned fail_info;              /* CM_SCEP_BAD_*, FAILURE only */
	const char *transaction_id;
	const unsigned char *recipient_nonce;   /* CM_SCEP_NONCE_LEN bytes or NULL */
	const EVP_MD *md;
	const EVP_CIPHER *cipher;        /* SUCCESS */
	X509 *recipient;                 /* SUCCESS */
	STACK_OF(X509) *certs;           /* SUCCESS: 1..CM_SCEP_MAX_CERTS, or NULL with crl */
	X509_CRL *crl;                   /* SUCCESS for GetCRL */
};

/*
 * Builds the CertRep pkiMessage (DER ContentInfo signedData) signed with
 * ra_key, ra_cert in its certificates; a fresh senderNonce. 0 with the DER
 * appended to out, -1 with reason.
 */
int cm_scep_certrep_build(X509 *ra_cert, EVP_PKEY *ra_key, const struct cm_scep_certrep *in,
    struct cm_buf *out, char *reason, size_t rlen);

/*
 * The two ops on a decoded request (the caller checked access and the
 * deadline and holds a CPU slot). Handler convention of ops.c: 0 with the
 * reply's fields added, 1 refused, -1 fault, with reason. ca is the
 * signer's CA (certificates and CRLs are checked against it), issued its
 * issued serials (NULL: not kept; with check_issued the CertRep is then
 * refused).
 */
int cm_scep_decrypt_op(struct cm_scep_ra *r, uid_t uid, const struct cm_msg *m, struct cm_buf *reply,
    char *reason, size_t rlen);
int cm_scep_certrep_op(struct cm_scep_ra *r, uid_t uid, const struct cm_msg *m, struct cm_buf *reply,
    char *reason, size_t rlen);

/* Loads OpenSSL's legacy provider next to the default one, for single-DES
 * envelopes only. 0, or -1 (then des-cbc envelopes are refused). */
int cm_scep_load_legacy(void);
/* Unloads what cm_scep_load_legacy loaded (at exit: nothing left for a
 * leak checker). Not while any SCEP op may run. */
void cm_scep_unload_legacy(void);

#endif
