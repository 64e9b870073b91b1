/* Outgoing email: a row in email_outbox plus an "email" job that the
 * worker delivers (cli/jobs/email.c).  Nothing is sent on a request path. */
#ifndef VOXLINE_EMAIL_H
#define VOXLINE_EMAIL_H

struct db;

/* Queues one plain-text message; runs in the caller's transaction when
 * one is open (the message exists only if that commits).  id_out (37
 * bytes, may be NULL) receives the outbox id.  0 or -1. */
int email_queue(struct db *db, const char *to, const char *subject, const char *body,
    const char *kind, char *id_out);

#endif
