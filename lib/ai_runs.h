/* Post-call AI runs (table call_ai_runs): the pieces voxline-web (the
 * provider's webhook) and the worker (submit, fetch) agree on. */
#ifndef VOXLINE_AI_RUNS_H
#define VOXLINE_AI_RUNS_H

/* The webhook auth header sent with each submission; its value is a
 * random secret made for the run, of which only the SHA-256 is kept. */
#define AI_RUN_WEBHOOK_HEADER "X-Voxline-Webhook-Secret"
#define AI_RUN_WEBHOOK_PARAM "HTTP_X_VOXLINE_WEBHOOK_SECRET"
/* Path of the webhook under public_url; the run id follows. */
#define AI_RUN_WEBHOOK_PATH "/webhooks/assemblyai/"
/* Longest provider transcript id accepted (letters, digits, - and _). */
#define AI_RUN_EXTERNAL_ID_MAX 64

#endif
