/* Optional source-address allow-lists for carrier webhooks: a comma-
 * separated list of CIDR blocks (IPv4 and IPv6).  Empty allows any
 * source; the signature remains the real authentication. */
#ifndef VOXLINE_ALLOWLIST_H
#define VOXLINE_ALLOWLIST_H

/* 1 when addr is inside one of the blocks of list (or list is empty);
 * 0 otherwise, including a malformed addr.  Malformed blocks never match. */
int allowlist_permits(const char *list, const char *addr);
/* 0 when every block of list parses (checked at start-up), else -1. */
int allowlist_check(const char *list);

#endif
