/* Sentence splitting of a streamed reply. */
#include "tap.h"
#include "../../media/sentence.h"
#include <string.h>

static char got[16][256];
static int n;

static void
emit(const char *s, void *arg)
{
	if (n < 16)
		snprintf(got[n++], sizeof got[0], "%s", s);
}

int
main(void)
{
	struct sentence_splitter sp;
	sentence_init(&sp);
	const char *tokens[] = { "We are ", "open ", "today. ", "Dr. Smith ", "sees ", "patients ", "at 3.5 ", "Harbor ",
		"Ave. ", "Is ", "that ", "all? ", "Yes", "!" };
	int after_first = -1;
	for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
		sentence_feed(&sp, tokens[i], emit, NULL);
		if (n == 1 && after_first < 0)
			after_first = (int)i;
	}
	is_int(after_first, 2, "first sentence emitted as soon as the next token shows it ended");
	sentence_flush(&sp, emit, NULL);
	is_int(n, 3, "three sentences");
	is(got[0], "We are open today.", "first sentence trimmed");
	is(got[1], "Dr. Smith sees patients at 3.5 Harbor Ave. Is that all?", "abbreviations and decimals do not split");
	is(got[2], "Yes!", "last sentence comes with the flush");
	n = 0;
	sentence_feed(&sp, "   ", emit, NULL);
	sentence_flush(&sp, emit, NULL);
	is_int(n, 0, "white space alone emits nothing");
	sentence_feed(&sp, "No end in sight", emit, NULL);
	is_int(n, 0, "an unfinished sentence waits");
	sentence_flush(&sp, emit, NULL);
	is(got[0], "No end in sight", "and is spoken at the end");
	sentence_free(&sp);
	return done_testing();
}
