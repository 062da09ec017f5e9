/* fuzz_namespace.c: libFuzzer target for the signerd.conf [namespaces] parser and the name-space membership tests. */
/* fuzz-sources: signer/namespace.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signer/namespace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: one selector byte, then a value up to the first NUL (parsed as a
 * [namespaces] line of the selected key), then the rest (tested as a DNS
 * name, an e-mail address and an IP address against what was parsed).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "dns", "email", "ip", "other" };
	static struct cm_namespaces ns;
	char value[CM_NS_MAX_VALUE + 64], err[256];

	if (size < 1 || size > sizeof(value) + 512)
		return 0;
	memset(&ns, 0, sizeof(ns));
	/* A fixed entry of each kind, so the matchers always have work. */
	if (cm_ns_add(&ns, "dns", "example.com", err, sizeof(err)) != 0 ||
	    cm_ns_add(&ns, "email", "example.com a@example.org", err, sizeof(err)) != 0 ||
	    cm_ns_add(&ns, "ip", "10.0.0.0/8 2001:db8::/33", err, sizeof(err)) != 0)
		abort();
	const char *key = keys[data[0] & 3];
	const uint8_t *p = data + 1, *nul = memchr(p, 0, size - 1);
	size_t vlen = nul ? (size_t)(nul - p) : size - 1;
	if (vlen >= sizeof(value))
		return 0;
	memcpy(value, p, vlen);
	value[vlen] = '\0';
	int r = cm_ns_add(&ns, key, value, err, sizeof(err));
	if (r == 1 && strcmp(key, "other") != 0)
		abort();
	if (r != 0 && r != 1 && (r != -1 || err[0] == '\0'))
		abort();
	if (ns.ndns > CM_NS_MAX_ENTRIES || ns.nemail > CM_NS_MAX_ENTRIES || ns.nip > CM_NS_MAX_ENTRIES)
		abort();
	/* Every entry kept is one the parser can read back the same way. */
	for (size_t i = 0; i < ns.ndns; i++)
		if (strlen(ns.dns[i]) > CM_NS_MAX_DNS || !cm_ns_dns_inside(&ns, ns.dns[i], strlen(ns.dns[i])))
			abort();
	const char *rest = nul ? (const char *)nul + 1 : "";
	size_t rlen = nul ? size - 1 - vlen - 1 : 0;
	cm_ns_dns_inside(&ns, rest, rlen);
	cm_ns_email_inside(&ns, rest, rlen);
	cm_ns_ip_inside(&ns, (const unsigned char *)rest, rlen);
	NAME_CONSTRAINTS *nc = cm_ns_name_constraints(&ns);
	if (nc == NULL)
		abort();
	NAME_CONSTRAINTS_free(nc);
	return 0;
}
