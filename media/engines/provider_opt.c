#include "provider_opt.h"
#include <stdio.h>
#include <string.h>

int
provider_opt(const char *list, const char *provider, char *out, size_t outlen)
{
	size_t pl = strlen(provider);
	for (const char *p = list; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > pl && strncmp(p, provider, pl) == 0 && p[pl] == '=') {
			snprintf(out, outlen, "%.*s", (int)(n - pl - 1), p + pl + 1);
			return 1;
		}
		p += n;
	}
	if (outlen)
		out[0] = 0;
	return 0;
}
