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
	is_int(n, 0, "no shared word ('park' is not 'parking'): nothing retrieved rather than noise");
	n = kb_corpus_search(c, "is parking behind the building", hits, 5);
	ok(n == 2, "parking appears in two passages: both retrieved");
	ok(n == 2 && hits[0].source == 0 && hits[0].passage == 1 && hits[0].score > hits[1].score,
	    "the passage with both words ranks above the one with fewer");
	n = kb_corpus_search(c, "PARKING", hits, 1);
	is_int(n, 1, "k bounds the number of hits, matching ignores case");
	n = kb_corpus_search(c, "what is the", hits, 5);
	is_int(n, 0, "stop words alone retrieve nothing");
	n = kb_corpus_search(c, "insurance insurance insurance", hits, 5);
	ok(n == 1 && hits[0].passage == 2, "repeated question words do not change which passage is found");
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
