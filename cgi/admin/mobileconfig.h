/* mobileconfig.h: the Apple configuration profile (.mobileconfig) with one SCEP payload, written as an XML plist, and the rules for the fields a person types into it; no database, so it is unit- and fuzz-tested alone. */
#ifndef CM_ADMIN_MOBILECONFIG_H
#define CM_ADMIN_MOBILECONFIG_H

#include <stddef.h>

#include "buf.h"

/* The longest common name (ub-common-name) and e-mail address taken. */
#define MOBILECONFIG_CN_MAX 64
#define MOBILECONFIG_EMAIL_MAX 254

/* What goes into a profile; every text is escaped on the way out. */
struct mobileconfig {
	const char *url;          /* the chosen type's pkiclient.exe URL */
	const char *ca_name;      /* the issuing CA's CN (the payload's Name) */
	const char *ca_sha1_b64;  /* base64 of SHA-1(issuing CA DER): CAFingerprint */
	const char *challenge;    /* the access code */
	const char *cn, *email;   /* the user, checked by the rules below; email
	                           * NULL for a device type (subject CN only) */
	const char *customer_uri, *customer_name;
};

/* NULL when s is a common name for the profile (1..64 bytes of well-formed
 * UTF-8, no control characters), else a message for the form. */
const char *mobileconfig_cn_problem(const char *s);
/* NULL when s looks like an e-mail address (local@domain.tld, ASCII, at
 * most 254 characters), else a message for the form. */
const char *mobileconfig_email_problem(const char *s);

/* NULL when s names a device for a client-device type: a DNS name
 * (router1.example.com: letters, digits, '-', '_', at least one dot) or an
 * e-mail address, at most 64 characters; else a message for the form. */
const char *mobileconfig_device_cn_problem(const char *s);

/* Appends the profile to b: a Configuration payload holding one
 * com.apple.security.scep payload (RSA 2048, key usage 5, subject CN and
 * emailAddress, rfc822Name, fresh random PayloadUUIDs; with email NULL, a
 * device certificate: subject CN only, no SAN). 0, or -1 (memory, b's cap,
 * no randomness). */
int mobileconfig_write(struct cm_buf *b, const struct mobileconfig *m);

/* The download's file name without ".mobileconfig": the e-mail address's
 * local part (at most 48 characters) with anything but [A-Za-z0-9._-] made
 * '_' (it goes into a header); "smime" when nothing usable is left. A
 * device's profile passes its CN. */
void mobileconfig_file_name(const char *email, char *out, size_t outlen);

#endif
