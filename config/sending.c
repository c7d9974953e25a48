/*
 * sending.c - the "sending" group: the rate, retries and delivery reports of
 * outgoing SMS (gateway/outbound/outbox.h).
 */
#include "impl.h"

/* clang-format off */
const struct key sending_keys[] = {
	KINT("rate", 0, 1, 1000, OFF(sending.rate)),
	KINT("per", 0, 1, 86400, OFF(sending.per)),
	KINT("retries", 0, 1, 20, OFF(sending.retries)),
	KINT("retry_min", 0, 1, 86400, OFF(sending.retry_min)),
	KINT("retry_max", 0, 1, 7 * 86400, OFF(sending.retry_max)),
	KBOOL("delivery_reports", 0, OFF(sending.delivery_reports)),
	KINT("ack_timeout", 0, 5, 600, OFF(sending.ack_timeout)),
	KEND,
};
/* clang-format on */

/* sending.retries replaces gateway.send_retries, which still works alone. */
void
finish_sending(struct loader *l, const config_t *cf)
{
	struct config_sending *s = &l->cfg->sending;

	if (s->retry_min > s->retry_max)
		report(l, config_lookup(cf, "sending.retry_min"), 0,
		       "\"retry_min\" (%d) must not be more than \"retry_max\" (%d)", s->retry_min,
		       s->retry_max);
	if (s->retries != 0 && config_lookup(cf, "gateway.send_retries") != NULL)
		report(l, config_lookup(cf, "gateway.send_retries"), 1,
		       "\"send_retries\" is ignored: \"sending.retries\" replaces it");
	if (s->retries == 0)
		s->retries = l->cfg->send_retries;
}
