/* espeak-ng (serialised: it is not re-entrant) and pocketsphinx (one
 * decoder per thread: decoders are independent). */
#include "speech.h"
#include "buf.h"
#include "log.h"
#include "xalloc.h"
#include <espeak-ng/speak_lib.h>
#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SPEECH_MAX_SAMPLES (22050 * 120)   /* two minutes per call */

static pthread_mutex_t synth_lock = PTHREAD_MUTEX_INITIALIZER;
static int synth_rate;

struct synth_out {
	int16_t *pcm;
	size_t n, cap;
	const volatile int *cancel;
	int overflow;
};

static int
synth_cb(short *wav, int n, espeak_EVENT *ev)
{
	struct synth_out *o = ev->user_data;
	if (o->cancel && *o->cancel)
		return 1;
	if (wav == NULL || n <= 0)
		return 0;
	if (o->n + (size_t)n > SPEECH_MAX_SAMPLES) {
		o->overflow = 1;
		return 1;
	}
	if (o->n + (size_t)n > o->cap) {
		o->cap = (o->n + (size_t)n) * 2;
		o->pcm = xrealloc(o->pcm, o->cap * sizeof *o->pcm);
	}
	memcpy(o->pcm + o->n, wav, (size_t)n * sizeof *wav);
	o->n += (size_t)n;
	return 0;
}

long
speech_synth(const char *text, const char *voice, const volatile int *cancel,
    int16_t **pcm, int *rate)
{
	struct synth_out o = { .cancel = cancel };
	long rc = -1;
	pthread_mutex_lock(&synth_lock);
	if (synth_rate == 0) {
		synth_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, 0);
		if (synth_rate <= 0) {
			synth_rate = 0;
			goto out;
		}
		espeak_SetSynthCallback(synth_cb);
	}
	if (espeak_SetVoiceByName(voice && *voice ? voice : "en-us") != EE_OK &&
	    espeak_SetVoiceByName("en") != EE_OK)
		goto out;
	espeak_SetParameter(espeakRATE, 165, 0);
	if (espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8,
	        NULL, &o) != EE_OK)
		goto out;
	if (o.overflow)
		goto out;
	rc = (long)o.n;
	*rate = synth_rate;
	*pcm = o.pcm ? o.pcm : xmalloc(sizeof **pcm);
	o.pcm = NULL;
out:
	pthread_mutex_unlock(&synth_lock);
	free(o.pcm);
	return rc;
}

static _Thread_local ps_decoder_t *decoder;

static ps_decoder_t *
decoder_get(const char *model_dir)
{
	if (decoder)
		return decoder;
	char *hmm = xasprintf("%s/en-us", model_dir);
	char *lm = xasprintf("%s/en-us.lm.bin", model_dir);
	char *dict = xasprintf("%s/cmudict-en-us.dict", model_dir);
	cmd_ln_t *cfg = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-lm", lm,
	    "-dict", dict, "-logfn", "/dev/null", "-samprate", "16000", NULL);
	if (cfg)
		decoder = ps_init(cfg);
	if (decoder == NULL)
		log_error("speech_recognizer_load_failed", "{s:s}", "model_dir", model_dir);
	if (cfg)
		cmd_ln_free_r(cfg);
	free(hmm);
	free(lm);
	free(dict);
	return decoder;
}

const char speech_common_words[] =
    "a about after afternoon again all also am an and any anything are as at back be because been before "
    "best bye call calling can cancel could day days do does doing don't down eight eighteen eleven else "
    "evening every fifteen fifty five for forty four friday from get give go good goodbye great had has "
    "have hello help her here hi his hold hour hours how hundred i i'm if in is it it's just know leave "
    "let like look make many may me message minute minutes monday more morning much my name need nine "
    "nineteen no not nothing now number o'clock of off office oh ok okay on one open or other our out "
    "people person phone please right saturday say see seven seventeen should six sixteen so some someone "
    "sorry speak sunday take talk team tell ten thank thanks that that's the their them then there these "
    "they thirteen thirty this three thursday time to today tomorrow tuesday twelve twenty two up us want "
    "was we wednesday week well what when where which who why will with would yeah yes you your zero";

/* Free-order grammar over the words the dictionary knows. */
static char *
grammar(ps_decoder_t *ps, const char *vocabulary)
{
	struct buf g, seen;
	buf_init(&g, 1 << 20);
	buf_init(&seen, 1 << 20);
	buf_puts(&g, "#JSGF V1.0;\ngrammar vocabulary;\npublic <s> = <w>+;\n<w> = ");
	buf_putc(&seen, ' ');
	int n = 0;
	const char *lists[2] = { speech_common_words, vocabulary };
	for (int l = 0; l < 2; l++) {
		const char *p = lists[l];
		while (*p) {
			char w[48];
			size_t k = 0;
			while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '\''))
				p++;
			while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '\'') {
				if (k < sizeof w - 1)
					w[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
				p++;
			}
			w[k] = 0;
			char *pron = k ? ps_lookup_word(ps, w) : NULL;
			if (pron == NULL)
				continue;
			ckd_free(pron);
			char key[52];
			snprintf(key, sizeof key, " %s ", w);
			if (strstr(seen.data, key))
				continue;
			buf_printf(&seen, "%s ", w);
			buf_printf(&g, "%s%s", n++ ? " | " : "", w);
		}
	}
	buf_puts(&g, ";\n");
	buf_free(&seen);
	return buf_steal(&g);
}

/* Selects the search for this vocabulary, adding it on first use. */
static int
use_vocabulary(ps_decoder_t *ps, const char *vocabulary)
{
	if (vocabulary == NULL)
		return ps_set_search(ps, "_default")   /* the -lm search */;
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = vocabulary; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	char name[32];
	snprintf(name, sizeof name, "v%016llx", (unsigned long long)h);
	if (ps_get_fsg(ps, name) == NULL) {
		char *g = grammar(ps, vocabulary);
		int rc = ps_set_jsgf_string(ps, name, g);
		free(g);
		if (rc < 0)
			return -1;
	}
	return ps_set_search(ps, name);
}

char *
speech_recognize(const char *model_dir, const int16_t *pcm, size_t n, const char *vocabulary)
{
	ps_decoder_t *ps = decoder_get(model_dir);
	if (ps == NULL || use_vocabulary(ps, vocabulary) < 0)
		return NULL;
	if (ps_start_utt(ps) < 0)
		return NULL;
	ps_process_raw(ps, pcm, n, FALSE, TRUE);
	ps_end_utt(ps);
	int32 score;
	const char *hyp = ps_get_hyp(ps, &score);
	char *out = xstrdup(hyp ? hyp : "");
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return out;
}

/* Under LeakSanitizer (the test build), ignore what these libraries keep
 * for the life of the process by design or leak inside themselves:
 * sphinxbase's JSGF parser and libwebsockets' libuv glue at teardown. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libsphinxbase\nleak:libpocketsphinx\nleak:libwebsockets\nleak:libespeak-ng\n";
}
