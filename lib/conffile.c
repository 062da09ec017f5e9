/* conffile.c: parser for certmint's "key = value" configuration files. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conffile.h"

static char *
trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
cm_conf_parse_buf(const char *data, size_t len, const char *name,
    cm_conf_cb cb, void *ctx, char *err, size_t errlen)
{
	char line[CM_CONF_MAX_LINE + 1];
	char section[CM_CONF_MAX_LINE + 1] = "";
	size_t pos = 0;
	int lineno = 0;

	if (len > CM_CONF_MAX_BYTES) {
		snprintf(err, errlen, "%s: file is larger than %d bytes", name, CM_CONF_MAX_BYTES);
		return -1;
	}
	while (pos < len) {
		size_t start = pos;
		while (pos < len && data[pos] != '\n')
			pos++;
		size_t n = pos - start;
		if (pos < len)
			pos++;
		lineno++;
		if (n > CM_CONF_MAX_LINE) {
			snprintf(err, errlen, "%s:%d: line longer than %d bytes", name, lineno, CM_CONF_MAX_LINE);
			return -1;
		}
		if (memchr(data + start, '\0', n) != NULL) {
			snprintf(err, errlen, "%s:%d: NUL byte in line", name, lineno);
			return -1;
		}
		memcpy(line, data + start, n);
		line[n] = '\0';
		char *s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (close == NULL || *trim(close + 1) != '\0') {
				snprintf(err, errlen, "%s:%d: malformed section header", name, lineno);
				return -1;
			}
			*close = '\0';
			char *sec = trim(s + 1);
			/* Collapse inner runs of blanks: "[profile   x]" == "[profile x]". */
			char *w = section;
			for (char *r = sec; *r; r++) {
				if ((*r == ' ' || *r == '\t') && (w > section && w[-1] == ' '))
					continue;
				*w++ = (*r == '\t') ? ' ' : *r;
			}
			*w = '\0';
			if (section[0] == '\0') {
				snprintf(err, errlen, "%s:%d: empty section name", name, lineno);
				return -1;
			}
			continue;
		}
		char *eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s:%d: expected \"key = value\"", name, lineno);
			return -1;
		}
		*eq = '\0';
		char *key = trim(s);
		char *value = trim(eq + 1);
		if (*key == '\0') {
			snprintf(err, errlen, "%s:%d: missing key before '='", name, lineno);
			return -1;
		}
		size_t vl = strlen(value);
		if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
			value[vl - 1] = '\0';
			value++;
		}
		char why[512] = "";
		int r = cb(ctx, section, key, value, why, sizeof(why));
		if (r == 1) {
			if (section[0])
				snprintf(err, errlen, "%s:%d: unknown key '%s' in [%s]", name, lineno, key, section);
			else
				snprintf(err, errlen, "%s:%d: unknown key '%s'", name, lineno, key);
			return -1;
		}
		if (r != 0) {
			snprintf(err, errlen, "%s:%d: %s: %s", name, lineno, key, why[0] ? why : "bad value");
			return -1;
		}
	}
	return 0;
}

int
cm_conf_parse_file(const char *path, cm_conf_cb cb, void *ctx, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_size > CM_CONF_MAX_BYTES) {
		snprintf(err, errlen, "%s: file is larger than %d bytes", path, CM_CONF_MAX_BYTES);
		close(fd);
		return -1;
	}
	char *data = malloc((size_t)st.st_size + 1);
	if (data == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	int r = cm_conf_parse_buf(data, got, path, cb, ctx, err, errlen);
	free(data);
	return r;
}

int
cm_conf_bool(const char *v)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "on") || !strcmp(v, "1"))
		return 1;
	if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcasecmp(v, "off") || !strcmp(v, "0"))
		return 0;
	return -1;
}

int
cm_conf_apply(const struct cm_conf_field *f, void *obj, const char *section,
    const char *key, const char *value, char *err, size_t errlen)
{
	for (; f->key; f++) {
		if (strcmp(f->section, section) != 0 || strcmp(f->key, key) != 0)
			continue;
		char *slot = (char *)obj + f->offset;
		switch (f->type) {
		case CM_CONF_STR: {
			char *dup = strdup(value);
			if (dup == NULL) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			free(*(char **)slot);
			*(char **)slot = dup;
			return 0;
		}
		case CM_CONF_INT: {
			char *end;
			errno = 0;
			long v = strtol(value, &end, 10);
			if (errno || end == value || *end != '\0') {
				snprintf(err, errlen, "'%s' is not a whole number", value);
				return -1;
			}
			if (v < f->min || v > f->max) {
				snprintf(err, errlen, "%ld is outside %ld..%ld", v, f->min, f->max);
				return -1;
			}
			*(long *)slot = v;
			return 0;
		}
		case CM_CONF_BOOL: {
			int b = cm_conf_bool(value);
			if (b < 0) {
				snprintf(err, errlen, "'%s' is not yes or no", value);
				return -1;
			}
			*(int *)slot = b;
			return 0;
		}
		}
	}
	return 1;
}

void
cm_conf_free_fields(const struct cm_conf_field *f, void *obj)
{
	for (; f->key; f++) {
		if (f->type != CM_CONF_STR)
			continue;
		char **slot = (char **)((char *)obj + f->offset);
		free(*slot);
		*slot = NULL;
	}
}
