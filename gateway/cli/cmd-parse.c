/*
 * cmd-parse.c - trying messages without a modem: tinbao parse prints what
 * the gateway would make of each line of stdin, as JSON Lines; tinbao
 * inject puts an SMS into gammu's dummy phone, for the gateway to receive.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "pipeline.h"
#include "json.h"
#include "modem.h"
#include "parser.h"
#include "store.h"

#define SENDER_MAX 20

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

	if (argc != 1)
		return cli_usage("parse < messages");
	cfg = cli_config(conf);
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
	if (from == NULL || text == NULL)
		return cli_usage("inject --from NUMBER [--at UNIXTIME] TEXT");
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
	cfg = cli_config(conf);
	if (cfg == NULL)
		return 1;
	cli_quiet();
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
