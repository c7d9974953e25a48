/*
 * grammar.c - parser_parse(): from the text of an SMS to report items.
 *
 * A message is read in four steps, none of which allocates, each in a file
 * of its own:
 *
 *  1. words (words.c): the text is cut into parts (at ';' and line breaks)
 *     and words.  A word of letters, digits and '-' that matches the class
 *     pattern is kept as typed ("hl22-05"); every other word is folded
 *     (fold.c).  Then each part is rewritten in the order the grammar reads
 *     (step 1b, rewrite.c: glued words cut, numbers in words as digits,
 *     courtesy dropped, the keyword first).
 *  2. keyword (keywords.c): the first word(s) of a part, or a punctuation
 *     form ("?").
 *  3. segments (names.c): the words after it become numbers, class codes
 *     and names.  Names are found by the longest exact match first, then
 *     the words no exact match explains by the cheapest reading of prefixes
 *     and typos; a doubt is never settled by a guess.
 *  4. fields (fields.c): each kind takes the segments it wants, in any
 *     order; a segment that no field wants is an error naming it, and of
 *     several errors the one earliest in the message is reported.
 *
 * This file runs the steps over the parts of a message, and reads a message
 * whose commas did not separate reports again with them as plain commas.
 */
#include <string.h>

#include "impl.h"
#include "parser.h"

/* Copies text to buf, dropping each '.' that groups thousands: between a
 * digit and exactly three more ("3.200", "1.250.000").  A ',' is a decimal
 * comma in Vietnamese, so it stays a separator. */
static size_t
ungroup(const char *text, size_t len, char *buf)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (text[i] == '.' && i > 0 && i + 3 < len && digit(text[i - 1]) &&
		    digit(text[i + 1]) && digit(text[i + 2]) && digit(text[i + 3]) &&
		    (i + 4 == len || !digit(text[i + 4])))
			continue;
		buf[o++] = text[i];
	}
	return o;
}

static void
clear(struct parser_result *res)
{
	size_t i;

	memset(res, 0, sizeof(*res));
	res->kind = -1;
	for (i = 0; i < PARSER_MAX_ITEMS; i++) {
		res->items[i].commune = -1;
		res->items[i].trade = -1;
		res->items[i].topic = -1;
	}
}

/* The whole message read as one part, when its parts only make sense
 * together ("DK Minh Son: 35; han"). */
static int
joined(const struct parser *p, const struct msg *m, int kind, size_t a, struct parser_result *res)
{
	struct parser_result r;

	clear(&r);
	r.kind = kind;
	if (part_fields(p, m, kind, a, m->parts[m->nparts - 1].b, -1, &r.items[0], &r) == -1)
		return -1;
	r.nitems = 1;
	r.error = PARSER_OK;
	*res = r;
	return 0;
}

static int
part_error(struct parser_result *res, const struct msg *m, size_t k, int kind)
{
	size_t i;

	res->kind = kind;
	res->part = m->nparts > 1 ? (int)k + 1 : 0;
	res->nitems = 0;
	for (i = 0; i < PARSER_MAX_ITEMS; i++) {
		memset(&res->items[i], 0, sizeof(res->items[i]));
		res->items[i].commune = res->items[i].trade = res->items[i].topic = -1;
	}
	return -1;
}

/* Steps 2 to 4 over the parts of m. */
static int
read_msg(const struct parser *p, const struct msg *m, struct parser_result *res)
{
	size_t k, a, a0 = 0;
	int kind, first = -1, prev = -1, inherited, own = 0, commune;

	if (m->nparts == 0)
		return fail(res, PARSER_EMPTY);
	for (k = 0; k < m->nparts; k++) {
		kind = part_keyword(p, m, &m->parts[k], k == 0, &a);
		inherited = kind == -1;
		if (k == 0 && kind == -1) {
			set_bad(res, m, a, a + 1);
			res->part = m->nparts > 1 ? 1 : 0;
			return fail(res, PARSER_UNKNOWN_KEYWORD);
		}
		if (k == 0 && kind == PARSER_HELP)
			return read_help(p, m, a, m->parts[0].b, res);
		own |= k > 0 && !inherited;
		kind = part_kind(m, &m->parts[k], inherited ? prev : kind, inherited, &a, res);
		if (kind == -1)
			return part_error(res, m, k, PARSER_CLASS_OPEN);
		if (k == 0 && (m->toomany || m->nparts > PARSER_MAX_ITEMS)) {
			res->kind = kind;
			res->part = PARSER_MAX_ITEMS + 1;
			return fail(res, PARSER_TOO_MANY);
		}
		if (k == 0) {
			first = kind;
			a0 = a;
		}
		prev = kind;
		res->kind = first;
		if (m->nparts > 1 &&
		    (kind == PARSER_STATUS || kind == PARSER_CANCEL || kind == PARSER_HELP)) {
			res->bad[0] = '\0';
			fail(res, PARSER_NOT_ALONE);
			return part_error(res, m, k, kind);
		}
		/* "DK Minh Son 35 han, 20 maycn": the commune of the part before. */
		commune = inherited && k > 0 ? res->items[k - 1].commune : -1;
		if (part_fields(p, m, kind, a, m->parts[k].b, commune, &res->items[k], res) == 0)
			continue;
		if (m->nparts > 1 && !own && first != PARSER_STATUS && first != PARSER_CANCEL &&
		    joined(p, m, first, a0, res) == 0)
			return 0;
		return part_error(res, m, k, kind);
	}
	res->nitems = m->nparts;
	res->error = PARSER_OK;
	return 0;
}

int
parser_parse(const struct parser *p, const char *text, size_t len, struct parser_result *res)
{
	char raw[PARSER_MAX_TEXT];
	struct parser_result plain;
	struct msg typed, m;
	struct toks t;
	int commas;

	if (res == NULL)
		return -1;
	clear(res);
	if (p == NULL || text == NULL || len == 0)
		return fail(res, PARSER_EMPTY);
	len = ungroup(text, len < PARSER_MAX_TEXT ? len : PARSER_MAX_TEXT, raw);
	msg_split(p, raw, len, 1, &typed);
	commas = typed.commas;
	msg_normalise(p, &typed, &m, &t);
	if (read_msg(p, &m, res) == 0 || commas == 0)
		return res->error == PARSER_OK ? 0 : -1;
	/* Not understood with its commas as report separators: read them as
	 * the commas between fields they also are. */
	clear(&plain);
	msg_split(p, raw, len, 0, &typed);
	msg_normalise(p, &typed, &m, &t);
	if (read_msg(p, &m, &plain) == 0 || commas < 2)
		*res = plain;
	return res->error == PARSER_OK ? 0 : -1;
}

void
parser_unknown_class(struct parser_result *res, size_t i)
{
	char code[PARSER_MAX_CLASS + 1];
	int kind, several;

	if (res == NULL || i >= res->nitems)
		return;
	memcpy(code, res->items[i].class_code, sizeof(code));
	code[PARSER_MAX_CLASS] = '\0';
	kind = (int)res->items[i].kind;
	several = res->nitems > 1;
	clear(res);
	res->error = PARSER_UNKNOWN_CLASS;
	res->kind = kind;
	res->part = several ? (int)i + 1 : 0;
	memcpy(res->bad, code, strlen(code) + 1);
}

size_t
parser_class_key(const char *code, char *out, size_t outsz)
{
	size_t i, n = 0;
	char c;

	if (out == NULL || outsz == 0)
		return 0;
	for (i = 0; code != NULL && code[i] != '\0' && n + 1 < outsz; i++) {
		c = code[i];
		if (c == '-')
			continue;
		out[n++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	}
	out[n] = '\0';
	return n;
}
