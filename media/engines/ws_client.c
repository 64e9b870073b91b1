/* RFC 6455 client framing: frames we send are masked, frames we get
 * must not be; a message is assembled from its fragments up to
 * WS_MSG_MAX; the handshake's Sec-WebSocket-Accept is checked. */
#include "../media.h"
#include "ws_client.h"
#include "crypto.h"
#include "xalloc.h"
#include <errno.h>
#include <netdb.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

static int
wait_fd(int fd, short ev, long ms)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r;
	while ((r = poll(&p, 1, (int)(ms < 0 ? 0 : ms))) < 0 && errno == EINTR)
		;
	return r;
}

static ssize_t
raw_write(struct ws_client *w, const void *p, size_t n)
{
	if (w->tls)
		return SSL_write(w->tls, p, (int)n);
	ssize_t r;
	while ((r = send(w->fd, p, n, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return r;
}

static int
write_all(struct ws_client *w, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t r = raw_write(w, c, n);
		if (r <= 0) {
			if (!w->tls && r < 0 && errno == EAGAIN && wait_fd(w->fd, POLLOUT, 5000) > 0)
				continue;
			if (w->tls && SSL_get_error(w->tls, (int)r) == SSL_ERROR_WANT_WRITE && wait_fd(w->fd, POLLOUT, 5000) > 0)
				continue;
			return -1;
		}
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Reads more bytes into w->in, waiting until deadline: 1, 0 timeout, -1 closed. */
static int
fill(struct ws_client *w, double deadline)
{
	if (w->in_len == sizeof w->in)
		return -1;
	for (;;) {
		if (!w->tls || SSL_pending(w->tls) == 0) {
			long left = (long)(deadline - media_now_ms());
			int r = wait_fd(w->fd, POLLIN, left);
			if (r == 0)
				return 0;
			if (r < 0)
				return -1;
		}
		ssize_t n;
		if (w->tls) {
			n = SSL_read(w->tls, w->in + w->in_len, (int)(sizeof w->in - w->in_len));
			if (n <= 0) {
				int e = SSL_get_error(w->tls, (int)n);
				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
					continue;
				return -1;
			}
		} else {
			n = recv(w->fd, w->in + w->in_len, sizeof w->in - w->in_len, 0);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				return -1;
		}
		w->in_len += (size_t)n;
		return 1;
	}
}

static void
consume(struct ws_client *w, size_t n)
{
	memmove(w->in, w->in + n, w->in_len - n);
	w->in_len -= n;
}

struct url_parts {
	int tls;
	char host[256], port[8], path[2048];
};

static int
parse_url(const char *url, struct url_parts *u)
{
	const char *p;
	if (strncmp(url, "wss://", 6) == 0) { u->tls = 1; p = url + 6; }
	else if (strncmp(url, "ws://", 5) == 0) { u->tls = 0; p = url + 5; }
	else return -1;
	size_t hl = strcspn(p, ":/?");
	if (hl == 0 || hl >= sizeof u->host)
		return -1;
	memcpy(u->host, p, hl);
	u->host[hl] = 0;
	p += hl;
	snprintf(u->port, sizeof u->port, "%s", u->tls ? "443" : "80");
	if (*p == ':') {
		size_t pl = strspn(p + 1, "0123456789");
		if (pl == 0 || pl >= sizeof u->port)
			return -1;
		memcpy(u->port, p + 1, pl);
		u->port[pl] = 0;
		p += 1 + pl;
	}
	if (strlen(p) + 2 > sizeof u->path)
		return -1;
	snprintf(u->path, sizeof u->path, "%s%s", *p == '/' ? "" : "/", p);
	return 0;
}

static int
tcp_connect(const struct url_parts *u, long timeout_ms)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	if (getaddrinfo(u->host, u->port, &hints, &res) != 0)
		return -1;
	int fd = -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, timeout_ms) > 0) {
			int e = 0;
			socklen_t l = sizeof e;
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l);
			if (e == 0)
				break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int
tls_start(struct ws_client *w, const char *host, long timeout_ms)
{
	w->tls_ctx = SSL_CTX_new(TLS_client_method());
	if (!w->tls_ctx)
		return -1;
	SSL_CTX_set_default_verify_paths(w->tls_ctx);
	SSL_CTX_set_verify(w->tls_ctx, SSL_VERIFY_PEER, NULL);
	w->tls = SSL_new(w->tls_ctx);
	if (!w->tls)
		return -1;
	SSL_set_tlsext_host_name(w->tls, host);
	X509_VERIFY_PARAM_set1_host(SSL_get0_param(w->tls), host, 0);
	SSL_set_fd(w->tls, w->fd);
	double deadline = media_now_ms() + (double)timeout_ms;
	for (;;) {
		int r = SSL_connect(w->tls);
		if (r == 1)
			return 0;
		int e = SSL_get_error(w->tls, r);
		long left = (long)(deadline - media_now_ms());
		if (left <= 0)
			return -1;
		if (e == SSL_ERROR_WANT_READ && wait_fd(w->fd, POLLIN, left) > 0)
			continue;
		if (e == SSL_ERROR_WANT_WRITE && wait_fd(w->fd, POLLOUT, left) > 0)
			continue;
		return -1;
	}
}

static int
handshake(struct ws_client *w, const struct url_parts *u, const char *headers, long timeout_ms,
    char *err, size_t errlen)
{
	unsigned char nonce[16];
	crypto_random(nonce, sizeof nonce);
	char *key = crypto_base64(nonce, sizeof nonce);
	char req[4096];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n%s\r\n",
	    u->path, u->host, u->port, key, headers ? headers : "");
	if (n < 0 || (size_t)n >= sizeof req || write_all(w, req, (size_t)n) < 0) {
		free(key);
		snprintf(err, errlen, "could not send the upgrade request");
		return -1;
	}
	double deadline = media_now_ms() + (double)timeout_ms;
	char *end;
	for (;;) {
		w->in[w->in_len < sizeof w->in ? w->in_len : sizeof w->in - 1] = 0;
		end = w->in_len ? strstr((char *)w->in, "\r\n\r\n") : NULL;
		if (end)
			break;
		int r = fill(w, deadline);
		if (r <= 0) {
			free(key);
			snprintf(err, errlen, r == 0 ? "no upgrade answer in time" : "connection closed during the upgrade");
			return -1;
		}
	}
	size_t head_len = (size_t)(end - (char *)w->in) + 4;
	int status = 0;
	sscanf((char *)w->in, "HTTP/1.1 %d", &status);
	if (status != 101) {
		free(key);
		const char *body = end + 4;
		snprintf(err, errlen, "HTTP %d: %.200s", status, body);
		return -1;
	}
	char want_src[128];
	snprintf(want_src, sizeof want_src, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
	free(key);
	unsigned char digest[SHA_DIGEST_LENGTH];
	SHA1((unsigned char *)want_src, strlen(want_src), digest);
	char *want = crypto_base64(digest, sizeof digest);
	int ok = 0;
	for (char *l = strstr((char *)w->in, "\r\n"); l && l < end; l = strstr(l + 2, "\r\n")) {
		if (strncasecmp(l + 2, "Sec-WebSocket-Accept:", 21) == 0) {
			const char *v = l + 23;
			while (*v == ' ')
				v++;
			ok = strncmp(v, want, strlen(want)) == 0;
		}
	}
	free(want);
	if (!ok) {
		snprintf(err, errlen, "bad Sec-WebSocket-Accept");
		return -1;
	}
	consume(w, head_len);
	return 0;
}

int
ws_connect(struct ws_client *w, const char *url, const char *headers, long timeout_ms,
    char *err, size_t errlen)
{
	memset(w, 0, sizeof *w);
	w->fd = -1;
	struct url_parts u;
	if (parse_url(url, &u) < 0) {
		snprintf(err, errlen, "bad WebSocket URL");
		return -1;
	}
	w->fd = tcp_connect(&u, timeout_ms);
	if (w->fd < 0) {
		snprintf(err, errlen, "could not connect to %s:%s", u.host, u.port);
		return -1;
	}
	if (u.tls && tls_start(w, u.host, timeout_ms) < 0) {
		snprintf(err, errlen, "TLS handshake with %s failed", u.host);
		return -1;
	}
	w->msg = xmalloc(WS_MSG_MAX + 1);
	return handshake(w, &u, headers, timeout_ms, err, errlen);
}

int
ws_send(struct ws_client *w, int opcode, const void *data, size_t n)
{
	unsigned char h[14];
	size_t hl = 2;
	h[0] = (unsigned char)(0x80 | opcode);
	if (n < 126)
		h[1] = (unsigned char)(0x80 | n);
	else if (n < 65536) {
		h[1] = 0x80 | 126;
		h[2] = (unsigned char)(n >> 8);
		h[3] = (unsigned char)n;
		hl = 4;
	} else {
		h[1] = 0x80 | 127;
		for (int i = 0; i < 8; i++)
			h[2 + i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
		hl = 10;
	}
	unsigned char mask[4];
	crypto_random(mask, 4);
	memcpy(h + hl, mask, 4);
	hl += 4;
	unsigned char *frame = xmalloc(hl + n);
	memcpy(frame, h, hl);
	const unsigned char *d = data;
	for (size_t i = 0; i < n; i++)
		frame[hl + i] = d[i] ^ mask[i & 3];
	int rc = write_all(w, frame, hl + n);
	free(frame);
	return rc;
}

/* One whole frame from w->in, if there is one: 1, 0 need more, -1 bad. */
static int
take_frame(struct ws_client *w, int *fin, int *op, size_t *plen, size_t *hlen)
{
	if (w->in_len < 2)
		return 0;
	const unsigned char *b = w->in;
	if (b[1] & 0x80)
		return -1;                /* servers never mask */
	if (b[0] & 0x70)
		return -1;                /* no extensions were negotiated */
	uint64_t len = b[1] & 0x7f;
	size_t h = 2;
	if (len == 126) {
		if (w->in_len < 4)
			return 0;
		len = (uint64_t)b[2] << 8 | b[3];
		h = 4;
	} else if (len == 127) {
		if (w->in_len < 10)
			return 0;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | b[2 + i];
		h = 10;
	}
	if (len > WS_MSG_MAX || len > sizeof w->in - h)
		return -1;
	if (w->in_len < h + len)
		return 0;
	*fin = b[0] >> 7;
	*op = b[0] & 0x0f;
	*plen = (size_t)len;
	*hlen = h;
	return 1;
}

int
ws_recv(struct ws_client *w, int *op, const char **data, size_t *len, long timeout_ms)
{
	double deadline = media_now_ms() + (double)timeout_ms;
	for (;;) {
		int fin, fop;
		size_t pl, hl;
		int t = take_frame(w, &fin, &fop, &pl, &hl);
		if (t < 0)
			return -1;
		if (t == 0) {
			int r = fill(w, deadline);
			if (r <= 0)
				return r;
			continue;
		}
		const unsigned char *p = w->in + hl;
		if (fop >= 8) {
			if (!fin || pl > 125)
				return -1;
			if (fop == WS_CLOSE) {
				w->close_code = pl >= 2 ? (p[0] << 8 | p[1]) : 1005;
				ws_send(w, WS_CLOSE, p, pl >= 2 ? 2 : 0);
				consume(w, hl + pl);
				return -1;
			}
			if (fop == WS_PING)
				ws_send(w, WS_PONG, p, pl);
			consume(w, hl + pl);
			continue;
		}
		if (fop == 0 ? w->msg_op == 0 : w->msg_op != 0)
			return -1;                /* continuation out of place */
		if (fop != 0) {
			w->msg_op = fop;
			w->msg_len = 0;
		}
		if (w->msg_len + pl > WS_MSG_MAX)
			return -1;
		memcpy(w->msg + w->msg_len, p, pl);
		w->msg_len += pl;
		consume(w, hl + pl);
		if (!fin)
			continue;
		w->msg[w->msg_len] = 0;
		*op = w->msg_op;
		*data = w->msg;
		*len = w->msg_len;
		w->msg_op = 0;
		return 1;
	}
}

void
ws_close(struct ws_client *w)
{
	if (w->tls) {
		SSL_shutdown(w->tls);
		SSL_free(w->tls);
	}
	if (w->tls_ctx)
		SSL_CTX_free(w->tls_ctx);
	if (w->fd >= 0)
		close(w->fd);
	free(w->msg);
	memset(w, 0, sizeof *w);
	w->fd = -1;
}
