/* cert_types.c: the one list of certificate types and the one parser of type lists. */
#include "config.h"

#include <string.h>

#include "cert_types.h"

const struct cm_cert_type cm_cert_types[CM_CERT_TYPES_N] = {
	{ "ssl",      "tls-server",   "SSL",              CM_TYPE_SSL },
	{ "client",   "client-smime", "client / S/MIME",  CM_TYPE_CLIENT },
	{ "codesign", "code-signing", "code-signing",     CM_TYPE_CODESIGN },
	{ "ocsp",     "ocsp-signing", "OCSP-signing",     CM_TYPE_OCSP },
};

/*
 * Profiles beyond each type's own (cm_cert_types[].profile) that issue a
 * certificate of that type: delegation, scoping, approval and the counters
 * treat them as their type, while the lists of types (one row each) stay
 * as they were.
 */
static const struct {
	const char *profile, *type;
} more_profiles[] = {
	{ "client-device", "client" },   /* SCEP device certificates: clientAuth only */
};

const struct cm_cert_type *
cm_cert_type_find(const char *name)
{
	for (size_t i = 0; name && i < CM_CERT_TYPES_N; i++)
		if (strcmp(name, cm_cert_types[i].name) == 0)
			return &cm_cert_types[i];
	return NULL;
}

unsigned
cm_cert_type_bit(const char *name, unsigned allowed)
{
	const struct cm_cert_type *t = cm_cert_type_find(name);

	return t ? t->bit & allowed : 0;
}

const char *
cm_cert_type_of(const char *profile)
{
	for (size_t i = 0; profile && i < CM_CERT_TYPES_N; i++)
		if (strcmp(profile, cm_cert_types[i].profile) == 0)
			return cm_cert_types[i].name;
	for (size_t i = 0; profile && i < sizeof(more_profiles) / sizeof(more_profiles[0]); i++)
		if (strcmp(profile, more_profiles[i].profile) == 0)
			return more_profiles[i].type;
	return NULL;
}

/* The bit of the n bytes at p when they name a type in allowed, else 0. */
static unsigned
bit_of(const char *p, size_t n, unsigned allowed)
{
	for (size_t i = 0; i < CM_CERT_TYPES_N; i++)
		if (strlen(cm_cert_types[i].name) == n && memcmp(p, cm_cert_types[i].name, n) == 0)
			return cm_cert_types[i].bit & allowed;
	return 0;
}

int
cm_cert_types_parse(const char *list, unsigned allowed, unsigned flags, unsigned *mask)
{
	int strict = (flags & CM_TYPES_STRICT) != 0, rc = 0;

	*mask = 0;
	if (list == NULL || list[0] == '\0')
		return 0;
	for (const char *p = list; ; ) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		unsigned bit;

		if (!strict) {
			while (n > 0 && *p == ' ') {
				p++;
				n--;
			}
			while (n > 0 && p[n - 1] == ' ')
				n--;
		}
		if (n > 0 || strict) {
			if ((bit = bit_of(p, n, allowed)) != 0)
				*mask |= bit;
			else
				rc = -1;
		}
		if (e == NULL)
			break;
		p = e + 1;
	}
	return rc;
}
