/* libwebsockets context of one worker (see server.c). */
#ifndef MEDIA_SERVER_H
#define MEDIA_SERVER_H
struct worker;
int server_listen(const char *host, int port);        /* fd or -1 */
int server_create(struct worker *w, int listen_fd);
void server_destroy(struct worker *w);
#endif
