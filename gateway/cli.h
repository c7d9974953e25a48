/*
 * cli.h - tinbao's subcommands.  Each takes the configuration path and the
 * arguments after the subcommand's name, and returns the exit status.
 */
#ifndef TINBAO_CLI_H
#define TINBAO_CLI_H

int cli_run(const char *conf, int argc, char **argv);	/* run [--once] */
int cli_parse(const char *conf, int argc, char **argv); /* parse < lines */
int cli_check_config(const char *conf, int argc, char **argv);
int cli_inject(const char *conf, int argc, char **argv);  /* inject --from N TEXT */
int cli_reports(const char *conf, int argc, char **argv); /* reports */
int cli_report(const char *conf, int argc, char **argv);  /* report --period P [--format F] */
int cli_push(const char *conf, int argc, char **argv);	  /* push --once|--failed|--retry ID */
int cli_status(const char *conf, int argc, char **argv);  /* status */
int cli_ussd(const char *conf, int argc, char **argv);	  /* ussd CODE */
/* The registry, the quarantine, replays (trustcli.c). */
int cli_senders(const char *conf, int argc, char **argv);    /* senders list|add|remove|import */
int cli_quarantine(const char *conf, int argc, char **argv); /* quarantine [list|accept|reject] */
int cli_replay(const char *conf, int argc, char **argv);     /* replay [--since D] [--error E] */
int cli_backup(const char *conf, int argc, char **argv);     /* backup [--to FILE] */
/* The configuration at path, its diagnostics printed as file:line; NULL when
 * it has errors.  For the commands in other files. */
struct config *cli_config(const char *path);
/* The same for a command that must not run beside the gateway: it also
 * takes the gateway's lock, kept in *lock (close it when done).  NULL when
 * the configuration has errors or the lock is held, said as
 * "tinbao: cmd: why". */
struct config *cli_config_alone(const char *path, const char *cmd, const char *why, int *lock);

int cli_import_smsd(const char *conf, int argc, char **argv); /* import-smsd DATABASE */
int cli_send(const char *conf, int argc, char **argv);	      /* send NUMBER|--to-... TEXT */

#endif
