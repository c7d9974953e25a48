/*
 * parser.c - the lookup tables of the SMS grammar, and parser_parse().
 *
 * Every name, alias, code and keyword form is stored folded and without
 * spaces ("Minh Sơn" -> "minhson") in a hash table per class (communes,
 * trades, keywords), so that an exact match costs one hash of the words of a
 * message whatever the size of the gazetteer.  Prefix search, needed only to
 * explain an error ("minh" could be three communes), uses a sorted array of
 * names and codes built by parser_prepare().
 *
 * parser_parse() allocates nothing: the message is folded into a stack
 * buffer and split into words there.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

#define MAX_FORM 255   /* longest code, name, alias, keyword or filler, in bytes */
#define MAX_SYMBOLS 8  /* punctuation-only keyword forms ("?") */
#define MAX_SYMBOL 8   /* ... and their length */
#define MAX_DISPLAY 15 /* longest keyword form shown in replies */
#define MAX_DIGITS 9   /* longest number: fits a 32-bit long */
#define MAX_LABOUR 999999999L
#define MAX_WORDS (PARSER_MAX_TEXT / 2 + 1)

struct slot {
	char *key; /* folded, space-less, owned; NULL when the slot is free */
	size_t len;
	uint32_t hash;
	int id;
};

/* Open addressing with linear probing, kept at most half full. */
struct table {
	struct slot *slots;
	size_t cap; /* 0 or a power of two */
	size_t n;
	size_t maxlen; /* longest key: longer text cannot match */
};

/* One entry of the prefix index. */
struct prefix {
	const char *form; /* a unit's fname or fcode */
	int id;
};

struct unit {
	char *code;
	char *name;
	char *fcode; /* folded, space-less: what prefix search looks at */
	char *fname;
	char type[3]; /* communes: "xa" or "tt"; trades: "" */
};

struct units {
	struct unit *v;
	size_t n, cap;
	struct table forms;   /* folded codes, names and aliases -> index */
	struct prefix *index; /* names and codes, sorted; NULL until prepared */
	size_t nindex;
};

struct symbol {
	char form[MAX_SYMBOL + 1];
	size_t len;
	int kind;
};

struct filler {
	char *text; /* folded, words separated by one space */
	size_t len;
	size_t nwords;
};

struct parser {
	struct units communes;
	struct units trades;
	struct table keywords; /* folded word forms -> enum parser_kind */
	struct symbol symbols[MAX_SYMBOLS];
	size_t nsymbols;
	struct filler *fillers;
	size_t nfillers;
	long max_count;
	char display[PARSER_NKINDS][MAX_DISPLAY + 1]; /* "" until a word form is added */
};

/* A form being added: folded, space-less. */
struct form {
	char text[MAX_FORM + 1];
	size_t len;
};

/* A message being parsed: folded text and its words (offsets fit 16 bits as
 * the text is cut at PARSER_MAX_TEXT). */
struct word {
	unsigned short off;
	unsigned short len;
};

struct msg {
	char text[PARSER_MAX_TEXT + 1];
	size_t len;
	struct word w[MAX_WORDS];
	size_t n;
};

_Static_assert(PARSER_MAX_TEXT <= USHRT_MAX, "word offsets are 16 bits");

static const char *kind_names[PARSER_NKINDS] = {
    "enrol", "grad", "job", "need", "labour", "status", "help",
};

static const char *kind_upper[PARSER_NKINDS] = {
    "ENROL", "GRAD", "JOB", "NEED", "LABOUR", "STATUS", "HELP",
};

static const char *error_names[PARSER_NERRORS] = {
    "ok",
    "empty",
    "unknown_keyword",
    "missing_commune",
    "unknown_commune",
    "ambiguous_commune",
    "missing_count",
    "bad_count",
    "missing_trade",
    "unknown_trade",
    "ambiguous_trade",
};

/* Hash table ------------------------------------------------------------- */

static uint32_t
fnv1a(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* The slot holding key, or the free slot where it belongs. */
static size_t
probe(const struct table *t, const char *key, size_t len, uint32_t hash)
{
	const struct slot *s;
	size_t mask = t->cap - 1, i = hash & mask;

	for (;;) {
		s = &t->slots[i];
		if (s->key == NULL)
			return i;
		if (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0)
			return i;
		i = (i + 1) & mask;
	}
}

static int
table_get(const struct table *t, const char *key, size_t len)
{
	size_t i;

	if (t->cap == 0 || len == 0 || len > t->maxlen)
		return -1;
	i = probe(t, key, len, fnv1a(key, len));
	return t->slots[i].key != NULL ? t->slots[i].id : -1;
}

/* Makes room for n more keys, so that table_put() cannot fail. */
static int
table_reserve(struct table *t, size_t n)
{
	struct slot *old = t->slots, *s;
	size_t oldcap = t->cap, cap = t->cap != 0 ? t->cap : 64, i;

	while ((t->n + n) * 2 > cap)
		cap *= 2;
	if (cap == t->cap)
		return 0;
	s = calloc(cap, sizeof(*s));
	if (s == NULL)
		return -1;
	t->slots = s;
	t->cap = cap;
	for (i = 0; i < oldcap; i++) {
		if (old[i].key != NULL)
			s[probe(t, old[i].key, old[i].len, old[i].hash)] = old[i];
	}
	free(old);
	return 0;
}

/* Adds key, which the table owns from now on; room was reserved. */
static void
table_put(struct table *t, char *key, size_t len, int id)
{
	uint32_t hash = fnv1a(key, len);
	size_t i = probe(t, key, len, hash);

	if (t->slots[i].key != NULL) {
		free(key); /* the same form twice for the same id */
		return;
	}
	t->slots[i].key = key;
	t->slots[i].len = len;
	t->slots[i].hash = hash;
	t->slots[i].id = id;
	t->n++;
	if (len > t->maxlen)
		t->maxlen = len;
}

static void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		free(t->slots[i].key);
	free(t->slots);
}

/* Construction ----------------------------------------------------------- */

static char *
dup(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (d != NULL) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* Configuration text is checked before use: present, not too long, UTF-8. */
static int
check_text(const char *s)
{
	size_t len;

	if (s == NULL)
		return -1;
	len = strlen(s);
	if (len == 0 || len > MAX_FORM || !parser_utf8_valid(s, len))
		return -1;
	return 0;
}

/* Folds s into f; -1 when it is not acceptable or folds to nothing. */
static int
fold_form(const char *s, struct form *f)
{
	if (check_text(s) == -1)
		return -1;
	f->len = parser_fold(s, strlen(s), f->text, sizeof(f->text), 1);
	return f->len > 0 ? 0 : -1;
}

/* Adds forms f[0..n) for id to t: all of them or, on failure, none.  A form
 * that already names another id is a failure; one that names id is not. */
static int
add_forms(struct table *t, const struct form *f, size_t n, int id)
{
	char *keys[2];
	size_t i;
	int old;

	if (n > 2)
		return -1;
	for (i = 0; i < n; i++) {
		old = table_get(t, f[i].text, f[i].len);
		if (old != -1 && old != id)
			return -1;
	}
	if (table_reserve(t, n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		keys[i] = dup(f[i].text, f[i].len);
		if (keys[i] == NULL) {
			while (i > 0)
				free(keys[--i]);
			return -1;
		}
	}
	for (i = 0; i < n; i++)
		table_put(t, keys[i], f[i].len, id);
	return 0;
}

static void
unit_free(struct unit *u)
{
	free(u->code);
	free(u->name);
	free(u->fcode);
	free(u->fname);
}

static void
units_free(struct units *u)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		unit_free(&u->v[i]);
	free(u->v);
	free(u->index);
	table_free(&u->forms);
}

static int
units_grow(struct units *u)
{
	struct unit *v;
	size_t cap;

	if (u->n < u->cap)
		return 0;
	if (u->cap >= INT_MAX / 2)
		return -1; /* indexes are ints */
	cap = u->cap != 0 ? u->cap * 2 : 32;
	v = realloc(u->v, cap * sizeof(*v));
	if (v == NULL)
		return -1;
	u->v = v;
	u->cap = cap;
	return 0;
}

static int
add_unit(struct units *u, const char *code, const char *name, const char *type)
{
	struct form f[2];
	struct unit *x;
	int id = (int)u->n;

	if (fold_form(name, &f[0]) == -1 || fold_form(code, &f[1]) == -1)
		return -1;
	if (units_grow(u) == -1)
		return -1;
	x = &u->v[u->n];
	memset(x, 0, sizeof(*x));
	x->code = dup(code, strlen(code));
	x->name = dup(name, strlen(name));
	x->fname = dup(f[0].text, f[0].len);
	x->fcode = dup(f[1].text, f[1].len);
	if (x->code == NULL || x->name == NULL || x->fname == NULL || x->fcode == NULL ||
	    add_forms(&u->forms, f, 2, id) == -1) {
		unit_free(x);
		return -1;
	}
	memcpy(x->type, type, strlen(type) + 1); /* "xa", "tt" or "" */
	u->n++;
	/* The prefix index no longer covers every unit. */
	free(u->index);
	u->index = NULL;
	u->nindex = 0;
	return id;
}

static int
add_alias(struct units *u, int id, const char *alias)
{
	struct form f;

	if (id < 0 || (size_t)id >= u->n || fold_form(alias, &f) == -1)
		return -1;
	if (add_forms(&u->forms, &f, 1, id) == -1)
		return -1;
	return id;
}

struct parser *
parser_new(void)
{
	struct parser *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->max_count = PARSER_DEFAULT_MAX_COUNT;
	return p;
}

void
parser_free(struct parser *p)
{
	size_t i;

	if (p == NULL)
		return;
	units_free(&p->communes);
	units_free(&p->trades);
	table_free(&p->keywords);
	for (i = 0; i < p->nfillers; i++)
		free(p->fillers[i].text);
	free(p->fillers);
	free(p);
}

int
parser_add_commune(struct parser *p, const char *code, const char *type, const char *name)
{
	struct form t;

	if (p == NULL || fold_form(type, &t) == -1)
		return -1;
	if (strcmp(t.text, "thitran") == 0)
		memcpy(t.text, "tt", 3);
	if (strcmp(t.text, "xa") != 0 && strcmp(t.text, "tt") != 0)
		return -1;
	return add_unit(&p->communes, code, name, t.text);
}

int
parser_add_commune_alias(struct parser *p, int commune, const char *alias)
{
	if (p == NULL)
		return -1;
	return add_alias(&p->communes, commune, alias);
}

int
parser_add_trade(struct parser *p, const char *code, const char *name)
{
	if (p == NULL)
		return -1;
	return add_unit(&p->trades, code, name, "");
}

int
parser_add_trade_alias(struct parser *p, int trade, const char *alias)
{
	if (p == NULL)
		return -1;
	return add_alias(&p->trades, trade, alias);
}

/* A keyword form that folds to nothing ("?"): kept as written, without the
 * white space around it. */
static int
add_symbol(struct parser *p, enum parser_kind kind, const char *form)
{
	struct symbol *s;
	size_t i, len;

	while (*form == ' ' || *form == '\t')
		form++;
	len = strlen(form);
	while (len > 0 && (form[len - 1] == ' ' || form[len - 1] == '\t'))
		len--;
	if (len == 0 || len > MAX_SYMBOL)
		return -1;
	for (i = 0; i < p->nsymbols; i++) {
		s = &p->symbols[i];
		if (s->len == len && memcmp(s->form, form, len) == 0)
			return s->kind == (int)kind ? 0 : -1;
	}
	if (p->nsymbols == MAX_SYMBOLS)
		return -1;
	s = &p->symbols[p->nsymbols++];
	memcpy(s->form, form, len);
	s->form[len] = '\0';
	s->len = len;
	s->kind = (int)kind;
	return 0;
}

/* Replies show the shortest word form of a kind; the first one on a tie. */
static void
set_display(struct parser *p, enum parser_kind kind, const struct form *f)
{
	char *d = p->display[kind];
	size_t i;

	if (f->len > MAX_DISPLAY || (d[0] != '\0' && strlen(d) <= f->len))
		return;
	for (i = 0; i < f->len; i++)
		d[i] =
		    (char)(f->text[i] >= 'a' && f->text[i] <= 'z' ? f->text[i] - 32 : f->text[i]);
	d[f->len] = '\0';
}

int
parser_add_keyword(struct parser *p, enum parser_kind kind, const char *form)
{
	char spaced[MAX_FORM + 1];
	struct form f;

	if (p == NULL || (unsigned)kind >= PARSER_NKINDS || check_text(form) == -1)
		return -1;
	f.len = parser_fold(form, strlen(form), f.text, sizeof(f.text), 1);
	if (f.len == 0)
		return add_symbol(p, kind, form);
	/* Only the first word of a message is compared. */
	if (parser_fold(form, strlen(form), spaced, sizeof(spaced), 0) != f.len)
		return -1;
	if (add_forms(&p->keywords, &f, 1, (int)kind) == -1)
		return -1;
	set_display(p, kind, &f);
	return 0;
}

int
parser_add_filler(struct parser *p, const char *word)
{
	struct filler *v, *f;
	char text[MAX_FORM + 1];
	size_t len, i;

	if (p == NULL || check_text(word) == -1)
		return -1;
	len = parser_fold(word, strlen(word), text, sizeof(text), 0);
	if (len == 0)
		return -1;
	for (i = 0; i < p->nfillers; i++) {
		if (strcmp(p->fillers[i].text, text) == 0)
			return 0;
	}
	v = realloc(p->fillers, (p->nfillers + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	p->fillers = v;
	f = &v[p->nfillers];
	f->text = dup(text, len);
	if (f->text == NULL)
		return -1;
	f->len = len;
	f->nwords = 1;
	for (i = 0; i < len; i++)
		f->nwords += text[i] == ' ';
	p->nfillers++;
	return 0;
}

void
parser_set_max_count(struct parser *p, long max)
{
	if (p != NULL && max >= 1)
		p->max_count = max < MAX_LABOUR ? max : MAX_LABOUR;
}

static int
prefix_cmp(const void *a, const void *b)
{
	const struct prefix *x = a, *y = b;
	int c = strcmp(x->form, y->form);

	if (c != 0)
		return c;
	return (x->id > y->id) - (x->id < y->id);
}

static int
build_index(struct units *u)
{
	struct prefix *v;
	size_t i, n = 0;

	free(u->index);
	u->index = NULL;
	u->nindex = 0;
	if (u->n == 0)
		return 0;
	v = calloc(2 * u->n, sizeof(*v));
	if (v == NULL)
		return -1;
	for (i = 0; i < u->n; i++) {
		v[n].form = u->v[i].fname;
		v[n++].id = (int)i;
		if (strcmp(u->v[i].fcode, u->v[i].fname) == 0)
			continue;
		v[n].form = u->v[i].fcode;
		v[n++].id = (int)i;
	}
	qsort(v, n, sizeof(*v), prefix_cmp);
	u->index = v;
	u->nindex = n;
	return 0;
}

int
parser_prepare(struct parser *p)
{
	if (p == NULL)
		return -1;
	if (build_index(&p->communes) == -1 || build_index(&p->trades) == -1)
		return -1;
	return 0;
}

/* Accessors --------------------------------------------------------------- */

static const struct unit *
unit_at(const struct units *u, int i)
{
	if (i < 0 || (size_t)i >= u->n)
		return NULL;
	return &u->v[i];
}

size_t
parser_ncommunes(const struct parser *p)
{
	return p != NULL ? p->communes.n : 0;
}

size_t
parser_ntrades(const struct parser *p)
{
	return p != NULL ? p->trades.n : 0;
}

const char *
parser_commune_code(const struct parser *p, int commune)
{
	const struct unit *u = p != NULL ? unit_at(&p->communes, commune) : NULL;

	return u != NULL ? u->code : NULL;
}

const char *
parser_commune_type(const struct parser *p, int commune)
{
	const struct unit *u = p != NULL ? unit_at(&p->communes, commune) : NULL;

	return u != NULL ? u->type : NULL;
}

const char *
parser_commune_name(const struct parser *p, int commune)
{
	const struct unit *u = p != NULL ? unit_at(&p->communes, commune) : NULL;

	return u != NULL ? u->name : NULL;
}

const char *
parser_trade_code(const struct parser *p, int trade)
{
	const struct unit *u = p != NULL ? unit_at(&p->trades, trade) : NULL;

	return u != NULL ? u->code : NULL;
}

const char *
parser_trade_name(const struct parser *p, int trade)
{
	const struct unit *u = p != NULL ? unit_at(&p->trades, trade) : NULL;

	return u != NULL ? u->name : NULL;
}

long
parser_max_count(const struct parser *p)
{
	return p != NULL ? p->max_count : PARSER_DEFAULT_MAX_COUNT;
}

const char *
parser_keyword_form(const struct parser *p, enum parser_kind kind)
{
	if ((unsigned)kind >= PARSER_NKINDS)
		return NULL;
	if (p == NULL || p->display[kind][0] == '\0')
		return kind_upper[kind];
	return p->display[kind];
}

const char *
parser_kind_name(enum parser_kind kind)
{
	if ((unsigned)kind >= PARSER_NKINDS)
		return "unknown";
	return kind_names[kind];
}

const char *
parser_error_name(enum parser_error err)
{
	if ((unsigned)err >= PARSER_NERRORS)
		return "unknown";
	return error_names[err];
}

/* Prefix search ----------------------------------------------------------- */

/* Adds id to the sorted candidate list c[0..*n) unless it is there or the
 * list is full of smaller ids. */
static void
add_candidate(int *c, size_t *n, int id)
{
	size_t i, j;

	for (i = 0; i < *n && c[i] < id; i++)
		continue;
	if (i < *n && c[i] == id)
		return;
	if (i == PARSER_MAX_CANDIDATES)
		return;
	if (*n < PARSER_MAX_CANDIDATES)
		(*n)++;
	for (j = *n - 1; j > i; j--) /* the last one falls off a full list */
		c[j] = c[j - 1];
	c[i] = id;
}

/* Units whose folded name or code starts with key[0..len): the first
 * PARSER_MAX_CANDIDATES in table order go to c; returns how many of them. */
static size_t
search_index(const struct units *u, const char *key, size_t len, int *c)
{
	size_t lo = 0, hi = u->nindex, mid, n = 0;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strncmp(u->index[mid].form, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < u->nindex && strncmp(u->index[lo].form, key, len) == 0; lo++)
		add_candidate(c, &n, u->index[lo].id);
	return n;
}

/* The same over the units in order, for a parser that was not prepared. */
static size_t
search_units(const struct units *u, const char *key, size_t len, int *c)
{
	size_t i, n = 0;

	for (i = 0; i < u->n && n < PARSER_MAX_CANDIDATES; i++) {
		if (strncmp(u->v[i].fname, key, len) == 0 || strncmp(u->v[i].fcode, key, len) == 0)
			c[n++] = (int)i;
	}
	return n;
}

/* Parsing ---------------------------------------------------------------- */

static int
digit(int c)
{
	return c >= '0' && c <= '9';
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

static int
fail_bad(struct parser_result *res, enum parser_error err, const struct msg *m, size_t a, size_t b)
{
	set_bad(res, m, a, b);
	return fail(res, err);
}

static int
done(struct parser_result *res, const struct parser_item *it)
{
	res->items[0] = *it;
	res->nitems = 1;
	res->error = PARSER_OK;
	return 0;
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

/* A punctuation keyword form ("?") at the start of the text: its kind, and
 * in *skip where the rest begins; -1 when none (the longest one wins). */
static int
symbol(const struct parser *p, const char *text, size_t len, size_t *skip)
{
	const struct symbol *s, *best = NULL;
	size_t i = 0, k;

	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
		i++;
	for (k = 0; k < p->nsymbols; k++) {
		s = &p->symbols[k];
		if (s->len <= len - i && memcmp(text + i, s->form, s->len) == 0 &&
		    (best == NULL || s->len > best->len))
			best = s;
	}
	if (best == NULL)
		return -1;
	*skip = i + best->len;
	return best->kind;
}

static void
split(struct msg *m)
{
	size_t i = 0, start;

	m->n = 0;
	while (i < m->len) {
		start = i;
		while (i < m->len && m->text[i] != ' ')
			i++;
		m->w[m->n].off = (unsigned short)start;
		m->w[m->n].len = (unsigned short)(i - start);
		m->n++;
		i++;
	}
}

static const char *
wtext(const struct msg *m, size_t i)
{
	return m->text + m->w[i].off;
}

/* Whether word i starts with a digit: where the count stands. */
static int
numeric(const struct msg *m, size_t i)
{
	return digit(wtext(m, i)[0]);
}

/* Whether a count stands at word i: something starting with a digit, which
 * may still be a bad one ("3o"). */
static int
counted(const struct msg *m, size_t i)
{
	return i < m->n && numeric(m, i);
}

/* Word i as a number from min to max: 0, or -1 when it is not one (letters
 * in it, too many digits, out of range). */
static int
number(const struct msg *m, size_t i, long min, long max, long *v)
{
	const char *s = wtext(m, i);
	size_t k, len = m->w[i].len;
	long n = 0;

	if (len > MAX_DIGITS)
		return -1;
	for (k = 0; k < len; k++) {
		if (!digit(s[k]))
			return -1;
		n = n * 10 + (s[k] - '0');
	}
	if (n < min || n > max)
		return -1;
	*v = n;
	return 0;
}

/* Words [a, b) joined without spaces into out, which has room for them. */
static size_t
join(const struct msg *m, size_t a, size_t b, char *out)
{
	size_t i, n = 0;

	for (i = a; i < b; i++) {
		memcpy(out + n, wtext(m, i), m->w[i].len);
		n += m->w[i].len;
	}
	out[n] = '\0';
	return n;
}

/* The id that words [a, b), joined, name in t, or -1. */
static int
lookup(const struct table *t, const struct msg *m, size_t a, size_t b)
{
	char key[MAX_FORM + 1];
	size_t i, len = 0;

	for (i = a; i < b; i++) {
		len += m->w[i].len;
		if (len > t->maxlen)
			return -1; /* and key would not hold it */
	}
	if (len == 0)
		return -1;
	return table_get(t, key, join(m, a, b, key));
}

/* Words [a, b) name no unit: ambiguous when they start the name or code of
 * two units or more, else unknown. */
static int
no_match(const struct units *u, const struct msg *m, size_t a, size_t b, struct parser_result *res,
	 enum parser_error unknown, enum parser_error ambiguous)
{
	char key[PARSER_MAX_TEXT + 1];
	int c[PARSER_MAX_CANDIDATES];
	size_t len, n = 0;

	set_bad(res, m, a, b);
	len = join(m, a, b, key);
	if (len >= 2)
		n = u->index != NULL ? search_index(u, key, len, c) : search_units(u, key, len, c);
	if (n < 2)
		return fail(res, unknown);
	memcpy(res->candidates, c, n * sizeof(c[0]));
	res->ncandidates = n;
	return fail(res, ambiguous);
}

/* How many words a filler takes at word i of [i, b); 0 when none stands
 * there (the longest one wins: "thi tran" before "thi"). */
static size_t
filler(const struct parser *p, const struct msg *m, size_t i, size_t b)
{
	const struct filler *f;
	const char *s = wtext(m, i);
	size_t k, best = 0, rest = m->len - m->w[i].off;

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

/*
 * The commune named by words [a, b).  Fillers before it are skipped, but only
 * when the words with them name nothing, so that a name starting with a
 * filler word still matches.  Returns 0 with *commune set, 1 when there are
 * only fillers (or nothing), -1 with res->error set.
 */
static int
find_commune(const struct parser *p, const struct msg *m, size_t a, size_t b, int *commune,
	     struct parser_result *res)
{
	size_t k;
	int id;

	while (a < b) {
		id = lookup(&p->communes.forms, m, a, b);
		if (id >= 0) {
			*commune = id;
			return 0;
		}
		k = filler(p, m, a, b);
		if (k == 0)
			return no_match(&p->communes, m, a, b, res, PARSER_UNKNOWN_COMMUNE,
					PARSER_AMBIGUOUS_COMMUNE);
		a += k;
	}
	return 1;
}

/* No commune words precede the first number, word i: it is the commune when
 * it is a commune code, or looks like one (5 digits, leading zero). */
static int
commune_code(const struct parser *p, const struct msg *m, size_t i, int *commune,
	     struct parser_result *res)
{
	long v;
	int id;

	if (number(m, i, 0, MAX_LABOUR, &v) == -1)
		return fail(res, PARSER_MISSING_COMMUNE);
	id = lookup(&p->communes.forms, m, i, i + 1);
	if (id >= 0) {
		*commune = id;
		return 0;
	}
	if (m->w[i].len == 5 && wtext(m, i)[0] == '0')
		return fail_bad(res, PARSER_UNKNOWN_COMMUNE, m, i, i + 1);
	return fail(res, PARSER_MISSING_COMMUNE);
}

/*
 * The commune of a report: the words from a up to the first number.  *next
 * gets the index of that number (m->n when there is none, which is reported
 * as a missing count unless there are no commune words either).
 */
static int
commune_part(const struct parser *p, const struct msg *m, size_t a, int *commune, size_t *next,
	     struct parser_result *res)
{
	size_t num = a, k;
	int r;

	while (num < m->n && !numeric(m, num))
		num++;
	if (num == m->n) {
		k = a < num ? filler(p, m, a, num) : 0;
		while (k > 0) {
			a += k;
			k = a < num ? filler(p, m, a, num) : 0;
		}
		return fail(res, a == num ? PARSER_MISSING_COMMUNE : PARSER_MISSING_COUNT);
	}
	*next = num;
	r = find_commune(p, m, a, num, commune, res);
	if (r != 1)
		return r;
	if (commune_code(p, m, num, commune, res) == -1)
		return -1;
	*next = num + 1;
	return 0;
}

/* The end of the longest run of words from a that names a unit in t, or a. */
static size_t
longest(const struct table *t, const struct msg *m, size_t a, size_t b)
{
	size_t j, best = a, len = 0;

	for (j = a + 1; j < b; j++) {
		len += m->w[j - 1].len;
		if (len > t->maxlen)
			break;
		if (lookup(t, m, a, j) >= 0)
			best = j;
	}
	return best;
}

/* The trade: every word from a to the end.  Words after a trade are not
 * ignored: they are what the error names. */
static int
trade_part(const struct parser *p, const struct msg *m, size_t a, int *trade,
	   struct parser_result *res)
{
	size_t end;
	int id;

	if (a == m->n)
		return fail(res, PARSER_MISSING_TRADE);
	id = lookup(&p->trades.forms, m, a, m->n);
	if (id >= 0) {
		*trade = id;
		return 0;
	}
	end = longest(&p->trades.forms, m, a, m->n);
	if (end > a)
		return fail_bad(res, PARSER_UNKNOWN_TRADE, m, end, m->n);
	return no_match(&p->trades, m, a, m->n, res, PARSER_UNKNOWN_TRADE, PARSER_AMBIGUOUS_TRADE);
}

/* ENROL, GRAD, JOB, NEED: commune count trade. */
static int
report(const struct parser *p, const struct msg *m, size_t a, struct parser_result *res)
{
	struct parser_item it = {.kind = res->kind, .commune = -1, .trade = -1, .topic = -1};
	size_t i;

	if (commune_part(p, m, a, &it.commune, &i, res) == -1)
		return -1;
	if (!counted(m, i))
		return fail(res, PARSER_MISSING_COUNT);
	if (number(m, i, 1, p->max_count, &it.count) == -1)
		return fail_bad(res, PARSER_BAD_COUNT, m, i, i + 1);
	if (trade_part(p, m, i + 1, &it.trade, res) == -1)
		return -1;
	return done(res, &it);
}

/* LABOUR: commune total trained, trained <= total.  Nothing may follow. */
static int
labour(const struct parser *p, const struct msg *m, size_t a, struct parser_result *res)
{
	struct parser_item it = {.kind = PARSER_LABOUR, .commune = -1, .trade = -1, .topic = -1};
	size_t i;

	if (commune_part(p, m, a, &it.commune, &i, res) == -1)
		return -1;
	if (!counted(m, i))
		return fail(res, PARSER_MISSING_COUNT);
	if (number(m, i, 1, MAX_LABOUR, &it.count) == -1)
		return fail_bad(res, PARSER_BAD_COUNT, m, i, i + 1);
	i++;
	if (!counted(m, i))
		return fail(res, PARSER_MISSING_COUNT);
	if (number(m, i, 0, MAX_LABOUR, &it.trained) == -1)
		return fail_bad(res, PARSER_BAD_COUNT, m, i, i + 1);
	if (it.trained > it.count)
		return fail_bad(res, PARSER_BAD_COUNT, m, i - 1, i + 1);
	i++;
	if (i < m->n)
		return fail_bad(res, PARSER_BAD_COUNT, m, i, m->n);
	return done(res, &it);
}

/* STATUS [commune]: every word after the keyword is the commune. */
static int
status(const struct parser *p, const struct msg *m, size_t a, struct parser_result *res)
{
	struct parser_item it = {.kind = PARSER_STATUS, .commune = -1, .trade = -1, .topic = -1};

	if (find_commune(p, m, a, m->n, &it.commune, res) == -1)
		return -1;
	return done(res, &it);
}

/* HELP [keyword]: anything else after it is no error, only no topic. */
static int
help(const struct parser *p, const struct msg *m, size_t a, struct parser_result *res)
{
	struct parser_item it = {.kind = PARSER_HELP, .commune = -1, .trade = -1, .topic = -1};

	if (a < m->n)
		it.topic = table_get(&p->keywords, wtext(m, a), m->w[a].len);
	return done(res, &it);
}

int
parser_parse(const struct parser *p, const char *text, size_t len, struct parser_result *res)
{
	char raw[PARSER_MAX_TEXT];
	struct msg m;
	size_t skip = 0, first = 0;
	int kind;

	if (res == NULL)
		return -1;
	clear(res);
	if (p == NULL)
		return fail(res, PARSER_EMPTY);
	if (text == NULL || len == 0)
		return fail(res, PARSER_EMPTY);
	len = ungroup(text, len < PARSER_MAX_TEXT ? len : PARSER_MAX_TEXT, raw);
	kind = symbol(p, raw, len, &skip);
	m.len = parser_fold(raw + skip, len - skip, m.text, sizeof(m.text), 0);
	split(&m);
	if (kind == -1) {
		if (m.n == 0)
			return fail(res, PARSER_EMPTY);
		kind = table_get(&p->keywords, wtext(&m, 0), m.w[0].len);
		if (kind == -1)
			return fail_bad(res, PARSER_UNKNOWN_KEYWORD, &m, 0, 1);
		first = 1;
	}
	res->kind = kind;
	switch (kind) {
	case PARSER_LABOUR:
		return labour(p, &m, first, res);
	case PARSER_STATUS:
		return status(p, &m, first, res);
	case PARSER_HELP:
		return help(p, &m, first, res);
	default:
		return report(p, &m, first, res);
	}
}
