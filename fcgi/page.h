/* The context every signed-in page starts from, built in one place:
 * title, user {name, email}, nav [{label, href, current}] filtered by
 * permission, csrf_token, the current tenant and, for people with
 * several tenants (or superadmins), tenants [{id, name, current}] for
 * the switcher in the header. */
#ifndef VOXLINE_PAGE_H
#define VOXLINE_PAGE_H
#include "request.h"

/* current_href: the nav entry to mark (NULL: none).  Never NULL. */
json_t *page_context(struct req *rq, const char *title, const char *current_href);
/* Renders page with a context from page_context (stolen). */
void page_render(struct req *rq, struct resp *rs, const char *page, json_t *ctx);
/* SQL expression formatting a timestamptz column for people. */
#define PAGE_TIME(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"')"

#endif
