/* Ranked passage retrieval over an agent's knowledge bases: the one
 * implementation behind the admin portal's "try it" box and the local
 * dialogue engine, so what the portal shows is what a caller gets.
 *
 * A knowledge base's text is split into passages on blank lines; words
 * are lower-cased ASCII letter/digit runs (bytes >= 0x80 count as letters,
 * so UTF-8 words stay whole) minus a few stop words; passages are ranked
 * against the question with BM25 (k1 1.2, b 0.75).  Everything is bounded:
 * see the KB_MAX_* limits. */
#ifndef VOXLINE_KB_SEARCH_H
#define VOXLINE_KB_SEARCH_H
#include <stddef.h>

#define KB_MAX_PASSAGES 20000        /* per corpus; more are ignored */
#define KB_MAX_TOKENS_PER_PASSAGE 4096
#define KB_MAX_TOKEN_LEN 48          /* longer words are cut */
#define KB_MAX_QUERY_TOKENS 64

struct kb_corpus;

struct kb_hit {
	int source;          /* the source number given to kb_corpus_add */
	int passage;         /* 0-based passage index within that source */
	double score;
	const char *text;    /* the passage, trimmed; owned by the corpus */
};

struct kb_corpus *kb_corpus_new(void);
void kb_corpus_free(struct kb_corpus *c);
/* Splits text into passages and adds them under source; returns how many
 * passages were added. */
int kb_corpus_add(struct kb_corpus *c, int source, const char *text);
int kb_corpus_size(const struct kb_corpus *c);
/* Up to k best passages for query (score > 0 only), best first; ties keep
 * corpus order.  Returns the number of hits written. */
int kb_corpus_search(const struct kb_corpus *c, const char *query, struct kb_hit *hits, int k);

/* Calls fn for each passage of text (trimmed, non-empty) in order; returns
 * the count.  Exposed for the knowledge-base page's passage count. */
int kb_each_passage(const char *text, void (*fn)(void *arg, const char *p, size_t n), void *arg);

#endif
