/* ad_server_ca.c: an AD server's CA certificates: PEM read block by block with OpenSSL, only certificates kept, re-encoded for storage. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ad_server_ca.h"

/* Fills d from x; 0 or -1. */
static int
describe(X509 *x, struct ad_ca_cert *d)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const ASN1_TIME *na = X509_get0_notAfter(x);
	struct tm tm;
	BIO *b = BIO_new(BIO_s_mem());
	int len, rc = -1;

	memset(d, 0, sizeof(*d));
	if (b == NULL)
		return -1;
	if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) < 0)
		goto out;
	len = BIO_read(b, d->subject, (int)sizeof(d->subject) - 1);
	d->subject[len > 0 ? len : 0] = '\0';
	if (na == NULL || ASN1_TIME_to_tm(na, &tm) != 1)
		goto out;
	strftime(d->not_after, sizeof(d->not_after), "%Y-%m-%d %H:%M UTC", &tm);
	d->expired = X509_cmp_current_time(na) < 0;
	if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1)
		goto out;
	for (unsigned int i = 0; i < mdlen && 3 * i + 3 <= sizeof(d->sha256); i++)
		snprintf(d->sha256 + 3 * i, 4, i + 1 < mdlen ? "%02X:" : "%02X", md[i]);
	rc = 0;
out:
	BIO_free(b);
	return rc;
}

/* 0 or -1 with why; see ad_server_ca.h. */
int
ad_server_ca_parse(const char *in, size_t len, struct cm_buf *out, struct ad_ca_cert *certs, size_t *n,
    char *why, size_t whylen)
{
	BIO *bio = NULL;
	size_t count = 0;
	int rc = -1;

	if (n)
		*n = 0;
	why[0] = '\0';
	if (out)
		cm_buf_reset(out);
	if (len > AD_CA_MAX_BYTES) {
		snprintf(why, whylen, "At most %d KiB of CA certificates, please.", AD_CA_MAX_BYTES / 1024);
		goto out;
	}
	if (len > 0 && (unsigned char)in[0] == 0x30) {
		snprintf(why, whylen, "This looks like a DER (binary) certificate: convert it to PEM with "
		    "openssl x509 -inform DER -in ca.cer -out ca.pem.");
		goto out;
	}
	if (memchr(in, '\0', len) != NULL) {
		snprintf(why, whylen, "This is not a PEM text file (it holds NUL bytes).");
		goto out;
	}
	if ((bio = BIO_new_mem_buf(in, (int)len)) == NULL) {
		snprintf(why, whylen, "Out of memory.");
		goto out;
	}
	for (;;) {
		char *name = NULL, *header = NULL;
		unsigned char *data = NULL;
		const unsigned char *p;
		long dlen = 0;
		X509 *x = NULL;
		int bad = 0;

		ERR_clear_error();
		if (PEM_read_bio(bio, &name, &header, &data, &dlen) != 1) {
			unsigned long e = ERR_peek_last_error();

			ERR_clear_error();
			/* no further BEGIN line: the end of the text */
			if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
				break;
			snprintf(why, whylen, "Block %zu is not valid PEM (a BEGIN line without its END line, or "
			    "broken base64).", count + 1);
			goto out;
		}
		if (strcmp(name, "CERTIFICATE") != 0) {
			snprintf(why, whylen, "Block %zu is a %.40s, not a CERTIFICATE: give only the CA certificates%s.",
			    count + 1, name, strstr(name, "PRIVATE") ? " (never a private key)" : "");
			bad = 1;
		} else if (header != NULL && header[0] != '\0') {
			snprintf(why, whylen, "Block %zu carries PEM headers; give plain certificates.", count + 1);
			bad = 1;
		} else if (++count > AD_CA_MAX_CERTS) {
			snprintf(why, whylen, "At most %d CA certificates, please.", AD_CA_MAX_CERTS);
			bad = 1;
		} else {
			p = data;
			x = d2i_X509(NULL, &p, dlen);
			if (x == NULL || p != data + dlen) {
				snprintf(why, whylen, "Certificate %zu cannot be read as an X.509 certificate.", count);
				bad = 1;
			} else if (certs != NULL && describe(x, &certs[count - 1]) < 0) {
				snprintf(why, whylen, "Certificate %zu cannot be read as an X.509 certificate.", count);
				bad = 1;
			}
		}
		if (!bad && out != NULL) {
			/* base64 of the DER, 64 columns, as PEM_write would */
			unsigned char b64[80];
			long off = 0;

			if (cm_buf_puts(out, "-----BEGIN CERTIFICATE-----\n") < 0) {
				snprintf(why, whylen, "At most %d KiB of CA certificates, please.", AD_CA_MAX_BYTES / 1024);
				bad = 1;
			}
			while (!bad && off < dlen) {
				int chunk = dlen - off > 48 ? 48 : (int)(dlen - off);
				int m = EVP_EncodeBlock(b64, data + off, chunk);

				if (cm_buf_append(out, b64, (size_t)m) < 0 || cm_buf_putc(out, '\n') < 0) {
					snprintf(why, whylen, "At most %d KiB of CA certificates, please.",
					    AD_CA_MAX_BYTES / 1024);
					bad = 1;
					break;
				}
				off += chunk;
			}
			if (!bad && cm_buf_puts(out, "-----END CERTIFICATE-----\n") < 0) {
				snprintf(why, whylen, "At most %d KiB of CA certificates, please.", AD_CA_MAX_BYTES / 1024);
				bad = 1;
			}
		}
		X509_free(x);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		if (bad)
			goto out;
	}
	if (count == 0) {
		snprintf(why, whylen, "No certificate found: paste PEM text from -----BEGIN CERTIFICATE----- to "
		    "-----END CERTIFICATE-----.");
		goto out;
	}
	if (n)
		*n = count;
	rc = 0;
out:
	if (rc < 0 && out)
		cm_buf_reset(out);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

/* The count; see ad_server_ca.h. */
size_t
ad_server_ca_count(const char *pem)
{
	size_t n = 0;

	for (const char *p = pem; p && (p = strstr(p, "-----BEGIN CERTIFICATE-----")) != NULL; p++)
		n++;
	return n;
}
