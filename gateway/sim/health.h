/*
 * health.h - the modem's signal and network registration, read periodically.
 *
 * Every modem_checks.interval seconds the signal quality (GSM_GetSignalQuality)
 * and the registration (GSM_GetNetworkInfo) are read.  A reading is stored
 * (table modem_readings) when the registration or operator changed, the
 * signal moved by 10 points or more, or the last stored one is older than
 * modem_checks.record_every; readings older than modem_checks.keep_days are
 * forgotten, so the table stays bounded.
 *
 * The network: registered -> lost since T (an open row in network_outages,
 * so that it survives a restart) -> back.  When it is back after more than
 * modem_checks.network_lost_alert seconds, the admins get one "network_lost"
 * alert saying how long it was lost: the SMS cannot go out before.
 */
#ifndef TINBAO_HEALTH_H
#define TINBAO_HEALTH_H

#include <stdint.h>

struct config;
struct modem;
struct store;

struct health {
	int64_t next; /* clock_now() seconds of the next read; 0: at once */
};

/* Reads and records when due (now >= h->next).  Returns the next deadline
 * (clock seconds).  A modem that cannot be read is logged, never fatal. */
int64_t health_tick(struct health *h, const struct config *cfg, struct store *st, struct modem *m,
		    const char *modem_name, int64_t now);

/* The registration state's name as stored: "home", "roaming", "searching",
 * "denied", "none", "unknown". */
const char *health_reg_name(int gsm_state);

#endif
