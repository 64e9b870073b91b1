#include "storage.h"
#include "cfg.h"
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

static int
put_s3(const char *key, const char *path, const char *content_type, const char *sha256_hex,
    char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "cannot open %s", path);
		return -1;
	}
	struct stat st;
	fstat(fileno(f), &st);
	const char *endpoint = cfg_str(CFG_storage_s3_endpoint);
	size_t n = strlen(endpoint);
	while (n > 0 && endpoint[n - 1] == '/')
		n--;
	char *url = xasprintf("%.*s/%s/%s", (int)n, endpoint, cfg_str(CFG_storage_s3_bucket), key);
	char *sigv4 = xasprintf("aws:amz:%s:s3", cfg_str(CFG_storage_s3_region));
	char *hash = xasprintf("x-amz-content-sha256: %s", sha256_hex);
	char *ct = xasprintf("Content-Type: %s", content_type);
	struct curl_slist *h = curl_slist_append(NULL, hash);
	h = curl_slist_append(h, ct);
	CURL *c = curl_easy_init();
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READDATA, f);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)st.st_size);
	curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(c, CURLOPT_USERNAME, cfg_str(CFG_storage_s3_access_key));
	curl_easy_setopt(c, CURLOPT_PASSWORD, cfg_str(CFG_storage_s3_secret_key));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 600L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "S3 upload of %s failed: %s", key, errbuf[0] ? errbuf : curl_easy_strerror(rc));
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	fclose(f);
	free(url), free(sigv4), free(hash), free(ct);
	if (rc == CURLE_OK)
		remove(path);
	return rc == CURLE_OK ? 0 : -1;
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
