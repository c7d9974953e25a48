/*
 * cmd-status.c - tinbao status: whether the gateway runs, each modem's link
 * and latest readings and balance, the push queue, the outbox and the
 * sending rates, the quarantine and the day's SMS against the daily cap.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "gateway.h"
#include "log.h"
#include "push.h"
#include "store.h"

static void
print_time(const char *key, int64_t t, const char *none)
{
	char when[40];

	if (t == 0) {
		printf("%s: %s\n", key, none);
		return;
	}
	push_time(t, when, sizeof(when));
	printf("%s: %s\n", key, when);
}

static void
print_push_status(const struct store_push_stats *s, const struct store_push_state *ps)
{
	int64_t now = time(NULL), age;

	printf("push_queue_length: %" PRId64 "\n", s->pending);
	if (s->oldest_pending == 0) {
		printf("push_oldest_pending_age: -\n");
	} else {
		age = now > s->oldest_pending ? now - s->oldest_pending : 0;
		printf("push_oldest_pending_age: %" PRId64 "s (%" PRId64 "h%02" PRId64 "m)\n", age,
		       age / 3600, age / 60 % 60);
	}
	printf("push_parked: %" PRId64 "\n", s->parked);
	printf("push_sent: %" PRId64 "\n", s->sent);
	print_time("push_last_success", ps->last_success, "never");
	if (ps->last_error_at == 0) {
		printf("push_last_error: none\n");
	} else {
		char when[40];

		push_time(ps->last_error_at, when, sizeof(when));
		printf("push_last_error: %s ", when);
		log_fputs(ps->last_error, stdout);
		putchar('\n');
	}
	printf("push_consecutive_failures: %d\n", ps->failures);
	print_time("push_next_attempt", ps->next_attempt > now ? ps->next_attempt : 0, "now");
}

/* The latest signal, registration, outage and balance of one modem
 * (health.h, ussd.h); the keys carry its name ("modem_signal[vina]:") when
 * it is not the one modem of a `gammu` group, named name. */
static int
print_one_modem(struct store *st, const char *name, int running)
{
	struct store_reading_row r;
	struct store_ussd_row u;
	int64_t lost_at, back_at, since;
	char when[40], tag[48], stale[96] = "";
	int n, connected;

	tag[0] = '\0';
	if (strcmp(name, "modem") != 0)
		snprintf(tag, sizeof(tag), "[%s]", name);

	/* The link, as the daemon last saw it. */
	n = store_modem_link_get(st, name, &connected, &since);
	if (n == -1)
		return -1;
	if (n == 0) {
		printf("modem_link%s: unknown (never opened by the gateway)\n", tag);
	} else {
		push_time(since, when, sizeof(when));
		printf("modem_link%s: %s since %s%s\n", tag, connected ? "connected" : "lost", when,
		       running ? "" : " (the gateway is not running)");
	}
	n = store_reading_last(st, name, &r);
	if (n == -1)
		return -1;
	/* A reading from before the modem's last (re)connection, or of a modem
	 * that is away, says nothing of it now. */
	if (n == 1 && since > 0 && (!connected || r.at < since))
		snprintf(stale, sizeof(stale), " (stale: %s)",
			 connected ? "read before the last connection" : "the modem is away");
	if (n == 0) {
		printf("modem_signal%s: unknown\nmodem_network%s: unknown\n", tag, tag);
	} else {
		push_time(r.at, when, sizeof(when));
		if (r.signal_pct >= 0)
			printf("modem_signal%s: %d%% (%d dBm) at %s%s\n", tag, r.signal_pct, r.dbm,
			       when, stale);
		else
			printf("modem_signal%s: none at %s%s\n", tag, when, stale);
		printf("modem_network%s: ", tag);
		log_fputs(r.reg, stdout);
		printf("%s", r.operator[0] ? " " : "");
		log_fputs(r.operator, stdout);
		printf(" at %s%s\n", when, stale);
	}
	n = store_outage_last(st, name, &lost_at, &back_at);
	if (n == -1)
		return -1;
	if (n == 0) {
		printf("modem_network_last_lost%s: never\n", tag);
	} else {
		push_time(lost_at, when, sizeof(when));
		if (back_at == 0)
			printf("modem_network_last_lost%s: %s, still lost\n", tag, when);
		else
			printf("modem_network_last_lost%s: %s for %" PRId64 " min\n", tag, when,
			       (back_at - lost_at + 59) / 60);
	}
	n = store_ussd_last(st, name, "balance", 1, &u);
	if (n == -1)
		return -1;
	if (n == 0) {
		printf("balance%s: unknown\n", tag);
	} else {
		push_time(u.at, when, sizeof(when));
		printf("balance%s: %" PRId64 " d at %s\n", tag, u.amount, when);
	}
	n = store_ussd_last(st, name, "balance", 0, &u);
	if (n == -1)
		return -1;
	if (n == 1) {
		push_time(u.at, when, sizeof(when));
		printf("balance_last_check%s: %s %s\n", tag, when, u.status);
	}
	return 0;
}

static int
print_modem_status(const struct config *cfg, struct store *st, int running)
{
	size_t i;

	for (i = 0; i < cfg->nmodems; i++)
		if (print_one_modem(st, cfg->modems[i].name, running) == -1)
			return -1;
	return 0;
}

static int
print_rate(void *arg, const char *modem, int64_t parts)
{
	const struct config *cfg = arg;

	printf("sending_rate: %s %" PRId64 "/%d in the last %d s\n", modem, parts,
	       cfg->sending.rate, cfg->sending.per);
	return 0;
}

/* The outbox (gateway/outbound/outbox.h): counts, and each modem's use of its rate. */
static int
print_outbox_status(const struct config *cfg, struct store *st)
{
	struct store_outbox_stats o;

	if (store_outbox_stats(st, &o) == -1)
		return -1;
	printf("outbox_queued: %" PRId64 "\n", o.queued);
	printf("outbox_sent: %" PRId64 "\n", o.sent);
	printf("outbox_failed: %" PRId64 "\n", o.failed);
	printf("outbox_unconfirmed: %" PRId64 "\n", o.unconfirmed);
	printf("outbox_delivered: %" PRId64 "\n", o.delivered);
	printf("outbox_delivery_failed: %" PRId64 "\n", o.undelivered);
	printf("sending_limit: %d SMS per %d s per modem\n", cfg->sending.rate, cfg->sending.per);
	return store_outbox_rates_foreach(st, clock_now() - cfg->sending.per, print_rate,
					  (void *)cfg);
}

/* The quarantine and today's sent SMS against the daily cap. */
static int
print_trust_status(const struct config *cfg, struct store *st)
{
	int64_t held, senders, sent;
	char day[16];

	if (store_inbox_held_count(st, "quarantined", &held, &senders) == -1)
		return -1;
	clock_date(clock_now(), day, sizeof(day));
	sent = store_sent_count(st, day);
	if (sent == -1)
		return -1;
	printf("quarantined: %" PRId64 " (from %" PRId64 " number%s)\n", held, senders,
	       senders == 1 ? "" : "s");
	if (cfg->limits.daily_cap > 0)
		printf("sent_today: %" PRId64 " / %d\n", sent, cfg->limits.daily_cap);
	else
		printf("sent_today: %" PRId64 " (no cap)\n", sent);
	return 0;
}

int
cli_status(const char *conf, int argc, char **argv)
{
	struct store_push_stats s;
	struct store_push_state ps;
	struct config *cfg;
	struct store *st;
	int status = 1, r;

	if (argc != 1)
		return cli_usage("status");
	if (cli_open(conf, STORE_READONLY, &cfg, &st) == -1)
		return 1;
	if (store_push_stats(st, &s) == -1 || store_push_state_get(st, &ps) == -1)
		goto done;
	printf("database: %s\n", cfg->database);
	r = gateway_running(cfg->database);
	printf("gateway: %s\n", r == 1	 ? "running"
				: r == 0 ? "not running"
					 : "unknown (its lock file cannot be read)");
	if (cfg->push.url != NULL)
		printf("push: %s to %s as %s\n", cfg->push.format, cfg->push.url,
		       cfg->push.gateway_id);
	else
		printf("push: off\n");
	print_push_status(&s, &ps);
	if (print_modem_status(cfg, st, r == 1) == -1)
		goto done;
	if (print_outbox_status(cfg, st) == -1)
		goto done;
	if (print_trust_status(cfg, st) == -1)
		goto done;
	status = 0;
done:
	store_close(st);
	config_free(cfg);
	return status;
}
