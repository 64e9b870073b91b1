/* voxline simulate: plays the carrier's part of calls against the
 * platform (webhook, TwiML, media stream) and reports what a caller
 * would notice: outcome, what the agent said, voice-to-voice latency. */
#ifndef VOXLINE_SIMULATE_H
#define VOXLINE_SIMULATE_H
#include <stddef.h>
#include <stdint.h>

enum sim_op { SIM_WAIT_GREETING, SIM_SAY, SIM_EXPECT, SIM_REPLY, SIM_BARGE, SIM_PAUSE, SIM_DTMF,
	SIM_HANGUP, SIM_EXPECT_HANGUP };

#define SIM_MAX_STEPS 64
#define SIM_MAX_WORDS 12

struct sim_audio {
	uint8_t *ulaw;
	size_t n;
};

struct sim_step {
	enum sim_op op;
	char *text;                      /* say/barge line, dtmf digit */
	char *words[SIM_MAX_WORDS];      /* expect: any of these */
	int nwords;
	int ms;                          /* pause; barge: delay after reply audio starts */
	struct sim_audio audio;          /* synthesised line */
	int line;
};

struct sim_script {
	struct sim_step steps[SIM_MAX_STEPS];
	int n;
};

/* 0, or -1 with a message (file:line) in err. */
int sim_script_load(const char *path, struct sim_script *s, char *err, size_t errlen);
/* Synthesises every line (espeak-ng, 8 kHz mu-law); 0 or -1. */
int sim_script_synth(struct sim_script *s);
void sim_script_free(struct sim_script *s);

/* Where a call's stream goes, from the TwiML or made directly. */
struct sim_target {
	char ws_url[512];
	char token[1024];
	char call_id[37];
	char call_sid[40];
	char account_sid[40];
};

struct sim_options {
	int direct;
	int calls;
	int stagger_ms;
	const char *base_url;            /* public URL of the platform */
	const char *from, *to;
	const char *auth_token;
	const char *account_sid;
	const char *record_dir;
	const char *carrier;             /* twilio | signalwire | telnyx */
	const char *bad_token;           /* use this token instead (tests) */
	int timeout_s;
};

/* simulate_setup.c */
int sim_setup_direct(const struct sim_options *o, int index, struct sim_target *t, char *err, size_t errlen);
int sim_setup_webhook(const struct sim_options *o, int index, struct sim_target *t, char *err, size_t errlen);
/* Parses <Stream url> and <Parameter name value> out of TwiML; 0 or -1. */
int sim_twiml_parse(const char *xml, struct sim_target *t);
/* Twilio signature of a form POST (base64 HMAC-SHA1); malloc'd. */
char *sim_twilio_signature(const char *token, const char *url, const char *const *names,
    const char *const *values, int n);

/* simulate_call.c: runs every call to the end; fills the reports. */
struct sim_turn {
	int step;
	double v2v_ms;                   /* -1 when not measured */
	uint8_t *heard;                  /* agent audio of the reply */
	size_t nheard, capheard;
	char *transcript;
	int ok;
};

struct sim_report {
	struct sim_target target;
	int connected, refused, closed_by_agent, timed_out;
	double greeting_ms;
	struct sim_turn turns[SIM_MAX_STEPS];
	int nturns;
	double clear_at_ms, barge_started_ms;    /* wall clock */
	int clears, frames_after_clear;
	long frames;
	double *late;                    /* per received frame: ms past its play time */
	size_t nlate, caplate;
	uint8_t *all_audio;
	size_t nall, capall;
	char error[256];
};

int sim_run(const struct sim_options *o, const struct sim_script *s, struct sim_report *reports, int n);

#endif
