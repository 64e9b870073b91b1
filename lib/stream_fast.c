/* The fast path of stream_parse for media frames, which are nearly all
 * of a stream's traffic: one validating pass over the text (the JSON
 * grammar, depth- and size-bounded, duplicate keys checked) that notes
 * where the few fields we read are, with no allocation.  It only ever
 * accepts: a frame that is not a plain media frame, or has anything
 * unusual in it (escapes, non-ASCII bytes, very long numbers, many keys),
 * is left to the general parser (jansson), which also gives the verdict
 * on malformed text.  Used by the media daemon (caller audio) and by the
 * call simulator (agent audio). */
#include "stream_fast.h"
#include <string.h>

#define SCAN_DEPTH 8
#define SCAN_KEYS 16                /* keys per object; more: general parser */
#define SCAN_NUMBER_MAX 15

enum role { ROLE_OTHER, ROLE_ROOT, ROLE_MEDIA };
enum field { F_EVENT, F_STREAM, F_SEQ, F_PAYLOAD, F_TRACK, F_CHUNK, F__COUNT };

struct span {
	const char *at;
	size_t len;
	int set;
	int is_string;
};

struct scan {
	const char *p, *end;
	const char *stream_key, *seq_key;
	struct span f[F__COUNT];
	int plain;                      /* nothing that needs the general parser */
};

static void
ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* Bytes a string's content may hold without a closer look. */
static const unsigned char plain_byte[256] = {
	[' '] = 1, ['!'] = 1, ['#' ... '['] = 1, [']' ... 0x7e] = 1,
};

/* A string at s->p ('"'); its content span.  0 or -1. */
static int
string(struct scan *s, struct span *out)
{
	if (s->p >= s->end || *s->p != '"')
		return -1;
	const char *a = ++s->p;
	while (s->p < s->end) {
		while (s->p < s->end && plain_byte[(unsigned char)*s->p])
			s->p++;
		if (s->p >= s->end)
			break;
		unsigned char c = (unsigned char)*s->p;
		if (c == '"') {
			out->at = a;
			out->len = (size_t)(s->p - a);
			out->is_string = 1;
			s->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c >= 0x80 || c == '\\')
			s->plain = 0;          /* UTF-8 and escapes: the general parser decides */
		if (c == '\\' && s->p + 1 < s->end)
			s->p++;
		s->p++;
	}
	return -1;
}

static int
number(struct scan *s, struct span *out)
{
	const char *a = s->p;
	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p >= s->end || *s->p < '0' || *s->p > '9')
		return -1;
	if (*s->p == '0')
		s->p++;
	else
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
	if (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E'))
		s->plain = 0;             /* fractions and exponents: not ours to judge */
	if ((size_t)(s->p - a) > SCAN_NUMBER_MAX)
		s->plain = 0;
	out->at = a;
	out->len = (size_t)(s->p - a);
	out->is_string = 0;
	return 0;
}

static int
literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

static int value(struct scan *s, int depth, enum role role, struct span *out);

static int
key_is(const struct span *k, const char *name)
{
	return name && k->len == strlen(name) && memcmp(k->at, name, k->len) == 0;
}

/* Which field a key of an object in `role` holds, or -1. */
static int
field_of(const struct scan *s, enum role role, const struct span *k)
{
	if (role == ROLE_ROOT)
		return key_is(k, "event") ? F_EVENT : key_is(k, s->stream_key) ? F_STREAM :
		    key_is(k, s->seq_key) ? F_SEQ : -1;
	if (role == ROLE_MEDIA)
		return key_is(k, "payload") ? F_PAYLOAD : key_is(k, "track") ? F_TRACK :
		    key_is(k, "chunk") ? F_CHUNK : -1;
	return -1;
}

static int
object(struct scan *s, int depth, enum role role)
{
	struct span keys[SCAN_KEYS];
	int nkeys = 0;
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		struct span k, v;
		ws(s);
		if (string(s, &k) < 0)
			return -1;
		if (nkeys == SCAN_KEYS) {
			s->plain = 0;
			nkeys = 0;
		}
		for (int i = 0; i < nkeys; i++)
			if (keys[i].len == k.len && memcmp(keys[i].at, k.at, k.len) == 0)
				return -1;     /* duplicate key */
		keys[nkeys++] = k;
		ws(s);
		if (s->p >= s->end || *s->p != ':')
			return -1;
		s->p++;
		ws(s);
		enum role inner = role == ROLE_ROOT && key_is(&k, "media") ? ROLE_MEDIA : ROLE_OTHER;
		if (value(s, depth + 1, inner, &v) < 0)
			return -1;
		int f = field_of(s, role, &k);
		if (f >= 0) {
			/* Sequence numbers and chunks may be numbers; the rest are strings. */
			if (v.at == NULL || (!v.is_string && f != F_SEQ && f != F_CHUNK))
				s->plain = 0;
			s->f[f] = v;
			s->f[f].set = 1;
		}
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return 0;
		}
		return -1;
	}
}

static int
array(struct scan *s, int depth)
{
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		struct span v;
		ws(s);
		if (value(s, depth + 1, ROLE_OTHER, &v) < 0)
			return -1;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return 0;
		}
		return -1;
	}
}

/* Scans one value; out gets a string's content or a number's text (at
 * NULL for anything else). */
static int
value(struct scan *s, int depth, enum role role, struct span *out)
{
	*out = (struct span){ 0 };
	if (depth > SCAN_DEPTH || s->p >= s->end)
		return -1;
	switch (*s->p) {
	case '{': return object(s, depth, role);
	case '[': return array(s, depth);
	case '"': return string(s, out);
	case 't': return literal(s, "true");
	case 'f': return literal(s, "false");
	case 'n': return literal(s, "null");
	default: return number(s, out);
	}
}

/* Copies a span into the message's scratch space as a C string. */
static const char *
keep(struct stream_fast *m, size_t *used, const struct span *sp)
{
	if (!sp->set)
		return NULL;
	if (*used + sp->len + 1 > sizeof m->scratch)
		return NULL;
	char *d = m->scratch + *used;
	memcpy(d, sp->at, sp->len);
	d[sp->len] = '\0';
	*used += sp->len + 1;
	return d;
}

static long
span_number(const struct span *sp)
{
	if (!sp->set || sp->len == 0 || sp->len > SCAN_NUMBER_MAX)
		return -1;
	long n = 0;
	for (size_t i = 0; i < sp->len; i++) {
		if (sp->at[i] < '0' || sp->at[i] > '9')
			return -1;
		n = n * 10 + (sp->at[i] - '0');
	}
	return n;
}

int
stream_fast_media(const char *stream_key, const char *seq_key, const char *data, size_t len,
    struct stream_fast *m)
{
	struct scan s = { .p = data, .end = data + len, .stream_key = stream_key, .seq_key = seq_key, .plain = 1 };
	struct span top;
	ws(&s);
	if (s.p >= s.end || *s.p != '{' || value(&s, 0, ROLE_ROOT, &top) < 0)
		return -1;
	ws(&s);
	if (s.p != s.end || !s.plain)
		return -1;
	static const char media[] = "media";
	if (!s.f[F_EVENT].set || s.f[F_EVENT].len != sizeof media - 1 || memcmp(s.f[F_EVENT].at, media, sizeof media - 1) != 0)
		return -1;
	if (!s.f[F_PAYLOAD].set)
		return -1;                 /* invalid: the general parser says so */
	size_t used = 0;
	m->payload = keep(m, &used, &s.f[F_PAYLOAD]);
	m->stream_id = keep(m, &used, &s.f[F_STREAM]);
	m->track = keep(m, &used, &s.f[F_TRACK]);
	m->chunk = span_number(&s.f[F_CHUNK]);
	m->seq = span_number(&s.f[F_SEQ]);
	if (m->payload == NULL || (s.f[F_STREAM].set && m->stream_id == NULL) || (s.f[F_TRACK].set && m->track == NULL))
		return -1;                 /* too long for the scratch space */
	return 0;
}
