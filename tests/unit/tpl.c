/* Template engine: every assertion compares the exact text a user gets. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* nftw, mkdtemp even when built without -D_GNU_SOURCE */
#endif
#include "tap.h"
#include "fcgi/tpl.h"
#include "buf.h"

#include <ftw.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

static char result[1 << 16];

/* Renders src over the JSON text ctx; the output, or "ERR: message". */
static const char *
rs(const struct tpl_set *set, const char *src, const char *ctx)
{
	json_error_t je;
	json_t *c = json_loads(ctx, JSON_DECODE_ANY, &je);
	if (!c) {
		snprintf(result, sizeof result, "BAD CONTEXT: %s", je.text);
		return result;
	}
	struct buf out;
	char err[256];
	buf_init(&out, sizeof result - 1);
	if (tpl_render_string(set, src, c, &out, err, sizeof err) < 0)
		snprintf(result, sizeof result, "ERR: %s", err);
	else
		snprintf(result, sizeof result, "%s", out.data ? out.data : "");
	buf_free(&out);
	json_decref(c);
	return result;
}

static const char *
rp(const struct tpl_set *set, const char *name, const char *ctx)
{
	json_t *c = json_loads(ctx, 0, NULL);
	struct buf out;
	buf_init(&out, sizeof result - 1);
	if (tpl_render(set, name, c, &out) < 0)
		snprintf(result, sizeof result, "ERR");
	else
		snprintf(result, sizeof result, "%s", out.data ? out.data : "");
	buf_free(&out);
	json_decref(c);
	return result;
}

static void
put(const char *dir, const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	for (char *s = strchr(path + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0700);
		*s = '/';
	}
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void
rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Loads a set from files given as path, text, path, text, ..., NULL. */
static struct tpl_set *
load(char *dir, char *err, size_t errlen, ...)
{
	snprintf(dir, 32, "%s", "/tmp/tpltest.XXXXXX");   /* callers pass char[64] */
	if (!mkdtemp(dir))
		return NULL;
	va_list ap;
	va_start(ap, errlen);
	const char *rel;
	while ((rel = va_arg(ap, const char *)) != NULL)
		put(dir, rel, va_arg(ap, const char *));
	va_end(ap);
	err[0] = '\0';
	struct tpl_set *set = tpl_load(dir, err, errlen);
	rm_tree(dir);
	return set;
}

static void
test_escaping(void)
{
	is(rs(NULL, "<p>{{v}}</p>", "{\"v\":\"<script>alert(\\\"x\\\")</script>\"}"),
	    "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>", "script tag escaped");
	is(rs(NULL, "<a title=\"{{t}}\">", "{\"t\":\"Tom & Jerry's \\\"show\\\"\"}"),
	    "<a title=\"Tom &amp; Jerry&#39;s &quot;show&quot;\">", "quotes and ampersand escaped in attribute");
	is(rs(NULL, "<a title={{t}}>", "{\"t\":\"x onclick=`y`\"}"),
	    "<a title=x onclick&#61;&#96;y&#96;>", "= and backtick escaped");
	is(rs(NULL, "{{{raw svg}}}", "{\"svg\":\"<svg><rect width=\\\"1\\\"/></svg>\"}"),
	    "<svg><rect width=\"1\"/></svg>", "raw outputs markup untouched");
	is(rs(NULL, "a\n{{{x}}}", "{\"x\":\"<b>\"}"),
	    "ERR: <string>:2: unescaped output must be written {{{raw x}}}", "{{{x}}} is a parse error");
	is(rs(NULL, "{{raw x}}", "{}"),
	    "ERR: <string>:1: unescaped output must be written {{{raw name}}}", "{{raw x}} is a parse error");
	is(rs(NULL, "{{&x}}", "{}"),
	    "ERR: <string>:1: unescaped output must be written {{{raw name}}}", "{{&x}} is a parse error");

	struct buf b;
	buf_init(&b, 100);
	tpl_escape_html(&b, "a<b>&\"'`=c", 11);
	is(b.data, "a&lt;b&gt;&amp;&quot;&#39;&#96;&#61;c", "tpl_escape_html");
	buf_free(&b);
}

static void
test_lookup(void)
{
	const char *ctx = "{\"call\":{\"agent\":{\"name\":\"Ada\"}},\"tenant\":\"Acme\","
	    "\"items\":[{\"name\":\"one\"},{\"name\":\"two\",\"tenant\":\"Own\"}],"
	    "\"a\":{\"b\":{}},\"b\":{\"c\":\"outer\"}}";
	is(rs(NULL, "{{call.agent.name}}|{{call.agent.missing}}|{{nope.x}}", ctx),
	    "Ada||", "dotted lookup");
	is(rs(NULL, "{{#items}}{{name}}@{{tenant}} {{/items}}", ctx),
	    "one@Acme two@Own ", "inner context first, then outer");
	is(rs(NULL, "{{#a}}[{{b.c}}]{{/a}}", ctx),
	    "[]", "rest of a dotted path does not fall back");
	is(rs(NULL, "{{.}}", "\"top\""), "top", "{{.}} at top level");
}

static void
test_sections(void)
{
	const char *ctx = "{\"items\":[{\"n\":\"a\"},{\"n\":\"b\"},{\"n\":\"c\"}],"
	    "\"tags\":[\"x\",\"<y>\"],\"agent\":{\"name\":\"Ada\",\"voice\":\"alloy\"},"
	    "\"empty\":[],\"no\":false,\"yes\":true,\"zero\":0,\"blank\":\"\",\"s\":\"hi\","
	    "\"nul\":null,\"name\":\"outer\"}";
	is(rs(NULL, "{{#items}}{{@index}}:{{n}}{{#@first}}(first){{/@first}}"
	    "{{#@last}}(last){{/@last}}{{^@last}}, {{/@last}}{{/items}}", ctx),
	    "0:a(first), 1:b, 2:c(last)", "loop with @index @first @last");
	is(rs(NULL, "{{#tags}}<{{.}}>{{/tags}}", ctx), "<x><&lt;y&gt;>", "{{.}} in array of strings");
	is(rs(NULL, "{{#agent}}{{name}} ({{voice}}){{/agent}} {{name}}", ctx),
	    "Ada (alloy) outer", "object section pushes context once");
	is(rs(NULL, "{{#yes}}Y{{name}}{{/yes}}{{#s}}S{{/s}}{{#zero}}Z{{/zero}}{{#blank}}B{{/blank}}"
	    "{{#no}}N{{/no}}{{#nul}}U{{/nul}}{{#missing}}M{{/missing}}{{#empty}}E{{/empty}}", ctx),
	    "YouterS", "truthy sections render once, falsy are skipped");
	is(rs(NULL, "{{^empty}}no calls{{/empty}}|{{^no}}off{{/no}}|{{^missing}}none{{/missing}}|"
	    "{{^zero}}0{{/zero}}|{{^items}}X{{/items}}{{^yes}}X{{/yes}}{{^agent}}X{{/agent}}", ctx),
	    "no calls|off|none|0|", "inverted sections");
	is(rs(NULL, "{{#items}}{{#agent}}{{n}}{{@index}}{{/agent}}{{/items}}", ctx),
	    "a0b1c2", "@index seen through an object section");
	is(rs(NULL, "[{{@index}}{{@first}}]", ctx), "[]", "@index outside a loop is empty");
	is(rs(NULL, "a{{! a comment\nover lines }}b", "{}"), "ab", "comment");
}

static void
test_standalone(void)
{
	const char *ctx = "{\"items\":[\"a\",\"b\"],\"t\":true}";
	is(rs(NULL, "<ul>\n  {{#items}}\n  <li>{{.}}</li>\n  {{/items}}\n</ul>\n", ctx),
	    "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n", "standalone section lines removed");
	is(rs(NULL, "<table>\r\n\t{{! rows }}\r\n\t{{^items}}\r\n<tr><td>none</td></tr>\r\n\t{{/items}}\r\n</table>", ctx),
	    "<table>\r\n</table>", "standalone with CRLF, tabs and comments");
	is(rs(NULL, "a {{#t}}b{{/t}} c\n{{#t}}\nd\n{{/t}}", ctx),
	    "a b c\nd\n", "inline tags keep their line; tag at end of file");
	is(rs(NULL, "x {{#t}}\ny", ctx), "ERR: <string>:1: unclosed section 't'", "unclosed section");
	is(rs(NULL, "{{v}}\n", "{\"v\":1}"), "1\n", "variable lines are not standalone");
}

static void
test_helpers(void)
{
	is(rs(NULL, "<a href=\"/calls?q={{url q}}&amp;n={{url n}}\">", "{\"q\":\"a b&c=d/\xc3\xa9~_.-\",\"n\":42}"),
	    "<a href=\"/calls?q=a%20b%26c%3Dd%2F%C3%A9~_.-&amp;n=42\">", "url helper");
	const char *ctx = "{\"data\":{\"s\":\"</script><!-- & \xe2\x80\xa8\",\"n\":[1,2.5,true,null]}}";
	const char *j = rs(NULL, "{{json data}}", ctx);
	is(j, "{\"s\":\"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\",\"n\":[1,2.5,true,null]}",
	    "json helper escapes < > & U+2028");
	unlike(j, "</", "json of a string holding </script> has no '</'");
	is(rs(NULL, "<script type=\"application/json\" id=\"d\">{{json data.n}}</script>", ctx),
	    "<script type=\"application/json\" id=\"d\">[1,2.5,true,null]</script>", "json in a script block");
	is(rs(NULL, "{{json missing}} {{json s}}", "{\"s\":\"it's\"}"), "null \"it's\"", "json of missing and string");
}

static void
test_numbers(void)
{
	is(rs(NULL, "{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}} {{h}} {{i}} [{{j}}] [{{k}}] [{{l}}]",
	    "{\"a\":42,\"b\":-7,\"c\":2.5,\"d\":3.0,\"e\":0.30000000000000004,\"f\":1.23456789,"
	    "\"g\":-0.0000001,\"h\":true,\"i\":false,\"j\":null,\"k\":{\"x\":1},\"l\":[1]}"),
	    "42 -7 2.5 3 0.3 1.234568 0 true false [] [] []", "number, boolean, null formatting");
	is(rs(NULL, "{{n}}", "{\"n\":9007199254740993}"), "9007199254740993", "large integer");
}

static void
test_errors(void)
{
	is(rs(NULL, "a\n{{#a}}\n{{#b}}\n{{/a}}\n", "{}"),
	    "ERR: <string>:4: close tag 'a' does not match section 'b' opened at line 3", "mismatched close");
	is(rs(NULL, "\n\n{{/a}}", "{}"), "ERR: <string>:3: close tag 'a' without an open section", "stray close");
	is(rs(NULL, "ok\n{{name", "{}"), "ERR: <string>:2: unclosed tag '{{name'", "unclosed tag");
	is(rs(NULL, "{{a b}}", "{}"), "ERR: <string>:1: invalid name 'a b'", "invalid name");
	is(rs(NULL, "{{ }}", "{}"), "ERR: <string>:1: empty tag", "empty tag");
	is(rs(NULL, "x{{v}}\n{{< base}}", "{}"),
	    "ERR: <string>:2: layout tag must be the first tag of the file", "layout not first");
	is(rs(NULL, "{{$content}}", "{}"), "ERR: <string>:1: {{$content}} is only allowed in layouts", "$content outside layout");
	is(rs(NULL, "{{> ../etc/passwd}}", "{}"), "ERR: <string>:1: invalid partial name '../etc/passwd'", "partial path traversal");
	is(rs(NULL, "{{> row}}", "{}"), "ERR: unknown partial 'row'", "unknown partial without a set");

	struct buf out;
	char err[128];
	json_t *c = json_pack("{s:s}", "v", "0123456789");
	buf_init(&out, 16);
	buf_puts(&out, "keep");
	is_int(tpl_render_string(NULL, "{{v}}{{v}}", c, &out, err, sizeof err), -1, "output over max fails");
	is(out.data, "keep", "failed render leaves out as it was");
	is(err, "output buffer full", "full buffer message");
	buf_free(&out);
	json_decref(c);
}

static void
test_files(void)
{
	char dir[64], err[256];
	struct tpl_set *set = load(dir, err, sizeof err,
	    "layouts/main.html", "<body>\n{{$content}}</body>\n",
	    "layouts/outer.html", "<html>{{$content}}</html>",
	    "layouts/inner.html", "{{< outer}}\n<div>{{$content}}</div>",
	    "partials/item.html", "<li>{{name}}{{#@last}} (last){{/@last}}</li>\n",
	    "partials/self.html", "x{{> self}}",
	    "partials/admin/row.html", "<tr><td>{{.}}</td></tr>\n",
	    "pages/home.html", "{{< main}}\n<h1>{{title}}</h1>\n<ul>\n  {{#items}}\n  {{> item}}\n  {{/items}}\n</ul>\n",
	    "pages/admin/tenants.html", "{{#rows}}\n{{> admin/row}}\n{{/rows}}\n",
	    "pages/nested.html", "{{< inner}}\npage",
	    "pages/notes.txt", "{{ not a template",
	    NULL);
	ok(set != NULL, "tpl_load compiles pages, layouts, partials");
	if (!set) {
		diag(err);
		return;
	}
	is(rp(set, "home", "{\"title\":\"Calls & more\",\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}"),
	    "<body>\n<h1>Calls &amp; more</h1>\n<ul>\n<li>a</li>\n<li>b (last)</li>\n</ul>\n</body>\n",
	    "page in layout with partial in a loop");
	is(rp(set, "admin/tenants", "{\"rows\":[\"Acme\",\"Bob's\"]}"),
	    "<tr><td>Acme</td></tr>\n<tr><td>Bob&#39;s</td></tr>\n", "page and partial in subfolders");
	is(rp(set, "nested", "{}"), "<html><div>page</div></html>", "layout inside a layout");
	is(rp(set, "nope", "{}"), "ERR", "unknown page");
	is(rp(set, "../pages/home", "{}"), "ERR", "page names are keys, not paths");
	is(rs(set, "{{> self}}", "{}"), "ERR: partials/layouts nested more than 16 deep (recursion?)",
	    "partial recursion stops");
	is(rs(set, "{{< main}}\nhi {{> item}}", "{\"name\":\"z\"}"), "<body>\nhi <li>z</li>\n</body>\n",
	    "render_string with layout and partial from the set");
	tpl_free(set);

	set = load(dir, err, sizeof err, "pages/a.html", "ok", "pages/bad.html", "line1\n{{#items}}\n", NULL);
	ok(set == NULL, "syntax error fails the load");
	is(err, "pages/bad.html:2: unclosed section 'items'", "load error names file and line");
	set = load(dir, err, sizeof err, "pages/x.html", "\n{{#a}}{{> nope}}{{/a}}", NULL);
	is(err, "pages/x.html:2: unknown partial 'nope'", "unknown partial fails the load");
	tpl_free(set);
	set = load(dir, err, sizeof err, "pages/x.html", "{{< nope}}", NULL);
	is(err, "pages/x.html:1: unknown layout 'nope'", "unknown layout fails the load");
	tpl_free(set);
	set = load(dir, err, sizeof err, "partials/p.html", "{{$content}}", NULL);
	is(err, "partials/p.html:1: {{$content}} is only allowed in layouts", "$content only in layouts");
	tpl_free(set);
}

/* The shipped templates compile and render what the handlers rely on. */
static void
test_shipped(void)
{
	char err[256] = "";
	struct tpl_set *set = tpl_load("templates", err, sizeof err);
	if (!set && access("templates/pages", F_OK) != 0) {
		skip(12, "run from the source root to test templates/");
		return;
	}
	ok(set != NULL, "templates/ loads");
	if (!set) {
		diag(err);
		skip(11, "templates/ did not load");
		return;
	}
	const char *p = rp(set, "login", "{\"title\":\"Sign in\",\"error\":\"Wrong email or password.\","
	    "\"email\":\"a\\\"b@x.test\",\"csrf_token\":\"tok\"}");
	like(p, "<title>Sign in · Voxline</title>", "login title");
	like(p, "<h1>Sign in to Voxline</h1>", "login heading");
	like(p, "<div class=\"alert alert-error\" role=\"alert\">Wrong email or password.</div>", "login error alert");
	like(p, "value=\"a&quot;b@x.test\"", "login email refilled, escaped");
	like(p, "<input type=\"hidden\" name=\"csrf_token\" value=\"tok\">", "login csrf field");
	like(p, "<a href=\"/password/reset\">Forgot your password?</a>", "login reset link");

	p = rp(set, "error", "{\"status\":404,\"heading\":\"Page not found\",\"message\":\"No such call.\","
	    "\"error_id\":\"e-123\",\"user\":{\"name\":\"Ada\"},\"csrf_token\":\"t\",\"version\":\"1.0\","
	    "\"nav\":[{\"label\":\"Calls\",\"href\":\"/calls\",\"current\":true},{\"label\":\"Agents\",\"href\":\"/agents\"}]}");
	like(p, "<p class=\"error-status\">404</p>\n  <h1 id=\"error-heading\">Page not found</h1>", "error page status and heading");
	like(p, "<p class=\"error-ref\">Reference: <code>e-123</code></p>", "error page reference");
	like(p, "<li><a href=\"/calls\" aria-current=\"page\">Calls</a></li>\n        <li><a href=\"/agents\">Agents</a></li>\n",
	    "nav marks the current page");

	is(rs(set, "{{#f}}{{> field}}{{/f}}", "{\"f\":{\"name\":\"email\",\"label\":\"Email\",\"type\":\"email\","
	    "\"value\":\"x\",\"required\":true,\"autocomplete\":null,\"error\":\"Enter an email address.\"}}"),
	    "<div class=\"field field-invalid\">\n  <label for=\"email\">Email</label>\n"
	    "  <input id=\"email\" name=\"email\" type=\"email\" value=\"x\" required aria-invalid=\"true\" aria-describedby=\"email-error\">\n"
	    "  <p class=\"field-error\" id=\"email-error\">Enter an email address.</p>\n</div>\n",
	    "field partial with an error");
	is(rs(set, "{{#f}}{{> field}}{{/f}}", "{\"f\":{\"name\":\"tz\",\"label\":\"Time zone\",\"type\":null,"
	    "\"value\":null,\"required\":false,\"autocomplete\":\"off\",\"error\":null}}"),
	    "<div class=\"field\">\n  <label for=\"tz\">Time zone</label>\n"
	    "  <input id=\"tz\" name=\"tz\" type=\"text\" value=\"\" autocomplete=\"off\">\n</div>\n",
	    "field partial without an error");
	tpl_free(set);
}

int
main(void)
{
	test_escaping();
	test_lookup();
	test_sections();
	test_standalone();
	test_helpers();
	test_numbers();
	test_errors();
	test_files();
	test_shipped();
	return done_testing();
}
