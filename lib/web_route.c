/* web_route.c: the route table of a program: matching a request to a route, and --routes. */
#include "config.h"

#include <string.h>

#include "ids.h"
#include "web.h"

/* 1 when the path parts match pattern, else 0; *id gets the '#' segment. */
int
cm_route_path_matches(const char *pattern, char *const *parts, size_t nparts, int64_t *id)
{
	size_t i = 0;
	const char *p = pattern;

	*id = 0;
	while (*p) {
		const char *seg, *end;
		size_t n;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		seg = p;
		end = strchr(seg, '/');
		n = end ? (size_t)(end - seg) : strlen(seg);
		p = seg + n;
		if (i >= nparts)
			return 0;
		if (n == 1 && seg[0] == '#') {
			if ((*id = cm_id_parse(parts[i])) <= 0)
				return 0;
		} else if (strlen(parts[i]) != n || strncmp(parts[i], seg, n) != 0) {
			return 0;
		}
		i++;
	}
	return i == nparts;
}

/* The route, or NULL (then *path_found says 405 or 404). */
const struct cm_route *
cm_route_match(const struct cm_route *routes, size_t n, const char *method, char *const *parts,
    size_t nparts, int64_t *id, int *path_found)
{
	int is_head = strcmp(method, "HEAD") == 0;

	*path_found = 0;
	*id = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t v;

		if (!cm_route_path_matches(routes[i].pattern, parts, nparts, &v))
			continue;
		*path_found = 1;
		if (strcmp(method, routes[i].method) == 0 ||
		    (is_head && strcmp(routes[i].method, "GET") == 0)) {
			*id = v;
			return &routes[i];
		}
	}
	return NULL;
}

/* Prints "body=..." (and ",max=N") for a route that reads a body, after sep; 0 or -1. */
static int
print_body(const struct cm_body_rule *b, const char *sep, FILE *out)
{
	const char *plus = "";

	if (b->kinds == CM_BODY_NONE)
		return 0;
	if (fprintf(out, "%sbody=", sep) < 0)
		return -1;
	if ((b->kinds & CM_BODY_FORM) == CM_BODY_FORM)
		plus = "form";
	else if (b->kinds & CM_BODY_URLENCODED)
		plus = "urlencoded";
	else if (b->kinds & CM_BODY_MULTIPART)
		plus = "multipart";
	if (fputs(plus, out) < 0)
		return -1;
	if (b->kinds & CM_BODY_RAW) {
		if (fprintf(out, "%sraw:", plus[0] ? "+" : "") < 0)
			return -1;
		for (size_t i = 0; b->types && b->types[i]; i++)
			if (fprintf(out, "%s%s", i ? "|" : "", b->types[i]) < 0)
				return -1;
	}
	if (b->max > 0 && fprintf(out, ",max=%zu", b->max) < 0)
		return -1;
	return 0;
}

/* 0, or -1 when writing failed. */
int
cm_routes_print(const struct cm_web_program *p, FILE *out)
{
	for (size_t i = 0; i < p->nroutes; i++) {
		const struct cm_route *r = &p->routes[i];
		const char *access = p->access_name ? p->access_name(r->access) : NULL;
		int csrf = (r->flags & CM_ROUTE_CSRF) != 0;
		int any = csrf || access || r->body.kinds != CM_BODY_NONE;

		if (fprintf(out, "%s %s %s%s%s%s", r->method, r->pattern, csrf ? "csrf" : "",
		    csrf && access ? "," : "", access ? access : "", any ? "" : "-") < 0 ||
		    print_body(&r->body, csrf || access ? "," : "", out) < 0 ||
		    fputc('\n', out) == EOF)
			return -1;
	}
	return fflush(out) == 0 ? 0 : -1;
}
