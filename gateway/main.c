/*
 * main.c - tinbao: the SMS field-reporting gateway.  Reads the global
 * options, then hands the rest of the command line to one command's
 * function (cli.h, one file per family: cmd-*.c); `tinbao help COMMAND` and
 * `tinbao COMMAND --help` print that command's usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "push.h"

#ifndef TINBAO_VERSION
#define TINBAO_VERSION "unknown"
#endif
#define DEFAULT_CONFIG "/etc/tinbao/tinbao.conf"

struct command {
	const char *name;
	int (*fn)(const char *conf, int argc, char **argv);
	const char *synopsis; /* arguments after the name, one line per form */
	const char *summary;  /* one line, for the list of commands */
	const char *details;  /* options and what it does, for help COMMAND */
};

static const struct command commands[] = {
    {"run", cli_run, "[--once]", "receive, store, parse and answer SMS",
     "Runs the gateway in the foreground until SIGTERM or SIGINT; SIGHUP reloads\n"
     "the configuration (an invalid one is logged and the old one kept).\n"
     "  --once    one pass over the modems, the outbox and the push, then exit\n"},
    {"modem-test", cli_modem_test, "[--modem NAME]",
     "open each modem, print what it says of itself",
     "Opens each configured modem (or the one named) as `gammu identify` does and\n"
     "prints manufacturer, model, IMEI, SIM (IMSI), signal, network and SMSC, or\n"
     "the exact error.  Not while the gateway runs (it holds the modems).\n"},
    {"parse", cli_parse, "< messages", "parse stdin lines, print JSON Lines",
     "Reads one message a line from standard input and prints, for each, what the\n"
     "gateway would make of it and the reply, as one JSON object a line.\n"
     "Touches no database and no modem.\n"},
    {"check-config", cli_check_config, "[--modem]", "validate the configuration",
     "Prints \"configuration OK\", or every error and warning as file:line: message,\n"
     "the modems' gammurcs included (section, connection, the device and whether\n"
     "the gateway's user may open it).  Exit 0 when there is no error.\n"
     "  --modem   then open each modem, as modem-test does\n"},
    {"import-smsd", cli_import_smsd, "DATABASE", "take over a gammu-smsd database's SMS",
     "Reads the inbox of a gammu-smsd SQL database (sqlite3 backend, gammu up to\n"
     "1.42) and processes every SMS as if the modem had just given it: stored,\n"
     "parsed, counted once, pushed; nobody is answered.  Importing the same\n"
     "database again changes nothing.  Not while the gateway runs.\n"},
    {"inject", cli_inject, "--from NUMBER [--at UNIXTIME] TEXT",
     "put an SMS into the dummy phone's inbox",
     "Only for gammu's dummy phone (model = dummy): a real modem is never touched.\n"
     "  --from NUMBER    the sender\n"
     "  --at UNIXTIME    the SMSC time stamp (default now)\n"},
    {"reports", cli_reports, "", "print the stored reports", "One line per stored report.\n"},
    {"report", cli_report,
     "--period YYYY-H1|YYYY-H2|YYYY [--format text|csv|html|xlsx|pdf] [--csv-sep ,|;]\n"
     "    [--output FILE]",
     "the plan report for district staff",
     "The half-year or yearly report against the plan, in the layout of an\n"
     "administrative document; the figures that look wrong are listed (and\n"
     "printed as warnings).\n"
     "  --period P      2022-H1 (January-June), 2022-H2 (July-December), 2022\n"
     "  --format F      text (default), csv (UTF-8 with BOM, CRLF), html (print-ready,\n"
     "                  A4), xlsx (a workbook, one sheet per table), pdf (needs\n"
     "                  Chromium; otherwise says how to print the HTML)\n"
     "  --csv-sep S     the CSV's separator, \",\" (default, or report.csv_separator)\n"
     "                  or \";\" for a Vietnamese-locale Excel\n"
     "  --output FILE   written whole or not at all (default standard output)\n"},
    {"push", cli_push, "--once [--now]\n--failed\n--retry ID|all", "events to the district server",
     "  --once        send the queued events and exit; after failures, only once the\n"
     "                backoff they set has passed (`status` says when)\n"
     "  --now         with --once: at once, whatever the backoff\n"
     "  --failed      list the events the server refused (parked)\n"
     "  --retry ID    queue a parked event again (all: every parked event)\n"},
    {"status", cli_status, "", "queues, outbox, daily cap, modems, SIM balance",
     "The push queue, last success and last error, the quarantine, SMS sent today\n"
     "against the daily cap, the outbox by state, and each modem's signal, network,\n"
     "last outage and SIM balance.\n"},
    {"ussd", cli_ussd, "[--modem NAME] CODE", "dial a USSD code, print the answer",
     "Dials CODE (e.g. *101#) on the modem, or on the modem NAME; while the gateway\n"
     "runs, the request goes through the database and the gateway dials it.\n"},
    {"senders", cli_senders,
     "list\nadd NUMBER ROLE [--commune C] [--name N]\nremove NUMBER\nimport FILE.csv",
     "the registry of reporting numbers",
     "ROLE is officer, class, district or admin.  An import is all or nothing;\n"
     "bad rows are named by line (columns number,name,role,commune,active).\n"},
    {"quarantine", cli_quarantine, "[list]\naccept ID|NUMBER\nreject ID|NUMBER",
     "SMS of unregistered numbers",
     "Messages held back under senders.unknown = \"quarantine\": list them, accept\n"
     "them (parsed, counted once, answered) or reject them.\n"},
    {"replay", cli_replay, "[--since YYYY-MM-DD] [--error CODE] [--reply]",
     "parse rejected SMS again",
     "Parses the rejected and held messages again with today's configuration and\n"
     "stores what now parses, once.\n"
     "  --since DATE   only messages received since DATE\n"
     "  --error CODE   only messages rejected with CODE\n"
     "  --reply        answer the senders (otherwise nobody is answered)\n"},
    {"send", cli_send, "NUMBER TEXT\n--to-commune COMMUNE TEXT\n--to-role ROLE TEXT",
     "queue an SMS (a notice) through the outbox",
     "Queues TEXT for one number, for the officers of a commune (code or name), or\n"
     "for every number of a role (officer, class, district, admin), from the\n"
     "configuration's lists and the registry, each number once.  The gateway sends\n"
     "them within each modem's sending rate and the daily cap (limits.daily_cap);\n"
     "at the cap they wait for the next day.  At most 50 recipients and 10 SMS.\n"},
    {"backup", cli_backup, "[--to FILE]", "copy the database now",
     "Copies the live database with SQLite's backup API into backup.dir, or FILE.\n"},
    {"web", cli_web, "", "serve the web console",
     "Serves the web console (in Vietnamese) on web.listen, default 127.0.0.1:8080,\n"
     "until SIGTERM or SIGINT; beside the gateway or alone.  `run` serves it too\n"
     "when the configuration has a web group.\n"},
    {"web-user", cli_web_user, "add NAME viewer|admin\nlist\nremove NAME",
     "the web console's users",
     "A viewer reads every page, an admin also changes.  The password is read from\n"
     "the terminal without echo (twice), or as one line of standard input.\n"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *
find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	}
	return NULL;
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: tinbao [-dv] [-c config] command [args]\n"
		   "       tinbao help [command]\n"
		   "  -c config   configuration file (default " DEFAULT_CONFIG ")\n"
		   "  -d          debug logging\n"
		   "  -v          print the version (also --version)\n"
		   "  -h          this help (also --help)\n"
		   "commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-14s%s\n", commands[i].name, commands[i].summary);
	fprintf(f, "`tinbao help COMMAND` or `tinbao COMMAND --help` for one command.\n");
}

/* The synopsis, one line per form, then the details. */
static void
command_help(FILE *f, const struct command *c)
{
	const char *s = c->synopsis, *nl;
	int first = 1;

	do {
		nl = strchr(s, '\n');
		fprintf(f, "%s tinbao [-c config] %s %.*s\n", first ? "usage:" : "      ", c->name,
			(int)(nl != NULL ? (size_t)(nl - s) : strlen(s)), s);
		first = 0;
		s = nl + 1;
	} while (nl != NULL);
	fprintf(f, "%s: %s.\n%s", c->name, c->summary, c->details);
}

/* tinbao help [COMMAND] */
static int
help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	c = find(argv[1]);
	if (c == NULL) {
		fprintf(stderr, "tinbao: unknown command \"%s\"\n", argv[1]);
		usage(stderr);
		return 2;
	}
	command_help(stdout, c);
	return 0;
}

int
main(int argc, char *argv[])
{
	const struct command *c;
	const char *conf = DEFAULT_CONFIG;
	int ch, debug = 0, status;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("tinbao %s\n", TINBAO_VERSION);
		return 0;
	}
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
			printf("tinbao %s\n", TINBAO_VERSION);
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
	if (strcmp(argv[0], "help") == 0)
		return help(argc, argv);
	c = find(argv[0]);
	if (c == NULL) {
		fprintf(stderr, "tinbao: unknown command \"%s\"\n", argv[0]);
		usage(stderr);
		return 2;
	}
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		command_help(stdout, c);
		return 0;
	}
	log_init(0, debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	/* libcurl is set up by the push, only for a configuration with one. */
	status = c->fn(conf, argc, argv);
	push_global_cleanup();
	return status;
}
