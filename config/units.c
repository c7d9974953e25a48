/*
 * units.c - what communes and trades (the units) share: a code given twice,
 * and a code, name or alias that folds to the form of another unit.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "parser.h"

/* "commune 06433 "Vân Nham"", from the group of the unit. */
void
unit_label(const config_setting_t *g, const char *what, char *buf, size_t size)
{
	const char *code = member_string(g, "code"), *name = member_string(g, "name");

	snprintf(buf, size, "%s %s \"%s\"", what, code != NULL ? code : "?",
		 name != NULL ? name : "?");
}

int
forms_grow(struct loader *l, struct forms *f)
{
	struct form *v;
	size_t size;

	if (f->n < f->size)
		return 0;
	size = f->size == 0 ? 64 : f->size * 2;
	v = reallocarray(f->v, size, sizeof(*v));
	if (v == NULL) {
		report(l, NULL, 0, "out of memory");
		return -1;
	}
	f->v = v;
	f->size = size;
	return 0;
}

/*
 * Adds the form written at setting s (of unit number unit, whose group is g)
 * unless another unit of the same class already answers to it.
 */
static void
add_form(struct loader *l, struct forms *f, const config_setting_t *g, const config_setting_t *s,
	 size_t unit, const char *role, const char *what)
{
	const struct form *o;
	struct form *nf;
	char a[256], b[256], at[PATH_MAX + 16];
	const char *text;
	size_t i;

	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_STRING || forms_grow(l, f) == -1)
		return;
	text = config_setting_get_string(s);
	nf = &f->v[f->n];
	/* Empty forms were reported by the checks of pass 1. */
	if (parser_fold(text, strlen(text), nf->folded, sizeof(nf->folded), 1) == 0)
		return;
	for (i = 0; i < f->n; i++) {
		o = &f->v[i];
		if (strcmp(o->folded, nf->folded) != 0)
			continue;
		if (o->unit == unit)
			return;
		/* The same code twice is reported as a duplicate code. */
		if (strcmp(role, "code") == 0 && strcmp(o->role, "code") == 0 &&
		    strcmp(o->text, text) == 0)
			return;
		unit_label(g, what, a, sizeof(a));
		unit_label(o->g, what, b, sizeof(b));
		where(l, s, o->s, at, sizeof(at));
		report(l, s, 0, "%s \"%s\" of %s folds to \"%s\", like %s \"%s\" of %s (%s)", role,
		       text, a, nf->folded, o->role, o->text, b, at);
		return;
	}
	nf->text = text;
	nf->role = role;
	nf->s = s;
	nf->g = g;
	nf->unit = unit;
	f->n++;
}

static void
check_code_twice(struct loader *l, const config_setting_t *list, int i, const char *what)
{
	const config_setting_t *s, *o;
	char at[PATH_MAX + 16];
	int j;

	s = string_member(config_setting_get_elem(list, (unsigned int)i), "code");
	if (s == NULL)
		return;
	for (j = 0; j < i; j++) {
		o = string_member(config_setting_get_elem(list, (unsigned int)j), "code");
		if (o == NULL ||
		    strcmp(config_setting_get_string(s), config_setting_get_string(o)) != 0)
			continue;
		where(l, s, o, at, sizeof(at));
		report(l, s, 0, "duplicate %s code \"%s\" (first at %s)", what,
		       config_setting_get_string(s), at);
		return;
	}
}

/*
 * Codes, names and aliases of communes (or of trades) all match on their
 * folded, space-less form: two units answering to the same word would make
 * every message using it ambiguous, so it is an error here rather than a
 * surprise in the field.
 */
void
check_units(struct loader *l, const config_t *cf, const char *list, const char *what)
{
	const config_setting_t *ls, *g, *a;
	struct forms f = {0};
	int i, j, n;

	ls = config_lookup(cf, list);
	if (ls == NULL || !config_setting_is_list(ls))
		return;
	n = config_setting_length(ls);
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(ls, (unsigned int)i);
		if (!config_setting_is_group(g))
			continue;
		check_code_twice(l, ls, i, what);
		add_form(l, &f, g, config_setting_get_member(g, "code"), (size_t)i, "code", what);
		add_form(l, &f, g, config_setting_get_member(g, "name"), (size_t)i, "name", what);
		a = config_setting_get_member(g, "aliases");
		if (a == NULL || !config_setting_is_aggregate(a))
			continue;
		for (j = 0; j < config_setting_length(a); j++)
			add_form(l, &f, g, config_setting_get_elem(a, (unsigned int)j), (size_t)i,
				 "alias", what);
	}
	free(f.v);
}
