/* libcurl multi on a libuv loop (see curl_loop.h). */
#include "curl_loop.h"
#include "log.h"
#include "xalloc.h"
#include <stdlib.h>

struct curl_loop {
	uv_loop_t *loop;
	CURLM *multi;
	uv_timer_t timer;
	struct pending *pending;      /* requests in the multi handle */
	struct curl_sock *socks;      /* sockets watched */
	int closing;
};

/* One watched socket; freed when its poll handle is closed. */
struct curl_sock {
	uv_poll_t poll;
	struct curl_loop *cl;
	curl_socket_t fd;
	struct curl_sock *prev, *next;
};

struct pending {
	CURL *easy;
	curl_loop_done_fn done;
	void *arg;
	struct pending *prev, *next;
};

static void
pending_unlink(struct curl_loop *cl, struct pending *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		cl->pending = p->next;
	if (p->next)
		p->next->prev = p->prev;
}

/* Stops watching s and frees it once libuv has closed its handle. */
static void sock_closed(uv_handle_t *h);
static void
sock_drop(struct curl_loop *cl, struct curl_sock *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		cl->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	uv_poll_stop(&s->poll);
	uv_close((uv_handle_t *)&s->poll, sock_closed);
}

static void
finished(struct curl_loop *cl, CURL *easy, CURLcode rc)
{
	struct pending *p = NULL;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&p);
	curl_multi_remove_handle(cl->multi, easy);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
	if (p) {
		pending_unlink(cl, p);
		curl_loop_done_fn done = p->done;
		void *arg = p->arg;
		free(p);
		done(easy, rc, arg);
	}
}

/* Hands finished transfers to their owners. */
static void
reap(struct curl_loop *cl)
{
	CURLMsg *m;
	int left;
	/* An owner may close the loop from its done callback. */
	while (!cl->closing && (m = curl_multi_info_read(cl->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE)
			finished(cl, m->easy_handle, m->data.result);
}

static void
action(struct curl_loop *cl, curl_socket_t fd, int events)
{
	int still;
	curl_multi_socket_action(cl->multi, fd, events, &still);
	reap(cl);
}

static void
on_poll(uv_poll_t *h, int status, int events)
{
	struct curl_sock *s = h->data;
	int ev = status < 0 ? CURL_CSELECT_ERR :
	    ((events & UV_READABLE) ? CURL_CSELECT_IN : 0) | ((events & UV_WRITABLE) ? CURL_CSELECT_OUT : 0);
	action(s->cl, s->fd, ev);
}

static void
on_timer(uv_timer_t *t)
{
	action(t->data, CURL_SOCKET_TIMEOUT, 0);
}

static void
sock_closed(uv_handle_t *h)
{
	free(h->data);
}

static int
on_socket(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
	(void)easy;
	struct curl_loop *cl = arg;
	struct curl_sock *s = sockp;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			sock_drop(cl, s);
			curl_multi_assign(cl->multi, fd, NULL);
		}
		return 0;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->cl = cl;
		s->fd = fd;
		if (uv_poll_init_socket(cl->loop, &s->poll, fd) != 0) {
			free(s);
			return -1;
		}
		s->poll.data = s;
		s->next = cl->socks;
		if (cl->socks)
			cl->socks->prev = s;
		cl->socks = s;
		curl_multi_assign(cl->multi, fd, s);
	}
	int ev = ((what & CURL_POLL_IN) ? UV_READABLE : 0) | ((what & CURL_POLL_OUT) ? UV_WRITABLE : 0);
	uv_poll_start(&s->poll, ev, on_poll);
	return 0;
}

static int
on_timeout(CURLM *multi, long ms, void *arg)
{
	(void)multi;
	struct curl_loop *cl = arg;
	if (ms < 0)
		uv_timer_stop(&cl->timer);
	else
		/* 0 means "now": from the loop, never from inside curl. */
		uv_timer_start(&cl->timer, on_timer, (uint64_t)ms, 0);
	return 0;
}

struct curl_loop *
curl_loop_new(uv_loop_t *loop)
{
	struct curl_loop *cl = xcalloc(1, sizeof *cl);
	cl->loop = loop;
	cl->multi = curl_multi_init();
	uv_timer_init(loop, &cl->timer);
	cl->timer.data = cl;
	curl_multi_setopt(cl->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(cl->multi, CURLMOPT_SOCKETDATA, cl);
	curl_multi_setopt(cl->multi, CURLMOPT_TIMERFUNCTION, on_timeout);
	curl_multi_setopt(cl->multi, CURLMOPT_TIMERDATA, cl);
	return cl;
}

int
curl_loop_add(struct curl_loop *cl, CURL *easy, curl_loop_done_fn done, void *arg)
{
	if (cl->closing)
		return -1;
	struct pending *p = xcalloc(1, sizeof *p);
	p->easy = easy;
	p->done = done;
	p->arg = arg;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, p);
	if (curl_multi_add_handle(cl->multi, easy) != CURLM_OK) {
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		free(p);
		return -1;
	}
	p->next = cl->pending;
	if (cl->pending)
		cl->pending->prev = p;
	cl->pending = p;
	return 0;
}

static void
timer_closed(uv_handle_t *h)
{
	struct curl_loop *cl = h->data;
	free(cl);
}

void
curl_loop_close(struct curl_loop *cl)
{
	if (cl == NULL || cl->closing)
		return;
	cl->closing = 1;
	/* Owners get their easy handles back, marked as aborted. */
	while (cl->pending)
		finished(cl, cl->pending->easy, CURLE_ABORTED_BY_CALLBACK);
	curl_multi_cleanup(cl->multi);
	/* Cached connections' sockets curl did not hand back. */
	while (cl->socks)
		sock_drop(cl, cl->socks);
	uv_timer_stop(&cl->timer);
	uv_close((uv_handle_t *)&cl->timer, timer_closed);
}
