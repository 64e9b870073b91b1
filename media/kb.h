/* Ranked retrieval over an agent's knowledge-base passages (BM25 over
 * lower-cased words without stop words), then the passage's sentences
 * that best match the question. */
#ifndef MEDIA_KB_H
#define MEDIA_KB_H
#include <stddef.h>

struct kb_passage;

/* The answer (malloc'd, at most two sentences) or NULL when nothing
 * scores above the minimum. */
char *kb_answer(const struct kb_passage *kb, size_t n, const char *question);
/* Splits knowledge-base content into passages at blank lines; returns
 * the count, *out malloc'd. */
size_t kb_split(const char *content, struct kb_passage **out, size_t have);

#endif
