/*
 * rewrite.c - step 1b of parser_parse(): each part's words in the order the
 * grammar reads.
 *
 * Officers glue words ("dk35han", "20hocvien", "sl35"), spell numbers out
 * ("ba muoi lam"), frame a report with courtesy ("bao cao: ... cam on a")
 * and may name their commune before the keyword ("Xa Minh Son bao cao: DK
 * 35 han").  This step rewrites each part into the plain order: glued words
 * cut where every piece is known, numbers in words as digits, courtesy
 * dropped at both ends, the keyword first.  Nothing is guessed: a piece that
 * names nothing keeps its word whole, and the later steps name it.
 */
#include <string.h>

#include "impl.h"
#include "parser.h"

/* Glued words ------------------------------------------------------------ */

#define MAX_GLUED 8 /* pieces of one glued word */

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

/* Whether s[0..len) is one filler word, written with or without its spaces
 * ("hv", "hocvien"); *f gets it. */
int
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

/* Numbers in words -------------------------------------------------------- */

static int
tok_is(const struct tok *t, const char *w)
{
	return t->flags == 0 && strlen(w) == t->len && memcmp(t->s, w, t->len) == 0;
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

/* Courtesy and the keyword first ------------------------------------------ */

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

/* The tokens of part pt of m, rewritten (see the top), to t. */
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
void
msg_normalise(const struct parser *p, const struct msg *m, struct msg *out, struct toks *t)
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
			msg_add_word(out, t->v[i].s, t->v[i].len, t->v[i].flags);
		out->parts[out->nparts].a = a;
		out->parts[out->nparts].b = out->n;
		out->parts[out->nparts].symbol = m->parts[k].symbol;
		out->nparts++;
	}
}
