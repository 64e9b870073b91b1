/* Splits a streamed reply into sentences as they complete, so speech
 * synthesis starts before the language model has finished.  A sentence
 * ends at . ! or ? followed by white space, except after common
 * abbreviations and inside numbers (3.5). */
#ifndef MEDIA_SENTENCE_H
#define MEDIA_SENTENCE_H
#include "buf.h"

struct sentence_splitter {
	struct buf pending;
};

void sentence_init(struct sentence_splitter *s);
void sentence_free(struct sentence_splitter *s);
/* Adds text; calls emit(sentence, arg) for each completed sentence
 * (trimmed, never empty). */
void sentence_feed(struct sentence_splitter *s, const char *text,
    void (*emit)(const char *sentence, void *arg), void *arg);
/* Emits whatever remains as a last sentence. */
void sentence_flush(struct sentence_splitter *s,
    void (*emit)(const char *sentence, void *arg), void *arg);

#endif
