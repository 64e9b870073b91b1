/* Webhook source allow-lists: CIDR matching, IPv4 and IPv6. */
#include "tap.h"
#include "../fcgi/telephony/allowlist.h"

int
main(void)
{
	ok(allowlist_permits("", "203.0.113.9"), "empty list allows any source");
	ok(allowlist_permits(" , ", "203.0.113.9"), "blank list allows any source");
	const char *l = "203.0.113.0/24, 198.51.100.7, 2001:db8::/32";
	ok(allowlist_permits(l, "203.0.113.200"), "inside a /24");
	ok(!allowlist_permits(l, "203.0.114.1"), "outside the /24");
	ok(allowlist_permits(l, "198.51.100.7"), "a single address");
	ok(!allowlist_permits(l, "198.51.100.8"), "next to a single address");
	ok(allowlist_permits(l, "2001:db8:1234::5"), "inside an IPv6 /32");
	ok(!allowlist_permits(l, "2001:db9::1"), "outside the IPv6 /32");
	ok(allowlist_permits(l, "::ffff:203.0.113.5"), "IPv4-mapped IPv6 address matches the IPv4 block");
	ok(!allowlist_permits(l, "not-an-address"), "a malformed source is refused");
	ok(!allowlist_permits(l, NULL), "no source address is refused");
	ok(allowlist_permits("10.0.0.0/9", "10.127.255.255"), "odd prefix length: inside");
	ok(!allowlist_permits("10.0.0.0/9", "10.128.0.0"), "odd prefix length: outside");
	ok(allowlist_permits("0.0.0.0/0", "192.0.2.1"), "/0 matches every IPv4 address");
	ok(!allowlist_permits("0.0.0.0/0", "::1"), "an IPv4 block never matches IPv6");
	is_int(allowlist_check(l), 0, "a good list passes the start-up check");
	is_int(allowlist_check("10.0.0.0/33"), -1, "prefix too long is rejected");
	is_int(allowlist_check("10.0.0.0/"), -1, "empty prefix is rejected");
	is_int(allowlist_check("example.com"), -1, "host names are rejected");
	ok(!allowlist_permits("10.0.0.0/33", "10.0.0.1"), "a malformed block never matches");
	done_testing();
}
