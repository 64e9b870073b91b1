#include "kb.h"
#include "agent.h"
#include "xalloc.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KB_MAX_TERMS 64
#define KB_WORD 32
#define KB_MIN_SCORE 0.8

static const char *const stop_words[] = {
	"a", "about", "am", "an", "and", "any", "are", "at", "be", "can", "could", "do", "does",
	"for", "from", "have", "how", "i", "if", "in", "is", "it", "its", "me", "my", "of", "on",
	"or", "please", "tell", "that", "the", "there", "this", "to", "uh", "um", "we", "what",
	"when", "where", "which", "who", "will", "with", "would", "you", "your", "ya", "know",
	"want", "like", "need", "our", "us", "was", "were", "so", "just", "hi", "hello", "yes", "no",
};

static int
is_stop(const char *w)
{
	for (size_t i = 0; i < sizeof stop_words / sizeof stop_words[0]; i++)
		if (strcmp(w, stop_words[i]) == 0)
			return 1;
	return 0;
}

/* Crude stemming so "hours"/"hour", "opening"/"open" meet. */
static void
stem(char *w)
{
	size_t n = strlen(w);
	if (n > 5 && strcmp(w + n - 3, "ing") == 0)
		w[n - 3] = 0;
	else if (n > 4 && strcmp(w + n - 2, "es") == 0 && w[n - 3] != 's')
		w[n - 1] = 0;
	else if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's')
		w[n - 1] = 0;
}

/* Next word of s (lower case, stemmed, stop words skipped) into w;
 * returns the position after it or NULL at the end. */
static const char *
next_term_len(const char *s, char w[KB_WORD], size_t *raw_len);

static const char *
next_term(const char *s, char w[KB_WORD])
{
	size_t raw;
	return next_term_len(s, w, &raw);
}

/* Same, and the word's length before stemming. */
static const char *
next_term_len(const char *s, char w[KB_WORD], size_t *raw_len)
{
	for (;;) {
		while (*s && !isalnum((unsigned char)*s))
			s++;
		if (!*s)
			return NULL;
		size_t n = 0;
		while (isalnum((unsigned char)*s) || *s == '\'') {
			if (n < KB_WORD - 1 && *s != '\'')
				w[n++] = (char)tolower((unsigned char)*s);
			s++;
		}
		w[n] = 0;
		/* Short words are mostly recogniser debris ("id", "oh", "eye"). */
		if (n > 3 && !is_stop(w)) {
			*raw_len = n;
			stem(w);
			return s;
		}
	}
}

static int
terms_of(const char *s, char terms[KB_MAX_TERMS][KB_WORD], size_t raw[KB_MAX_TERMS])
{
	int n = 0;
	char w[KB_WORD];
	size_t len;
	while (n < KB_MAX_TERMS && (s = next_term_len(s, w, &len)) != NULL) {
		int dup = 0;
		for (int i = 0; i < n; i++)
			dup |= strcmp(terms[i], w) == 0;
		if (!dup) {
			raw[n] = len;
			memcpy(terms[n++], w, KB_WORD);
		}
	}
	return n;
}

static int
count_term(const char *text, const char *term, int *len)
{
	int c = 0, l = 0;
	char w[KB_WORD];
	while ((text = next_term(text, w)) != NULL) {
		l++;
		c += strcmp(w, term) == 0;
	}
	*len = l;
	return c;
}

size_t
kb_split(const char *content, struct kb_passage **out, size_t have)
{
	const char *p = content;
	while (*p) {
		const char *end = strstr(p, "\n\n");
		size_t n = end ? (size_t)(end - p) : strlen(p);
		size_t a = 0;
		while (a < n && isspace((unsigned char)p[a]))
			a++;
		if (a < n) {
			*out = xrealloc(*out, (have + 1) * sizeof **out);
			(*out)[have++].text = xstrndup(p + a, n - a);
		}
		p += n;
		while (*p == '\n')
			p++;
	}
	return have;
}

/* Sentence [s, e) scored by query terms it contains. */
static int
sentence_score(const char *s, const char *e, char q[][KB_WORD], int nq)
{
	char *tmp = xstrndup(s, (size_t)(e - s));
	int score = 0, len;
	for (int i = 0; i < nq; i++)
		score += count_term(tmp, q[i], &len) > 0;
	free(tmp);
	return score;
}

char *
kb_answer(const struct kb_passage *kb, size_t n, const char *question)
{
	char q[KB_MAX_TERMS][KB_WORD];
	size_t qlen[KB_MAX_TERMS];
	int nq = terms_of(question, q, qlen);
	if (nq == 0 || n == 0)
		return NULL;
	/* BM25 with k1 = 1.2, b = 0.75. */
	double avg = 0;
	int *lens = xcalloc(n, sizeof *lens);
	for (size_t i = 0; i < n; i++) {
		count_term(kb[i].text, "", &lens[i]);
		avg += lens[i];
	}
	avg /= (double)n;
	double best = 0;
	size_t best_i = 0;
	int best_matched = 0, best_long = 0;
	for (size_t i = 0; i < n; i++) {
		double score = 0;
		int matched = 0, long_term = 0;
		for (int t = 0; t < nq; t++) {
			int df = 0, len;
			for (size_t j = 0; j < n; j++)
				df += count_term(kb[j].text, q[t], &len) > 0;
			int tf = count_term(kb[i].text, q[t], &len);
			if (tf == 0)
				continue;
			double idf = log(1.0 + ((double)n - df + 0.5) / (df + 0.5));
			score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * lens[i] / avg));
			matched++;
			long_term |= qlen[t] >= 7;
		}
		if (score > best) {
			best = score;
			best_i = i;
			best_matched = matched;
			best_long = long_term;
		}
	}
	free(lens);
	/* One common word in common is chance (often recogniser debris): ask
	 * for two words, or one long, specific one ("insurance", "parking"). */
	if (best < KB_MIN_SCORE || (best_matched < 2 && !best_long))
		return NULL;
	/* The two best sentences of the passage, in their original order. */
	const char *text = kb[best_i].text;
	const char *starts[64], *ends[64];
	int scores[64], ns = 0;
	const char *s = text;
	while (*s && ns < 64) {
		const char *e = s;
		while (*e && !((*e == '.' || *e == '!' || *e == '?') && (e[1] == ' ' || e[1] == '\n' || e[1] == 0)))
			e++;
		if (*e)
			e++;
		starts[ns] = s;
		ends[ns] = e;
		scores[ns] = sentence_score(s, e, q, nq);
		ns++;
		s = e;
		while (*s == ' ' || *s == '\n')
			s++;
	}
	int first = -1, second = -1;
	for (int i = 0; i < ns; i++) {
		if (first < 0 || scores[i] > scores[first]) {
			second = first;
			first = i;
		} else if (second < 0 || scores[i] > scores[second])
			second = i;
	}
	if (first < 0)
		return NULL;
	if (second >= 0 && (scores[second] == 0 || scores[second] * 2 < scores[first]))
		second = -1;
	int a = first, b = second;
	if (b >= 0 && b < a) {
		a = second;
		b = first;
	}
	size_t la = (size_t)(ends[a] - starts[a]);
	if (b < 0)
		return xstrndup(starts[a], la);
	return xasprintf("%.*s %.*s", (int)la, starts[a], (int)(ends[b] - starts[b]), starts[b]);
}
