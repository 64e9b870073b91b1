#include "tokens.h"
#include "buf.h"
#include "cfg.h"
#include "crypto.h"
#include <stdlib.h>
#include <string.h>

void
link_token_new(struct link_token *t)
{
	t->token = crypto_token();
	t->hash = crypto_sha256_hex(t->token);
}

void
link_token_free(struct link_token *t)
{
	free(t->token);
	free(t->hash);
	t->token = t->hash = NULL;
}

char *
link_token_url(const char *path, const char *token)
{
	struct buf b;
	buf_init(&b, 4096);
	const char *base = cfg_str(CFG_public_url);
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_append(&b, base, n);
	buf_printf(&b, "%s?token=%s", path, token);   /* base64url needs no escaping */
	return buf_steal(&b);
}
