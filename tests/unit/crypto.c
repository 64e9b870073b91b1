/* Crypto wrappers against published test vectors: SHA-256 (FIPS 180-2),
 * HMAC (RFC 4231, RFC 2202), base64 / base64url (RFC 4648), constant-time
 * comparison, and session tokens. */
#include "tap.h"
#include "crypto.h"
#include "fcgi/web.h"



static char hexbuf[256];

static const char *
hex(const void *p, size_t n)
{
	char *h = crypto_hex(p, n);
	snprintf(hexbuf, sizeof hexbuf, "%s", h);
	free(h);
	return hexbuf;
}

static char decoded[256];

/* Decodes with fn; the text, "(len N)" suffix omitted, or "NULL". */
static const char *
dec(uint8_t *(*fn)(const char *, size_t *), const char *s, size_t *len)
{
	size_t n = 12345;
	uint8_t *d = fn(s, &n);
	if (d == NULL)
		return "NULL";
	snprintf(decoded, sizeof decoded, "%.*s", (int)n, (const char *)d);
	if (len)
		*len = n;
	free(d);
	return decoded;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	uint8_t d[64];
	char *s;

	/* SHA-256. */
	crypto_sha256("abc", 3, d);
	is(hex(d, 32), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "SHA-256(\"abc\")");
	crypto_sha256("", 0, d);
	is(hex(d, 32), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "SHA-256 of the empty string");
	crypto_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
	is(hex(d, 32), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	    "SHA-256 of the 448-bit FIPS message");
	s = crypto_sha256_hex("abc");
	is(s, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "crypto_sha256_hex(\"abc\")");
	free(s);

	/* HMAC. */
	const char *msg = "what do ya want for nothing?";
	is_int(crypto_hmac("sha256", "Jefe", 4, msg, strlen(msg), d), 32, "HMAC-SHA256 length 32");
	is(hex(d, 32), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    "HMAC-SHA256 RFC 4231 test case 2");
	is_int(crypto_hmac("sha1", "Jefe", 4, msg, strlen(msg), d), 20, "HMAC-SHA1 length 20");
	is(hex(d, 20), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", "HMAC-SHA1 RFC 2202 test case 2");
	uint8_t key20[20];
	memset(key20, 0x0b, sizeof key20);
	crypto_hmac("sha256", key20, 20, "Hi There", 8, d);
	is(hex(d, 32), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	    "HMAC-SHA256 RFC 4231 test case 1");
	crypto_hmac("sha1", key20, 20, "Hi There", 8, d);
	is(hex(d, 20), "b617318655057264e28bc0b6fb378c8ef146be00", "HMAC-SHA1 RFC 2202 test case 1");
	uint8_t key131[131];
	memset(key131, 0xaa, sizeof key131);
	const char *big = "Test Using Larger Than Block-Size Key - Hash Key First";
	crypto_hmac("sha256", key131, sizeof key131, big, strlen(big), d);
	is(hex(d, 32), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	    "HMAC-SHA256 RFC 4231 test case 6 (key longer than a block)");
	is_int(crypto_hmac("md5", "Jefe", 4, msg, strlen(msg), d), -1, "an unsupported algorithm returns -1");
	is_int(crypto_hmac("SHA256x", "Jefe", 4, msg, strlen(msg), d), -1, "an unknown algorithm name returns -1");

	/* Hex. */
	s = crypto_hex("\x00\x01\xab\xff", 4);
	is(s, "0001abff", "crypto_hex lower-case, two digits per byte");
	free(s);
	s = crypto_hex("", 0);
	is(s, "", "crypto_hex of nothing is empty");
	free(s);

	/* base64, RFC 4648 section 10 vectors. */
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const b64[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	static const char *const b64url[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy" };
	for (int i = 0; i < 7; i++) {
		char name[128];
		size_t n = 0;
		s = crypto_base64(plain[i], strlen(plain[i]));
		snprintf(name, sizeof name, "base64(\"%s\") = \"%s\"", plain[i], b64[i]);
		is(s, b64[i], name);
		free(s);
		snprintf(name, sizeof name, "base64 decode \"%s\"", b64[i]);
		is(dec(crypto_base64_decode, b64[i], &n), plain[i], name);
		snprintf(name, sizeof name, "base64 decode \"%s\" length %zu", b64[i], strlen(plain[i]));
		is_int(n, strlen(plain[i]), name);
		s = crypto_base64url(plain[i], strlen(plain[i]));
		snprintf(name, sizeof name, "base64url(\"%s\") = \"%s\" (no padding)", plain[i], b64url[i]);
		is(s, b64url[i], name);
		free(s);
		snprintf(name, sizeof name, "base64url decode \"%s\"", b64url[i]);
		is(dec(crypto_base64url_decode, b64url[i], &n), plain[i], name);
		snprintf(name, sizeof name, "base64url decode \"%s\" length %zu", b64url[i], strlen(plain[i]));
		is_int(n, strlen(plain[i]), name);
		snprintf(name, sizeof name, "base64url decode accepts padded \"%s\"", b64[i]);
		is(dec(crypto_base64url_decode, b64[i], NULL), plain[i], name);
	}

	/* The alphabets differ in exactly + / versus - _. */
	static const uint8_t hi[] = { 0xfb, 0xff, 0xbf, 0xfe };
	s = crypto_base64(hi, 3);
	is(s, "+/+/", "base64 uses + and /");
	free(s);
	s = crypto_base64url(hi, 3);
	is(s, "-_-_", "base64url uses - and _");
	free(s);
	s = crypto_base64url(hi, 4);
	is(s, "-_-__g", "base64url of 4 bytes, unpadded");
	free(s);
	size_t n = 0;
	uint8_t *raw = crypto_base64url_decode("-_-__g", &n);
	ok(raw && n == 4 && memcmp(raw, hi, 4) == 0, "base64url round trip of bytes with high bits");
	free(raw);
	raw = crypto_base64_decode("+/+/", &n);
	ok(raw && n == 3 && memcmp(raw, hi, 3) == 0, "base64 decode of + and /");
	free(raw);

	/* Round trip of every byte value at every length 0..300. */
	uint8_t all[300];
	for (int i = 0; i < 300; i++)
		all[i] = (uint8_t)(i * 7 + 3);
	int good64 = 1, goodurl = 1;
	for (size_t len = 0; len <= 300; len++) {
		char *e = crypto_base64(all, len);
		uint8_t *back = crypto_base64_decode(e, &n);
		if (!back || n != len || memcmp(back, all, len) != 0)
			good64 = 0;
		free(back);
		free(e);
		e = crypto_base64url(all, len);
		if (strpbrk(e, "+/="))
			goodurl = 0;
		back = crypto_base64url_decode(e, &n);
		if (!back || n != len || memcmp(back, all, len) != 0)
			goodurl = 0;
		free(back);
		free(e);
	}
	ok(good64, "base64 round trip for lengths 0..300");
	ok(goodurl, "base64url round trip for lengths 0..300, never + / or =");

	/* Invalid input is rejected. */
	static const char *const bad64[] = { "Zg", "Zg=", "Zm9vY", "Zm9v!A==", "Zm 9v", "Z===", "====",
		"=Zg=", "Zg=A", "Zm9v\n", "Zm9-", "Zm9_", "Zg==Zg==" };
	for (size_t i = 0; i < sizeof bad64 / sizeof bad64[0]; i++) {
		char name[128];
		/* The one with a newline is shown escaped to keep TAP on one line. */
		snprintf(name, sizeof name, "base64 rejects \"%.*s%s\"", (int)strcspn(bad64[i], "\n"),
		    bad64[i], strchr(bad64[i], '\n') ? "\\n" : "");
		is(dec(crypto_base64_decode, bad64[i], NULL), "NULL", name);
	}
	static const char *const badurl[] = { "Z", "Zm9vY", "Zm9v+A", "Zm9v/A", "Zm9v!A", "Zm=v", "Zm 9v" };
	for (size_t i = 0; i < sizeof badurl / sizeof badurl[0]; i++) {
		char name[128];
		snprintf(name, sizeof name, "base64url rejects \"%s\"", badurl[i]);
		is(dec(crypto_base64url_decode, badurl[i], NULL), "NULL", name);
	}

	/* Constant-time equality. */
	ok(crypto_equal("secret-token", "secret-token", 12) == 1, "crypto_equal: equal strings are equal");
	ok(crypto_equal("secret-token", "secret-tokeN", 12) == 0, "crypto_equal: last byte differs");
	ok(crypto_equal("Xecret-token", "secret-token", 12) == 0, "crypto_equal: first byte differs");
	ok(crypto_equal("a\0b", "a\0c", 3) == 0, "crypto_equal compares past a NUL");
	ok(crypto_equal("abc", "xyz", 0) == 1, "crypto_equal of zero bytes is true");

	/* Tokens. */
	enum { NTOK = 1000 };
	char *tok[NTOK];
	int shape = 1;
	for (int i = 0; i < NTOK; i++) {
		tok[i] = crypto_token();
		if (strlen(tok[i]) != 43 || strspn(tok[i],
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != 43)
			shape = 0;
	}
	is_int(strlen(tok[0]), 43, "a token is 43 characters");
	ok(shape, "every token is 43 base64url characters");
	raw = crypto_base64url_decode(tok[0], &n);
	is_int(raw ? (long long)n : -1, 32, "a token decodes to 32 bytes");
	free(raw);
	qsort(tok, NTOK, sizeof tok[0], cmp_str);
	int unique = 1;
	for (int i = 1; i < NTOK; i++)
		if (strcmp(tok[i - 1], tok[i]) == 0)
			unique = 0;
	ok(unique, "1000 tokens are all different");
	for (int i = 0; i < NTOK; i++)
		free(tok[i]);

	uint8_t r1[32] = { 0 }, r2[32] = { 0 }, zero[32] = { 0 };
	crypto_random(r1, sizeof r1);
	crypto_random(r2, sizeof r2);
	ok(memcmp(r1, r2, 32) != 0 && memcmp(r1, zero, 32) != 0, "crypto_random fills fresh bytes each call");

	return done_testing();
}
