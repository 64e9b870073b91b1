/* The voxline command's sub-commands; each lives in its own file. */
#ifndef VOXLINE_COMMANDS_H
#define VOXLINE_COMMANDS_H

int cmd_migrate(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_config_doc(int argc, char **argv);
int cmd_errors_doc(int argc, char **argv);
int cmd_worker(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_call(int argc, char **argv);
int cmd_tenant(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_provider(int argc, char **argv);


/* Shared by the sub-commands (cli/args.c): the value after option name,
 * whether a flag is present, and the configured database. */
struct db;
const char *cli_opt(int argc, char **argv, const char *name);
int cli_flag(int argc, char **argv, const char *name);
struct db *cli_db_open(void);

#endif
