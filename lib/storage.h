/* Where recordings live: a local directory (storage_dir, served by nginx
 * through X-Accel-Redirect) by default, or an S3-compatible bucket when
 * storage_s3_endpoint is set (uploads signed with AWS Signature V4 by
 * libcurl; playback through nginx with presigned URLs).  Keys are relative paths such as recordings/<tenant>/<id>.wav. */
#ifndef VOXLINE_STORAGE_H
#define VOXLINE_STORAGE_H
#include <stddef.h>
#include <time.h>

/* Creates dir and its parents (mode 0750); 0 or -1. */
int storage_mkdirs(const char *dir);
/* storage_dir + "/" + key (malloc'd). */
char *storage_local_path(const char *key);
/* Moves the finished file at path under key (local), or uploads it and
 * removes it (S3).  sha256_hex is the file's digest (S3 payload hash). */
int storage_put(const char *key, const char *path, const char *content_type,
    const char *sha256_hex, char *err, size_t errlen);
/* 1 when recordings go to S3 (storage_s3_endpoint is set). */
int storage_is_s3(void);
/* Where nginx fetches key from S3 for playback: "/_s3/<bucket>/<key>?<SigV4
 * query>", presigned for storage_s3_url_seconds from now (malloc'd); NULL
 * when S3 is not configured.  The internal /_s3/ location proxies it to
 * storage_s3_endpoint, which must be scheme://host[:port] (no path). */
char *storage_s3_playback_uri(const char *key, time_t now);

#endif
