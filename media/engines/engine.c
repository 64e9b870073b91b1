/* Engine registry: one table per stage; the first entry is the default. */
#include "engine.h"
#include "log.h"
#include <string.h>

static const struct stt_engine *const stts[] = { &stt_pocketsphinx, &stt_fixed_delay };
static const struct llm_engine *const llms[] = { &llm_local, &llm_fixed_delay };
static const struct tts_engine *const ttss[] = { &tts_espeak, &tts_fixed_delay };
static const struct stt_remote *const stt_remotes[] = { &stt_deepgram };
static const struct llm_remote *const llm_remotes[] = { &llm_openai, &llm_groq, &llm_gemini,
	&llm_openai_compatible };
static const struct tts_remote *const tts_remotes[] = { &tts_elevenlabs, &tts_cartesia };

#define FIND(table, name) do { \
	for (size_t i = 0; name && i < sizeof table / sizeof table[0]; i++) \
		if (strcmp(table[i]->name, name) == 0) \
			return table[i]; \
	if (name && *name) \
		log_warn("media_engine_unknown", "{s:s,s:s}", "engine", name, "using", table[0]->name); \
	return table[0]; \
} while (0)

const struct stt_engine *engine_stt(const char *name) { FIND(stts, name); }
const struct llm_engine *engine_llm(const char *name) { FIND(llms, name); }
const struct tts_engine *engine_tts(const char *name) { FIND(ttss, name); }

#define FIND_REMOTE(table, name) do { \
	for (size_t i = 0; name && i < sizeof table / sizeof table[0]; i++) \
		if (strcmp(table[i]->name, name) == 0) \
			return table[i]; \
	return NULL; \
} while (0)

const struct stt_remote *engine_stt_remote(const char *name) { FIND_REMOTE(stt_remotes, name); }
const struct llm_remote *engine_llm_remote(const char *name) { FIND_REMOTE(llm_remotes, name); }
const struct tts_remote *engine_tts_remote(const char *name) { FIND_REMOTE(tts_remotes, name); }
