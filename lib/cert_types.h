/* cert_types.h: the certificate types certmint issues, their signer profiles, and the one parser of type lists. */
#ifndef CM_CERT_TYPES_H
#define CM_CERT_TYPES_H

#include <stddef.h>

/* Each type as a bit of a mask. */
#define CM_TYPE_SSL      0x1u
#define CM_TYPE_CLIENT   0x2u
#define CM_TYPE_CODESIGN 0x4u
#define CM_TYPE_OCSP     0x8u
/* The types an administrator can hold and a domain can be delegated for
 * (OCSP-signing certificates are the CA's own, never requested). */
#define CM_TYPES_ADMIN   (CM_TYPE_SSL | CM_TYPE_CLIENT | CM_TYPE_CODESIGN)
#define CM_TYPES_ALL     (CM_TYPES_ADMIN | CM_TYPE_OCSP)

struct cm_cert_type {
	const char *name;        /* as stored in certificates.cert_type and admins.cert_types */
	const char *profile;     /* the signer profile that issues it (its main one; see cm_cert_type_of) */
	const char *label;       /* for people: "SSL", "client / S/MIME", ... */
	unsigned bit;
};

/* Every type, in display order: ssl, client, codesign, ocsp. */
#define CM_CERT_TYPES_N 4
extern const struct cm_cert_type cm_cert_types[CM_CERT_TYPES_N];

/* The entry of a type name, or NULL (names are exact: lower case). */
const struct cm_cert_type *cm_cert_type_find(const char *name);

/* The bit of a type name that is in allowed; 0 for any other name or NULL. */
unsigned cm_cert_type_bit(const char *name, unsigned allowed);

/* The certificate type a signer profile issues ("ssl", "client",
 * "codesign", "ocsp"), or NULL for an unknown profile or NULL. A type may
 * have more profiles than its cm_cert_types row names: client-device
 * issues "client" too. */
const char *cm_cert_type_of(const char *profile);

/* Flags of cm_cert_types_parse. */
#define CM_TYPES_STRICT 0x1u   /* no spaces, no empty names: what a MariaDB SET accepts */

/*
 * The one parser of a list of certificate types ("ssl,client,codesign": the
 * admins.cert_types SET, a CSV cell, the CLI's --types). Names are separated
 * by commas; unless CM_TYPES_STRICT, spaces around a name and empty names
 * are ignored. *mask gets the bits of the names that are in allowed.
 * 0, or -1 when a name is not one of allowed (or, strict, a name is empty
 * or padded); NULL and "" are the empty list.
 */
int cm_cert_types_parse(const char *list, unsigned allowed, unsigned flags, unsigned *mask);

#endif
