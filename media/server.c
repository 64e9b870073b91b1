/* The libwebsockets side of a worker: one context on the worker's libuv
 * loop, listening on media_addr (shared with the other workers through
 * SO_REUSEPORT).  WebSocket upgrades on /media/{twilio,signalwire,telnyx}
 * become calls; plain HTTP serves /health and /metrics. */
#include "media.h"
#include "server.h"
#include "cfg.h"
#include "errors.h"
#include "log.h"
#include "metrics.h"
#include "writer.h"
#include "xalloc.h"
#include <arpa/inet.h>
#include <errno.h>
#include <libwebsockets.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HTTP_BODY_MAX (1024 * 1024)

struct pss {
	struct call *call;
	struct buf body;
	int status;
	const char *ctype;
};

/* "/media/twilio" or "/twilio" -> carrier; -1 for anything else. */
static int
carrier_of_path(const char *uri)
{
	if (strncmp(uri, "/media/", 7) == 0)
		uri += 6;
	if (*uri != '/')
		return -1;
	char name[16];
	size_t n = strcspn(uri + 1, "/?");
	if (n == 0 || n >= sizeof name || (uri[1 + n] == '/' && uri[2 + n] != 0))
		return -1;
	memcpy(name, uri + 1, n);
	name[n] = 0;
	return carrier_from_name(name);
}

static void
health_body(struct pss *pss)
{
	int draining = __atomic_load_n(&media.draining, __ATOMIC_RELAXED);
	json_t *o = json_pack("{s:s,s:i,s:i,s:I}", "status", draining ? "draining" : "ok",
	    "calls", __atomic_load_n(&media.active_calls, __ATOMIC_RELAXED), "workers", media.nworkers,
	    "spooled", (json_int_t)writer_spooled());
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	buf_puts(&pss->body, s);
	free(s);
	pss->status = draining ? 503 : 200;
	pss->ctype = "application/json";
}

static int
http_request(struct lws *wsi, struct pss *pss, const char *uri)
{
	buf_init(&pss->body, HTTP_BODY_MAX);
	if (strcmp(uri, "/health") == 0 || strcmp(uri, "/media/health") == 0)
		health_body(pss);
	else if (strcmp(uri, "/metrics") == 0) {
		metrics_render(&pss->body);
		pss->status = 200;
		pss->ctype = "text/plain; version=0.0.4";
	} else {
		/* The standard error shape, from the catalog. */
		const struct err_def *e = err_get(ERR_not_found);
		char id[ERR_ID_LEN];
		err_new_id(id);
		json_t *o = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", e->code, "message", e->message, "id", id);
		char *txt = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		buf_puts(&pss->body, txt);
		free(txt);
		pss->status = e->status;
		pss->ctype = "application/json";
	}
	unsigned char hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr - 1;
	if (lws_add_http_common_headers(wsi, (unsigned)pss->status, pss->ctype, pss->body.len, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return 1;
	lws_callback_on_writable(wsi);
	return 0;
}

static int
http_write(struct lws *wsi, struct pss *pss)
{
	size_t n = pss->body.len;
	unsigned char *b = xmalloc(LWS_PRE + n + 1);
	memcpy(b + LWS_PRE, pss->body.data ? pss->body.data : "", n);
	int w = lws_write(wsi, b + LWS_PRE, n, LWS_WRITE_HTTP_FINAL);
	free(b);
	buf_free(&pss->body);
	if (w < (int)n)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct pss *pss = user;
	struct worker *w = lws_context_user(lws_get_context(wsi));
	char uri[256];
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return http_request(wsi, pss, in ? (const char *)in : "");
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return http_write(wsi, pss);
	case LWS_CALLBACK_CLOSED_HTTP:
		buf_free(&pss->body);
		return 0;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 || carrier_of_path(uri) < 0)
			return 1;
		if (__atomic_load_n(&media.draining, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&media.active_calls, __ATOMIC_RELAXED) >= cfg_int(CFG_media_max_calls)) {
			log_warn("media_stream_refused", "{s:s}", "reason", "capacity_or_draining");
			return 1;
		}
		return 0;
	case LWS_CALLBACK_ESTABLISHED: {
		char tok[1100] = "";
		lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI);
		const char *t = lws_get_urlarg_by_name(wsi, "token=", tok, (int)sizeof tok);
		pss->call = call_new(w, wsi, (enum carrier)carrier_of_path(uri), t);
		return 0;
	}
	case LWS_CALLBACK_RECEIVE:
		if (pss->call && call_rx(pss->call, in, len, lws_is_final_fragment(wsi)) < 0)
			return -1;
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (pss->call && call_writable(pss->call) < 0)
			return -1;
		return 0;
	case LWS_CALLBACK_CLOSED:
		if (pss->call) {
			call_socket_closed(pss->call);
			pss->call = NULL;
		}
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{ "voxline-media", callback, sizeof(struct pss), 65536, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void
lws_log(int level, const char *line)
{
	char msg[512];
	size_t n = strlen(line);
	if (n >= sizeof msg)
		n = sizeof msg - 1;
	memcpy(msg, line, n);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		n--;
	msg[n] = 0;
	log_event(level == LLL_ERR ? LOG_ERROR : LOG_WARN, "media_lws", "{s:s}", "message", msg);
}

/* One listening socket for the process, polled by every worker: the
 * first to accept a connection serves it (its lws vhost adopts it).  No
 * SO_REUSEPORT, so a second daemon on the same address fails to start
 * instead of silently taking some of the calls. */
int
server_listen(const char *host, int port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai;
	char ps[8];
	snprintf(ps, sizeof ps, "%d", port);
	if (getaddrinfo(host, ps, &hints, &ai) != 0)
		return -1;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1024) < 0)) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static void
on_accept(uv_poll_t *p, int status, int events)
{
	struct worker *w = p->data;
	for (int i = 0; i < 64; i++) {
		int fd = accept4(w->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (__atomic_load_n(&media.draining, __ATOMIC_RELAXED) && w->stopping) {
			close(fd);
			continue;
		}
		if (lws_adopt_socket_vhost(w->vhost, fd) == NULL)
			log_warn("media_adopt_failed", NULL);
	}
}

int
server_create(struct worker *w, int listen_fd)
{
	static int log_set;
	if (!log_set) {
		lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
		log_set = 1;
	}
	w->listen_fd = listen_fd;
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	void *loops[1] = { &w->loop };
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
	info.protocols = protocols;
	/* No UTF-8 check per frame here: a frame with any byte >= 0x80 goes to
	 * jansson (see lib/stream_fast.c), which refuses invalid UTF-8. */
	info.options = LWS_SERVER_OPTION_LIBUV;
	info.foreign_loops = loops;
	info.user = w;
	info.timeout_secs = 20;
	w->ctx = lws_create_context(&info);
	if (w->ctx == NULL || (w->vhost = lws_get_vhost_by_name(w->ctx, "default")) == NULL)
		return -1;
	uv_poll_init(&w->loop, &w->accept_poll, w->listen_fd);
	w->accept_poll.data = w;
	uv_poll_start(&w->accept_poll, UV_READABLE, on_accept);
	return 0;
}

static void
closed_poll(uv_handle_t *h)
{
	struct worker *w = h->data;
	w->listen_fd = -1;     /* the socket itself is closed by main */
}

void
server_destroy(struct worker *w)
{
	if (w->listen_fd >= 0) {
		uv_poll_stop(&w->accept_poll);
		uv_close((uv_handle_t *)&w->accept_poll, closed_poll);
	}
	if (w->ctx) {
		lws_context_destroy(w->ctx);
		w->ctx = NULL;
	}
}
