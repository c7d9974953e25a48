/*
 * balance.c - the "balance" group: the USSD balance check and top-ups
 * (gateway/sim/ussd.h).
 */
#include <regex.h>
#include <string.h>

#include "impl.h"

/* A USSD code: digits, '*' and '#', ending in '#'. */
static int
check_ussd_code(struct loader *l, const config_setting_t *s, const char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && n <= 40 && strspn(v, "0123456789*#") == n && v[n - 1] == '#')
		return 0;
	report(l, s, 0, "\"%s\" must be a USSD code (digits, * and #, ending in #), not \"%s\"",
	       label(s), v);
	return -1;
}

/* The top-up code: a USSD code with exactly one "%s" where the PIN goes. */
static int
check_topup_code(struct loader *l, const config_setting_t *s, const char *v)
{
	const char *p = strstr(v, "%s");
	size_t n = strlen(v);
	int ok;

	ok = p != NULL && strstr(p + 2, "%s") == NULL && n <= 40 && v[n - 1] == '#';
	for (; ok && *v != '\0'; v++)
		if (v != p && v != p + 1 && strchr("0123456789*#", *v) == NULL)
			ok = 0;
	if (ok)
		return 0;
	report(l, s, 0,
	       "\"%s\" must be a USSD code with exactly one %%s where the PIN goes "
	       "(e.g. \"*100*%%s#\")",
	       label(s));
	return -1;
}

/* The balance pattern: compiled now, so that a bad one fails the load. */
static int
check_balance_pattern(struct loader *l, const config_setting_t *s, const char *v)
{
	return check_regex(l, s, v, REG_EXTENDED | REG_ICASE);
}

/* clang-format off */
const struct key balance_keys[] = {
	KBOOL("enabled", 0, OFF(balance.enabled)),
	KSTR("code", 0, OFF(balance.code), check_ussd_code),
	KINT("interval", 0, 1, 30 * 86400, OFF(balance.interval)),
	KSTR("pattern", 0, OFF(balance.pattern), check_balance_pattern),
	KLONG("threshold", 0, 0, 1000000000L, OFF(balance.threshold)),
	KSTR("topup_code", 0, OFF(balance.topup_code), check_topup_code),
	KINT("timeout", 0, 1, 180, OFF(balance.timeout)),
	KEND,
};
/* clang-format on */

/* The USSD codes and the pattern a file leaves out. */
void
finish_balance(struct loader *l, const config_t *cf)
{
	struct config_balance *b = &l->cfg->balance;

	if (b->code == NULL)
		b->code = copy(l, CONFIG_BALANCE_CODE);
	if (b->pattern == NULL)
		b->pattern = copy(l, CONFIG_BALANCE_PATTERN);
	if (b->topup_code == NULL)
		b->topup_code = copy(l, CONFIG_TOPUP_CODE);
}
