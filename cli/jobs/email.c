/* The "email" job: delivers one email_outbox message by SMTP (libcurl)
 * or the Resend HTTP API, whichever the configuration names (smtp_url
 * first).  With neither, the message is marked held and stays readable
 * in the portal's outbox; held messages still worth sending go out once
 * a transport is configured (task_email_release_held). */
#include "../jobs.h"
#include "buf.h"
#include "cfg.h"
#include "crypto.h"
#include "db.h"
#include "jobs.h"
#include "log.h"
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct message { char id[37], to[256], subject[512]; char *body; };

struct upload { const char *data; size_t len, off; };

static size_t
read_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
	struct upload *u = userp;
	size_t n = size * nmemb;
	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(ptr, u->data + u->off, n);
	u->off += n;
	return n;
}

static size_t
discard_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
	struct buf *b = userp;
	buf_append(b, ptr, size * nmemb);     /* bounded: the rest is dropped */
	return size * nmemb;
}

/* "Name <addr@host>" -> "<addr@host>" for MAIL FROM. */
static void
envelope_from(const char *from, char *out, size_t n)
{
	const char *lt = strchr(from, '<');
	if (lt)
		snprintf(out, n, "%s", lt);
	else
		snprintf(out, n, "<%s>", from);
}

static int
send_smtp(const struct message *m, char *err, size_t errlen)
{
	char date[64], mail_from[300], rcpt[300];
	time_t now = time(NULL);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", gmtime(&now));
	envelope_from(cfg_str(CFG_email_from), mail_from, sizeof mail_from);
	snprintf(rcpt, sizeof rcpt, "<%s>", m->to);
	const char *at = strchr(mail_from, '@');
	struct buf msg;
	buf_init(&msg, 1 << 20);
	/* Header values come from the outbox row, whose address the
	 * database checked; subjects are ours.  No CR/LF can get in. */
	buf_printf(&msg, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s%.*s\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n", date, cfg_str(CFG_email_from), m->to, m->subject,
	    m->id, at ? (int)strlen(at) : 0, at ? at : "");
	for (const char *s = m->body; *s; s++) {
		if (*s == '\n')
			buf_putc(&msg, '\r');
		buf_putc(&msg, *s);
	}
	struct upload u = { msg.data, msg.len, 0 };
	CURL *c = curl_easy_init();
	struct curl_slist *to = curl_slist_append(NULL, rcpt);
	curl_easy_setopt(c, CURLOPT_URL, cfg_str(CFG_smtp_url));
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (*cfg_str(CFG_smtp_username)) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg_str(CFG_smtp_username));
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg_str(CFG_smtp_password));
	}
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "smtp: %s", curl_easy_strerror(rc));
	curl_slist_free_all(to);
	curl_easy_cleanup(c);
	buf_free(&msg);
	return rc == CURLE_OK ? 0 : -1;
}

static int
send_resend(const struct message *m, char *err, size_t errlen)
{
	json_t *req = json_pack("{s:s,s:[s],s:s,s:s}", "from", cfg_str(CFG_email_from),
	    "to", m->to, "subject", m->subject, "text", m->body);
	char *text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	struct buf auth, reply;
	buf_init(&auth, 1024);
	buf_init(&reply, 8192);
	buf_printf(&auth, "Authorization: Bearer %s", cfg_str(CFG_resend_api_key));
	struct curl_slist *h = curl_slist_append(NULL, auth.data);
	h = curl_slist_append(h, "Content-Type: application/json");
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, cfg_str(CFG_resend_api_url));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	int ok = rc == CURLE_OK && status >= 200 && status < 300;
	if (!ok)
		snprintf(err, errlen, "resend: %s (HTTP %ld) %.200s", rc == CURLE_OK ? "refused" :
		    curl_easy_strerror(rc), status, reply.data ? reply.data : "");
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(text);
	buf_free(&auth);
	buf_free(&reply);
	return ok ? 0 : -1;
}

/* The configured transport, smtp_url first; NULL when there is none. */
static const char *
transport_configured(void)
{
	return *cfg_str(CFG_smtp_url) ? "smtp" : *cfg_str(CFG_resend_api_key) ? "resend" : NULL;
}

int
job_email_send(struct db *db, json_t *payload, char *err, size_t errlen)
{
	const char *id = json_string_value(json_object_get(payload, "email_id"));
	if (id == NULL) {
		snprintf(err, errlen, "payload without email_id");
		return -1;
	}
	const char *p[1] = { id };
	PGresult *r = db_exec(db, "SELECT to_address, subject, body_text FROM email_outbox"
	    " WHERE id = $1 AND status IN ('queued', 'failed')", 1, p);
	if (r == NULL) {
		snprintf(err, errlen, "%s", db_error(db));
		return -1;
	}
	if (PQntuples(r) == 0) {        /* already sent or held */
		PQclear(r);
		return 0;
	}
	struct message m;
	snprintf(m.id, sizeof m.id, "%s", id);
	snprintf(m.to, sizeof m.to, "%s", PQgetvalue(r, 0, 0));
	snprintf(m.subject, sizeof m.subject, "%s", PQgetvalue(r, 0, 1));
	m.body = strdup(PQgetvalue(r, 0, 2));
	PQclear(r);
	const char *transport = transport_configured();
	int rc = 0;
	if (transport == NULL) {
		const char *q[1] = { id };
		rc = db_run(db, "UPDATE email_outbox SET status = 'held' WHERE id = $1", 1, q);
		log_info("email_held", "{s:s}", "email_id", id);
	} else {
		rc = strcmp(transport, "smtp") == 0 ? send_smtp(&m, err, errlen) : send_resend(&m, err, errlen);
		const char *q[3] = { id, transport, rc == 0 ? NULL : err };
		db_run(db, rc == 0
		    ? "UPDATE email_outbox SET status = 'sent', transport = $2, sent_at = now(),"
		      " attempts = attempts + 1, last_error = $3 WHERE id = $1"
		    : "UPDATE email_outbox SET status = 'failed', transport = $2,"
		      " attempts = attempts + 1, last_error = $3 WHERE id = $1", 3, q);
		if (rc == 0)
			log_info("email_sent", "{s:s,s:s}", "email_id", id, "transport", transport);
	}
	free(m.body);
	return rc;
}

/* Messages held while no transport was configured go out once one is
 * (the worker reads its configuration when it starts).  Only those that
 * still mean something: the newest message of each address, kind and
 * subject (a resend supersedes the first), and for a link only while it
 * works -- an open invitation to that address, an unused reset link of
 * that account.  The others stay held, readable in the outbox. */
int
task_email_release_held(struct db *db)
{
	if (transport_configured() == NULL)
		return 0;
	if (db_begin_tenant(db, NULL) < 0)
		return -1;
	PGresult *r = db_exec(db, "UPDATE email_outbox o SET status = 'queued'"
	    " FROM (SELECT DISTINCT ON (lower(to_address), kind, subject) id FROM email_outbox"
	    "   WHERE status = 'held' ORDER BY lower(to_address), kind, subject, created_at DESC, id) newest"
	    " WHERE o.id = newest.id AND CASE o.kind"
	    "  WHEN 'invitation' THEN EXISTS (SELECT 1 FROM invitations i"
	    "   WHERE lower(i.email) = lower(o.to_address) AND i.accepted_at IS NULL"
	    "   AND i.revoked_at IS NULL AND i.expires_at > now())"
	    "  WHEN 'password_reset' THEN EXISTS (SELECT 1 FROM password_resets p JOIN users u"
	    "   ON u.id = p.user_id WHERE lower(u.email) = lower(o.to_address) AND p.used_at IS NULL"
	    "   AND p.expires_at > now())"
	    "  ELSE true END RETURNING o.id", 0, NULL);
	if (r == NULL) {
		db_rollback(db);
		return -1;
	}
	int rc = 0;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		json_t *payload = json_pack("{s:s}", "email_id", PQgetvalue(r, i, 0));
		rc = jobs_enqueue(db, "email", payload, NULL, 0, 8);
		json_decref(payload);
	}
	int n = PQntuples(r);
	PQclear(r);
	if (rc < 0 || db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	if (n > 0)
		log_info("email_released", "{s:i,s:s}", "messages", n, "transport", transport_configured());
	return 0;
}
