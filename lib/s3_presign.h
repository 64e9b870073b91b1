/* AWS Signature Version 4 in the query string ("presigned URL") for S3:
 * a URL anyone holding it may GET until it expires, with no other
 * credentials.  nginx fetches S3-stored recordings with one (storage.h). */
#ifndef VOXLINE_S3_PRESIGN_H
#define VOXLINE_S3_PRESIGN_H
#include <time.h>

struct s3_presign {
	const char *method;          /* "GET" */
	const char *host;            /* host[:port] exactly as the request will send it */
	const char *path;            /* absolute path, not yet encoded ("/bucket/key") */
	const char *region, *access_key, *secret_key;
	time_t now;                  /* signing time */
	int expires;                 /* seconds, 1 .. 604800 */
};

/* The encoded path and signed query: "/bucket/key?X-Amz-Algorithm=...&X-Amz-Signature=..."
 * (malloc'd), or NULL when a field is missing or out of range. */
char *s3_presign(const struct s3_presign *p);
/* RFC 3986 encoding as SigV4 wants it: unreserved characters kept, '/'
 * kept when keep_slash, everything else %XX (upper case).  malloc'd. */
char *s3_uri_encode(const char *s, int keep_slash);

#endif
