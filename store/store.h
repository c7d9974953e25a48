/*
 * store.h - tinbao's SQLite database.
 *
 * One file in WAL mode with a busy timeout; the schema is versioned by
 * PRAGMA user_version and migrated forward on open; every statement is
 * checked against the file at open, prepared on its first use and kept until
 * close, with bound parameters.  Nothing is ever deleted: rows change state.
 *
 * Tables:
 *   inbox       every SMS as received (sender, SMSC time, received time, raw
 *               UTF-8 text, coding, part count, fingerprint, state
 *               new/accepted/rejected, error)
 *   inbox_parts parts of multipart SMS waiting for the rest
 *   reports     one row per understood item, linked to its inbox row; its id
 *               is the reference number given to the officer
 *   outbox      SMS to send (recipient, text, reason, state
 *               queued/sent/failed, attempts, timestamps)
 *   push_queue  events for the district server (type, time, JSON payload,
 *               state pending/sent/parked, when sent, the server's answer
 *               when parked); the id is the event's sequence number
 *   push_state  the push's retry schedule and last outcomes (one row)
 *   report_sums per period, commune, kind and trade: the number of reports
 *               and the sums of their counts, kept by triggers
 *   digests, reminders, scheduled_sms
 *               what the digests and reminders sent, so that a restart
 *               resends nothing and the daily limit holds
 *   senders     the registry of reporting numbers
 *   sent_days   SMS sent per day, for the daily cap
 *   push_outgoing  ids of the SMS the district asked the gateway to send,
 *               each queued once; when such an SMS is sent or fails, a
 *               trigger queues its sms.sent / sms.failed event in the same
 *               statement
 *   alerts      alerts to the admins, one row per key, active while its
 *               condition lasts (sent once per crossing)
 *   modem_readings, network_outages
 *               the modem's signal and registration, and when the network
 *               went away and came back (gateway/sim/health.h)
 *   ussd        every USSD answer: balance, manual, top-up (gateway/sim/ussd.h)
 *   web_users   the web console's users: name, role, Argon2id hash
 *   audit       every change made through the web console: who, when,
 *               what, and the page that shows it
 *   inbox_communes  the communes each SMS belongs to, for the console's
 *               commune filter: those its sender was an officer of (in the
 *               registry: table and configuration) when it was processed
 *               (store_inbox_commune_add()), and the commune of every
 *               report it became (a trigger on reports); one row per SMS
 *               and commune, in (commune, received, id) order
 *
 * Functions return 0 (or a documented positive value) on success and -1 on
 * failure, after logging what failed.  Times are Unix seconds.
 */
#ifndef TINBAO_STORE_H
#define TINBAO_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_SCHEMA_VERSION 15
#define STORE_READONLY 0x1 /* open an existing file read-only */

struct store;

struct store *store_open(const char *path, int flags);
void store_close(struct store *st); /* accepts NULL */
int store_schema_version(struct store *st);

/* 1 when a write failed since the last call because the file could not be
 * written (disk full, I/O error, read-only, cannot open), then clears it. */
int store_disk_error(struct store *st);
/* 1 once a statement found the file damaged (SQLITE_CORRUPT, SQLITE_NOTADB,
 * also their extended codes); it stays set: retrying cannot mend the file,
 * only a restored copy can. */
int store_damaged(const struct store *st);
/* PRAGMA quick_check on the database file at path (a copy), through a
 * read-only connection of its own: 0 when it is sound, -1 (logged) when it
 * is damaged or cannot be read. */
int store_check_file(const char *path);
/* When the handle is stuck read-only (the file was not writable when it was
 * opened), opens the file again and swaps the new handle in: 1 when it did,
 * 0 when the handle was not read-only, -1 when it is still not writable (the
 * old handle is kept). */
int store_reopen(struct store *st);

/* An online copy of the database into a new file (sqlite3_backup_*), made in
 * steps; the writes made through st between steps are carried into the copy.
 * store_copy_step() copies up to pages pages (-1: all) and returns 1 when the
 * copy is complete, 0 when there is more, -1 on error.  store_copy_finish()
 * closes the copy (also an unfinished one, which is then unusable) and
 * returns 0, or -1 when the copy failed.  The copy is written without
 * fsync: the caller syncs the complete file. */
struct store_copy;
struct store_copy *store_copy_start(struct store *st, const char *dest);
int store_copy_step(struct store_copy *c, int pages);
int store_copy_finish(struct store_copy *c); /* accepts NULL */

/* Transactions (BEGIN IMMEDIATE / COMMIT / ROLLBACK). */
int store_begin(struct store *st);
int store_commit(struct store *st);
int store_rollback(struct store *st);

/* An SMS as it came off the phone (whole, or already joined). */
struct store_sms {
	const char *sender;
	int64_t smsc_time;
	int64_t received;
	const char *text;   /* UTF-8 */
	const char *coding; /* "gsm7", "ucs2", "8bit" */
	int parts;
	const char *fingerprint;
	const char *modem;   /* the modem's configured name, or NULL */
	const char *missing; /* incomplete message: its missing parts ("2/3"), else NULL */
};

/* Adds an SMS in state "new".  Returns 1 and sets *id when it was added, 0
 * and sets *id to the existing row when the fingerprint is already known (the
 * same SMS read twice, or the same text sent twice in one SMSC second: the
 * row's copies is raised), -1 on error. */
int store_inbox_add(struct store *st, const struct store_sms *sms, int64_t *id);

/* One part of a concatenated SMS. */
struct store_part {
	const char *sender;
	int concat_ref; /* reference number from the UDH */
	int part_no;	/* 1-based */
	int part_count;
	int64_t smsc_time;
	int64_t received;
	const char *text;
	const char *coding;
	const char *fingerprint; /* of this part */
	const char *modem;	 /* the modem's configured name, or NULL */
};

/* Keeps a part.  When it completes its message (same sender, reference and
 * part count, all numbers present), the parts are joined in order into one
 * inbox row (fingerprint: the first part's, suffixed "/m"), returning 1 with
 * *id set.  Returns 0 while parts are missing or when the part was already
 * known (its copies raised), -1 on error.  A part whose number the waiting
 * parts of its set already have is of a new message: the waiting ones are
 * first joined as an incomplete message (fingerprint suffixed "/p"), so that
 * no part is ever left out.  Call inside a transaction. */
int store_part_add(struct store *st, const struct store_part *part, int64_t *id);

/*
 * Gives up waiting for the missing parts of one message: a set whose first
 * part was received at or before `before`, or a set of parts that arrived
 * after their message was already processed incomplete (received after
 * `late_since`).  Its parts are joined in part order, each missing part
 * marked " … ", into one inbox row with `missing` set ("2/3", "1,3/4");
 * fingerprint: the first present part's, suffixed "/p".  Returns 1 with *id
 * set, 0 when no set is due, -1 on error.  Call inside a transaction, until
 * it returns 0.
 */
int store_parts_expire(struct store *st, int64_t before, int64_t late_since, int64_t *id);

/* An inbox row read back for processing. */
struct store_inmsg {
	int64_t id;
	char sender[32];
	int64_t smsc_time;
	int64_t received;
	char *text;	  /* owned; released by store_inmsg_clear */
	char missing[32]; /* "" or, for an incomplete message, its missing parts */
	char modem[32];	  /* the modem it came in on, or "" */
	char coding[8];	  /* "gsm7", "ucs2", "8bit" (data, kept as hex), or "" */
};

/* Records that the row key of another program's database (source, e.g.
 * "gammu-smsd") was taken over, inside the caller's transaction: 1 when it
 * was not yet, 0 when it was already (an import run again), -1. */
int store_import_mark(struct store *st, const char *source, const char *key, int64_t at);

/*
 * gammu-smsd's database (its SQL service on the sqlite3 backend, the schema
 * of gammu 1.42, table `gammu` version 17 or earlier down to 14): its inbox
 * row by row, oldest first.  Strings are valid until the callback returns.
 */
struct store_smsd_sms {
	int64_t id;	     /* inbox.ID */
	const char *sender;  /* SenderNumber */
	const char *when;    /* ReceivingDateTime, "YYYY-MM-DD HH:MM:SS", local time */
	const char *coding;  /* "Default_No_Compression", "Unicode_No_Compression", "8bit"... */
	const char *udh;     /* UDH in hex, "" when none */
	const char *decoded; /* TextDecoded: UTF-8, "" when gammu-smsd left it empty */
	const char *hex;     /* Text: UCS-2 big-endian in hex, the bytes for 8-bit data */
};
/* Opens path read-only and calls cb for every inbox row; stops when cb
 * returns non-zero.  0; -1 with the reason in why (a file that is not such
 * a database, an unreadable one). */
int store_smsd_foreach(const char *path, int (*cb)(void *arg, const struct store_smsd_sms *sms),
		       void *arg, char *why, size_t whysz);

/* Finds the first row in state "new" with id > after.  Returns 1 when one was
 * found, 0 when there is none, -1 on error. */
int store_inbox_next_new(struct store *st, int64_t after, struct store_inmsg *msg);
void store_inmsg_clear(struct store_inmsg *msg);
/* state: "accepted" or "rejected"; error: an error code or NULL. */
int store_inbox_set_state(struct store *st, int64_t id, const char *state, const char *error);
/* Records that inbox row id belongs to the commune with that code: one its
 * sender is an officer of (the pipeline, for every SMS it processes; the
 * reports' communes are recorded with the reports).  Recorded already:
 * nothing changes.  0 or -1. */
int store_inbox_commune_add(struct store *st, int64_t id, const char *code);

struct store_report {
	int64_t inbox_id;
	const char *kind; /* parser_kind_name() */
	const char *commune_code;
	const char *commune;
	const char *trade_code; /* NULL for labour */
	const char *trade;
	long count;
	long trained; /* labour only */
	int year;
	int half; /* 1 or 2 */
	const char *sender;
	int64_t created;
};

/* Adds a report; *ref receives its id (the reference number). */
int store_report_add(struct store *st, const struct store_report *r, int64_t *ref);

/* A stored report read back (for `tinbao reports`). */
struct store_report_row {
	int64_t ref;
	int64_t inbox_id;
	char kind[16];
	char commune_code[16];
	char commune[96];
	char trade_code[16];
	char trade[160];
	long count;
	long trained;
	int year;
	int half;
	char sender[32];
	int64_t created;
	int cancelled;
};

/* Calls cb for every report in reference order; stops early when cb returns
 * non-zero.  Returns 0, or -1 on error. */
int store_reports_foreach(struct store *st, int (*cb)(void *arg, const struct store_report_row *r),
			  void *arg);

/* Sums of counts of non-cancelled reports for a year, for one commune (code)
 * or the whole district (NULL). */
struct store_totals {
	long enrol, grad, job, need;
	long labour, trained; /* from the latest LABOUR report per commune */
	long reports;
};
int store_totals(struct store *st, const char *commune_code, int year, struct store_totals *t);

/* Outgoing SMS. */
int store_outbox_add(struct store *st, const char *to, const char *text, const char *reason,
		     int64_t inbox_id, int64_t *id);

struct store_outmsg {
	int64_t id;
	char to[32];
	char *text; /* owned; released by store_outmsg_clear */
	int attempts;
	char reason[16]; /* "reply", "digest", "reminder", "district" */
};

/* Finds the first "queued" message with id > after.  1 found, 0 none, -1. */
int store_outbox_next(struct store *st, int64_t after, struct store_outmsg *msg);
void store_outmsg_clear(struct store_outmsg *msg);
/* Records an attempt: state "queued" (will be retried), "sent" or "failed";
 * attempts is incremented, error may be NULL. */
int store_outbox_set_state(struct store *st, int64_t id, const char *state, const char *error);

/* Push events (the push sends them): type such as "report.created", payload a
 * JSON object. */
int store_push_add(struct store *st, const char *type, int64_t at, const char *payload);

/*
 * The push to the district server (gateway/push/push.c).
 */

/* A pending event, as store_push_pending() gives it. */
struct store_push_row {
	int64_t id; /* the sequence number */
	const char *type;
	int64_t at;
	/* {"id":"<gateway>:<id>","type":...,"at":"<RFC 3339 +07:00>","data":{payload}},
	 * or NULL when the stored payload is not valid JSON. */
	const char *event;
	/* For report.* events, the report (looked up by the payload's "ref"):
	 * its kind, commune and trade codes, and the month "YYYYMM" of its
	 * SMS in Vietnam; NULL otherwise (trade_code also for labour). */
	const char *kind;
	const char *commune_code;
	const char *trade_code;
	const char *month;
};

/* Calls cb with the first `limit` pending events, oldest first; the row is
 * valid during the call only.  Stops early when cb returns non-zero.
 * Returns the number of rows given, or -1. */
int store_push_pending(struct store *st, const char *gateway, int limit,
		       int (*cb)(void *arg, const struct store_push_row *row), void *arg);
/* Marks pending events first..last as sent: those whose "<gateway>:<id>"
 * (prefix is "<gateway>:") is a string of the array "accepted" of the JSON
 * answer, or all of them when answer is NULL.  The answer must be valid
 * JSON.  Returns how many were marked, or -1. */
int store_push_accept(struct store *st, const char *prefix, int64_t first, int64_t last,
		      const char *answer, int64_t now);
/* Marks one pending event as sent, with a note (NULL for none; "not sent:
 * ..." when it had no place at the server).  1 done, 0 not pending, -1. */
int store_push_done(struct store *st, int64_t id, int64_t now, const char *note);
/* Parks a pending event with the server's answer.  1 done, 0 not pending, -1. */
int store_push_park(struct store *st, int64_t id, const char *answer);
/* Moves a parked event (id 0: every parked event) back to pending.
 * Returns how many moved, or -1. */
int store_push_retry(struct store *st, int64_t id);
/* Calls cb for every parked event in order; stops early when cb returns
 * non-zero.  0 or -1. */
int store_push_parked_foreach(struct store *st,
			      int (*cb)(void *arg, int64_t id, const char *type, int64_t at,
					const char *answer),
			      void *arg);

/* The retry schedule and last outcomes.  Times are Unix seconds, 0 for
 * never; last_error "" for none. */
struct store_push_state {
	int failures;	      /* consecutive failed attempts */
	int64_t next_attempt; /* not before this */
	int64_t last_attempt;
	int64_t last_success;
	char last_error[512];
	int64_t last_error_at;
	int64_t last_status; /* when the last gateway.status event was queued */
};
int store_push_state_get(struct store *st, struct store_push_state *ps);
int store_push_state_put(struct store *st, const struct store_push_state *ps);

struct store_push_stats {
	int64_t pending, parked, sent;
	int64_t oldest_pending; /* when the oldest pending event was queued, or 0 */
};
int store_push_stats(struct store *st, struct store_push_stats *ps);

/* An SMS the district asked for, by its id: queued in the outbox (reason
 * "district") the first time, ignored after.  1 queued, 0 seen before, -1.
 * Call inside a transaction. */
int store_push_outgoing_add(struct store *st, const char *server_id, const char *to,
			    const char *text, int64_t now);
/* One that cannot be sent (bad number...): remembered like the above, and
 * an sms.failed event with payload queued instead.  1, 0 or -1 likewise. */
int store_push_outgoing_refuse(struct store *st, const char *server_id, const char *payload,
			       int64_t now);
/* The value of a DHIS2 cell from the stored reports: the sum of count and
 * trained of the non-cancelled reports of kind, commune and trade (NULL for
 * labour) whose SMS is of month "YYYYMM" (Vietnam time); for labour, a
 * stock, the latest such report's.  0 or -1. */
int store_push_cell(struct store *st, const char *kind, const char *commune_code,
		    const char *trade_code, const char *month, long *count, long *trained);

/* JSON, read with SQLite's JSON1.  store_json_valid(): 1 valid, 0 not, -1
 * error.  store_json_get() looks up path ("$.status") in valid JSON: 1 with
 * the value's JSON type ("text", "integer", "array", "object", "null"...) in
 * type and its value in val (strings unquoted, arrays and objects as JSON,
 * cut to fit), 0 when there is no such value, -1 on error. */
int store_json_valid(struct store *st, const char *json);
int store_json_get(struct store *st, const char *json, const char *path, char *type, size_t typesz,
		   char *val, size_t valsz);

/* Counts rows of a table, optionally only those in a state ("new", "queued",
 * ...; NULL for all).  Returns the count or -1. */
int64_t store_count(struct store *st, const char *table, const char *state);

/*
 * Digests, reminders and the plan report.  Periods are a year and
 * a half (1 or 2), or the whole year with half 0.
 */

/* A period's reports of one commune, kind and trade, from report_sums. */
struct store_sum {
	const char *commune_code;
	const char *kind;
	const char *trade_code; /* NULL for labour */
	long reports;		/* reports not cancelled */
	long count, trained;	/* their sums */
	long cancelled;		/* cancelled reports, left out of the sums */
};

/* Calls cb for each commune, kind and trade with reports in the period, by
 * commune code, kind and trade code; the row is valid during the call only.
 * Stops early when cb returns non-zero.  0 or -1. */
int store_sums_foreach(struct store *st, int year, int half,
		       int (*cb)(void *arg, const struct store_sum *sum), void *arg);
/* The sum of the counts of a commune's reports of a kind in a year, not
 * cancelled (a confirmation's running total).  0 or -1. */
int store_commune_sum(struct store *st, const char *commune_code, const char *kind, int year,
		      long *count);
/* A commune's labour force at the end of a period: its latest LABOUR report
 * not cancelled of the year, up to that half (half 0: up to the year's end).
 * 1 found, 0 none (*labour and *trained 0), -1. */
int store_labour_latest(struct store *st, const char *commune_code, int year, int half,
			long *labour, long *trained);
/* When the commune's latest report (cancelled or not) was stored: 1 with
 * *at, 0 when it never reported, -1. */
int store_last_report(struct store *st, const char *commune_code, int64_t *at);
/* Reports not cancelled stored in (after, until], per kind: cb gets the kind,
 * the number of reports and the sum of their counts.  0 or -1. */
int store_reports_since(struct store *st, int64_t after, int64_t until,
			int (*cb)(void *arg, const char *kind, long reports, long count),
			void *arg);

/* The last digest: when it was sent and the scheduled time it was for (0
 * and 0 when none was ever sent).  0 or -1. */
int store_digest_last(struct store *st, int64_t *at, int64_t *slot);
int store_digest_add(struct store *st, int64_t at, int64_t slot, int recipients, const char *text);
/* Scheduled SMS (digests and reminders) counted for a recipient (key: one
 * form of its number) on a day ("YYYY-MM-DD", Vietnam), or -1. */
int store_scheduled_count(struct store *st, const char *key, const char *day);
/* Queues a scheduled SMS to `to` in the outbox (reason "digest" or
 * "reminder") and counts it for key and day; *outbox_id (or NULL) gets its
 * id. */
int store_scheduled_add(struct store *st, const char *to, const char *key, const char *day,
			const char *reason, const char *text, int64_t at, int64_t *outbox_id);
/* Whether the reminder of date ("YYYY-MM-DD") went to recipient for the
 * commune: 1 yes, 0 no, -1. */
int store_reminder_seen(struct store *st, const char *date, const char *commune_code,
			const char *recipient);
/* Records it (once: a second time is an error). */
int store_reminder_add(struct store *st, const char *date, const char *commune_code,
		       const char *recipient, int64_t outbox_id, int64_t at);
/* Calls cb once for each commune reminded in (after, until], by code. */
int store_reminded_foreach(struct store *st, int64_t after, int64_t until,
			   int (*cb)(void *arg, const char *commune_code), void *arg);

/*
 * Classes and cancellations (schema 4).
 */

/* Records the class a stored report came from. */
int store_report_set_class(struct store *st, int64_t ref, const char *class_code);

/* Cancels sender's report ref (0: the sender's last one) that is not yet
 * cancelled: the row is marked, never deleted.  Returns 1 with *row filled,
 * 0 when the sender has no such report (another sender's counts as none),
 * -1 on error. */
int store_report_cancel(struct store *st, const char *sender, int64_t ref,
			struct store_report_row *row);

struct store_class {
	const char *key;  /* parser_class_key(): "HL2205" */
	const char *code; /* as typed first: "HL22-05" */
	const char *commune_code;
	const char *trade_code;
	long planned;
	const char *opened_by;
	int64_t opened_at;
};

struct store_class_row {
	char commune_code[16];
	char trade_code[16];
	int open;
};

/* Registers a class.  1 when added, 0 when the key is already known. */
int store_class_open(struct store *st, const struct store_class *c);
/* Closes an open class.  1 when closed, 0 when unknown or already closed. */
int store_class_close(struct store *st, const char *key, int64_t at);
/* Looks a class up.  1 found (*c filled), 0 unknown, -1 on error. */
int store_class_find(struct store *st, const char *key, struct store_class_row *c);

/* Alerts to the admins (gateway/outbound/alert.h).  store_alert_get: 1 when alert key
 * is active (*since, or NULL, gets when it was raised), 0 when not, -1 on
 * error.  store_alert_set: marks it active (1) or cleared (0) at now; text,
 * when not NULL, replaces the stored text. */
int store_alert_get(struct store *st, const char *key, int64_t *since);
int store_alert_set(struct store *st, const char *key, int active, const char *text, int64_t now);

/* The modem's health (gateway/sim/health.h): one reading of signal and network
 * registration.  signal_pct -1, dbm 0, ber -1 and operator "" mean unknown. */
struct store_reading {
	const char *modem; /* the modem's name */
	int64_t at;
	int signal_pct;
	int dbm;
	int ber;
	const char *reg; /* "home", "roaming", "searching", "denied", "none", "unknown" */
	const char *operator;
};

struct store_reading_row {
	int64_t at;
	int signal_pct, dbm, ber;
	char reg[16];
	char operator[32];
};

/* Adds a reading, and forgets the modem's readings older than keep_from
 * (its latest is always kept). */
int store_reading_add(struct store *st, const struct store_reading *r, int64_t keep_from);
/* The modem's latest reading: 1 (*r filled), 0 none, -1 on error. */
int store_reading_last(struct store *st, const char *modem, struct store_reading_row *r);
/* lost = 1: the network went away at `at` (no-op while an outage is open);
 * lost = 0: it came back at `at` (closes the open outage, if any). */
int store_outage_set(struct store *st, const char *modem, int lost, int64_t at);
/* The daemon's view of a modem's connection: connected or not, since when
 * (Unix time the daemon saw it change, or started).  set: 0 or -1.  get: 1
 * found, 0 never recorded, -1. */
int store_modem_link_set(struct store *st, const char *modem, int connected, int64_t at);
int store_modem_link_get(struct store *st, const char *modem, int *connected, int64_t *since);
/* The modem's latest outage: 1 (*back_at 0 while it lasts), 0 none, -1. */
int store_outage_last(struct store *st, const char *modem, int64_t *lost_at, int64_t *back_at);

/* One USSD exchange (gateway/sim/ussd.h).  code never holds a secret: a top-up
 * code is stored with its PIN masked. */
struct store_ussd {
	const char *modem;
	int64_t at;
	const char *purpose; /* "balance", "manual", "topup" */
	const char *code;
	const char *answer; /* UTF-8, or NULL when none came */
	int has_amount;	    /* 1: amount is the balance read from the answer */
	int64_t amount;
	const char *status; /* "ok", "unreadable", "refused", "no_answer", "error";
			     * "requested", "expired": see store_ussd_request */
};

struct store_ussd_row {
	int64_t at;
	char code[64];
	char answer[800];
	int has_amount;
	int64_t amount;
	char status[16];
};

int store_ussd_add(struct store *st, const struct store_ussd *u);
/* The modem's latest exchange for purpose (with_amount: only those with an
 * amount): 1 (*r filled), 0 none, -1 on error. */
int store_ussd_last(struct store *st, const char *modem, const char *purpose, int with_amount,
		    struct store_ussd_row *r);
/* `tinbao ussd` while the gateway runs.  store_ussd_request: adds a manual
 * row in status "requested" (the code must hold no secret), *id its id.
 * store_ussd_next_request: the oldest request made since `since`: 1 (*id,
 * code), 0 none, -1.  store_ussd_answer: sets the answer (or NULL) and the
 * status; only_requested: only while it is still "requested"; returns the
 * number of rows changed (0 or 1), or -1.  store_ussd_get: 1 with the
 * status and answer, 0 unknown id, -1. */
int store_ussd_request(struct store *st, const char *modem, const char *code, int64_t now,
		       int64_t *id);
int store_ussd_next_request(struct store *st, const char *modem, int64_t since, int64_t *id,
			    char *code, size_t codesz);
int store_ussd_answer(struct store *st, int64_t id, const char *answer, const char *status,
		      int only_requested);
int store_ussd_get(struct store *st, int64_t id, char *status, size_t statussz, char *answer,
		   size_t answersz);
/*
 * The sending path (schema 6, gateway/outbound/outbox.h).  Every attempt to send one
 * part of an outbox message is a row of outbox_parts, committed before the
 * part goes to the modem; its outcome is recorded after.
 */

/* A queued message due for an attempt. */
struct store_outdue {
	int64_t id;
	char to[32];
	char *text; /* owned; released by store_outdue_clear */
	int attempts;
	int parts;	 /* 0 until the first attempt encoded it */
	int concat_ref;	 /* -1 until then */
	int parts_sent;	 /* parts already sent (they are never sent again) */
	char reason[16]; /* "reply", "digest", "alert"... */
};

/* The first queued message with id > after whose next attempt is due at
 * now.  1 found, 0 none, -1. */
int store_outbox_due(struct store *st, int64_t after, int64_t now, struct store_outdue *m);
void store_outdue_clear(struct store_outdue *m);
/* When the earliest queued message is due: 1 with *at, 0 when none is
 * queued, -1. */
int store_outbox_next_due(struct store *st, int64_t *at);
/* Records how a queued message was split (kept for a resumed attempt) and
 * whether a delivery report was requested. */
int store_outbox_set_parts(struct store *st, int64_t id, int parts, int concat_ref, int report);
/* One more failed attempt of a queued message: due again at next_attempt. */
int store_outbox_retry(struct store *st, int64_t id, int64_t next_attempt, const char *error,
		       int64_t now);
/* The marker: part part_no (1-based) of message id goes to modem now.
 * *part_id gets the attempt's row.  Fails when the part was already sent
 * or is in flight (a unique index). */
int store_outbox_part_mark(struct store *st, int64_t id, int part_no, const char *modem,
			   int64_t now, int64_t *part_id);
/* The outcome of an attempt: state "sent" (mr the message reference, -1
 * when the modem gave none), "refused" or "unknown"; error may be NULL. */
int store_outbox_part_outcome(struct store *st, int64_t part_id, const char *state, int mr,
			      const char *error, int64_t now);
/* Parts the modem was given since `since`: *count, and *oldest the time of
 * the oldest of them (0 when none). */
int store_outbox_rate(struct store *st, const char *modem, int64_t since, int64_t *count,
		      int64_t *oldest);
/* After a restart: every part left "sending" becomes "unknown" and its
 * message "sent" with error "unconfirmed" (never sent again).  Returns how
 * many messages, or -1. */
int store_outbox_recover(struct store *st, int64_t now);

/* An SMS-STATUS-REPORT received from modem: stored (once per fingerprint)
 * and matched by message reference, recipient and time (a part sent since
 * `since`).  status: 0 delivered, 1..63 still trying (kept, no outcome),
 * 64 and up failed.  Returns 1 when it matched a part, 0 when not, -1. */
struct store_status_report {
	const char *modem;
	const char *recipient;
	int mr;
	int status;
	int64_t smsc_time;
	int64_t received;
	const char *fingerprint;
};
int store_status_report_add(struct store *st, const struct store_status_report *r, int64_t since);

struct store_outbox_stats {
	int64_t queued, sent, failed, unconfirmed, delivered, undelivered;
};
int store_outbox_stats(struct store *st, struct store_outbox_stats *s);
/* Calls cb with each modem and the parts it was given since `since`. */
int store_outbox_rates_foreach(struct store *st, int64_t since,
			       int (*cb)(void *arg, const char *modem, int64_t parts), void *arg);

/*
 * Senders, quarantine and limits.
 */

/* A registered number (+84 form), its role ("officer", "class", "district",
 * "admin") and the commune code it reports for ("" for none). */
struct store_sender {
	char number[24];
	char name[96];
	char role[16];
	char commune_code[16];
	int active;
};

/* Adds or replaces a sender.  0 or -1. */
int store_sender_put(struct store *st, const struct store_sender *snd, int64_t now);
/* Looks a number up (active or not): 1 found, 0 unknown, -1. */
int store_sender_get(struct store *st, const char *number, struct store_sender *snd);
/* Marks an active sender inactive: 1 done, 0 no such active sender, -1. */
int store_sender_remove(struct store *st, const char *number, int64_t now);
/* Active senders with the role class, district or admin; or -1. */
int64_t store_sender_managers(struct store *st);
/* Calls cb for every sender by number; stops when cb returns non-zero. */
int store_senders_foreach(struct store *st, int (*cb)(void *arg, const struct store_sender *snd),
			  void *arg);

/* An inbox row with its state and error ("" for none). */
struct store_held {
	struct store_inmsg msg; /* msg.text owned: store_inmsg_clear */
	char state[16];
	char error[32];
};

/* One inbox row by id: 1 found, 0 none, -1. */
int store_inbox_get(struct store *st, int64_t id, struct store_held *h);
/* Calls cb for each rejected row with that error (NULL: any) received at or
 * after since, by id; the row is valid during the call only.  0 or -1. */
int store_inbox_held_foreach(struct store *st, const char *error, int64_t since,
			     int (*cb)(void *arg, const struct store_held *h), void *arg);
/* How many rejected rows have that error, and from how many senders. */
int store_inbox_held_count(struct store *st, const char *error, int64_t *messages,
			   int64_t *senders);
/* The sender's inbox rows received at or after since with an id below
 * before_id, all or (text not NULL) those with that exact text; or -1. */
int64_t store_inbox_recent(struct store *st, const char *sender, const char *text, int64_t since,
			   int64_t before_id);
/* Replies queued to recipient at or after since; or -1. */
int64_t store_replies_recent(struct store *st, const char *recipient, int64_t since);
/* Of those, the ones whose text starts with prefix; or -1. */
int64_t store_replies_starting(struct store *st, const char *recipient, const char *prefix,
			       int64_t since);
/* Outgoing SMS of exactly this text queued at or after since; or -1. */
int64_t store_outbox_text_seen(struct store *st, const char *text, int64_t since);
/* The SMS sent on a day ("YYYY-MM-DD", Vietnam), or -1; and one more. */
int64_t store_sent_count(struct store *st, const char *day);
int store_sent_add(struct store *st, const char *day);

/* The web console (gateway/web/): users, the audit, the pages' reads -------- */

#define STORE_WEB_NAME_MAX 64
#define STORE_WEB_HASH_MAX 160

struct store_web_user {
	char name[STORE_WEB_NAME_MAX];
	char role[16]; /* "viewer" or "admin" */
	char hash[STORE_WEB_HASH_MAX];
	int64_t created;
};

/* Adds a user, or gives an existing one (removed or not) this role and
 * hash.  0 or -1. */
int store_web_user_put(struct store *st, const char *name, const char *role, const char *hash,
		       int64_t now);
/* An active user by name: 1 found, 0 none, -1. */
int store_web_user_get(struct store *st, const char *name, struct store_web_user *u);
/* Marks an active user removed: 1 done, 0 no such user, -1. */
int store_web_user_remove(struct store *st, const char *name);
/* Calls cb for every active user by name (hash left empty); stops when cb
 * returns non-zero.  0 or -1. */
int store_web_users_foreach(struct store *st, int (*cb)(void *arg, const struct store_web_user *u),
			    void *arg);

/* Records a change made through the console: who, what, on which page. */
int store_audit_add(struct store *st, const char *who, const char *page, const char *what,
		    int64_t now);
struct store_audit_row {
	int64_t at;
	const char *who, *what;
};
/* The latest limit changes recorded for page, newest first; the row is
 * valid during the call only.  0 or -1. */
int store_audit_foreach(struct store *st, const char *page, int limit,
			int (*cb)(void *arg, const struct store_audit_row *a), void *arg);

/* Which inbox rows a page lists: each filter NULL (or 0) for any. */
struct store_msg_filter {
	const char *number;  /* the sender, normalised */
	const char *commune; /* a code: a commune the SMS belongs to (inbox_communes) */
	const char *state;   /* "new", "accepted" or "rejected" */
	int64_t from, to;    /* received in [from, to) (to 0: no end) */
	int64_t before_id;   /* paging: the rows after this one (0: from the newest) */
	int limit;
};
struct store_msg_row {
	int64_t id;
	int64_t at;   /* when received: the order of the rows */
	int64_t sent; /* the SMSC time, or 0 */
	const char *sender, *text, *state, *error;
	const char *became;  /* "enrol 12 #34, grad 3 #35" or "" */
	const char *commune; /* the registered sender's commune, or "" */
};
/* The inbox rows that pass f, the last received first and, received in
 * the same second, the highest id first: whatever order the rows were
 * stored in, the next page (before_id: the last row of this one) neither
 * repeats nor skips one, and an SMS of a commune for two reasons is listed
 * once.  Each valid during the call only; stops when cb returns non-zero.
 * 0 or -1. */
int store_messages_foreach(struct store *st, const struct store_msg_filter *f,
			   int (*cb)(void *arg, const struct store_msg_row *m), void *arg);
struct store_reply_row {
	int64_t id, created;
	const char *recipient, *text, *reason, *state;
	const char *delivery; /* "delivered", "failed" or "" (no report yet) */
};
/* The active alerts (key, text, since), oldest first; the strings are valid
 * during the call only.  0 or -1. */
int store_alerts_active_foreach(struct store *st,
				int (*cb)(void *arg, const char *key, const char *text,
					  int64_t since),
				void *arg);
/* The SMS queued in answer to inbox row inbox_id, oldest first.  0 or -1. */
int store_replies_foreach(struct store *st, int64_t inbox_id,
			  int (*cb)(void *arg, const struct store_reply_row *r), void *arg);

#endif
