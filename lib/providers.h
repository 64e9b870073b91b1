/* The provider table (providers.def) as data: look a provider up by
 * name, know its stage, its default base URL and whether it runs inside
 * the platform.  Also the one rule for acceptable base URLs. */
#ifndef VOXLINE_PROVIDERS_H
#define VOXLINE_PROVIDERS_H
#include <stddef.h>

enum provider_stage { PROVIDER_STAGE_stt, PROVIDER_STAGE_stt_post, PROVIDER_STAGE_llm,
	PROVIDER_STAGE_tts, PROVIDER_STAGE__COUNT };

struct provider {
	const char *name;
	enum provider_stage stage;
	const char *default_base_url;   /* "" for local engines and self-hosted servers */
	const char *label;
	int local;                      /* inside the platform: no credentials */
};

#define PROVIDER_NAME_MAX 32
#define PROVIDER_BASE_URL_MAX 511

size_t provider_count(void);
const struct provider *provider_at(size_t i);
/* NULL when no provider has that name (exact, case-sensitive). */
const struct provider *provider_find(const char *name);
/* NULL unless the provider exists and belongs to the stage. */
const struct provider *provider_find_stage(const char *name, enum provider_stage stage);
/* "stt", "stt_post", "llm", "tts". */
const char *provider_stage_name(enum provider_stage stage);
/* -1 when no stage has that name. */
int provider_stage_parse(const char *name);
/* Cloud provider whose table entry has no default URL: the credential
 * must give one. */
int provider_needs_base_url(const struct provider *p);
/* NULL when url is acceptable as a provider base URL: https://host...,
 * or http:// only to a loopback host (127.0.0.0/8, localhost, [::1]);
 * no spaces, user info or fragments, at most PROVIDER_BASE_URL_MAX
 * bytes.  Otherwise a short message for the user. */
const char *provider_base_url_problem(const char *url);

#endif
