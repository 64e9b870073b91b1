/* S3 presigned URLs (SigV4 in the query string) against AWS's published
 * example, and the refusals of bad input. */
#include "tap.h"
#include "s3_presign.h"
#include <stdlib.h>
#include <string.h>

int
main(void)
{
	/* docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html */
	struct s3_presign p = { .method = "GET", .host = "examplebucket.s3.amazonaws.com",
		.path = "/test.txt", .region = "us-east-1", .access_key = "AKIAIOSFODNN7EXAMPLE",
		.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", .now = 1369353600,
		.expires = 86400 };
	char *u = s3_presign(&p);
	is(u, "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
	    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
	    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
	    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
	    "AWS example: the published signature");
	free(u);

	p.host = "examplebucket.s3.amazonaws.com:9000";
	u = s3_presign(&p);
	ok(u && strstr(u, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404") == NULL,
	    "the host (with its port) is signed");
	free(u);

	p.host = "127.0.0.1:9000";
	p.path = "/bucket/recordings/a b+c.wav";
	u = s3_presign(&p);
	ok(u && strncmp(u, "/bucket/recordings/a%20b%2Bc.wav?", 33) == 0,
	    "path segments are encoded, slashes kept");
	free(u);

	p.expires = 0;
	ok(s3_presign(&p) == NULL, "no expiry: refused");
	p.expires = 604801;
	ok(s3_presign(&p) == NULL, "more than a week: refused");
	p.expires = 60;
	p.path = "bucket/key";
	ok(s3_presign(&p) == NULL, "relative path: refused");
	p.path = "/bucket/key";
	p.access_key = "";
	ok(s3_presign(&p) == NULL, "no access key: refused");

	char *e = s3_uri_encode("AZaz09-_.~/ é%", 0);
	is(e, "AZaz09-_.~%2F%20%C3%A9%25", "unreserved kept, the rest %XX in upper case");
	free(e);
	done_testing();
}
