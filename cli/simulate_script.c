/* Call scripts: one command per line, '#' starts a comment.
 *   wait greeting           wait until the agent's greeting has played
 *   say TEXT                speak a line
 *   expect WORD...          wait for the reply; pass if any WORD is heard
 *   reply                   wait for the reply (no check)
 *   barge [MS] TEXT         speak TEXT over the reply, MS after it starts
 *   pause MS                stay silent
 *   dtmf DIGIT              press a key
 *   hangup                  hang up
 *   expect-hangup [MS]      wait (up to MS, else the step limit of 25 s)
 *                           for the agent to end the call */
#include "simulate.h"
#include "audio.h"
#include "speech.h"
#include "xalloc.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

static int
parse_ms(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || v < 0 || v > 600000)
		return -1;
	*out = (int)v;
	return (int)(end - s);
}

static int
parse_line(char *line, struct sim_step *st)
{
	char *sp = line + strcspn(line, " \t");
	char *arg = trim(sp);
	if (*sp)
		*sp = 0;
	if (strcmp(line, "wait") == 0 && strcmp(arg, "greeting") == 0)
		st->op = SIM_WAIT_GREETING;
	else if (strcmp(line, "say") == 0 && *arg) {
		st->op = SIM_SAY;
		st->text = xstrdup(arg);
	} else if (strcmp(line, "expect") == 0 && *arg) {
		st->op = SIM_EXPECT;
		for (char *w = strtok(arg, " \t"); w && st->nwords < SIM_MAX_WORDS; w = strtok(NULL, " \t"))
			st->words[st->nwords++] = xstrdup(w);
	} else if (strcmp(line, "reply") == 0 && !*arg)
		st->op = SIM_REPLY;
	else if (strcmp(line, "barge") == 0 && *arg) {
		st->op = SIM_BARGE;
		int used = isdigit((unsigned char)*arg) ? parse_ms(arg, &st->ms) : 0;
		if (used < 0)
			return -1;
		char *text = trim(arg + used);
		if (!*text)
			return -1;
		st->text = xstrdup(text);
	} else if (strcmp(line, "pause") == 0 && *arg) {
		st->op = SIM_PAUSE;
		if (parse_ms(arg, &st->ms) < 0)
			return -1;
	} else if (strcmp(line, "dtmf") == 0 && strlen(arg) == 1 && strchr("0123456789*#", *arg)) {
		st->op = SIM_DTMF;
		st->text = xstrdup(arg);
	} else if (strcmp(line, "hangup") == 0 && !*arg)
		st->op = SIM_HANGUP;
	else if (strcmp(line, "expect-hangup") == 0) {
		st->op = SIM_EXPECT_HANGUP;
		if (*arg && (parse_ms(arg, &st->ms) <= 0 || arg[strspn(arg, "0123456789")]))
			return -1;
	}
	else
		return -1;
	return 0;
}

int
sim_script_load(const char *path, struct sim_script *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	char line[1024];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *t = trim(line);
		if (!*t)
			continue;
		if (s->n == SIM_MAX_STEPS) {
			snprintf(err, errlen, "%s:%d: more than %d steps", path, lineno, SIM_MAX_STEPS);
			rc = -1;
			break;
		}
		struct sim_step *st = &s->steps[s->n];
		st->line = lineno;
		if (parse_line(t, st) < 0) {
			snprintf(err, errlen, "%s:%d: cannot understand '%.60s'", path, lineno, t);
			rc = -1;
			break;
		}
		s->n++;
	}
	fclose(f);
	if (rc == 0 && s->n == 0) {
		snprintf(err, errlen, "%s: no steps", path);
		rc = -1;
	}
	return rc;
}

int
sim_script_synth(struct sim_script *s)
{
	for (int i = 0; i < s->n; i++) {
		struct sim_step *st = &s->steps[i];
		if (st->op != SIM_SAY && st->op != SIM_BARGE)
			continue;
		int16_t *pcm, *narrow;
		int rate;
		long n = speech_synth(st->text, NULL, NULL, &pcm, &rate);
		if (n < 0)
			return -1;
		size_t m = audio_resample_once(rate, 8000, pcm, (size_t)n, &narrow);
		free(pcm);
		if (narrow == NULL)
			return -1;
		st->audio.ulaw = xmalloc(m ? m : 1);
		audio_pcm_to_ulaw(narrow, m, st->audio.ulaw);
		st->audio.n = m;
		free(narrow);
	}
	return 0;
}

void
sim_script_free(struct sim_script *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->steps[i].text);
		free(s->steps[i].audio.ulaw);
		for (int w = 0; w < s->steps[i].nwords; w++)
			free(s->steps[i].words[w]);
	}
}
