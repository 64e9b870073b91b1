/* libwebsockets context of one worker (see server.c). */
#ifndef MEDIA_SERVER_H
#define MEDIA_SERVER_H
struct worker;
int server_create(struct worker *w, const char *host, int port, int shared);
void server_destroy(struct worker *w);
#endif
