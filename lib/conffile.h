/* conffile.h: "key = value" files with [section] headers, parsed into structs. */
#ifndef CM_CONFFILE_H
#define CM_CONFFILE_H

#include <stddef.h>

#define CM_CONF_MAX_BYTES (256 * 1024)
#define CM_CONF_MAX_LINE 4096

/*
 * Called once per "key = value". section is "" before the first header, and
 * the full header text otherwise ("database", "profile tls-server").
 * Returns 0 when accepted, 1 when the key is unknown (the parser then fails
 * with "unknown key"), -1 when the value is bad (after writing why to err).
 */
typedef int (*cm_conf_cb)(void *ctx, const char *section, const char *key,
    const char *value, char *err, size_t errlen);

/* Both return 0, or -1 with "FILE:LINE: reason" in err. */
int cm_conf_parse_file(const char *path, cm_conf_cb cb, void *ctx,
    char *err, size_t errlen);
int cm_conf_parse_buf(const char *data, size_t len, const char *name,
    cm_conf_cb cb, void *ctx, char *err, size_t errlen);

/* Table-driven filling of a struct from one section's keys. */
enum cm_conf_type { CM_CONF_STR, CM_CONF_INT, CM_CONF_BOOL };

struct cm_conf_field {
	const char *section;    /* exact section name */
	const char *key;
	enum cm_conf_type type;
	size_t offset;          /* offsetof() into the target struct */
	long min, max;          /* CM_CONF_INT bounds */
};

/* Returns 0 when stored, 1 when (section, key) is not in the table, -1 with
 * err for a bad value. Strings are strdup'ed (char * fields, freed by
 * cm_conf_free_fields); ints are long; bools are int (yes/no/true/false/on/off/1/0). */
int cm_conf_apply(const struct cm_conf_field *fields, void *obj,
    const char *section, const char *key, const char *value,
    char *err, size_t errlen);
void cm_conf_free_fields(const struct cm_conf_field *fields, void *obj);

/* Parses a bool word; returns 0/1, or -1 when not a bool. */
int cm_conf_bool(const char *value);

#endif
