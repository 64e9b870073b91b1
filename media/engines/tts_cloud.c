/* ElevenLabs and Cartesia speech over HTTP, both asked for headerless
 * 8 kHz mu-law so the bytes go to the caller as they are.  Per sentence:
 * the pipeline hands TTS one sentence at a time. */
#include "engine.h"
#include "http_stream.h"
#include "provider_opt.h"
#include "buf.h"
#include "cfg.h"
#include "xalloc.h"
#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define AUDIO_MAX (8000 * 120)      /* two minutes of speech per sentence at most */

static int
on_audio(const char *p, size_t n, void *arg)
{
	struct buf *b = arg;
	return buf_append(b, p, n) < 0 ? -1 : 0;
}

static void
pick(const char *list, const char *provider, const char *agent_value, char *out, size_t n)
{
	/* An agent's voice is the provider's voice id when it looks like one
	 * (espeak-ng voice names are short: "en-us"). */
	if (agent_value && strlen(agent_value) >= 16 && strlen(agent_value) < n)
		snprintf(out, n, "%s", agent_value);
	else
		provider_opt(list, provider, out, n);
}

static int
fetch(struct engine_ctx *ctx, const char *url, struct curl_slist *h, json_t *body,
    uint8_t **ulaw, size_t *n, long *chars_reported)
{
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	struct buf audio;
	buf_init(&audio, AUDIO_MAX);
	struct http_stream hs = { .url = url, .headers = h, .body = text, .on_data = on_audio, .arg = &audio };
	snprintf(hs.header_name, sizeof hs.header_name, "x-character-count");
	int rc = http_stream_run(&hs, ctx);
	curl_slist_free_all(h);
	free(text);
	if (rc == 0 && audio.len == 0) {
		snprintf(ctx->error, sizeof ctx->error, "no audio in the answer");
		rc = -1;
	}
	if (rc < 0) {
		buf_free(&audio);
		return -1;
	}
	*n = audio.len;
	*ulaw = (uint8_t *)buf_steal(&audio);
	*chars_reported = hs.header_value[0] ? atol(hs.header_value) : -1;
	return 0;
}

static int
elevenlabs(struct engine_ctx *ctx, const char *text, const char *voice, uint8_t **ulaw, size_t *n,
    struct engine_usage *u)
{
	char voice_id[128], model[64], url[800];
	pick(cfg_str(CFG_provider_tts_voices), "elevenlabs", voice, voice_id, sizeof voice_id);
	provider_opt(cfg_str(CFG_provider_tts_models), "elevenlabs", model, sizeof model);
	char *esc = curl_easy_escape(NULL, voice_id, 0);
	snprintf(url, sizeof url, "%s/v1/text-to-speech/%s/stream?output_format=ulaw_8000", ctx->base_url,
	    esc ? esc : "");
	curl_free(esc);
	struct curl_slist *h = http_header(NULL, "xi-api-key", ctx->secret);
	h = http_header(h, "Content-Type", "application/json");
	h = http_header(h, "Accept", "audio/basic");
	json_t *body = json_pack("{s:s,s:s,s:{s:f,s:f,s:f,s:b,s:f},s:s}", "text", text, "model_id", model,
	    "voice_settings", "stability", 0.5, "similarity_boost", 0.75, "style", 0.0, "use_speaker_boost", 1,
	    "speed", 1.0, "language_code", "en");
	long reported;
	if (fetch(ctx, url, h, body, ulaw, n, &reported) < 0)
		return -1;
	u->characters += reported >= 0 ? reported : (long)strlen(text);
	return 0;
}

static int
cartesia(struct engine_ctx *ctx, const char *text, const char *voice, uint8_t **ulaw, size_t *n,
    struct engine_usage *u)
{
	char voice_id[128], model[64], url[700];
	pick(cfg_str(CFG_provider_tts_voices), "cartesia", voice, voice_id, sizeof voice_id);
	provider_opt(cfg_str(CFG_provider_tts_models), "cartesia", model, sizeof model);
	snprintf(url, sizeof url, "%s/tts/bytes", ctx->base_url);
	struct curl_slist *h = http_header(NULL, "X-API-Key", ctx->secret);
	h = http_header(h, "Cartesia-Version", cfg_str(CFG_provider_cartesia_version));
	h = http_header(h, "Content-Type", "application/json");
	json_t *body = json_pack("{s:s,s:s,s:{s:s,s:s},s:{s:s,s:s,s:i},s:s}", "model_id", model,
	    "transcript", text, "voice", "mode", "id", "id", voice_id,
	    "output_format", "container", "raw", "encoding", "pcm_mulaw", "sample_rate", 8000, "language", "en");
	long reported;
	if (fetch(ctx, url, h, body, ulaw, n, &reported) < 0)
		return -1;
	u->characters += (long)strlen(text);
	return 0;
}

const struct tts_remote tts_elevenlabs = { "elevenlabs", elevenlabs };
const struct tts_remote tts_cartesia = { "cartesia", cartesia };
