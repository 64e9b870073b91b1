/* Configuration: defaults from config_keys.def, then a `key = value`
 * file, then VOXLINE_<KEY> environment variables (highest wins).
 * Loaded once at start-up, read-only afterwards (thread-safe reads). */
#ifndef VOXLINE_CFG_H
#define VOXLINE_CFG_H
#include <stdio.h>

enum cfg_key {
#define CFG(name, type, def, min, max, desc) CFG_##name,
#include "cfg_keys.def"
#undef CFG
	CFG__COUNT
};

/* Loads defaults, the file (NULL: $VOXLINE_CONFIG if set, else none)
 * and the environment.  On error writes a message to err and returns -1. */
int cfg_load(const char *path, char *err, size_t errlen);
const char *cfg_str(enum cfg_key k);
long cfg_int(enum cfg_key k);
/* Writes the Markdown table of every key (docs/configuration.md). */
void cfg_write_doc(FILE *out);

#endif
