#include "cfg.h"
#include "xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum cfg_type { STR, INT };

struct cfg_def {
	const char *name;
	enum cfg_type type;
	const char *def;
	long min, max;
	const char *desc;
};

static const struct cfg_def defs[CFG__COUNT] = {
#define CFG(name, type, def, min, max, desc) { #name, type, def, min, max, desc },
#include "cfg_keys.def"
#undef CFG
};

static char *values[CFG__COUNT];
static long ints[CFG__COUNT];

static int
find_key(const char *name)
{
	for (int i = 0; i < CFG__COUNT; i++)
		if (strcmp(defs[i].name, name) == 0)
			return i;
	return -1;
}

static int
set_value(int k, const char *v, const char *origin, char *err, size_t errlen)
{
	if (defs[k].type == INT) {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno || end == v || *end != '\0' || n < defs[k].min || n > defs[k].max) {
			snprintf(err, errlen, "%s: %s must be an integer in %ld..%ld, got '%s'",
			    origin, defs[k].name, defs[k].min, defs[k].max, v);
			return -1;
		}
		ints[k] = n;
	}
	free(values[k]);
	values[k] = xstrdup(v);
	return 0;
}

/* VOXLINE_ + the key in upper case. */
static void
env_name(int k, char *out, size_t outlen)
{
	size_t n = (size_t)snprintf(out, outlen, "VOXLINE_");
	for (const char *p = defs[k].name; *p && n + 1 < outlen; p++)
		out[n++] = (char)toupper((unsigned char)*p);
	out[n] = '\0';
}

static char *
trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
load_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char line[4096], origin[512];
	int lineno = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof line, f)) {
		lineno++;
		snprintf(origin, sizeof origin, "%s:%d", path, lineno);
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s: expected 'key = value'", origin);
			rc = -1;
			break;
		}
		*eq = '\0';
		char *key = trim(s), *val = trim(eq + 1);
		int k = find_key(key);
		if (k < 0) {
			snprintf(err, errlen, "%s: unknown key '%s'", origin, key);
			rc = -1;
			break;
		}
		rc = set_value(k, val, origin, err, errlen);
	}
	fclose(f);
	return rc;
}

int
cfg_load(const char *path, char *err, size_t errlen)
{
	for (int k = 0; k < CFG__COUNT; k++)
		if (set_value(k, defs[k].def, "default", err, errlen) < 0)
			return -1;
	if (path == NULL)
		path = getenv("VOXLINE_CONFIG");
	if (path != NULL && *path != '\0' && load_file(path, err, errlen) < 0)
		return -1;
	for (int k = 0; k < CFG__COUNT; k++) {
		char env[128];
		env_name(k, env, sizeof env);
		const char *v = getenv(env);
		if (v != NULL && set_value(k, v, env, err, errlen) < 0)
			return -1;
	}
	return 0;
}

const char *
cfg_str(enum cfg_key k)
{
	return values[k] ? values[k] : defs[k].def;
}

long
cfg_int(enum cfg_key k)
{
	return values[k] ? ints[k] : strtol(defs[k].def, NULL, 10);
}

void
cfg_write_doc(FILE *out)
{
	fprintf(out, "| key | environment | type | default | description |\n");
	fprintf(out, "|---|---|---|---|---|\n");
	for (int k = 0; k < CFG__COUNT; k++) {
		char env[128];
		env_name(k, env, sizeof env);
		if (defs[k].type == INT)
			fprintf(out, "| `%s` | `%s` | integer %ld..%ld | `%s` | %s |\n",
			    defs[k].name, env, defs[k].min, defs[k].max, defs[k].def, defs[k].desc);
		else
			fprintf(out, "| `%s` | `%s` | string | `%s` | %s |\n",
			    defs[k].name, env, defs[k].def, defs[k].desc);
	}
}
