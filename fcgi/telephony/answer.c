#include "answer.h"
#include "xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[] = { "stream", "message", "voicemail" };

const char *
answer_kind_name(enum answer_kind k)
{
	return kind_names[k];
}

static const struct { const char *reason, *text; } messages[] = {
	{ "unknown_number", "Sorry, this number is not in service. Goodbye." },
	{ "outside_hours", "Thank you for calling. We are closed right now. Please call again during our opening hours." },
	{ "over_capacity", "Thank you for calling. All our lines are busy right now. Please call again in a few minutes." },
	{ "agent_disabled", "Thank you for calling. No one is available to take your call right now. Please call again later." },
	{ "tenant_suspended", "Thank you for calling. No one is available to take your call right now. Please call again later." },
};

const char *
answer_message(const char *reason, int voicemail)
{
	for (size_t i = 0; reason && i < sizeof messages / sizeof messages[0]; i++)
		if (strcmp(messages[i].reason, reason) == 0)
			return messages[i].text;
	return "Thank you for calling. We cannot take your call right now. Please call again later.";
}

int
answer_xml_escape(struct buf *out, const char *s)
{
	for (; s && *s; s++) {
		const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" :
		    *s == '"' ? "&quot;" : *s == '\'' ? "&apos;" : NULL;
		if (e ? buf_puts(out, e) < 0 : buf_putc(out, *s) < 0)
			return -1;
	}
	return 0;
}

/* Origin of public_url without credentials: scheme and host[:port]. */
static void
origin(const char *url, const char **scheme, size_t *slen, const char **host, size_t *hlen)
{
	const char *p = strstr(url, "://");
	*scheme = url;
	*slen = p ? (size_t)(p - url) : 0;
	const char *h = p ? p + 3 : url;
	size_t n = strcspn(h, "/?#");
	const char *at = memchr(h, '@', n);
	if (at) {
		n -= (size_t)(at + 1 - h);
		h = at + 1;
	}
	*host = h;
	*hlen = n;
}

char *
answer_stream_url(const char *public_url, enum carrier c)
{
	const char *scheme, *host;
	size_t slen, hlen;
	origin(public_url, &scheme, &slen, &host, &hlen);
	int tls = slen == 5 && strncasecmp(scheme, "https", 5) == 0;
	return xasprintf("%s://%.*s/media/%s", tls ? "wss" : "ws", (int)hlen, host,
	    c == CARRIER_TELNYX ? "telnyx" : "twilio");
}

/* public_url + /webhooks/<carrier>/<endpoint>, escaped into out. */
static int
callback_attr(struct buf *out, const struct answer *a, const char *name, const char *endpoint)
{
	const char *scheme, *host;
	size_t slen, hlen;
	origin(a->public_url, &scheme, &slen, &host, &hlen);
	(void)scheme;
	char *url = xasprintf("%.*s/webhooks/%s/%s", (int)(strlen(a->public_url) -
	    strlen(host + hlen)), a->public_url, carrier_name(a->carrier), endpoint);
	int rc = buf_printf(out, " %s=\"", name) < 0 || answer_xml_escape(out, url) < 0 ||
	    buf_putc(out, '"') < 0 ? -1 : 0;
	free(url);
	return rc;
}

static int
param(struct buf *out, const char *name, const char *value)
{
	return buf_printf(out, "<Parameter name=\"%s\" value=\"", name) < 0 ||
	    answer_xml_escape(out, value) < 0 || buf_puts(out, "\"/>") < 0 ? -1 : 0;
}

static int
say(struct buf *out, const struct answer *a, const char *text)
{
	return buf_puts(out, "<Say language=\"") < 0 ||
	    answer_xml_escape(out, a->language && *a->language ? a->language : "en-US") < 0 ||
	    buf_puts(out, "\">") < 0 || answer_xml_escape(out, text) < 0 ||
	    buf_puts(out, "</Say>") < 0 ? -1 : 0;
}

static int
render_stream(const struct answer *a, struct buf *out)
{
	int rc = 0;
	if (a->record) {
		rc |= buf_puts(out, "<Start><Recording");
		rc |= callback_attr(out, a, "recordingStatusCallback", "recording");
		rc |= buf_printf(out, " recordingStatusCallbackEvent=\"completed absent\""
		    " recordingChannels=\"%s\"/></Start>",
		    a->record_channels && strcmp(a->record_channels, "dual") == 0 ? "dual" : "mono");
	}
	char *url = answer_stream_url(a->public_url, a->carrier);
	char max[16];
	snprintf(max, sizeof max, "%d", a->max_duration);
	rc |= buf_puts(out, "<Connect><Stream url=\"");
	rc |= answer_xml_escape(out, url);
	rc |= buf_puts(out, a->carrier == CARRIER_TELNYX ?
	    "\" bidirectionalMode=\"rtp\" bidirectionalCodec=\"PCMU\">" : "\">");
	rc |= param(out, "token", a->token);
	rc |= param(out, "call_id", a->call_id);
	rc |= param(out, "max_duration_seconds", max);
	rc |= buf_puts(out, "</Stream></Connect><Hangup/>");
	free(url);
	return rc ? -1 : 0;
}

static int
render_voicemail(const struct answer *a, struct buf *out)
{
	int rc = say(out, a, answer_message(a->reason, 1));
	rc |= say(out, a, "Please leave a message after the tone.");
	rc |= buf_printf(out, "<Record maxLength=\"%d\" playBeep=\"true\"", a->voicemail_max);
	rc |= callback_attr(out, a, "recordingStatusCallback", "recording");
	rc |= buf_puts(out, " recordingStatusCallbackEvent=\"completed absent\"/><Hangup/>");
	return rc ? -1 : 0;
}

int
answer_render(const struct answer *a, struct buf *out)
{
	size_t start = out->len;
	int rc = buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response>");
	if (rc == 0) {
		switch (a->kind) {
		case ANSWER_STREAM: rc = render_stream(a, out); break;
		case ANSWER_VOICEMAIL: rc = render_voicemail(a, out); break;
		case ANSWER_MESSAGE:
			rc = say(out, a, answer_message(a->reason, 0)) < 0 ||
			    buf_puts(out, "<Hangup/>") < 0 ? -1 : 0;
			break;
		}
	}
	if (rc == 0)
		rc = buf_puts(out, "</Response>\n");
	if (rc < 0) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
	}
	return rc;
}
