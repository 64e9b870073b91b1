/* Single-use links (invitations, password resets): a random token goes
 * into the emailed URL, only its SHA-256 into the database. */
#ifndef VOXLINE_TOKENS_H
#define VOXLINE_TOKENS_H

struct link_token {
	char *token;   /* for the URL (base64url, 43 characters) */
	char *hash;    /* for the database (hex) */
};

void link_token_new(struct link_token *t);
void link_token_free(struct link_token *t);
/* public_url + path + "?token=" + token, malloc'd. */
char *link_token_url(const char *path, const char *token);

#endif
