#include "storage.h"
#include "buf.h"
#include "cfg.h"
#include "s3_presign.h"
#include "xalloc.h"
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int
storage_is_s3(void)
{
	return *cfg_str(CFG_storage_s3_endpoint) != '\0';
}

int
storage_mkdirs(const char *dir)
{
	char *d = xstrdup(dir);
	int rc = 0;
	for (char *p = d + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(d, 0750) < 0 && errno != EEXIST)
				rc = -1;
			*p = c;
			if (c == '\0' || rc < 0)
				break;
		}
	}
	free(d);
	return rc;
}

char *
storage_local_path(const char *key)
{
	return xasprintf("%s/%s", cfg_str(CFG_storage_dir), key);
}

static int
put_local(const char *key, const char *path, char *err, size_t errlen)
{
	char *dest = storage_local_path(key);
	char *dir = xstrdup(dest);
	*strrchr(dir, '/') = '\0';
	int rc = storage_mkdirs(dir) < 0 || rename(path, dest) < 0 ? -1 : 0;
	if (rc < 0)
		snprintf(err, errlen, "cannot store %s: %s", dest, strerror(errno));
	free(dir);
	free(dest);
	return rc;
}

/* storage_s3_endpoint without trailing slashes: "scheme://host[:port]". */
static char *
s3_endpoint(void)
{
	const char *e = cfg_str(CFG_storage_s3_endpoint);
	size_t n = strlen(e);
	while (n > 0 && e[n - 1] == '/')
		n--;
	return xasprintf("%.*s", (int)n, e);
}

char *
storage_s3_playback_uri(const char *key, time_t now)
{
	if (!storage_is_s3() || !*cfg_str(CFG_storage_s3_bucket))
		return NULL;
	char *endpoint = s3_endpoint();
	const char *host = strstr(endpoint, "://");
	host = host ? host + 3 : endpoint;
	char *path = xasprintf("/%s/%s", cfg_str(CFG_storage_s3_bucket), key);
	struct s3_presign p = { .method = "GET", .host = host, .path = path,
		.region = cfg_str(CFG_storage_s3_region), .access_key = cfg_str(CFG_storage_s3_access_key),
		.secret_key = cfg_str(CFG_storage_s3_secret_key), .now = now,
		.expires = (int)cfg_int(CFG_storage_s3_url_seconds) };
	char *signed_path = strchr(host, '/') ? NULL : s3_presign(&p);
	char *uri = signed_path ? xasprintf("/_s3%s", signed_path) : NULL;
	free(signed_path), free(path), free(endpoint);
	return uri;
}

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	return buf_append(arg, p, size * n) < 0 ? 0 : size * n;
}

/* S3's XML error: the text of <tag>...</tag>, or "". */
static void
xml_text(const char *xml, const char *tag, char *out, size_t outlen)
{
	char open[32], close[32];
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	const char *a = xml ? strstr(xml, open) : NULL, *b = a ? strstr(a, close) : NULL;
	out[0] = '\0';
	if (a && b)
		snprintf(out, outlen, "%.*s", (int)(b - a - strlen(open)), a + strlen(open));
}

static int
put_s3(const char *key, const char *path, const char *content_type, const char *sha256_hex,
    char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (f == NULL || fstat(fileno(f), &st) < 0) {
		snprintf(err, errlen, "cannot open %s", path);
		if (f)
			fclose(f);
		return -1;
	}
	char *endpoint = s3_endpoint();
	char *url = xasprintf("%s/%s/%s", endpoint, cfg_str(CFG_storage_s3_bucket), key);
	char *sigv4 = xasprintf("aws:amz:%s:s3", cfg_str(CFG_storage_s3_region));
	char *hash = xasprintf("x-amz-content-sha256: %s", sha256_hex);
	char *ct = xasprintf("Content-Type: %s", content_type);
	struct curl_slist *h = curl_slist_append(NULL, hash);
	h = curl_slist_append(h, ct);
	struct buf answer;
	buf_init(&answer, 16 * 1024);
	CURL *c = curl_easy_init();
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READDATA, f);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)st.st_size);
	curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(c, CURLOPT_USERNAME, cfg_str(CFG_storage_s3_access_key));
	curl_easy_setopt(c, CURLOPT_PASSWORD, cfg_str(CFG_storage_s3_secret_key));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 600L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	int ok = rc == CURLE_OK && status >= 200 && status < 300;
	if (rc != CURLE_OK)
		snprintf(err, errlen, "S3 upload of %s failed: %s", key, errbuf[0] ? errbuf : curl_easy_strerror(rc));
	else if (!ok) {
		char code[64], msg[256];
		xml_text(answer.data, "Code", code, sizeof code);
		xml_text(answer.data, "Message", msg, sizeof msg);
		snprintf(err, errlen, "S3 upload of %s failed: HTTP %ld %s %s", key, status, code, msg);
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	buf_free(&answer);
	fclose(f);
	free(endpoint), free(url), free(sigv4), free(hash), free(ct);
	if (ok)
		remove(path);
	return ok ? 0 : -1;
}

int
storage_put(const char *key, const char *path, const char *content_type, const char *sha256_hex,
    char *err, size_t errlen)
{
	if (strstr(key, "..") || key[0] == '/') {
		snprintf(err, errlen, "refusing storage key %s", key);
		return -1;
	}
	return storage_is_s3() ? put_s3(key, path, content_type, sha256_hex, err, errlen) :
	    put_local(key, path, err, errlen);
}
