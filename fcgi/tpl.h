/* HTML templates: a small mustache-like language, escaping by default.
 *
 *   {{name}} {{a.b.c}} {{.}}    value, HTML-escaped (& < > " ' ` =)
 *   {{{raw name}}}              the only unescaped output (server-built SVG)
 *   {{url name}}                percent-encoded for a URL query component
 *   {{json name}}               JSON text safe inside <script type="application/json">
 *   {{#name}}..{{/name}}        section: loop over array, push object, or if-truthy
 *   {{^name}}..{{/name}}        inverted section
 *   {{@index}} {{@first}} {{@last}}   loop position (innermost loop)
 *   {{> partial}}               templates/partials/partial.html, same context
 *   {{< layout}}                first tag of a page: wrap in templates/layouts/layout.html
 *   {{$content}}                in a layout: the rendered page body
 *   {{! comment }}
 *
 * A line holding only a section/inverted/close/comment/partial/layout tag
 * (and blanks) disappears from the output entirely.
 *
 * Templates are compiled once at load; a tpl_set is immutable afterwards and
 * may be shared between threads.  Rendering only reads the JSON context. */
#ifndef VOXLINE_TPL_H
#define VOXLINE_TPL_H
#include <stddef.h>
#include <jansson.h>
#include "buf.h"

struct tpl_set;

/* Compiles every .html under dir/pages, dir/layouts and dir/partials
 * (subfolders included; missing folders are fine).  Every partial and layout
 * a template names must exist.  On error returns NULL and writes the first
 * problem to err, e.g. "pages/x.html:12: unclosed section 'items'". */
struct tpl_set *tpl_load(const char *dir, char *err, size_t errlen);
void tpl_free(struct tpl_set *set);

/* Renders pages/<name>.html (name without .html, e.g. "login" or
 * "admin/tenants") with ctx, appending to out.  0 on success; -1 on unknown
 * template, a render error (partial recursion, runaway template) or when out
 * reaches its maximum.  On -1 out is restored to its length before the call,
 * so a half page is never sent. */
int tpl_render(const struct tpl_set *set, const char *name, json_t *ctx, struct buf *out);

/* Compiles src as a page and renders it (partials and layouts come from set,
 * which may be NULL).  For unit tests and fuzzing.  On -1 err says why:
 * "<string>:3: ..." for syntax errors, a plain message for render errors. */
int tpl_render_string(const struct tpl_set *set, const char *src, json_t *ctx,
    struct buf *out, char *err, size_t errlen);

/* The one HTML-escaping primitive: & < > " ' ` = become entities, so the
 * result is safe in element text and in quoted or unquoted attribute values.
 * 0, or -1 when out is full. */
int tpl_escape_html(struct buf *out, const char *s, size_t n);

#endif
