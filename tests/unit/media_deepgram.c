/* Deepgram live messages for one utterance. */
#include "tap.h"
#include "../../media/engines/deepgram_msg.h"
#include <string.h>

static int
feed(struct dg_utterance *u, const char *m)
{
	return dg_message(u, m, strlen(m));
}

#define RESULT(text, is_final, speech_final) \
	"{\"type\":\"Results\",\"channel_index\":[0,1],\"duration\":1.2,\"start\":0.0,\"is_final\":" is_final \
	",\"speech_final\":" speech_final ",\"channel\":{\"alternatives\":[{\"transcript\":\"" text \
	"\",\"confidence\":0.98,\"words\":[]}]},\"metadata\":{\"request_id\":\"r\"}}"

int
main(void)
{
	struct dg_utterance u;
	dg_init(&u);
	is_int(feed(&u, RESULT("is there", "false", "false")), 0, "interim result accepted");
	is(u.text, "", "interim words are not kept (they may change)");
	ok(u.interim_seen && !u.final, "seen, not final");
	feed(&u, RESULT("Is there free", "true", "false"));
	is(u.text, "is there free", "final segment kept (lower case)");
	ok(!u.final, "not the end of the utterance yet");
	feed(&u, RESULT("parking?", "true", "true"));
	is(u.text, "is there free parking?", "segments joined until speech_final");
	ok(u.final, "speech_final ends the utterance");
	is_int(feed(&u, "{\"type\":\"Metadata\",\"request_id\":\"r\",\"duration\":2.5,\"channels\":1}"), 0, "metadata");
	ok(u.metadata && u.duration == 2.5, "billed duration from Metadata");

	dg_init(&u);
	feed(&u, "{\"type\":\"Results\",\"is_final\":true,\"speech_final\":false,\"from_finalize\":true,"
	    "\"channel\":{\"alternatives\":[{\"transcript\":\"hello\"}]}}");
	ok(u.final, "from_finalize ends it too");
	dg_init(&u);
	feed(&u, RESULT("hello", "true", "false"));
	feed(&u, "{\"type\":\"UtteranceEnd\",\"channel\":[0,1],\"last_word_end\":1.1}");
	ok(u.final && strcmp(u.text, "hello") == 0, "UtteranceEnd ends it");
	dg_init(&u);
	is_int(feed(&u, "{\"type\":\"SpeechStarted\",\"channel\":[0],\"timestamp\":0.1}"), 0, "SpeechStarted ignored");
	is_int(feed(&u, "{\"type\":\"Something\"}"), 0, "unknown types ignored");
	is_int(feed(&u, "{\"type\":\"Results\",\"channel\":{\"alternatives\":[{\"transcript\":\"hel"), -1, "malformed JSON fails");
	is_int(feed(&u, "{\"err_code\":\"INVALID_AUTH\",\"err_msg\":\"Invalid credentials.\"}"), -1, "an error body fails");
	is(u.error, "Invalid credentials.", "with the provider's message");
	is_int(feed(&u, "{\"type\":\"Results\",\"is_final\":true,\"channel\":{}}"), -1, "Results without a transcript fail");
	is_int(feed(&u, "[1,2]"), -1, "not an object fails");
	/* A session that lasts the call: segments of audio given up before
	 * the turn began are skipped; final_end tells how far results reach. */
	dg_init(&u);
	ok(u.final_end < 0, "no finalized audio yet");
	u.since = 2.0;
	feed(&u, "{\"type\":\"Results\",\"start\":1.2,\"duration\":0.8,\"is_final\":true,\"speech_final\":true,"
	    "\"from_finalize\":true,\"channel\":{\"alternatives\":[{\"transcript\":\"mhm\"}]}}");
	is(u.text, "", "a segment ending where the turn began is not the turn's");
	ok(u.final_end > 1.99 && u.final_end < 2.01, "but it counts as finalized audio");
	feed(&u, "{\"type\":\"Results\",\"start\":2.0,\"duration\":1.5,\"is_final\":false,"
	    "\"channel\":{\"alternatives\":[{\"transcript\":\"opening\"}]}}");
	ok(u.final_end < 2.01, "interim results do not move final_end");
	feed(&u, "{\"type\":\"Results\",\"start\":2.0,\"duration\":1.5,\"is_final\":true,\"speech_final\":false,"
	    "\"from_finalize\":true,\"channel\":{\"alternatives\":[{\"transcript\":\"Opening hours\"}]}}");
	is(u.text, "opening hours", "the turn's own segment kept");
	ok(u.final_end > 3.49 && u.final_end < 3.51, "final_end at the end of the flushed audio");

	/* Streaming: an endpoint, then more words from the caller. */
	dg_init(&u);
	feed(&u, RESULT("opening", "true", "true"));
	ok(u.final, "speech_final: the turn may end here");
	feed(&u, RESULT("", "true", "false"));
	ok(u.final, "an empty segment (silence) changes nothing");
	feed(&u, RESULT("hours", "true", "false"));
	ok(!u.final, "words after it: the caller went on");
	is(u.text, "opening hours", "all the words kept");
	feed(&u, "{\"type\":\"UtteranceEnd\",\"channel\":[0,1],\"last_word_end\":2.1}");
	ok(u.final, "UtteranceEnd ends it again");

	dg_init(&u);
	char big[DG_TEXT_MAX + 200];
	memset(big, 0, sizeof big);
	int n = snprintf(big, sizeof big, "{\"type\":\"Results\",\"is_final\":true,\"channel\":{\"alternatives\":[{\"transcript\":\"");
	memset(big + n, 'a', DG_TEXT_MAX + 10);
	memcpy(big + n + DG_TEXT_MAX + 10, "\"}]}}", 6);
	feed(&u, "{\"type\":\"Results\",\"is_final\":true,\"channel\":{\"alternatives\":[{\"transcript\":\"ok\"}]}}");
	dg_message(&u, big, strlen(big));
	is(u.text, "ok", "a segment that would overflow the text is dropped, the rest kept");
	return done_testing();
}
