/* fuzz_scep_envelope.c: libFuzzer target for signerd's SCEP envelope intake (signer/scep_envelope.c): CMS parse, cipher, recipient match, decryption and plaintext classification, with a fixed RA key. */
/* fuzz-sources: signer/scep_envelope.c lib/buf.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "signer/scep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fixed RA pair (a test key, nothing else uses it), so the seeds in
 * tests/fuzz/corpus/scep_envelope/ are envelopes really addressed to it. */
static const char ra_key_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDE98o2i0diGLCT\n"
	"3GK254w43rsk4Yb903L0YCtuk1+uN2T3r2oOw12nGdnZvOr+i2pTmQicAlveENp5\n"
	"KwfCYwAxhfHShmrO8upZ2rzp9VBq4AdBPAOml7vFEbfAsYgX6SAQeOI3C37MXmJ9\n"
	"wa87Y9eFemI+2tiq80c2AAe+YOI13bnNd2INXHZn3IvRGfrBxfSO90kCiSI1dDlj\n"
	"6yIGGJHPYCUbkiZyFkY30n7ZfC0MjF5pFHLgIEEDxlszH7gh4IJfWiu1PCJMuO5T\n"
	"JK8oiH64AoNXoVKw+5idNHvBsJhW9HAku2k6uXv/lVIN/9sPFKgRN+6p2bKDBPTu\n"
	"R/3WSL3hAgMBAAECggEACn8b/xkgBjnDmzWY6x9eyR8RgQ8ltvwgOaawWdWvuSSJ\n"
	"lGt8Luo5YPDPO7vGGCeM1ISowUuc4rIqOl/RK4pEFd+J+gqgwYOPepdeDue8T929\n"
	"dTwCA8w9POzLSpELbB7HzyjqAT3zFWgIPqRmNreE4j+Z4bie6ElLp7SLtRkLpQwi\n"
	"bjqcnGl5e0+3G7k0EalOZHwy9/llI00KTMiQCZAS1q/rTjVFZGBaIWo7rKipvFlY\n"
	"nrdX73hCMjIpduscrJFRyimVp2Gr9EsvwdcGty+OTOEnVgMF1okVtE9wNPWvQiYU\n"
	"r0TmGp36Ml84OyY+Dp6ud/MWP4ELxQar2/99kDRWYQKBgQDhDYUug9l1gYTrwDRa\n"
	"zzQ9YjxE/RxLOT5eWXyZNZ2mDq8fJ+ACvCLY42FxtpzLS4puDJ9L84Br7Iki1Ueo\n"
	"nWNPjL6iFGLir/Nery0CB5czYU3wdW52ZUEdLCw2kgL70ndeVJ+YAUhB0JNt8mVE\n"
	"v3jYbEv0KYirGR8CqujR0eLr+QKBgQDgDZqxZDIf9T6QBI9K7fXgPOxQNCnyBLyc\n"
	"MvCnqhl501PSq1fdAI1kn83OShmW+ANe2zIlEaBoGNy1hTNP71xe4JSWa/BZmYlE\n"
	"pxk+W2EdRkC+fCONRjMwiWTiKl8zfa72X4OLxYMzDETz80ESo0NU5NXT1C/N1M99\n"
	"Ae0KGgdLKQKBgQCj331v7nAlISeRpsY4rZJDdEmgjpHQsKEagJy6zxC5Pw4DaLy0\n"
	"IRxaw89LxwYK/jmRgr1nx6pma7k71QO14szSuxCA4slSeX6EHphuVuqhbiQbiNbj\n"
	"fT1ZqbWUEuP7TDjBRmtjeuOLkP4ZXByjX6z2In14D9pFhChRf/PB/Mv4uQKBgG/R\n"
	"2laWLv4MI8E0xV8cDA5x2W7d2eFTw94g/kJvfm9yrO8DXMKLuAV0S/6ctNDHzsbU\n"
	"lt4xQeEyJ1TguY83Yt5nL0Ezda0CF6QP0WVxrbIykbV/ty6Wzo12xMarZwAHxf5o\n"
	"BPsJBEXB5dfqm5t1p/EClEU4LPOJNlSpVWgpPWKhAoGAdWbP7/HISfCrRPPtZc+v\n"
	"SOfMN7Lt0bd7NQM7K0xTIDLVCKZS2lXc2Gjb6ji0Czl5sElBbotAtl4RIKolNNQT\n"
	"3x7Xq+nKmId2Z5rbJiu/9FILT3gso8wXzytCRVSsrX/qJ/xqxenEOmnTMR5OND3+\n"
	"4Pvivh5j7WhFasD9VhW4vlc=\n"
	"-----END PRIVATE KEY-----\n";
static const char ra_cert_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDPzCCAiegAwIBAgIUdnzcCnHK9A+3VeaLnzuSohXMw4IwDQYJKoZIhvcNAQEL\n"
	"BQAwJjENMAsGA1UECgwERnV6ejEVMBMGA1UEAwwMRnV6eiBTQ0VQIFJBMCAXDTI2\n"
	"MTIwMzE2MDIwMVoYDzIxMjYxMTA5MTYwMjAxWjAmMQ0wCwYDVQQKDARGdXp6MRUw\n"
	"EwYDVQQDDAxGdXp6IFNDRVAgUkEwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK\n"
	"AoIBAQDE98o2i0diGLCT3GK254w43rsk4Yb903L0YCtuk1+uN2T3r2oOw12nGdnZ\n"
	"vOr+i2pTmQicAlveENp5KwfCYwAxhfHShmrO8upZ2rzp9VBq4AdBPAOml7vFEbfA\n"
	"sYgX6SAQeOI3C37MXmJ9wa87Y9eFemI+2tiq80c2AAe+YOI13bnNd2INXHZn3IvR\n"
	"GfrBxfSO90kCiSI1dDlj6yIGGJHPYCUbkiZyFkY30n7ZfC0MjF5pFHLgIEEDxlsz\n"
	"H7gh4IJfWiu1PCJMuO5TJK8oiH64AoNXoVKw+5idNHvBsJhW9HAku2k6uXv/lVIN\n"
	"/9sPFKgRN+6p2bKDBPTuR/3WSL3hAgMBAAGjYzBhMB0GA1UdDgQWBBSIPgNfU+WP\n"
	"70v9+86KsexJp0gfMDAfBgNVHSMEGDAWgBSIPgNfU+WP70v9+86KsexJp0gfMDAP\n"
	"BgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIFoDANBgkqhkiG9w0BAQsFAAOC\n"
	"AQEAUaZ3PV0SCop31l6c3fiwMZoBd4wAvuHc09Gl2bkuZQL8SJequZLIWY1eOINH\n"
	"DLTJbgZ5POrgtSUZ/ogTTwm+ZM2qnEjxGlH4pXvXQiiGu+x8tuPUoimYePy/7kUL\n"
	"qQCo3gy/bw3vRlVlQY3XDLeGoWB6m0ij2RnTVlilmxO3hV4aC3BH7GZvngmW0ize\n"
	"kHO/A/qpGjGP6nEISPuLffq1xEcAcZObYbn7QHfCG0uTyQrJlGE8r00c7azW2Hqt\n"
	"UNfCvMIGNF0a/SKhoxBNkcklkPhdOKblEs+cnl30oVEv4JagBAGXmMr8/5Cd11u7\n"
	"Bo3jioK4QIqhE0IEt6f6HVwP4g==\n"
	"-----END CERTIFICATE-----\n";

static struct cm_scep_recipient ra;

/* Loads the RA pair once; aborts when it does not load (a broken target). */
static void
setup(void)
{
	if (ra.cert)
		return;
	(void)cm_scep_load_legacy();
	BIO *b = BIO_new_mem_buf(ra_key_pem, -1);
	ra.key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	b = BIO_new_mem_buf(ra_cert_pem, -1);
	ra.cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	if (ra.key == NULL || ra.cert == NULL)
		abort();
}

/*
 * Input: the envelope bytes. Whatever opens must name one of the five
 * ciphers and hold exactly one value of a SCEP kind (the classifier agrees
 * on the bytes handed out); a refusal says why and hands out nothing. The
 * classifier alone must agree with itself on the raw input too.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_buf out;
	const char *cipher = NULL;
	enum cm_scep_plain kind;
	char reason[256];

	setup();
	(void)cm_scep_plain_classify(data, size);
	cm_buf_init(&out, CM_SCEP_MAX_CONTENT + 1);
	reason[0] = '\0';
	int r = cm_scep_envelope_open(data, size, &ra, 1, &out, &cipher, &kind, reason, sizeof(reason));
	if (r == 0) {
		if (cipher == NULL || cm_scep_cipher(cipher) == NULL || kind == CM_SCEP_PLAIN_OTHER ||
		    out.len == 0 || out.len > CM_SCEP_MAX_CONTENT ||
		    cm_scep_plain_classify((const unsigned char *)out.data, out.len) != kind)
			abort();
	} else {
		if (r != 1 && r != -1)
			abort();
		if (reason[0] == '\0' || memchr(reason, '\0', sizeof(reason)) == NULL || out.len != 0)
			abort();   /* every refusal says why, nothing leaks out */
	}
	cm_buf_free(&out);
	return 0;
}
