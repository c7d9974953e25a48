/*
 * fields.c - step 4 of parser_parse(): the fields of a report item taken
 * from a part's segments.  Each kind takes the segments it wants, in any
 * order; a segment that no field wants is an error naming it, and of
 * several errors the one earliest in the message is reported, with the
 * candidates of an ambiguous name or the suggestion for an unknown one.
 */
#include <stdint.h>
#include <string.h>

#include "impl.h"
#include "parser.h"

/* res->bad gets words [a, b) as folded, cut after a whole word if they
 * don't fit. */
void
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
			if (word_number(p, m, f->num[i]->a, 0, 1, MAX_LABOUR, &v[i]) == -1)
				blame(f, PARSER_BAD_REF, f->num[i]);
		} else if (word_number(p, m, f->num[i]->a, 1, i == 1 ? 0 : 1, max, &v[i]) == -1) {
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
	len = msg_join(m, f->at->a, f->at->b, key, sizeof(key));
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

/* Step 4 for one part: the fields of kind in words [a, b) go to it, or res
 * gets the error.  0 or -1. */
int
part_fields(const struct parser *p, const struct msg *m, int kind, size_t a, size_t b, int commune,
	    struct parser_item *it, struct parser_result *res)
{
	struct fields f;
	struct segs s;
	const struct seg *x;
	long v[2] = {0, 0};
	size_t i;

	memset(&f, 0, sizeof(f));
	f.kind = kind;
	msg_segment(p, m, a, b, &s);
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
