/*
 * ussd.h - USSD through libgammu: the balance check, top-ups, any code.
 *
 * Every answer is stored (table ussd) with the modem's name, the time, the
 * purpose (balance, manual, topup), the code (a top-up code with its PIN
 * masked), the answer as UTF-8, the amount read from it or NULL, and a
 * status.  libgammu decodes the answer (GSM 7-bit text, packed GSM 7-bit,
 * UCS-2) into UCS-2, turned here into UTF-8.
 *
 * Balance: every balance.interval seconds balance.code is dialled and the
 * amount extracted with balance.pattern (its first group, or the whole
 * match; thousands separators dropped).  Below balance.threshold, the
 * admins get one "balance_low" alert; a reading at or above it (a top-up)
 * clears it, so that the next crossing alerts again.  An answer that cannot
 * be read is stored and logged, and changes nothing.
 *
 * Top-up: "NAPTIEN <card PIN>" (also "NAP TIEN", any case, with or without
 * a space; the PIN is 12 to 16 digits, spaces allowed between groups).  The
 * gateway catches it before the parser and before the text is logged or
 * stored: the inbox keeps it with the PIN masked (ussd_topup_match).
 */
#ifndef TINBAO_USSD_H
#define TINBAO_USSD_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct modem;
struct store;

#define USSD_ANSWER_MAX 800 /* UTF-8 bytes kept of an answer */
#define USSD_PIN_MAX 16

/* Dials code and waits up to timeout_s seconds for the answer.  Returns 0
 * with the answer (UTF-8) in answer, or -1 with *why: "refused" (the network
 * said no), "no_answer" (none in time), "error" (the modem failed). */
int ussd_dial(struct modem *m, const char *code, int timeout_s, char *answer, size_t answersz,
	      const char **why);

/* Dials the requests `tinbao ussd` queued in the database for the running
 * gateway (at most a few, made in the last REQUEST_MAX_AGE seconds) and
 * stores their answers. */
#define USSD_REQUEST_MAX_AGE 300
void ussd_requests(const struct config *cfg, struct store *st, struct modem *m,
		   const char *modem_name, int64_t now);

/* Reads the amount from answer with the POSIX extended regex pattern.
 * 1 with *amount, 0 when there is none, -1 when the pattern is bad. */
int ussd_amount(const char *pattern, const char *answer, int64_t *amount);

/* Dials the balance code when due (now >= *next, *next 0: taken from the
 * last stored check), records it and raises or clears "balance_low".
 * Returns the next deadline (clock seconds). */
int64_t ussd_balance_tick(int64_t *next, const struct config *cfg, struct store *st,
			  struct modem *m, const char *modem_name, int64_t now);
/* Checks the balance now.  0, or -1 when no amount could be had. */
int ussd_balance_check(const struct config *cfg, struct store *st, struct modem *m,
		       const char *modem_name, int64_t now);

/* Whether text is a NAPTIEN command: 1 (masked gets the text with every PIN
 * digit but the last 4 replaced by '*', pin the digits, "" when they are not
 * 12 to 16), 0 when it is not one. */
int ussd_topup_match(const char *text, char *masked, size_t maskedsz, char *pin, size_t pinsz);
/* code with every run of 10 or more digits (a card PIN) masked but its last
 * 4 digits, for storing and logging a code typed by hand. */
void ussd_mask(const char *code, char *out, size_t outsz);
/* Handles a NAPTIEN from who (identity.h) with pin (from ussd_topup_match): from an
 * admin, dials the top-up code, stores the answer, and checks the balance
 * again; from anyone else, refuses and logs it.  reply gets the SMS to send
 * back (ASCII, one SMS).  Returns 1 when the top-up was dialled, 0 when it
 * was refused or could not be made, -1 on a database error. */
struct identity;
int ussd_topup(const struct config *cfg, struct store *st, struct modem *m, const char *modem_name,
	       const struct identity *who, const char *pin, int64_t now, char *reply,
	       size_t replysz);

#endif
