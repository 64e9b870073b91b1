/* The provider table and the base URL rule. */
#include "tap.h"
#include "provider_creds.h"
#include "providers.h"
#include <string.h>

int
main(void)
{
	const struct provider *p = provider_find("openai");
	ok(p != NULL, "openai is a provider");
	is(p->default_base_url, "https://api.openai.com/v1", "openai default base URL");
	is(provider_stage_name(p->stage), "llm", "openai is a dialogue provider");
	ok(!p->local, "openai is a cloud provider");
	ok(provider_find_stage("deepgram", PROVIDER_STAGE_stt) != NULL, "deepgram is live STT");
	ok(provider_find_stage("deepgram", PROVIDER_STAGE_tts) == NULL, "deepgram is not TTS");
	ok(provider_find_stage("assemblyai", PROVIDER_STAGE_stt_post) != NULL, "assemblyai is post-call STT");
	ok(provider_find_stage("assemblyai", PROVIDER_STAGE_stt) == NULL, "assemblyai is not live STT");
	p = provider_find("espeak-ng");
	ok(p && p->local && p->stage == PROVIDER_STAGE_tts, "espeak-ng is the local TTS");
	ok(provider_find("pocketsphinx")->local && provider_find("local")->local, "local engines are local");
	p = provider_find("openai_compatible");
	ok(p && !p->local && provider_needs_base_url(p), "openai_compatible needs a base URL");
	ok(!provider_needs_base_url(provider_find("groq")), "groq has a default base URL");
	ok(!provider_needs_base_url(provider_find("local")), "local engines need no URL");
	ok(provider_find("OpenAI") == NULL, "names are case-sensitive");
	ok(provider_find("") == NULL && provider_find(NULL) == NULL, "empty name is no provider");
	ok(provider_find("openai ") == NULL, "trailing space is no provider");
	is_int(provider_count(), 11, "eleven providers in the table");
	int cloud_have_url = 1;
	for (size_t i = 0; i < provider_count(); i++) {
		const struct provider *q = provider_at(i);
		if (!q->local && !provider_needs_base_url(q) &&
		    provider_base_url_problem(q->default_base_url) != NULL)
			cloud_have_url = 0;
	}
	ok(cloud_have_url, "every default base URL passes the base URL rule");
	ok(provider_at(provider_count()) == NULL, "past the end is NULL");
	is_int(provider_stage_parse("tts"), PROVIDER_STAGE_tts, "stage names parse");
	is_int(provider_stage_parse("speech"), -1, "unknown stage");

	ok(provider_base_url_problem("https://api.example.com/v1") == NULL, "https accepted");
	ok(provider_base_url_problem("https://api.example.com:8443") == NULL, "https with port accepted");
	ok(provider_base_url_problem("http://127.0.0.1:11434/v1") == NULL, "http to 127.0.0.1 accepted");
	ok(provider_base_url_problem("http://127.10.0.3") == NULL, "http to 127/8 accepted");
	ok(provider_base_url_problem("http://localhost:8000") == NULL, "http to localhost accepted");
	ok(provider_base_url_problem("http://[::1]:8000/v1") == NULL, "http to [::1] accepted");
	ok(provider_base_url_problem("http://api.example.com") != NULL, "http to a remote host refused");
	ok(provider_base_url_problem("http://127.0.0.1.evil.com/") != NULL, "127.0.0.1 prefix trick refused");
	ok(provider_base_url_problem("http://localhost.evil.com/") != NULL, "localhost prefix trick refused");
	ok(provider_base_url_problem("http://127.0.0.1@evil.com/") != NULL, "user info trick refused");
	ok(provider_base_url_problem("https://user:pw@api.example.com") != NULL, "user info refused");
	ok(provider_base_url_problem("ftp://example.com") != NULL, "other schemes refused");
	ok(provider_base_url_problem("javascript:alert(1)") != NULL, "javascript: refused");
	ok(provider_base_url_problem("https://") != NULL, "no host refused");
	ok(provider_base_url_problem("https://:443/") != NULL, "empty host refused");
	ok(provider_base_url_problem("https://a.com:0") != NULL, "port 0 refused");
	ok(provider_base_url_problem("https://a.com:70000") != NULL, "port out of range refused");
	ok(provider_base_url_problem("https://a.com:8x") != NULL, "port with letters refused");
	ok(provider_base_url_problem("https://a.com/ x") != NULL, "spaces refused");
	ok(provider_base_url_problem("https://a.com/\r\nHost: b") != NULL, "CRLF refused");
	ok(provider_base_url_problem("https://a.com/#frag") != NULL, "fragment refused");
	ok(provider_base_url_problem("http://[::1") != NULL, "unclosed IPv6 refused");
	ok(provider_base_url_problem("") != NULL, "empty refused");
	char longurl[600] = "https://a.com/";
	memset(longurl + 14, 'a', 520);
	longurl[534] = '\0';
	ok(provider_base_url_problem(longurl) != NULL, "over 511 bytes refused");

	ok(provider_secret_problem("sk-0123456789") == NULL, "an ordinary key is acceptable");
	ok(provider_secret_problem("short") != NULL, "a key under 8 characters is refused");
	ok(provider_secret_problem("sk-01234 56789") != NULL, "a key with a space is refused");
	ok(provider_secret_problem("sk-0123456789\r\nX-Evil: 1") != NULL, "a key with CR LF (header injection) is refused");
	ok(provider_secret_problem(NULL) != NULL, "no key is refused");
	char big[1100];
	memset(big, 'k', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ok(provider_secret_problem(big) != NULL, "a key over 1023 characters is refused");
	char a1[128], a2[128];
	ok(provider_creds_aad(a1, sizeof a1, NULL, "openai") == 0 &&
	    provider_creds_aad(a2, sizeof a2, "11111111-1111-4111-8111-111111111111", "openai") == 0 &&
	    strcmp(a1, a2) != 0, "platform and tenant rows have different associated data");
	ok(provider_creds_aad(a2, sizeof a2, NULL, "groq") == 0 && strcmp(a1, a2) != 0,
	    "so do two providers");
	ok(provider_creds_aad(a1, 10, NULL, "openai") == -1, "associated data that does not fit is an error");
	return done_testing();
}
