/*
 * limits.c - the "limits" group: abuse and loops (gateway/outbound/quota.h).
 */
#include "impl.h"

/* clang-format off */
const struct key limits_keys[] = {
	KINT("per_sender_hour", 0, 0, 100000, OFF(limits.per_sender_hour)),
	KINT("replies_per_day", 0, 0, 100000, OFF(limits.replies_per_day)),
	KINT("identical", 0, 0, 100000, OFF(limits.identical)),
	KINT("daily_cap", 0, 0, 1000000, OFF(limits.daily_cap)),
	KEND,
};
/* clang-format on */
