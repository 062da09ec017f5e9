/* csr_forge.c: writes a signed PKCS#10 CSR whose CN, O, OU and SANs hold exactly the bytes given (NUL, CR/LF, invalid UTF-8), which the openssl CLI cannot produce; for the name-rule tests. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static void
usage(void)
{
	fprintf(stderr,
	    "usage: csr-forge -o OUT.csr [-c CN] [-O ORG] [-U OU] [-E EMAIL] [-n DNS:x|IP:a.b.c.d|email:x]...\n"
	    "Values take C escapes: \\0 (NUL), \\r, \\n, \\t, \\\\, \\xHH. The key is a fresh P-256 key.\n");
	exit(1);
}

/* Unescapes s into a new buffer; *n gets its length. NULL on a bad escape. */
static unsigned char *
unescape(const char *s, size_t *n)
{
	unsigned char *o = malloc(strlen(s) + 1);
	size_t k = 0;

	if (o == NULL)
		return NULL;
	for (; *s; s++) {
		if (*s != '\\') {
			o[k++] = (unsigned char)*s;
			continue;
		}
		s++;
		switch (*s) {
		case '0': o[k++] = 0; break;
		case 'r': o[k++] = '\r'; break;
		case 'n': o[k++] = '\n'; break;
		case 't': o[k++] = '\t'; break;
		case '\\': o[k++] = '\\'; break;
		case 'x': {
			unsigned v;
			if (sscanf(s + 1, "%2x", &v) != 1) {
				free(o);
				return NULL;
			}
			o[k++] = (unsigned char)v;
			s += 2;
			break;
		}
		default:
			free(o);
			return NULL;
		}
	}
	*n = k;
	return o;
}

/* Adds nid = the raw bytes of value as a UTF8String (no conversion): 0 / -1. */
static int
add_raw(X509_NAME *nm, int nid, const char *value)
{
	size_t n;
	unsigned char *v = unescape(value, &n);
	X509_NAME_ENTRY *ne;
	int ok;

	if (v == NULL)
		return -1;
	ne = X509_NAME_ENTRY_create_by_NID(NULL, nid, V_ASN1_UTF8STRING, v, (int)n);
	ok = ne && X509_NAME_add_entry(nm, ne, -1, 0);
	X509_NAME_ENTRY_free(ne);
	free(v);
	return ok ? 0 : -1;
}

/* One "TYPE:value" SAN with the value's raw bytes: 0 / -1. */
static int
add_san(GENERAL_NAMES *g, const char *spec)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	const char *colon = strchr(spec, ':');
	size_t n;
	unsigned char *v;

	if (gn == NULL || colon == NULL)
		return -1;
	if (strncmp(spec, "IP:", 3) == 0) {
		ASN1_OCTET_STRING *ip = a2i_IPADDRESS(spec + 3);
		if (ip == NULL)
			return -1;
		GENERAL_NAME_set0_value(gn, GEN_IPADD, ip);
	} else {
		int type = strncmp(spec, "DNS:", 4) == 0 ? GEN_DNS : strncmp(spec, "email:", 6) == 0 ? GEN_EMAIL : -1;
		ASN1_IA5STRING *s;

		if (type < 0 || (v = unescape(colon + 1, &n)) == NULL)
			return -1;
		s = ASN1_IA5STRING_new();
		ASN1_STRING_set(s, v, (int)n);
		free(v);
		GENERAL_NAME_set0_value(gn, type, s);
	}
	return sk_GENERAL_NAME_push(g, gn) ? 0 : -1;
}

int
main(int argc, char **argv)
{
	const char *out = NULL;
	X509_REQ *req = X509_REQ_new();
	X509_NAME *nm = X509_NAME_new();
	GENERAL_NAMES *sans = GENERAL_NAMES_new();
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	FILE *f;
	int opt;

	if (req == NULL || nm == NULL || sans == NULL || key == NULL)
		return 1;
	while ((opt = getopt(argc, argv, "o:c:O:U:E:n:")) != -1) {
		int r = 0;
		switch (opt) {
		case 'o': out = optarg; break;
		case 'c': r = add_raw(nm, NID_commonName, optarg); break;
		case 'O': r = add_raw(nm, NID_organizationName, optarg); break;
		case 'U': r = add_raw(nm, NID_organizationalUnitName, optarg); break;
		case 'E': r = add_raw(nm, NID_pkcs9_emailAddress, optarg); break;
		case 'n': r = add_san(sans, optarg); break;
		default: usage();
		}
		if (r < 0) {
			fprintf(stderr, "csr-forge: cannot use '%s'\n", optarg);
			return 1;
		}
	}
	if (out == NULL || optind != argc)
		usage();
	/* OpenSSL itself will not encode some byte strings (invalid UTF-8):
	 * say so rather than write a CSR without the subject asked for. */
	if (!X509_REQ_set_subject_name(req, nm) || !X509_REQ_set_pubkey(req, key)) {
		fprintf(stderr, "csr-forge: OpenSSL cannot encode this subject\n");
		return 1;
	}
	if (sk_GENERAL_NAME_num(sans) > 0) {
		STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
		X509_EXTENSION *ext = X509V3_EXT_i2d(NID_subject_alt_name, 0, sans);
		sk_X509_EXTENSION_push(exts, ext);
		X509_REQ_add_extensions(req, exts);
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	if (!X509_REQ_sign(req, key, EVP_sha256()) || (f = fopen(out, "w")) == NULL ||
	    !PEM_write_X509_REQ(f, req) || fclose(f) != 0) {
		fprintf(stderr, "csr-forge: cannot write %s\n", out);
		return 1;
	}
	X509_REQ_free(req);
	X509_NAME_free(nm);
	GENERAL_NAMES_free(sans);
	EVP_PKEY_free(key);
	return 0;
}
