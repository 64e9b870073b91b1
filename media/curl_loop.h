/* A libcurl multi handle driven by a worker's libuv loop: sockets are
 * watched with uv_poll (CURLMOPT_SOCKETFUNCTION), curl's timeouts with a
 * uv_timer (CURLMOPT_TIMERFUNCTION), and both feed curl_multi_socket_action.
 * Loop thread only.  The engines' provider HTTP keeps its own multi handle
 * per engine thread (engines/http_stream.c); this one is the loop's. */
#ifndef MEDIA_CURL_LOOP_H
#define MEDIA_CURL_LOOP_H
#include <curl/curl.h>
#include <uv.h>

struct curl_loop;
/* Called on the loop when easy has finished (rc from curl); easy is
 * already out of the multi handle and belongs to the caller again. */
typedef void (*curl_loop_done_fn)(CURL *easy, CURLcode rc, void *arg);

struct curl_loop *curl_loop_new(uv_loop_t *loop);
/* Starts easy; done is called exactly once (-1: not started, no call). */
int curl_loop_add(struct curl_loop *cl, CURL *easy, curl_loop_done_fn done, void *arg);
/* Ends every request still running (done with CURLE_ABORTED_BY_CALLBACK)
 * and closes the loop's handles; cl is freed once they are closed.  May
 * be called from a done callback. */
void curl_loop_close(struct curl_loop *cl);
#endif
