/*
 * plan.c - the "plan" list: the targets of each year, and the communes'
 * shares of the plan.
 */
#include <stddef.h>

#include "config.h"
#include "impl.h"

#define POFF(f) offsetof(struct config_plan, f)

/* clang-format off */
const struct key plan_keys[] = {
	KINT("year", 1, 2000, 2100, POFF(year)),
	KINT("trained_min", 1, 0, 10000000, POFF(trained_min)),
	KINT("trained_max", 1, 0, 10000000, POFF(trained_max)),
	KINT("labour_trained_pct", 1, 0, 100, POFF(labour_trained_pct)),
	KINT("employed_pct", 1, 0, 100, POFF(employed_pct)),
	KEND,
};
/* clang-format on */

/* Each year's plan: min <= max, one plan per year; the newest is cfg->plan. */
void
check_plan(struct loader *l, const config_t *cf)
{
	struct config *cfg = l->cfg;
	const config_setting_t *p, *e, *lo, *hi, *y;
	size_t i, j;

	p = config_lookup(cf, "plan");
	for (i = 0; p != NULL && i < cfg->nplans; i++) {
		e = config_setting_is_group(p) ? p : config_setting_get_elem(p, (unsigned int)i);
		if (e == NULL || !config_setting_is_group(e))
			continue;
		lo = config_setting_get_member(e, "trained_min");
		hi = config_setting_get_member(e, "trained_max");
		if (lo != NULL && hi != NULL &&
		    cfg->plans[i].trained_min > cfg->plans[i].trained_max)
			report(l, hi, 0,
			       "\"trained_min\" (%d) must not be greater than \"trained_max\" (%d)",
			       cfg->plans[i].trained_min, cfg->plans[i].trained_max);
		y = config_setting_get_member(e, "year");
		for (j = 0; y != NULL && j < i; j++) {
			if (cfg->plans[j].year == cfg->plans[i].year && cfg->plans[i].year != 0)
				report(l, y, 0,
				       "a second plan for %d: one plan per year (a new year is a "
				       "new block)",
				       cfg->plans[i].year);
		}
		if (i == 0 || cfg->plans[i].year > cfg->plan.year)
			cfg->plan = cfg->plans[i];
	}
}

/* The communes' shares of the plan should add up to the plan. */
void
check_shares(struct loader *l, const config_t *cf)
{
	const struct config *cfg = l->cfg;
	long sum = 0;
	size_t i, n = 0;

	for (i = 0; i < cfg->ncommunes; i++) {
		if (cfg->communes[i].plan_trained > 0) {
			sum += cfg->communes[i].plan_trained;
			n++;
		}
	}
	if (n == cfg->ncommunes && (sum < cfg->plan.trained_min || sum > cfg->plan.trained_max))
		report(l, config_lookup(cf, "plan.trained_min"), 1,
		       "the communes' \"plan_trained\" add up to %ld, outside the plan's %d-%d",
		       sum, cfg->plan.trained_min, cfg->plan.trained_max);
}

const struct config_plan *
config_plan_for(const struct config *cfg, int year)
{
	size_t i;

	for (i = 0; i < cfg->nplans; i++) {
		if (cfg->plans[i].year == year)
			return &cfg->plans[i];
	}
	return NULL;
}
