/* Reference tables generated from the code's own declarations. */
#include "cfg.h"
#include "commands.h"
#include "errors.h"
#include <stdio.h>

int
cmd_config_doc(int argc, char **argv)
{
	cfg_write_doc(stdout);
	return 0;
}

int
cmd_errors_doc(int argc, char **argv)
{
	err_write_doc(stdout);
	return 0;
}

