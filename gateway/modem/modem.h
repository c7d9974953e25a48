/*
 * modem.h - the GSM phone or modem, through libgammu.
 *
 * Any connection gammu supports works unchanged (a USB modem on the AT
 * driver, a phone, the "dummy" driver that keeps SMS as files in a folder).
 * Only one gammu multi-part buffer (~260 KB) is ever allocated, once per
 * modem: SMS are read, handed over and released one part at a time.
 */
#ifndef TINBAO_MODEM_H
#define TINBAO_MODEM_H

#include <stdint.h>

#define MODEM_TEXT_MAX 2720 /* UTF-8 bytes: gammu keeps up to 650 UCS-2 units a part */

/* One received SMS, or one part of a concatenated one. */
struct modem_sms {
	char sender[64];	   /* as the network gave it: "+8491...", "Viettel", "1234" */
	int64_t smsc_time;	   /* Unix time of the SMSC timestamp, or 0 when absent */
	char text[MODEM_TEXT_MAX]; /* UTF-8; 8-bit data is kept as hex */
	char coding[8];		   /* "gsm7", "ucs2", "8bit" */
	int concat_ref;		   /* UDH concatenation reference, -1 when not a part */
	int part_no;		   /* 1-based, when concat_ref != -1 */
	int part_count;
	int folder; /* where the phone keeps it, for modem_delete */
	int location;
	/* An SMS-STATUS-REPORT (a delivery report) rather than a message:
	 * sender is the number the reported SMS went to, mr its message
	 * reference (TP-MR), report_status its TP-Status (0 delivered, 1..63
	 * still trying, 64.. failed). */
	int status_report;
	int mr;
	int report_status;
};

struct modem;

/* Opens the phone described by section `section` of the gammurc at path.
 * Returns NULL (logged) on failure. */
struct modem *modem_open(const char *gammurc, int section);
/* The same; with MODEM_QUIET a phone that does not answer is logged at the
 * debug level only (attempts repeated while waiting for it to appear). */
#define MODEM_QUIET 0x1
struct modem *modem_open_flags(const char *gammurc, int section, int flags);
void modem_close(struct modem *m); /* accepts NULL */
/* Whether section `section` of the gammurc describes gammu's dummy driver,
 * read without connecting to anything: 1 yes, 0 no, -1 unreadable. */
int modem_config_is_dummy(const char *gammurc, int section);
/* 1 when the connection to the phone failed (the device vanished, stopped
 * answering, or cannot be written): the caller should close it and open it
 * again later.  Set by any modem_* call that met such an error. */
int modem_lost(const struct modem *m);
/* 1 when the phone is gammu's dummy driver (a folder of files). */
int modem_is_dummy(const struct modem *m);

/*
 * Waits up to ms milliseconds for the phone to announce a new SMS (AT:
 * +CMTI, enabled by modem_open when the phone supports it), reading the
 * device in slices of 50 ms.  Returns 1 as soon as one was announced (also
 * when it was announced during an earlier modem_* call), 0 otherwise.  On
 * the dummy phone or a lost connection it only sleeps.
 */
int modem_wait(struct modem *m, int ms);
/* Whether a new SMS was announced since the last call (and forgets it). */
int modem_incoming(struct modem *m);
/* The SIM's SMS storage: used and total slots.  0, or -1 when the phone
 * cannot tell (logged at debug level). */
int modem_sim_status(struct modem *m, int *used, int *total);

/* Reads the next received SMS (part).  start = 1 begins a new scan.  Returns
 * 1 with *sms filled, 0 when there is no more, -1 on error (logged). */
int modem_next(struct modem *m, int start, struct modem_sms *sms);
/* The concatenation of an SMS whose UDH is given in hex (as another
 * program stored it): sms->concat_ref, part_no and part_count as
 * modem_next() sets them, concat_ref -1 when it is no part. */
void modem_udh_hex(const char *hex, struct modem_sms *sms);

/* Deletes an SMS read by modem_next from the phone. */
int modem_delete(struct modem *m, const struct modem_sms *sms);

/* Sends text (UTF-8) to the number, split into concatenated parts when it
 * does not fit one SMS; GSM 7-bit when the text allows it, UCS-2 otherwise.
 * Returns 0 when the network accepted every part, -1 otherwise. */
int modem_send(struct modem *m, const char *to, const char *text);

/*
 * Sending one part at a time, so that the caller can record each part
 * before and after it goes (gateway/outbound/outbox.h).  modem_prepare() splits text
 * for `to` like modem_send() and returns the number of parts (-1 when it
 * cannot be encoded); *concat_ref is the concatenation reference to use
 * (0..255), or -1 to take a new one, which is then stored there.  With
 * report, each part asks the network for a delivery report.
 * modem_send_part() sends part i (0-based) of the prepared message and says
 * what became of it; *mr gets its message reference (TP-MR), or -1.
 */
enum modem_outcome {
	MODEM_SENT,    /* the modem answered +CMGS: the network took it */
	MODEM_REFUSED, /* refused before the modem took the SMS: not sent */
	MODEM_UNKNOWN, /* the SMS was handed over and no answer came: it may be sent */
};
int modem_prepare(struct modem *m, const char *to, const char *text, int report, int *concat_ref);
enum modem_outcome modem_send_part(struct modem *m, int i, int *mr);
/* How long to wait for the network's answer to one part (default 60 s). */
void modem_set_ack_timeout(struct modem *m, int seconds);

/* Puts an incoming SMS (from, text, SMSC time `when`) into the phone's inbox,
 * split into concatenated parts when long.  Only the dummy driver supports
 * this; on any other phone it fails. */
int modem_inject(struct modem *m, const char *from, const char *text, int64_t when);

/* For the modules that talk to the phone beyond SMS (health.c, ussd.c): the
 * libgammu state machine (a GSM_StateMachine *), and the way to hand back a
 * libgammu error (a GSM_Error) so that a link that is gone is noticed. */
void *modem_gammu(struct modem *m);
void modem_gammu_error(struct modem *m, int err);

#endif
