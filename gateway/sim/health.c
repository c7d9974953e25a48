/*
 * health.c - see health.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gammu.h>

#include "alert.h"
#include "clock.h"
#include "config.h"
#include "health.h"
#include "log.h"
#include "modem.h"
#include "store.h"

#define SIGNAL_STEP 10 /* percentage points of change worth a reading */

const char *
health_reg_name(int gsm_state)
{
	switch ((GSM_NetworkInfo_State)gsm_state) {
	case GSM_HomeNetwork:
		return "home";
	case GSM_RoamingNetwork:
		return "roaming";
	case GSM_RequestingNetwork:
		return "searching";
	case GSM_RegistrationDenied:
		return "denied";
	case GSM_NoNetwork:
		return "none";
	default:
		return "unknown";
	}
}

static int
registered(const char *reg)
{
	return strcmp(reg, "home") == 0 || strcmp(reg, "roaming") == 0;
}

static int
lost(const char *reg)
{
	return strcmp(reg, "none") == 0 || strcmp(reg, "searching") == 0 ||
	       strcmp(reg, "denied") == 0;
}

/* "452 04 Viettel" */
static void
operator_name(const GSM_NetworkInfo *net, char *buf, size_t bufsz)
{
	char name[4 * 64];
	const unsigned char *u;

	buf[0] = '\0';
	if (net->NetworkCode[0] == '\0')
		return;
	name[0] = '\0';
	u = GSM_GetNetworkName(net->NetworkCode);
	if (u != NULL)
		EncodeUTF8(name, u);
	snprintf(buf, bufsz, "%s%s%s", net->NetworkCode, name[0] ? " " : "", name);
}

/* "HH:MM DD/MM", Vietnam time. */
static void
hhmm(int64_t t, char *buf, size_t bufsz)
{
	struct tm tm;

	clock_local(t, &tm);
	snprintf(buf, bufsz, "%02d:%02d %02d/%02d", tm.tm_hour, tm.tm_min, tm.tm_mday,
		 tm.tm_mon + 1);
}

/* The network is back: close the outage, and alert when it was long. */
static void
network_back(const struct config *cfg, struct store *st, const char *name, int64_t now)
{
	int64_t lost_at, back_at, dur;
	char from[24], to[24], text[200], key[80];
	int r;

	r = store_outage_last(st, name, &lost_at, &back_at);
	if (r != 1 || back_at != 0)
		return;
	if (store_outage_set(st, name, 0, now) == -1)
		return;
	dur = now - lost_at;
	log_info("health %s: network back after %" PRId64 " s", name, dur);
	if (cfg->modem_checks.network_lost_alert == 0 ||
	    dur <= cfg->modem_checks.network_lost_alert)
		return;
	hhmm(lost_at, from, sizeof(from));
	hhmm(now, to, sizeof(to));
	snprintf(text, sizeof(text),
		 "Canh bao tinbao: modem%s%s mat song %" PRId64
		 " phut (tu %s), co song lai luc %s.",
		 strcmp(name, "modem") == 0 ? "" : " ", strcmp(name, "modem") == 0 ? "" : name,
		 (dur + 59) / 60, from, to);
	if (strcmp(name, "modem") == 0)
		snprintf(key, sizeof(key), "network_lost");
	else
		snprintf(key, sizeof(key), "network_lost:%s", name);
	/* Once per outage: raised now, cleared at once for the next one. */
	if (alert_raise(cfg, st, key, text, now) == 1)
		alert_clear(cfg, st, key, NULL, now);
}

static int
worth_storing(const struct config *cfg, const struct store_reading *r,
	      const struct store_reading_row *last, int have)
{
	int d;

	if (!have || strcmp(r->reg, last->reg) != 0 || strcmp(r->operator, last->operator) != 0)
		return 1;
	if ((r->signal_pct < 0) != (last->signal_pct < 0))
		return 1;
	d = r->signal_pct - last->signal_pct;
	if (d >= SIGNAL_STEP || d <= -SIGNAL_STEP)
		return 1;
	return r->at - last->at >= cfg->modem_checks.record_every;
}

int64_t
health_tick(struct health *h, const struct config *cfg, struct store *st, struct modem *m,
	    const char *modem_name, int64_t now)
{
	GSM_StateMachine *sm = modem_gammu(m);
	GSM_SignalQuality sig;
	GSM_NetworkInfo net;
	struct store_reading_row last;
	char op[96];
	GSM_Error err;
	int have;

	if (h->next != 0 && now < h->next)
		return h->next;
	h->next = now + cfg->modem_checks.interval;
	struct store_reading r = {modem_name, now, -1, 0, -1, "unknown", ""};
	memset(&sig, 0, sizeof(sig));
	err = GSM_GetSignalQuality(sm, &sig);
	if (err == ERR_NONE) {
		r.signal_pct = sig.SignalPercent;
		r.dbm = sig.SignalPercent >= 0 ? sig.SignalStrength : 0;
		r.ber = sig.BitErrorRate;
	} else {
		log_warnx("health %s: signal quality: %s", modem_name, GSM_ErrorString(err));
		modem_gammu_error(m, err);
		if (modem_lost(m))
			return h->next;
	}
	memset(&net, 0, sizeof(net));
	err = GSM_GetNetworkInfo(sm, &net);
	if (err == ERR_NONE) {
		r.reg = health_reg_name(net.State);
		if (registered(r.reg))
			operator_name(&net, op, sizeof(op));
		else
			op[0] = '\0';
		r.operator= op;
	} else {
		log_warnx("health %s: network info: %s", modem_name, GSM_ErrorString(err));
		modem_gammu_error(m, err);
		if (modem_lost(m))
			return h->next;
	}
	log_debug("health %s: signal %d%% (%d dBm), network %s %s", modem_name, r.signal_pct, r.dbm,
		  r.reg, r.operator);
	have = store_reading_last(st, modem_name, &last);
	if (have != -1 && worth_storing(cfg, &r, &last, have) &&
	    store_reading_add(st, &r, now - (int64_t)cfg->modem_checks.keep_days * 86400) == 0 &&
	    have && strcmp(r.reg, last.reg) != 0)
		log_info("health %s: network %s -> %s", modem_name, last.reg, r.reg);
	if (lost(r.reg)) {
		store_outage_set(st, modem_name, 1, now);
	} else if (registered(r.reg)) {
		network_back(cfg, st, modem_name, now);
	}
	return h->next;
}
