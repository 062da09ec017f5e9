/* scep_ca.c: what SCEP serves without a request message: the GetCACaps text, the GetCACert certs-only PKCS#7, the reply cipher rule. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "scep_msg.h"

/* At most RA, issuing CA, root and a cross or previous RA certificate. */
#define MAX_CA_CERTS 8
#define MAX_CA_CERT_LEN (64 * 1024)

/*
 * RFC 8894 3.5.2. SCEPStandard implies AES, POSTPKIOperation and SHA-256
 * but older clients look for each name. DES3 and SHA-1 are for clients
 * that know nothing newer (the Debian scepclient, old routers); a reply
 * uses what the request used. No GetNextCACert: the RA rotates by itself.
 * No trailing newline, like micromdm's server whose output real clients
 * are known to read.
 */
const char *
cm_scep_caps(void)
{
	return "POSTPKIOperation\nSHA-256\nSHA-512\nAES\nSCEPStandard\nRenewal\nDES3\nSHA-1";
}

/* 0, or -1 with a sentence in err. */
int
cm_scep_ca_certs(const unsigned char *const *certs, const size_t *lens, size_t n,
    struct cm_buf *out, char *err, size_t errlen)
{
	PKCS7 *p7 = NULL;
	PKCS7_SIGNED *sd;
	X509 *x = NULL;
	unsigned char *der = NULL;
	int rc = -1, dlen;
	size_t i;

	if (n == 0 || n > MAX_CA_CERTS) {
		snprintf(err, errlen, "%zu certificates: 1 to %d", n, MAX_CA_CERTS);
		goto out;
	}
	/* The degenerate form openssl crl2pkcs7 -nocrl writes: version 1, no
	 * digest algorithms, no signers, content type data without content. */
	p7 = PKCS7_new();
	if (p7 == NULL || PKCS7_set_type(p7, NID_pkcs7_signed) != 1) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	sd = p7->d.sign;
	if (PKCS7_content_new(p7, NID_pkcs7_data) != 1) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ASN1_OCTET_STRING_free(sd->contents->d.data);
	sd->contents->d.data = NULL;
	for (i = 0; i < n; i++) {
		const unsigned char *q = certs[i];

		if (certs[i] == NULL || lens[i] == 0 || lens[i] > MAX_CA_CERT_LEN
		    || (x = d2i_X509(NULL, &q, (long)lens[i])) == NULL
		    || q != certs[i] + lens[i]) {
			snprintf(err, errlen, "certificate %zu is not one DER certificate", i + 1);
			goto out;
		}
		if (PKCS7_add_certificate(p7, x) != 1) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		X509_free(x);
		x = NULL;
	}
	dlen = i2d_PKCS7(p7, &der);
	if (dlen <= 0 || cm_buf_append(out, der, (size_t)dlen) < 0) {
		snprintf(err, errlen, "cannot encode the PKCS#7 or out of room");
		goto out;
	}
	rc = 0;
out:
	X509_free(x);
	OPENSSL_free(der);
	PKCS7_free(p7);
	ERR_clear_error();
	return rc;
}

/* Never NULL: one of the five names the signer takes. */
const char *
cm_scep_reply_cipher(const char *request_cipher)
{
	static const char *const same[] = {
		"aes-128-cbc", "aes-192-cbc", "aes-256-cbc", "des-ede3-cbc", "des-cbc",
	};
	size_t i;

	if (request_cipher != NULL)
		for (i = 0; i < sizeof same / sizeof same[0]; i++)
			if (strcmp(request_cipher, same[i]) == 0)
				return same[i];
	/* Unknown: the request could not have been decrypted, so there is no
	 * SUCCESS to envelope; the strongest is the safe answer. */
	return "aes-256-cbc";
}
