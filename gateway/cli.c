/*
 * cli.c - see cli.h.
 */
#include <errno.h>
#include <pwd.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "cli.h"
#include "clock.h"
#include "config.h"
#include "gateway.h"
#include "pipeline.h"
#include "json.h"
#include "log.h"
#include "modem.h"
#include "modemcheck.h"
#include "parser.h"
#include "push.h"
#include "report.h"
#include "secure.h"
#include "store.h"
#include "ussd.h"

#define SENDER_MAX 20

/* Loads the configuration, printing every diagnostic as file:line. */
static struct config *
load(const char *path, size_t *errors)
{
	struct config_diags diags = {NULL, 0};
	struct config *cfg;
	size_t i;

	cfg = config_load(path, &diags);
	for (i = 0; i < diags.n; i++) {
		if (diags.v[i].line > 0)
			fprintf(stderr, "%s:%d: %s: %s\n", diags.v[i].file, diags.v[i].line,
				diags.v[i].warning ? "warning" : "error", diags.v[i].msg);
		else
			fprintf(stderr, "%s: %s: %s\n", diags.v[i].file,
				diags.v[i].warning ? "warning" : "error", diags.v[i].msg);
	}
	if (errors != NULL)
		*errors = config_diags_errors(&diags);
	config_diags_free(&diags);
	return cfg;
}

/*
 * Who will open the modems' devices: run as root, the configuration's
 * `user`; without one, the owner of the configuration file when that is not
 * root (the package's unit runs the gateway as the owner of
 * /etc/tinbao/tinbao.conf); otherwise whoever runs this.
 */
static const char *
check_user(const char *conf, const struct config *cfg)
{
	static char owner[64];
	struct passwd *pw;
	struct stat sb;

	if (geteuid() != 0)
		return NULL;
	if (cfg->user != NULL)
		return cfg->user;
	if (stat(conf, &sb) == -1 || sb.st_uid == 0)
		return NULL;
	pw = getpwuid(sb.st_uid);
	if (pw == NULL)
		return NULL;
	snprintf(owner, sizeof(owner), "%s", pw->pw_name);
	return owner;
}

/*
 * What the configuration says of today (Vietnam time): a year without a plan
 * (its reports are counted, not compared with targets), and communes that
 * all ended (the administrative map changed: a later period needs its own
 * configuration and database).  Warnings only.
 */
static void
check_today(const char *conf, const struct config *cfg)
{
	int64_t now = clock_now();
	char today[16];
	struct tm tm;
	size_t i, ended = 0;

	clock_local(now, &tm);
	clock_date(now, today, sizeof(today));
	if (config_plan_for(cfg, tm.tm_year + 1900) == NULL)
		fprintf(stderr,
			"%s: warning: no plan for %d, this year: its reports are counted but not "
			"compared with targets; add a block { year = %d; ... } to plan\n",
			conf, tm.tm_year + 1900, tm.tm_year + 1900);
	for (i = 0; i < cfg->ncommunes; i++) {
		if (cfg->communes[i].valid_to != NULL &&
		    strcmp(cfg->communes[i].valid_to, today) < 0)
			ended++;
	}
	if (cfg->ncommunes > 0 && ended == cfg->ncommunes)
		fprintf(
		    stderr,
		    "%s: warning: every commune's valid_to is before today (%s): the district's "
		    "units have changed since; a later period needs its own configuration "
		    "and database\n",
		    conf, today);
}

int
cli_check_config(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	size_t errors = 0;
	int modem = 0;

	if (argc == 2 && strcmp(argv[1], "--modem") == 0) {
		modem = 1;
	} else if (argc != 1) {
		fprintf(stderr, "usage: tinbao -c config check-config [--modem]\n");
		return 2;
	}
	/* A copy under review may be readable; the one `run` reads may not. */
	if (secure_private_file(conf, "configuration") == -1)
		fprintf(stderr,
			"%s: warning: `run` and `push` refuse this file until it is "
			"private: chmod 600 %s\n",
			conf, conf);
	cfg = load(conf, &errors);
	/* The modems' gammurcs, as the user that will open the devices. */
	if (cfg != NULL)
		errors += (size_t)modemcheck_rc(cfg, check_user(conf, cfg), stderr);
	if (cfg == NULL || errors > 0) {
		fprintf(stderr, "%s: %zu error%s\n", conf, errors, errors == 1 ? "" : "s");
		config_free(cfg);
		return 1;
	}
	/* The files it includes and names, as `run` checks them. */
	if (secure_config_files(cfg) == -1)
		fprintf(stderr,
			"%s: warning: `run` and `push` refuse this configuration until the "
			"files above are private\n",
			conf);
	check_today(conf, cfg);
	printf("configuration OK\n");
	config_free(cfg);
	return modem ? cli_modem_test(conf, 1, argv) : 0;
}

int
cli_run(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	int once = 0, level;

	if (argc == 2 && strcmp(argv[1], "--once") == 0) {
		once = 1;
	} else if (argc != 1) {
		fprintf(stderr, "usage: tinbao -c config run [--once]\n");
		return 2;
	}
	if (secure_private_file(conf, "configuration") == -1)
		return 1;
	cfg = load(conf, NULL);
	if (cfg == NULL)
		return 1;
	if (secure_config_files(cfg) == -1) {
		config_free(cfg);
		return 1;
	}
	/* -d on the command line wins over the file's level. */
	level = log_parselevel(cfg->log_level);
	if (log_getlevel() != LOG_LEVEL_DEBUG && level != -1)
		log_setlevel(level);
	return gateway_run(cfg, once);
}

static void
json_item(struct buf *b, const struct parser *p, const struct parser_item *it)
{
	buf_puts(b, "{");
	json_key(b, "kind", 1);
	json_str(b, parser_kind_name(it->kind));
	if (it->commune >= 0) {
		json_key(b, "commune_code", 0);
		json_str(b, parser_commune_code(p, it->commune));
		json_key(b, "commune", 0);
		json_str(b, parser_commune_name(p, it->commune));
	}
	if (it->trade >= 0) {
		json_key(b, "trade_code", 0);
		json_str(b, parser_trade_code(p, it->trade));
		json_key(b, "trade", 0);
		json_str(b, parser_trade_name(p, it->trade));
	}
	if (it->kind <= PARSER_LABOUR || (it->kind == PARSER_CLASS_OPEN && it->count > 0)) {
		json_key(b, "count", 0);
		buf_printf(b, "%ld", it->count);
	}
	if (it->kind == PARSER_LABOUR) {
		json_key(b, "trained", 0);
		buf_printf(b, "%ld", it->trained);
	}
	if (it->class_code[0] != '\0') {
		json_key(b, "class", 0);
		json_str(b, it->class_code);
	}
	if (it->kind == PARSER_CANCEL && it->ref > 0) {
		json_key(b, "ref", 0);
		buf_printf(b, "%ld", it->ref);
	}
	if (it->kind == PARSER_HELP && it->topic >= 0) {
		json_key(b, "topic", 0);
		json_str(b, parser_keyword_name(it->topic));
	}
	if (it->day > 0) {
		json_key(b, "date", 0);
		if (it->year > 0)
			buf_printf(b, "\"%04d-%02d-%02d\"", it->year, it->month, it->day);
		else
			buf_printf(b, "\"--%02d-%02d\"", it->month, it->day);
	}
	buf_puts(b, "}");
}

/* The JSON line `parse` prints for one message. */
static void
json_result(struct buf *b, const struct config *cfg, const struct parser_result *res)
{
	const struct parser *p = cfg->parser;
	char reply[PARSER_REPLY_MAX + 1];
	size_t i;
	int c;

	buf_reset(b);
	buf_puts(b, "{");
	json_key(b, "ok", 1);
	buf_puts(b, res->error == PARSER_OK ? "true" : "false");
	if (res->error == PARSER_OK) {
		json_key(b, "items", 0);
		buf_puts(b, "[");
		for (i = 0; i < res->nitems; i++) {
			if (i > 0)
				buf_puts(b, ",");
			json_item(b, p, &res->items[i]);
		}
		buf_puts(b, "]");
	} else {
		json_key(b, "error", 0);
		json_str(b, parser_error_name(res->error));
		json_key(b, "candidates", 0);
		buf_puts(b, "[");
		for (i = 0; i < res->ncandidates; i++) {
			c = res->candidates[i];
			if (i > 0)
				buf_puts(b, ",");
			json_str(b, res->error == PARSER_AMBIGUOUS_TRADE ||
					    res->error == PARSER_UNKNOWN_TRADE ||
					    res->error == PARSER_EXTRA_VALUE
					? parser_trade_code(p, c)
					: parser_commune_code(p, c));
		}
		buf_puts(b, "]");
	}
	parser_reply(p, res, 0, cfg->reply_diacritics, reply, sizeof(reply));
	json_key(b, "reply", 0);
	json_str(b, reply);
	buf_puts(b, "}\n");
}

int
cli_parse(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	struct parser_result res;
	struct store *st = NULL;
	struct buf out;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	const char *s;
	int status = 0;

	if (argc != 1) {
		fprintf(stderr, "usage: tinbao -c config parse < messages\n");
		return 2;
	}
	cfg = load(conf, NULL);
	if (cfg == NULL)
		return 1;
	/* Class codes are resolved from the database, read-only, when it is
	 * there; parse never creates one. */
	if (access(cfg->database, F_OK) == 0)
		st = store_open(cfg->database, STORE_READONLY);
	buf_init(&out);
	while ((len = getline(&line, &cap, stdin)) != -1) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		parser_parse(cfg->parser, line, (size_t)len, &res);
		if (pipeline_resolve_classes(cfg, st, &res) == -1) {
			status = 1;
			break;
		}
		json_result(&out, cfg, &res);
		s = buf_str(&out);
		if (s == NULL || fputs(s, stdout) == EOF) {
			fprintf(stderr, "tinbao: parse: cannot write the result\n");
			status = 1;
			break;
		}
	}
	if (ferror(stdin)) {
		fprintf(stderr, "tinbao: parse: reading stdin: %s\n", strerror(errno));
		status = 1;
	}
	free(line);
	buf_free(&out);
	store_close(st);
	config_free(cfg);
	return status;
}

static int
valid_sender(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > SENDER_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (!(s[i] == '+' && i == 0) && !(s[i] >= '0' && s[i] <= '9') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') && !(s[i] >= 'a' && s[i] <= 'z') && s[i] != ' ')
			return 0;
	}
	return 1;
}

int
cli_inject(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	struct modem *m;
	const char *from = NULL, *text = NULL;
	int64_t at = clock_now();
	char *end;
	int i, status = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
			from = argv[++i];
		} else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc) {
			errno = 0;
			at = strtoll(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0' || at < 0) {
				fprintf(stderr, "tinbao: inject: --at wants Unix seconds\n");
				return 2;
			}
		} else if (text == NULL) {
			text = argv[i];
		} else {
			text = NULL;
			break;
		}
	}
	if (from == NULL || text == NULL) {
		fprintf(stderr,
			"usage: tinbao -c config inject --from NUMBER [--at UNIXTIME] TEXT\n");
		return 2;
	}
	if (!valid_sender(from)) {
		fprintf(stderr,
			"tinbao: inject: bad sender \"%s\" (at most %d of +, digits, letters)\n",
			from, SENDER_MAX);
		return 2;
	}
	/* gammu would cut the text at the first bad byte, or read it as
	 * something else: an SMS nobody sent. */
	if (!parser_utf8_valid(text, strlen(text))) {
		fprintf(stderr, "tinbao: inject: the text is not valid UTF-8; nothing injected\n");
		return 2;
	}
	cfg = load(conf, NULL);
	if (cfg == NULL)
		return 1;
	/* A one-shot tool: say only what went wrong (or everything with -d). */
	if (log_getlevel() != LOG_LEVEL_DEBUG)
		log_setlevel(LOG_LEVEL_WARN);
	/* Refuse before connecting: a real modem is never touched by inject. */
	if (modem_config_is_dummy(cfg->gammurc, cfg->gammu_section) != 1) {
		fprintf(stderr,
			"tinbao: inject: %s does not describe gammu's dummy phone "
			"(model = dummy); inject never writes to a real modem\n",
			cfg->gammurc);
		config_free(cfg);
		return 1;
	}
	m = modem_open(cfg->gammurc, cfg->gammu_section);
	if (m != NULL && modem_inject(m, from, text, at) == 0) {
		printf("injected SMS from %s into %s\n", from, cfg->gammurc);
		status = 0;
	}
	modem_close(m);
	config_free(cfg);
	return status;
}

/* Pads a UTF-8 string to a width in characters (not bytes). */
static void
print_cell(const char *text, int width)
{
	char s[512];
	int chars = 0;
	const char *p;

	log_escape(text, s, sizeof(s));
	for (p = s; *p != '\0'; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			chars++;
	printf("%s%*s  ", s, width > chars ? width - chars : 0, "");
}

static int
print_report(void *arg, const struct store_report_row *r)
{
	char when[32], num[64], sender[4 * sizeof(r->sender)];
	struct tm tm;
	int *count = arg;

	/* Vietnam time, like every time tinbao shows, whatever the machine's TZ. */
	clock_local(r->created, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	printf("%6" PRId64 "  %s  %-8s  %d-H%d  ", r->ref, when, r->kind, r->year, r->half);
	print_cell(r->commune_code, 5);
	print_cell(r->commune, 12);
	print_cell(r->trade_code[0] ? r->trade_code : "-", 9);
	if (strcmp(r->kind, "labour") == 0)
		snprintf(num, sizeof(num), "%ld/%ld", r->trained, r->count);
	else
		snprintf(num, sizeof(num), "%ld", r->count);
	printf("%9s  %-13s%s\n", num, log_escape(r->sender, sender, sizeof(sender)),
	       r->cancelled ? "  (cancelled)" : "");
	(*count)++;
	return 0;
}

int
cli_reports(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	struct store *st;
	int count = 0, status = 1;

	if (argc != 1) {
		fprintf(stderr, "usage: tinbao -c config reports\n");
		return 2;
	}
	cfg = load(conf, NULL);
	if (cfg == NULL)
		return 1;
	st = store_open(cfg->database, STORE_READONLY);
	if (st == NULL)
		goto done;
	printf("%6s  %-16s  %-8s  %-7s  %-5s  %-12s  %-9s  %9s  %s\n", "ref", "received", "kind",
	       "period", "code", "commune", "trade", "count", "sender");
	if (store_reports_foreach(st, print_report, &count) == 0) {
		printf("%d report%s\n", count, count == 1 ? "" : "s");
		status = 0;
	}
done:
	store_close(st);
	config_free(cfg);
	return status;
}

int
cli_backup(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	struct store *st = NULL;
	char path[4096];
	int status = 1, bad = 0;

	if (!(argc == 1 || (argc == 3 && strcmp(argv[1], "--to") == 0 && argv[2][0] != '\0'))) {
		fprintf(stderr, "usage: tinbao -c config backup [--to FILE]\n");
		return 2;
	}
	cfg = load(conf, NULL);
	if (cfg == NULL)
		return 1;
	if (backup_check_database(cfg) == -1)
		goto done;
	if (argc == 3 && backup_check_target(cfg, argv[2]) == -1)
		goto done;
	/* Read-only: a copy while the gateway runs takes nothing from it. */
	st = store_open(cfg->database, STORE_READONLY);
	if (st == NULL)
		goto done;
	if (argc == 3) {
		if (backup_write(st, argv[2], &bad) == -1)
			goto done;
		snprintf(path, sizeof(path), "%s", argv[2]);
	} else if (backup_now(cfg, st, clock_now(), path, sizeof(path), &bad) == -1) {
		goto done;
	}
	printf("%s\n", path);
	status = 0;
done:
	store_close(st);
	/* The copy showed the database damaged: the admins are told, through
	 * a handle that can write (the one above is read-only). */
	if (bad) {
		st = store_open(cfg->database, 0);
		if (st == NULL || backup_report_bad(cfg, st, clock_now()) == -1)
			fprintf(stderr, "tinbao: the admins could not be alerted\n");
		store_close(st);
	}
	config_free(cfg);
	return status;
}

/* ---- report ------------------------------------------------- */

static int
report_usage(void)
{
	fprintf(stderr, "usage: tinbao -c config report --period YYYY-H1|YYYY-H2|YYYY "
			"[--format text|csv|html|xlsx|pdf] [--csv-sep ,|;] [--output FILE]\n");
	return 2;
}

/* Writes FILE.tmp and renames it over FILE: a failed run leaves no half file. */
static int
report_to_file(const struct report *r, enum report_format fmt, const char *path)
{
	char tmp[4096];
	FILE *f;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		fprintf(stderr, "tinbao: report: %s: name too long\n", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (f == NULL) {
		fprintf(stderr, "tinbao: report: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	if (report_write(r, fmt, f) == -1 || fclose(f) == EOF) {
		fprintf(stderr, "tinbao: report: cannot write %s\n", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) == -1) {
		fprintf(stderr, "tinbao: report: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
cli_report(const char *conf, int argc, char **argv)
{
	const char *period = NULL, *format = "text", *output = NULL, *sep = NULL;
	enum report_format fmt;
	struct config *cfg;
	struct store *st = NULL;
	struct report *r = NULL;
	int i, year, half, status = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--period") == 0 && i + 1 < argc)
			period = argv[++i];
		else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
			format = argv[++i];
		else if (strcmp(argv[i], "--output") == 0 && i + 1 < argc)
			output = argv[++i];
		else if (strcmp(argv[i], "--csv-sep") == 0 && i + 1 < argc)
			sep = argv[++i];
		else
			return report_usage();
	}
	if (period == NULL || report_parse_period(period, &year, &half) == -1 ||
	    report_parse_format(format, &fmt) == -1)
		return report_usage();
	cfg = load(conf, NULL);
	if (cfg == NULL)
		return 1;
	if (log_getlevel() != LOG_LEVEL_DEBUG)
		log_setlevel(LOG_LEVEL_WARN);
	st = store_open(cfg->database, STORE_READONLY);
	if (st == NULL)
		goto done;
	r = report_build(cfg, st, year, half);
	if (r == NULL)
		goto done;
	if (sep != NULL && report_set_csv_separator(r, sep) == -1) {
		fprintf(stderr, "tinbao: report: --csv-sep must be \",\" or \";\"\n");
		goto done;
	}
	/* Like check-config: the figures that look wrong, on stderr. */
	report_checks_write(r, stderr);
	if (output == NULL)
		status = report_write(r, fmt, stdout) == 0 ? 0 : 1;
	else
		status = report_to_file(r, fmt, output) == 0 ? 0 : 1;
done:
	report_free(r);
	store_close(st);
	config_free(cfg);
	return status;
}

/* ---- push -------------------------------------------------- */

/*
 * Whether the backoff after failed attempts (the running gateway's or an
 * earlier push --once's) still holds: 1 (said on stderr), 0, -1.  A push
 * --once every minute from cron must not hammer a server that is down.
 */
static int
push_backoff(struct store *st)
{
	struct store_push_state ps;
	struct store_push_stats s;
	char when[40];

	if (store_push_state_get(st, &ps) == -1 || store_push_stats(st, &s) == -1)
		return -1;
	if (s.pending == 0 || ps.failures == 0 || ps.next_attempt <= (int64_t)time(NULL))
		return 0;
	push_time(ps.next_attempt, when, sizeof(when));
	fprintf(stderr,
		"tinbao: push: %d failed attempt%s, the next one is not before %s: nothing sent; "
		"push --once --now tries at once\n",
		ps.failures, ps.failures == 1 ? "" : "s", when);
	return 1;
}

static int
push_once(const struct config *cfg, int now)
{
	struct push_report r;
	struct store *st;
	struct push *p = NULL;
	int status = 1, rc;

	st = store_open(cfg->database, 0);
	if (st == NULL)
		goto done;
	if (!now) {
		rc = push_backoff(st);
		if (rc != 0)
			goto done;
	}
	if (push_new(cfg, st, NULL, &p) == -1)
		goto done;
	rc = push_run(p, &r);
	printf("pushed %" PRId64 " event%s in %" PRId64 " request%s; %" PRId64 " parked, %" PRId64
	       " pending\n",
	       r.sent, r.sent == 1 ? "" : "s", r.requests, r.requests == 1 ? "" : "s", r.parked,
	       r.pending);
	if (rc == 0)
		status = 0;
	else
		fprintf(stderr, "tinbao: push: the server could not be reached or refused; the "
				"events stay queued\n");
done:
	push_free(p);
	store_close(st);
	return status;
}

static int
print_parked(void *arg, int64_t id, const char *type, int64_t at, const char *answer)
{
	const char *gateway = ((const char **)arg)[0];
	char when[40];

	/* The answer is the district server's text. */
	push_time(at, when, sizeof(when));
	printf("%s:%" PRId64 "\t", gateway, id);
	log_fputs(type, stdout);
	printf("\t%s\t", when);
	log_fputs(answer, stdout);
	putchar('\n');
	return 0;
}

static int
push_failed(const struct config *cfg)
{
	const char *arg[1] = {cfg->push.gateway_id != NULL ? cfg->push.gateway_id : "-"};
	struct store_push_stats s;
	struct store *st;
	int status = 1;

	st = store_open(cfg->database, STORE_READONLY);
	if (st == NULL)
		return 1;
	if (store_push_parked_foreach(st, print_parked, arg) == 0 &&
	    store_push_stats(st, &s) == 0) {
		printf("%" PRId64 " parked event%s\n", s.parked, s.parked == 1 ? "" : "s");
		status = 0;
	}
	store_close(st);
	return status;
}

/* "all" (0), "<gateway id>:<n>" or "<n>"; -1 when it is none of them. */
static int64_t
event_id(const struct config *cfg, const char *s)
{
	const char *gw = cfg->push.gateway_id, *colon = strrchr(s, ':');
	char *end;
	long long v;

	if (strcmp(s, "all") == 0)
		return 0;
	if (colon != NULL) {
		if (gw == NULL || (size_t)(colon - s) != strlen(gw) ||
		    strncmp(s, gw, strlen(gw)) != 0)
			return -1;
		s = colon + 1;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return -1;
	return (int64_t)v;
}

static int
push_retry(const struct config *cfg, const char *arg)
{
	struct store *st;
	int64_t id = event_id(cfg, arg);
	int n;

	if (id == -1) {
		fprintf(stderr,
			"tinbao: push --retry: \"%s\" is not an event id (%s:N, N or all)\n", arg,
			cfg->push.gateway_id != NULL ? cfg->push.gateway_id : "gateway");
		return 2;
	}
	st = store_open(cfg->database, 0);
	if (st == NULL)
		return 1;
	n = store_push_retry(st, id);
	store_close(st);
	if (n == -1)
		return 1;
	if (n == 0) {
		fprintf(stderr, "tinbao: push --retry: %s: no such parked event\n", arg);
		return 1;
	}
	printf("%d event%s back in the queue\n", n, n == 1 ? "" : "s");
	return 0;
}

int
cli_push(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	int status, level;

	if (!((argc == 2 && (strcmp(argv[1], "--once") == 0 || strcmp(argv[1], "--failed") == 0)) ||
	      (argc == 3 && strcmp(argv[1], "--once") == 0 && strcmp(argv[2], "--now") == 0) ||
	      (argc == 3 && strcmp(argv[1], "--retry") == 0))) {
		fprintf(stderr, "usage: tinbao -c config push --once [--now] | --failed | "
				"--retry ID|all\n");
		return 2;
	}
	if (secure_private_file(conf, "configuration") == -1)
		return 1;
	cfg = load(conf, NULL);
	if (cfg == NULL)
		return 1;
	if (secure_config_files(cfg) == -1) {
		config_free(cfg);
		return 1;
	}
	level = log_parselevel(cfg->log_level);
	if (log_getlevel() != LOG_LEVEL_DEBUG && level != -1)
		log_setlevel(level);
	if (strcmp(argv[1], "--once") == 0 && cfg->push.url == NULL) {
		fprintf(stderr, "tinbao: push: %s has no push group\n", conf);
		status = 1;
	} else if (strcmp(argv[1], "--once") == 0) {
		status = push_once(cfg, argc == 3);
	} else if (strcmp(argv[1], "--failed") == 0) {
		status = push_failed(cfg);
	} else {
		status = push_retry(cfg, argv[2]);
	}
	config_free(cfg);
	return status;
}

/* ---- ussd ------------------------------------------------------------- */

/* Dials code on the modem, the gateway not running.  0 or -1 with why. */
static int
ussd_direct(const struct config *cfg, const struct config_modem *cm, const char *code,
	    const char *masked, char *answer, size_t answersz, const char **why)
{
	struct modem *m;
	struct store *st;
	int r;

	*why = "error";
	m = modem_open(cm->gammurc, cm->section);
	if (m == NULL) {
		fprintf(stderr, "tinbao: ussd: cannot open the modem\n");
		return -1;
	}
	r = ussd_dial(m, code, cfg->balance.timeout, answer, answersz, why);
	modem_close(m);
	st = store_open(cfg->database, 0);
	if (st != NULL) {
		struct store_ussd u = {
		    cm->name, clock_now(),	   "manual", masked, r == 0 ? answer : NULL, 0,
		    0,	      r == 0 ? "ok" : *why};
		store_ussd_add(st, &u);
	}
	store_close(st);
	return r;
}

/*
 * The gateway runs and holds the modem: the request goes through the
 * database, the gateway dials it at its next turn, and the answer comes back
 * the same way.  0 or -1 with why.
 */
static int
ussd_through_gateway(const struct config *cfg, const struct config_modem *cm, const char *code,
		     char *answer, size_t answersz, const char **why)
{
	static char status[16];
	struct timespec step = {0, 200 * 1000 * 1000};
	struct store *st;
	int64_t id, waited_ms = 0, max_ms;
	int r = -1;

	*why = "no_gateway";
	st = store_open(cfg->database, 0);
	if (st == NULL || store_ussd_request(st, cm->name, code, clock_now(), &id) == -1) {
		store_close(st);
		*why = "error";
		return -1;
	}
	/* A turn, the dial, and some slack for a busy gateway. */
	max_ms = ((int64_t)cfg->poll_interval + cfg->balance.timeout + 15) * 1000;
	while (waited_ms < max_ms) {
		nanosleep(&step, NULL);
		waited_ms += 200;
		if (store_ussd_get(st, id, status, sizeof(status), answer, answersz) != 1)
			break;
		if (strcmp(status, "requested") == 0)
			continue;
		*why = status;
		r = strcmp(status, "ok") == 0 ? 0 : -1;
		break;
	}
	if (strcmp(*why, "no_gateway") == 0)
		store_ussd_answer(st, id, NULL, "expired", 1);
	store_close(st);
	return r;
}

int
cli_ussd(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	const struct config_modem *cm = NULL;
	char answer[USSD_ANSWER_MAX], masked[64];
	const char *code, *why = "error", *name = NULL;
	size_t n, i;
	int r, status = 1, lock;

	if (argc == 4 && strcmp(argv[1], "--modem") == 0) {
		name = argv[2];
		code = argv[3];
	} else if (argc == 2) {
		code = argv[1];
	} else {
		fprintf(stderr, "usage: tinbao -c config ussd [--modem NAME] CODE\n");
		return 2;
	}
	n = strlen(code);
	if (n < 2 || n > 40 || strspn(code, "0123456789*#") != n || code[n - 1] != '#') {
		fprintf(stderr,
			"tinbao: ussd: \"%s\" is not a USSD code (digits, * and #, "
			"ending in #)\n",
			code);
		return 2;
	}
	ussd_mask(code, masked, sizeof(masked));
	cfg = load(conf, NULL);
	if (cfg == NULL)
		return 1;
	/* The first configured modem, or the one named. */
	for (i = 0; i < cfg->nmodems && cm == NULL; i++)
		if (name == NULL || strcmp(cfg->modems[i].name, name) == 0)
			cm = &cfg->modems[i];
	if (cm == NULL) {
		fprintf(stderr, "tinbao: ussd: no modem named \"%s\" in %s\n", name, conf);
		goto done;
	}
	if (modem_config_is_dummy(cm->gammurc, cm->section) == 1) {
		fprintf(stderr, "tinbao: ussd: %s is gammu's dummy phone, which has no network\n",
			cm->gammurc);
		goto done;
	}
	/* The running gateway holds the modem: never talk to it behind its back. */
	lock = gateway_lock(cfg->database);
	if (lock != -1) {
		r = ussd_direct(cfg, cm, code, masked, answer, sizeof(answer), &why);
		close(lock);
	} else if (strcmp(masked, code) != 0) {
		fprintf(stderr, "tinbao: ussd: the gateway is running; a code with a card PIN is "
				"not handed to it through the database (send NAPTIEN by SMS, or "
				"stop the gateway)\n");
		goto done;
	} else {
		r = ussd_through_gateway(cfg, cm, code, answer, sizeof(answer), &why);
	}
	if (r == 0) {
		/* The network's text, for a terminal. */
		log_fputs(answer, stdout);
		putchar('\n');
		status = 0;
	} else if (strcmp(why, "refused") == 0) {
		fprintf(stderr, "tinbao: ussd: %s: the network refused the code\n", masked);
	} else if (strcmp(why, "no_answer") == 0) {
		fprintf(stderr, "tinbao: ussd: %s: no answer within %d s\n", masked,
			cfg->balance.timeout);
	} else if (strcmp(why, "no_gateway") == 0) {
		fprintf(stderr, "tinbao: ussd: %s: the running gateway did not dial it in time\n",
			masked);
	} else {
		fprintf(stderr, "tinbao: ussd: %s: the modem failed\n", masked);
	}
done:
	config_free(cfg);
	return status;
}

struct config *
cli_config(const char *path)
{
	return load(path, NULL);
}

struct config *
cli_config_alone(const char *path, const char *cmd, const char *why, int *lock)
{
	struct config *cfg = load(path, NULL);

	*lock = -1;
	if (cfg == NULL)
		return NULL;
	*lock = gateway_lock(cfg->database);
	if (*lock == -1) {
		fprintf(stderr, "tinbao: %s: %s\n", cmd, why);
		config_free(cfg);
		return NULL;
	}
	return cfg;
}
