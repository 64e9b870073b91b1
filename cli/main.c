/* voxline: the command-line tool.  `voxline [-c config] COMMAND [args]`. */
#include "cfg.h"
#include "commands.h"
#include "log.h"
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "migrate", cmd_migrate, "migrate               apply pending database migrations" },
	{ "demo", cmd_demo, "demo [--credentials-file F]  load the demo tenant; create the superadmin once" },
	{ "tenant", cmd_tenant, "tenant add SLUG [--name N] [--plan P]  create a tenant" },
	{ "user", cmd_user, "user add EMAIL [--name N] [--tenant SLUG --role R] [--superadmin] [--password-file F]" },
	{ "provider", cmd_provider, "provider set NAME [--tenant SLUG] [--base-url URL] | provider list  provider API keys (key on stdin)" },
	{ "worker", cmd_worker, "worker [--once]       run queued jobs and periodic tasks" },
	{ "simulate", cmd_simulate, "simulate [--direct] [--calls N] SCRIPT  play the carrier: place scripted calls" },
	{ "call", cmd_call, "call place|update|hangup ...  place an outbound call, give a live call new markup, hang it up" },
	{ "config-doc", cmd_config_doc, "config-doc            print every configuration key (Markdown)" },
	{ "errors-doc", cmd_errors_doc, "errors-doc            print the error catalog (Markdown)" },
};

static int
usage(void)
{
	fprintf(stderr, "usage: voxline [-c config-file] COMMAND [args]\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(stderr, "  %s\n", commands[i].usage);
	return 2;
}

int
main(int argc, char **argv)
{
	const char *config = NULL;
	int i = 1;
	if (i + 1 < argc && strcmp(argv[i], "-c") == 0) {
		config = argv[i + 1];
		i += 2;
	}
	if (i >= argc)
		return usage();
	char err[512];
	if (cfg_load(config, err, sizeof err) < 0) {
		fprintf(stderr, "voxline: %s\n", err);
		return 1;
	}
	if (log_set_level(cfg_str(CFG_log_level)) < 0) {
		fprintf(stderr, "voxline: log_level must be debug, info, warn or error\n");
		return 1;
	}
	for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].fn(argc - i, argv + i);
	fprintf(stderr, "voxline: unknown command '%s'\n", argv[i]);
	return usage();
}
