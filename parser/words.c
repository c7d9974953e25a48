/*
 * words.c - step 1 of parser_parse(): the text of a message cut into parts
 * (at ';', line breaks, and commas before a keyword or a count) and words.
 * A word of letters, digits and '-' that matches the class pattern is kept
 * as typed ("hl22-05"), so is a number that must not be cut ("-5", "3.5",
 * "12/6"); every other word is folded (fold.c).
 */
#include <regex.h>
#include <string.h>

#include "impl.h"
#include "parser.h"

/* ASCII bytes that end a word: everything but letters, digits and '-'. */
static int
separator(unsigned char c)
{
	return c < 0x80 && !letter(c) && !digit(c) && c != '-';
}

static int
part_break(unsigned char c)
{
	return c == ';' || c == '\n' || c == '\r';
}

static void
push_word(struct msg *m, size_t off, size_t len, int flags)
{
	if (m->n == MAX_WORDS)
		return;
	m->w[m->n].off = (unsigned short)off;
	m->w[m->n].len = (unsigned short)len;
	m->w[m->n].flags = (unsigned char)flags;
	m->n++;
}

/* Appends s[0..len), already a word, to the text. */
void
msg_add_word(struct msg *m, const char *s, size_t len, int flags)
{
	size_t at = m->len + (m->len > 0);

	if (at + len >= sizeof(m->text))
		return;
	if (m->len > 0)
		m->text[m->len] = ' ';
	memcpy(m->text + at, s, len);
	m->len = at + len;
	m->text[m->len] = '\0';
	push_word(m, at, len, flags);
}

/* Appends the folded words of tok[0..n). */
static void
add_folded(struct msg *m, const char *tok, size_t n)
{
	size_t at = m->len + (m->len > 0), len, i, start;

	if (at + 1 >= sizeof(m->text))
		return;
	len = parser_fold(tok, n, m->text + at, sizeof(m->text) - at, 0);
	if (len == 0) {
		m->text[m->len] = '\0';
		return;
	}
	if (m->len > 0)
		m->text[m->len] = ' ';
	for (i = 0; i < len; i++) {
		start = i;
		while (i < len && m->text[at + i] != ' ')
			i++;
		push_word(m, at + start, i - start, 0);
	}
	m->len = at + len;
}

/* Whether s[0..n) is a class code: letters, digits and '-', a letter and a
 * digit at least, and the pattern matches it.  code gets it in lower case. */
static int
class_word(const struct parser *p, const char *s, size_t n, char *code)
{
	int digits = 0, letters = 0;
	size_t i;

	if (!p->has_class_re || n == 0 || n > PARSER_MAX_CLASS)
		return 0;
	for (i = 0; i < n; i++) {
		if (digit(s[i]))
			digits = 1;
		else if (letter(s[i]))
			letters = 1;
		else if (s[i] != '-')
			return 0;
		code[i] = s[i];
	}
	code[n] = '\0';
	if (!digits || !letters || regexec(&p->class_re, code, 0, NULL, 0) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (code[i] >= 'A' && code[i] <= 'Z')
			code[i] = (char)(code[i] - 'A' + 'a');
	}
	return 1;
}

/* Whether s[0..n) looks like a code although it is no class code: a letter
 * first, letters, digits and '-', a digit before the first '-' ("hl22-05"
 * of another pattern, "hl2205x").  It stays one word, so that an error
 * names it whole; "han-35" is two words. */
static int
code_like(const char *s, size_t n, char *out)
{
	int digits = 0, dash = 0;
	size_t i;

	if (n == 0 || n > PARSER_MAX_CLASS || !letter(s[0]))
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '-')
			dash = 1;
		else if (digit(s[i]))
			digits |= !dash;
		else if (!letter(s[i]))
			return 0;
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	}
	return digits;
}

/* A '.', ',' or '/' between two digits: part of the word ("3.5", "3,5",
 * "12/6"), so that a decimal or a date is never read as two counts. */
static int
inner(const char *raw, size_t i, size_t len)
{
	return (raw[i] == '.' || raw[i] == ',' || raw[i] == '/') && i > 0 && i + 1 < len &&
	       digit(raw[i - 1]) && digit(raw[i + 1]);
}

/* A number as typed when it must not be folded into two: a sign before it
 * ("-5"), a decimal part ("3.5", "3,5"), a date ("12/6").  0 when s[0..n)
 * is none of them. */
static int
add_numeric(struct msg *m, const char *tok, size_t n)
{
	char buf[PARSER_MAX_CLASS + 1];
	size_t i, dash = 0;
	int mark = 0;

	while (dash < n && tok[dash] == '-')
		dash++;
	if (dash == n || !digit(tok[dash]) || n - dash + 1 > sizeof(buf))
		return 0;
	for (i = dash; i < n; i++)
		mark |= tok[i] == '.' || tok[i] == ',' || tok[i] == '/';
	if (dash == 0 && date_word(tok, n)) {
		msg_add_word(m, tok, n, W_DATE);
		return 1;
	}
	if (dash == 0 && !mark)
		return 0;
	if (dash == 0 && memchr(tok, '.', n) == NULL && memchr(tok, ',', n) == NULL)
		return 0; /* "3200/1900": two numbers */
	/* "-5": a sign, kept for the error to show it. */
	i = 0;
	if (dash > 0)
		buf[i++] = '-';
	for (; dash < n; dash++) {
		if ((unsigned char)tok[dash] >= 0x80)
			continue; /* the word is an error: its letters do not matter */
		buf[i++] = (char)(tok[dash] >= 'A' && tok[dash] <= 'Z' ? tok[dash] - 'A' + 'a'
								       : tok[dash]);
	}
	msg_add_word(m, buf, i, 0);
	return 1;
}

static void
add_token(const struct parser *p, struct msg *m, const char *tok, size_t n)
{
	char code[PARSER_MAX_CLASS + 1];
	const char *s = tok, *e = tok + n;

	if (add_numeric(m, tok, n))
		return;
	while (s < e && *s == '-')
		s++;
	while (e > s && e[-1] == '-')
		e--;
	if (class_word(p, s, (size_t)(e - s), code))
		msg_add_word(m, code, (size_t)(e - s), W_CLASS);
	else if (code_like(s, (size_t)(e - s), code))
		msg_add_word(m, code, (size_t)(e - s), 0);
	else
		add_folded(m, tok, n);
}

/* A punctuation keyword form ("?") at text: its kind, and its length in
 * *skip; -1 when none (the longest one wins). */
static int
symbol(const struct parser *p, const char *text, size_t len, size_t *skip)
{
	const struct symbol *s, *best = NULL;
	size_t k;

	for (k = 0; k < p->nsymbols; k++) {
		s = &p->symbols[k];
		if (s->len <= len && memcmp(text, s->form, s->len) == 0 &&
		    (best == NULL || s->len > best->len))
			best = s;
	}
	if (best == NULL)
		return -1;
	*skip = best->len;
	return best->kind;
}

/* Ends the part whose words start at a; an empty one does not count. */
static void
end_part(struct msg *m, size_t a, int sym)
{
	if (m->n == a && sym == -1)
		return;
	if (m->nparts == PARSER_MAX_ITEMS + 1) {
		m->toomany = 1;
		return;
	}
	m->parts[m->nparts].a = a;
	m->parts[m->nparts].b = m->n;
	m->parts[m->nparts].symbol = sym;
	m->nparts++;
}

/* What follows the comma (or '.', '/', '+', '&') at raw[i]: 2 when a
 * keyword, 1 when a number after a comma (another report may start there),
 * 0 otherwise. */
static int
after_comma(const struct parser *p, const char *raw, size_t i, size_t len)
{
	char buf[MAX_KEY], key[MAX_KEY];
	const struct filler *f;
	size_t j = i + 1, end, n, k, w, klen = 0;

	while (j < len && (raw[j] == ' ' || raw[j] == '\t'))
		j++;
	if (j < len && digit(raw[j]))
		return raw[i] == ',' ? 1 : 0;
	for (end = j; end < len && end - j < 64 && !part_break((unsigned char)raw[end]) &&
		      raw[end] != ',' && raw[end] != ':';
	     end++)
		continue;
	n = parser_fold(raw + j, end - j, buf, sizeof(buf), 0);
	for (k = 0, w = 0; k <= n && w < PARSER_KEYWORD_WORDS; k++) {
		if (k < n && buf[k] != ' ') {
			key[klen++] = buf[k];
			continue;
		}
		w++;
		/* "Lop" (lớp) after a full stop is rather a class than CLASS. */
		if (klen > 0 && table_get(&p->keywords, key, klen) >= 0 &&
		    (raw[i] == ',' || !glued_filler(p, key, klen, &f)))
			return 2;
	}
	return 0;
}

/* Step 1: the parts and words of raw[0..len).  Reading stops once there are
 * too many parts to take.  With commas set, a comma followed by a keyword
 * or a number ends a part too. */
void
msg_split(const struct parser *p, const char *raw, size_t len, int commas, struct msg *m)
{
	size_t i = 0, start, skip, a = 0;
	int fresh = 1, sym = -1, c;

	m->len = 0;
	m->text[0] = '\0';
	m->n = m->nparts = 0;
	m->toomany = 0;
	m->commas = 0;
	while (i < len && m->nparts <= PARSER_MAX_ITEMS) {
		c = commas && strchr(",./+&", raw[i]) != NULL && raw[i] != '\0' && m->n > a
			? after_comma(p, raw, i, len)
			: 0;
		if (c > m->commas)
			m->commas = c;
		if (part_break((unsigned char)raw[i]) || c > 0) {
			end_part(m, a, sym);
			a = m->n;
			sym = -1;
			fresh = 1;
			i++;
			continue;
		}
		if (raw[i] == ' ' || raw[i] == '\t') {
			i++;
			continue;
		}
		if (fresh) {
			fresh = 0;
			sym = symbol(p, raw + i, len - i, &skip);
			if (sym != -1) {
				i += skip;
				continue;
			}
		}
		if (separator((unsigned char)raw[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < len && (!separator((unsigned char)raw[i]) || inner(raw, i, len)))
			i++;
		add_token(p, m, raw + start, i - start);
	}
	if (m->nparts <= PARSER_MAX_ITEMS)
		end_part(m, a, sym);
	else if (i < len)
		m->toomany = 1;
}
