/*
 * test_corpus.c - every message of the .tsv files of tests/corpus against the shipped
 * configuration (contrib/tinbao.conf, loaded as the gateway loads it).
 *
 * A line is "text<TAB>expected" (tests/corpus/README.md): the items the
 * message must give, or the error with its candidates and the part it is
 * in.  Every message is also answered by parser_reply(), with and without a
 * reference, in both alphabets, and every answer must fit one SMS (two for
 * HELP alone).  Run from the root of the repository.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "log.h"
#include "parser.h"

#define DIR_CORPUS "tests/corpus"
#define CONTRIB "contrib/tinbao.conf"
#define MAX_LINE 4096
#define MAX_LINES 2000

struct line {
	char *file;
	int lineno;
	char *text;	/* unescaped */
	char *expected; /* as written */
};

struct corpus {
	struct config *cfg;
	struct line *v;
	size_t n;
};

static int
hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* \t, \n, \r, \\ and \xHH (any byte) in the text of a line; the rest as
 * it is. */
static void
unescape(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if (*s != '\\' || s[1] == '\0') {
			*o++ = *s;
			continue;
		}
		s++;
		if (*s == 'x' && hex(s[1]) >= 0 && hex(s[2]) >= 0) {
			*o++ = (char)(hex(s[1]) * 16 + hex(s[2]));
			s += 2;
			continue;
		}
		*o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s;
	}
	*o = '\0';
}

static int
tsv(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 4 && strcmp(e->d_name + n - 4, ".tsv") == 0;
}

static void
load_file(struct corpus *c, const char *name)
{
	char path[512], buf[MAX_LINE], *tab;
	FILE *f;
	int lineno = 0;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", DIR_CORPUS, name);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("%s: cannot open", path);
	while (fgets(buf, sizeof(buf), f) != NULL) {
		lineno++;
		n = strlen(buf);
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		if (buf[0] == '#' || buf[0] == '\0')
			continue;
		tab = strrchr(buf, '\t');
		if (tab == NULL || c->n == MAX_LINES)
			fail_msg("%s:%d: no tab, or too many lines", path, lineno);
		*tab = '\0';
		c->v[c->n].file = strdup(name);
		c->v[c->n].lineno = lineno;
		c->v[c->n].text = strdup(buf);
		c->v[c->n].expected = strdup(tab + 1);
		assert_non_null(c->v[c->n].expected);
		unescape(c->v[c->n].text);
		c->n++;
	}
	fclose(f);
}

static int
setup(void **state)
{
	struct config_diags d = {NULL, 0};
	struct dirent **names;
	struct corpus *c = calloc(1, sizeof(*c));
	int i, n;

	log_init(0, LOG_LEVEL_WARN);
	if (c == NULL)
		return -1;
	c->cfg = config_load(CONTRIB, &d);
	config_diags_free(&d);
	c->v = calloc(MAX_LINES, sizeof(*c->v));
	if (c->cfg == NULL || c->v == NULL)
		return -1;
	n = scandir(DIR_CORPUS, &names, tsv, alphasort);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		load_file(c, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct corpus *c = *state;
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].file);
		free(c->v[i].text);
		free(c->v[i].expected);
	}
	free(c->v);
	config_free(c->cfg);
	free(c);
	return 0;
}

/* What a result is, written the way the corpus writes it. */
static void
describe(const struct parser *p, const struct parser_result *res, char *out, size_t size)
{
	const struct parser_item *it;
	size_t i, n = 0;

#define OUT(...) n += (size_t)snprintf(out + n, n < size ? size - n : 0, __VA_ARGS__)
	out[0] = '\0';
	if (res->error != PARSER_OK) {
		OUT("error:%s", parser_error_name(res->error));
		for (i = 0; i < res->ncandidates; i++)
			OUT("%c%s", i == 0 ? ':' : ',',
			    res->error == PARSER_AMBIGUOUS_TRADE ||
				    res->error == PARSER_UNKNOWN_TRADE ||
				    res->error == PARSER_EXTRA_VALUE
				? parser_trade_code(p, res->candidates[i])
				: parser_commune_code(p, res->candidates[i]));
		if (res->part > 0)
			OUT("@%d", res->part);
		return;
	}
	for (i = 0; i < res->nitems; i++) {
		it = &res->items[i];
		OUT("%s%s,%s,%s,%ld", i > 0 ? ";" : "", parser_kind_name(it->kind),
		    it->commune >= 0 ? parser_commune_code(p, it->commune) : "-",
		    it->trade >= 0 ? parser_trade_code(p, it->trade) : "-", it->count);
		if (it->kind == PARSER_LABOUR)
			OUT(",%ld", it->trained);
		if (it->class_code[0] != '\0')
			OUT(",class=%s", it->class_code);
		if (it->ref > 0)
			OUT(",ref=%ld", it->ref);
		if (it->kind == PARSER_HELP && it->topic >= 0)
			OUT(",topic=%s", parser_keyword_name(it->topic));
		if (it->day > 0 && it->year > 0)
			OUT(",date=%d/%d/%d", it->day, it->month, it->year);
		else if (it->day > 0)
			OUT(",date=%d/%d", it->day, it->month);
	}
#undef OUT
}

/* SMS characters in the mode, or -1 when the text is not of its alphabet:
 * printable ASCII without '`' (all of it in the GSM 7-bit alphabet, the
 * extension characters counting twice), or UTF-8 counted in UTF-16 units. */
static long
sms_length(const char *s, int dia)
{
	const unsigned char *u = (const unsigned char *)s;
	long n = 0;

	if (dia) {
		if (!parser_utf8_valid(s, strlen(s)))
			return -1;
		for (; *u != '\0'; u++) {
			if ((*u & 0xc0) != 0x80)
				n += *u >= 0xf0 ? 2 : 1;
		}
		return n;
	}
	for (; *u != '\0'; u++) {
		if (*u < 0x20 || *u > 0x7e || *u == '`')
			return -1;
		n += strchr("[]{}\\^~|", *u) != NULL ? 2 : 1;
	}
	return n;
}

static void
check_replies(const struct parser *p, const struct parser_result *res, const struct line *l)
{
	static const long refs[] = {0, 7, 12345, 2147483647L};
	char buf[PARSER_REPLY_MAX + 1];
	long len, max;
	size_t r;
	int dia;

	for (dia = 0; dia <= 1; dia++) {
		max = dia ? 70 : 160;
		if (res->error == PARSER_OK && res->items[0].kind == PARSER_HELP &&
		    res->items[0].topic < 0)
			max = PARSER_HELP_SMS * (dia ? 67 : 153);
		for (r = 0; r < sizeof(refs) / sizeof(refs[0]); r++) {
			parser_reply(p, res, refs[r], dia, buf, sizeof(buf));
			len = sms_length(buf, dia);
			if (len <= 0 || len > max)
				fail_msg("%s:%d \"%s\": reply of %ld characters (max %ld): \"%s\"",
					 l->file, l->lineno, l->text, len, max, buf);
			if (res->error != PARSER_OK && strncmp(buf, dia ? "Lỗi" : "Loi", 3) != 0)
				fail_msg("%s:%d: error reply \"%s\"", l->file, l->lineno, buf);
		}
	}
}

static void
test_corpus(void **state)
{
	const struct corpus *c = *state;
	const struct parser *p = c->cfg->parser;
	struct parser_result res;
	char got[2048];
	size_t i, bad = 0;

	for (i = 0; i < c->n; i++) {
		parser_parse(p, c->v[i].text, strlen(c->v[i].text), &res);
		describe(p, &res, got, sizeof(got));
		if (strcmp(got, c->v[i].expected) != 0) {
			print_message("%s:%d \"%s\"\n  got      %s\n  expected %s\n", c->v[i].file,
				      c->v[i].lineno, c->v[i].text, got, c->v[i].expected);
			bad++;
		}
		check_replies(p, &res, &c->v[i]);
	}
	if (bad > 0)
		fail_msg("%zu of %zu corpus messages differ", bad, c->n);
	print_message("%zu corpus messages\n", c->n);
}

/* Whether code stands as a field of an expected item (after kind). */
static int
in_items(const char *expected, const char *code)
{
	const char *s = expected;
	size_t n = strlen(code);

	if (strncmp(expected, "error:", 6) == 0)
		return 0;
	while ((s = strstr(s, code)) != NULL) {
		if (s > expected && s[-1] == ',' && (s[n] == ',' || s[n] == ';' || s[n] == '\0'))
			return 1;
		s += n;
	}
	return 0;
}

static size_t
count_prefix(const struct corpus *c, const char *prefix)
{
	size_t i, n = 0;

	for (i = 0; i < c->n; i++)
		n += strncmp(c->v[i].expected, prefix, strlen(prefix)) == 0;
	return n;
}

/* The corpus itself: big enough, every commune and trade in an understood
 * message, the confusable pairs both ways, every kind and error. */
static void
test_coverage(void **state)
{
	static const char *const pairs[][2] = {
	    {"06445", "06451"}, /* Hòa Sơn, Hồ Sơn */
	    {"06424", "06436"}, /* Đồng Tân, Đồng Tiến */
	    {"06385", "06388"}, /* Hữu Lũng, Hữu Liên */
	    {"06406", "06442"}, /* Thiện Tân, Tân Thành */
	};
	const struct corpus *c = *state;
	const struct config *cfg = c->cfg;
	char want[64];
	size_t i, j, k, seen;

	assert_true(c->n >= 300);
	for (i = 0; i < cfg->ncommunes; i++) {
		for (k = seen = 0; k < c->n && !seen; k++)
			seen = in_items(c->v[k].expected, cfg->communes[i].code);
		if (!seen)
			fail_msg("commune %s is in no understood message", cfg->communes[i].code);
	}
	for (i = 0; i < cfg->ntrades; i++) {
		for (k = seen = 0; k < c->n && !seen; k++)
			seen = in_items(c->v[k].expected, cfg->trades[i].code);
		if (!seen)
			fail_msg("trade %s is in no understood message", cfg->trades[i].code);
	}
	/* Each of a confusable pair understood several times, and the two
	 * together as the candidates of a message that could be either. */
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		for (k = 0; k < 2; k++) {
			for (j = seen = 0; j < c->n; j++)
				seen += in_items(c->v[j].expected, pairs[i][k]);
			if (seen < 3)
				fail_msg("commune %s is in %zu understood messages", pairs[i][k],
					 seen);
		}
		snprintf(want, sizeof(want), "%s,%s", pairs[i][0], pairs[i][1]);
		for (j = seen = 0; j < c->n; j++)
			seen += strncmp(c->v[j].expected, "error:ambiguous_commune:", 24) == 0 &&
				strstr(c->v[j].expected, want) != NULL;
		if (i < 3 && seen == 0) /* Thiện Tân, Tân Thành share no start */
			fail_msg("no message ambiguous between %s", want);
	}
	/* may / mây: ambiguous between the sewing and the rattan trades. */
	for (k = seen = 0; k < c->n; k++)
		seen += strcmp(c->v[k].expected, "error:ambiguous_trade:MAYCN,MAYDD,MTD") == 0;
	assert_true(seen >= 2);
	for (i = 0; i < PARSER_NKINDS; i++) {
		snprintf(want, sizeof(want), "%s,", parser_kind_name((enum parser_kind)i));
		if (count_prefix(c, want) < 3)
			fail_msg("fewer than 3 messages of kind %s", want);
	}
	for (i = 1; i < PARSER_NERRORS; i++) {
		if (i == PARSER_UNKNOWN_CLASS)
			continue; /* the caller's, with a database */
		snprintf(want, sizeof(want), "error:%s", parser_error_name((enum parser_error)i));
		if (count_prefix(c, want) < 3)
			fail_msg("fewer than 3 messages with %s", want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_coverage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
