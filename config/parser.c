/*
 * parser.c - the "parser" group (fillers, courtesy words, the class code
 * pattern, the largest count) and building the parser (parser/parser.h) from
 * the whole configuration once it has no error: communes, trades, keywords,
 * fillers, courtesy words and the class code pattern, checked against each
 * other.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "parser.h"

static const char *const default_fillers[] = {
    "xa",
    "thi tran",
    "tt",
    "hv",
    "hoc vien",
    "nguoi",
    "lao dong",
    "nghe",
    "lop",
    "ngay",
    "so luong",
    "sl",
    "tong",
    "tong so",
    "hoc nghe",
    "co",
    "dao tao",
    "da dao tao",
    "da qua dao tao",
    "bao cao",
};

static const char *const default_courtesy[] = {
    "bao cao", "bc",	    "xin chao", "chao",	      "kinh gui", "cam on", "xin cam on",
    "thanks",  "thank you", "tks",	"tran trong", "a",	  "nhe",    "nha",
    "em",      "da",	    "xin",	"gui",	      "ok",
};

/* The class code pattern: a POSIX extended regular expression, compiled as
 * the parser compiles it (whether it collides with a name is pass 3's). */
static int
check_pattern(struct loader *l, const config_setting_t *s, const char *v)
{
	return check_regex(l, s, v, REG_EXTENDED | REG_ICASE | REG_NOSUB);
}

/* clang-format off */
const struct key parser_keys[] = {
	KLONG("max_count", 0, 1, 100000, OFF(max_count)),
	KSTRS("fillers", 0, 0, OFF(fillers), OFF(nfillers), check_text),
	KSTRS("courtesy", 0, 0, OFF(courtesy), OFF(ncourtesy), check_text),
	KSTR("class_pattern", 0, OFF(class_pattern), check_pattern),
	KEND,
};
/* clang-format on */

static void
default_list(struct loader *l, char ***v, size_t *nv, const char *const *list, size_t n)
{
	size_t i;

	*v = calloc(n, sizeof(**v));
	if (*v == NULL) {
		report(l, NULL, 0, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		(*v)[i] = copy(l, list[i]);
		if ((*v)[i] != NULL)
			(*nv)++;
	}
}

/* The class code pattern, courtesy words and fillers a file leaves out. */
void
finish_parser(struct loader *l, const config_t *cf)
{
	struct config *cfg = l->cfg;
	size_t n = sizeof(default_fillers) / sizeof(default_fillers[0]);

	if (cfg->class_pattern == NULL)
		cfg->class_pattern = copy(l, PARSER_DEFAULT_CLASS_PATTERN);
	if (config_lookup(cf, "parser.courtesy") == NULL)
		default_list(l, &cfg->courtesy, &cfg->ncourtesy, default_courtesy,
			     sizeof(default_courtesy) / sizeof(default_courtesy[0]));
	if (config_lookup(cf, "parser.fillers") != NULL)
		return;
	default_list(l, &cfg->fillers, &cfg->nfillers, default_fillers, n);
}

/* Pass 3: the parser -------------------------------------------------------- */

static int
same_form(const char *text, const char *folded)
{
	char f[FOLD_MAX];

	if (text == NULL)
		return 0;
	parser_fold(text, strlen(text), f, sizeof(f), 1);
	return strcmp(f, folded) == 0;
}

/* Whether a unit already answers to text through its code, name or one of
 * its first n aliases ("HAN" and alias "han"): the parser need not be told
 * twice, and might refuse it. */
static int
known_form(const char *code, const char *name, char *const *aliases, size_t n, const char *text)
{
	char f[FOLD_MAX];
	size_t i;

	parser_fold(text, strlen(text), f, sizeof(f), 1);
	if (same_form(code, f) || same_form(name, f))
		return 1;
	for (i = 0; i < n; i++) {
		if (same_form(aliases[i], f))
			return 1;
	}
	return 0;
}

static int
add_aliases(struct loader *l, const config_setting_t *g, const char *what, int unit,
	    const char *code, const char *name, char *const *aliases, size_t n,
	    int (*add)(struct parser *, int, const char *))
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (known_form(code, name, aliases, i, aliases[i]))
			continue;
		if (add(l->cfg->parser, unit, aliases[i]) == -1) {
			report(l, g, 0, "the parser refused alias \"%s\" of %s %s", aliases[i],
			       what, code);
			return -1;
		}
	}
	return 0;
}

static int
add_units(struct loader *l, const config_t *cf)
{
	struct config *cfg = l->cfg;
	const struct config_commune *c;
	const struct config_trade *t;
	const config_setting_t *g;
	size_t i;

	for (i = 0; i < cfg->ncommunes; i++) {
		c = &cfg->communes[i];
		g = config_setting_get_elem(config_lookup(cf, "communes"), (unsigned int)i);
		if (parser_add_commune(cfg->parser, c->code, c->type, c->name) != (int)i) {
			report(l, g, 0, "the parser refused commune %s \"%s\"", c->code, c->name);
			return -1;
		}
		if (add_aliases(l, g, "commune", (int)i, c->code, c->name, c->aliases, c->naliases,
				parser_add_commune_alias) == -1)
			return -1;
	}
	for (i = 0; i < cfg->ntrades; i++) {
		t = &cfg->trades[i];
		g = config_setting_get_elem(config_lookup(cf, "trades"), (unsigned int)i);
		if (parser_add_trade(cfg->parser, t->code, t->name) != (int)i) {
			report(l, g, 0, "the parser refused trade %s \"%s\"", t->code, t->name);
			return -1;
		}
		if (add_aliases(l, g, "trade", (int)i, t->code, t->name, t->aliases, t->naliases,
				parser_add_trade_alias) == -1)
			return -1;
	}
	return 0;
}

/* Index of the first of v[0..n) with the same key as v[n]. */
static size_t
first_same(char *const *v, size_t n)
{
	char a[FOLD_MAX], b[FOLD_MAX];
	size_t i;

	keyword_key(v[n], a, sizeof(a));
	for (i = 0; i < n; i++) {
		keyword_key(v[i], b, sizeof(b));
		if (strcmp(a, b) == 0)
			break;
	}
	return i;
}

static void
refused_keyword(struct loader *l, const config_t *cf, size_t kind, const char *form)
{
	char path[64];

	snprintf(path, sizeof(path), "keywords.%s", kind_names[kind]);
	if (config_lookup(cf, path) != NULL)
		report(l, config_lookup(cf, "keywords"), 0,
		       "the parser refused keyword form \"%s\" of %s", form, kind_names[kind]);
	else
		report(l, config_lookup(cf, "keywords"), 0,
		       "default keyword form \"%s\" of %s is another kind's: give \"%s\" its own "
		       "forms",
		       form, kind_names[kind], kind_names[kind]);
}

static int
add_words(struct loader *l, const config_t *cf)
{
	struct config *cfg = l->cfg;
	size_t k, i;

	for (k = 0; k < PARSER_NKEYWORDS; k++) {
		for (i = 0; i < cfg->nkeywords[k]; i++) {
			if (first_same(cfg->keywords[k], i) != i)
				continue;
			if (parser_add_keyword(cfg->parser, (enum parser_kind)k,
					       cfg->keywords[k][i]) == -1) {
				refused_keyword(l, cf, k, cfg->keywords[k][i]);
				return -1;
			}
		}
	}
	for (i = 0; i < cfg->nfillers; i++) {
		if (first_same(cfg->fillers, i) != i)
			continue;
		if (parser_add_filler(cfg->parser, cfg->fillers[i]) == -1) {
			report(l, config_lookup(cf, "parser.fillers"), 0,
			       "the parser refused filler \"%s\"", cfg->fillers[i]);
			return -1;
		}
	}
	for (i = 0; i < cfg->ncourtesy; i++) {
		if (parser_add_courtesy(cfg->parser, cfg->courtesy[i]) == -1) {
			report(l, config_lookup(cf, "parser.courtesy"), 0,
			       "the parser refused courtesy words \"%s\"", cfg->courtesy[i]);
			return -1;
		}
	}
	return 0;
}

/* Whether the class pattern matches text as written, folded, or one of its
 * folded words. */
static int
class_collides(const struct parser *p, const char *text)
{
	char f[FOLD_MAX], *w, *save = NULL;

	if (parser_class_match(p, text))
		return 1;
	parser_fold(text, strlen(text), f, sizeof(f), 1);
	if (f[0] != '\0' && parser_class_match(p, f))
		return 1;
	parser_fold(text, strlen(text), f, sizeof(f), 0);
	for (w = strtok_r(f, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
		if (parser_class_match(p, w))
			return 1;
	}
	return 0;
}

#define MAX_COLLISIONS 10

/* Reports the codes, names and aliases of list ("communes", "trades") that
 * the class pattern matches, at their lines; *n counts them all. */
static void
class_collisions(struct loader *l, const config_t *cf, const char *list, const char *what,
		 size_t *n)
{
	const config_setting_t *ls = config_lookup(cf, list), *g, *a, *s;
	static const char *const roles[] = {"code", "name"};
	char unit[256];
	int i, r;

	for (i = 0; ls != NULL && i < config_setting_length(ls); i++) {
		g = config_setting_get_elem(ls, (unsigned int)i);
		a = config_setting_get_member(g, "aliases");
		unit_label(g, what, unit, sizeof(unit));
		for (r = 0; r < 2 + (a != NULL ? config_setting_length(a) : 0); r++) {
			s = r < 2 ? string_member(g, roles[r])
				  : config_setting_get_elem(a, (unsigned int)(r - 2));
			if (s == NULL || config_setting_type(s) != CONFIG_TYPE_STRING ||
			    !class_collides(l->cfg->parser, config_setting_get_string(s)))
				continue;
			if (++*n <= MAX_COLLISIONS)
				report(l, s, 0,
				       "%s \"%s\" of %s matches the class code pattern \"%s\": a "
				       "class code must never look like a commune or a trade",
				       r < 2 ? roles[r] : "alias", config_setting_get_string(s),
				       unit, l->cfg->class_pattern);
		}
	}
}

static int
set_class_pattern(struct loader *l, const config_t *cf)
{
	const config_setting_t *s = config_lookup(cf, "parser.class_pattern");
	char err[256];
	size_t n = 0;

	if (parser_set_class_pattern(l->cfg->parser, l->cfg->class_pattern, err, sizeof(err)) ==
	    -1) {
		report(l, s, 0,
		       "class_pattern \"%s\" is not a POSIX extended regular expression: %s",
		       l->cfg->class_pattern, err);
		return -1;
	}
	class_collisions(l, cf, "communes", "commune", &n);
	class_collisions(l, cf, "trades", "trade", &n);
	if (n > MAX_COLLISIONS)
		report(l, s, 0, "class_pattern matches %zu codes, names or aliases in all", n);
	return n > 0 ? -1 : 0;
}

void
build_parser(struct loader *l, const config_t *cf)
{
	struct config *cfg = l->cfg;

	cfg->parser = parser_new();
	if (cfg->parser == NULL) {
		report(l, NULL, 0, "out of memory");
		return;
	}
	if (add_units(l, cf) == -1 || add_words(l, cf) == -1 || set_class_pattern(l, cf) == -1)
		return;
	parser_set_max_count(cfg->parser, cfg->max_count);
	if (parser_prepare(cfg->parser) == -1)
		report(l, NULL, 0, "cannot prepare the parser's tables");
}
