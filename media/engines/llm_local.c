/* The local dialogue engine behind the LLM interface: it decides the
 * whole reply at once, then streams it word by word like a model would. */
#include "engine.h"
#include "../dialog.h"
#include <stdlib.h>
#include <string.h>

static int
reply(struct dialog *d, const char *caller_text, llm_token_fn token, void *arg,
    struct engine_usage *u)
{
	char *text = dialog_respond(d, caller_text);
	if (text == NULL)
		return -1;
	long words = 0;
	char *p = text;
	while (*p) {
		char *sp = strchr(p, ' ');
		char save = 0;
		if (sp) {
			save = sp[1];
			sp[1] = 0;
		}
		token(p, arg);
		words++;
		if (!sp)
			break;
		sp[1] = save;
		p = sp + 1;
	}
	for (const char *c = caller_text; *c; c++)
		words += *c == ' ';
	u->tokens += words + (*caller_text != 0);
	free(text);
	return 0;
}

const struct llm_engine llm_local = { "local", reply };
