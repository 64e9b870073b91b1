/* Request parsing: urlencoded forms and query strings, cookies, path
 * decoding, and the body by content type.  Each result is compared as the
 * exact JSON the handler would see. */
#include "tap.h"
#include "buf.h"
#include "fcgi/request.h"
#include "fcgi/web.h"



static char out[8192];

static const char *
dump(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	snprintf(out, sizeof out, "%s", s ? s : "(dump failed)");
	free(s);
	return out;
}

/* Parses s as urlencoded: the JSON object, or "REJECTED". */
static const char *
form(const char *s)
{
	json_t *o = json_object();
	int rc = req_parse_urlencoded(s, strlen(s), o);
	if (rc < 0)
		snprintf(out, sizeof out, "REJECTED");
	else
		dump(o);
	json_decref(o);
	return out;
}

static const char *
cookies(const char *h)
{
	json_t *o = json_object();
	int rc = req_parse_cookies(h, o);
	if (rc < 0)
		snprintf(out, sizeof out, "REJECTED");
	else
		dump(o);
	json_decref(o);
	return out;
}

static const char *
path(const char *raw)
{
	char *p = req_decode_path(raw);
	snprintf(out, sizeof out, "%s", p ? p : "REJECTED");
	free(p);
	return out;
}

/* req_parse of a body: "form JSON" on success, else "ERR code". */
static const char *
body(const char *content_type, const char *b)
{
	struct req rq;
	enum err_code err = ERR_none;
	req_init(&rq);
	rq.method = "POST";
	rq.content_type = content_type;
	rq.body = b;
	rq.body_len = strlen(b);
	if (req_parse(&rq, &err) < 0)
		snprintf(out, sizeof out, "ERR %s", err_get(err)->code);
	else
		dump(rq.form);
	req_free(&rq);
	return out;
}

/* n fields a0=v&a1=v&... */
static char *
many_fields(int n)
{
	struct buf b;
	buf_init(&b, (size_t)n * 16 + 1);
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%sa%d=v", i ? "&" : "", i);
	return buf_steal(&b);
}

int
main(void)
{
	/* urlencoded. */
	is(form("a=1&b=2"), "{\"a\":\"1\",\"b\":\"2\"}", "simple pairs");
	is(form("q=hello+world"), "{\"q\":\"hello world\"}", "+ is a space");
	is(form("q=%41%62%2B%26%3d%25"), "{\"q\":\"Ab+&=%\"}", "%XX escapes, either case; %2B is a literal +");
	is(form("first+name=Ann"), "{\"first name\":\"Ann\"}", "+ in a name is a space too");
	is(form("city=K%C3%B8benhavn"), "{\"city\":\"K\xc3\xb8" "benhavn\"}", "UTF-8 escapes decode");
	is(form("a=1&a=2&a=3"), "{\"a\":[\"1\",\"2\",\"3\"]}", "a repeated name becomes an array");
	is(form("a=1&b=x&a=2"), "{\"a\":[\"1\",\"2\"],\"b\":\"x\"}", "repeats need not be adjacent");
	is(form("flag"), "{\"flag\":\"\"}", "a name without = has the empty value");
	is(form("a="), "{\"a\":\"\"}", "a= has the empty value");
	is(form("a=1=2"), "{\"a\":\"1=2\"}", "only the first = splits");
	is(form("&&a=1&&b=2&"), "{\"a\":\"1\",\"b\":\"2\"}", "empty pairs are skipped");
	is(form(""), "{}", "the empty string is no fields");
	json_t *o = json_object();
	is_int(req_parse_urlencoded("a=1&b=2", 3, o), 0, "parsing only the first 3 bytes succeeds");
	is(dump(o), "{\"a\":\"1\"}", "bytes past len are not read");
	json_decref(o);
	o = json_object();
	is_int(req_parse_urlencoded("a=%4142", 4, o), -1, "an escape cut by len is rejected");
	json_decref(o);

	is(form("a=%zz"), "REJECTED", "bad escape %zz rejected");
	is(form("a=%4"), "REJECTED", "truncated escape %4 rejected");
	is(form("a=%"), "REJECTED", "a lone % rejected");
	is(form("%zz=1"), "REJECTED", "a bad escape in the name rejected");
	is(form("a=%4g"), "REJECTED", "a non-hex second digit rejected");
	is(form("a=x%00y"), "REJECTED", "%00 rejected");
	is(form("a=%C3%28"), "REJECTED", "invalid UTF-8 from escapes rejected");
	is(form("a=\xff"), "REJECTED", "a raw invalid UTF-8 byte rejected");
	is(form("a=%ED%A0%80"), "REJECTED", "an encoded UTF-16 surrogate rejected");
	is(form("a=%C0%AF"), "REJECTED", "an overlong UTF-8 encoding rejected");
	is(form("=1"), "REJECTED", "an empty name rejected");
	is(form("a=1&=2"), "REJECTED", "an empty name later in the string rejected");

	char *s = many_fields(REQ_MAX_FIELDS);
	o = json_object();
	is_int(req_parse_urlencoded(s, strlen(s), o), 0, "REQ_MAX_FIELDS fields accepted");
	is_int(json_object_size(o), REQ_MAX_FIELDS, "all REQ_MAX_FIELDS fields are there");
	json_decref(o);
	free(s);
	s = many_fields(REQ_MAX_FIELDS + 1);
	is(form(s), "REJECTED", "REQ_MAX_FIELDS + 1 fields rejected");
	free(s);

	/* Cookies. */
	is(cookies("a=1; b=2"), "{\"a\":\"1\",\"b\":\"2\"}", "two cookies");
	is(cookies("sid=\"abc def\"; x=1"), "{\"sid\":\"abc def\",\"x\":\"1\"}", "a quoted value loses its quotes");
	is(cookies("sid=first; sid=second"), "{\"sid\":\"first\"}", "the first of two same-name cookies wins");
	is(cookies("t=a=b"), "{\"t\":\"a=b\"}", "a value may contain =");
	is(cookies("e="), "{\"e\":\"\"}", "an empty value");
	is(cookies("q=\""), "{\"q\":\"\\\"\"}", "a lone quote is kept as is");
	is(cookies(";;  a=1;;"), "{\"a\":\"1\"}", "stray separators are skipped");
	is(cookies("junk; =nameless; a=1"), "{\"a\":\"1\"}", "pairs without a name are skipped");
	is(cookies(""), "{}", "an empty header has no cookies");
	is(cookies("a=%41"), "{\"a\":\"%41\"}", "cookie values are not percent-decoded");
	struct buf cb;
	buf_init(&cb, (REQ_MAX_FIELDS + 1) * 16);
	for (int i = 0; i <= REQ_MAX_FIELDS; i++)
		buf_printf(&cb, "c%d=v; ", i);
	s = buf_steal(&cb);
	is(cookies(s), "REJECTED", "REQ_MAX_FIELDS + 1 cookies rejected");
	free(s);

	/* Paths. */
	is(path("/"), "/", "the root");
	is(path("/api/v1/calls"), "/api/v1/calls", "a plain path");
	is(path("/a%20b/%C3%A9"), "/a b/\xc3\xa9", "percent escapes decode");
	is(path("/a+b"), "/a+b", "+ is literal in a path");
	is(path("/.well-known/x"), "/.well-known/x", "a segment starting with a dot is fine");
	is(path("/..."), "/...", "three dots is an ordinary name");
	is(path("/a..b"), "/a..b", "dots inside a segment are fine");
	is(path("api/v1"), "REJECTED", "a missing leading slash is rejected");
	is(path(""), "REJECTED", "the empty path is rejected");
	is(path(NULL), "REJECTED", "NULL is rejected");
	is(path("/.."), "REJECTED", "/.. is rejected");
	is(path("/a/../b"), "REJECTED", "a .. segment is rejected");
	is(path("/a/.."), "REJECTED", "a trailing .. segment is rejected");
	is(path("/."), "REJECTED", "/. is rejected");
	is(path("/a/./b"), "REJECTED", "a . segment is rejected");
	is(path("//"), "REJECTED", "// is rejected");
	is(path("//a"), "REJECTED", "a leading // is rejected");
	is(path("/a//b"), "REJECTED", "an empty segment is rejected");
	is(path("/%2e%2e/etc/passwd"), "REJECTED", "an encoded .. (%2e%2e) is rejected");
	is(path("/a/%2E%2e"), "REJECTED", "an encoded .. in either case is rejected");
	is(path("/a/%2e"), "REJECTED", "an encoded . is rejected");
	is(path("/a%2F%2Fb"), "REJECTED", "encoded slashes making // are rejected");
	is(path("/a%00b"), "REJECTED", "%00 is rejected");
	is(path("/a%zz"), "REJECTED", "a bad escape is rejected");
	is(path("/a%2"), "REJECTED", "a truncated escape is rejected");
	is(path("/%ff"), "REJECTED", "invalid UTF-8 is rejected");

	/* Bodies by content type. */
	is(body("application/x-www-form-urlencoded", "name=Ann&role=admin"),
	    "{\"name\":\"Ann\",\"role\":\"admin\"}", "a form body");
	is(body("application/x-www-form-urlencoded; charset=UTF-8", "a=1"), "{\"a\":\"1\"}",
	    "a form body with parameters");
	is(body("Application/X-WWW-Form-Urlencoded", "a=1"), "{\"a\":\"1\"}", "the content type is case-insensitive");
	is(body("application/x-www-form-urlencoded", "a=%zz"), "ERR malformed_body", "a bad form body");
	is(body("application/json", "{\"name\":\"Ann\",\"n\":3,\"tags\":[\"a\"]}"),
	    "{\"n\":3,\"name\":\"Ann\",\"tags\":[\"a\"]}", "a JSON object body keeps its types");
	is(body("application/json; charset=utf-8", "{}"), "{}", "JSON with a charset parameter");
	is(body("application/json", "[1,2]"), "ERR malformed_body", "a JSON array is malformed_body");
	is(body("application/json", "\"text\""), "ERR malformed_body", "a JSON string is malformed_body");
	is(body("application/json", "{\"a\":"), "ERR malformed_body", "invalid JSON is malformed_body");
	is(body("application/json", "{\"a\":1,\"a\":2}"), "ERR malformed_body", "duplicate keys are malformed_body");
	is(body("application/json", "{\"a\":1} {}"), "ERR malformed_body", "trailing data is malformed_body");
	is(body("application/json", "{\"a\":\"\xff\"}"), "ERR malformed_body", "invalid UTF-8 in JSON is malformed_body");
	is(body("text/plain", "a=1"), "ERR unsupported_media_type", "text/plain is unsupported_media_type");
	is(body("application/jsonp", "{}"), "ERR unsupported_media_type", "a longer type is not JSON");
	is(body("multipart/form-data; boundary=x", "--x"), "ERR unsupported_media_type", "multipart is not accepted");
	is(body(NULL, "a=1"), "ERR unsupported_media_type", "a body without a content type is unsupported");
	is(body("text/plain", ""), "{}", "an empty body is fine whatever the type");

	/* Query and cookies through req_parse. */
	struct req rq;
	enum err_code err = ERR_none;
	req_init(&rq);
	rq.query_string = "page=2&sort=name";
	rq.cookie_header = "sid=abc";
	is_int(req_parse(&rq, &err), 0, "req_parse with query and cookies");
	is(dump(rq.query), "{\"page\":\"2\",\"sort\":\"name\"}", "the query string is parsed into rq.query");
	is(req_cookie(&rq, "sid"), "abc", "req_cookie finds a cookie");
	ok(req_cookie(&rq, "nope") == NULL, "req_cookie of a missing cookie is NULL");
	req_free(&rq);
	req_init(&rq);
	rq.query_string = "a=%zz";
	is_int(req_parse(&rq, &err), -1, "a bad query string fails");
	is(err_get(err)->code, "bad_request", "a bad query string is bad_request");
	req_free(&rq);
	req_init(&rq);
	rq.content_type = "application/json";
	rq.body = "{\"a\":1}xyz";
	rq.body_len = 7;
	is_int(req_parse(&rq, &err), 0, "only body_len bytes of the body are parsed");
	is(dump(rq.form), "{\"a\":1}", "the JSON body within body_len");
	req_free(&rq);

	return done_testing();
}
