/* What the dialogue engine knows and decides during one call: the
 * agent, the caller and their history, captured data, and the action
 * (transfer, hang up) that follows the reply.  Owned by one call; only
 * the dialogue engine's thread touches it while a reply is under way. */
#ifndef MEDIA_DIALOG_H
#define MEDIA_DIALOG_H
#include <jansson.h>

struct agent;

enum dialog_action { DIALOG_NONE, DIALOG_TRANSFER, DIALOG_HANGUP };
enum dialog_mode { DIALOG_NORMAL, DIALOG_MSG_NAME, DIALOG_MSG_NUMBER, DIALOG_MSG_REASON };

/* Earlier calls from the caller's number are counted up to this many
 * (told as "100 or more"). */
#define DIALOG_HISTORY_MAX 100

struct dialog {
	const struct agent *agent;
	char from_number[40];
	int previous_calls;           /* earlier calls from the same number, up to DIALOG_HISTORY_MAX */
	char last_reason[40];         /* the last earlier call's reason, "" if none recorded */
	json_t *captured;             /* captured_data */
	char reason[40];              /* one of the agent's reasons, "" until known */
	enum dialog_mode mode;
	enum dialog_action action;
	int caller_turns, answered, unanswered, message_taken, transfer_requested;
	int looked_up;                /* the last reply came from the knowledge base */
	int offered_message;          /* the last reply offered to take a message */
	char topics[256];             /* what the caller asked about, for the summary */
	json_t *history;              /* chat messages so far (user/assistant), any engine's */
};

void dialog_init(struct dialog *d, const struct agent *a);
void dialog_free(struct dialog *d);

/* The local dialogue engine's decision for one caller utterance: reply
 * text (malloc'd) and possibly an action. */
char *dialog_respond(struct dialog *d, const char *caller_text);

/* A caller utterance answered by a cloud model: counted and classified
 * like the local engine's. */
void dialog_note_turn(struct dialog *d, const char *caller_text);
/* The model's tool calls: transfer_call, end_call, capture_data (args
 * an object).  0 applied, -1 unknown tool or bad arguments. */
int dialog_apply_tool(struct dialog *d, const char *name, json_t *args);
/* The exchange kept for every later reply (and a fallback engine). */
void dialog_remember(struct dialog *d, const char *caller_text, const char *reply);

/* End-of-call classification, from the agent's dashboard signals. */
struct dialog_result {
	char outcome[40], reason[40], priority[16];
	int requires_action;
	char *summary;                /* malloc'd */
};
void dialog_result(const struct dialog *d, int transferred, int voicemail,
    struct dialog_result *r);

/* Words callers of this agent are likely to use: the intents' and
 * reasons' keywords, the knowledge base, the greeting (malloc'd). */
char *dialog_vocabulary(const struct agent *a);

/* Helpers shared with tests. */
int dialog_has_word(const char *text, const char *word);   /* whole word or phrase */
char *dialog_hours_text(const json_t *hours);              /* "We are open Monday to Friday ..." */
/* The caller's history, "" for a first call: "4 earlier calls, the last
 * about billing" (malloc'd). */
char *dialog_history_text(const struct dialog *d);

#endif
