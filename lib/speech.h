/* Local speech engines shared by voxline-media and the call simulator:
 * espeak-ng synthesis and pocketsphinx recognition.  Both are CPU work:
 * call them from worker threads, never from an event loop. */
#ifndef VOXLINE_SPEECH_H
#define VOXLINE_SPEECH_H
#include <stddef.h>
#include <stdint.h>

#define SPEECH_RECOG_RATE 16000

/* Synthesises text to PCM16 at *rate (espeak-ng's native rate).  voice
 * may be NULL (default English).  cancel, when not NULL, is polled while
 * synthesising: a non-zero value stops early.  espeak-ng keeps global
 * state, so calls are serialised inside.  Returns samples (malloc'd in
 * *pcm) or -1. */
long speech_synth(const char *text, const char *voice, const volatile int *cancel,
    int16_t **pcm, int *rate);

/* Recognises 16 kHz PCM16 with pocketsphinx (one decoder per thread,
 * loaded on first use from model_dir).  With a vocabulary (words
 * separated by spaces) recognition is restricted to those words plus
 * the common words below (a free-order grammar): the general language
 * model alone recognises telephone-band synthetic speech poorly, while a
 * domain vocabulary of a few hundred words recognises it well.  NULL
 * vocabulary: the general language model.  Returns a malloc'd
 * lower-case hypothesis ("" when nothing was heard) or NULL on failure. */
char *speech_recognize(const char *model_dir, const int16_t *pcm, size_t n, const char *vocabulary);

/* Everyday words every domain vocabulary includes. */
extern const char speech_common_words[];

#endif
