/*
 * grammar.c - parser_parse(): from the text of an SMS to report items.
 *
 * A message is read in four steps, none of which allocates:
 *
 *  1. words: the text is cut into parts (at ';' and line breaks) and words.
 *     A word of letters, digits and '-' that matches the class pattern is
 *     kept as typed ("hl22-05"); every other word is folded (fold.c).
 *     Then each part is rewritten in the order the grammar reads (step 1b:
 *     glued words cut, numbers in words as digits, courtesy dropped, the
 *     keyword first).
 *  2. keyword: the first word(s) of a part, or a punctuation form ("?").
 *  3. segments: the words after it become numbers, class codes and names.
 *     Names are found by the longest exact match first.  The words no exact
 *     match explains are looked at again with their neighbours, for prefixes
 *     and typos, and the cheapest reading wins: an exact match costs
 *     nothing, a typo or a prefix 1, an ambiguous name 2, a word that names
 *     nothing 10, and each segment a little more (of two readings otherwise
 *     equal, the one in fewer pieces).  Two readings that cost the same are
 *     a doubt, and a doubt is never settled by a guess: the words stay
 *     unexplained.
 *  4. fields: each kind takes the segments it wants, in any order; a
 *     segment that no field wants is an error naming it, and of several
 *     errors the one earliest in the message is reported.
 */
#include <limits.h>
#include <regex.h>
#include <stdint.h>
#include <string.h>

#include "impl.h"
#include "parser.h"

#define MAX_WORDS (PARSER_MAX_TEXT / 2 + 2)
#define MAX_SEGS 32 /* segments of one part (a report has at most 5) */
#define MAX_PIECES (3 * MAX_SEGS)
#define MAX_SPAN 5	       /* words of a name found by a prefix or a typo */
#define WINDOW 12	       /* words of names looked at together for typos */
#define MAX_WINDOWS 4	       /* typo searches of one part: a report names 2 things */
#define MAX_KEY (MAX_FORM + 1) /* joined words looked up */
#define MAX_DIGITS 9	       /* longest number: fits a 32-bit long */
#define MAX_LABOUR 999999999L
#define UNKNOWN_COST 10
#define INFINITE 1000000

_Static_assert(PARSER_MAX_TEXT <= USHRT_MAX, "word offsets are 16 bits");

/* Step 1 -------------------------------------------------------------------- */

#define W_CLASS 1 /* a class code as typed, in lower case */
#define W_DATE 2  /* a date as typed: "12/6", "12/6/2022" */

struct word {
	unsigned short off;
	unsigned short len;
	unsigned char flags;
};

struct part {
	size_t a, b; /* its words */
	int symbol;  /* the keyword of a punctuation form at its start, or -1 */
};

struct msg {
	char text[PARSER_MAX_TEXT + 1]; /* the words, separated by one space */
	size_t len;
	struct word w[MAX_WORDS];
	size_t n;
	struct part parts[PARSER_MAX_ITEMS + 1];
	size_t nparts;
	int toomany; /* there were more parts than that */
	int commas;  /* parts begun at a comma; 2 when one has a keyword */
};

static int
digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
letter(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

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

static const char *
wtext(const struct msg *m, size_t i)
{
	return m->text + m->w[i].off;
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
static void
add_word(struct msg *m, const char *s, size_t len, int flags)
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

/* The numbers of s[0..n) separated by sep: how many (at most 3) to v. */
static size_t
numbers(const char *s, size_t n, char sep, long *v)
{
	size_t i = 0, k = 0, d;

	while (k < 3) {
		v[k] = 0;
		for (d = 0; i < n && digit(s[i]) && d < 5; i++, d++)
			v[k] = v[k] * 10 + (s[i] - '0');
		if (d == 0 || d == 5)
			return 0;
		k++;
		if (i == n)
			return k;
		if (s[i] != sep)
			return 0;
		i++;
	}
	return 0;
}

/* Whether s[0..n) is a date: day/month or day/month/year (2 or 4 digits),
 * also with '-' or '.' when the year is there. */
static int
date_word(const char *s, size_t n)
{
	static const char seps[] = "/-.";
	long v[3];
	size_t k, i;

	for (i = 0; i < sizeof(seps) - 1; i++) {
		k = numbers(s, n, seps[i], v);
		if (k < 2 || (k == 2 && seps[i] != '/'))
			continue;
		if (v[0] < 1 || v[0] > 31 || v[1] < 1 || v[1] > 12)
			return 0;
		return k == 2 || (v[2] >= 0 && v[2] < 100) || (v[2] >= 2000 && v[2] <= 2099);
	}
	return 0;
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
		add_word(m, tok, n, W_DATE);
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
	add_word(m, buf, i, 0);
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
		add_word(m, code, (size_t)(e - s), W_CLASS);
	else if (code_like(s, (size_t)(e - s), code))
		add_word(m, code, (size_t)(e - s), 0);
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

static int glued_filler(const struct parser *p, const char *s, size_t len, const struct filler **f);

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
static void
split(const struct parser *p, const char *raw, size_t len, int commas, struct msg *m)
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

/* Step 1b: each part's words in the order the grammar reads ---------------- */

/*
 * Officers glue words ("dk35han", "20hocvien", "sl35"), spell numbers out
 * ("ba muoi lam"), frame a report with courtesy ("bao cao: ... cam on a")
 * and may name their commune before the keyword ("Xa Minh Son bao cao: DK
 * 35 han").  This step rewrites each part into the plain order: glued words
 * cut where every piece is known, numbers in words as digits, courtesy
 * dropped at both ends, the keyword first.  Nothing is guessed: a piece that
 * names nothing keeps its word whole, and the later steps name it.
 */

struct tok {
	const char *s;
	size_t len;
	int flags;
};

struct toks {
	struct tok v[MAX_WORDS];
	size_t n;
	char pool[PARSER_MAX_TEXT]; /* numbers written out as digits */
	size_t npool;
};

#define MAX_GLUED 8 /* pieces of one glued word */

static int
tok_is(const struct tok *t, const char *w)
{
	return t->flags == 0 && strlen(w) == t->len && memcmp(t->s, w, t->len) == 0;
}

static void
push_tok(struct toks *t, const char *s, size_t len, int flags)
{
	if (t->n == MAX_WORDS || len == 0)
		return;
	t->v[t->n].s = s;
	t->v[t->n].len = len;
	t->v[t->n].flags = flags;
	t->n++;
}

/* How many tokens from i (before end) the longest phrase of list covers. */
static size_t
phrase_at(const struct filler *list, size_t nlist, const struct tok *v, size_t i, size_t end)
{
	const struct filler *f;
	const char *s, *e;
	size_t k, w, best = 0;

	for (k = 0; k < nlist; k++) {
		f = &list[k];
		if (f->nwords <= best || i + f->nwords > end)
			continue;
		s = f->text;
		for (w = 0; w < f->nwords; w++) {
			e = strchr(s, ' ');
			if (e == NULL)
				e = f->text + f->len;
			if (v[i + w].flags != 0 || (size_t)(e - s) != v[i + w].len ||
			    memcmp(s, v[i + w].s, v[i + w].len) != 0)
				break;
			s = e + 1;
		}
		if (w == f->nwords)
			best = f->nwords;
	}
	return best;
}

/* The same for a phrase that ends at end (after start). */
static size_t
phrase_before(const struct filler *list, size_t nlist, const struct tok *v, size_t start,
	      size_t end)
{
	size_t k, best = 0;

	for (k = 0; k < nlist; k++) {
		if (list[k].nwords > best && end - start >= list[k].nwords &&
		    phrase_at(&list[k], 1, v, end - list[k].nwords, end) == list[k].nwords)
			best = list[k].nwords;
	}
	return best;
}

/* The keyword kind of the longest run of tokens from i that is a keyword
 * form, its length in *nw; -1 when none. */
static int
keyword_at(const struct parser *p, const struct tok *v, size_t i, size_t end, size_t *nw)
{
	char key[MAX_KEY];
	size_t k, len = 0;
	int kind = -1, x;

	for (k = i; k < end && k < i + PARSER_KEYWORD_WORDS; k++) {
		if (v[k].flags != 0 || len + v[k].len >= sizeof(key))
			break;
		memcpy(key + len, v[k].s, v[k].len);
		len += v[k].len;
		x = table_get(&p->keywords, key, len);
		if (x >= 0) {
			kind = x;
			*nw = k - i + 1;
		}
	}
	return kind;
}

/* Whether s[0..len) is one filler word, written with or without its spaces
 * ("hv", "hocvien"); *f gets it. */
static int
glued_filler(const struct parser *p, const char *s, size_t len, const struct filler **f)
{
	const char *t;
	size_t k, i, j;

	for (k = 0; k < p->nfillers; k++) {
		t = p->fillers[k].text;
		for (i = j = 0; i < p->fillers[k].len; i++) {
			if (t[i] == ' ')
				continue;
			if (j == len || t[i] != s[j])
				break;
			j++;
		}
		if (i == p->fillers[k].len && j == len) {
			*f = &p->fillers[k];
			return 1;
		}
	}
	return 0;
}

/* Whether letters s[0..len) are a name, an alias, a code or a filler. */
static int
known(const struct parser *p, const char *s, size_t len)
{
	const struct filler *f;

	return table_get(&p->communes.forms, s, len) >= 0 ||
	       table_get(&p->trades.forms, s, len) >= 0 || glued_filler(p, s, len, &f);
}

/* The one keyword kind that a proper start of s[0..len) is a form of, its
 * length in *klen; -1 when none or several kinds. */
static int
keyword_prefix(const struct parser *p, const char *s, size_t len, size_t *klen)
{
	size_t k;
	int kind = -1, x;

	for (k = 2; k < len && k <= p->keywords.maxlen; k++) {
		x = table_get(&p->keywords, s, k);
		if (x < 0)
			continue;
		if (kind >= 0 && x != kind)
			return -1;
		kind = x;
		*klen = k;
	}
	return kind;
}

/* Whether letters s[0..len) are a keyword glued to a name ("dkminhson"):
 * not a form themselves, one keyword kind's form a proper start of them,
 * and the rest a name, alias, code or filler.  *klen: the keyword's length. */
static int
keyword_split(const struct parser *p, const char *s, size_t len, size_t *klen)
{
	if (table_get(&p->keywords, s, len) >= 0 || known(p, s, len) ||
	    keyword_prefix(p, s, len, klen) < 0)
		return 0;
	return known(p, s + *klen, len - *klen);
}

/* Appends token x, cut into pieces when it is glued: letters and digits
 * alternate and every run of letters is known ("35han", "sl35",
 * "20hocvien"); at the start of a part a keyword may lead ("dk35han",
 * "dkminhson").  A filler goes in its words. */
static void
unglue(const struct parser *p, const struct tok *x, int first, struct toks *out)
{
	struct tok run[MAX_GLUED];
	const struct filler *f;
	const char *s = x->s, *w;
	size_t n = 0, i = 0, j, k, klen = 0, letters = 0, digits = 0;

	if (x->flags != 0)
		goto whole;
	for (i = 0; i < x->len; i++) {
		if (digit(s[i]))
			digits++;
		else if (s[i] >= 'a' && s[i] <= 'z')
			letters++;
		else
			goto whole;
	}
	if (first && digits == 0 && keyword_split(p, s, x->len, &klen)) {
		push_tok(out, s, klen, 0);
		push_tok(out, s + klen, x->len - klen, 0);
		return;
	}
	if (digits == 0 || letters == 0)
		goto whole;
	for (i = 0; i < x->len; i = j) {
		for (j = i + 1; j < x->len && digit(s[j]) == digit(s[i]); j++)
			continue;
		if (n == MAX_GLUED)
			goto whole;
		run[n].s = s + i;
		run[n].len = j - i;
		run[n].flags = 0;
		n++;
	}
	for (k = 0; k < n; k++) {
		if (digit(run[k].s[0]) || known(p, run[k].s, run[k].len))
			continue;
		if (k == 0 && first && table_get(&p->keywords, run[0].s, run[0].len) >= 0)
			continue;
		if (!(k == 0 && first && keyword_split(p, run[0].s, run[0].len, &klen)))
			goto whole;
	}
	for (k = 0; k < n; k++) {
		if (digit(run[k].s[0])) {
			push_tok(out, run[k].s, run[k].len, 0);
		} else if (glued_filler(p, run[k].s, run[k].len, &f)) {
			for (w = f->text; w < f->text + f->len; w += strcspn(w, " ") + 1)
				push_tok(out, w, strcspn(w, " "), 0);
		} else if (k == 0 && first && keyword_split(p, run[0].s, run[0].len, &klen)) {
			push_tok(out, run[0].s, klen, 0);
			push_tok(out, run[0].s + klen, run[0].len - klen, 0);
		} else {
			push_tok(out, run[k].s, run[k].len, 0);
		}
	}
	return;
whole:
	push_tok(out, x->s, x->len, x->flags);
}

/* A digit in words ("ba" 3, "lam" 5 after "muoi"), or -1. */
static int
digit_word(const struct tok *t, int after_tens)
{
	static const char *const words[] = {"mot", "hai", "ba",	 "bon", "nam",
					    "sau", "bay", "tam", "chin"};
	size_t k;

	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		if (tok_is(t, words[k]))
			return (int)k + 1;
	}
	if (tok_is(t, "tu") || (after_tens && tok_is(t, "tu")))
		return 4;
	if (after_tens && (tok_is(t, "lam") || tok_is(t, "nham")))
		return 5;
	return -1;
}

/* A number written in words from token i: "ba muoi lam" 35, "mot tram linh
 * nam" 105, "hai muoi" 20.  Two words at least (a lone "ba" may be a name);
 * how many tokens it takes, its value in *v; 0 when there is none. */
static size_t
number_words(const struct tok *v, size_t i, size_t end, long *val)
{
	size_t k = i;
	long n = 0;
	int d, tens = 0;

	d = k < end ? digit_word(&v[k], 0) : -1;
	if (d > 0 && k + 1 < end && tok_is(&v[k + 1], "tram")) {
		n = d * 100;
		k += 2;
		if (k + 1 < end && (tok_is(&v[k], "linh") || tok_is(&v[k], "le"))) {
			d = digit_word(&v[k + 1], 0);
			if (d <= 0)
				return 0;
			n += d;
			k += 2;
			goto done;
		}
	}
	d = k < end ? digit_word(&v[k], 0) : -1;
	if (d >= 2 && k + 1 < end && tok_is(&v[k + 1], "muoi")) {
		n += d * 10;
		k += 2;
		tens = 1;
	} else if (k < end && tok_is(&v[k], "muoi")) {
		n += 10;
		k++;
		tens = 1;
	}
	if ((tens || n > 0) && k < end) {
		d = digit_word(&v[k], tens);
		if (d > 0 && !(tens == 0 && d == 5 && !tok_is(&v[k], "nam"))) {
			n += d;
			k++;
		}
	}
done:
	if (k - i < 2 || n == 0)
		return 0;
	*val = n;
	return k - i;
}

/* The tokens of part pt of m, rewritten (see above), to t. */
static void
part_tokens(const struct parser *p, const struct msg *m, const struct part *pt, struct toks *t)
{
	const struct filler *f;
	struct tok x;
	size_t i, j, k, a, b, nw = 0, used;
	long v;
	int len, kind;

	t->n = 0;
	t->npool = 0;
	for (i = pt->a; i < pt->b; i++) {
		x.s = wtext(m, i);
		x.len = m->w[i].len;
		x.flags = m->w[i].flags;
		unglue(p, &x, i == pt->a && pt->symbol == -1, t);
	}
	/* Numbers in words, in place: the result is never longer. */
	for (i = j = 0; i < t->n; j++) {
		used = number_words(t->v, i, t->n, &v);
		if (used > 0 && t->npool + 4 <= sizeof(t->pool)) {
			/* At most 999: three digits. */
			len = v >= 100 ? 3 : v >= 10 ? 2 : 1;
			for (k = (size_t)len; k-- > 0; v /= 10)
				t->pool[t->npool + k] = (char)('0' + v % 10);
			t->v[j].s = t->pool + t->npool;
			t->v[j].len = (size_t)len;
			t->v[j].flags = 0;
			t->npool += (size_t)len;
			i += used;
		} else {
			t->v[j] = t->v[i++];
		}
	}
	t->n = j;
	if (pt->symbol != -1)
		return;
	/* Courtesy at both ends; the keyword stays. */
	a = 0;
	b = t->n;
	for (;;) {
		k = phrase_at(p->courtesy, p->ncourtesy, t->v, a, b);
		if (k == 0 || a + k >= b || keyword_at(p, t->v, a, b, &nw) >= 0)
			break;
		a += k;
	}
	for (;;) {
		k = phrase_before(p->courtesy, p->ncourtesy, t->v, a, b);
		if (k == 0 || b - k <= a)
			break;
		b -= k;
	}
	/* A commune before the keyword: the keyword goes first, courtesy
	 * between them goes. */
	if (a < b && keyword_at(p, t->v, a, b, &nw) < 0) {
		for (i = a + 1;
		     i < b && i < a + WINDOW && t->v[i].flags == 0 && !digit(t->v[i].s[0]); i++) {
			if (keyword_at(p, t->v, i, b, &nw) >= 0 &&
			    !glued_filler(p, t->v[i].s, t->v[i].len, &f))
				break;
		}
		if (i < b && i < a + WINDOW && t->v[i].flags == 0 && !digit(t->v[i].s[0]) &&
		    keyword_at(p, t->v, i, b, &nw) >= 0 &&
		    !glued_filler(p, t->v[i].s, t->v[i].len, &f)) {
			struct tok kw[PARSER_KEYWORD_WORDS], before[WINDOW];
			size_t nb = 0;

			memcpy(kw, t->v + i, nw * sizeof(kw[0]));
			for (k = a; k < i;) {
				j = phrase_at(p->courtesy, p->ncourtesy, t->v, k, i);
				if (j > 0) {
					k += j;
					continue;
				}
				before[nb++] = t->v[k++];
			}
			memcpy(t->v + a, kw, nw * sizeof(kw[0]));
			memcpy(t->v + a + nw, before, nb * sizeof(before[0]));
			memmove(t->v + a + nw + nb, t->v + i + nw,
				(t->n - i - nw) * sizeof(t->v[0]));
			b -= (i - a) - nb;
			t->n -= (i - a) - nb;
		}
	}
	/* The natural words of the keyword said again ("VL ... 12 lao dong
	 * co viec lam"): no value. */
	kind = a < b ? keyword_at(p, t->v, a, b, &nw) : -1;
	for (i = a + (kind >= 0 ? nw : 0); kind >= 0 && i < b;) {
		if (keyword_at(p, t->v, i, b, &k) == kind && k >= 2) {
			memmove(t->v + i, t->v + i + k, (t->n - i - k) * sizeof(t->v[0]));
			t->n -= k;
			b -= k;
			continue;
		}
		i++;
	}
	memmove(t->v, t->v + a, (b - a) * sizeof(t->v[0]));
	t->n = b - a;
}

/* Whether part pt is courtesy only ("Bao cao:", "Cam on!" on a line of
 * their own). */
static int
courtesy_only(const struct parser *p, const struct msg *m, const struct part *pt)
{
	struct tok v[PARSER_KEYWORD_WORDS + 2];
	size_t i, n = pt->b - pt->a, k;

	if (pt->symbol != -1 || n == 0 || n > sizeof(v) / sizeof(v[0]))
		return 0;
	for (i = 0; i < n; i++) {
		v[i].s = wtext(m, pt->a + i);
		v[i].len = m->w[pt->a + i].len;
		v[i].flags = m->w[pt->a + i].flags;
	}
	for (i = 0; i < n; i += k) {
		k = phrase_at(p->courtesy, p->ncourtesy, v, i, n);
		if (k == 0)
			return 0;
	}
	return 1;
}

/* Step 1b for the whole message: m rewritten into out.  Parts of courtesy
 * only go, unless nothing else is left. */
static void
normalise(const struct parser *p, const struct msg *m, struct msg *out, struct toks *t)
{
	size_t k, i, a, kept = 0;
	int drop[PARSER_MAX_ITEMS + 1];

	for (k = 0; k < m->nparts; k++) {
		drop[k] = courtesy_only(p, m, &m->parts[k]);
		kept += !drop[k];
	}
	out->len = 0;
	out->text[0] = '\0';
	out->n = 0;
	out->nparts = 0;
	out->toomany = m->toomany;
	for (k = 0; k < m->nparts; k++) {
		if (drop[k] && kept > 0)
			continue;
		part_tokens(p, m, &m->parts[k], t);
		a = out->n;
		for (i = 0; i < t->n; i++)
			add_word(out, t->v[i].s, t->v[i].len, t->v[i].flags);
		out->parts[out->nparts].a = a;
		out->parts[out->nparts].b = out->n;
		out->parts[out->nparts].symbol = m->parts[k].symbol;
		out->nparts++;
	}
}

/* Step 3: segments --------------------------------------------------------- */

enum seg_type { S_UNIT, S_NUM, S_CLASS, S_UNKNOWN, S_DATE };

struct seg {
	unsigned char type;
	unsigned char exact; /* S_UNIT: an exact form */
	unsigned short a, b; /* its words */
	int commune, trade;  /* S_UNIT: the unit of each class it names, or -1 */
	int nc, nt;	     /* S_UNIT: how many units of each class it may name */
};

struct segs {
	struct seg v[MAX_SEGS];
	size_t n;
	size_t more;	/* the first word left out for want of room, or SIZE_MAX */
	size_t windows; /* typo searches done */
};

/* What some words may name in one class. */
struct match {
	int id;	   /* the unit, when n == 1 */
	int n;	   /* 0, 1 or more units */
	int exact; /* n == 1 by an exact form */
};

/* Words [a, b) joined without spaces into key; 0 when they do not fit. */
static size_t
join(const struct msg *m, size_t a, size_t b, char *key, size_t size)
{
	size_t i, n = 0;

	for (i = a; i < b; i++) {
		if (n + m->w[i].len >= size)
			return 0;
		memcpy(key + n, wtext(m, i), m->w[i].len);
		n += m->w[i].len;
	}
	key[n] = '\0';
	return n;
}

/*
 * The units key[0..len) could mean without being one of their forms: those
 * it is the start of a name or code of (when at least 2 long), and those it
 * is a typo of.  The smallest PARSER_MAX_CANDIDATES go to c; returns how
 * many there are in all.
 */
static size_t
near_units(const struct units *u, const char *key, size_t len, int *c)
{
	int pc[PARSER_MAX_CANDIDATES], fc[PARSER_MAX_CANDIDATES];
	size_t np = 0, nf = 0, i = 0, j = 0, n = 0, extra = 0;

	if (len >= 2)
		np = units_prefix(u, key, len, pc);
	if (len >= FUZZY_MIN_KEY) {
		nf = fuzzy_find(u->typos, key, len, fc, PARSER_MAX_CANDIDATES);
		if (nf > PARSER_MAX_CANDIDATES) {
			extra = nf - PARSER_MAX_CANDIDATES;
			nf = PARSER_MAX_CANDIDATES;
		}
	}
	while ((i < np || j < nf) && n < PARSER_MAX_CANDIDATES) {
		if (j == nf || (i < np && pc[i] < fc[j]))
			c[n++] = pc[i++];
		else if (i == np || fc[j] < pc[i])
			c[n++] = fc[j++];
		else {
			c[n++] = pc[i++];
			j++;
		}
	}
	/* Those that did not fit are counted, maybe twice: only "many" matters. */
	return n + (np - i) + (nf - j) + extra;
}

/* What key[0..len) names in u: exactly, or as a prefix of at least 4
 * letters or a typo of exactly one unit, or of several. */
static void
match_units(const struct units *u, const char *key, size_t len, struct match *r)
{
	int c[PARSER_MAX_CANDIDATES];
	size_t n;

	r->id = table_get(&u->forms, key, len);
	r->exact = r->id >= 0;
	r->n = r->exact;
	if (r->exact)
		return;
	n = near_units(u, key, len, c);
	if (n == 1 && len < FUZZY_MIN_KEY)
		n = 0; /* too short to be sure: only a suggestion */
	r->n = n > INT_MAX ? INT_MAX : (int)n;
	r->id = n == 1 ? c[0] : -1;
}

/* How many words a filler takes at word i of [i, b); 0 when none stands
 * there (the longest one wins: "thi tran" before "thi"). */
static size_t
filler(const struct parser *p, const struct msg *m, size_t i, size_t b)
{
	const struct filler *f;
	const char *s = wtext(m, i);
	size_t k, best = 0, rest = m->len - m->w[i].off;

	if (m->w[i].flags & W_CLASS)
		return 0;
	for (k = 0; k < p->nfillers; k++) {
		f = &p->fillers[k];
		if (f->len > rest || memcmp(s, f->text, f->len) != 0)
			continue;
		if ((f->len < rest && s[f->len] != ' ') || i + f->nwords > b)
			continue;
		if (f->nwords > best)
			best = f->nwords;
	}
	return best;
}

/* Whether a single-word filler is s[0..len) ("hv" of "35hv"). */
static int
filler_word(const struct parser *p, const char *s, size_t len)
{
	size_t k;

	for (k = 0; k < p->nfillers; k++) {
		if (p->fillers[k].nwords == 1 && p->fillers[k].len == len &&
		    memcmp(p->fillers[k].text, s, len) == 0)
			return 1;
	}
	return 0;
}

/* The end of the longest run of words from i (to b at most) that is a form
 * in t, with its id; i when there is none. */
static size_t
longest(const struct table *t, const struct msg *m, size_t i, size_t b, int *id)
{
	char key[MAX_KEY];
	size_t j, best = i, len = 0;
	int x;

	for (j = i; j < b; j++) {
		len += m->w[j].len;
		if (len > t->maxlen || len >= sizeof(key))
			break;
		memcpy(key + len - m->w[j].len, wtext(m, j), m->w[j].len);
		x = table_get(t, key, len);
		if (x >= 0) {
			best = j + 1;
			*id = x;
		}
	}
	return best;
}

static void
push_seg(struct segs *s, const struct seg *x)
{
	struct seg *last = s->n > 0 ? &s->v[s->n - 1] : NULL;
	int vague = x->type == S_UNIT && !x->exact && x->commune < 0 && x->trade < 0;
	int lastvague = last != NULL && last->type == S_UNIT && !last->exact && last->commune < 0 &&
			last->trade < 0;

	/* Words that name nothing next to words that may name several are one
	 * thing that was not understood ("dong lai", not "dong" and "lai"). */
	if (last != NULL && last->b == x->a &&
	    ((x->type == S_UNKNOWN && (last->type == S_UNKNOWN || lastvague)) ||
	     (vague && last->type == S_UNKNOWN))) {
		last->type = S_UNKNOWN;
		last->b = x->b;
		return;
	}
	if (s->n == MAX_SEGS) {
		if (s->more == SIZE_MAX)
			s->more = x->a;
		return;
	}
	s->v[s->n++] = *x;
}

static void
push_simple(struct segs *s, int type, size_t a, size_t b)
{
	struct seg x = {.type = (unsigned char)type,
			.a = (unsigned short)a,
			.b = (unsigned short)b,
			.commune = -1,
			.trade = -1};

	push_seg(s, &x);
}

/* A name: what the words name in each class (an exact form in one class
 * leaves no room for a typo in the other). */
static void
push_unit(struct segs *s, size_t a, size_t b, const struct match *c, const struct match *t)
{
	struct seg x = {.type = S_UNIT, .a = (unsigned short)a, .b = (unsigned short)b};

	x.exact = c->exact || t->exact;
	x.nc = x.exact && !c->exact ? 0 : c->n;
	x.nt = x.exact && !t->exact ? 0 : t->n;
	x.commune = x.nc == 1 ? c->id : -1;
	x.trade = x.nt == 1 ? t->id : -1;
	push_seg(s, &x);
}

/* Pass 1 over a run of names: the longest exact forms, fillers, and the
 * words in between. */
enum piece_type { P_EXACT, P_FILLER, P_UNKNOWN };

struct piece {
	unsigned char type;
	size_t a, b;
	int commune, trade;
};

static size_t
exact_pieces(const struct parser *p, const struct msg *m, size_t a, size_t b, struct piece *v,
	     size_t *end)
{
	size_t i = a, n = 0, jc, jt, j, k;
	int c = -1, t = -1, type;

	while (i < b && n < MAX_PIECES) {
		jc = longest(&p->communes.forms, m, i, b, &c);
		jt = longest(&p->trades.forms, m, i, b, &t);
		j = jc > jt ? jc : jt;
		if (j > i) {
			v[n].type = P_EXACT;
			v[n].a = i;
			v[n].b = j;
			v[n].commune = jc == j ? c : -1;
			v[n].trade = jt == j ? t : -1;
			n++;
			i = j;
			continue;
		}
		k = filler(p, m, i, b);
		type = k > 0 ? P_FILLER : P_UNKNOWN;
		if (k == 0)
			k = 1;
		if (n > 0 && v[n - 1].type == type && type != P_EXACT) {
			v[n - 1].b = i + k; /* fillers or unknown words in a row */
		} else {
			v[n].type = (unsigned char)type;
			v[n].a = i;
			v[n].b = i + k;
			n++;
		}
		i += k;
	}
	*end = i;
	return n;
}

/* Pass 2: the cheapest reading of words [wa, wb) (see the top). */
struct reading {
	int cost[WINDOW + 5];
	int next[WINDOW + 5];		/* where the chosen segment ends */
	unsigned char what[WINDOW + 5]; /* R_... */
	unsigned char tie[WINDOW + 5];
	struct match mc[WINDOW + 4][MAX_SPAN + 1], mt[WINDOW + 4][MAX_SPAN + 1];
};

enum { R_SPAN, R_FILLER, R_UNKNOWN };

/* Each segment also costs SEGMENT: of two readings as good otherwise, the
 * one in fewer pieces wins ("van hanh may xuc" is one trade, not a prefix
 * of it and then "may xuc"). */
#define SEGMENT 1
#define STEP 4 /* the cost of a typo or a prefix, that SEGMENT never outweighs */

static int
span_cost(const struct match *c, const struct match *t)
{
	if (c->exact || t->exact)
		return SEGMENT;
	if (c->n == 1 || t->n == 1)
		return STEP + SEGMENT;
	if (c->n > 1 || t->n > 1)
		return 2 * STEP + SEGMENT;
	return INFINITE;
}

/* Offers reading `what` of words [i, j) at cost c to node i. */
static void
offer(struct reading *r, size_t i, size_t j, size_t wa, int what, int c)
{
	int total = c + r->cost[j - wa];

	if (total < r->cost[i - wa]) {
		r->cost[i - wa] = total;
		r->next[i - wa] = (int)(j - wa);
		r->what[i - wa] = (unsigned char)what;
		r->tie[i - wa] = 0;
	} else if (total == r->cost[i - wa] && total < INFINITE &&
		   (c > SEGMENT || what == R_FILLER)) {
		r->tie[i - wa] = 1;
	}
}

/* The segments of words [wa, wb) go to s; -1 (and nothing in s) when two
 * readings are as good as each other: neither is taken. */
static int
read_window(const struct parser *p, const struct msg *m, size_t wa, size_t wb, struct segs *s)
{
	char key[MAX_KEY];
	struct reading r;
	size_t i, j, k, len, end;
	int doubt = 0;

	r.cost[wb - wa] = 0;
	for (i = wb; i-- > wa;) {
		r.cost[i - wa] = INFINITE;
		r.tie[i - wa] = 0;
		end = i + MAX_SPAN < wb ? i + MAX_SPAN : wb;
		/* The longest first: it keeps the place on a tie. */
		for (j = end; j > i; j--) {
			len = join(m, i, j, key, sizeof(key));
			r.mc[i - wa][j - i].n = r.mt[i - wa][j - i].n = 0;
			r.mc[i - wa][j - i].exact = r.mt[i - wa][j - i].exact = 0;
			if (len == 0)
				continue;
			match_units(&p->communes, key, len, &r.mc[i - wa][j - i]);
			match_units(&p->trades, key, len, &r.mt[i - wa][j - i]);
			offer(&r, i, j, wa, R_SPAN,
			      span_cost(&r.mc[i - wa][j - i], &r.mt[i - wa][j - i]));
		}
		k = filler(p, m, i, wb);
		if (k > 0)
			offer(&r, i, i + k, wa, R_FILLER, 0);
		offer(&r, i, i + 1, wa, R_UNKNOWN, UNKNOWN_COST * STEP + SEGMENT);
	}
	for (i = wa; i < wb; i = wa + (size_t)r.next[i - wa])
		doubt |= r.tie[i - wa];
	if (doubt)
		return -1;
	for (i = wa; i < wb; i = j) {
		j = wa + (size_t)r.next[i - wa];
		if (r.what[i - wa] == R_UNKNOWN)
			push_simple(s, S_UNKNOWN, i, j);
		else if (r.what[i - wa] == R_SPAN)
			push_unit(s, i, j, &r.mc[i - wa][j - i], &r.mt[i - wa][j - i]);
	}
	return 0;
}

static void
push_piece(struct segs *s, const struct piece *x)
{
	struct match c = {x->commune, x->commune >= 0, x->commune >= 0};
	struct match t = {x->trade, x->trade >= 0, x->trade >= 0};

	if (x->type == P_EXACT)
		push_unit(s, x->a, x->b, &c, &t);
	else if (x->type == P_UNKNOWN)
		push_simple(s, S_UNKNOWN, x->a, x->b);
}

/* A piece that a window may take in as a neighbour. */
static int
small(const struct piece *x)
{
	return x->type != P_UNKNOWN && x->b - x->a <= MAX_SPAN - 1;
}

/* Unknown words looked at again for typos, while the part has not had its
 * share of searches (what is past it is wrong anyway). */
static int
windowed(const struct piece *x, const struct segs *s)
{
	return x->type == P_UNKNOWN && x->b - x->a <= WINDOW && s->windows < MAX_WINDOWS;
}

/* The names in the run of words [a, b). */
static void
names(const struct parser *p, const struct msg *m, size_t a, size_t b, struct segs *s)
{
	struct piece v[MAX_PIECES];
	size_t n, i, k, end, wa, wb, u;
	int held = 0, right;

	n = exact_pieces(p, m, a, b, v, &end);
	for (i = 0; i < n && s->more == SIZE_MAX; i++) {
		if (windowed(&v[i], s)) {
			s->windows++;
			u = i;
			wa = held ? v[i - 1].a : v[i].a;
			/* The names written out: unknown words and short names in
			 * turn ("sua chua dien thaoi", "truong cay an qua"). */
			right = 0;
			while (i + 1 < n && (small(&v[i + 1]) || v[i + 1].type == P_UNKNOWN) &&
			       v[i + 1].b - wa <= WINDOW &&
			       (v[i].type == P_UNKNOWN || v[i + 1].type == P_UNKNOWN)) {
				i++;
				right++;
			}
			wb = v[i].b;
			if (read_window(p, m, wa, wb, s) == -1) {
				/* A doubt: the words stay unexplained, the exact
				 * forms around them stay what they are. */
				if (held)
					push_piece(s, &v[u - 1]);
				for (k = u; k <= u + (size_t)right; k++)
					push_piece(s, &v[k]);
			}
			held = 0;
			continue;
		}
		if (v[i].type != P_UNKNOWN && small(&v[i]) && !held && i + 1 < n &&
		    windowed(&v[i + 1], s)) {
			held = 1; /* the next window takes it in */
			continue;
		}
		push_piece(s, &v[i]);
		held = 0;
	}
	if (end < b && s->more == SIZE_MAX)
		s->more = end;
}

/* A count, or what stands where one does and must never be read as a
 * name: a sign or a decimal part ("-5", "3.5"), a letter for a digit ("3o",
 * "l5"). */
static int
numeric(const struct msg *m, size_t i)
{
	const char *s = wtext(m, i);
	size_t k, len = m->w[i].len;
	int digits = 0;

	if (digit(s[0]) || (s[0] == '-' && len > 1))
		return 1;
	for (k = 0; k < len; k++) {
		if (digit(s[k]))
			digits = 1;
		else if (s[k] != 'o' && s[k] != 'l' && s[k] != 'i')
			return 0;
	}
	return digits;
}

/* Step 3: the segments of words [a, b). */
static void
segment(const struct parser *p, const struct msg *m, size_t a, size_t b, struct segs *s)
{
	size_t i = a, j;

	s->n = 0;
	s->windows = 0;
	s->more = SIZE_MAX;
	while (i < b && s->more == SIZE_MAX) {
		if (m->w[i].flags & W_CLASS) {
			push_simple(s, S_CLASS, i, i + 1);
			i++;
		} else if (m->w[i].flags & W_DATE) {
			push_simple(s, S_DATE, i, i + 1);
			i++;
		} else if (numeric(m, i)) {
			push_simple(s, S_NUM, i, i + 1);
			i++;
		} else {
			for (j = i;
			     j < b && !(m->w[j].flags & (W_CLASS | W_DATE)) && !numeric(m, j); j++)
				continue;
			names(p, m, i, j, s);
			i = j;
		}
	}
}

/* Step 4: fields ------------------------------------------------------------ */

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

static int
fail(struct parser_result *res, enum parser_error err)
{
	res->error = err;
	return -1;
}

/* res->bad gets words [a, b) as folded, cut after a whole word if they
 * don't fit. */
static void
set_bad(struct parser_result *res, const struct msg *m, size_t a, size_t b)
{
	size_t off, n;

	res->bad[0] = '\0';
	if (a >= b)
		return;
	off = m->w[a].off;
	n = (size_t)m->w[b - 1].off + m->w[b - 1].len - off;
	if (n >= sizeof(res->bad)) {
		n = sizeof(res->bad) - 1;
		while (n > 0 && m->text[off + n] != ' ')
			n--;
		if (n == 0)
			n = sizeof(res->bad) - 1;
	}
	memcpy(res->bad, m->text + off, n);
	res->bad[n] = '\0';
}

/* What the fields of a part are, while they are being found. */
struct fields {
	int kind;
	const struct seg *commune, *trade, *klass, *num[2], *date;
	size_t nnum;
	/* The error earliest in the message, if any. */
	enum parser_error err;
	const struct seg *at, *at2; /* at2: a second segment (LABOUR's pair) */
};

static void
blame(struct fields *f, enum parser_error err, const struct seg *x)
{
	if (f->err != PARSER_OK && f->at != NULL && f->at->a <= x->a)
		return;
	f->err = err;
	f->at = x;
	f->at2 = NULL;
}

static int
report_kind(int kind)
{
	return kind <= PARSER_NEED;
}

/* Whether a class code may name the class of a report of this kind. */
static int
takes_class(int kind)
{
	return kind == PARSER_ENROL || kind == PARSER_GRAD || kind == PARSER_JOB ||
	       kind == PARSER_CLASS_OPEN || kind == PARSER_CLASS_CLOSE;
}

static int
wants_commune(const struct fields *f)
{
	if (f->kind == PARSER_CANCEL || f->kind == PARSER_CLASS_CLOSE)
		return 0;
	return !(report_kind(f->kind) && f->klass != NULL);
}

static int
wants_trade(const struct fields *f)
{
	if (f->kind == PARSER_CLASS_OPEN)
		return 1;
	return report_kind(f->kind) && f->klass == NULL;
}

/* Numbers a kind takes besides commune codes. */
static size_t
wants_numbers(int kind)
{
	if (kind == PARSER_LABOUR)
		return 2;
	if (report_kind(kind) || kind == PARSER_CLASS_OPEN || kind == PARSER_CANCEL)
		return 1;
	return 0;
}

/* Word x as a number from min to max: 0, or -1 when it is not one (too many
 * digits, out of range, letters after the digits other than a filler word
 * when suffix is set: "35hv"). */
static int
number(const struct parser *p, const struct msg *m, size_t x, int suffix, long min, long max,
       long *v)
{
	const char *s = wtext(m, x);
	size_t k, len = m->w[x].len;
	long n = 0;

	for (k = 0; k < len && digit(s[k]); k++) {
		if (k == MAX_DIGITS)
			return -1;
		n = n * 10 + (s[k] - '0');
	}
	if (k == 0 || (k < len && !(suffix && filler_word(p, s + k, len - k))))
		return -1;
	if (n < min || n > max)
		return -1;
	*v = n;
	return 0;
}

/* Five digits starting with 0, as GSO codes are ("06999", "06448a"). */
static int
code_shaped(const struct msg *m, size_t x)
{
	const char *s = wtext(m, x);
	size_t k, len = m->w[x].len;

	if (len < 5 || s[0] != '0')
		return 0;
	for (k = 0; k < 5; k++) {
		if (!digit(s[k]))
			return 0;
	}
	return len == 5 || !digit(s[5]);
}

static int
has_digit(const struct msg *m, const struct seg *x)
{
	size_t i, k;

	for (i = x->a; i < x->b; i++) {
		for (k = 0; k < m->w[i].len; k++) {
			if (digit(wtext(m, i)[k]))
				return 1;
		}
	}
	return 0;
}

/* A number that is a commune's code becomes that commune. */
static void
codes(const struct parser *p, const struct msg *m, struct segs *s)
{
	struct seg *x;
	size_t i;
	int id;

	for (i = 0; i < s->n; i++) {
		x = &s->v[i];
		if (x->type != S_NUM)
			continue;
		id = table_get(&p->communes.forms, wtext(m, x->a), m->w[x->a].len);
		if (id < 0)
			continue;
		x->type = S_UNIT;
		x->exact = 1;
		x->commune = id;
		x->nc = 1;
		x->nt = 0;
	}
}

static void
take_number(struct fields *f, const struct msg *m, const struct seg *x)
{
	if (f->kind != PARSER_CANCEL && code_shaped(m, x->a)) {
		blame(f, PARSER_UNKNOWN_COMMUNE, x);
		return;
	}
	if (f->nnum < wants_numbers(f->kind))
		f->num[f->nnum++] = x;
	else if (f->kind == PARSER_STATUS && f->commune == NULL)
		f->commune = x; /* a code, or the start of codes */
	else
		blame(f, PARSER_EXTRA_VALUE, x);
}

/* A name that fits one class only (take_either() places the others). */
static void
take_unit(struct fields *f, const struct seg *x)
{
	if (x->nt == 0) {
		if (wants_commune(f) && f->commune == NULL)
			f->commune = x;
		else
			blame(f, PARSER_EXTRA_VALUE, x);
	} else if (x->nc == 0) {
		if (wants_trade(f) && f->trade == NULL)
			f->trade = x;
		else
			blame(f, PARSER_EXTRA_VALUE, x);
	}
}

/* A name that fits both classes goes where there is room; the commune first
 * when both are free, unless only the trade is one unit. */
static void
take_either(struct fields *f, const struct seg *x)
{
	int c = wants_commune(f) && f->commune == NULL;
	int t = wants_trade(f) && f->trade == NULL;

	if (c && t)
		c = !(x->nt == 1 && x->nc != 1);
	if (c)
		f->commune = x;
	else if (t)
		f->trade = x;
	else
		blame(f, PARSER_EXTRA_VALUE, x);
}

static void
take_unknown(struct fields *f, const struct msg *m, const struct seg *x)
{
	int classy = takes_class(f->kind) && f->klass == NULL && has_digit(m, x);

	if (classy && (f->kind == PARSER_CLASS_OPEN || f->kind == PARSER_CLASS_CLOSE ||
		       (f->commune == NULL && f->trade == NULL))) {
		blame(f, PARSER_BAD_CLASS, x);
	} else if (wants_commune(f) && f->commune == NULL) {
		blame(f, PARSER_UNKNOWN_COMMUNE, x);
		f->commune = x;
	} else if (wants_trade(f) && f->trade == NULL) {
		blame(f, PARSER_UNKNOWN_TRADE, x);
		f->trade = x;
	} else {
		blame(f, PARSER_EXTRA_VALUE, x);
	}
}

/* The numbers, in order: counts, LABOUR's pair, CANCEL's reference. */
static void
check_numbers(const struct parser *p, const struct msg *m, struct fields *f, long *v)
{
	long max = f->kind == PARSER_LABOUR ? MAX_LABOUR : p->max_count;
	size_t i;

	for (i = 0; i < f->nnum; i++) {
		if (f->kind == PARSER_CANCEL) {
			if (number(p, m, f->num[i]->a, 0, 1, MAX_LABOUR, &v[i]) == -1)
				blame(f, PARSER_BAD_REF, f->num[i]);
		} else if (number(p, m, f->num[i]->a, 1, i == 1 ? 0 : 1, max, &v[i]) == -1) {
			blame(f, PARSER_BAD_COUNT, f->num[i]);
			return;
		}
	}
	if (f->kind == PARSER_LABOUR && f->nnum == 2 && v[1] > v[0]) {
		blame(f, PARSER_BAD_COUNT, f->num[0]);
		if (f->at == f->num[0])
			f->at2 = f->num[1];
	}
}

/* The field missing first, in the order of the syntax. */
static enum parser_error
missing(const struct fields *f)
{
	size_t need = wants_numbers(f->kind);

	if ((f->kind == PARSER_CLASS_OPEN || f->kind == PARSER_CLASS_CLOSE) && f->klass == NULL)
		return PARSER_MISSING_CLASS;
	if (wants_commune(f) && f->commune == NULL && f->kind != PARSER_STATUS)
		return PARSER_MISSING_COMMUNE;
	if (f->kind == PARSER_CLASS_OPEN || f->kind == PARSER_CANCEL)
		need = 0; /* optional */
	if (f->nnum < need)
		return PARSER_MISSING_COUNT;
	if (wants_trade(f) && f->trade == NULL)
		return PARSER_MISSING_TRADE;
	return PARSER_OK;
}

/* res gets what is wrong with the segment an error is about: its words, and
 * the candidates of an ambiguous name or the suggestion for an unknown one. */
static void
explain(const struct parser *p, const struct msg *m, const struct fields *f,
	struct parser_result *res)
{
	const struct units *u = NULL;
	char key[MAX_KEY];
	size_t len, n;

	set_bad(res, m, f->at->a, f->at->b);
	if (f->at2 != NULL &&
	    strlen(res->bad) + 1 + (size_t)m->w[f->at2->a].len < sizeof(res->bad)) {
		strcat(res->bad, " ");
		strncat(res->bad, wtext(m, f->at2->a), m->w[f->at2->a].len);
	}
	/* Two trades ("35 han dien dan dung"): both are named. */
	if (f->err == PARSER_EXTRA_VALUE && f->at->type == S_UNIT && f->at->trade >= 0 &&
	    f->at->nc == 0 && f->trade != NULL && f->trade->type == S_UNIT &&
	    f->trade->trade >= 0 && f->trade->trade != f->at->trade) {
		res->candidates[0] = f->trade->trade;
		res->candidates[1] = f->at->trade;
		res->ncandidates = 2;
		return;
	}
	if (f->err == PARSER_AMBIGUOUS_COMMUNE || f->err == PARSER_UNKNOWN_COMMUNE)
		u = &p->communes;
	else if (f->err == PARSER_AMBIGUOUS_TRADE || f->err == PARSER_UNKNOWN_TRADE)
		u = &p->trades;
	if (u == NULL)
		return;
	len = join(m, f->at->a, f->at->b, key, sizeof(key));
	n = len > 0 ? near_units(u, key, len, res->candidates) : 0;
	if (f->err == PARSER_AMBIGUOUS_COMMUNE || f->err == PARSER_AMBIGUOUS_TRADE) {
		res->ncandidates = n < PARSER_MAX_CANDIDATES ? n : PARSER_MAX_CANDIDATES;
		if (res->ncandidates < 2) /* cannot be: but never a list of one */
			res->error = f->err == PARSER_AMBIGUOUS_COMMUNE ? PARSER_UNKNOWN_COMMUNE
									: PARSER_UNKNOWN_TRADE;
	} else {
		/* A suggestion only for words too short to be sure of, and for
		 * a typo of a name too short to be accepted ("hna": han). */
		res->ncandidates = n == 1 && len < FUZZY_MIN_KEY ? 1 : 0;
		if (n == 0 && units_short_near(u, key, len, res->candidates) == 1)
			res->ncandidates = 1;
	}
	for (n = res->ncandidates; n < PARSER_MAX_CANDIDATES; n++)
		res->candidates[n] = 0;
}

/* A number standing for a commune in STATUS: one code, or the start of
 * several (ambiguous), or none. */
static void
status_code(const struct parser *p, const struct msg *m, struct fields *f)
{
	int c[PARSER_MAX_CANDIDATES];
	const struct seg *x = f->commune;

	if (x == NULL || x->type != S_NUM)
		return;
	if (units_prefix(&p->communes, wtext(m, x->a), m->w[x->a].len, c) >= 2 &&
	    !code_shaped(m, x->a))
		blame(f, PARSER_AMBIGUOUS_COMMUNE, x);
	else
		blame(f, PARSER_UNKNOWN_COMMUNE, x);
}

static void
class_code(const struct msg *m, const struct seg *x, char *out)
{
	size_t k, len = m->w[x->a].len;
	const char *s = wtext(m, x->a);

	for (k = 0; k < len && k < PARSER_MAX_CLASS; k++)
		out[k] = (char)(s[k] >= 'a' && s[k] <= 'z' ? s[k] - 'a' + 'A' : s[k]);
	out[k] = '\0';
}

static void
set_date(const struct msg *m, const struct seg *x, struct parser_item *it)
{
	const char *s = wtext(m, x->a);
	size_t len = m->w[x->a].len;
	long v[3];
	size_t n, k = 0;

	while (k < len && digit(s[k]))
		k++;
	n = k < len ? numbers(s, len, s[k], v) : 0;
	if (n < 2)
		return; /* cannot be: date_word() took it */
	it->day = (int)v[0];
	it->month = (int)v[1];
	it->year = n == 3 ? (int)(v[2] < 100 ? 2000 + v[2] : v[2]) : 0;
}

/* Step 4 for one part: the fields of kind in words [a, b) go to it, or res
 * gets the error.  0 or -1. */
static int
fields(const struct parser *p, const struct msg *m, int kind, size_t a, size_t b, int commune,
       struct parser_item *it, struct parser_result *res)
{
	struct fields f;
	struct segs s;
	const struct seg *x;
	long v[2] = {0, 0};
	size_t i;

	memset(&f, 0, sizeof(f));
	f.kind = kind;
	segment(p, m, a, b, &s);
	if (kind != PARSER_CANCEL)
		codes(p, m, &s);
	for (i = 0; i < s.n && takes_class(kind); i++) {
		if (s.v[i].type == S_CLASS) {
			f.klass = &s.v[i];
			break;
		}
	}
	/* Numbers, class codes and names of one class first; then the names
	 * that fit both classes and the words that name nothing, where there
	 * is room left. */
	for (i = 0; i < s.n; i++) {
		x = &s.v[i];
		if (x->type == S_CLASS && x != f.klass)
			blame(&f, PARSER_EXTRA_VALUE, x);
		else if (x->type == S_DATE && f.date == NULL && kind <= PARSER_LABOUR)
			f.date = x;
		else if (x->type == S_DATE)
			blame(&f, PARSER_EXTRA_VALUE, x);
		else if (x->type == S_NUM)
			take_number(&f, m, x);
		else if (x->type == S_UNIT)
			take_unit(&f, x);
	}
	for (i = 0; i < s.n; i++) {
		x = &s.v[i];
		if (x->type == S_UNIT && x->nc > 0 && x->nt > 0)
			take_either(&f, x);
		else if (x->type == S_UNKNOWN)
			take_unknown(&f, m, x);
	}
	if (f.kind == PARSER_STATUS)
		status_code(p, m, &f);
	if (f.commune != NULL && f.commune->type == S_UNIT && f.commune->commune < 0 &&
	    f.commune->nc > 1)
		blame(&f, PARSER_AMBIGUOUS_COMMUNE, f.commune);
	if (f.trade != NULL && f.trade->type == S_UNIT && f.trade->trade < 0 && f.trade->nt > 1)
		blame(&f, PARSER_AMBIGUOUS_TRADE, f.trade);
	check_numbers(p, m, &f, v);
	if (f.err == PARSER_OK && s.more != SIZE_MAX) {
		set_bad(res, m, s.more, b);
		return fail(res, PARSER_EXTRA_VALUE);
	}
	if (f.err != PARSER_OK) {
		res->error = f.err;
		explain(p, m, &f, res);
		return -1;
	}
	/* A part with a count and a trade but no commune takes the one given
	 * (the commune of the report before it). */
	if (commune >= 0 && f.commune == NULL && wants_commune(&f) && report_kind(kind) &&
	    f.nnum == 1 && f.trade != NULL && missing(&f) == PARSER_MISSING_COMMUNE) {
		it->commune = commune;
	} else if (missing(&f) != PARSER_OK) {
		return fail(res, missing(&f));
	} else {
		it->commune = f.commune != NULL ? f.commune->commune : -1;
	}
	it->kind = (enum parser_kind)kind;
	it->trade = f.trade != NULL ? f.trade->trade : -1;
	it->topic = -1;
	if (kind == PARSER_CANCEL)
		it->ref = v[0];
	else
		it->count = v[0];
	it->trained = kind == PARSER_LABOUR ? v[1] : 0;
	if (f.klass != NULL)
		class_code(m, f.klass, it->class_code);
	if (f.date != NULL)
		set_date(m, f.date, it);
	return 0;
}

/* Step 2: keywords ----------------------------------------------------------- */

/* The keyword of a part, and in *a where its fields start; -1 when its first
 * word is none (a typo of one is accepted when near is set). */
static int
keyword(const struct parser *p, const struct msg *m, const struct part *pt, int near, size_t *a)
{
	char key[MAX_KEY];
	size_t n, len;
	int k;

	*a = pt->a;
	if (pt->symbol != -1)
		return pt->symbol;
	if (pt->a == pt->b || (m->w[pt->a].flags & W_CLASS))
		return -1;
	for (n = PARSER_KEYWORD_WORDS; n > 0; n--) {
		if (pt->a + n > pt->b)
			continue;
		len = join(m, pt->a, pt->a + n, key, sizeof(key));
		k = len > 0 ? table_get(&p->keywords, key, len) : -1;
		if (k != -1) {
			*a = pt->a + n;
			return k;
		}
	}
	/* A typo, also in the natural words ("tot ngiep"), never taking a
	 * number in ("nee 5": not NEED). */
	for (n = near ? PARSER_KEYWORD_WORDS : 0; n > 0; n--) {
		if (pt->a + n > pt->b)
			continue;
		len = join(m, pt->a, pt->a + n, key, sizeof(key));
		k = len > 0 && (n == 1 || strpbrk(key, "0123456789") == NULL)
			? keyword_near(p, key, len)
			: -1;
		if (k != -1) {
			*a = pt->a + n;
			return k;
		}
	}
	return -1;
}

/* CLASS's second word: OPEN or MO, CLOSE or DONG (OPEN and CLOSE also with
 * one typo); the kind, or -1. */
static int
action(const struct msg *m, size_t i, size_t b)
{
	static const struct {
		const char *word;
		int kind;
	} words[] = {
	    {"open", PARSER_CLASS_OPEN},
	    {"mo", PARSER_CLASS_OPEN},
	    {"close", PARSER_CLASS_CLOSE},
	    {"dong", PARSER_CLASS_CLOSE},
	};
	size_t k, len;
	int kind = -1;

	if (i >= b || (m->w[i].flags & W_CLASS))
		return -1;
	len = m->w[i].len;
	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		if (strlen(words[k].word) == len && memcmp(words[k].word, wtext(m, i), len) == 0)
			return words[k].kind;
	}
	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		if (strlen(words[k].word) < FUZZY_MIN_KEY || len < FUZZY_MIN_KEY ||
		    fuzzy_distance(wtext(m, i), len, words[k].word, strlen(words[k].word), 1) > 1)
			continue;
		if (kind != -1)
			return -1;
		kind = words[k].kind;
	}
	return kind;
}

/* HELP [keyword]: anything else after it is no error, only no topic. */
static int
help(const struct parser *p, const struct msg *m, size_t a, size_t b, struct parser_result *res)
{
	struct parser_item *it = &res->items[0];
	int k = -1;

	if (a < b && !(m->w[a].flags & W_CLASS)) {
		k = table_get(&p->keywords, wtext(m, a), m->w[a].len);
		if (k == -1)
			k = keyword_near(p, wtext(m, a), m->w[a].len);
	}
	it->kind = PARSER_HELP;
	it->topic = k;
	res->kind = PARSER_HELP;
	res->nitems = 1;
	res->error = PARSER_OK;
	return 0;
}

/* The kind of a part whose keyword (or the one it takes from the part
 * before) is k, with CLASS's second word read: *a moves past it. */
static int
part_kind(const struct msg *m, const struct part *pt, int k, int inherited, size_t *a,
	  struct parser_result *res)
{
	if (k != PARSER_KEYWORD_CLASS || inherited)
		return k;
	k = action(m, *a, pt->b);
	if (k == -1) {
		res->kind = PARSER_CLASS_OPEN;
		set_bad(res, m, *a, *a < pt->b ? *a + 1 : *a);
		fail(res, PARSER_UNKNOWN_ACTION);
		return -1;
	}
	(*a)++;
	return k;
}

/* The whole message read as one part, when its parts only make sense
 * together ("DK Minh Son: 35; han"). */
static int
joined(const struct parser *p, const struct msg *m, int kind, size_t a, struct parser_result *res)
{
	struct parser_result r;

	clear(&r);
	r.kind = kind;
	if (fields(p, m, kind, a, m->parts[m->nparts - 1].b, -1, &r.items[0], &r) == -1)
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
		kind = keyword(p, m, &m->parts[k], k == 0, &a);
		inherited = kind == -1;
		if (k == 0 && kind == -1) {
			set_bad(res, m, a, a + 1);
			res->part = m->nparts > 1 ? 1 : 0;
			return fail(res, PARSER_UNKNOWN_KEYWORD);
		}
		if (k == 0 && kind == PARSER_HELP)
			return help(p, m, a, m->parts[0].b, res);
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
		if (fields(p, m, kind, a, m->parts[k].b, commune, &res->items[k], res) == 0)
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
	split(p, raw, len, 1, &typed);
	commas = typed.commas;
	normalise(p, &typed, &m, &t);
	if (read_msg(p, &m, res) == 0 || commas == 0)
		return res->error == PARSER_OK ? 0 : -1;
	/* Not understood with its commas as report separators: read them as
	 * the commas between fields they also are. */
	clear(&plain);
	split(p, raw, len, 0, &typed);
	normalise(p, &typed, &m, &t);
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
