/* Template engine: a tokenizer/parser that compiles each file once into a
 * node tree, and a renderer that walks the tree over a jansson context.
 * Syntax summary in tpl.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem, scandir even when built without -D_GNU_SOURCE */
#endif
#include "tpl.h"
#include "buf.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_NEST 64		/* sections open at once in one template */
#define MAX_DEPTH 16		/* partials + layouts in one render: stops recursion */
#define MAX_DIR_DEPTH 8		/* subfolders under pages/ etc. (symlink loops) */
#define MAX_FILE (1 << 20)	/* one template file */
#define MAX_STEPS (1L << 20)	/* nodes visited per render: stops runaway nested loops
				   (a 1000-row table of 50 tags is 50k) */

enum ntype {
	N_TEXT, N_VAR, N_RAW, N_URL, N_JSON, N_SECTION, N_INVERTED,
	N_PARTIAL, N_CONTENT
};

struct node {
	enum ntype type;
	int line;
	char *text;		/* N_TEXT: bytes; otherwise the name as written */
	size_t len;
	char **seg;		/* dotted path split once; nseg == 0 means "." */
	int nseg;
	struct node *child;	/* section body */
	struct node *next;
};

struct tpl {
	char *key;		/* "pages/admin/tenants": folder + name, no .html */
	char *file;		/* "pages/admin/tenants.html", for messages */
	char *layout;		/* from {{< name}}, or NULL */
	int layout_line;
	struct node *root;
};

struct tpl_set {
	struct tpl **v;		/* sorted by key for bsearch */
	size_t n;
};

static void __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void
free_nodes(struct node *n)
{
	while (n) {
		struct node *next = n->next;
		free_nodes(n->child);
		for (int i = 0; i < n->nseg; i++)
			free(n->seg[i]);
		free(n->seg);
		free(n->text);
		free(n);
		n = next;
	}
}

static void
free_tpl(struct tpl *t)
{
	if (!t)
		return;
	free_nodes(t->root);
	free(t->key);
	free(t->file);
	free(t->layout);
	free(t);
}

/* ---------------------------------------------------------------- parser */

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Words separated by sep, no empty word: "a.b", "admin/row".  This keeps
 * ".." and absolute paths out of partial names. */
static int
valid_path(const char *s, size_t n, char sep)
{
	if (n == 0 || s[0] == sep || s[n - 1] == sep)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_word(s[i]) && !(s[i] == sep && s[i - 1] != sep))
			return 0;
	return 1;
}

static int
valid_name(const char *s, size_t n)
{
	if (n == 1 && s[0] == '.')
		return 1;
	if (n > 0 && s[0] == '@')
		return (n == 6 && !memcmp(s, "@index", 6)) ||
		    (n == 6 && !memcmp(s, "@first", 6)) ||
		    (n == 5 && !memcmp(s, "@last", 5));
	return valid_path(s, n, '.');
}

static struct node *
new_node(enum ntype type, int line, const char *s, size_t n)
{
	struct node *nd = xcalloc(1, sizeof *nd);
	nd->type = type;
	nd->line = line;
	nd->text = xmalloc(n + 1);	/* not xstrndup: file text may hold NULs */
	memcpy(nd->text, s, n);
	nd->text[n] = '\0';
	nd->len = n;
	if (type != N_TEXT && type != N_PARTIAL && type != N_CONTENT &&
	    strcmp(nd->text, ".") != 0) {
		/* Pre-split the path so rendering never re-parses it. */
		for (size_t i = 0; i < n; i++)
			nd->nseg += s[i] == '.';
		nd->nseg++;
		nd->seg = xcalloc((size_t)nd->nseg, sizeof *nd->seg);
		const char *p = s, *end = s + n;
		for (int k = 0; k < nd->nseg; k++) {
			const char *dot = memchr(p, '.', (size_t)(end - p));
			if (!dot)
				dot = end;
			nd->seg[k] = xstrndup(p, (size_t)(dot - p));
			p = dot + 1;
		}
	}
	return nd;
}

static int
starts_word(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n > k && !memcmp(s, w, k) && is_blank(s[k]);
}

static int
count_lines(const char *s, size_t n)
{
	int k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* One tag as the tokenizer sees it: kind is a sigil (! # ^ / > < $) or
 * 0 for output tags, whose node type is then in type. */
struct tag {
	size_t end;		/* just past the closing braces */
	char kind;
	enum ntype type;
	const char *name;	/* trimmed, without sigil or helper word */
	size_t namelen;
};

/* Tokenizer: reads the tag starting at src[ts] ("{{").  0, or -1 with a
 * message in msg. */
static int
lex_tag(const char *src, size_t len, size_t ts, struct tag *tg, char *msg, size_t msglen)
{
	int triple = ts + 2 < len && src[ts + 2] == '{';
	const char *close = triple ? "}}}" : "}}";
	size_t cs = ts + (triple ? 3 : 2);
	const char *c = memmem(src + cs, len - cs, close, strlen(close));
	if (!c) {
		snprintf(msg, msglen, "unclosed tag '%.*s'", (int)(len - ts > 20 ? 20 : len - ts), src + ts);
		return -1;
	}
	size_t ce = (size_t)(c - src);
	tg->end = ce + strlen(close);
	while (cs < ce && is_blank(src[cs]))
		cs++;
	while (ce > cs && is_blank(src[ce - 1]))
		ce--;
	const char *ct = src + cs;
	size_t cn = ce - cs;
	tg->kind = 0;
	tg->type = N_VAR;
	if (cn == 0) {
		snprintf(msg, msglen, "empty tag");
		return -1;
	}
	if (triple) {
		if (!starts_word(ct, cn, "raw")) {
			snprintf(msg, msglen, "unescaped output must be written {{{raw %.*s}}}",
			    (int)(cn > 40 ? 40 : cn), ct);
			return -1;
		}
		tg->type = N_RAW;
		ct += 3, cn -= 3;
	} else if (ct[0] && strchr("!#^/><$", ct[0])) {
		tg->kind = ct[0];
		ct++, cn--;
	} else if (ct[0] == '&' || starts_word(ct, cn, "raw")) {
		snprintf(msg, msglen, "unescaped output must be written {{{raw name}}}");
		return -1;
	} else if (ct[0] == '=') {
		snprintf(msg, msglen, "delimiter changes are not supported");
		return -1;
	} else if (starts_word(ct, cn, "url")) {
		tg->type = N_URL;
		ct += 3, cn -= 3;
	} else if (starts_word(ct, cn, "json")) {
		tg->type = N_JSON;
		ct += 4, cn -= 4;
	}
	while (cn > 0 && is_blank(ct[0]))
		ct++, cn--;
	tg->name = ct;
	tg->namelen = cn;
	return 0;
}

/* Parser: compiles one template into a node tree.  fname is used in
 * messages; only layouts may use {{$content}}.  NULL on error with
 * "fname:line: message" in err. */
static struct tpl *
compile(const char *fname, const char *src, size_t len, int is_layout,
    char *err, size_t errlen)
{
	struct tpl *t = xcalloc(1, sizeof *t);
	/* Open sections; level 0 is the template itself.  tail is where the
	 * next node of that level is linked. */
	struct {
		struct node *sec;
		struct node **tail;
	} st[MAX_NEST + 1];
	int top = 0, line = 1, ntags = 0;
	st[0].sec = NULL;
	st[0].tail = &t->root;
	size_t pos = 0;
	char msg[256];

#define FAIL(...) do { \
		snprintf(msg, sizeof msg, __VA_ARGS__); \
		goto fail; \
	} while (0)
#define APPEND(nd) do { \
		struct node *a_ = (nd); \
		*st[top].tail = a_; \
		st[top].tail = &a_->next; \
	} while (0)

	for (;;) {
		const char *o = pos < len ? memmem(src + pos, len - pos, "{{", 2) : NULL;
		if (!o) {
			if (pos < len)
				APPEND(new_node(N_TEXT, line, src + pos, len - pos));
			break;
		}
		size_t ts = (size_t)(o - src);
		line += count_lines(src + pos, ts - pos);
		struct tag tg;
		if (lex_tag(src, len, ts, &tg, msg, sizeof msg) < 0)
			goto fail;
		const char *ct = tg.name;
		size_t cn = tg.namelen, te = tg.end;
		char sig = tg.kind;
		ntags++;

		/* Mustache "standalone" rule: a structural tag alone on its line
		 * takes the whole line (indent and newline) with it. */
		size_t text_end = ts, next = te;
		if (sig && strchr("!#^/><", sig)) {
			size_t ls = ts, re = te;
			while (ls > pos && (src[ls - 1] == ' ' || src[ls - 1] == '\t'))
				ls--;
			while (re < len && (src[re] == ' ' || src[re] == '\t'))
				re++;
			int eol = re == len || src[re] == '\n' ||
			    (src[re] == '\r' && re + 1 < len && src[re + 1] == '\n');
			if ((ls == 0 || src[ls - 1] == '\n') && eol) {
				text_end = ls;
				next = re == len ? re : re + (src[re] == '\r' ? 2 : 1);
			}
		}
		if (text_end > pos)
			APPEND(new_node(N_TEXT, line, src + pos, text_end - pos));

		struct node *nd;
		switch (sig) {
		case '!':
			break;
		case '#':
		case '^':
			if (!valid_name(ct, cn))
				FAIL("invalid name '%.*s'", (int)cn, ct);
			if (top == MAX_NEST)
				FAIL("sections nested more than %d deep", MAX_NEST);
			nd = new_node(sig == '#' ? N_SECTION : N_INVERTED, line, ct, cn);
			APPEND(nd);
			top++;
			st[top].sec = nd;
			st[top].tail = &nd->child;
			break;
		case '/':
			if (top == 0)
				FAIL("close tag '%.*s' without an open section", (int)cn, ct);
			if (st[top].sec->len != cn || memcmp(st[top].sec->text, ct, cn))
				FAIL("close tag '%.*s' does not match section '%s' opened at line %d",
				    (int)cn, ct, st[top].sec->text, st[top].sec->line);
			top--;
			break;
		case '>':
			if (!valid_path(ct, cn, '/'))
				FAIL("invalid partial name '%.*s'", (int)cn, ct);
			nd = new_node(N_PARTIAL, line, ct, cn);
			APPEND(nd);
			break;
		case '<':
			/* The page must declare its layout before anything else. */
			if (ntags != 1)
				FAIL("layout tag must be the first tag of the file");
			if (!valid_path(ct, cn, '/'))
				FAIL("invalid layout name '%.*s'", (int)cn, ct);
			t->layout = xstrndup(ct, cn);
			t->layout_line = line;
			break;
		case '$':
			if (cn != 7 || memcmp(ct, "content", 7))
				FAIL("unknown block '$%.*s' (only {{$content}} exists)", (int)cn, ct);
			if (!is_layout)
				FAIL("{{$content}} is only allowed in layouts");
			nd = new_node(N_CONTENT, line, ct, cn);
			APPEND(nd);
			break;
		default:
			if (!valid_name(ct, cn))
				FAIL("invalid name '%.*s'", (int)cn, ct);
			nd = new_node(tg.type, line, ct, cn);
			APPEND(nd);
			break;
		}
		line += count_lines(src + ts, next - ts);
		pos = next;
	}
	if (top > 0) {
		line = st[top].sec->line;
		FAIL("unclosed section '%s'", st[top].sec->text);
	}
	return t;
fail:
	seterr(err, errlen, "%s:%d: %s", fname, line, msg);
	free_tpl(t);
	return NULL;
#undef FAIL
#undef APPEND
}

/* ---------------------------------------------------------------- loading */

static int
cmp_tpl(const void *a, const void *b)
{
	return strcmp((*(struct tpl *const *)a)->key, (*(struct tpl *const *)b)->key);
}

static int
cmp_key(const void *key, const void *elem)
{
	return strcmp(key, (*(struct tpl *const *)elem)->key);
}

static const struct tpl *
find(const struct tpl_set *set, const char *folder, const char *name)
{
	char key[512];
	if (!set || !set->n)
		return NULL;
	int n = snprintf(key, sizeof key, "%s/%s", folder, name);
	if (n < 0 || (size_t)n >= sizeof key)
		return NULL;
	struct tpl **t = bsearch(key, set->v, set->n, sizeof *set->v, cmp_key);
	return t ? *t : NULL;
}

static int
read_file(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	char chunk[8192];
	size_t n;
	int rc = 0;
	while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = buf_append(b, chunk, n);
	if (ferror(f))
		rc = -1;
	fclose(f);
	return rc;
}

/* Loads root/rel recursively; rel is "pages", "pages/admin", ...
 * scandir + alphasort so "the first error" is the same on every machine. */
static int
load_dir(struct tpl_set *set, const char *root, const char *rel, int depth,
    char *err, size_t errlen)
{
	char *dir = xasprintf("%s/%s", root, rel);
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		int missing = errno == ENOENT && depth == 0;
		if (!missing)
			seterr(err, errlen, "%s: %s", dir, strerror(errno));
		free(dir);
		return missing ? 0 : -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t nl = strlen(nm);
		if (rc < 0 || nm[0] == '.')
			continue;
		char *path = xasprintf("%s/%s", dir, nm);
		char *relpath = xasprintf("%s/%s", rel, nm);
		struct stat sb;
		if (stat(path, &sb) < 0) {
			seterr(err, errlen, "%s: %s", path, strerror(errno));
			rc = -1;
		} else if (S_ISDIR(sb.st_mode)) {
			if (depth + 1 >= MAX_DIR_DEPTH) {
				seterr(err, errlen, "%s: folders nested too deep", path);
				rc = -1;
			} else {
				rc = load_dir(set, root, relpath, depth + 1, err, errlen);
			}
		} else if (S_ISREG(sb.st_mode) && nl > 5 && !strcmp(nm + nl - 5, ".html")) {
			struct buf b;
			buf_init(&b, MAX_FILE);
			if (read_file(path, &b) < 0) {
				seterr(err, errlen, "%s: cannot read (or larger than %d bytes)", path, MAX_FILE);
				rc = -1;
			} else {
				struct tpl *t = compile(relpath, b.data ? b.data : "", b.len,
				    !strncmp(rel, "layouts", 7), err, errlen);
				if (!t) {
					rc = -1;
				} else {
					t->file = relpath;
					relpath = NULL;
					t->key = xstrndup(t->file, strlen(t->file) - 5);
					set->v = xrealloc(set->v, (set->n + 1) * sizeof *set->v);
					set->v[set->n++] = t;
				}
			}
			buf_free(&b);
		}
		free(path);
		free(relpath);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	free(dir);
	return rc;
}

/* Every {{> name}} must name an existing partial: typos fail at start-up,
 * not on the one page nobody tested. */
static int
check_refs(const struct tpl_set *set, const struct tpl *t, const struct node *n,
    char *err, size_t errlen)
{
	for (; n; n = n->next) {
		if (n->type == N_PARTIAL && !find(set, "partials", n->text)) {
			seterr(err, errlen, "%s:%d: unknown partial '%s'", t->file, n->line, n->text);
			return -1;
		}
		if (check_refs(set, t, n->child, err, errlen) < 0)
			return -1;
	}
	return 0;
}

struct tpl_set *
tpl_load(const char *dir, char *err, size_t errlen)
{
	static const char *const folders[] = { "layouts", "pages", "partials" };
	struct stat sb;
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		seterr(err, errlen, "%s: not a template folder", dir);
		return NULL;
	}
	struct tpl_set *set = xcalloc(1, sizeof *set);
	for (size_t i = 0; i < sizeof folders / sizeof *folders; i++)
		if (load_dir(set, dir, folders[i], 0, err, errlen) < 0)
			goto fail;
	if (set->n)
		qsort(set->v, set->n, sizeof *set->v, cmp_tpl);
	for (size_t i = 0; i < set->n; i++) {
		const struct tpl *t = set->v[i];
		if (t->layout && !find(set, "layouts", t->layout)) {
			seterr(err, errlen, "%s:%d: unknown layout '%s'", t->file, t->layout_line, t->layout);
			goto fail;
		}
		if (check_refs(set, t, t->root, err, errlen) < 0)
			goto fail;
	}
	return set;
fail:
	tpl_free(set);
	return NULL;
}

void
tpl_free(struct tpl_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		free_tpl(set->v[i]);
	free(set->v);
	free(set);
}

/* ---------------------------------------------------------------- output */

int
tpl_escape_html(struct buf *out, const char *s, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		const char *e;
		switch (s[i]) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		case '`': e = "&#96;"; break;
		case '=': e = "&#61;"; break;
		default: continue;
		}
		if (buf_append(out, s + run, i - run) < 0 || buf_puts(out, e) < 0)
			return -1;
		run = i + 1;
	}
	return buf_append(out, s + run, n - run);
}

/* Text of a scalar: strings as is, numbers as numbers, booleans as words;
 * null, missing, objects and arrays as nothing.  tmp holds formatted numbers
 * (%.6f of the largest double is ~320 chars). */
static void
scalar_text(json_t *v, char tmp[400], const char **s, size_t *n)
{
	*s = tmp;
	tmp[0] = '\0';
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		*s = json_string_value(v);
		*n = json_string_length(v);
		return;
	case JSON_INTEGER:
		snprintf(tmp, 400, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL: {
		/* Up to 6 decimals, trailing zeros dropped: 2.5, 0.333333, 3. */
		snprintf(tmp, 400, "%.6f", json_real_value(v));
		char *e = tmp + strlen(tmp);
		while (e > tmp && e[-1] == '0')
			e--;
		if (e > tmp && e[-1] == '.')
			e--;
		*e = '\0';
		if (!strcmp(tmp, "-0"))
			tmp[0] = '0', tmp[1] = '\0';
		break;
	}
	case JSON_TRUE:
		*s = "true";
		break;
	case JSON_FALSE:
		*s = "false";
		break;
	default:
		break;
	}
	*n = strlen(*s);
}

/* Query-component encoding: only unreserved characters stay; the result
 * then holds nothing HTML-special, so it is also already HTML-escaped. */
static int
put_url(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int keep = is_word((char)c) || c == '.' || c == '~';
		char pct[3] = { '%', hex[c >> 4], hex[c & 15] };
		if (keep ? buf_putc(out, (char)c) : buf_append(out, pct, 3))
			return -1;
	}
	return 0;
}

/* JSON for <script type="application/json">: "</script>" and "<!--" cannot
 * occur once < > & are \u escapes; U+2028/2029 are escaped for old JS
 * parsers.  These bytes only occur inside JSON strings, where \uXXXX is
 * equivalent, so the JSON value is unchanged. */
static int
put_json(struct buf *out, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	const char *p = s ? s : "null";
	int rc = 0;
	size_t run = 0, i;
	for (i = 0; p[i] && rc == 0; i++) {
		const char *e = NULL;
		size_t skip = 1;
		if (p[i] == '<')
			e = "\\u003c";
		else if (p[i] == '>')
			e = "\\u003e";
		else if (p[i] == '&')
			e = "\\u0026";
		else if ((unsigned char)p[i] == 0xE2 && (unsigned char)p[i + 1] == 0x80 &&
		    ((unsigned char)p[i + 2] == 0xA8 || (unsigned char)p[i + 2] == 0xA9)) {
			e = (unsigned char)p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
			skip = 3;
		}
		if (!e)
			continue;
		rc = buf_append(out, p + run, i - run) < 0 || buf_puts(out, e) < 0 ? -1 : 0;
		i += skip - 1;
		run = i + 1;
	}
	if (rc == 0)
		rc = buf_append(out, p + run, i - run);
	free(s);
	return rc;
}

/* ---------------------------------------------------------------- renderer */

struct frame {
	json_t *v;
	json_t *index;		/* loop frames: @index as a JSON integer, made on first use */
	size_t i, n;
	int loop;
};

struct rstate {
	const struct tpl_set *set;
	struct frame *fr;	/* context stack, innermost last */
	int nfr, capfr;
	int depth;		/* partials and layouts entered */
	long steps;
	const struct buf *content;	/* page body while rendering its layout */
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 2, 3)))
rfail(struct rstate *rs, const char *fmt, ...)
{
	if (rs->err && rs->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(rs->err, rs->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void
push(struct rstate *rs, json_t *v, int loop, size_t i, size_t n)
{
	if (rs->nfr == rs->capfr) {
		rs->capfr = rs->capfr ? rs->capfr * 2 : 16;
		rs->fr = xrealloc(rs->fr, (size_t)rs->capfr * sizeof *rs->fr);
	}
	struct frame *f = &rs->fr[rs->nfr++];
	f->v = v;
	f->loop = loop;
	f->i = i;
	f->n = n;
	f->index = NULL;
}

static void
pop(struct rstate *rs)
{
	json_decref(rs->fr[--rs->nfr].index);
}

/* Mustache lookup: the first segment is searched from the innermost context
 * outwards; the rest of a dotted path is resolved from there only. */
static json_t *
lookup(struct rstate *rs, const struct node *n)
{
	if (n->nseg == 0)
		return rs->fr[rs->nfr - 1].v;
	if (n->seg[0][0] == '@') {
		for (int k = rs->nfr - 1; k >= 0; k--) {
			struct frame *f = &rs->fr[k];
			if (!f->loop)
				continue;
			if (!strcmp(n->seg[0], "@index")) {
				if (!f->index)
					f->index = json_integer((json_int_t)f->i);
				return f->index;
			}
			if (!strcmp(n->seg[0], "@first"))
				return f->i == 0 ? json_true() : json_false();
			return f->i + 1 == f->n ? json_true() : json_false();
		}
		return NULL;
	}
	for (int k = rs->nfr - 1; k >= 0; k--) {
		if (!json_is_object(rs->fr[k].v))
			continue;
		json_t *v = json_object_get(rs->fr[k].v, n->seg[0]);
		if (!v)
			continue;
		for (int s = 1; s < n->nseg && v; s++)
			v = json_object_get(v, n->seg[s]);
		return v;
	}
	return NULL;
}

static int
truthy(json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_OBJECT: return 1;
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0.0;
	case JSON_TRUE: return 1;
	default: return 0;
	}
}

static int render_tpl(struct rstate *rs, const struct tpl *t, struct buf *out);

static int
render_nodes(struct rstate *rs, const struct node *n, struct buf *out)
{
	for (; n; n = n->next) {
		if (++rs->steps > MAX_STEPS)
			return rfail(rs, "template render exceeded %ld steps", MAX_STEPS);
		json_t *v;
		const char *s;
		size_t len;
		char tmp[400];
		int rc = 0;
		switch (n->type) {
		case N_TEXT:
			rc = buf_append(out, n->text, n->len);
			break;
		case N_VAR:
		case N_RAW:
		case N_URL:
			scalar_text(lookup(rs, n), tmp, &s, &len);
			rc = n->type == N_VAR ? tpl_escape_html(out, s, len) :
			    n->type == N_RAW ? buf_append(out, s, len) : put_url(out, s, len);
			break;
		case N_JSON:
			rc = put_json(out, lookup(rs, n));
			break;
		case N_CONTENT:
			if (rs->content)
				rc = buf_append(out, rs->content->data, rs->content->len);
			break;
		case N_INVERTED:
			if (!truthy(lookup(rs, n)))
				rc = render_nodes(rs, n->child, out);
			break;
		case N_SECTION:
			v = lookup(rs, n);
			if (json_is_array(v)) {
				size_t cnt = json_array_size(v);
				for (size_t i = 0; i < cnt && rc == 0; i++) {
					push(rs, json_array_get(v, i), 1, i, cnt);
					rc = render_nodes(rs, n->child, out);
					pop(rs);
				}
			} else if (json_is_object(v)) {
				push(rs, v, 0, 0, 0);
				rc = render_nodes(rs, n->child, out);
				pop(rs);
			} else if (truthy(v)) {
				rc = render_nodes(rs, n->child, out);
			}
			break;
		case N_PARTIAL: {
			const struct tpl *p = find(rs->set, "partials", n->text);
			if (!p)
				return rfail(rs, "unknown partial '%s'", n->text);
			rc = render_tpl(rs, p, out);
			break;
		}
		}
		if (rc < 0) {
			if (rs->err && rs->errlen && !rs->err[0])
				seterr(rs->err, rs->errlen, "output buffer full");
			return -1;
		}
	}
	return 0;
}

/* Renders a template; when it names a layout, the body is rendered first
 * into its own buffer and the layout then inserts it at {{$content}}. */
static int
render_tpl(struct rstate *rs, const struct tpl *t, struct buf *out)
{
	if (rs->depth >= MAX_DEPTH)
		return rfail(rs, "partials/layouts nested more than %d deep (recursion?)", MAX_DEPTH);
	rs->depth++;
	int rc;
	if (!t->layout) {
		rc = render_nodes(rs, t->root, out);
	} else {
		const struct tpl *lay = find(rs->set, "layouts", t->layout);
		if (!lay) {
			rs->depth--;
			return rfail(rs, "unknown layout '%s'", t->layout);
		}
		struct buf body;
		buf_init(&body, out->max - out->len);
		rc = render_nodes(rs, t->root, &body);
		if (rc == 0) {
			const struct buf *saved = rs->content;
			rs->content = &body;
			rc = render_tpl(rs, lay, out);
			rs->content = saved;
		}
		buf_free(&body);
	}
	rs->depth--;
	return rc;
}

static int
render_top(const struct tpl_set *set, const struct tpl *t, json_t *ctx,
    struct buf *out, char *err, size_t errlen)
{
	struct rstate rs = { .set = set, .err = err, .errlen = errlen };
	size_t start = out->len;
	if (err && errlen)
		err[0] = '\0';
	push(&rs, ctx, 0, 0, 0);
	int rc = render_tpl(&rs, t, out);
	while (rs.nfr > 0)
		pop(&rs);
	free(rs.fr);
	if (rc < 0 && out->data) {
		out->len = start;
		out->data[start] = '\0';
	}
	return rc;
}

int
tpl_render(const struct tpl_set *set, const char *name, json_t *ctx, struct buf *out)
{
	const struct tpl *t = find(set, "pages", name);
	if (!t)
		return -1;
	return render_top(set, t, ctx, out, NULL, 0);
}

int
tpl_render_string(const struct tpl_set *set, const char *src, json_t *ctx,
    struct buf *out, char *err, size_t errlen)
{
	struct tpl *t = compile("<string>", src, strlen(src), 0, err, errlen);
	if (!t)
		return -1;
	int rc = render_top(set, t, ctx, out, err, errlen);
	free_tpl(t);
	return rc;
}
