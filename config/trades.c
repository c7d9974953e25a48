/*
 * trades.c - the "trades" list: codes, course levels, names.  What trades
 * share with communes (codes, names and aliases that two units answer to) is
 * in units.c.
 */
#include <stddef.h>

#include "impl.h"

static int
check_course(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"D3T", "SC", NULL};

	return one_of(l, s, v, w, "\"D3T\" or \"SC\"");
}

#define TOFF(f) offsetof(struct config_trade, f)

/* clang-format off */
const struct key trade_keys[] = {
	KSTR("code", 1, TOFF(code), check_code),
	KSTR("level", 1, TOFF(level), check_course),
	KBOOL("agricultural", 1, TOFF(agricultural)),
	KSTR("name", 1, TOFF(name), check_text),
	KSTRS("aliases", 0, 0, TOFF(aliases), TOFF(naliases), check_text),
	KEND,
};
/* clang-format on */
