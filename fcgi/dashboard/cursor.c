/* Keyset cursors: "sort|key|id" in base64url.  The key is the last row's
 * sort value exactly as PostgreSQL printed it (UTC microseconds or an
 * integer), the id breaks ties; the next page starts strictly after that
 * pair, so rows arriving meanwhile cause neither duplicates nor gaps. */
#include "dash.h"
#include "crypto.h"
#include "../validate.h"
#include <stdlib.h>
#include <string.h>

char *
dash_cursor_encode(const struct dash_cursor *c)
{
	char raw[128];
	int n = snprintf(raw, sizeof raw, "%s|%s|%s", c->sort, c->key, c->id);
	if (n < 0 || (size_t)n >= sizeof raw)
		return NULL;
	return crypto_base64url(raw, (size_t)n);
}

/* 2026-01-31T23:59:59.123456Z: the form key_text produces, nothing else. */
static int
time_key_ok(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	if (strlen(s) != sizeof shape - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return 0;
	return 1;
}

static int
int_key_ok(const char *s)
{
	const char *d = *s == '-' ? s + 1 : s;
	size_t n = strlen(d);
	return n >= 1 && n <= 9 && strspn(d, "0123456789") == n;
}

int
dash_cursor_decode(const char *s, struct dash_cursor *c)
{
	memset(c, 0, sizeof *c);
	if (s == NULL || strlen(s) > 200)
		return -1;
	size_t len;
	uint8_t *raw = crypto_base64url_decode(s, &len);
	if (raw == NULL)
		return -1;
	int rc = -1;
	char text[128];
	if (len >= sizeof text || memchr(raw, '\0', len))
		goto out;
	memcpy(text, raw, len);
	text[len] = '\0';
	char *k = strchr(text, '|'), *id = k ? strchr(k + 1, '|') : NULL;
	if (id == NULL)
		goto out;
	*k++ = '\0';
	*id++ = '\0';
	const struct dash_sort *sort = dash_sort_find(text);
	if (sort == NULL || strlen(k) >= sizeof c->key || validate_value(FT_UUID, id) != 0)
		goto out;
	if (sort->key == DASH_KEY_TIME ? !time_key_ok(k) : !int_key_ok(k))
		goto out;
	snprintf(c->sort, sizeof c->sort, "%s", sort->name);
	snprintf(c->key, sizeof c->key, "%s", k);
	snprintf(c->id, sizeof c->id, "%s", id);
	rc = 0;
out:
	free(raw);
	if (rc < 0)
		memset(c, 0, sizeof *c);
	return rc;
}
