/*
 * keywords.c - the "keywords" group: the forms of each keyword kind (the
 * first word of a message), their defaults, and forms used for two kinds.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "parser.h"

/* The keyword kinds, as the "keywords" group names them. */
const char *const kind_names[PARSER_NKEYWORDS] = {
    "enrol", "grad", "job", "need", "labour", "status", "help", "cancel", "class",
};

/* The keyword kinds a file may leave out (it was written before them). */
static const char *const default_cancel[] = {"CANCEL", "HUY", NULL};
static const char *const default_class[] = {"CLASS", "LOP", NULL};

_Static_assert(PARSER_NKEYWORDS == sizeof(((struct config *)0)->nkeywords) / sizeof(size_t),
	       "struct config has one keyword array per keyword kind");

/*
 * Keyword forms may be punctuation only ("?" for help): the parser compares
 * those as written.  They have at most PARSER_KEYWORD_WORDS words, also once
 * folded ("DANG-KY" is two).
 */
static int
check_keyword(struct loader *l, const config_setting_t *s, const char *v)
{
	char folded[FOLD_MAX];
	size_t i, words = 1;

	if (check_utf8(l, s, v) == -1)
		return -1;
	parser_fold(v, strlen(v), folded, sizeof(folded), 0);
	for (i = 0; folded[i] != '\0'; i++)
		words += folded[i] == ' ';
	if (words > PARSER_KEYWORD_WORDS) {
		report(l, s, 0, "\"%s\" form \"%s\" has more than %d words", label(s), v,
		       PARSER_KEYWORD_WORDS);
		return -1;
	}
	return 0;
}

/* clang-format off */
#define KEYWORDS(n, kind) KSTRS(n, 1, 1, OFF(keywords[kind]), OFF(nkeywords[kind]), check_keyword)
#define KEYWORDS_OPT(n, kind)                                                                      \
	KSTRS(n, 0, 1, OFF(keywords[kind]), OFF(nkeywords[kind]), check_keyword)

/* In enum parser_kind order, like kind_names. */
const struct key keyword_keys[] = {
	KEYWORDS("enrol", PARSER_ENROL),
	KEYWORDS("grad", PARSER_GRAD),
	KEYWORDS("job", PARSER_JOB),
	KEYWORDS("need", PARSER_NEED),
	KEYWORDS("labour", PARSER_LABOUR),
	KEYWORDS("status", PARSER_STATUS),
	KEYWORDS("help", PARSER_HELP),
	KEYWORDS_OPT("cancel", PARSER_CANCEL),
	KEYWORDS_OPT("class", PARSER_KEYWORD_CLASS),
	KEND,
};
/* clang-format on */

/* Keyword kinds added after a file was written get their default forms. */
static void
default_keywords(struct loader *l, int kind, const char *const *forms)
{
	struct config *cfg = l->cfg;
	size_t i, n = 0;

	if (cfg->nkeywords[kind] > 0 || cfg->keywords[kind] != NULL)
		return;
	while (forms[n] != NULL)
		n++;
	cfg->keywords[kind] = calloc(n, sizeof(char *));
	if (cfg->keywords[kind] == NULL) {
		report(l, NULL, 0, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		cfg->keywords[kind][i] = copy(l, forms[i]);
		if (cfg->keywords[kind][i] != NULL)
			cfg->nkeywords[kind]++;
	}
}

void
finish_keywords(struct loader *l, const config_t *cf)
{
	if (config_lookup(cf, "keywords.cancel") == NULL)
		default_keywords(l, PARSER_CANCEL, default_cancel);
	if (config_lookup(cf, "keywords.class") == NULL)
		default_keywords(l, PARSER_KEYWORD_CLASS, default_class);
}

/* How keyword forms are compared: folded, or as written when that is empty
 * ("?"), which is also how the parser has to match them. */
void
keyword_key(const char *text, char *buf, size_t size)
{
	if (parser_fold(text, strlen(text), buf, size, 1) == 0)
		snprintf(buf, size, "%s", text);
}

static void
add_keyword(struct loader *l, struct forms *f, const config_setting_t *s, size_t kind)
{
	const struct form *o;
	struct form *nf;
	char at[PATH_MAX + 16];
	size_t i;

	if (config_setting_type(s) != CONFIG_TYPE_STRING || forms_grow(l, f) == -1)
		return;
	nf = &f->v[f->n];
	nf->text = config_setting_get_string(s);
	keyword_key(nf->text, nf->folded, sizeof(nf->folded));
	for (i = 0; i < f->n; i++) {
		o = &f->v[i];
		if (strcmp(o->folded, nf->folded) != 0)
			continue;
		/* Twice for the same kind is harmless. */
		if (o->unit != kind) {
			where(l, s, o->s, at, sizeof(at));
			report(l, s, 0, "keyword form \"%s\" is used for both %s (%s) and %s",
			       nf->text, kind_names[o->unit], at, kind_names[kind]);
		}
		return;
	}
	nf->role = kind_names[kind];
	nf->s = s;
	nf->g = NULL;
	nf->unit = kind;
	f->n++;
}

/* The first word of a message decides its kind: a form for two kinds would
 * make one of them unreachable. */
void
check_keywords(struct loader *l, const config_t *cf)
{
	const config_setting_t *g, *a;
	struct forms f = {0};
	size_t k;
	int i;

	g = config_lookup(cf, "keywords");
	if (g == NULL || !config_setting_is_group(g))
		return;
	for (k = 0; k < PARSER_NKEYWORDS; k++) {
		a = config_setting_get_member(g, kind_names[k]);
		if (a == NULL || !config_setting_is_aggregate(a))
			continue;
		for (i = 0; i < config_setting_length(a); i++)
			add_keyword(l, &f, config_setting_get_elem(a, (unsigned int)i), k);
	}
	free(f.v);
}
