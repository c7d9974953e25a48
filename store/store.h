/*
 * store.h - tinbao's SQLite database.
 *
 * One file in WAL mode with a busy timeout; the schema is versioned by
 * PRAGMA user_version and migrated forward on open; every statement is
 * prepared once, with bound parameters.  Nothing is ever deleted: rows change
 * state.
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
 *   push_queue  events waiting to be pushed to the district server
 *
 * Functions return 0 (or a documented positive value) on success and -1 on
 * failure, after logging what failed.  Times are Unix seconds.
 */
#ifndef TINBAO_STORE_H
#define TINBAO_STORE_H

#include <stdint.h>

#define STORE_SCHEMA_VERSION 1
#define STORE_READONLY 0x1	/* open an existing file read-only */

struct store;

struct store *store_open(const char *path, int flags);
void store_close(struct store *st); /* accepts NULL */
int store_schema_version(struct store *st);

/* Transactions (BEGIN IMMEDIATE / COMMIT / ROLLBACK). */
int store_begin(struct store *st);
int store_commit(struct store *st);
int store_rollback(struct store *st);

/* An SMS as it came off the phone (whole, or already joined). */
struct store_sms {
	const char *sender;
	int64_t smsc_time;
	int64_t received;
	const char *text;	/* UTF-8 */
	const char *coding;	/* "gsm7", "ucs2", "8bit" */
	int parts;
	const char *fingerprint;
};

/* Adds an SMS in state "new".  Returns 1 and sets *id when it was added, 0
 * and sets *id to the existing row when the fingerprint is already known (the
 * same SMS read twice), -1 on error. */
int store_inbox_add(struct store *st, const struct store_sms *sms, int64_t *id);

/* One part of a concatenated SMS. */
struct store_part {
	const char *sender;
	int concat_ref;		/* reference number from the UDH */
	int part_no;		/* 1-based */
	int part_count;
	int64_t smsc_time;
	int64_t received;
	const char *text;
	const char *coding;
	const char *fingerprint; /* of this part */
};

/* Keeps a part.  When it completes its message (same sender, reference and
 * part count, all numbers present), the parts are joined in order into one
 * inbox row (fingerprint: the first part's, suffixed "/m"), returning 1 with
 * *id set.  Returns 0 while parts are missing or when the part was already
 * known, -1 on error.  Call inside a transaction. */
int store_part_add(struct store *st, const struct store_part *part, int64_t *id);

/* An inbox row read back for processing. */
struct store_inmsg {
	int64_t id;
	char sender[32];
	int64_t smsc_time;
	int64_t received;
	char *text;		/* owned; released by store_inmsg_clear */
};

/* Finds the first row in state "new" with id > after.  Returns 1 when one was
 * found, 0 when there is none, -1 on error. */
int store_inbox_next_new(struct store *st, int64_t after, struct store_inmsg *msg);
void store_inmsg_clear(struct store_inmsg *msg);
/* state: "accepted" or "rejected"; error: an error code or NULL. */
int store_inbox_set_state(struct store *st, int64_t id, const char *state, const char *error);

struct store_report {
	int64_t inbox_id;
	const char *kind;	/* parser_kind_name() */
	const char *commune_code;
	const char *commune;
	const char *trade_code;	/* NULL for labour */
	const char *trade;
	long count;
	long trained;		/* labour only */
	int year;
	int half;		/* 1 or 2 */
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
	long labour, trained;	/* from the latest LABOUR report per commune */
	long reports;
};
int store_totals(struct store *st, const char *commune_code, int year, struct store_totals *t);

/* Outgoing SMS. */
int store_outbox_add(struct store *st, const char *to, const char *text, const char *reason,
		     int64_t inbox_id, int64_t *id);

struct store_outmsg {
	int64_t id;
	char to[32];
	char *text;		/* owned; released by store_outmsg_clear */
	int attempts;
};

/* Finds the first "queued" message with id > after.  1 found, 0 none, -1. */
int store_outbox_next(struct store *st, int64_t after, struct store_outmsg *msg);
void store_outmsg_clear(struct store_outmsg *msg);
/* Records an attempt: state "queued" (will be retried), "sent" or "failed";
 * attempts is incremented, error may be NULL. */
int store_outbox_set_state(struct store *st, int64_t id, const char *state, const char *error);

/* Push events (issue 4 sends them): type such as "report.created", payload a
 * JSON object. */
int store_push_add(struct store *st, const char *type, int64_t at, const char *payload);

/* Counts rows of a table, optionally only those in a state ("new", "queued",
 * ...; NULL for all).  Returns the count or -1. */
int64_t store_count(struct store *st, const char *table, const char *state);

#endif
