/*
 * cli.h - tinbao's commands, one file per family (cmd-*.c), and what they
 * share (cli.c): loading the configuration, refusing to run beside the
 * gateway, usage lines and option parsing.
 *
 * Each command takes the configuration path and the arguments from its own
 * name on (argv[0] is the command's name), and returns the exit status: 0,
 * 1 when it failed, 2 for a bad command line.
 */
#ifndef TINBAO_CLI_H
#define TINBAO_CLI_H

#include <stddef.h>

struct config;
struct store;

/* cmd-run.c */
int cli_run(const char *conf, int argc, char **argv); /* run [--once] */
/* cmd-parse.c */
int cli_parse(const char *conf, int argc, char **argv);	 /* parse < lines */
int cli_inject(const char *conf, int argc, char **argv); /* inject --from N TEXT */
/* cmd-config.c */
int cli_check_config(const char *conf, int argc, char **argv); /* check-config [--modem] */
int cli_modem_test(const char *conf, int argc, char **argv);   /* modem-test [--modem NAME] */
/* cmd-report.c */
int cli_reports(const char *conf, int argc, char **argv); /* reports */
int cli_report(const char *conf, int argc, char **argv);  /* report --period P [--format F] */
/* cmd-push.c */
int cli_push(const char *conf, int argc, char **argv); /* push --once|--failed|--retry ID */
/* cmd-status.c */
int cli_status(const char *conf, int argc, char **argv); /* status */
/* cmd-ussd.c */
int cli_ussd(const char *conf, int argc, char **argv); /* ussd [--modem NAME] CODE */
/* cmd-backup.c */
int cli_backup(const char *conf, int argc, char **argv); /* backup [--to FILE] */
/* cmd-senders.c */
int cli_senders(const char *conf, int argc, char **argv); /* senders list|add|remove|import */
/* cmd-quarantine.c */
int cli_quarantine(const char *conf, int argc, char **argv); /* quarantine [list|accept|reject] */
int cli_replay(const char *conf, int argc, char **argv);     /* replay [--since D] [--error E] */
/* cmd-send.c */
int cli_send(const char *conf, int argc, char **argv); /* send NUMBER|--to-... TEXT */
/* cmd-web.c */
int cli_web(const char *conf, int argc, char **argv);	   /* web */
int cli_web_user(const char *conf, int argc, char **argv); /* web-user add|list|remove */
/* cmd-import.c */
int cli_import_smsd(const char *conf, int argc, char **argv); /* import-smsd DATABASE */

/* ---- shared by the commands (cli.c) ----------------------------------- */

/* The configuration at path, its diagnostics printed to stderr as
 * file:line (file: when no line applies); NULL when it has errors.  With
 * errors non-NULL, *errors is their number. */
struct config *cli_config(const char *path);
struct config *cli_config_errors(const char *path, size_t *errors);

/* The configuration as cli_config() loads it and its database, opened with
 * the store's flags (STORE_READONLY, ...).  0, or -1 with both closed. */
int cli_open(const char *path, int flags, struct config **cfg, struct store **st);

/* The same for the registry's commands (senders, quarantine, replay, send):
 * every diagnostic as file:line, and the log level lowered with
 * cli_quiet(). */
struct config *cli_config_quiet(const char *path);

/* The same for a command that talks to the outside (run, push): it refuses
 * a configuration, or a file it includes or names, that others may read,
 * and takes the log level from the file (-d on the command line wins). */
struct config *cli_config_private(const char *path);

/* The same for a command that must not run beside the gateway: it also
 * takes the gateway's lock, kept in *lock (close it when done).  NULL when
 * the configuration has errors or the lock is held, said as
 * "tinbao: cmd: why". */
struct config *cli_config_alone(const char *path, const char *cmd, const char *why, int *lock);

/* A one-shot tool says only what went wrong (or everything with -d). */
void cli_quiet(void);

/* Prints "usage: tinbao -c config FORM" to stderr, one line a form (forms
 * is one or more forms separated by newlines), and returns 2. */
int cli_usage(const char *forms);

/* An option of a command: "--name VALUE" when value is set, a flag
 * "--name" (set to 1) when flag is. */
struct cli_option {
	const char *name;
	const char **value;
	int *flag;
};

/* Reads argv[first..argc-1], each one of opts (n of them).  0, or -1 at
 * the first argument that is none of them or wants a value it lacks. */
int cli_options(int argc, char **argv, int first, const struct cli_option *opts, size_t n);

#endif
