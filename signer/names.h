/* names.h: subject DNs and subjectAltNames as the signer accepts them. */
#ifndef CM_NAMES_H
#define CM_NAMES_H

#include <stddef.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define CM_MAX_SANS 100
#define CM_MAX_NAME_VALUE 256

/* "/O=Example/CN=Example CA" ("\/" escapes a slash) -> X509_NAME, or NULL
 * with err. Attribute types are OpenSSL short names or OIDs. */
X509_NAME *cm_dn_parse(const char *s, char *err, size_t errlen);

/* "DNS:x", "IP:1.2.3.4", "email:a@b", "URI:https://..." -> GENERAL_NAME, or
 * NULL with err. The value is checked like a CSR's SAN (cm_san_check). */
GENERAL_NAME *cm_san_parse(const char *s, char *err, size_t errlen);

/* Type bits for profiles. */
enum {
	CM_SAN_DNS = 1, CM_SAN_IP = 2, CM_SAN_EMAIL = 4, CM_SAN_URI = 8, CM_SAN_UPN = 16
};
/* The CM_SAN_* bit of gn, or 0 for types the signer never issues; *label
 * gets a name for messages ("DNS", "IP", "email", "URI", "UPN", "dirName"). */
unsigned cm_san_type(const GENERAL_NAME *gn, const char **label);
/* Syntax of the value: 0 ok, -1 with err. */
int cm_san_check(const GENERAL_NAME *gn, char *err, size_t errlen);

struct cm_name_rules;
/* The shared name rules over a planned certificate (subject, SANs, its
 * extended key usage NIDs): 0, or 1 refused with reason. */
int cm_names_check_plan(const struct cm_name_rules *r, const X509_NAME *subject,
    const GENERAL_NAMES *sans, const int *eku, size_t neku, char *reason, size_t rlen);

#endif
