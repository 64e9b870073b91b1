/* How a simulated call gets its media stream: through the signed voice
 * webhook and the TwiML it answers (what a carrier does), or directly
 * (--direct): the calls row made in the database and the stream token
 * minted here, as the webhook would. */
#include "simulate.h"
#include "buf.h"
#include "cfg.h"
#include "crypto.h"
#include "db.h"
#include "stream_token.h"
#include "xalloc.h"
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct db *sim_db;

static void
random_sid(const char *prefix, char out[40])
{
	unsigned char r[16];
	crypto_random(r, sizeof r);
	char *hex = crypto_hex(r, sizeof r);
	snprintf(out, 40, "%s%s", prefix, hex);
	free(hex);
}

/* ws(s)://host/media/<carrier> from the platform's public URL. */
static void
stream_url(const char *base, const char *carrier, char *out, size_t n)
{
	const char *scheme = strncmp(base, "https://", 8) == 0 ? "wss://" : "ws://";
	const char *rest = strstr(base, "://") ? strstr(base, "://") + 3 : base;
	size_t l = strlen(rest);
	while (l && rest[l - 1] == '/')
		l--;
	snprintf(out, n, "%s%.*s/media/%s", scheme, (int)l, rest, carrier);
}

int
sim_setup_direct(const struct sim_options *o, int index, struct sim_target *t, char *err, size_t errlen)
{
	if (sim_db == NULL)
		sim_db = db_open(cfg_str(CFG_database_url), 2);
	if (sim_db == NULL || db_begin_tenant(sim_db, NULL) < 0) {
		snprintf(err, errlen, "database unavailable: %s", sim_db ? db_error(sim_db) : "bad database_url");
		return -1;
	}
	random_sid("CA", t->call_sid);
	snprintf(t->account_sid, sizeof t->account_sid, "%s", o->account_sid);
	const char *p[5] = { o->to, o->carrier, t->call_sid, o->from, NULL };
	PGresult *r = db_exec(sim_db,
	    "INSERT INTO calls (tenant_id, agent_id, agent_version, phone_number_id, carrier, carrier_call_sid, "
	    "                   direction, from_number, to_number, status) "
	    "SELECT pn.tenant_id, pn.agent_id, a.version, pn.id, $2, $3, 'inbound', $4, pn.e164, 'ringing' "
	    "  FROM phone_numbers pn JOIN agents a ON a.tenant_id = pn.tenant_id AND a.id = pn.agent_id "
	    " WHERE pn.e164 = $1 "
	    "RETURNING id, tenant_id, agent_id", 4, p);
	if (r == NULL || PQntuples(r) != 1) {
		snprintf(err, errlen, r ? "no agent answers %s" : "%s", r ? o->to : db_error(sim_db));
		PQclear(r);
		db_rollback(sim_db);
		return -1;
	}
	struct stream_claims c;
	memset(&c, 0, sizeof c);
	snprintf(c.call_id, sizeof c.call_id, "%s", db_value(r, 0, 0));
	snprintf(c.tenant_id, sizeof c.tenant_id, "%s", db_value(r, 0, 1));
	snprintf(c.agent_id, sizeof c.agent_id, "%s", db_value(r, 0, 2));
	PQclear(r);
	if (db_commit(sim_db) < 0) {
		snprintf(err, errlen, "%s", db_error(sim_db));
		return -1;
	}
	char *tok = stream_token_mint(cfg_str(CFG_stream_token_secret), &c, (int)cfg_int(CFG_stream_token_ttl));
	snprintf(t->token, sizeof t->token, "%s", tok);
	free(tok);
	memcpy(t->call_id, c.call_id, sizeof t->call_id);
	stream_url(o->base_url, o->carrier, t->ws_url, sizeof t->ws_url);
	return 0;
}

struct sortable { const char *name, *value; };

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct sortable *)a)->name, ((const struct sortable *)b)->name);
}

char *
sim_twilio_signature(const char *token, const char *url, const char *const *names,
    const char *const *values, int n)
{
	struct sortable *s = xcalloc((size_t)(n ? n : 1), sizeof *s);
	for (int i = 0; i < n; i++)
		s[i] = (struct sortable){ names[i], values[i] };
	qsort(s, (size_t)n, sizeof *s, by_name);
	struct buf b;
	buf_init(&b, 1 << 20);
	buf_puts(&b, url);
	for (int i = 0; i < n; i++) {
		buf_puts(&b, s[i].name);
		buf_puts(&b, s[i].value);
	}
	uint8_t mac[64];
	int len = crypto_hmac("sha1", token, strlen(token), b.data, b.len, mac);
	buf_free(&b);
	free(s);
	return len > 0 ? crypto_base64(mac, (size_t)len) : NULL;
}

static void
xml_unescape(const char *s, size_t n, char *out, size_t outlen)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&quot;", '"' }, { "&apos;", '\'' }, { "&lt;", '<' }, { "&gt;", '>' },
	};
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < outlen;) {
		int done = 0;
		for (size_t e = 0; e < sizeof ents / sizeof ents[0] && s[i] == '&'; e++) {
			size_t l = strlen(ents[e].ent);
			if (i + l <= n && strncmp(s + i, ents[e].ent, l) == 0) {
				out[o++] = ents[e].c;
				i += l;
				done = 1;
				break;
			}
		}
		if (!done)
			out[o++] = s[i++];
	}
	out[o] = 0;
}

/* Value of attribute `name` inside the tag [tag, end); 0 or -1. */
static int
attr(const char *tag, const char *end, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	for (const char *p = tag; p + nl + 2 < end; p++) {
		if ((p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n') || strncmp(p, name, nl) != 0 || p[nl] != '=')
			continue;
		char q = p[nl + 1];
		if (q != '"' && q != '\'')
			return -1;
		const char *v = p + nl + 2, *ve = memchr(v, q, (size_t)(end - v));
		if (ve == NULL)
			return -1;
		xml_unescape(v, (size_t)(ve - v), out, outlen);
		return 0;
	}
	return -1;
}

int
sim_twiml_parse(const char *xml, struct sim_target *t)
{
	const char *s = strstr(xml, "<Stream");
	if (s == NULL)
		return -1;
	const char *e = strchr(s, '>');
	if (e == NULL || attr(s + 7, e, "url", t->ws_url, sizeof t->ws_url) < 0)
		return -1;
	t->token[0] = t->call_id[0] = 0;
	for (const char *p = e; (p = strstr(p, "<Parameter")) != NULL; p = e) {
		e = strchr(p, '>');
		if (e == NULL)
			return -1;
		char name[64], value[1024];
		if (attr(p + 10, e, "name", name, sizeof name) < 0 || attr(p + 10, e, "value", value, sizeof value) < 0)
			return -1;
		if (strcmp(name, "token") == 0)
			snprintf(t->token, sizeof t->token, "%s", value);
		else if (strcmp(name, "call_id") == 0)
			snprintf(t->call_id, sizeof t->call_id, "%.36s", value);
	}
	return t->ws_url[0] && t->token[0] ? 0 : -1;
}

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	return buf_append(arg, p, size * n) < 0 ? 0 : size * n;
}

int
sim_setup_webhook(const struct sim_options *o, int index, struct sim_target *t, char *err, size_t errlen)
{
	random_sid("CA", t->call_sid);
	snprintf(t->account_sid, sizeof t->account_sid, "%s", o->account_sid);
	char *url = xasprintf("%s/webhooks/twilio/voice", o->base_url);
	const char *names[] = { "AccountSid", "CallSid", "CallStatus", "Direction", "From", "To", "ApiVersion" };
	const char *values[] = { t->account_sid, t->call_sid, "ringing", "inbound", o->from, o->to, "2010-04-01" };
	int n = (int)(sizeof names / sizeof names[0]);
	char *sig = sim_twilio_signature(o->auth_token, url, names, values, n);
	CURL *h = curl_easy_init();
	struct buf body, resp;
	buf_init(&body, 8192);
	buf_init(&resp, 65536);
	for (int i = 0; i < n; i++) {
		char *v = curl_easy_escape(h, values[i], 0);
		buf_printf(&body, "%s%s=%s", i ? "&" : "", names[i], v);
		curl_free(v);
	}
	char *sighdr = xasprintf("X-Twilio-Signature: %s", sig ? sig : "");
	struct curl_slist *hdr = curl_slist_append(NULL, sighdr);
	hdr = curl_slist_append(hdr, "Content-Type: application/x-www-form-urlencoded");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 15L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
	CURLcode rc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	int ok = -1;
	if (rc != CURLE_OK)
		snprintf(err, errlen, "webhook: %s", curl_easy_strerror(rc));
	else if (status != 200)
		snprintf(err, errlen, "webhook answered HTTP %ld", status);
	else if (resp.data == NULL || sim_twiml_parse(resp.data, t) < 0)
		snprintf(err, errlen, "webhook answer has no <Connect><Stream> with a token");
	else
		ok = 0;
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	buf_free(&body);
	buf_free(&resp);
	free(sighdr);
	free(sig);
	free(url);
	return ok;
}
