/*
 * fuzz_parser.c - libFuzzer target for parser_parse() and parser_reply(),
 * with parser_fold() and parser_ascii() on the same bytes.
 *
 *	clang -fsanitize=fuzzer,address -Iparser tests/fuzz/fuzz_parser.c \
 *	    parser/parser.c parser/fold.c parser/reply.c -o fuzz_parser
 *	./fuzz_parser -dict=tests/fuzz/parser.dict
 *
 * Besides memory errors it checks what callers rely on: a result that says
 * what it means (indexes in range, no item on error), and replies that fit
 * one SMS (plain printable ASCII of at most 160 characters, or UTF-8 of at
 * most 70).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

#define MAX_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const communes[][4] = {
    /* code, type, name, former name */
    {"06385", "tt", "Hữu Lũng", NULL},	{"06406", "xa", "Thiện Tân", "Thiện Kỵ"},
    {"06415", "xa", "Minh Tiến", NULL}, {"06433", "xa", "Vân Nham", "Đô Lương"},
    {"06448", "xa", "Minh Sơn", NULL},	{"06457", "xa", "Minh Hòa", NULL},
};

static const char *const trades[][3] = {
    /* code, name, alias */
    {"HAN", "Hàn điện", "thohan"},
    {"MAYCN", "May công nghiệp", "maycn"},
    {"MAYDD", "May dân dụng", "maymac"},
    {"MTD", "Mây tre đan", "danlat"},
    {"LAMNGHIEP", "Trồng rừng, cây lâm nghiệp (keo, hồi, quế) [{~}]", "keo"},
};

static const char *const keywords[PARSER_NKINDS][4] = {
    {"ENROL", "DK", "TS", NULL}, {"GRAD", "TN", NULL},	 {"JOB", "VL", NULL},
    {"NEED", "NC", NULL},	 {"LABOUR", "LD", NULL}, {"STATUS", "TK", NULL},
    {"HELP", "HD", "?", NULL},
};

static struct parser *
build(void)
{
	struct parser *p = parser_new();
	size_t i, j;

	if (p == NULL)
		abort();
	for (i = 0; i < sizeof(communes) / sizeof(communes[0]); i++) {
		if (parser_add_commune(p, communes[i][0], communes[i][1], communes[i][2]) != (int)i)
			abort();
		if (communes[i][3] != NULL &&
		    parser_add_commune_alias(p, (int)i, communes[i][3]) < 0)
			abort();
	}
	for (i = 0; i < sizeof(trades) / sizeof(trades[0]); i++) {
		if (parser_add_trade(p, trades[i][0], trades[i][1]) != (int)i ||
		    parser_add_trade_alias(p, (int)i, trades[i][2]) < 0)
			abort();
	}
	for (i = 0; i < PARSER_NKINDS; i++) {
		for (j = 0; keywords[i][j] != NULL; j++) {
			if (parser_add_keyword(p, (enum parser_kind)i, keywords[i][j]) == -1)
				abort();
		}
	}
	if (parser_add_filler(p, "xa") == -1 || parser_add_filler(p, "thi tran") == -1 ||
	    parser_add_filler(p, "tt") == -1 || parser_prepare(p) == -1)
		abort();
	return p;
}

/* Folded text: lower-case letters and digits, words separated by one space. */
static void
check_folded(const char *s, size_t n, int nospace)
{
	size_t i;

	if (strlen(s) != n || (n > 0 && (s[0] == ' ' || s[n - 1] == ' ')))
		abort();
	for (i = 0; i < n; i++) {
		if (s[i] == ' ' && !nospace && s[i + 1] != ' ')
			continue;
		if ((s[i] < 'a' || s[i] > 'z') && (s[i] < '0' || s[i] > '9'))
			abort();
	}
}

static void
check_result(const struct parser *p, const struct parser_result *res, int rc)
{
	const struct parser_item *it = &res->items[0];
	size_t i;

	if ((rc == 0) != (res->error == PARSER_OK) || res->error >= PARSER_NERRORS)
		abort();
	if (memchr(res->bad, '\0', sizeof(res->bad)) == NULL)
		abort();
	check_folded(res->bad, strlen(res->bad), 0);
	if (res->ncandidates > PARSER_MAX_CANDIDATES || res->ncandidates == 1)
		abort();
	for (i = 0; i < res->ncandidates; i++) {
		if (res->error == PARSER_AMBIGUOUS_TRADE
			? parser_trade_code(p, res->candidates[i]) == NULL
			: parser_commune_code(p, res->candidates[i]) == NULL)
			abort();
	}
	if (rc != 0) {
		if (res->nitems != 0 || it->commune != -1 || it->trade != -1)
			abort();
		return;
	}
	if (res->nitems != 1 || (int)it->kind != res->kind)
		abort();
	if (it->commune != -1 && parser_commune_code(p, it->commune) == NULL)
		abort();
	if (it->trade != -1 && parser_trade_code(p, it->trade) == NULL)
		abort();
	if (it->kind <= PARSER_NEED &&
	    (it->commune < 0 || it->trade < 0 || it->count < 1 || it->count > parser_max_count(p)))
		abort();
	if (it->kind == PARSER_LABOUR && (it->commune < 0 || it->trained > it->count))
		abort();
}

static void
check_reply(const struct parser *p, const struct parser_result *res, int dia)
{
	char buf[PARSER_REPLY_MAX + 1];
	size_t n = parser_reply(p, res, 123456, dia, buf, sizeof(buf)), i, chars = 0;

	if (n == 0 || n != strlen(buf))
		abort();
	if (dia) {
		if (!parser_utf8_valid(buf, n))
			abort();
		for (i = 0; i < n; i++)
			chars += ((unsigned char)buf[i] & 0xc0) != 0x80;
		if (chars > 70)
			abort();
		return;
	}
	for (i = 0; i < n; i++) {
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			abort();
	}
	if (n > 160)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct parser *p;
	struct parser_result res;
	char *text, out[MAX_INPUT + 1];
	size_t n, i;
	int rc;

	if (size > MAX_INPUT)
		return 0;
	if (p == NULL)
		p = build();
	/* data is not NUL-terminated: parser_parse() must keep to size. */
	rc = parser_parse(p, (const char *)data, size, &res);
	check_result(p, &res, rc);
	check_reply(p, &res, 0);
	check_reply(p, &res, 1);

	n = parser_fold((const char *)data, size, out, sizeof(out), 0);
	check_folded(out, n, 0);
	n = parser_fold((const char *)data, size, out, sizeof(out), 1);
	check_folded(out, n, 1);

	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	n = parser_ascii(text, out, sizeof(out));
	for (i = 0; i < n; i++) {
		if (out[i] < 0x20 || out[i] > 0x7e)
			abort();
	}
	free(text);
	return 0;
}
