/* libFuzzer: compile and render arbitrary input as a template over a fixed
 * context (no template set, so partials and layouts fail cleanly).
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Ilib \
 *       tests/fuzz/tpl_fuzz.c fcgi/tpl.c lib/buf.c lib/xalloc.c -ljansson */
#include "fcgi/tpl.h"
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every kind of value the renderer distinguishes, including markup,
 * U+2028, nested objects and arrays of objects and of strings. */
static const char ctx_json[] =
    "{\"s\":\"<script>alert('x')</script> & \\\"=`\",\"e\":\"\",\"u\":\"a b/\\u00e9\\u2028\","
    "\"i\":42,\"z\":0,\"r\":2.5,\"big\":1e300,\"neg\":-0.0000001,\"t\":true,\"f\":false,\"n\":null,"
    "\"items\":[{\"name\":\"a\",\"i\":1},{\"name\":\"</b>\",\"tags\":[\"x\",\"y\"]}],"
    "\"tags\":[\"p\",\"q\"],\"none\":[],\"mixed\":[1,\"two\",null,[3],{\"k\":\"v\"}],"
    "\"call\":{\"agent\":{\"name\":\"Ada\",\"voice\":{\"id\":7}}},\"obj\":{}}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *ctx;
	if (!ctx)
		ctx = json_loads(ctx_json, 0, NULL);	/* read-only, kept for the run */
	if (!ctx)
		abort();

	char *src = malloc(size + 1);
	memcpy(src, data, size);
	src[size] = '\0';

	struct buf out;
	char err[256];
	buf_init(&out, 1 << 20);
	buf_puts(&out, "prefix");
	int rc = tpl_render_string(NULL, src, ctx, &out, err, sizeof err);
	/* A failure must say why and leave the buffer as it was. */
	if (rc < 0 && (err[0] == '\0' || strcmp(out.data, "prefix") != 0))
		abort();
	if (rc == 0 && strncmp(out.data, "prefix", 6) != 0)
		abort();
	buf_free(&out);
	free(src);
	return 0;
}
