/*
 * modems.c - the daemon's modems: opened, reconnected with backoff, their
 * SIM, signal and balance checked, the outbox sent through them in turn;
 * the alerts sent straight through one when the database is broken; and
 * the one thing a message may ask of a modem: dialling a NAPTIEN.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "clock.h"
#include "config.h"
#include "daemon.h"
#include "identity.h"
#include "log.h"
#include "modem.h"
#include "outbox.h"
#include "store.h"
#include "ussd.h"

/*
 * Sends what is due, spread over the connected modems that may send: one
 * message at a time from each in turn (round-robin), each within its own
 * rate (outbox.h), until none has anything to send now.  gw->send_next gets
 * the soonest time any of them wants to send again.  Returns the number of
 * messages sent whole, or -1.
 */
int
daemon_send_queued(struct gw *gw)
{
	struct gw_modem *m;
	int64_t next, soonest;
	size_t i, k, rounds;
	int r, n = 0, more = 1;

	gw->send_next = 0;
	/* Every round makes an attempt or ends: the bound is only a guard. */
	for (rounds = 0; more && !daemon_quit && rounds < 100000; rounds++) {
		more = 0;
		soonest = 0;
		for (k = 0; k < gw->nmodems && !daemon_quit; k++) {
			i = (gw->next_sender + k) % gw->nmodems;
			m = &gw->modems[i];
			if (!m->send || m->modem == NULL || modem_lost(m->modem))
				continue;
			r = outbox_send(gw->outbox, gw->cfg, m->modem, m->name, clock_now(),
					&daemon_quit, 1, &next);
			if (r == -1)
				return -1;
			n += r;
			if (r > 0)
				gw->next_sender = (i + 1) % gw->nmodems;
			if (next != 0 && (soonest == 0 || next < soonest))
				soonest = next;
			if (next != 0 && next <= clock_now() && !modem_lost(m->modem))
				more = 1;
		}
		gw->send_next = soonest;
	}
	return n;
}

#define REOPEN_MIN_MS 1000
#define REOPEN_MAX_MS (5 * 60 * 1000)

/*
 * A modem vanished or stopped answering: close it, and open it again with a
 * growing wait (1 s, 2 s, ... 5 min).  The database work and the other
 * modems go on meanwhile; SMS stay on its SIM and replies in the outbox (or
 * go out through another modem) until it is back.
 */
/* Opens modem m, with the sending path's settings.  NULL (logged) on
 * failure. */
static struct modem *
open_modem(const struct config *cfg, const struct gw_modem *m)
{
	struct modem *mm = modem_open_flags(m->gammurc, m->section, m->waiting ? MODEM_QUIET : 0);

	if (mm != NULL)
		modem_set_ack_timeout(mm, cfg->sending.ack_timeout);
	return mm;
}

/* What `tinbao status` says of a modem's link; a database that cannot be
 * written now only loses that (logged by the store). */
static void
link_state(struct gw *gw, const struct gw_modem *m)
{
	store_modem_link_set(gw->st, m->name, m->modem != NULL, clock_now());
}

static void
keep_modem(struct gw *gw, struct gw_modem *m)
{
	int64_t now = daemon_ms();

	if (m->modem != NULL && modem_lost(m->modem)) {
		modem_close(m->modem);
		m->modem = NULL;
		m->reopen_wait = REOPEN_MIN_MS;
		m->reopen_at = now + m->reopen_wait;
		log_warnx("modem %s: closed; reconnecting in %d ms", m->name, m->reopen_wait);
		link_state(gw, m);
		return;
	}
	if (m->modem != NULL || now < m->reopen_at)
		return;
	m->modem = open_modem(gw->cfg, m);
	if (m->modem != NULL) {
		log_info("modem %s: %s", m->name,
			 m->waiting ? "connected, working" : "reconnected");
		m->waiting = 0;
		link_state(gw, m);
		return;
	}
	m->reopen_wait = m->reopen_wait * 2 > REOPEN_MAX_MS ? REOPEN_MAX_MS : m->reopen_wait * 2;
	m->reopen_at = daemon_ms() + m->reopen_wait;
	/* Waiting for a modem not plugged in yet was said once, at the start. */
	if (m->waiting)
		log_debug("modem %s: not there yet; next attempt in %d ms", m->name,
			  m->reopen_wait);
	else
		log_warnx("modem %s: still away; next attempt in %d ms", m->name, m->reopen_wait);
}

void
daemon_keep_modems(struct gw *gw)
{
	size_t i;

	for (i = 0; i < gw->nmodems; i++)
		keep_modem(gw, &gw->modems[i]);
}

/*
 * After a scan, the SIM should have room: every SMS read was stored and
 * deleted.  A SIM still full (deleting fails, or storing does) refuses new
 * SMS: the admins are alerted once, and told when it has room again.
 */
void
daemon_check_sim(struct gw *gw, struct gw_modem *m)
{
	char key[64], text[SMS_MAX + 1];
	int used, total;

	/* A size of 0 means the phone does not tell, not a SIM without room. */
	if (modem_is_dummy(m->modem) || modem_sim_status(m->modem, &used, &total) == -1 ||
	    total <= 0)
		return;
	if (gw->nmodems > 1)
		snprintf(key, sizeof(key), "sim_full:%s", m->name);
	else
		snprintf(key, sizeof(key), "sim_full");
	if (used >= total) {
		log_warnx("modem %s: SIM full (%d/%d) after the scan", m->name, used, total);
		snprintf(text, sizeof(text),
			 "Canh bao tinbao: SIM cua modem %s day (%d/%d), khong xoa duoc tin. "
			 "Tin moi se bi tu choi. Kiem tra modem va SIM.",
			 m->name, used, total);
		alert_raise(gw->cfg, gw->st, key, text, clock_now());
	} else {
		snprintf(text, sizeof(text),
			 "Het canh bao tinbao: SIM cua modem %s da co cho trong (%d/%d).", m->name,
			 used, total);
		alert_clear(gw->cfg, gw->st, key, text, clock_now());
	}
}

/* Signal, network and balance of each modem, each when due (health.h,
 * ussd.h).  Not on gammu's dummy phone, which has no network. */
void
daemon_modem_checks(struct gw *gw)
{
	struct gw_modem *m;
	int64_t now = clock_now();

	FOREACH_CONNECTED(gw, m)
	{
		if (modem_is_dummy(m->modem))
			continue;
		ussd_requests(gw->cfg, gw->st, m->modem, m->name, now);
		if (modem_lost(m->modem))
			continue;
		health_tick(&m->health, gw->cfg, gw->st, m->modem, m->name, now);
		if (!modem_lost(m->modem))
			ussd_balance_tick(&m->balance_next, gw->cfg, gw->st, m->modem, m->name,
					  now);
	}
}

int
daemon_modems_changed(const struct gw *gw, const struct config *cfg)
{
	size_t i;

	if (cfg->nmodems != gw->nmodems)
		return 1;
	for (i = 0; i < cfg->nmodems; i++)
		if (strcmp(cfg->modems[i].name, gw->modems[i].name) != 0 ||
		    strcmp(cfg->modems[i].gammurc, gw->modems[i].gammurc) != 0 ||
		    cfg->modems[i].section != gw->modems[i].section ||
		    cfg->modems[i].send != gw->modems[i].send)
			return 1;
	return 0;
}

/* The modems of the configuration, each opened once.  The daemon starts
 * whether they answer or not: those that do not (a USB modem plugged in
 * later) are tried again with backoff while the rest of the loop works, as
 * for a modem lost on the way.  One pass (once) needs at least one. */
int
daemon_open_modems(struct gw *gw, int once)
{
	const struct config *cfg = gw->cfg;
	struct gw_modem *m;
	size_t i, open = 0;

	gw->modems = calloc(cfg->nmodems, sizeof(*gw->modems));
	if (gw->modems == NULL) {
		log_warn("modems");
		return -1;
	}
	gw->nmodems = cfg->nmodems;
	for (i = 0; i < cfg->nmodems; i++) {
		m = &gw->modems[i];
		snprintf(m->name, sizeof(m->name), "%s", cfg->modems[i].name);
		m->gammurc = strdup(cfg->modems[i].gammurc);
		if (m->gammurc == NULL) {
			log_warn("modems");
			return -1;
		}
		m->section = cfg->modems[i].section;
		m->send = cfg->modems[i].send;
		m->modem = open_modem(cfg, m);
		link_state(gw, m);
		if (m->modem != NULL) {
			open++;
			continue;
		}
		m->reopen_wait = REOPEN_MIN_MS;
		m->reopen_at = daemon_ms() + m->reopen_wait;
		m->waiting = 1;
		if (once)
			log_warnx("modem %s: cannot connect; left out of this pass", m->name);
		else
			log_warnx("modem %s: cannot connect; waiting for it (tried again after %d "
				  "ms, then less and less often, at least every %d s)",
				  m->name, m->reopen_wait, REOPEN_MAX_MS / 1000);
	}
	if (open == 0 && once) {
		log_warnx(
		    "tinbao: no modem answers: run --once gives up (the daemon, `tinbao run`, "
		    "waits for a modem)");
		return -1;
	}
	return 0;
}

void
daemon_close_modems(struct gw *gw)
{
	size_t i;

	for (i = 0; i < gw->nmodems; i++) {
		modem_close(gw->modems[i].modem);
		free(gw->modems[i].gammurc);
	}
	free(gw->modems);
	gw->modems = NULL;
	gw->nmodems = 0;
}

/* ---- Alerts when the database is broken -------------------------------- */

struct direct {
	struct gw_modem *via;
	const char *text;
	int n;
};

static int
send_direct(void *arg, const struct identity *id)
{
	struct direct *d = arg;

	if (d->via == NULL || modem_send(d->via->modem, id->number, d->text) == -1) {
		log_warnx("alert to %s not sent", id->number);
		return 0;
	}
	log_info("alert sent to %s", id->number);
	d->n++;
	return 0;
}

int
daemon_alert_direct(struct gw *gw, const char *text)
{
	struct direct d = {NULL, text, 0};
	struct gw_modem *m;

	FOREACH_CONNECTED(gw, m)
	if (d.via == NULL && m->send)
		d.via = m;
	alert_recipients(gw->cfg, gw->st, send_direct, &d);
	return d.n;
}

/* ---- NAPTIEN ---------------------------------------------------------- */

#define NTOPUPS (sizeof(((struct gw *)0)->topups) / sizeof(((struct gw *)0)->topups[0]))

void
daemon_keep_topup(struct gw *gw, const struct gw_modem *m, int64_t id, const char *sender,
		  const char *masked, const char *pin)
{
	struct topup *t;
	size_t i;

	for (i = 0; i < NTOPUPS; i++) {
		t = &gw->topups[i];
		if (t->inbox_id != 0)
			continue;
		t->inbox_id = id;
		snprintf(t->sender, sizeof(t->sender), "%s", sender);
		snprintf(t->modem, sizeof(t->modem), "%s", m->name);
		snprintf(t->masked, sizeof(t->masked), "%s", masked);
		snprintf(t->pin, sizeof(t->pin), "%s", pin);
		return;
	}
	log_warnx("NAPTIEN #%" PRId64 ": too many top-ups at once; its PIN is dropped", id);
}

static struct topup *
kept(struct gw *gw, int64_t id)
{
	size_t i;

	for (i = 0; i < NTOPUPS; i++)
		if (gw->topups[i].inbox_id == id && id != 0)
			return &gw->topups[i];
	return NULL;
}

int
daemon_topup_kept(const struct gw *gw, int64_t id)
{
	return kept((struct gw *)gw, id) != NULL;
}

void
daemon_topups_clear(struct gw *gw)
{
	explicit_bzero(gw->topups, sizeof(gw->topups));
}

/*
 * Dials a top-up through the modem the request came in on (its SIM).  The
 * PIN is forgotten before dialling, so that nothing can dial it twice.
 */
int
daemon_topup(void *arg, const struct store_inmsg *msg, const struct identity *who, char *reply,
	     size_t replysz)
{
	struct gw *gw = arg;
	struct gw_modem *gm;
	struct modem *m = NULL;
	struct topup t, *k = kept(gw, msg->id);
	int r;

	/* Still the row receive() stored: a batch rolled back left none. */
	if (k == NULL || strcmp(msg->sender, k->sender) != 0 || strcmp(msg->text, k->masked) != 0)
		return -2;
	t = *k;
	explicit_bzero(k, sizeof(*k));
	FOREACH_CONNECTED(gw, gm)
	if (strcmp(gm->name, t.modem) == 0 && !modem_is_dummy(gm->modem))
		m = gm->modem;
	/* The dial takes seconds and checks the balance again, which raises or
	 * clears an alert in a transaction of its own: it runs between two
	 * transactions of this message (alone in its own, see the loop), what
	 * the stages wrote so far committed first. */
	if (store_commit(gw->st) == -1) {
		explicit_bzero(&t, sizeof(t));
		return -1;
	}
	r = ussd_topup(gw->cfg, gw->st, m, t.modem, who, t.pin, clock_now(), reply, replysz);
	explicit_bzero(&t, sizeof(t));
	if (store_begin(gw->st) == -1)
		return -1;
	return r;
}
