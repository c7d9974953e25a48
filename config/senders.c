/*
 * senders.c - the "senders" group: what to do with a sender the registry does
 * not know (and how often a quarantined one is told whom to call), and with
 * an officer reporting for another commune (gateway/pipeline/senders.h).
 */
#include "impl.h"

static int
check_unknown_policy(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"reject", "quarantine", "accept", NULL};

	return one_of(l, s, v, w, "\"reject\", \"quarantine\" or \"accept\"");
}

static int
check_commune_policy(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"reject", "warn", NULL};

	return one_of(l, s, v, w, "\"reject\" or \"warn\"");
}

/* clang-format off */
const struct key senders_keys[] = {
	KSTR("unknown", 0, OFF(senders.unknown), check_unknown_policy),
	KSTR("other_commune", 0, OFF(senders.other_commune), check_commune_policy),
	KINT("unknown_reply_days", 0, 0, 365, OFF(senders.unknown_reply_days)),
	KSTR("contact", 0, OFF(senders.contact), check_phone),
	KEND,
};
/* clang-format on */
