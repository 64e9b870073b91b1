/* Configuration: defaults, the key = value file, error messages that name
 * file:line, VOXLINE_<KEY> overrides, and the generated documentation. */
#include "tap.h"
#include "cfg.h"
#include "fcgi/web.h"

#include <stdlib.h>
#include <unistd.h>



static char path[64];
static char err[512];

static void
write_file(const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* Loads text as the configuration file; the cfg_load result. */
static int
load_text(const char *text)
{
	write_file(text);
	err[0] = '\0';
	return cfg_load(path, err, sizeof err);
}

static void
clear_env(void)
{
	unsetenv("VOXLINE_CONFIG");
#define CFG(name, type, def, min, max, desc) { \
		char e[128] = "VOXLINE_"; size_t n = strlen(e); \
		for (const char *p = #name; *p; p++) e[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p); \
		e[n] = '\0'; unsetenv(e); }
#include "cfg_keys.def"
#undef CFG
}

int
main(void)
{
	char expect[1024];
	clear_env();
	snprintf(path, sizeof path, "/tmp/voxline-cfg-test.%ld.conf", (long)getpid());

	/* Defaults. */
	is_int(cfg_load(NULL, err, sizeof err), 0, "cfg_load with no file succeeds");
	is(cfg_str(CFG_database_url), "postgresql:///voxline", "default database_url");
	is(cfg_str(CFG_log_level), "info", "default log_level");
	is_int(cfg_int(CFG_web_threads), 8, "default web_threads");
	is_int(cfg_int(CFG_web_max_body), 1048576, "default web_max_body");
	is_int(cfg_int(CFG_web_socket_mode), 432, "default web_socket_mode");
	is_int(cfg_int(CFG_password_argon2_t_cost), 3, "default password_argon2_t_cost");
	is(cfg_str(CFG_web_threads), "8", "an INT key reads as its text too");

	/* The file: comments, blank lines, spaces around =. */
	is_int(load_text(
	    "# Voxline configuration\n"
	    "\n"
	    "   \t\n"
	    "database_url = postgresql://db.example/voxline\n"
	    "  # indented comment\n"
	    "web_threads=16\n"
	    "\tlog_level   =   debug   \n"
	    "public_url = https://voice.example.com/a=b\n"
	    "sql_dir =\n"), 0, "a file with comments, blank lines and spacing loads");
	is(err, "", "no error message on success");
	is(cfg_str(CFG_database_url), "postgresql://db.example/voxline", "string value from the file");
	is_int(cfg_int(CFG_web_threads), 16, "key=value without spaces");
	is(cfg_str(CFG_log_level), "debug", "spaces and tabs around key and value are trimmed");
	is(cfg_str(CFG_public_url), "https://voice.example.com/a=b", "only the first = separates key and value");
	is(cfg_str(CFG_sql_dir), "", "an empty value is an empty string");
	is(cfg_str(CFG_web_templates_dir), "templates", "keys absent from the file keep their default");

	is_int(load_text("log_level = warn\n"), 0, "reloading with another file succeeds");
	is_int(cfg_int(CFG_web_threads), 8, "a reload starts again from the defaults");
	is(cfg_str(CFG_database_url), "postgresql:///voxline", "string keys are back to the default too");

	is_int(load_text("web_threads = 4\r\n# crlf\r\n"), 0, "CRLF line endings are accepted");
	is_int(cfg_int(CFG_web_threads), 4, "value read from a CRLF line");

	/* Errors name the file and line. */
	is_int(load_text("# first\nweb_threads = 2\n\nno_such_key = 1\n"), -1, "an unknown key fails");
	snprintf(expect, sizeof expect, "%s:4: unknown key 'no_such_key'", path);
	is(err, expect, "the unknown key error names file:line and the key");

	is_int(load_text("web_threads = 0\n"), -1, "an integer below its minimum fails");
	snprintf(expect, sizeof expect, "%s:1: web_threads must be an integer in 1..256, got '0'", path);
	is(err, expect, "the bounds error names file:line, the range and the value");

	is_int(load_text("\nweb_threads = 257\n"), -1, "an integer above its maximum fails");
	snprintf(expect, sizeof expect, "%s:2: web_threads must be an integer in 1..256, got '257'", path);
	is(err, expect, "above-maximum error message");

	is_int(load_text("web_threads = 1\nweb_threads = 256\n"), 0, "the bounds themselves are accepted");
	is_int(cfg_int(CFG_web_threads), 256, "a later line wins over an earlier one");

	is_int(load_text("web_threads = 8x\n"), -1, "trailing garbage after an integer fails");
	snprintf(expect, sizeof expect, "%s:1: web_threads must be an integer in 1..256, got '8x'", path);
	is(err, expect, "non-numeric error message");
	is_int(load_text("web_threads =\n"), -1, "an empty integer fails");
	is_int(load_text("web_max_body = 99999999999999999999999\n"), -1, "an overflowing integer fails");

	is_int(load_text("web_threads 8\n"), -1, "a line without = fails");
	snprintf(expect, sizeof expect, "%s:1: expected 'key = value'", path);
	is(err, expect, "the missing = error names file:line");

	err[0] = '\0';
	is_int(cfg_load("/nonexistent/voxline.conf", err, sizeof err), -1, "a missing file fails");
	is(err, "/nonexistent/voxline.conf: No such file or directory", "the missing file error names it");

	/* VOXLINE_CONFIG names the file when no path is given. */
	write_file("web_threads = 12\n");
	setenv("VOXLINE_CONFIG", path, 1);
	is_int(cfg_load(NULL, err, sizeof err), 0, "cfg_load(NULL) reads $VOXLINE_CONFIG");
	is_int(cfg_int(CFG_web_threads), 12, "value from the file named by VOXLINE_CONFIG");
	unsetenv("VOXLINE_CONFIG");

	/* The environment beats the file. */
	setenv("VOXLINE_WEB_THREADS", "32", 1);
	setenv("VOXLINE_DATABASE_URL", "postgresql://env/voxline", 1);
	is_int(load_text("web_threads = 16\ndatabase_url = postgresql://file/voxline\nlog_level = warn\n"),
	    0, "file plus environment loads");
	is_int(cfg_int(CFG_web_threads), 32, "VOXLINE_WEB_THREADS overrides the file");
	is(cfg_str(CFG_database_url), "postgresql://env/voxline", "VOXLINE_DATABASE_URL overrides the file");
	is(cfg_str(CFG_log_level), "warn", "keys without an environment variable keep the file value");
	is_int(cfg_load(NULL, err, sizeof err), 0, "environment without a file loads");
	is_int(cfg_int(CFG_web_threads), 32, "VOXLINE_WEB_THREADS overrides the default");

	setenv("VOXLINE_WEB_THREADS", "0", 1);
	is_int(cfg_load(NULL, err, sizeof err), -1, "an out-of-range environment value fails");
	is(err, "VOXLINE_WEB_THREADS: web_threads must be an integer in 1..256, got '0'",
	    "the error names the environment variable");
	unsetenv("VOXLINE_WEB_THREADS");
	unsetenv("VOXLINE_DATABASE_URL");

	/* The documentation table lists every key. */
	char *doc = NULL;
	size_t doclen = 0;
	FILE *f = open_memstream(&doc, &doclen);
	cfg_write_doc(f);
	fclose(f);
	like(doc, "| key | environment | type | default | description |\n|---|---|---|---|---|\n",
	    "the doc starts with the table header");
	int lines = 0;
	for (const char *p = doc; *p; p++)
		lines += *p == '\n';
	is_int(lines, 2 + CFG__COUNT, "one table row per key");
#define CFG(name, type, def, min, max, desc) { \
		char e[128] = "VOXLINE_"; size_t n = strlen(e); \
		for (const char *p = #name; *p; p++) e[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p); \
		e[n] = '\0'; \
		snprintf(expect, sizeof expect, "| `%s` | `%s` | ", #name, e); \
		like(doc, expect, "doc row for " #name " with its environment variable"); \
		snprintf(expect, sizeof expect, " | `%s` | %s |\n", def, desc); \
		like(doc, expect, "doc row for " #name " shows its default and description"); }
#include "cfg_keys.def"
#undef CFG
	like(doc, "| `web_threads` | `VOXLINE_WEB_THREADS` | integer 1..256 | `8` | ",
	    "an INT key shows its range");
	like(doc, "| `log_level` | `VOXLINE_LOG_LEVEL` | string | `info` | ",
	    "a STR key shows type string");
	free(doc);

	unlink(path);
	return done_testing();
}
