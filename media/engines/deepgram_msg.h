/* Deepgram live messages for one utterance: is_final segments are
 * joined until speech_final, from_finalize or UtteranceEnd; Metadata
 * gives the billed duration; anything else is counted, never trusted.
 * In a session that lasts the whole call, segments ending at or before
 * `since` (seconds of the stream) belong to audio already given up
 * (a back-channel sound) and are not kept; final_end says how far the
 * finalized results have reached. */
#ifndef MEDIA_DEEPGRAM_MSG_H
#define MEDIA_DEEPGRAM_MSG_H
#include <stddef.h>

#define DG_TEXT_MAX 4096

struct dg_utterance {
	char text[DG_TEXT_MAX + 1];   /* finalized words so far */
	size_t len;
	int final;                    /* the utterance is complete */
	int interim_seen;
	double duration;              /* from Metadata, -1 until then */
	int metadata;
	double since;                 /* keep segments that end after this (s) */
	double final_end;             /* end of the latest is_final segment (s), -1: none */
	char error[200];
};

void dg_init(struct dg_utterance *u);
/* One text message from the server: 0, or -1 when it is malformed or
 * an error (u->error says which). */
int dg_message(struct dg_utterance *u, const char *json, size_t len);

#endif
