/*
 * names.c - step 3 of parser_parse(): the words after the keyword become
 * segments: numbers, class codes, dates and names of communes and trades.
 *
 * Names are found by the longest exact match first.  The words no exact
 * match explains are looked at again with their neighbours, for prefixes
 * and typos, and the cheapest reading wins: an exact match costs nothing, a
 * typo or a prefix 1, an ambiguous name 2, a word that names nothing 10,
 * and each segment a little more (of two readings otherwise equal, the one
 * in fewer pieces).  Two readings that cost the same are a doubt, and a
 * doubt is never settled by a guess: the words stay unexplained.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "impl.h"
#include "parser.h"

#define MAX_PIECES (3 * MAX_SEGS)
#define MAX_SPAN 5    /* words of a name found by a prefix or a typo */
#define MAX_WINDOWS 4 /* typo searches of one part: a report names 2 things */
#define UNKNOWN_COST 10
#define INFINITE 1000000

/* What some words may name in one class. */
struct match {
	int id;	   /* the unit, when n == 1 */
	int n;	   /* 0, 1 or more units */
	int exact; /* n == 1 by an exact form */
};

/*
 * The units key[0..len) could mean without being one of their forms: those
 * it is the start of a name or code of (when at least 2 long), and those it
 * is a typo of.  The smallest PARSER_MAX_CANDIDATES go to c; returns how
 * many there are in all.
 */
size_t
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
int
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
			len = msg_join(m, i, j, key, sizeof(key));
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

/* Step 3: the segments of words [a, b). */
void
msg_segment(const struct parser *p, const struct msg *m, size_t a, size_t b, struct segs *s)
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
		} else if (word_numeric(m, i)) {
			push_simple(s, S_NUM, i, i + 1);
			i++;
		} else {
			for (j = i;
			     j < b && !(m->w[j].flags & (W_CLASS | W_DATE)) && !word_numeric(m, j);
			     j++)
				continue;
			names(p, m, i, j, s);
			i = j;
		}
	}
}
