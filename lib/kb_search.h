/* Ranked passage retrieval over an agent's knowledge bases: the one
 * implementation behind the admin portal's "try it" box and the local
 * dialogue engine, so what the portal shows is what a caller gets.
 *
 * A knowledge base's text is split into passages on blank lines.  Words
 * are lower-cased letter/digit runs (bytes >= 0x80 count as letters, so
 * UTF-8 words stay whole; apostrophes are dropped: "don't" is "dont"),
 * lightly stemmed ("hours"/"hour", "parking"/"park"), minus stop words and
 * words of three letters or fewer without a digit (mostly recogniser
 * debris: "eye", "oh").  Passages are ranked against the question with
 * BM25 (k1 1.2, b 0.75).  The agent answers from the best passage only
 * when the match is not chance: a score of at least KB_MIN_SCORE and two
 * question words in common, or one long, specific one ("insurance").
 * Everything is bounded: see the KB_MAX_* limits. */
#ifndef VOXLINE_KB_SEARCH_H
#define VOXLINE_KB_SEARCH_H
#include <stddef.h>

#define KB_MAX_PASSAGES 20000        /* per corpus; more are ignored */
#define KB_MAX_TOKENS_PER_PASSAGE 4096
#define KB_MAX_TOKEN_LEN 48          /* longer words are cut */
#define KB_MAX_QUERY_TOKENS 64
#define KB_MIN_SCORE 0.8
#define KB_SPECIFIC_LEN 7            /* a question word this long is specific */
#define KB_ANSWER_SENTENCES 64       /* sentences of a passage considered */

struct kb_corpus;

struct kb_hit {
	int source;          /* the source number given to kb_corpus_add */
	int passage;         /* 0-based passage index within that source */
	double score;
	int matched;         /* distinct question words the passage contains */
	int specific;        /* one of them is long (KB_SPECIFIC_LEN letters) */
	const char *text;    /* the passage, trimmed; owned by the corpus */
};

struct kb_corpus *kb_corpus_new(void);
void kb_corpus_free(struct kb_corpus *c);
/* Splits text into passages and adds them under source; returns how many
 * passages were added. */
int kb_corpus_add(struct kb_corpus *c, int source, const char *text);
int kb_corpus_size(const struct kb_corpus *c);
/* Passage i (0 <= i < size) in corpus order. */
const char *kb_corpus_text(const struct kb_corpus *c, int i);
/* Up to k best passages for query (score > 0 only), best first; ties keep
 * corpus order.  Returns the number of hits written. */
int kb_corpus_search(const struct kb_corpus *c, const char *query, struct kb_hit *hits, int k);
/* Whether the agent answers from hit (see above). */
int kb_hit_confident(const struct kb_hit *h);
/* What the agent says: the best passage's one or two sentences that
 * match the question best, in their order (malloc'd), or NULL when the
 * best hit is not confident. */
char *kb_corpus_answer(const struct kb_corpus *c, const char *query);

/* Calls fn for each passage of text (trimmed, non-empty) in order; returns
 * the count.  Exposed for the knowledge-base page's passage count. */
int kb_each_passage(const char *text, void (*fn)(void *arg, const char *p, size_t n), void *arg);

#endif
