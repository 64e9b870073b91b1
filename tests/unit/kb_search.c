/* Knowledge-base retrieval: passages split on blank lines, and the
 * passage that answers a question ranks first. */
#include "tap.h"
#include "kb_search.h"

static int npass;
static char passages[8][128];

static void
collect(void *arg, const char *p, size_t n)
{
	if (npass < 8)
		snprintf(passages[npass], sizeof passages[npass], "%.*s", (int)n, p);
	npass++;
}

static const char *clinic =
    "Our opening hours are Monday to Friday, 8am to 5pm.\n"
    "We are closed on public holidays.\n"
    "\n"
    "   \n"
    "Parking is free behind the building; the entrance is on Elm Street.\n"
    "\r\n"
    "A new patient appointment takes 45 minutes. Bring your insurance card.\n";

int
main(void)
{
	is_int(kb_each_passage(clinic, collect, NULL), 3, "three passages: blank and whitespace-only lines separate");
	is(passages[0], "Our opening hours are Monday to Friday, 8am to 5pm.\nWe are closed on public holidays.",
	    "a passage keeps its lines together, trimmed");
	is(passages[2], "A new patient appointment takes 45 minutes. Bring your insurance card.",
	    "the last passage has no trailing newline");
	npass = 0;
	is_int(kb_each_passage("\n\n  \n", collect, NULL), 0, "only blank lines: no passage");
	is_int(kb_each_passage("", collect, NULL), 0, "empty text: no passage");

	struct kb_corpus *c = kb_corpus_new();
	is_int(kb_corpus_add(c, 0, clinic), 3, "corpus takes the clinic's passages");
	is_int(kb_corpus_add(c, 1, "Emergencies: call 911.\n\nWe offer free parking validation for patients."), 2,
	    "and a second knowledge base");
	struct kb_hit hits[5];
	int n = kb_corpus_search(c, "When are you open on Friday?", hits, 5);
	ok(n >= 1 && hits[0].source == 0 && hits[0].passage == 0, "opening hours question finds the hours passage");
	n = kb_corpus_search(c, "Where can I park?", hits, 5);
	ok(n == 2 && hits[0].source == 1 && hits[0].passage == 1 && hits[1].source == 0 && hits[1].passage == 1,
	    "'park' meets 'parking' (stemmed): both parking passages, the shorter one first");
	ok(n == 2 && !kb_hit_confident(&hits[0]), "but one short word in common is not enough to answer from");
	n = kb_corpus_search(c, "is parking behind the building", hits, 5);
	ok(n == 2 && hits[0].source == 0 && hits[0].passage == 1 && hits[0].score > hits[1].score,
	    "the passage with both words ranks above the one with fewer");
	ok(n == 2 && hits[0].matched == 3 && hits[1].matched == 1, "matched counts distinct question words");
	n = kb_corpus_search(c, "PARKING", hits, 1);
	is_int(n, 1, "k bounds the number of hits, matching ignores case");
	n = kb_corpus_search(c, "what is the", hits, 5);
	is_int(n, 0, "stop words alone retrieve nothing");
	n = kb_corpus_search(c, "insurance insurance insurance", hits, 5);
	ok(n == 1 && hits[0].passage == 2, "repeated question words do not change which passage is found");
	n = kb_corpus_search(c, "emergency 911", hits, 5);
	ok(n == 1 && hits[0].source == 1 && hits[0].passage == 0, "a number is a word even when short");

	/* What the agent says: the best passage's matching sentences, or
	 * nothing when the match is chance. */
	char *a = kb_corpus_answer(c, "do you have parking behind the building");
	is(a, "Parking is free behind the building; the entrance is on Elm Street.", "answer is the matching sentence");
	free(a);
	a = kb_corpus_answer(c, "how long is a new patient appointment and what should I bring");
	is(a, "A new patient appointment takes 45 minutes. Bring your insurance card.",
	    "two matching sentences, in their order");
	free(a);
	a = kb_corpus_answer(c, "is my insurance accepted");
	is(a, "Bring your insurance card.", "one long, specific word is enough; only the sentence that has it");
	free(a);
	ok(kb_corpus_answer(c, "free cake") == NULL, "one short word in common is chance: no answer");
	n = kb_corpus_search(c, "free cake", hits, 5);
	ok(n == 2 && !kb_hit_confident(&hits[0]), "though passages are still listed, none is confident");
	ok(kb_corpus_answer(c, "what is the meaning of life") == NULL, "unrelated question: no answer");
	ok(kb_corpus_answer(c, "") == NULL, "empty question: no answer");
	is(kb_corpus_text(c, 3), "Emergencies: call 911.", "passages in corpus order");
	kb_corpus_free(c);

	/* Hostile input: huge words and binary bytes stay bounded. */
	char big[10000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	c = kb_corpus_new();
	is_int(kb_corpus_add(c, 0, big), 1, "one enormous word is one passage");
	n = kb_corpus_search(c, big, hits, 5);
	is_int(n, 1, "and is found by the same (cut) word");
	kb_corpus_free(c);
	return done_testing();
}
