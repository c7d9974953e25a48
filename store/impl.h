/*
 * impl.h - what the files of the store share; the store's contract is
 * store.h.
 *
 * The files go by table family:
 *   db.c       opening (checks, pragmas, migration), closing, copies,
 *              transactions, disk errors and damage, row counts
 *   schema.c   the migration steps: every table's definition
 *   sql.c      the SQL of every statement, by id
 *   stmt.c     the statement cache; bind, run, step and read helpers
 *   inbox.c    inbox, imports
 *   parts.c    inbox_parts
 *   reports.c  reports, report_sums, classes
 *   outbox.c   outbox, outbox_parts, status_reports, sent_days
 *   pushq.c    push_queue, push_state, push_outgoing
 *   digest.c   digests, scheduled_sms, reminders
 *   modem.c    modem_readings, network_outages, modem_links, ussd, alerts
 *   senders.c  senders
 *   web.c      web_users, audit, and the web console's reads
 *   json.c     JSON read through SQLite's JSON1
 *   smsd.c     gammu-smsd's database (its own statements)
 */
#ifndef TINBAO_STORE_IMPL_H
#define TINBAO_STORE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

enum stmt {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_SAVEPOINT,
	S_RELEASE,
	S_ROLLBACK_TO,
	S_INBOX_ADD,
	S_INBOX_COPY,
	S_INBOX_NEXT_NEW,
	S_IMPORT_MARK,
	S_LINK_SET,
	S_LINK_GET,
	S_INBOX_SET_STATE,
	S_INBOX_COMMUNE_ADD,
	S_PART_ADD,
	S_PART_COPY,
	S_PART_CLASH,
	S_PART_COUNT,
	S_PART_LIST,
	S_PART_JOIN,
	S_PART_EXPIRED,
	S_REPORT_ADD,
	S_REPORT_ALL,
	S_TOTALS,
	S_TOTALS_LABOUR,
	S_OUTBOX_ADD,
	S_OUTBOX_NEXT,
	S_OUTBOX_SET_STATE,
	S_PUSH_ADD,
	S_PUSH_PENDING,
	S_PUSH_ACCEPT,
	S_PUSH_DONE,
	S_PUSH_PARK,
	S_PUSH_RETRY,
	S_PUSH_RETRY_ALL,
	S_PUSH_PARKED,
	S_PUSH_STATE_GET,
	S_PUSH_STATE_PUT,
	S_PUSH_STATS,
	S_PUSH_SEEN,
	S_PUSH_SEEN_LINK,
	S_PUSH_CELL_SUM,
	S_PUSH_CELL_LATEST,
	S_JSON_VALID,
	S_JSON_GET,
	S_COUNT_INBOX,
	S_COUNT_INBOX_STATE,
	S_COUNT_PARTS,
	S_COUNT_PARTS_STATE,
	S_COUNT_REPORTS,
	S_COUNT_REPORTS_STATE,
	S_COUNT_OUTBOX,
	S_COUNT_OUTBOX_STATE,
	S_COUNT_PUSH,
	S_COUNT_PUSH_STATE,
	S_SUMS,
	S_COMMUNE_SUM,
	S_LABOUR_LATEST,
	S_LAST_REPORT,
	S_SINCE,
	S_DIGEST_LAST,
	S_DIGEST_ADD,
	S_SCHED_COUNT,
	S_SCHED_ADD,
	S_REMINDER_SEEN,
	S_REMINDER_ADD,
	S_REMINDED,
	S_REPORT_CLASS,
	S_REPORT_LAST,
	S_REPORT_CANCEL,
	S_CLASS_OPEN,
	S_CLASS_CLOSE,
	S_CLASS_FIND,
	S_ALERT_GET,
	S_ALERT_SET,
	S_READING_ADD,
	S_READING_PRUNE,
	S_READING_LAST,
	S_OUTAGE_OPEN,
	S_OUTAGE_CLOSE,
	S_OUTAGE_LAST,
	S_USSD_ADD,
	S_USSD_LAST,
	S_USSD_REQUEST,
	S_USSD_NEXT_REQUEST,
	S_USSD_ANSWER,
	S_USSD_GET,
	S_OUTBOX_DUE,
	S_OUTBOX_NEXT_DUE,
	S_OUTBOX_SET_PARTS,
	S_OUTBOX_RETRY,
	S_OPART_MARK,
	S_OPART_OUTCOME,
	S_OPART_RATE,
	S_OUTBOX_UNCONFIRM,
	S_OPART_UNKNOWN,
	S_SREPORT_ADD,
	S_SREPORT_MATCH,
	S_SREPORT_LINK,
	S_OPART_REPORT,
	S_OUTBOX_DELIVERY,
	S_OUTBOX_STATS,
	S_OPART_RATES,
	S_SENDER_PUT,
	S_SENDER_GET,
	S_SENDER_REMOVE,
	S_SENDER_ALL,
	S_SENDER_MANAGERS,
	S_INBOX_GET,
	S_INBOX_HELD,
	S_INBOX_HELD_ERROR,
	S_INBOX_HELD_COUNT,
	S_INBOX_RECENT,
	S_REPLIES_RECENT,
	S_REPLIES_STARTING,
	S_OUR_TEXT,
	S_SENT_COUNT,
	S_SENT_ADD,
	S_WEB_USER_PUT,
	S_WEB_USER_GET,
	S_WEB_USER_REMOVE,
	S_WEB_USER_ALL,
	S_AUDIT_ADD,
	S_AUDIT_PAGE,
	S_WEB_MESSAGES,
	S_WEB_STATE_MESSAGES,
	S_WEB_NUMBER_MESSAGES,
	S_WEB_COMMUNE_MESSAGES,
	S_INBOX_RECEIVED,
	S_WEB_REPLIES,
	S_ALERTS_ACTIVE,
	S_NSTMTS
};

struct stmt_def {
	const char *what; /* for log messages */
	const char *sql;
};

extern const struct stmt_def stmt_defs[S_NSTMTS];

struct store {
	sqlite3 *db;
	char *path;
	int version;
	int disk_error;		      /* a write failed for lack of space or permission */
	int damaged;		      /* a statement found the file malformed: never cleared */
	sqlite3_stmt *stmt[S_NSTMTS]; /* NULL until first used */
	struct store *next_open;      /* the process's open stores (db.c) */
};

/* schema.c: the SQL that takes a database from version to version + 1, or
 * NULL when there is no such step. */
const char *schema_step(int version);

/* db.c */
void note_error(struct store *st);
void warn_db(struct store *st, const char *what);

/* stmt.c */
int stmt_check_all(struct store *st);
void stmt_finalize_all(struct store *st);
sqlite3_stmt *stmt_get(struct store *st, enum stmt id);
void stmt_put(struct store *st, enum stmt id);
sqlite3_stmt *walk_start(struct store *st, enum stmt id);
int walk_rows(struct store *st, enum stmt id, int bound, int (*row)(void *ctx, sqlite3_stmt *s),
	      void *ctx);
int stmt_step(struct store *st, enum stmt id);
int stmt_run(struct store *st, enum stmt id);
int bind_text(struct store *st, enum stmt id, int i, const char *v);
int bind_int(struct store *st, enum stmt id, int i, int64_t v);
int bind_ref(struct store *st, enum stmt id, int i, int64_t v);
/* A text column as SQLite holds it until the next step, "" for NULL. */
const char *column_text(sqlite3_stmt *s, int col);
int column_copy(sqlite3_stmt *s, int col, char *dst, size_t dstsz);
char *column_dup(struct store *st, sqlite3_stmt *s, int col);
int stmt_exec(struct store *st, enum stmt id, int bound);
int stmt_exec_int_text(struct store *st, enum stmt id, int64_t a, const char *b);
int stmt_done(struct store *st, enum stmt id, int bound);
int stmt_row(struct store *st, enum stmt id, int bound);
int64_t count_of(struct store *st, enum stmt id, int bound);

#endif
