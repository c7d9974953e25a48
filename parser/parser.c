/*
 * parser.c - building the lookup tables of the SMS grammar, and what can be
 * asked of them (impl.h describes the tables, grammar.c reads messages).
 */
#include <limits.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "parser.h"

/* A form being added: folded, space-less. */
struct form {
	char text[MAX_FORM + 1];
	size_t len;
};

static const char *kind_names[PARSER_NKINDS] = {
    "enrol",  "grad", "job",	"need",	      "labour",
    "status", "help", "cancel", "class_open", "class_close",
};

static const char *keyword_upper[PARSER_NKEYWORDS] = {
    "ENROL", "GRAD", "JOB", "NEED", "LABOUR", "STATUS", "HELP", "CANCEL", "CLASS",
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
    "extra_value",
    "unknown_class",
    "missing_class",
    "bad_class",
    "unknown_action",
    "bad_ref",
    "not_alone",
    "too_many",
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

int
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
	size_t i;

	free(u->code);
	free(u->name);
	free(u->fcode);
	free(u->fname);
	for (i = 0; i < u->nstarts; i++)
		free(u->starts[i]);
	free(u->starts);
}

/* Adds s[0..len) to the starts of x (unless too short to be looked up). */
static int
add_start(struct unit *x, const char *s, size_t len)
{
	char **v;

	if (len < START_MIN)
		return 0;
	v = realloc(x->starts, (x->nstarts + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	x->starts = v;
	x->starts[x->nstarts] = dup(s, len);
	if (x->starts[x->nstarts] == NULL)
		return -1;
	x->nstarts++;
	return 0;
}

/* The name of x without its first word, its first two words...: officers
 * leave out the generic start of a trade ("nuoi trau bo" for "Chăn nuôi
 * trâu, bò", "dien thoai" for "Sửa chữa điện thoại di động"). */
static int
add_suffixes(struct unit *x)
{
	char spaced[MAX_FORM + 1], joined[MAX_FORM + 1];
	size_t len, i, j, n;

	len = parser_fold(x->name, strlen(x->name), spaced, sizeof(spaced), 0);
	for (i = 0; i < len; i++) {
		if (spaced[i] != ' ')
			continue;
		for (j = i + 1, n = 0; j < len; j++) {
			if (spaced[j] != ' ')
				joined[n++] = spaced[j];
		}
		if (add_start(x, joined, n) == -1)
			return -1;
	}
	return 0;
}

static void
units_free(struct units *u)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		unit_free(&u->v[i]);
	free(u->v);
	free(u->index);
	free(u->sindex);
	table_free(&u->forms);
	fuzzy_free(u->typos);
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

/*
 * Adds forms f[0..n) of unit id to the exact table and to the typo index:
 * all of them or, on failure, none (a form left behind would name the next
 * unit, which gets the same id).  Room in the typo index is made first, so
 * that adding to it cannot fail once the exact forms are in.
 */
static int
add_unit_forms(struct units *u, const struct form *f, size_t n, int id)
{
	size_t i, bytes = 0;

	if (u->typos == NULL) {
		u->typos = fuzzy_new();
		if (u->typos == NULL)
			return -1;
	}
	for (i = 0; i < n; i++)
		bytes += f[i].len;
	if (fuzzy_reserve(u->typos, n, bytes) == -1 || add_forms(&u->forms, f, n, id) == -1)
		return -1;
	for (i = 0; i < n; i++)
		fuzzy_add(u->typos, f[i].text, f[i].len, id);
	return 0;
}

/* The prefix indexes no longer cover every unit. */
static void
drop_index(struct units *u)
{
	free(u->index);
	u->index = NULL;
	u->nindex = 0;
	free(u->sindex);
	u->sindex = NULL;
	u->nsindex = 0;
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
	    (u->suffixes && add_suffixes(x) == -1) || add_unit_forms(u, f, 2, id) == -1) {
		unit_free(x);
		return -1;
	}
	memcpy(x->type, type, strlen(type) + 1); /* "xa", "tt" or "" */
	u->n++;
	drop_index(u);
	return id;
}

static int
add_alias(struct units *u, int id, const char *alias)
{
	struct unit *x;
	struct form f;
	int old;

	if (id < 0 || (size_t)id >= u->n || fold_form(alias, &f) == -1)
		return -1;
	old = table_get(&u->forms, f.text, f.len);
	if (old != -1)
		return old == id ? id : -1;
	x = &u->v[id];
	if (add_start(x, f.text, f.len) == -1)
		return -1;
	if (add_unit_forms(u, &f, 1, id) == -1) {
		if (f.len >= START_MIN) {
			x->nstarts--;
			free(x->starts[x->nstarts]);
		}
		return -1;
	}
	drop_index(u);
	return id;
}

struct parser *
parser_new(void)
{
	struct parser *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->trades.suffixes = 1;
	p->max_count = PARSER_DEFAULT_MAX_COUNT;
	if (parser_set_class_pattern(p, PARSER_DEFAULT_CLASS_PATTERN, NULL, 0) == -1) {
		free(p);
		return NULL;
	}
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
	for (i = 0; i < p->ncourtesy; i++)
		free(p->courtesy[i].text);
	free(p->courtesy);
	if (p->has_class_re)
		regfree(&p->class_re);
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
add_symbol(struct parser *p, int kind, const char *form)
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
			return s->kind == kind ? 0 : -1;
	}
	if (p->nsymbols == MAX_SYMBOLS)
		return -1;
	s = &p->symbols[p->nsymbols++];
	memcpy(s->form, form, len);
	s->form[len] = '\0';
	s->len = len;
	s->kind = kind;
	return 0;
}

/* Replies show the shortest word form of a kind; the first one on a tie. */
static void
set_display(struct parser *p, int kind, const struct form *f)
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
	size_t i, len, words;
	int k = kind == PARSER_CLASS_CLOSE ? PARSER_KEYWORD_CLASS : (int)kind;

	if (p == NULL || (unsigned)kind >= PARSER_NKINDS || check_text(form) == -1)
		return -1;
	f.len = parser_fold(form, strlen(form), f.text, sizeof(f.text), 1);
	if (f.len == 0)
		return add_symbol(p, k, form);
	/* The words of a message are compared by runs of up to
	 * PARSER_KEYWORD_WORDS ("dang ky"); replies show one-word forms. */
	len = parser_fold(form, strlen(form), spaced, sizeof(spaced), 0);
	for (i = 0, words = 1; i < len; i++)
		words += spaced[i] == ' ';
	if (words > PARSER_KEYWORD_WORDS)
		return -1;
	if (add_forms(&p->keywords, &f, 1, k) == -1)
		return -1;
	if (words == 1)
		set_display(p, k, &f);
	return 0;
}

/* Adds the folded phrase word to the list v of n; 0 or -1. */
static int
add_phrase(struct filler **list, size_t *n, const char *word)
{
	struct filler *v, *f;
	char text[MAX_FORM + 1];
	size_t len, i;

	if (check_text(word) == -1)
		return -1;
	len = parser_fold(word, strlen(word), text, sizeof(text), 0);
	if (len == 0)
		return -1;
	for (i = 0; i < *n; i++) {
		if (strcmp((*list)[i].text, text) == 0)
			return 0;
	}
	v = realloc(*list, (*n + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	*list = v;
	f = &v[*n];
	f->text = dup(text, len);
	if (f->text == NULL)
		return -1;
	f->len = len;
	f->nwords = 1;
	for (i = 0; i < len; i++)
		f->nwords += text[i] == ' ';
	(*n)++;
	return 0;
}

int
parser_add_filler(struct parser *p, const char *word)
{
	if (p == NULL)
		return -1;
	return add_phrase(&p->fillers, &p->nfillers, word);
}

int
parser_add_courtesy(struct parser *p, const char *words)
{
	if (p == NULL)
		return -1;
	return add_phrase(&p->courtesy, &p->ncourtesy, words);
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
	size_t i, j, n = 0;

	drop_index(u);
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
	for (i = n = 0; i < u->n; i++)
		n += u->v[i].nstarts;
	if (n == 0)
		return 0;
	v = calloc(n, sizeof(*v));
	if (v == NULL)
		return -1;
	for (i = n = 0; i < u->n; i++) {
		for (j = 0; j < u->v[i].nstarts; j++) {
			v[n].form = u->v[i].starts[j];
			v[n++].id = (int)i;
		}
	}
	qsort(v, n, sizeof(*v), prefix_cmp);
	u->sindex = v;
	u->nsindex = n;
	return 0;
}

static int
build_typos(struct units *u)
{
	return u->typos != NULL ? fuzzy_build(u->typos) : 0;
}

int
parser_prepare(struct parser *p)
{
	if (p == NULL)
		return -1;
	if (build_index(&p->communes) == -1 || build_index(&p->trades) == -1 ||
	    build_typos(&p->communes) == -1 || build_typos(&p->trades) == -1)
		return -1;
	return 0;
}

int
parser_set_class_pattern(struct parser *p, const char *pattern, char *err, size_t errsz)
{
	regex_t re;
	int rc;

	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if (p == NULL)
		return -1;
	if (pattern == NULL || pattern[0] == '\0') {
		if (p->has_class_re)
			regfree(&p->class_re);
		p->has_class_re = 0;
		p->example_ok = 0;
		return 0;
	}
	rc = regcomp(&re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc != 0) {
		if (err != NULL && errsz > 0)
			regerror(rc, &re, err, errsz);
		return -1;
	}
	if (p->has_class_re)
		regfree(&p->class_re);
	p->class_re = re;
	p->has_class_re = 1;
	p->example_ok = regexec(&re, CLASS_EXAMPLE, 0, NULL, 0) == 0;
	return 0;
}

int
parser_class_match(const struct parser *p, const char *text)
{
	if (p == NULL || text == NULL || !p->has_class_re)
		return 0;
	return regexec(&p->class_re, text, 0, NULL, 0) == 0;
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
	int k = kind == PARSER_CLASS_CLOSE ? PARSER_KEYWORD_CLASS : (int)kind;

	if ((unsigned)kind >= PARSER_NKINDS)
		return NULL;
	if (p == NULL || p->display[k][0] == '\0')
		return keyword_upper[k];
	return p->display[k];
}

const char *
parser_keyword_name(int keyword)
{
	if (keyword == PARSER_KEYWORD_CLASS)
		return "class";
	if (keyword < 0 || keyword >= PARSER_NKEYWORDS)
		return "unknown";
	return kind_names[keyword];
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

/* Searches ------------------------------------------------------------------ */

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

/* A sorted prefix index: its entries starting with key go to c. */
static void
search_sorted(const struct prefix *v, size_t nv, const char *key, size_t len, int *c, size_t *n)
{
	size_t lo = 0, hi = nv, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strncmp(v[mid].form, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < nv && strncmp(v[lo].form, key, len) == 0; lo++)
		add_candidate(c, n, v[lo].id);
}

/* The prefix indexes, when prepared. */
static size_t
search_index(const struct units *u, const char *key, size_t len, int *c)
{
	size_t n = 0;

	search_sorted(u->index, u->nindex, key, len, c, &n);
	if (len >= START_MIN)
		search_sorted(u->sindex, u->nsindex, key, len, c, &n);
	return n;
}

/* The same over the units in order, for a parser that was not prepared. */
static size_t
search_units(const struct units *u, const char *key, size_t len, int *c)
{
	const struct unit *x;
	size_t i, j, n = 0;
	int hit;

	for (i = 0; i < u->n && n < PARSER_MAX_CANDIDATES; i++) {
		x = &u->v[i];
		hit = strncmp(x->fname, key, len) == 0 || strncmp(x->fcode, key, len) == 0;
		for (j = 0; !hit && len >= START_MIN && j < x->nstarts; j++)
			hit = strncmp(x->starts[j], key, len) == 0;
		if (hit)
			c[n++] = (int)i;
	}
	return n;
}

size_t
units_prefix(const struct units *u, const char *key, size_t len, int *c)
{
	if (len == 0)
		return 0;
	return u->index != NULL ? search_index(u, key, len, c) : search_units(u, key, len, c);
}

/* The units with a short form 1 from key; same_len: only forms as long as
 * the key (a swapped or replaced letter, "hna" for han, not "na"). */
static size_t
short_near(const struct units *u, const char *key, size_t len, int same_len, int *c)
{
	const struct slot *s;
	size_t i, k, n = 0, total = 0;

	for (i = 0; i < u->forms.cap; i++) {
		s = &u->forms.slots[i];
		if (s->key == NULL || s->len < 2 || s->len >= FUZZY_MIN_WORD ||
		    (same_len && s->len != len) || fuzzy_distance(key, len, s->key, s->len, 1) > 1)
			continue;
		for (k = 0; k < n && c[k] < s->id; k++)
			continue;
		if (k < n && c[k] == s->id)
			continue;
		total++;
		if (n == PARSER_MAX_CANDIDATES)
			continue;
		memmove(c + k + 1, c + k, (n - k) * sizeof(*c));
		c[k] = s->id;
		n++;
	}
	return total;
}

size_t
units_short_near(const struct units *u, const char *key, size_t len, int *c)
{
	size_t n;

	if (len < 2 || len > FUZZY_MIN_WORD)
		return 0;
	n = short_near(u, key, len, 0, c);
	if (n > 1 && short_near(u, key, len, 1, c) == 1)
		return 1;
	return n;
}

int
keyword_near(const struct parser *p, const char *w, size_t len)
{
	const struct slot *s;
	size_t i;
	int kind = -1;

	if (len < FUZZY_MIN_KEY || len > FUZZY_MAX)
		return -1;
	for (i = 0; i < p->keywords.cap; i++) {
		s = &p->keywords.slots[i];
		if (s->key == NULL || s->len < FUZZY_MIN_WORD || s->id == kind)
			continue;
		if (fuzzy_distance(w, len, s->key, s->len, 1) > 1)
			continue;
		if (kind != -1)
			return -1; /* two kinds */
		kind = s->id;
	}
	return kind;
}
