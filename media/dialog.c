/* The local dialogue engine: intents from keyword tables, answers from
 * the knowledge base, opening hours from the agent's schedule, message
 * taking into captured data, and the end-of-call classification. */
#include "dialog.h"
#include "agent.h"
#include "buf.h"
#include "kb_search.h"
#include "xalloc.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum intent { INTENT_GOODBYE, INTENT_TRANSFER, INTENT_MESSAGE, INTENT_HOURS, INTENT__COUNT };

/* Phrases that reveal each intent (whole words; checked in this order). */
static const char *const intent_words[INTENT__COUNT][16] = {
	[INTENT_GOODBYE] = { "goodbye", "good bye", "bye", "that's all", "that is all", "nothing else",
		"hang up", NULL },
	[INTENT_TRANSFER] = { "person", "human", "someone", "somebody", "representative", "operator",
		"transfer", "receptionist", "staff", "real", "speak to", "talk to", NULL },
	[INTENT_MESSAGE] = { "message", "call me back", "call back", "callback", NULL },
	[INTENT_HOURS] = { "hours", "hour", "open", "opening", "close", "closing", "closed", NULL },
};

/* Keywords for the usual reasons; only reasons the agent declares are used. */
static const struct { const char *reason; const char *words[14]; } reason_words[] = {
	{ "emergency", { "emergency", "pain", "bleeding", "swelling", "swollen", "broken", "knocked",
		"urgent", "hurts", NULL } },
	{ "appointment", { "appointment", "book", "booking", "schedule", "reschedule", "cancel",
		"visit", "checkup", "cleaning", NULL } },
	{ "billing", { "bill", "billing", "payment", "pay", "charge", "invoice", "balance", "cost", NULL } },
	{ "insurance", { "insurance", "insured", "covered", "coverage", "medicaid", "delta", "cigna",
		"aetna", "plan", NULL } },
	{ "hours", { "hours", "hour", "open", "opening", "close", "closing", NULL } },
};

char *
dialog_vocabulary(const struct agent *a)
{
	struct buf b;
	buf_init(&b, 4 << 20);
	for (int i = 0; i < INTENT__COUNT; i++)
		for (int k = 0; intent_words[i][k]; k++)
			buf_printf(&b, "%s ", intent_words[i][k]);
	for (size_t i = 0; i < sizeof reason_words / sizeof reason_words[0]; i++)
		for (int k = 0; reason_words[i].words[k]; k++)
			buf_printf(&b, "%s ", reason_words[i].words[k]);
	for (int i = 0; a->kb && i < kb_corpus_size(a->kb); i++)
		buf_printf(&b, "%s ", kb_corpus_text(a->kb, i));
	buf_printf(&b, "%s %s %s", a->business_name ? a->business_name : "", a->name,
	    a->greeting ? a->greeting : "");
	return buf_steal(&b);
}

int
dialog_has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = text; (p = strcasestr(p, word)) != NULL; p++) {
		int left = p == text || !isalnum((unsigned char)p[-1]);
		int right = !isalnum((unsigned char)p[n]);
		if (left && right)
			return 1;
	}
	return 0;
}

static int
has_any(const char *text, const char *const *words)
{
	for (; *words; words++)
		if (dialog_has_word(text, *words))
			return 1;
	return 0;
}

static int
agent_lists(const struct agent *a, const char *list, const char *value)
{
	json_t *arr = json_object_get(a->signals, list), *v;
	size_t i;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), value) == 0)
			return 1;
	return 0;
}

static void
note_reason(struct dialog *d, const char *text)
{
	for (size_t i = 0; i < sizeof reason_words / sizeof reason_words[0]; i++)
		if (has_any(text, reason_words[i].words) && agent_lists(d->agent, "reasons", reason_words[i].reason)) {
			/* Emergency outranks whatever was said before. */
			if (!d->reason[0] || strcmp(reason_words[i].reason, "emergency") == 0)
				snprintf(d->reason, sizeof d->reason, "%s", reason_words[i].reason);
			return;
		}
}

static void
note_topic(struct dialog *d, const char *topic)
{
	if (strstr(d->topics, topic))
		return;
	size_t l = strlen(d->topics);
	snprintf(d->topics + l, sizeof d->topics - l, "%s%s", l ? ", " : "", topic);
}

void
dialog_init(struct dialog *d, const struct agent *a)
{
	memset(d, 0, sizeof *d);
	d->agent = a;
	d->captured = json_object();
	d->history = json_array();
}

void
dialog_free(struct dialog *d)
{
	json_decref(d->captured);
	d->captured = NULL;
	json_decref(d->history);
	d->history = NULL;
}

static const char *const day_keys[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
static const char *const day_names[7] = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday", "Sunday" };

/* "08:00" -> "8 AM", "17:30" -> "5:30 PM". */
static void
say_time(struct buf *b, const char *hhmm)
{
	int h, m;
	if (sscanf(hhmm, "%d:%d", &h, &m) != 2 || h < 0 || h > 24 || m < 0 || m > 59) {
		buf_puts(b, hhmm);
		return;
	}
	int h12 = h % 12 == 0 ? 12 : h % 12;
	if (m)
		buf_printf(b, "%d:%02d %s", h12, m, h < 12 ? "AM" : "PM");
	else
		buf_printf(b, "%d %s", h12, h < 12 ? "AM" : "PM");
}

/* One day's intervals as text ("8 AM to 5 PM"), "" when closed. */
static char *
day_text(const json_t *hours, int day)
{
	struct buf b;
	buf_init(&b, 512);
	json_t *arr = json_object_get(hours, day_keys[day]), *iv;
	size_t i;
	json_array_foreach(arr, i, iv) {
		const char *o = json_string_value(json_object_get(iv, "open"));
		const char *c = json_string_value(json_object_get(iv, "close"));
		if (!o || !c)
			continue;
		if (b.len)
			buf_puts(&b, " and ");
		buf_puts(&b, "from ");
		say_time(&b, o);
		buf_puts(&b, " to ");
		say_time(&b, c);
	}
	char *s = b.data ? buf_steal(&b) : xstrdup("");
	return s;
}

char *
dialog_history_text(const struct dialog *d)
{
	struct buf b;
	buf_init(&b, 256);
	if (d->previous_calls >= DIALOG_HISTORY_MAX)
		buf_printf(&b, "%d or more earlier calls", DIALOG_HISTORY_MAX);
	else if (d->previous_calls > 0)
		buf_printf(&b, "%d earlier call%s", d->previous_calls, d->previous_calls == 1 ? "" : "s");
	if (d->previous_calls > 0 && d->last_reason[0])
		buf_printf(&b, ", the last about %s", d->last_reason);
	return buf_steal(&b);
}

char *
dialog_hours_text(const json_t *hours)
{
	struct buf out;
	buf_init(&out, 2048);
	char *days[7];
	for (int i = 0; i < 7; i++)
		days[i] = day_text(hours, i);
	int open_any = 0;
	for (int i = 0; i < 7;) {
		int j = i;
		while (j + 1 < 7 && strcmp(days[j + 1], days[i]) == 0)
			j++;
		if (days[i][0]) {
			buf_puts(&out, open_any ? ", and " : "We are open ");
			if (j > i)
				buf_printf(&out, "%s to %s %s", day_names[i], day_names[j], days[i]);
			else
				buf_printf(&out, "on %s %s", day_names[i], days[i]);
			open_any = 1;
		}
		i = j + 1;
	}
	if (!open_any)
		buf_puts(&out, "I don't have our opening hours");
	else {
		int closed = 0;
		for (int i = 0; i < 7; i++)
			if (!days[i][0]) {
				buf_printf(&out, closed ? " and %s" : ". We are closed on %s", day_names[i]);
				closed = 1;
			}
	}
	buf_puts(&out, ".");
	for (int i = 0; i < 7; i++)
		free(days[i]);
	return buf_steal(&out);
}

/* Words a recogniser gives for digits. */
static const char *const digit_words[10] = { "zero", "one", "two", "three", "four", "five", "six",
	"seven", "eight", "nine" };

static void
extract_number(const char *text, char *out, size_t outlen)
{
	size_t n = 0;
	const char *p = text;
	while (*p && n + 1 < outlen) {
		if (isdigit((unsigned char)*p)) {
			out[n++] = *p++;
			continue;
		}
		int matched = 0;
		for (int d = 0; d < 10 && !matched; d++) {
			size_t l = strlen(digit_words[d]);
			if (strncasecmp(p, digit_words[d], l) == 0 && !isalpha((unsigned char)p[l]) &&
			    (p == text || !isalpha((unsigned char)p[-1]))) {
				out[n++] = (char)('0' + d);
				p += l;
				matched = 1;
			}
		}
		if (!matched && strncasecmp(p, "oh", 2) == 0 && !isalpha((unsigned char)p[2]) &&
		    (p == text || !isalpha((unsigned char)p[-1]))) {
			out[n++] = '0';
			p += 2;
			matched = 1;
		}
		if (!matched)
			p++;
	}
	out[n] = 0;
}

/* "my name is jane doe" -> "Jane Doe". */
static char *
clean_name(const char *text)
{
	static const char *const lead[] = { "my name is ", "this is ", "it's ", "it is ", "i'm ", "i am ", "name is " };
	const char *p = text;
	for (size_t i = 0; i < sizeof lead / sizeof lead[0]; i++) {
		const char *f = strcasestr(p, lead[i]);
		if (f) {
			p = f + strlen(lead[i]);
			break;
		}
	}
	char *s = xstrdup(p);
	int start = 1;
	for (char *c = s; *c; c++) {
		if (start && isalpha((unsigned char)*c))
			*c = (char)toupper((unsigned char)*c);
		start = *c == ' ';
	}
	return s;
}

static char *
start_message(struct dialog *d, const char *lead)
{
	if (!d->agent->message_taking_enabled)
		return xasprintf("%sI'm not able to take messages on this line. Please call back during opening hours.", lead);
	d->mode = DIALOG_MSG_NAME;
	return xasprintf("%sI can take a message for the team. What is your name?", *lead ? lead : "Certainly. ");
}

static char *
take_message(struct dialog *d, const char *text)
{
	switch (d->mode) {
	case DIALOG_MSG_NAME: {
		char *name = clean_name(text);
		json_object_set_new(d->captured, "name", json_string(name));
		d->mode = DIALOG_MSG_NUMBER;
		char *r = xasprintf("Thank you, %s. What is the best number to reach you? If it is the number you are calling from, just say yes.", name);
		free(name);
		return r;
	}
	case DIALOG_MSG_NUMBER: {
		char digits[32];
		extract_number(text, digits, sizeof digits);
		const char *number = strlen(digits) >= 7 ? digits : d->from_number;
		json_object_set_new(d->captured, "callback_number", json_string(number));
		d->mode = DIALOG_MSG_REASON;
		return xstrdup("Got it. And what is your message about?");
	}
	case DIALOG_MSG_REASON: {
		json_object_set_new(d->captured, "message", json_string(text));
		note_reason(d, text);
		d->mode = DIALOG_NORMAL;
		d->message_taken = 1;
		note_topic(d, "message");
		return xstrdup("Thank you. I have passed your message to the team, and they will call you back. Is there anything else I can help with?");
	}
	default:
		return NULL;
	}
}

char *
dialog_respond(struct dialog *d, const char *text)
{
	const struct agent *a = d->agent;
	d->looked_up = 0;
	d->action = DIALOG_NONE;
	d->caller_turns++;
	if (d->mode != DIALOG_NORMAL)
		return take_message(d, text);
	if (text[0] == 0)
		return xstrdup("Sorry, I didn't catch that. Could you say it again?");
	note_reason(d, text);
	static const char *const accept[] = { "yes", "yeah", "sure", "okay", "ok", "please", NULL };
	int offered = d->offered_message;
	d->offered_message = 0;
	if (offered && has_any(text, accept))
		return start_message(d, "");
	const char *lookup_subject = NULL;
	int intent;
	for (intent = 0; intent < INTENT__COUNT; intent++)
		if (has_any(text, intent_words[intent]))
			break;
	switch (intent) {
	case INTENT_GOODBYE:
		d->action = DIALOG_HANGUP;
		return xasprintf("Thank you for calling %s. Goodbye!", a->business_name ? a->business_name : a->name);
	case INTENT_TRANSFER:
		d->transfer_requested = 1;
		note_topic(d, "speaking to a person");
		if (a->transfer_number) {
			d->action = DIALOG_TRANSFER;
			return xstrdup("Of course. Let me transfer you to a member of our team now.");
		}
		return start_message(d, "Nobody is available to take the call right now, but ");
	case INTENT_MESSAGE:
		return start_message(d, "Of course. ");
	case INTENT_HOURS:
		note_topic(d, "opening hours");
		d->answered++;
		return dialog_hours_text(a->hours);
	default:
		lookup_subject = text;
		break;
	}
	d->looked_up = 1;
	char *answer = a->kb ? kb_corpus_answer(a->kb, lookup_subject) : NULL;
	if (answer) {
		d->answered++;
		note_topic(d, d->reason[0] ? d->reason : "general information");
		return answer;
	}
	d->unanswered++;
	d->offered_message = d->agent->message_taking_enabled;
	note_topic(d, "something the agent could not answer");
	return xstrdup("I'm sorry, I don't have that information. I can take a message, or transfer you to a member of staff.");
}

void
dialog_note_turn(struct dialog *d, const char *caller_text)
{
	d->caller_turns++;
	note_reason(d, caller_text);
}

void
dialog_remember(struct dialog *d, const char *caller_text, const char *reply)
{
	if (caller_text && *caller_text)
		json_array_append_new(d->history, json_pack("{s:s,s:s}", "role", "user", "content", caller_text));
	if (reply && *reply)
		json_array_append_new(d->history, json_pack("{s:s,s:s}", "role", "assistant", "content", reply));
}

/* Captured fields a model may set, and how long each may be. */
static const struct { const char *key; size_t max; } capture_fields[] = {
	{ "name", 80 }, { "callback_number", 40 }, { "message", 1000 },
};

int
dialog_apply_tool(struct dialog *d, const char *name, json_t *args)
{
	if (strcmp(name, "transfer_call") == 0) {
		d->transfer_requested = 1;
		note_topic(d, "speaking to a person");
		if (!d->agent->transfer_number)
			return -1;
		d->action = DIALOG_TRANSFER;
		return 0;
	}
	if (strcmp(name, "end_call") == 0) {
		d->action = DIALOG_HANGUP;
		return 0;
	}
	if (strcmp(name, "capture_data") != 0 || !json_is_object(args))
		return -1;
	int any = 0;
	for (size_t i = 0; i < sizeof capture_fields / sizeof capture_fields[0]; i++) {
		const char *v = json_string_value(json_object_get(args, capture_fields[i].key));
		if (v && *v && strlen(v) <= capture_fields[i].max) {
			json_object_set_new(d->captured, capture_fields[i].key, json_string(v));
			any = 1;
		}
	}
	const char *reason = json_string_value(json_object_get(args, "reason"));
	if (reason && agent_lists(d->agent, "reasons", reason) && strlen(reason) < sizeof d->reason)
		snprintf(d->reason, sizeof d->reason, "%s", reason);
	if (json_object_get(d->captured, "message")) {
		d->message_taken = 1;
		note_topic(d, "message");
	}
	return any ? 0 : -1;
}

/* Picks `want` if the agent lists it as an outcome, else `fallback`. */
static void
set_outcome(const struct dialog *d, struct dialog_result *r, const char *want)
{
	snprintf(r->outcome, sizeof r->outcome, "%s",
	    agent_lists(d->agent, "outcomes", want) ? want : "answered");
}

static int
rule_matches(const json_t *when, const struct dialog_result *r)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)when, k, v) {
		const char *want = json_string_value(v);
		const char *have = strcmp(k, "reason") == 0 ? r->reason :
		    strcmp(k, "outcome") == 0 ? r->outcome : NULL;
		if (!want || !have || strcmp(want, have) != 0)
			return 0;
	}
	return 1;
}

static int
priority_rank(const char *p)
{
	static const char *const order[] = { "low", "normal", "high", "urgent" };
	for (int i = 0; i < 4; i++)
		if (strcmp(p, order[i]) == 0)
			return i;
	return -1;
}

void
dialog_result(const struct dialog *d, int transferred, int voicemail, struct dialog_result *r)
{
	memset(r, 0, sizeof *r);
	snprintf(r->reason, sizeof r->reason, "%s",
	    d->reason[0] ? d->reason : agent_lists(d->agent, "reasons", "other") ? "other" : "");
	if (transferred)
		set_outcome(d, r, "transferred");
	else if (voicemail)
		set_outcome(d, r, "voicemail");
	else if (d->message_taken)
		set_outcome(d, r, strcmp(r->reason, "appointment") == 0 ? "appointment_requested" : "message_taken");
	else if (d->caller_turns == 0)
		set_outcome(d, r, "abandoned");
	else
		set_outcome(d, r, "answered");
	snprintf(r->priority, sizeof r->priority, "normal");
	json_t *rules = json_object_get(d->agent->signals, "requires_action"), *rule;
	size_t i;
	int best = -1;
	json_array_foreach(rules, i, rule) {
		json_t *when = json_object_get(rule, "when");
		const char *prio = json_string_value(json_object_get(rule, "priority"));
		if (!json_is_object(when) || !rule_matches(when, r))
			continue;
		r->requires_action = 1;
		if (prio && priority_rank(prio) > best) {
			best = priority_rank(prio);
			snprintf(r->priority, sizeof r->priority, "%s", prio);
		}
	}
	struct buf s;
	buf_init(&s, 2048);
	if (d->caller_turns == 0)
		buf_puts(&s, "The caller hung up without speaking.");
	else
		buf_printf(&s, "Caller asked about %s.", d->topics[0] ? d->topics : "something unclear");
	if (d->answered)
		buf_printf(&s, " The agent answered %d question%s.", d->answered, d->answered == 1 ? "" : "s");
	if (d->unanswered)
		buf_printf(&s, " %d question%s could not be answered.", d->unanswered, d->unanswered == 1 ? "" : "s");
	if (d->message_taken) {
		const char *name = json_string_value(json_object_get(d->captured, "name"));
		const char *num = json_string_value(json_object_get(d->captured, "callback_number"));
		buf_printf(&s, " Message taken from %s, callback %s.", name ? name : "the caller", num ? num : "unknown");
	}
	if (transferred)
		buf_printf(&s, " Transferred to %s.", d->agent->transfer_number);
	if (d->previous_calls) {
		char *history = dialog_history_text(d);
		buf_printf(&s, " Returning caller (%s).", history);
		free(history);
	}
	r->summary = buf_steal(&s);
}
