/*
 * communes.c - the "communes" list: codes, types, names, validity dates,
 * officers.  What communes share with trades (codes, names and aliases that
 * two units answer to) is in units.c.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"

static int
check_type(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"xa", "tt", NULL};

	return one_of(l, s, v, w, "\"xa\" (xã) or \"tt\" (thị trấn)");
}

static int
is_date(const char *v)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (strlen(v) != 10 || v[4] != '-' || v[7] != '-' || strspn(v, "0123456789") != 4 ||
	    strspn(v + 5, "0123456789") != 2 || strspn(v + 8, "0123456789") != 2)
		return 0;
	y = atoi(v);
	m = atoi(v + 5);
	d = atoi(v + 8);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	/* 29 February only in leap years. */
	if (m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)))
		return 0;
	return 1;
}

static int
check_date(struct loader *l, const config_setting_t *s, const char *v)
{
	if (is_date(v))
		return 0;
	report(l, s, 0, "\"%s\" must be a date \"YYYY-MM-DD\", not \"%s\"", label(s), v);
	return -1;
}

#define COFF(f) offsetof(struct config_commune, f)

/* clang-format off */
const struct key commune_keys[] = {
	KSTR("code", 1, COFF(code), check_gso),
	KSTR("type", 1, COFF(type), check_type),
	KSTR("name", 1, COFF(name), check_text),
	KSTRS("aliases", 0, 0, COFF(aliases), COFF(naliases), check_text),
	KSTR("valid_from", 1, COFF(valid_from), check_date),
	KSTR("valid_to", 1, COFF(valid_to), check_date),
	KSTRS("officers", 0, 0, COFF(officers), COFF(nofficers), check_phone),
	KINT("plan_trained", 0, 1, 10000000, COFF(plan_trained)),
	KEND,
};
/* clang-format on */

/* A commune's validity ends after it starts. */
void
check_dates(struct loader *l, const config_t *cf)
{
	const config_setting_t *ls, *g;
	const char *from, *to;
	int i;

	ls = config_lookup(cf, "communes");
	if (ls == NULL || !config_setting_is_list(ls))
		return;
	for (i = 0; i < config_setting_length(ls); i++) {
		g = config_setting_get_elem(ls, (unsigned int)i);
		if (!config_setting_is_group(g))
			continue;
		from = member_string(g, "valid_from");
		to = member_string(g, "valid_to");
		/* Same format, so the strings compare like the dates. */
		if (from == NULL || to == NULL || !is_date(from) || !is_date(to) ||
		    strcmp(from, to) <= 0)
			continue;
		report(l, config_setting_get_member(g, "valid_to"), 0,
		       "\"valid_to\" %s is before \"valid_from\" %s", to, from);
	}
}
