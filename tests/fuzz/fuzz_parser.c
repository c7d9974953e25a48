/*
 * fuzz_parser.c - libFuzzer target for parser_parse() and parser_reply(),
 * with parser_fold() and parser_ascii() on the same bytes.
 *
 *	clang -fsanitize=fuzzer,address -Iparser tests/fuzz/fuzz_parser.c \
 *	    parser/[a-z]*.c -o fuzz_parser
 *	./fuzz_parser -dict=tests/fuzz/parser.dict
 *
 * Besides memory errors it checks what callers rely on: a result that says
 * what it means (indexes in range, items complete for their kind, no item on
 * error, candidates only for ambiguous and unknown names), replies that fit
 * one SMS (plain printable ASCII of at most 160 characters, or UTF-8 of at
 * most 70; HELP alone two concatenated SMS), and that a parser without its
 * prepared indexes (prefixes, typos: linear scans instead) gives exactly the
 * same result, which is what keeps the typo index honest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

#define MAX_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The gazetteer of contrib/tinbao.conf (Hữu Lũng). */
static const char *const communes[][4] = {
    /* code, type, name, former name */
    {"06385", "tt", "Hữu Lũng", NULL},	{"06388", "xa", "Hữu Liên", NULL},
    {"06391", "xa", "Yên Bình", NULL},	{"06394", "xa", "Quyết Thắng", NULL},
    {"06397", "xa", "Hòa Bình", NULL},	{"06400", "xa", "Yên Thịnh", NULL},
    {"06403", "xa", "Yên Sơn", NULL},	{"06406", "xa", "Thiện Tân", "Thiện Kỵ"},
    {"06412", "xa", "Yên Vượng", NULL}, {"06415", "xa", "Minh Tiến", NULL},
    {"06418", "xa", "Nhật Tiến", NULL}, {"06421", "xa", "Thanh Sơn", NULL},
    {"06424", "xa", "Đồng Tân", NULL},	{"06427", "xa", "Cai Kinh", NULL},
    {"06430", "xa", "Hòa Lạc", NULL},	{"06433", "xa", "Vân Nham", "Đô Lương"},
    {"06436", "xa", "Đồng Tiến", NULL}, {"06442", "xa", "Tân Thành", NULL},
    {"06445", "xa", "Hòa Sơn", NULL},	{"06448", "xa", "Minh Sơn", NULL},
    {"06451", "xa", "Hồ Sơn", NULL},	{"06454", "xa", "Sơn Hà", NULL},
    {"06457", "xa", "Minh Hòa", NULL},	{"06460", "xa", "Hòa Thắng", NULL},
};

static const char *const trades[][4] = {
    /* code, name, aliases */
    {"HAN", "Hàn điện", "thohan", "han"},
    {"MAYCN", "May công nghiệp", "maycn", NULL},
    {"MAYDD", "May dân dụng", "maymac", NULL},
    {"THEU", "Thêu ren", "theu", NULL},
    {"DIENDD", "Điện dân dụng", "dien", NULL},
    {"DIENCN", "Điện công nghiệp", NULL, NULL},
    {"SCXM", "Sửa chữa xe máy", "xemay", NULL},
    {"SCMNN", "Sửa chữa máy nông nghiệp", "maynongnghiep", NULL},
    {"VHMX", "Vận hành máy xúc, máy đào", "mayxuc", "maydao"},
    {"MTD", "Mây tre đan", "danlat", "maytre"},
    {"THUY", "Thú y (phòng trị bệnh gia súc, gia cầm)", NULL, NULL},
    {"CNGA", "Chăn nuôi gà, gia cầm", "nuoiga", NULL},
    {"CNTB", "Chăn nuôi trâu, bò", "traubo", NULL},
    {"CNDE", "Chăn nuôi dê", NULL, NULL},
    {"NUOICA", "Nuôi cá nước ngọt", "ca", NULL},
    {"NA", "Trồng, chăm sóc cây na", "trongna", NULL},
    {"LAMNGHIEP", "Trồng rừng, cây lâm nghiệp (keo, hồi, quế) [{~}]", "keo", "que"},
};

static const char *const keywords[PARSER_NKEYWORDS][5] = {
    {"ENROL", "DK", "TS", "đăng ký", NULL},
    {"GRAD", "TN", "tốt nghiệp", NULL},
    {"JOB", "VL", "có việc làm", NULL},
    {"NEED", "NC", NULL},
    {"LABOUR", "LD", "lao động", NULL},
    {"STATUS", "TK", NULL},
    {"HELP", "HD", "?", NULL},
    {"CANCEL", "HUY", NULL},
    {"CLASS", "LOP", NULL},
};

static const char *const fillers[] = {"xa",	  "thi tran", "tt",  "hv", "hoc vien", "nguoi",
				      "lao dong", "nghe",     "lop", "sl", "ngay",     "so luong"};

static const char *const courtesy[] = {"bao cao", "bc", "cam on", "a", "xin chao"};

static struct parser *
build(int prepare)
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
		if (parser_add_trade(p, trades[i][0], trades[i][1]) != (int)i)
			abort();
		for (j = 2; j < 4; j++) {
			if (trades[i][j] != NULL &&
			    parser_add_trade_alias(p, (int)i, trades[i][j]) < 0)
				abort();
		}
	}
	for (i = 0; i < PARSER_NKEYWORDS; i++) {
		for (j = 0; keywords[i][j] != NULL; j++) {
			if (parser_add_keyword(p, (enum parser_kind)i, keywords[i][j]) == -1)
				abort();
		}
	}
	for (i = 0; i < sizeof(fillers) / sizeof(fillers[0]); i++) {
		if (parser_add_filler(p, fillers[i]) == -1)
			abort();
	}
	for (i = 0; i < sizeof(courtesy) / sizeof(courtesy[0]); i++) {
		if (parser_add_courtesy(p, courtesy[i]) == -1)
			abort();
	}
	if (prepare && parser_prepare(p) == -1)
		abort();
	return p;
}

/* Folded text: lower-case letters and digits, words separated by one space
 * ('-' too in bad, which may name a code as typed, and '.', ',', '/' of a
 * number as typed: "3,5", "12/6"). */
static void
check_folded(const char *s, size_t n, int nospace, int dash)
{
	size_t i;

	if (strlen(s) != n || (n > 0 && (s[0] == ' ' || s[n - 1] == ' ')))
		abort();
	for (i = 0; i < n; i++) {
		if (s[i] == ' ' && !nospace && s[i + 1] != ' ')
			continue;
		if (dash && (s[i] == '-' || s[i] == '.' || s[i] == ',' || s[i] == '/'))
			continue;
		if ((s[i] < 'a' || s[i] > 'z') && (s[i] < '0' || s[i] > '9'))
			abort();
	}
}

static int
valid_commune(const struct parser *p, int c)
{
	return parser_commune_code(p, c) != NULL;
}

static int
valid_trade(const struct parser *p, int t)
{
	return parser_trade_code(p, t) != NULL;
}

/* A class code: what the pattern matches, with a letter and a digit. */
static void
check_class(const struct parser *p, const char *code)
{
	size_t i, n = strlen(code);
	int letter = 0, digit = 0;

	if (n == 0 || n > PARSER_MAX_CLASS || !parser_class_match(p, code))
		abort();
	for (i = 0; i < n; i++) {
		letter |= code[i] >= 'A' && code[i] <= 'Z';
		digit |= code[i] >= '0' && code[i] <= '9';
		if (code[i] >= 'a' && code[i] <= 'z')
			abort(); /* upper case */
	}
	if (!letter || !digit)
		abort();
}

static void
check_item(const struct parser *p, const struct parser_item *it)
{
	int klass = it->class_code[0] != '\0';

	if ((unsigned)it->kind >= PARSER_NKINDS)
		abort();
	if ((it->commune != -1 && !valid_commune(p, it->commune)) ||
	    (it->trade != -1 && !valid_trade(p, it->trade)))
		abort();
	if (klass)
		check_class(p, it->class_code);
	if (it->ref != 0 && it->kind != PARSER_CANCEL)
		abort();
	if (it->topic != -1 && (it->kind != PARSER_HELP || it->topic >= PARSER_NKEYWORDS))
		abort();
	/* A date: of a report only, a day of a month, a year of this century. */
	if (it->day != 0 &&
	    (it->kind > PARSER_LABOUR || it->day < 1 || it->day > 31 || it->month < 1 ||
	     it->month > 12 || (it->year != 0 && (it->year < 2000 || it->year > 2099))))
		abort();
	if (it->day == 0 && (it->month != 0 || it->year != 0))
		abort();
	switch (it->kind) {
	case PARSER_ENROL:
	case PARSER_GRAD:
	case PARSER_JOB:
	case PARSER_NEED:
		if (klass ? it->commune != -1 || it->trade != -1 || it->kind == PARSER_NEED
			  : it->commune < 0 || it->trade < 0)
			abort();
		if (it->count < 1 || it->count > parser_max_count(p) || it->trained != 0)
			abort();
		break;
	case PARSER_LABOUR:
		if (it->commune < 0 || it->trade != -1 || klass || it->count < 1 ||
		    it->trained > it->count || it->trained < 0)
			abort();
		break;
	case PARSER_STATUS:
	case PARSER_HELP:
		if (it->trade != -1 || klass || it->count != 0)
			abort();
		break;
	case PARSER_CANCEL:
		if (it->commune != -1 || it->trade != -1 || klass || it->ref < 0 || it->count != 0)
			abort();
		break;
	case PARSER_CLASS_OPEN:
		if (!klass || it->commune < 0 || it->trade < 0 || it->count < 0 ||
		    it->count > parser_max_count(p))
			abort();
		break;
	case PARSER_CLASS_CLOSE:
		if (!klass || it->commune != -1 || it->trade != -1 || it->count != 0)
			abort();
		break;
	default:
		abort();
	}
}

static void
check_result(const struct parser *p, const struct parser_result *res, int rc)
{
	size_t i;
	/* A second trade: the two found, in the order written. */
	int two = res->error == PARSER_EXTRA_VALUE && res->ncandidates == 2;
	int trade =
	    res->error == PARSER_AMBIGUOUS_TRADE || res->error == PARSER_UNKNOWN_TRADE || two;
	int suggest = res->error == PARSER_UNKNOWN_COMMUNE || res->error == PARSER_UNKNOWN_TRADE;
	int ambiguous =
	    res->error == PARSER_AMBIGUOUS_COMMUNE || res->error == PARSER_AMBIGUOUS_TRADE;

	if ((rc == 0) != (res->error == PARSER_OK) || res->error >= PARSER_NERRORS ||
	    res->error == PARSER_UNKNOWN_CLASS)
		abort();
	if (memchr(res->bad, '\0', sizeof(res->bad)) == NULL)
		abort();
	check_folded(res->bad, strlen(res->bad), 0, 1);
	if (res->ncandidates > PARSER_MAX_CANDIDATES || (ambiguous && res->ncandidates < 2) ||
	    (suggest && res->ncandidates > 1) ||
	    (!ambiguous && !suggest && !two && res->ncandidates > 0))
		abort();
	if (two && res->candidates[0] == res->candidates[1])
		abort();
	for (i = 0; i < res->ncandidates; i++) {
		if (trade ? !valid_trade(p, res->candidates[i])
			  : !valid_commune(p, res->candidates[i]))
			abort();
		if (!two && i > 0 && res->candidates[i] <= res->candidates[i - 1])
			abort();
	}
	if (res->part < 0 || res->part > PARSER_MAX_ITEMS + 1)
		abort();
	if (rc != 0) {
		if (res->nitems != 0 || res->items[0].commune != -1 || res->items[0].trade != -1)
			abort();
		return;
	}
	if (res->nitems < 1 || res->nitems > PARSER_MAX_ITEMS || res->part != 0 ||
	    (int)res->items[0].kind != res->kind)
		abort();
	for (i = 0; i < res->nitems; i++) {
		check_item(p, &res->items[i]);
		if (res->nitems > 1 &&
		    (res->items[i].kind == PARSER_STATUS || res->items[i].kind == PARSER_CANCEL ||
		     res->items[i].kind == PARSER_HELP))
			abort();
	}
}

/* The same result, field by field (the items past nitems too). */
static void
check_same(const struct parser_result *a, const struct parser_result *b)
{
	size_t i;

	if (a->error != b->error || a->kind != b->kind || a->nitems != b->nitems ||
	    a->ncandidates != b->ncandidates || a->part != b->part || strcmp(a->bad, b->bad) != 0 ||
	    memcmp(a->candidates, b->candidates, a->ncandidates * sizeof(a->candidates[0])) != 0)
		abort();
	for (i = 0; i < PARSER_MAX_ITEMS; i++) {
		if (a->items[i].kind != b->items[i].kind ||
		    a->items[i].commune != b->items[i].commune ||
		    a->items[i].trade != b->items[i].trade ||
		    a->items[i].count != b->items[i].count ||
		    a->items[i].trained != b->items[i].trained ||
		    a->items[i].ref != b->items[i].ref || a->items[i].topic != b->items[i].topic ||
		    a->items[i].day != b->items[i].day || a->items[i].month != b->items[i].month ||
		    a->items[i].year != b->items[i].year ||
		    strcmp(a->items[i].class_code, b->items[i].class_code) != 0)
			abort();
	}
}

static void
check_reply(const struct parser *p, const struct parser_result *res, int dia)
{
	char buf[PARSER_REPLY_MAX + 1];
	size_t n = parser_reply(p, res, 123456, dia, buf, sizeof(buf)), i, chars = 0, max;
	int help =
	    res->error == PARSER_OK && res->items[0].kind == PARSER_HELP && res->items[0].topic < 0;

	if (n == 0 || n != strlen(buf))
		abort();
	if (dia) {
		max = help ? PARSER_HELP_SMS * 67 : 70;
		if (!parser_utf8_valid(buf, n))
			abort();
		for (i = 0; i < n; i++)
			chars += ((unsigned char)buf[i] & 0xc0) != 0x80;
		if (chars > max)
			abort();
		return;
	}
	max = help ? PARSER_HELP_SMS * 153 : 160;
	for (i = 0; i < n; i++) {
		if (buf[i] < 0x20 || buf[i] > 0x7e || buf[i] == '`')
			abort();
	}
	if (n > max)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct parser *p, *q;
	struct parser_result res, res2;
	char *text, out[MAX_INPUT + 1];
	size_t n, i;
	int rc;

	if (size > MAX_INPUT)
		return 0;
	if (p == NULL) {
		p = build(1);
		q = build(0);
	}
	/* data is not NUL-terminated: parser_parse() must keep to size. */
	rc = parser_parse(p, (const char *)data, size, &res);
	check_result(p, &res, rc);
	check_reply(p, &res, 0);
	check_reply(p, &res, 1);
	if (parser_parse(q, (const char *)data, size, &res2) != rc)
		abort();
	check_same(&res, &res2);
	/* The caller may find that a class does not exist. */
	for (i = 0; rc == 0 && i < res.nitems; i++) {
		if (res.items[i].class_code[0] == '\0')
			continue;
		parser_unknown_class(&res, i);
		if (res.error != PARSER_UNKNOWN_CLASS || res.nitems != 0)
			abort();
		check_reply(p, &res, 0);
		check_reply(p, &res, 1);
		break;
	}

	n = parser_fold((const char *)data, size, out, sizeof(out), 0);
	check_folded(out, n, 0, 0);
	n = parser_fold((const char *)data, size, out, sizeof(out), 1);
	check_folded(out, n, 1, 0);

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
