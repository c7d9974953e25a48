/*
 * main.c - tinbao: the SMS field-reporting gateway.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "push.h"

#define DEFAULT_CONFIG "/etc/tinbao/tinbao.conf"

static const struct {
	const char *name;
	int (*fn)(const char *conf, int argc, char **argv);
	const char *help;
} commands[] = {
    {"run", cli_run, "run [--once]            receive, store, parse and answer SMS"},
    {"parse", cli_parse, "parse                   parse stdin lines, print JSON Lines"},
    {"check-config", cli_check_config, "check-config            validate the configuration"},
    {"inject", cli_inject, "inject --from N TEXT    put an SMS into the dummy phone"},
    {"reports", cli_reports, "reports                 print the stored reports"},
    {"report", cli_report, "report --period P       the plan report (--format text|csv|html|xlsx|pdf)"},
    {"push", cli_push, "push --once             push the queued events to the district"},
    {"push", cli_push, "push --failed           list the parked events"},
    {"push", cli_push, "push --retry ID|all     queue a parked event again"},
    {"status", cli_status, "status                  queue length, last success, last error"},
    {"ussd", cli_ussd, "ussd [--modem N] CODE   dial a USSD code, print the answer"},
    {"senders", cli_senders, "senders list|add|remove|import  registered numbers"},
    {"quarantine", cli_quarantine, "quarantine [accept|reject ID]  SMS of unknown numbers"},
    {"replay", cli_replay, "replay [--error CODE]   parse rejected SMS again"},
    {"backup", cli_backup, "backup [--to FILE]      copy the database now (backup.dir or FILE)"},
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: tinbao [-dv] [-c config] command [args]\n"
		   "  -c config   configuration file (default " DEFAULT_CONFIG ")\n"
		   "  -d          debug logging\n"
		   "  -v          print the version\n"
		   "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].help);
}

int
main(int argc, char *argv[])
{
	const char *conf = DEFAULT_CONFIG;
	int ch, debug = 0, status;
	size_t i;

	/* "+": stop at the command, whose own options come after it. */
	while ((ch = getopt(argc, argv, "+c:dhv")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			printf("tinbao 0.1\n");
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	log_init(0, debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name) == 0)
			break;
	}
	if (i < sizeof(commands) / sizeof(commands[0])) {
		if (push_global_init() == -1)
			return 1;
		status = commands[i].fn(conf, argc, argv);
		push_global_cleanup();
		return status;
	}
	fprintf(stderr, "tinbao: unknown command \"%s\"\n", argv[0]);
	usage(stderr);
	return 2;
}
