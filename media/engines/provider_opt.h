/* Per-provider settings written as "name=value,name=value" in one
 * configuration key (models, voices). */
#ifndef MEDIA_PROVIDER_OPT_H
#define MEDIA_PROVIDER_OPT_H
#include <stddef.h>

/* Copies the value for provider into out; 1 found, 0 not. */
int provider_opt(const char *list, const char *provider, char *out, size_t outlen);

#endif
