/* The route table (routes.def) and matching.  Patterns are literal
 * segments and typed placeholders: /api/v1/calls/{id:uuid}.  A request
 * whose placeholder does not fit its type is a 404, like an unknown path. */
#ifndef VOXLINE_ROUTER_H
#define VOXLINE_ROUTER_H
#include "errors.h"
#include "request.h"
#include "validate.h"

typedef void (*handler_fn)(struct req *rq, struct resp *rs);

enum perm {
#define PERM(name, desc) PERM_##name,
#include "permissions.def"
#undef PERM
	PERM__COUNT
};

struct route {
	const char *method;
	const char *pattern;
	handler_fn handler;
	enum perm perm;
	const struct field *fields;
};

extern const struct route router_routes[];
extern const int router_nroutes;

const char *perm_name(enum perm p);
const char *perm_description(enum perm p);
/* Checks the table once at start-up (patterns well-formed, no duplicates). */
int router_check(char *err, size_t errlen);
/* Finds the route for rq->method + rq->path and fills rq->path_args.
 * Returns 0, or ERR_not_found / ERR_method_not_allowed (allow gets the
 * methods that would match, comma separated). */
int router_match(struct req *rq, const struct route **out, char *allow, size_t allowlen);

#endif
