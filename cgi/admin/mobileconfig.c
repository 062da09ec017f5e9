/* mobileconfig.c: writes the Apple .mobileconfig XML plist with one SCEP payload, and checks the name and e-mail address typed for it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "mobileconfig.h"

/* 1 when s is well-formed UTF-8 (no overlong forms, surrogates or code
 * points past U+10FFFF): the profile is an XML document. */
static int
utf8_ok(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s++, need, cp;

		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return 0;
		for (unsigned i = 0; i < need; i++, s++) {
			if ((*s & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (*s & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
	}
	return 1;
}

/* NULL, or a message for the form; see mobileconfig.h. */
const char *
mobileconfig_cn_problem(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0)
		return "Enter the user's name: it becomes the certificate's common name.";
	if (n > MOBILECONFIG_CN_MAX)
		return "The name must be at most 64 characters long.";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "Enter the name on one line, without control characters.";
	if (!utf8_ok((const unsigned char *)s))
		return "The name is not valid text (UTF-8); type it again.";
	return NULL;
}

/* NULL, or a message for the form; see mobileconfig.h. */
const char *
mobileconfig_email_problem(const char *s)
{
	static const char local_ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-";
	static const char domain_ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-";
	const char *at = s ? strchr(s, '@') : NULL;
	size_t n = s ? strlen(s) : 0;

	if (n == 0)
		return "Enter the user's e-mail address: S/MIME certificates carry it.";
	if (n > MOBILECONFIG_EMAIL_MAX || at == NULL || at == s || at - s > 64 || strchr(at + 1, '@') != NULL ||
	    strspn(s, local_ok) != (size_t)(at - s) || strspn(at + 1, domain_ok) != strlen(at + 1) ||
	    strchr(at + 1, '.') == NULL || at[1] == '.' || s[n - 1] == '.' || strstr(at, "..") != NULL)
		return "Enter an e-mail address like name@example.com.";
	return NULL;
}

/* NULL, or a message for the form; see mobileconfig.h. */
const char *
mobileconfig_device_cn_problem(const char *s)
{
	static const char host_ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
	size_t n = s ? strlen(s) : 0;

	if (n == 0)
		return "Enter the device's name: its DNS name (for example router1.example.com) or an e-mail address.";
	if (n > MOBILECONFIG_CN_MAX)
		return "The device's name must be at most 64 characters long.";
	if (strchr(s, '@') != NULL)
		return mobileconfig_email_problem(s) == NULL ? NULL
		    : "Enter the device's name as a DNS name like router1.example.com or an e-mail address like name@example.com.";
	if (strspn(s, host_ok) != n || strchr(s, '.') == NULL || s[0] == '.' || s[n - 1] == '.' || strstr(s, "..") != NULL)
		return "Enter the device's name as a DNS name like router1.example.com (letters, digits, hyphens, dots).";
	return NULL;
}

/* Appends s to b with the XML special characters escaped; 0 or -1. The
 * callers' texts hold no control characters (checked above or ours). */
static int
xml_text(struct cm_buf *b, const char *s)
{
	for (; *s; s++) {
		const char *e = NULL;

		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&apos;"; break;
		default: break;
		}
		if (e ? cm_buf_puts(b, e) < 0 : cm_buf_putc(b, *s) < 0)
			return -1;
	}
	return 0;
}

/* <key>k</key><string>v</string>; 0 or -1. */
static int
kv_str(struct cm_buf *b, const char *k, const char *v)
{
	if (cm_buf_puts(b, "<key>") < 0 || xml_text(b, k) < 0 || cm_buf_puts(b, "</key><string>") < 0 ||
	    xml_text(b, v) < 0 || cm_buf_puts(b, "</string>\n") < 0)
		return -1;
	return 0;
}

/* <key>k</key><integer>v</integer>; 0 or -1. */
static int
kv_int(struct cm_buf *b, const char *k, long v)
{
	return cm_buf_puts(b, "<key>") < 0 || xml_text(b, k) < 0 ||
	    cm_buf_printf(b, "</key><integer>%ld</integer>\n", v) < 0 ? -1 : 0;
}

/* A random (version 4) UUID in upper case, as Apple's tools write them. */
static int
uuid4(char out[37])
{
	unsigned char r[16];

	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
	    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
	return 0;
}

/* 0 or -1; see mobileconfig.h. Apple's "Configuration Profile Reference",
 * SCEP payload: Subject is an array of RDNs, each an array of
 * [oid-or-name, value] pairs; Key Usage 5 = signing + encryption. */
int
mobileconfig_write(struct cm_buf *b, const struct mobileconfig *m)
{
	const char *url = m->url, *ca_name = m->ca_name, *fp_b64 = m->ca_sha1_b64, *code = m->challenge;
	const char *cn = m->cn, *email = m->email;
	char u1[37], u2[37], id[160], display[400];

	if (uuid4(u1) < 0 || uuid4(u2) < 0)
		return -1;
	if (cm_buf_puts(b,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
	    "<plist version=\"1.0\">\n<dict>\n<key>PayloadContent</key>\n<array>\n<dict>\n"
	    "<key>PayloadContent</key>\n<dict>\n") < 0)
		return -1;
	if (kv_str(b, "URL", url) < 0 || kv_str(b, "Name", ca_name) < 0 || kv_str(b, "Challenge", code) < 0 ||
	    kv_int(b, "Keysize", 2048) < 0 || kv_str(b, "Key Type", "RSA") < 0 || kv_int(b, "Key Usage", 5) < 0 ||
	    kv_int(b, "Retries", 3) < 0 || kv_int(b, "RetryDelay", 10) < 0)
		return -1;
	if (cm_buf_puts(b, "<key>Subject</key>\n<array>\n<array><array><string>CN</string><string>") < 0 ||
	    xml_text(b, cn) < 0 || cm_buf_puts(b, "</string></array></array>\n") < 0)
		return -1;
	/* A device certificate (client-device) is named by its CN alone: its
	 * profile refuses an emailAddress attribute, and needs no SAN. */
	if (email != NULL &&
	    (cm_buf_puts(b, "<array><array><string>1.2.840.113549.1.9.1</string><string>") < 0 ||
	    xml_text(b, email) < 0 || cm_buf_puts(b, "</string></array></array>\n") < 0))
		return -1;
	if (cm_buf_puts(b, "</array>\n") < 0)
		return -1;
	if (email != NULL &&
	    (cm_buf_puts(b, "<key>SubjectAltName</key>\n<dict>\n") < 0 || kv_str(b, "rfc822Name", email) < 0 ||
	    cm_buf_puts(b, "</dict>\n") < 0))
		return -1;
	if (cm_buf_puts(b, "<key>CAFingerprint</key>\n<data>") < 0 || cm_buf_puts(b, fp_b64) < 0 ||
	    cm_buf_puts(b, "</data>\n</dict>\n") < 0)
		return -1;
	snprintf(id, sizeof(id), "certmint.%s.scep.%s", m->customer_uri, u2);
	snprintf(display, sizeof(display), "%s %s certificate", m->customer_name, email ? "S/MIME" : "device");
	if (kv_str(b, "PayloadDescription", email ? "Requests the user's S/MIME certificate with SCEP."
	    : "Requests the device's client-authentication certificate with SCEP.") < 0 ||
	    kv_str(b, "PayloadDisplayName", email ? "SCEP: S/MIME certificate" : "SCEP: device certificate") < 0 ||
	    kv_str(b, "PayloadIdentifier", id) < 0 || kv_str(b, "PayloadType", "com.apple.security.scep") < 0 ||
	    kv_str(b, "PayloadUUID", u2) < 0 || kv_int(b, "PayloadVersion", 1) < 0 ||
	    cm_buf_puts(b, "</dict>\n</array>\n") < 0)
		return -1;
	snprintf(id, sizeof(id), "certmint.%s.profile.%s", m->customer_uri, u1);
	if (kv_str(b, "PayloadDescription", email ? "Installs an S/MIME certificate for e-mail signing and encryption."
	    : "Installs a certificate the device authenticates itself with.") < 0 ||
	    kv_str(b, "PayloadDisplayName", display) < 0 || kv_str(b, "PayloadIdentifier", id) < 0 ||
	    kv_str(b, "PayloadOrganization", m->customer_name) < 0 || kv_int(b, "PayloadRemovalDisallowed", 0) < 0 ||
	    kv_str(b, "PayloadType", "Configuration") < 0 || kv_str(b, "PayloadUUID", u1) < 0 ||
	    kv_int(b, "PayloadVersion", 1) < 0 || cm_buf_puts(b, "</dict>\n</plist>\n") < 0)
		return -1;
	return 0;
}

/* See mobileconfig.h. */
void
mobileconfig_file_name(const char *email, char *out, size_t outlen)
{
	size_t i = 0;

	for (; email[i] && email[i] != '@' && i + 1 < outlen && i < 48; i++)
		out[i] = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", email[i]) ? email[i] : '_';
	out[i] = '\0';
	if (i == 0 || out[0] == '.')
		snprintf(out, outlen, "smime");
}

