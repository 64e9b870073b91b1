/* A small RFC 6455 WebSocket client over a plain or TLS socket, for an
 * engine thread (blocking with time limits).  Only what a provider's
 * live API needs: text and binary messages, ping/pong, close. */
#ifndef MEDIA_WS_CLIENT_H
#define MEDIA_WS_CLIENT_H
#include <stddef.h>

#define WS_MSG_MAX (256 * 1024)    /* longest message accepted from a server */

enum { WS_TEXT = 1, WS_BINARY = 2, WS_CLOSE = 8, WS_PING = 9, WS_PONG = 10 };

struct ssl_st;
struct ssl_ctx_st;

struct ws_client {
	int fd;
	struct ssl_ctx_st *tls_ctx;
	struct ssl_st *tls;
	unsigned char in[65536];
	size_t in_len;
	char *msg;                    /* message being received (WS_MSG_MAX + 1) */
	size_t msg_len;
	int msg_op;
	int close_code;
};

/* url: ws or wss scheme; headers: extra "Name: value\r\n" lines (may be
 * NULL).  0, or -1 with err. */
int ws_connect(struct ws_client *w, const char *url, const char *headers, long timeout_ms,
    char *err, size_t errlen);
int ws_send(struct ws_client *w, int opcode, const void *data, size_t n);
/* Waits up to timeout_ms for one data message: 1 with op, data and len set
 * (NUL-terminated, valid until the next call), 0 on timeout, -1
 * when the connection closed or broke (w->close_code when it said). */
int ws_recv(struct ws_client *w, int *op, const char **data, size_t *len, long timeout_ms);
void ws_close(struct ws_client *w);

#endif
