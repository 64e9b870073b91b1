#include "router.h"
#include "handlers.h"
#include <stdio.h>
#include <string.h>

/* Field declarations referenced by routes.def live with their handlers;
 * the table itself is here so the whole surface reads in one place. */
const struct route router_routes[] = {
#define ROUTE(method, pattern, handler, perm, fields) \
	{ method, pattern, handler, PERM_##perm, fields },
#include "routes.def"
#undef ROUTE
};
const int router_nroutes = (int)(sizeof router_routes / sizeof router_routes[0]);

static const struct { const char *name, *desc; } perms[PERM__COUNT] = {
#define PERM(name, desc) { #name, desc },
#include "permissions.def"
#undef PERM
};

const char *perm_name(enum perm p) { return p < PERM__COUNT ? perms[p].name : "?"; }
const char *perm_description(enum perm p) { return p < PERM__COUNT ? perms[p].desc : "?"; }

static const struct { const char *name; enum field_type type; } placeholder_types[] = {
	{ "uuid", FT_UUID }, { "str", FT_STRING }, { "int", FT_INT },
};

static int
placeholder_type(const char *s, size_t n, enum field_type *type)
{
	for (size_t i = 0; i < sizeof placeholder_types / sizeof placeholder_types[0]; i++)
		if (strlen(placeholder_types[i].name) == n &&
		    strncmp(placeholder_types[i].name, s, n) == 0) {
			*type = placeholder_types[i].type;
			return 0;
		}
	return -1;
}

/* Matches one pattern against a path; fills args when given. */
static int
match(const char *pattern, const char *path, json_t *args)
{
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '{') {
			const char *close = strchr(p, '}'), *colon = memchr(p, ':', (size_t)(close - p));
			const char *end = strchr(s, '/');
			size_t n = end ? (size_t)(end - s) : strlen(s);
			enum field_type type = FT_STRING;
			if (n == 0 || n > 200 || (colon && placeholder_type(colon + 1,
			    (size_t)(close - colon - 1), &type) < 0))
				return 0;
			char value[201];
			memcpy(value, s, n);
			value[n] = '\0';
			if (type == FT_INT && strspn(value, "0123456789") != n)
				return 0;
			if (validate_value(type, value) != 0)
				return 0;
			if (args) {
				char name[64];
				size_t nl = (size_t)((colon ? colon : close) - p - 1);
				snprintf(name, sizeof name, "%.*s", (int)nl, p + 1);
				json_object_set_new(args, name, json_string(value));
			}
			p = close + 1;
			s += n;
			continue;
		}
		if (*p != *s)
			return 0;
		p++, s++;
	}
	return *p == '\0' && *s == '\0';
}

int
router_match(struct req *rq, const struct route **out, char *allow, size_t allowlen)
{
	size_t n = 0;
	allow[0] = '\0';
	for (int i = 0; i < router_nroutes; i++) {
		const struct route *r = &router_routes[i];
		if (!match(r->pattern, rq->path, NULL))
			continue;
		if (strcmp(r->method, rq->method) == 0 ||
		    (strcmp(rq->method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)) {
			json_object_clear(rq->path_args);
			match(r->pattern, rq->path, rq->path_args);
			*out = r;
			return 0;
		}
		if (!strstr(allow, r->method))
			n += (size_t)snprintf(allow + n, n < allowlen ? allowlen - n : 0, "%s%s",
			    n ? ", " : "", r->method);
	}
	return allow[0] ? ERR_method_not_allowed : ERR_not_found;
}

int
router_check(char *err, size_t errlen)
{
	for (int i = 0; i < router_nroutes; i++) {
		const struct route *r = &router_routes[i];
		if (r->pattern[0] != '/' || r->handler == NULL || r->perm >= PERM__COUNT) {
			snprintf(err, errlen, "route %s %s: bad pattern, handler or permission",
			    r->method, r->pattern);
			return -1;
		}
		for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
			const char *close = strchr(p, '}'), *colon;
			enum field_type t;
			if (close == NULL || ((colon = memchr(p, ':', (size_t)(close - p))) &&
			    placeholder_type(colon + 1, (size_t)(close - colon - 1), &t) < 0)) {
				snprintf(err, errlen, "route %s: bad placeholder", r->pattern);
				return -1;
			}
		}
		for (int j = 0; j < i; j++)
			if (strcmp(router_routes[j].method, r->method) == 0 &&
			    strcmp(router_routes[j].pattern, r->pattern) == 0) {
				snprintf(err, errlen, "route %s %s declared twice", r->method, r->pattern);
				return -1;
			}
	}
	return 0;
}
