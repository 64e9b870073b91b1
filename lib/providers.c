#include "providers.h"
#include <string.h>

static const struct provider table[] = {
#define PROVIDER_LOCAL(name, stage, label) { name, PROVIDER_STAGE_##stage, "", label, 1 },
#define PROVIDER(name, stage, url, label) { name, PROVIDER_STAGE_##stage, url, label, 0 },
#include "providers.def"
#undef PROVIDER
#undef PROVIDER_LOCAL
};

static const char *const stage_names[PROVIDER_STAGE__COUNT] = { "stt", "stt_post", "llm", "tts" };

size_t
provider_count(void)
{
	return sizeof table / sizeof table[0];
}

const struct provider *
provider_at(size_t i)
{
	return i < provider_count() ? &table[i] : NULL;
}

const struct provider *
provider_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < provider_count(); i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

const struct provider *
provider_find_stage(const char *name, enum provider_stage stage)
{
	const struct provider *p = provider_find(name);
	return p && p->stage == stage ? p : NULL;
}

const char *
provider_stage_name(enum provider_stage stage)
{
	return (unsigned)stage < PROVIDER_STAGE__COUNT ? stage_names[stage] : "";
}

int
provider_stage_parse(const char *name)
{
	for (int i = 0; name && i < PROVIDER_STAGE__COUNT; i++)
		if (strcmp(stage_names[i], name) == 0)
			return i;
	return -1;
}

int
provider_needs_base_url(const struct provider *p)
{
	return !p->local && p->default_base_url[0] == '\0';
}

/* host is the authority without user info: name, IPv4 or [IPv6], with an
 * optional :port already removed. */
static int
host_is_loopback(const char *host, size_t n)
{
	if (n == 9 && strncmp(host, "localhost", 9) == 0)
		return 1;
	if (n == 5 && strncmp(host, "[::1]", 5) == 0)
		return 1;
	if (n < 7 || n > 15 || strncmp(host, "127.", 4) != 0)
		return 0;
	/* 127.a.b.c with three more decimal octets. */
	int dots = 0, digits = 0;
	for (size_t i = 4; i < n; i++) {
		if (host[i] == '.') {
			if (digits == 0)
				return 0;
			dots++;
			digits = 0;
		} else if (host[i] >= '0' && host[i] <= '9' && digits < 3) {
			digits++;
		} else {
			return 0;
		}
	}
	return dots == 2 && digits > 0;
}

const char *
provider_base_url_problem(const char *url)
{
	if (url == NULL || url[0] == '\0')
		return "Enter a URL.";
	size_t len = strlen(url);
	if (len > PROVIDER_BASE_URL_MAX)
		return "The URL is too long.";
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)url[i] <= ' ' || (unsigned char)url[i] >= 0x7f || url[i] == '#' ||
		    url[i] == '\\')
			return "The URL contains characters that are not allowed.";
	int https = strncmp(url, "https://", 8) == 0;
	int http = !https && strncmp(url, "http://", 7) == 0;
	if (!https && !http)
		return "The URL must start with https:// (http:// only for this machine).";
	const char *host = url + (https ? 8 : 7);
	size_t alen = strcspn(host, "/?");
	if (memchr(host, '@', alen))
		return "The URL must not contain a user name or password.";
	size_t hlen = alen;
	if (host[0] == '[') {
		const char *close = memchr(host, ']', alen);
		if (close == NULL)
			return "The URL's host is not valid.";
		hlen = (size_t)(close - host) + 1;
	} else {
		const char *colon = memchr(host, ':', alen);
		if (colon)
			hlen = (size_t)(colon - host);
	}
	if (hlen == 0)
		return "The URL has no host.";
	if (hlen < alen) {
		/* :port, decimal, 1..65535 */
		if (host[hlen] != ':' || alen - hlen < 2 || alen - hlen > 6)
			return "The URL's port is not valid.";
		long port = 0;
		for (size_t i = hlen + 1; i < alen; i++) {
			if (host[i] < '0' || host[i] > '9')
				return "The URL's port is not valid.";
			port = port * 10 + (host[i] - '0');
		}
		if (port < 1 || port > 65535)
			return "The URL's port is not valid.";
	}
	if (http && !host_is_loopback(host, hlen))
		return "Use https:// (http:// is accepted only for 127.0.0.1, localhost or [::1]).";
	return NULL;
}
