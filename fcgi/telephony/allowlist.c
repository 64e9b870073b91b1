#include "allowlist.h"
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

struct net {
	int family;
	unsigned char addr[16];
	int bits;
};

static int
parse_addr(const char *s, size_t n, struct net *out)
{
	char tmp[64];
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, out->addr) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, out->addr) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -1;
}

/* One block "addr[/bits]" of n bytes. */
static int
parse_block(const char *s, size_t n, struct net *out)
{
	while (n > 0 && *s == ' ')
		s++, n--;
	while (n > 0 && s[n - 1] == ' ')
		n--;
	const char *slash = memchr(s, '/', n);
	if (parse_addr(s, slash ? (size_t)(slash - s) : n, out) < 0)
		return -1;
	int max = out->family == AF_INET ? 32 : 128;
	out->bits = max;
	if (slash) {
		size_t blen = n - (size_t)(slash - s) - 1;
		if (blen == 0 || blen > 3 || strspn(slash + 1, "0123456789") < blen)
			return -1;
		out->bits = 0;
		for (size_t i = 0; i < blen; i++)
			out->bits = out->bits * 10 + (slash[1 + i] - '0');
		if (out->bits > max)
			return -1;
	}
	return 0;
}

static int
contains(const struct net *block, const struct net *a)
{
	if (block->family != a->family)
		return 0;
	int full = block->bits / 8, rest = block->bits % 8;
	if (memcmp(block->addr, a->addr, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (block->addr[full] & mask) == (a->addr[full] & mask);
}

/* Calls fn for each block; stops at the first nonzero return. */
static int
each_block(const char *list, int (*fn)(const struct net *, int ok, void *), void *ctx)
{
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		struct net b;
		int ok = parse_block(p, n, &b) == 0;
		int rc = fn(&b, ok, ctx);
		if (rc)
			return rc;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int
match_one(const struct net *b, int ok, void *ctx)
{
	return ok && contains(b, ctx);
}

static int
bad_one(const struct net *b, int ok, void *ctx)
{
	return !ok;
}

int
allowlist_permits(const char *list, const char *addr)
{
	if (list == NULL || strspn(list, " ,") == strlen(list))
		return 1;
	struct net a;
	if (addr == NULL || parse_addr(addr, strlen(addr), &a) < 0)
		return 0;
	/* An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d). */
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (a.family == AF_INET6 && memcmp(a.addr, mapped, 12) == 0) {
		memmove(a.addr, a.addr + 12, 4);
		a.family = AF_INET;
	}
	return each_block(list, match_one, &a);
}

int
allowlist_check(const char *list)
{
	if (list == NULL || strspn(list, " ,") == strlen(list))
		return 0;
	return each_block(list, bad_one, NULL) ? -1 : 0;
}
