/*
 * daemon.h - what the daemon's files share (private to gateway.c, the
 * loop; receive.c, modem to inbox; modems.c, the modems' upkeep, sending
 * and NAPTIEN).  gateway.h is the daemon's contract.
 */
#ifndef TINBAO_DAEMON_H
#define TINBAO_DAEMON_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "health.h"
#include "modem.h"
#include "ussd.h"

/*
 * SMS committed per transaction.  Each commit is an fsync; one per SMS would
 * make the disk, not the modem, the bottleneck of a full SIM.  A batch is
 * atomic: a crash loses none of it (the SMS are still on the phone) and
 * half of it is never written.
 */
#define BATCH 64
#define SMS_MAX 160 /* one GSM 7-bit SMS */

/* SIGINT/SIGTERM: leave the loop after the current transaction. */
extern volatile sig_atomic_t daemon_quit;

/* A NAPTIEN kept by receive(): its PIN lives only here, never on disk,
 * until the pipeline dials it (daemon_topup()). */
struct topup {
	int64_t inbox_id;
	char sender[64];
	char modem[CONFIG_MODEM_NAME_MAX + 1]; /* the one it came in on: its SIM */
	char masked[MODEM_TEXT_MAX];
	char pin[USSD_PIN_MAX + 1];
};

/* One configured modem (config `modems`, or `gammu` as the one named
 * "modem").  Each is opened, scanned, reconnected on its own: one that fails
 * leaves the others working. */
struct gw_modem {
	char name[CONFIG_MODEM_NAME_MAX + 1];
	char *gammurc;
	int section;
	int send;	      /* replies may go out through it */
	struct health health; /* signal and network reads (health.h) */
	int64_t balance_next; /* clock seconds of the next balance check */
	struct modem *modem;  /* NULL while the connection is lost */
	int64_t reopen_at;    /* monotonic ms of the next attempt to reconnect */
	int reopen_wait;      /* ms, doubled after each failed attempt */
	int waiting;	      /* not connected since the start: tried quietly */
};

struct gw {
	struct config *cfg;
	struct store *st;
	struct gw_modem *modems; /* from the configuration at start */
	size_t nmodems;
	size_t next_sender; /* round-robin over the modems that may send */
	int incoming;	    /* a modem announced an SMS: scan now */
	struct push *push;  /* NULL when the configuration has no push */
	struct outbox *outbox;
	int64_t send_next;	/* Unix time the outbox wants to send again, 0: nothing queued */
	struct topup topups[8]; /* NAPTIEN received, not yet dialled */
	int ntopups;
	struct backup *backup; /* the daily copy, made in steps */
	int64_t report_retry;  /* clock_now() time of the next attempt (report_tick) */
	/* The database cannot be written (disk full, read-only...): SMS stay on
	 * the phone, the next attempt is at db_retry_at (monotonic ms). */
	int db_down;
	int db_wait; /* ms, doubled after each failed attempt */
	int64_t db_retry_at;
	int db_alerted; /* the admins were told (the database could not record it) */
	int damaged;	/* the database file is damaged: the gateway stops */
	/* The longest time the loop went without reading the modems (ms), and
	 * when the last read ended (monotonic ms, 0 before the first). */
	int64_t read_gap, read_end;
};

/* The modems that are connected now. */
#define FOREACH_CONNECTED(gw, m)                                                                   \
	for ((m) = (gw)->modems; (m) < (gw)->modems + (gw)->nmodems; (m)++)                        \
		if ((m)->modem != NULL && !modem_lost((m)->modem))

int64_t daemon_ms(void); /* the monotonic clock, in ms */

/* receive.c: every SMS on the phone into the inbox (commit, then delete):
 * how many were read, or -1.  The parts whose message will not complete
 * become rows of their own: how many, or -1. */
int daemon_receive(struct gw *gw, struct gw_modem *m);
int daemon_expire_parts(struct gw *gw);

/* modems.c */
int daemon_open_modems(struct gw *gw, int once);
void daemon_close_modems(struct gw *gw);
void daemon_keep_modems(struct gw *gw);
int daemon_modems_changed(const struct gw *gw, const struct config *cfg);
void daemon_check_sim(struct gw *gw, struct gw_modem *m);
void daemon_modem_checks(struct gw *gw);
int daemon_send_queued(struct gw *gw);
/* Sends text straight through the first modem that may send to everyone
 * alerts go to: the database, which would queue it, is what is broken.
 * How many were told. */
int daemon_alert_direct(struct gw *gw, const char *text);
/* Keeps the PIN of the NAPTIEN stored as inbox row id from an admin, on
 * modem m (a few at most), until the pipeline dials it. */
void daemon_keep_topup(struct gw *gw, const struct gw_modem *m, int64_t id, const char *sender,
		       const char *masked, const char *pin);
/* The pipeline's dial (pipeline.h: struct pipeline's topup). */
struct identity;
struct store_inmsg;
int daemon_topup(void *arg, const struct store_inmsg *msg, const struct identity *who, char *reply,
		 size_t replysz);
/* Whether a PIN is kept for inbox row id. */
int daemon_topup_kept(const struct gw *gw, int64_t id);
/* Forgets every PIN kept. */
void daemon_topups_clear(struct gw *gw);

#endif
