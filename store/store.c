/*
 * store.c - see store.h.
 *
 * Every statement is prepared once in store_open() from the table below and
 * reused: take it with stmt_get() (reset, bindings cleared), bind, step, and
 * give it back with stmt_put() so that no read transaction stays open (an
 * unfinished SELECT would hold back WAL checkpoints).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "phone.h"
#include "store.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#define BUSY_TIMEOUT_MS 5000

/*
 * Adds (sign "+") or takes away (sign "-") report r (NEW or OLD) in
 * report_sums: a cancelled report counts as cancelled, not in the sums.
 */
#define SUMS_ADD(r, sign)                                                                          \
	" INSERT INTO report_sums VALUES (" r ".year, " r ".half, " r ".commune_code, " r          \
	".kind, coalesce(" r ".trade_code, ''), " sign "(" r ".cancelled = 0), " sign "(CASE " r   \
	".cancelled WHEN 0 THEN " r ".count ELSE 0 END), " sign "(CASE " r                         \
	".cancelled WHEN 0 THEN " r ".trained ELSE 0 END), " sign "(" r ".cancelled <> 0))"        \
	" ON CONFLICT(year, half, commune_code, kind, trade_code) DO UPDATE SET"                   \
	" reports = reports + excluded.reports, count = count + excluded.count,"                   \
	" trained = trained + excluded.trained, cancelled = cancelled + excluded.cancelled; "

/*
 * Schema migrations: migrations[v] takes a database from version v to v + 1
 * and must end by setting user_version to v + 1.  Each step runs in its own
 * transaction together with that version change, so a crash leaves either
 * the old or the new schema, never half of one.  Never edit a released step:
 * add a new one and raise STORE_SCHEMA_VERSION.
 *
 * reports and push_queue use AUTOINCREMENT: their ids are reference numbers
 * given to officers and sequence numbers the district server sees, which
 * must never be handed out twice, even if a row were removed by hand.
 */
static const char *const migrations[] = {
    /* 0 -> 1: everything. */
    "CREATE TABLE inbox ("
    " id INTEGER PRIMARY KEY,"
    " sender TEXT NOT NULL,"
    " smsc_time INTEGER,"
    " received INTEGER NOT NULL,"
    " text TEXT NOT NULL,"
    " coding TEXT NOT NULL,"
    " parts INTEGER NOT NULL DEFAULT 1,"
    " fingerprint TEXT NOT NULL UNIQUE,"
    " state TEXT NOT NULL DEFAULT 'new' CHECK(state IN ('new', 'accepted', 'rejected')),"
    " error TEXT,"
    " processed INTEGER);"
    "CREATE INDEX inbox_state ON inbox(state);"
    "CREATE TABLE inbox_parts ("
    " id INTEGER PRIMARY KEY,"
    " sender TEXT NOT NULL,"
    " concat_ref INTEGER NOT NULL,"
    " part_no INTEGER NOT NULL,"
    " part_count INTEGER NOT NULL,"
    " smsc_time INTEGER,"
    " received INTEGER NOT NULL,"
    " text TEXT NOT NULL,"
    " coding TEXT NOT NULL,"
    " fingerprint TEXT NOT NULL UNIQUE,"
    " inbox_id INTEGER REFERENCES inbox(id),"
    " CHECK(part_count >= 1 AND part_no BETWEEN 1 AND part_count));"
    "CREATE INDEX inbox_parts_message ON inbox_parts(sender, concat_ref, part_count);"
    "CREATE TABLE reports ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " inbox_id INTEGER NOT NULL REFERENCES inbox(id),"
    " kind TEXT NOT NULL CHECK(kind IN ('enrol', 'grad', 'job', 'need', 'labour')),"
    " commune_code TEXT NOT NULL,"
    " commune TEXT NOT NULL,"
    " trade_code TEXT,"
    " trade TEXT,"
    " count INTEGER NOT NULL CHECK(count >= 0),"
    " trained INTEGER NOT NULL DEFAULT 0 CHECK(trained >= 0),"
    " year INTEGER NOT NULL,"
    " half INTEGER NOT NULL CHECK(half IN (1, 2)),"
    " sender TEXT NOT NULL,"
    " created INTEGER NOT NULL,"
    " cancelled INTEGER NOT NULL DEFAULT 0 CHECK(cancelled IN (0, 1)),"
    " CHECK((kind = 'labour') = (trade_code IS NULL)),"
    " CHECK((trade_code IS NULL) = (trade IS NULL)));"
    "CREATE INDEX reports_year_commune ON reports(year, commune_code);"
    "CREATE INDEX reports_inbox ON reports(inbox_id);"
    "CREATE TABLE outbox ("
    " id INTEGER PRIMARY KEY,"
    " recipient TEXT NOT NULL CHECK(recipient <> ''),"
    " text TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " inbox_id INTEGER REFERENCES inbox(id),"
    " state TEXT NOT NULL DEFAULT 'queued' CHECK(state IN ('queued', 'sent', 'failed')),"
    " attempts INTEGER NOT NULL DEFAULT 0 CHECK(attempts >= 0),"
    " created INTEGER NOT NULL,"
    " updated INTEGER NOT NULL,"
    " error TEXT);"
    "CREATE INDEX outbox_state ON outbox(state);"
    "CREATE TABLE push_queue ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " type TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " payload TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending', 'sent', 'parked')),"
    " created INTEGER NOT NULL);"
    "CREATE INDEX push_queue_state ON push_queue(state);"
    "PRAGMA user_version = 1;",
    /*
     * 1 -> 2: the push to the district server.  push_queue rows
     * get the time they were accepted and the server's answer when they
     * were parked; push_state holds the retry schedule (one row), so that
     * `tinbao status` can show it; push_outgoing remembers every SMS the
     * district asked for, once per id.  The trigger queues the sms.sent /
     * sms.failed event of such an SMS in the statement that records its
     * outcome, hence in the same transaction.
     */
    "ALTER TABLE push_queue ADD COLUMN sent INTEGER;"
    "ALTER TABLE push_queue ADD COLUMN answer TEXT;"
    "CREATE TABLE push_state ("
    " id INTEGER PRIMARY KEY CHECK(id = 1),"
    " failures INTEGER NOT NULL DEFAULT 0 CHECK(failures >= 0),"
    " next_attempt INTEGER NOT NULL DEFAULT 0,"
    " last_attempt INTEGER,"
    " last_success INTEGER,"
    " last_error TEXT,"
    " last_error_at INTEGER,"
    " last_status INTEGER);"
    "INSERT INTO push_state(id) VALUES (1);"
    "CREATE TABLE push_outgoing ("
    " server_id TEXT PRIMARY KEY CHECK(length(server_id) BETWEEN 1 AND 64),"
    " outbox_id INTEGER UNIQUE REFERENCES outbox(id),"
    " received INTEGER NOT NULL);"
    "CREATE TRIGGER push_outgoing_outcome AFTER UPDATE OF state ON outbox"
    " WHEN OLD.state = 'queued' AND NEW.state IN ('sent', 'failed') BEGIN"
    " INSERT INTO push_queue(type, at, payload, created)"
    " SELECT 'sms.' || NEW.state, NEW.updated, json_object('id', server_id, 'to',"
    " NEW.recipient, 'attempts', NEW.attempts, 'error', NEW.error), NEW.updated"
    " FROM push_outgoing WHERE outbox_id = NEW.id;"
    " END;"
    "PRAGMA user_version = 2;",
    /*
     * 2 -> 3: digests, reminders and the plan report.
     * report_sums: per period, commune, kind and trade, the reports and the
     * sums of their counts, kept in step with reports by triggers in the
     * statement that changes a report, so that a report or a digest costs
     * the same over a thousand reports or a million (trade_code '' for
     * labour).  Indexes: reports by time stored (digests: what is new), by
     * commune and time (who has been silent), and the labour reports by
     * period (the latest labour force of a commune).  digests, reminders and
     * scheduled_sms keep what was sent, so that a restart resends nothing.
     */
    "CREATE TABLE report_sums ("
    " year INTEGER NOT NULL,"
    " half INTEGER NOT NULL,"
    " commune_code TEXT NOT NULL,"
    " kind TEXT NOT NULL,"
    " trade_code TEXT NOT NULL,"
    " reports INTEGER NOT NULL,"
    " count INTEGER NOT NULL,"
    " trained INTEGER NOT NULL,"
    " cancelled INTEGER NOT NULL,"
    " PRIMARY KEY (year, half, commune_code, kind, trade_code)) WITHOUT ROWID;"
    "CREATE TRIGGER report_sums_insert AFTER INSERT ON reports BEGIN" SUMS_ADD(
	"NEW",
	"+") "END;"
	     "CREATE TRIGGER report_sums_update AFTER UPDATE OF kind, commune_code, trade_code, "
	     "count,"
	     " trained, year, half, cancelled ON reports BEGIN" SUMS_ADD("OLD", "-") SUMS_ADD(
		 "NEW",
		 "+") "END;"
		      "CREATE TRIGGER report_sums_delete AFTER DELETE ON reports BEGIN" SUMS_ADD(
			  "OLD",
			  "-") "END;"
			       "INSERT INTO report_sums SELECT year, half, commune_code, kind, "
			       "coalesce(trade_code, ''),"
			       " sum(cancelled = 0), sum(CASE cancelled WHEN 0 THEN count ELSE 0 "
			       "END),"
			       " sum(CASE cancelled WHEN 0 THEN trained ELSE 0 END), sum(cancelled "
			       "<> 0) FROM reports"
			       " GROUP BY year, half, commune_code, kind, coalesce(trade_code, '');"
			       "CREATE INDEX reports_created ON reports(created);"
			       "CREATE INDEX reports_commune_created ON reports(commune_code, "
			       "created);"
			       "CREATE INDEX reports_labour ON reports(year, commune_code, half, "
			       "id)"
			       " WHERE kind = 'labour' AND cancelled = 0;"
			       "CREATE TABLE digests ("
			       " id INTEGER PRIMARY KEY,"
			       " at INTEGER NOT NULL,"
			       " slot INTEGER NOT NULL,"
			       " recipients INTEGER NOT NULL,"
			       " text TEXT NOT NULL);"
			       "CREATE TABLE scheduled_sms ("
			       " id INTEGER PRIMARY KEY,"
			       " number TEXT NOT NULL," /* national form: one phone, however written
							 */
			       " day TEXT NOT NULL,"
			       " reason TEXT NOT NULL,"
			       " outbox_id INTEGER REFERENCES outbox(id),"
			       " at INTEGER NOT NULL);"
			       "CREATE INDEX scheduled_sms_day ON scheduled_sms(number, day);"
			       "CREATE TABLE reminders ("
			       " date TEXT NOT NULL,"
			       " commune_code TEXT NOT NULL,"
			       " recipient TEXT NOT NULL,"
			       " outbox_id INTEGER REFERENCES outbox(id),"
			       " at INTEGER NOT NULL,"
			       " PRIMARY KEY (date, commune_code, recipient));"
			       "CREATE INDEX reminders_at ON reminders(at);"
			       "PRAGMA user_version = 3;",
    /*
     * 3 -> 4: training classes and cancellations.  A report may
     * name the class it came from; classes are keyed by their code in
     * upper case without '-' (parser_class_key), so HL22-05 and hl2205 are
     * one class.  reports_sender finds a sender's last report for CANCEL.
     */
    "ALTER TABLE reports ADD COLUMN class_code TEXT;"
    "CREATE TABLE classes ("
    " key TEXT PRIMARY KEY,"
    " code TEXT NOT NULL,"
    " commune_code TEXT NOT NULL,"
    " trade_code TEXT NOT NULL,"
    " planned INTEGER NOT NULL DEFAULT 0 CHECK(planned >= 0),"
    " state TEXT NOT NULL DEFAULT 'open' CHECK(state IN ('open', 'closed')),"
    " opened_by TEXT NOT NULL,"
    " opened_at INTEGER NOT NULL,"
    " closed_at INTEGER);"
    "CREATE INDEX reports_sender ON reports(sender, id);"
    "PRAGMA user_version = 4;",
    /*
     * 4 -> 5: alerts to the district admins (gateway/alert.h).  One row per
     * alert key ("sim_full", "network_lost", "balance_low"...): active while
     * the condition lasts, so that an alert is sent once per crossing and
     * not at every check, across restarts.
     */
    "CREATE TABLE alerts ("
    " key TEXT PRIMARY KEY CHECK(key <> ''),"
    " active INTEGER NOT NULL CHECK(active IN (0, 1)),"
    " text TEXT,"
    " raised_at INTEGER,"
    " cleared_at INTEGER,"
    " raised INTEGER NOT NULL DEFAULT 0 CHECK(raised >= 0));"
    "PRAGMA user_version = 5;",
    /*
     * 5 -> 6: several modems and incomplete messages.  inbox.modem and
     * inbox_parts.modem: the configured name of the modem an SMS came in on.
     * inbox.missing: the parts a message was processed without, after the
     * gateway stopped waiting for them ("2/3").
     */
    "ALTER TABLE inbox ADD COLUMN modem TEXT;"
    "ALTER TABLE inbox ADD COLUMN missing TEXT;"
    "ALTER TABLE inbox_parts ADD COLUMN modem TEXT;"
    "CREATE INDEX inbox_parts_waiting ON inbox_parts(inbox_id, received);"
    "PRAGMA user_version = 6;",
    /*
     * 6 -> 7: the modem's health and USSD (gateway/health.h, gateway/ussd.h).
     * modem_readings: signal and registration, kept on change or every so
     * often, and for a bounded time.  network_outages: when the network went
     * away and came back.  ussd: every USSD answer (balance, manual, top-up;
     * a top-up code is stored with its PIN masked).
     */
    "CREATE TABLE modem_readings ("
    " id INTEGER PRIMARY KEY,"
    " modem TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " signal_pct INTEGER,"
    " dbm INTEGER,"
    " ber INTEGER,"
    " reg TEXT NOT NULL,"
    " operator TEXT);"
    "CREATE INDEX modem_readings_modem ON modem_readings(modem, at);"
    "CREATE TABLE network_outages ("
    " id INTEGER PRIMARY KEY,"
    " modem TEXT NOT NULL,"
    " lost_at INTEGER NOT NULL,"
    " back_at INTEGER);"
    "CREATE INDEX network_outages_modem ON network_outages(modem, id);"
    "CREATE TABLE ussd ("
    " id INTEGER PRIMARY KEY,"
    " modem TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " purpose TEXT NOT NULL CHECK(purpose IN ('balance', 'manual', 'topup')),"
    " code TEXT NOT NULL,"
    " answer TEXT,"
    " amount INTEGER,"
    " status TEXT NOT NULL);"
    "CREATE INDEX ussd_modem ON ussd(modem, purpose, id);"
    "PRAGMA user_version = 7;",
    /*
     * 7 -> 8: a sending path that behaves like a real modem
     * (gateway/outbox.h).  outbox gets the time of its next attempt (retries
     * with backoff), its number of parts and their concatenation reference
     * (a message resumed after a refusal keeps it), whether a delivery
     * report was requested and what the reports said (delivery: NULL,
     * 'delivered' or 'failed').  outbox_parts has one row per attempt to
     * send one part, inserted and committed BEFORE the part is handed to
     * the modem (state 'sending'), then given its outcome: 'sent' with the
     * message reference (TP-MR), 'refused' (the modem said no before it
     * took the SMS: safe to try again) or 'unknown' (it may have gone: never
     * tried again).  The partial unique index makes "a part is sent at most
     * once" a property of the database.  The rate limit counts its rows per
     * modem.  status_reports keeps every SMS-STATUS-REPORT received.
     */
    "ALTER TABLE outbox ADD COLUMN next_attempt INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE outbox ADD COLUMN parts INTEGER;"
    "ALTER TABLE outbox ADD COLUMN concat_ref INTEGER;"
    "ALTER TABLE outbox ADD COLUMN report INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE outbox ADD COLUMN delivery TEXT CHECK(delivery IN ('delivered', 'failed'));"
    "ALTER TABLE outbox ADD COLUMN delivery_at INTEGER;"
    "CREATE INDEX outbox_due ON outbox(state, next_attempt) WHERE state = 'queued';"
    "CREATE TABLE outbox_parts ("
    " id INTEGER PRIMARY KEY,"
    " outbox_id INTEGER NOT NULL REFERENCES outbox(id),"
    " part_no INTEGER NOT NULL CHECK(part_no >= 1),"
    " modem TEXT NOT NULL,"
    " attempted INTEGER NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'sending'"
    "  CHECK(state IN ('sending', 'sent', 'refused', 'unknown')),"
    " mr INTEGER,"
    " answered INTEGER,"
    " error TEXT,"
    " report_status TEXT CHECK(report_status IN ('delivered', 'failed')),"
    " report_at INTEGER);"
    "CREATE UNIQUE INDEX outbox_parts_once ON outbox_parts(outbox_id, part_no)"
    " WHERE state <> 'refused';"
    "CREATE INDEX outbox_parts_rate ON outbox_parts(modem, attempted);"
    "CREATE INDEX outbox_parts_mr ON outbox_parts(modem, mr) WHERE state = 'sent';"
    "CREATE TABLE status_reports ("
    " id INTEGER PRIMARY KEY,"
    " modem TEXT NOT NULL,"
    " recipient TEXT NOT NULL,"
    " mr INTEGER NOT NULL,"
    " status INTEGER NOT NULL,"
    " smsc_time INTEGER,"
    " received INTEGER NOT NULL,"
    " fingerprint TEXT NOT NULL UNIQUE,"
    " part_id INTEGER REFERENCES outbox_parts(id));"
    "PRAGMA user_version = 8;",
    /*
     * 8 -> 9: who may report, abuse and loops.  senders is the
     * registry of reporting numbers (in +84 form; "removing" one clears
     * active: nothing is deleted).  Messages held back by the sender policy
     * or the limits stay inbox rows in state 'rejected' with the reason as
     * error ('quarantined', 'unknown_sender', 'other_commune',
     * 'rate_limited', 'loop'): inbox.state's CHECK cannot change without
     * rebuilding a table that others reference.  Such a row has no
     * reports; accepting or replaying it parses its text again with the
     * configuration of the day and, in one transaction, stores the reports
     * and turns the row 'accepted', so that its reports count exactly once.
     * sent_days counts the SMS sent per day (Vietnam date, by the
     * gateway's clock) for the daily cap.  The indexes serve the
     * per-sender limits and the loop guard.
     */
    "CREATE TABLE senders ("
    " number TEXT PRIMARY KEY CHECK(number LIKE '+84%'),"
    " name TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK(role IN ('officer', 'class', 'district', 'admin')),"
    " commune_code TEXT,"
    " active INTEGER NOT NULL DEFAULT 1 CHECK(active IN (0, 1)),"
    " updated INTEGER NOT NULL);"
    "CREATE INDEX inbox_sender ON inbox(sender, received);"
    "CREATE INDEX inbox_error ON inbox(error, id) WHERE error IS NOT NULL;"
    "CREATE INDEX outbox_recipient ON outbox(recipient, created, reason);"
    "CREATE INDEX outbox_text ON outbox(text, created);"
    "CREATE TABLE sent_days ("
    " day TEXT PRIMARY KEY,"
    " sent INTEGER NOT NULL CHECK(sent >= 0));"
    "PRAGMA user_version = 9;",
    /*
     * 9 -> 10: one phone, one number.  Every number is kept in the form
     * phone_canonical() gives (gateway/phone.h: "+84912000001" however the
     * network or the configuration wrote it), so that comparing numbers is
     * comparing strings; tinbao_phone() is that function, registered on
     * every connection.  A reminder recorded under two forms of one phone
     * is kept once.  copies counts how many times an SMS with that
     * fingerprint came off the phone: more than 1 when the same text came
     * from the same number in the same SMSC second, or when it was read
     * again because the gateway died before deleting it or the phone
     * refused to delete it (one more at every scan until it does).
     */
    "ALTER TABLE inbox ADD COLUMN copies INTEGER NOT NULL DEFAULT 1 CHECK(copies >= 1);"
    "ALTER TABLE inbox_parts ADD COLUMN copies INTEGER NOT NULL DEFAULT 1 CHECK(copies >= 1);"
    "UPDATE inbox SET sender = tinbao_phone(sender) WHERE sender <> tinbao_phone(sender);"
    "UPDATE inbox_parts SET sender = tinbao_phone(sender) "
    " WHERE sender <> tinbao_phone(sender);"
    "UPDATE reports SET sender = tinbao_phone(sender) WHERE sender <> tinbao_phone(sender);"
    "UPDATE classes SET opened_by = tinbao_phone(opened_by) "
    " WHERE opened_by <> tinbao_phone(opened_by);"
    "UPDATE outbox SET recipient = tinbao_phone(recipient) "
    " WHERE recipient <> tinbao_phone(recipient);"
    "UPDATE status_reports SET recipient = tinbao_phone(recipient) "
    " WHERE recipient <> tinbao_phone(recipient);"
    "UPDATE scheduled_sms SET number = tinbao_phone(number) WHERE number <> tinbao_phone(number);"
    "UPDATE OR IGNORE reminders SET recipient = tinbao_phone(recipient) "
    " WHERE recipient <> tinbao_phone(recipient);"
    "DELETE FROM reminders WHERE recipient <> tinbao_phone(recipient);"
    "PRAGMA user_version = 10;",
    /*
     * 10 -> 11: SMS taken over from another program's database (`tinbao
     * import-smsd`): one row per source row, so that importing the same
     * file again changes nothing.
     */
    "CREATE TABLE imports ("
    " source TEXT NOT NULL,"
    " key TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " PRIMARY KEY(source, key)) WITHOUT ROWID;"
    "PRAGMA user_version = 11;",
    /*
     * 11 -> 12: whether each modem is connected, and since when (the
     * daemon's view, for `tinbao status`: a modem lost or not plugged in
     * yet, readings older than the last connection).
     */
    "CREATE TABLE modem_links ("
    " modem TEXT PRIMARY KEY,"
    " connected INTEGER NOT NULL CHECK(connected IN (0, 1)),"
    " since INTEGER NOT NULL) WITHOUT ROWID;"
    "PRAGMA user_version = 12;",
};

_Static_assert(nitems(migrations) == STORE_SCHEMA_VERSION, "one migration step per schema version");

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
	S_INBOX_HELD_COUNT,
	S_INBOX_RECENT,
	S_REPLIES_RECENT,
	S_OUR_TEXT,
	S_SENT_COUNT,
	S_SENT_ADD,
	S_NSTMTS
};

/* A parts set: same sender, reference and part count, not yet joined. */
#define PART_SET "sender = ?1 AND concat_ref = ?2 AND part_count = ?3 AND inbox_id IS NULL"
/* Reports counted in totals: ?1 year, ?2 commune code or NULL for all. */
#define COUNTED "cancelled = 0 AND year = ?1 AND (?2 IS NULL OR commune_code = ?2)"
/* Vietnam's UTC offset in seconds, and the month "YYYYMM" of an SMS there
 * (its SMSC time, or when it was received), for the inbox row i. */
#define VN_OFFSET "25200"
#define SMS_MONTH                                                                                  \
	"strftime('%Y%m', coalesce(nullif(i.smsc_time, 0), i.received) + " VN_OFFSET               \
	", 'unixepoch')"
#define CELL                                                                                       \
	"r.cancelled = 0 AND r.kind = ?1 AND r.commune_code = ?2 AND r.trade_code IS ?3 "          \
	"AND " SMS_MONTH " = ?4"

static const struct {
	const char *what; /* for log messages */
	const char *sql;
} stmts[S_NSTMTS] = {
    [S_BEGIN] = {"begin", "BEGIN IMMEDIATE"},
    [S_COMMIT] = {"commit", "COMMIT"},
    [S_ROLLBACK] = {"rollback", "ROLLBACK"},
    [S_SAVEPOINT] = {"savepoint", "SAVEPOINT store"},
    [S_RELEASE] = {"release savepoint", "RELEASE store"},
    [S_ROLLBACK_TO] = {"rollback to savepoint", "ROLLBACK TO store"},
    [S_INBOX_ADD] = {"inbox add",
		     "INSERT INTO inbox(sender, smsc_time, received, text, coding, parts, "
		     "fingerprint, modem, missing) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
		     "ON CONFLICT(fingerprint) DO NOTHING"},
    [S_INBOX_COPY] = {"inbox copy",
		      "UPDATE inbox SET copies = copies + 1 WHERE fingerprint = ?1 RETURNING id"},
    [S_LINK_SET] = {"modem link set",
		    "INSERT INTO modem_links(modem, connected, since) VALUES (?1, ?2, ?3) "
		    "ON CONFLICT(modem) DO UPDATE SET connected = ?2, since = ?3"},
    [S_LINK_GET] = {"modem link get", "SELECT connected, since FROM modem_links WHERE modem = ?1"},
    [S_IMPORT_MARK] = {"import mark", "INSERT INTO imports(source, key, at) VALUES (?1, ?2, ?3) "
				      "ON CONFLICT(source, key) DO NOTHING"},
    [S_INBOX_NEXT_NEW] = {"inbox next", "SELECT id, sender, smsc_time, received, text, "
					"missing, modem, coding FROM inbox "
					"WHERE state = 'new' AND id > ?1 ORDER BY id LIMIT 1"},
    [S_INBOX_SET_STATE] = {"inbox set state",
			   "UPDATE inbox SET state = ?1, error = ?2, "
			   "processed = CASE WHEN ?1 = 'new' THEN NULL ELSE ?3 END WHERE id = ?4"},
    [S_PART_ADD] = {"part add",
		    "INSERT INTO inbox_parts(sender, concat_ref, part_no, part_count, smsc_time, "
		    "received, text, coding, fingerprint, modem) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
		    "ON CONFLICT(fingerprint) DO NOTHING"},
    [S_PART_COPY] = {"part copy",
		     "UPDATE inbox_parts SET copies = copies + 1 WHERE fingerprint = ?1"},
    /* Another pending part with this number: this one is of a new message. */
    [S_PART_CLASH] = {"part clash",
		      "SELECT 1 FROM inbox_parts WHERE " PART_SET " AND part_no = ?4 AND NOT "
		      "EXISTS (SELECT 1 FROM inbox_parts WHERE fingerprint = ?5) LIMIT 1"},
    [S_PART_COUNT] = {"part count",
		      "SELECT count(DISTINCT part_no) FROM inbox_parts WHERE " PART_SET},
    /* Highest id first within a part number: see read_parts(). */
    [S_PART_LIST] = {"part list", "SELECT part_no, smsc_time, received, text, coding, "
				  "fingerprint, modem FROM inbox_parts WHERE " PART_SET
				  " ORDER BY part_no, id DESC"},
    [S_PART_JOIN] = {"part join", "UPDATE inbox_parts SET inbox_id = ?4 WHERE " PART_SET},
    [S_PART_EXPIRED] = {"parts expired",
			"SELECT p.sender, p.concat_ref, p.part_count FROM inbox_parts p "
			"WHERE p.inbox_id IS NULL GROUP BY p.sender, p.concat_ref, p.part_count "
			"HAVING min(p.received) <= ?1 OR EXISTS (SELECT 1 FROM inbox_parts q "
			"JOIN inbox i ON i.id = q.inbox_id WHERE q.sender = p.sender AND "
			"q.concat_ref = p.concat_ref AND q.part_count = p.part_count AND "
			"i.missing IS NOT NULL AND i.received > ?2) LIMIT 1"},
    [S_REPORT_ADD] = {"report add",
		      "INSERT INTO reports(inbox_id, kind, commune_code, commune, trade_code, "
		      "trade, count, trained, year, half, sender, created) "
		      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"},
    [S_REPORT_ALL] = {"report list",
		      "SELECT id, inbox_id, kind, commune_code, commune, trade_code, trade, "
		      "count, trained, year, half, sender, created, cancelled "
		      "FROM reports ORDER BY id"},
    /* From report_sums (schema 3), which holds the same sums of the
     * reports not cancelled: a TK costs the same over a million reports. */
    [S_TOTALS] = {"totals", "SELECT coalesce(sum(CASE kind WHEN 'enrol' THEN count END), 0), "
			    "coalesce(sum(CASE kind WHEN 'grad' THEN count END), 0), "
			    "coalesce(sum(CASE kind WHEN 'job' THEN count END), 0), "
			    "coalesce(sum(CASE kind WHEN 'need' THEN count END), 0), "
			    "coalesce(sum(reports), 0) FROM report_sums "
			    "WHERE year = ?1 AND (?2 IS NULL OR commune_code = ?2)"},
    /* A commune's labour force is a stock, not a flow: only its latest
     * report counts. */
    [S_TOTALS_LABOUR] =
	{"labour totals",
	 "SELECT coalesce(sum(count), 0), coalesce(sum(trained), 0) FROM reports "
	 "WHERE id IN (SELECT max(id) FROM reports WHERE kind = 'labour' AND " COUNTED
	 " GROUP BY commune_code)"},
    [S_OUTBOX_ADD] = {"outbox add",
		      "INSERT INTO outbox(recipient, text, reason, inbox_id, created, updated) "
		      "VALUES (?1, ?2, ?3, ?4, ?5, ?5)"},
    [S_OUTBOX_NEXT] = {"outbox next", "SELECT id, recipient, text, attempts, reason FROM outbox "
				      "WHERE state = 'queued' AND id > ?1 ORDER BY id LIMIT 1"},
    /* Only a queued message has attempts: a sent one must never be queued
     * again (the officer would get the SMS twice). */
    [S_OUTBOX_SET_STATE] = {"outbox set state",
			    "UPDATE outbox SET state = ?1, attempts = attempts + 1, updated = ?2, "
			    "error = ?3 WHERE id = ?4 AND state = 'queued'"},
    [S_PUSH_ADD] = {"push add", "INSERT INTO push_queue(type, at, payload, created) "
				"VALUES (?1, ?2, ?3, ?4)"},
    /* Pending events oldest first, each as the object the body carries,
     * with the report it is about (for DHIS2).  ?1 gateway id, ?2 limit. */
    [S_PUSH_PENDING] =
	{"push pending",
	 "SELECT q.id, q.type, q.at, CASE WHEN json_valid(q.payload) THEN "
	 "json_object('id', ?1 || ':' || q.id, 'type', q.type, 'at', "
	 "strftime('%Y-%m-%dT%H:%M:%S+07:00', q.at + " VN_OFFSET ", 'unixepoch'), "
	 "'data', json(q.payload)) END, r.kind, r.commune_code, r.trade_code, " SMS_MONTH
	 " FROM push_queue q "
	 "LEFT JOIN reports r ON q.type LIKE 'report.%' AND json_valid(q.payload) "
	 "AND r.id = json_extract(q.payload, '$.ref') "
	 "LEFT JOIN inbox i ON i.id = r.inbox_id "
	 "WHERE q.state = 'pending' ORDER BY q.id LIMIT ?2"},
    /* ?1 answer (NULL: all), ?2..?3 the batch, ?4 now, ?5 "<gateway id>:". */
    [S_PUSH_ACCEPT] = {"push accept",
		       "UPDATE push_queue SET state = 'sent', sent = ?4, answer = NULL "
		       "WHERE state = 'pending' AND id BETWEEN ?2 AND ?3 AND (?1 IS NULL OR "
		       "(?5 || id) IN (SELECT value FROM json_each(?1, '$.accepted') "
		       "WHERE type = 'text'))"},
    [S_PUSH_DONE] = {"push done", "UPDATE push_queue SET state = 'sent', sent = ?2, answer = ?3 "
				  "WHERE id = ?1 AND state = 'pending'"},
    [S_PUSH_PARK] = {"push park", "UPDATE push_queue SET state = 'parked', answer = ?2 "
				  "WHERE id = ?1 AND state = 'pending'"},
    [S_PUSH_RETRY] = {"push retry", "UPDATE push_queue SET state = 'pending' "
				    "WHERE id = ?1 AND state = 'parked'"},
    [S_PUSH_RETRY_ALL] = {"push retry", "UPDATE push_queue SET state = 'pending' "
					"WHERE state = 'parked'"},
    [S_PUSH_PARKED] = {"push parked", "SELECT id, type, at, coalesce(answer, '') FROM push_queue "
				      "WHERE state = 'parked' ORDER BY id"},
    [S_PUSH_STATE_GET] = {"push state", "SELECT failures, next_attempt, coalesce(last_attempt, 0), "
					"coalesce(last_success, 0), coalesce(last_error, ''), "
					"coalesce(last_error_at, 0), coalesce(last_status, 0) "
					"FROM push_state WHERE id = 1"},
    [S_PUSH_STATE_PUT] = {"push state",
			  "UPDATE push_state SET failures = ?1, next_attempt = ?2, "
			  "last_attempt = nullif(?3, 0), last_success = nullif(?4, 0), "
			  "last_error = nullif(?5, ''), last_error_at = nullif(?6, 0), "
			  "last_status = nullif(?7, 0) WHERE id = 1"},
    [S_PUSH_STATS] = {"push stats",
		      "SELECT (SELECT count(*) FROM push_queue WHERE state = 'pending'), "
		      "(SELECT count(*) FROM push_queue WHERE state = 'parked'), "
		      "(SELECT count(*) FROM push_queue WHERE state = 'sent'), "
		      "(SELECT created FROM push_queue WHERE state = 'pending' ORDER BY id "
		      "LIMIT 1)"},
    [S_PUSH_SEEN] = {"push outgoing", "INSERT INTO push_outgoing(server_id, received) "
				      "VALUES (?1, ?2) ON CONFLICT(server_id) DO NOTHING"},
    [S_PUSH_SEEN_LINK] = {"push outgoing",
			  "UPDATE push_outgoing SET outbox_id = ?2 WHERE server_id = ?1"},
    /* A DHIS2 cell: ?1 kind, ?2 commune, ?3 trade (NULL for labour), ?4
     * the month "YYYYMM" of the SMS.  Flows add up; a labour force is a
     * stock, of which the latest report counts. */
    [S_PUSH_CELL_SUM] = {"push cell",
			 "SELECT coalesce(sum(r.count), 0), coalesce(sum(r.trained), 0) "
			 "FROM reports r JOIN inbox i ON i.id = r.inbox_id "
			 "WHERE " CELL},
    [S_PUSH_CELL_LATEST] = {"push cell", "SELECT r.count, r.trained FROM reports r "
					 "JOIN inbox i ON i.id = r.inbox_id WHERE " CELL
					 " ORDER BY r.id DESC LIMIT 1"},
    [S_JSON_VALID] = {"json valid", "SELECT json_valid(?1)"},
    [S_JSON_GET] = {"json get", "SELECT json_type(?1, ?2), json_extract(?1, ?2)"},
    [S_COUNT_INBOX] = {"count inbox", "SELECT count(*) FROM inbox"},
    [S_COUNT_INBOX_STATE] = {"count inbox", "SELECT count(*) FROM inbox WHERE state = ?1"},
    [S_COUNT_PARTS] = {"count inbox_parts", "SELECT count(*) FROM inbox_parts"},
    [S_COUNT_PARTS_STATE] = {"count inbox_parts",
			     "SELECT count(*) FROM inbox_parts WHERE (CASE WHEN inbox_id IS NULL "
			     "THEN 'pending' ELSE 'joined' END) = ?1"},
    [S_COUNT_REPORTS] = {"count reports", "SELECT count(*) FROM reports"},
    [S_COUNT_REPORTS_STATE] = {"count reports",
			       "SELECT count(*) FROM reports WHERE (CASE cancelled WHEN 0 "
			       "THEN 'active' ELSE 'cancelled' END) = ?1"},
    [S_COUNT_OUTBOX] = {"count outbox", "SELECT count(*) FROM outbox"},
    [S_COUNT_OUTBOX_STATE] = {"count outbox", "SELECT count(*) FROM outbox WHERE state = ?1"},
    [S_COUNT_PUSH] = {"count push_queue", "SELECT count(*) FROM push_queue"},
    [S_COUNT_PUSH_STATE] = {"count push_queue", "SELECT count(*) FROM push_queue WHERE state = ?1"},
    /* ?1 year, ?2 half or 0 for the whole year. */
    [S_SUMS] = {"period sums",
		"SELECT commune_code, kind, nullif(trade_code, ''), sum(reports), sum(count), "
		"sum(trained), sum(cancelled) FROM report_sums WHERE year = ?1 AND (?2 = 0 OR "
		"half = ?2) GROUP BY commune_code, kind, trade_code "
		"ORDER BY commune_code, kind, trade_code"},
    /* Two seeks in report_sums' primary key.  ?1 year, ?2 commune, ?3 kind. */
    [S_COMMUNE_SUM] = {"commune sum", "SELECT coalesce(sum(count), 0) FROM report_sums "
				      "WHERE year = ?1 AND half IN (1, 2) AND commune_code = ?2 "
				      "AND kind = ?3"},
    /* The terms of the partial index reports_labour, repeated for the
     * planner.  ?1 year, ?2 commune, ?3 last half. */
    [S_LABOUR_LATEST] = {"latest labour",
			 "SELECT count, trained FROM reports WHERE kind = 'labour' AND "
			 "cancelled = 0 AND year = ?1 AND commune_code = ?2 AND half <= ?3 "
			 "ORDER BY half DESC, id DESC LIMIT 1"},
    [S_LAST_REPORT] = {"last report", "SELECT max(created) FROM reports WHERE commune_code = ?1"},
    [S_SINCE] = {"reports since", "SELECT kind, count(*), coalesce(sum(count), 0) FROM reports "
				  "WHERE created > ?1 AND created <= ?2 AND cancelled = 0 "
				  "GROUP BY kind ORDER BY kind"},
    [S_DIGEST_LAST] = {"last digest",
		       "SELECT coalesce(max(at), 0), coalesce(max(slot), 0) FROM digests"},
    [S_DIGEST_ADD] = {"digest add", "INSERT INTO digests(at, slot, recipients, text) "
				    "VALUES (?1, ?2, ?3, ?4)"},
    [S_SCHED_COUNT] = {"scheduled count",
		       "SELECT count(*) FROM scheduled_sms WHERE number = ?1 AND day = ?2"},
    [S_SCHED_ADD] = {"scheduled add", "INSERT INTO scheduled_sms(number, day, reason, "
				      "outbox_id, at) VALUES (?1, ?2, ?3, ?4, ?5)"},
    [S_REMINDER_SEEN] = {"reminder seen", "SELECT count(*) FROM reminders WHERE date = ?1 AND "
					  "commune_code = ?2 AND recipient = ?3"},
    [S_REMINDER_ADD] = {"reminder add", "INSERT INTO reminders(date, commune_code, recipient, "
					"outbox_id, at) VALUES (?1, ?2, ?3, ?4, ?5)"},
    [S_REMINDED] = {"reminded", "SELECT DISTINCT commune_code FROM reminders WHERE at > ?1 "
				"AND at <= ?2 ORDER BY commune_code"},
    [S_REPORT_CLASS] = {"report class", "UPDATE reports SET class_code = ?2 WHERE id = ?1"},
    /* ?1 sender, ?2 reference or 0 for the sender's last report. */
    [S_REPORT_LAST] = {"report find",
		       "SELECT id, inbox_id, kind, commune_code, commune, trade_code, trade, "
		       "count, trained, year, half, sender, created, cancelled FROM reports "
		       "WHERE sender = ?1 AND (?2 = 0 OR id = ?2) AND cancelled = 0 "
		       "ORDER BY id DESC LIMIT 1"},
    [S_REPORT_CANCEL] = {"report cancel",
			 "UPDATE reports SET cancelled = 1 WHERE id = ?1 AND cancelled = 0"},
    [S_CLASS_OPEN] = {"class open",
		      "INSERT INTO classes(key, code, commune_code, trade_code, planned, "
		      "opened_by, opened_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
		      "ON CONFLICT(key) DO NOTHING"},
    [S_CLASS_CLOSE] = {"class close", "UPDATE classes SET state = 'closed', closed_at = ?2 "
				      "WHERE key = ?1 AND state = 'open'"},
    [S_CLASS_FIND] =
	{"class find",
	 "SELECT commune_code, trade_code, state = 'open' FROM classes WHERE key = ?1"},
    [S_ALERT_GET] = {"alert get", "SELECT active, raised_at FROM alerts WHERE key = ?1"},
    /* ?1 key, ?2 active, ?3 text (kept when NULL), ?4 now. */
    [S_ALERT_SET] =
	{"alert set",
	 "INSERT INTO alerts(key, active, text, raised_at, cleared_at, raised) "
	 "VALUES (?1, ?2, ?3, CASE ?2 WHEN 1 THEN ?4 END, CASE ?2 WHEN 0 THEN ?4 END, ?2) "
	 "ON CONFLICT(key) DO UPDATE SET active = ?2, text = coalesce(?3, text), "
	 "raised_at = CASE ?2 WHEN 1 THEN ?4 ELSE raised_at END, "
	 "cleared_at = CASE ?2 WHEN 0 THEN ?4 ELSE cleared_at END, "
	 "raised = raised + ?2"},
    [S_READING_ADD] = {"reading add",
		       "INSERT INTO modem_readings(modem, at, signal_pct, dbm, ber, reg, operator) "
		       "VALUES (?1, ?2, nullif(?3, -1), nullif(?4, 0), nullif(?5, -1), ?6, "
		       "nullif(?7, ''))"},
    /* Older than ?2, except the modem's latest reading. */
    [S_READING_PRUNE] = {"reading prune",
			 "DELETE FROM modem_readings WHERE modem = ?1 AND at < ?2 AND id < "
			 "(SELECT max(id) FROM modem_readings WHERE modem = ?1)"},
    [S_READING_LAST] = {"reading last",
			"SELECT at, coalesce(signal_pct, -1), coalesce(dbm, 0), coalesce(ber, -1), "
			"reg, coalesce(operator, '') FROM modem_readings WHERE modem = ?1 "
			"ORDER BY id DESC LIMIT 1"},
    [S_OUTAGE_OPEN] = {"outage open",
		       "INSERT INTO network_outages(modem, lost_at) SELECT ?1, ?2 WHERE NOT EXISTS "
		       "(SELECT 1 FROM network_outages WHERE modem = ?1 AND back_at IS NULL)"},
    [S_OUTAGE_CLOSE] = {"outage close", "UPDATE network_outages SET back_at = ?2 "
					"WHERE modem = ?1 AND back_at IS NULL"},
    [S_OUTAGE_LAST] = {"outage last", "SELECT lost_at, coalesce(back_at, 0) FROM network_outages "
				      "WHERE modem = ?1 ORDER BY id DESC LIMIT 1"},
    [S_USSD_ADD] = {"ussd add",
		    "INSERT INTO ussd(modem, at, purpose, code, answer, amount, status) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, CASE ?6 WHEN 1 THEN ?7 END, ?8)"},
    /* ?3 = 1: only answers with an amount. */
    [S_USSD_LAST] = {"ussd last",
		     "SELECT at, coalesce(answer, ''), amount IS NOT NULL, coalesce(amount, 0), "
		     "status, code FROM ussd WHERE modem = ?1 AND purpose = ?2 AND "
		     "(?3 = 0 OR amount IS NOT NULL) ORDER BY id DESC LIMIT 1"},
    /* `tinbao ussd` while the gateway runs: a request the gateway dials. */
    [S_USSD_REQUEST] = {"ussd request", "INSERT INTO ussd(modem, at, purpose, code, status) "
					"VALUES (?1, ?2, 'manual', ?3, 'requested')"},
    [S_USSD_NEXT_REQUEST] = {"ussd next request",
			     "SELECT id, code FROM ussd WHERE modem = ?1 AND status = 'requested' "
			     "AND at >= ?2 ORDER BY id LIMIT 1"},
    /* ?4 = 1: only while still requested. */
    [S_USSD_ANSWER] = {"ussd answer", "UPDATE ussd SET answer = ?2, status = ?3 WHERE id = ?1 "
				      "AND (?4 = 0 OR status = 'requested')"},
    [S_USSD_GET] = {"ussd get", "SELECT status, coalesce(answer, '') FROM ussd WHERE id = ?1"},
    /* The sending path (schema 6, gateway/outbox.h). */
    [S_OUTBOX_DUE] = {"outbox due",
		      "SELECT o.id, o.recipient, o.text, o.attempts, coalesce(o.parts, 0), "
		      "coalesce(o.concat_ref, -1), (SELECT count(*) FROM outbox_parts p "
		      "WHERE p.outbox_id = o.id AND p.state = 'sent'), o.reason FROM outbox o "
		      "WHERE o.state = 'queued' AND o.next_attempt <= ?2 AND o.id > ?1 "
		      "ORDER BY o.id LIMIT 1"},
    [S_OUTBOX_NEXT_DUE] = {"outbox next due",
			   "SELECT min(next_attempt) FROM outbox WHERE state = 'queued'"},
    [S_OUTBOX_SET_PARTS] = {"outbox set parts",
			    "UPDATE outbox SET parts = ?2, concat_ref = ?3, report = ?4 "
			    "WHERE id = ?1 AND state = 'queued'"},
    [S_OUTBOX_RETRY] = {"outbox retry",
			"UPDATE outbox SET attempts = attempts + 1, next_attempt = ?2, "
			"error = ?3, updated = ?4 WHERE id = ?1 AND state = 'queued'"},
    [S_OPART_MARK] = {"outbox part mark",
		      "INSERT INTO outbox_parts(outbox_id, part_no, modem, attempted) "
		      "VALUES (?1, ?2, ?3, ?4)"},
    [S_OPART_OUTCOME] = {"outbox part outcome",
			 "UPDATE outbox_parts SET state = ?2, mr = ?3, answered = ?4, "
			 "error = ?5 WHERE id = ?1 AND state = 'sending'"},
    [S_OPART_RATE] = {"outbox rate",
		      "SELECT count(*), coalesce(min(attempted), 0) FROM outbox_parts "
		      "WHERE modem = ?1 AND attempted > ?2"},
    /* A part left 'sending' by a process that died: it may have gone. */
    [S_OUTBOX_UNCONFIRM] =
	{"outbox unconfirmed",
	 "UPDATE outbox SET state = 'sent', error = 'unconfirmed', "
	 "attempts = attempts + 1, updated = ?1 WHERE state = 'queued' AND id IN "
	 "(SELECT outbox_id FROM outbox_parts WHERE state = 'sending')"},
    [S_OPART_UNKNOWN] = {"outbox parts unknown",
			 "UPDATE outbox_parts SET state = 'unknown', answered = ?1, "
			 "error = 'process stopped while sending' WHERE state = 'sending'"},
    [S_SREPORT_ADD] = {"status report add",
		       "INSERT INTO status_reports(modem, recipient, mr, status, smsc_time, "
		       "received, fingerprint) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
		       "ON CONFLICT(fingerprint) DO NOTHING"},
    /* The part a report is about: the latest sent one of that modem with
     * that reference to that number (its last 9 digits), not yet reported,
     * sent in the last days (a reference comes back every 256 SMS). */
    [S_SREPORT_MATCH] = {"status report match",
			 "SELECT p.id, p.outbox_id FROM outbox_parts p JOIN outbox o "
			 "ON o.id = p.outbox_id WHERE p.state = 'sent' AND p.modem = ?1 "
			 "AND p.mr = ?2 AND p.attempted >= ?3 AND p.report_status IS NULL "
			 "AND substr(o.recipient, -9) = substr(?4, -9) ORDER BY p.id DESC LIMIT 1"},
    [S_SREPORT_LINK] = {"status report link",
			"UPDATE status_reports SET part_id = ?2 WHERE fingerprint = ?1"},
    [S_OPART_REPORT] = {"outbox part report",
			"UPDATE outbox_parts SET report_status = ?2, report_at = ?3 WHERE id = ?1"},
    /* The message is delivered when every part is, failed when one failed. */
    [S_OUTBOX_DELIVERY] =
	{"outbox delivery",
	 "UPDATE outbox SET delivery = CASE WHEN EXISTS (SELECT 1 FROM outbox_parts "
	 "WHERE outbox_id = ?1 AND state = 'sent' AND report_status = 'failed') THEN 'failed' "
	 "WHEN state = 'sent' AND NOT EXISTS (SELECT 1 FROM outbox_parts WHERE outbox_id = ?1 "
	 "AND state = 'sent' AND report_status IS NULL) THEN 'delivered' END, "
	 "delivery_at = ?2 WHERE id = ?1"},
    [S_OUTBOX_STATS] =
	{"outbox stats",
	 "SELECT coalesce(sum(state = 'queued'), 0), "
	 "coalesce(sum(state = 'sent' AND coalesce(error, '') <> 'unconfirmed'), 0), "
	 "coalesce(sum(state = 'failed'), 0), "
	 "coalesce(sum(state = 'sent' AND error = 'unconfirmed'), 0), "
	 "coalesce(sum(delivery = 'delivered'), 0), "
	 "coalesce(sum(delivery = 'failed'), 0) FROM outbox"},
    [S_OPART_RATES] = {"outbox rates",
		       "SELECT modem, count(*) FROM outbox_parts WHERE attempted > ?1 "
		       "GROUP BY modem ORDER BY modem"},
    /* Senders, quarantine and limits. */
    [S_SENDER_PUT] = {"sender put",
		      "INSERT INTO senders(number, name, role, commune_code, active, updated) "
		      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(number) DO UPDATE SET "
		      "name = excluded.name, role = excluded.role, "
		      "commune_code = excluded.commune_code, active = excluded.active, "
		      "updated = excluded.updated"},
    [S_SENDER_GET] = {"sender get", "SELECT number, name, role, coalesce(commune_code, ''), "
				    "active FROM senders WHERE number = ?1"},
    [S_SENDER_REMOVE] = {"sender remove", "UPDATE senders SET active = 0, updated = ?2 "
					  "WHERE number = ?1 AND active = 1"},
    [S_SENDER_ALL] = {"sender list", "SELECT number, name, role, coalesce(commune_code, ''), "
				     "active FROM senders ORDER BY number"},
    [S_SENDER_MANAGERS] = {"sender managers", "SELECT count(*) FROM senders WHERE active = 1 AND "
					      "role IN ('class', 'district', 'admin')"},
    [S_INBOX_GET] = {"inbox get",
		     "SELECT id, sender, smsc_time, received, text, state, coalesce(error, ''), "
		     "coding "
		     "FROM inbox WHERE id = ?1"},
    /* Rejected rows, by error (NULL: any) and not received before ?2. */
    [S_INBOX_HELD] = {"inbox held",
		      "SELECT id, sender, smsc_time, received, text, state, coalesce(error, ''), "
		      "coding "
		      "FROM inbox WHERE state = 'rejected' AND (?1 IS NULL OR error = ?1) "
		      "AND received >= ?2 ORDER BY id"},
    [S_INBOX_HELD_COUNT] = {"inbox held count",
			    "SELECT count(*), count(DISTINCT sender) FROM inbox "
			    "WHERE error = ?1 AND state = 'rejected'"},
    /* A sender's SMS received since ?2 before row ?3; ?4 the text or NULL. */
    [S_INBOX_RECENT] = {"inbox recent",
			"SELECT count(*) FROM inbox WHERE sender = ?1 AND received >= ?2 "
			"AND id < ?3 AND (?4 IS NULL OR text = ?4)"},
    [S_REPLIES_RECENT] = {"replies recent",
			  "SELECT count(*) FROM outbox WHERE recipient = ?1 AND created >= ?2 "
			  "AND reason = 'reply'"},
    [S_OUR_TEXT] = {"loop guard", "SELECT count(*) FROM outbox WHERE text = ?1 AND created >= ?2"},
    [S_SENT_COUNT] = {"sent count", "SELECT coalesce(sum(sent), 0) FROM sent_days WHERE day = ?1"},
    [S_SENT_ADD] = {"sent add", "INSERT INTO sent_days(day, sent) VALUES (?1, 1) "
				"ON CONFLICT(day) DO UPDATE SET sent = sent + 1"},
};

/* The tables store_count() accepts, and the states it knows for each
 * ("pending"/"joined" for parts, "active"/"cancelled" for reports). */
static const struct {
	const char *table;
	enum stmt all;
	enum stmt bystate;
} count_tables[] = {
    {"inbox", S_COUNT_INBOX, S_COUNT_INBOX_STATE},
    {"inbox_parts", S_COUNT_PARTS, S_COUNT_PARTS_STATE},
    {"reports", S_COUNT_REPORTS, S_COUNT_REPORTS_STATE},
    {"outbox", S_COUNT_OUTBOX, S_COUNT_OUTBOX_STATE},
    {"push_queue", S_COUNT_PUSH, S_COUNT_PUSH_STATE},
};

struct store {
	sqlite3 *db;
	char *path;
	int version;
	int disk_error; /* a write failed for lack of space or permission */
	int damaged;	/* a statement found the file malformed: never cleared */
	sqlite3_stmt *stmt[S_NSTMTS];
};

/* The errors that say the file cannot be written now, not that a statement
 * is wrong: they go away when space or permission comes back. */
static int
is_disk_error(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return 1;
	default:
		return 0;
	}
}

/* The errors that say the file itself is damaged: no retry makes them go
 * away, only a restored copy. */
static int
is_damage(int rc)
{
	return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

/* Remembers what kind of failure the last error on st was. */
static void
note_error(struct store *st)
{
	int rc = sqlite3_extended_errcode(st->db);

	if (is_disk_error(rc))
		st->disk_error = 1;
	if (is_damage(rc))
		st->damaged = 1;
}

static void
warn_db(struct store *st, const char *what)
{
	note_error(st);
	log_warnx("store: %s: %s", what, sqlite3_errmsg(st->db));
}

/* Takes a prepared statement, ready for binding. */
static sqlite3_stmt *
stmt_get(struct store *st, enum stmt id)
{
	sqlite3_stmt *s = st->stmt[id];

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Gives a statement back: ends its read and drops bound pointers. */
static void
stmt_put(struct store *st, enum stmt id)
{
	sqlite3_reset(st->stmt[id]);
	sqlite3_clear_bindings(st->stmt[id]);
}

/* Returns SQLITE_ROW or SQLITE_DONE, or -1 after logging. */
/*
 * Starts a walk over the rows of a statement, for a function that calls back
 * for each row.  Statements are shared: a callback that started another walk
 * on the same one would reset it under its caller, so that is refused.
 */
static int
walk_start(struct store *st, enum stmt id)
{
	if (sqlite3_stmt_busy(st->stmt[id])) {
		log_warnx("store: %s: already running", stmts[id].what);
		return -1;
	}
	stmt_get(st, id);
	return 0;
}

static int
step(struct store *st, enum stmt id)
{
	int rc;

	rc = sqlite3_step(st->stmt[id]);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		warn_db(st, stmts[id].what);
		return -1;
	}
	return rc;
}

/* Runs a statement without parameters or result, such as COMMIT. */
static int
run(struct store *st, enum stmt id)
{
	int rc;

	stmt_get(st, id);
	rc = step(st, id);
	stmt_put(st, id);
	return rc == -1 ? -1 : 0;
}

/* NULL binds SQL NULL.  The text must live until stmt_put(). */
static int
bind_text(struct store *st, enum stmt id, int i, const char *v)
{
	int rc;

	if (v == NULL)
		rc = sqlite3_bind_null(st->stmt[id], i);
	else
		rc = sqlite3_bind_text(st->stmt[id], i, v, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK) {
		warn_db(st, stmts[id].what);
		return -1;
	}
	return 0;
}

static int
bind_int(struct store *st, enum stmt id, int i, int64_t v)
{
	if (sqlite3_bind_int64(st->stmt[id], i, v) != SQLITE_OK) {
		warn_db(st, stmts[id].what);
		return -1;
	}
	return 0;
}

/* A foreign key that is 0 (or less) means "none". */
static int
bind_ref(struct store *st, enum stmt id, int i, int64_t v)
{
	if (v > 0)
		return bind_int(st, id, i, v);
	if (sqlite3_bind_null(st->stmt[id], i) != SQLITE_OK) {
		warn_db(st, stmts[id].what);
		return -1;
	}
	return 0;
}

/* Copies a text column into a fixed buffer; returns -1 when it had to be
 * cut (the buffer then holds the beginning). */
static int
column_copy(sqlite3_stmt *s, int col, char *dst, size_t dstsz)
{
	const unsigned char *v;
	size_t len;

	v = sqlite3_column_text(s, col);
	len = (size_t)sqlite3_column_bytes(s, col);
	if (v == NULL)
		len = 0;
	if (len >= dstsz) {
		memcpy(dst, v, dstsz - 1);
		dst[dstsz - 1] = '\0';
		return -1;
	}
	if (v != NULL && len > 0)
		memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

static char *
column_dup(struct store *st, sqlite3_stmt *s, int col)
{
	const unsigned char *v;
	char *p;
	size_t len;

	v = sqlite3_column_text(s, col);
	len = (size_t)sqlite3_column_bytes(s, col);
	if (v == NULL && sqlite3_errcode(st->db) == SQLITE_NOMEM) {
		log_warnx("store: out of memory");
		return NULL;
	}
	p = malloc(len + 1);
	if (p == NULL) {
		log_warn("store: malloc");
		return NULL;
	}
	if (v != NULL && len > 0)
		memcpy(p, v, len);
	p[len] = '\0';
	return p;
}

/* ---- Opening ---------------------------------------------------------- */

/*
 * SQLite takes a very short file (one byte) for an empty database and would
 * write a header over it, so whatever the file holds is checked here first:
 * an existing, non-empty file must start with the SQLite magic.
 */
static int
check_header(const char *path)
{
	static const char magic[16] = "SQLite format 3";
	char buf[sizeof(magic)];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			return 0; /* to be created, or refused by sqlite */
		log_warn("store: %s", path);
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n == -1) {
		log_warn("store: %s", path);
		return -1;
	}
	if (n == 0)
		return 0;
	if ((size_t)n < sizeof(magic) || memcmp(buf, magic, sizeof(magic)) != 0) {
		log_warnx("store: %s: not an SQLite database; refusing to use it (file left "
			  "untouched)",
			  path);
		return -1;
	}
	return 0;
}

/*
 * Names, phone numbers and reports: a new database is created here, mode
 * 0600 (SQLite would make it 0644 less the umask), before SQLite opens it
 * as an empty file.  Its -wal and -shm files take the database's mode.
 */
static int
create_private(const char *path)
{
	int fd;

	if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
		return 0;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		if (errno == EEXIST)
			return 0;
		log_warn("store: %s", path);
		return -1;
	}
	close(fd);
	return 0;
}

/* Runs a statement known at compile time that gives one integer. */
static int
query_int(struct store *st, const char *sql, int64_t *v)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		goto fail;
	*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;

fail:
	note_error(st);
	if (sqlite3_errcode(st->db) == SQLITE_NOTADB)
		log_warnx("store: %s: not an SQLite database; refusing to use it", st->path);
	else
		log_warnx("store: %s: %s: %s", st->path, sql, sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return -1;
}

static int
exec(struct store *st, const char *sql, const char *what)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		note_error(st);
		log_warnx("store: %s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

/* Durability settings of a read-write connection, each checked: a pragma
 * SQLite does not know is silently ignored. */
static int
set_pragmas(struct store *st)
{
	sqlite3_stmt *s = NULL;
	const char *mode;
	int64_t v;

	/* journal_mode answers with the mode actually in effect. */
	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		log_warnx("store: %s: journal_mode: %s", st->path, sqlite3_errmsg(st->db));
		goto fail;
	}
	mode = (const char *)sqlite3_column_text(s, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		log_warnx("store: %s: cannot use WAL mode (journal mode is %s)", st->path,
			  mode == NULL ? "unknown" : mode);
		goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;

	/* FULL: in WAL mode NORMAL may lose the last transactions on power
	 * loss, and every SMS that was taken off the phone must survive. */
	if (exec(st, "PRAGMA synchronous = FULL", "synchronous") == -1 ||
	    query_int(st, "PRAGMA synchronous", &v) == -1)
		goto fail;
	if (v != 2) {
		log_warnx("store: %s: synchronous is %lld, not FULL", st->path, (long long)v);
		goto fail;
	}
	return 0;

fail:
	sqlite3_finalize(s);
	return -1;
}

/* tinbao_phone(number): the stored form of a number (phone.h), for the
 * migration that brought every stored number to it. */
static void
sql_phone(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *n = sqlite3_value_text(argv[0]);
	char out[PHONE_MAX];

	if (n == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	phone_canonical((const char *)n, out, sizeof(out));
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

static int
add_functions(struct store *st)
{
	if (sqlite3_create_function(st->db, "tinbao_phone", 1,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
				    sql_phone, NULL, NULL) != SQLITE_OK) {
		log_warnx("store: %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

static int
set_foreign_keys(struct store *st)
{
	int64_t v;

	if (exec(st, "PRAGMA foreign_keys = ON", "foreign_keys") == -1 ||
	    query_int(st, "PRAGMA foreign_keys", &v) == -1)
		return -1;
	if (v != 1) {
		log_warnx("store: %s: foreign keys cannot be enabled", st->path);
		return -1;
	}
	return 0;
}

/*
 * Runs the missing migration steps.  The version is read again inside each
 * write transaction, so that two processes opening a new file at once do not
 * both run the same step.
 */
static int
migrate(struct store *st)
{
	int64_t v, nv;

	for (;;) {
		if (exec(st, "BEGIN IMMEDIATE", "begin migration") == -1)
			return -1;
		if (query_int(st, "PRAGMA user_version", &v) == -1)
			goto fail;
		if (v >= STORE_SCHEMA_VERSION)
			break;
		log_info("store: %s: migrating schema %lld -> %lld", st->path, (long long)v,
			 (long long)v + 1);
		if (exec(st, migrations[v], "migration") == -1 ||
		    query_int(st, "PRAGMA user_version", &nv) == -1)
			goto fail;
		if (nv != v + 1) {
			log_warnx("store: %s: migration %lld did not set version %lld", st->path,
				  (long long)v, (long long)v + 1);
			goto fail;
		}
		if (exec(st, "COMMIT", "commit migration") == -1)
			goto fail;
	}
	if (v > STORE_SCHEMA_VERSION) {
		log_warnx("store: %s: schema version %lld is newer than this tinbao knows (%d)",
			  st->path, (long long)v, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (exec(st, "COMMIT", "commit migration") == -1)
		goto fail;
	st->version = (int)v;
	return 0;

fail:
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Reads the version and decides whether this file can be used at all. */
static int
check_version(struct store *st, int flags)
{
	int64_t objects, v;

	/* The first read of the file: this is where a damaged one shows. */
	if (query_int(st,
		      "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' "
		      "ESCAPE '\\'",
		      &objects) == -1 ||
	    query_int(st, "PRAGMA user_version", &v) == -1)
		return -1;
	if (v > STORE_SCHEMA_VERSION) {
		log_warnx("store: %s: schema version %lld is newer than this tinbao knows (%d); "
			  "refusing to open it",
			  st->path, (long long)v, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (v == 0 && objects > 0) {
		log_warnx("store: %s: a database with tables but no tinbao schema version; "
			  "not a tinbao database?",
			  st->path);
		return -1;
	}
	if ((flags & STORE_READONLY) && v < STORE_SCHEMA_VERSION) {
		log_warnx("store: %s: schema version %lld, expected %d; open it read-write once "
			  "to upgrade it",
			  st->path, (long long)v, STORE_SCHEMA_VERSION);
		return -1;
	}
	st->version = (int)v;
	return 0;
}

/*
 * A WAL file left at open means the last run did not close the database
 * (store_close() removes it): a crash or a power cut.  SQLite recovers from
 * that by itself; the quick check is for the damage it cannot undo (a disk
 * that lied about fsync, a bad sector), found now rather than mid-batch.
 */
static int
left_unclean(const char *path)
{
	char wal[4096];
	struct stat sb;

	if ((size_t)snprintf(wal, sizeof(wal), "%s-wal", path) >= sizeof(wal))
		return 0;
	return stat(wal, &sb) == 0 && sb.st_size > 0;
}

static int
quick_check(struct store *st)
{
	sqlite3_stmt *s = NULL;
	const char *v;
	int rc, r = 0;

	if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check(5)", -1, &s, NULL) != SQLITE_OK) {
		log_warnx("store: %s: quick_check: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		v = (const char *)sqlite3_column_text(s, 0);
		if (v != NULL && strcmp(v, "ok") == 0)
			continue;
		log_warnx("store: %s: damaged: %s", st->path, v != NULL ? v : "?");
		r = -1;
	}
	if (rc != SQLITE_DONE) {
		log_warnx("store: %s: damaged: %s", st->path, sqlite3_errmsg(st->db));
		r = -1;
	}
	sqlite3_finalize(s);
	return r;
}

int
store_check_file(const char *path)
{
	struct store tmp;
	int r;

	memset(&tmp, 0, sizeof(tmp));
	tmp.path = (char *)path;
	if (sqlite3_open_v2(path, &tmp.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		log_warnx("store: %s: %s", path,
			  tmp.db != NULL ? sqlite3_errmsg(tmp.db) : "out of memory");
		sqlite3_close(tmp.db);
		return -1;
	}
	r = quick_check(&tmp);
	sqlite3_close(tmp.db);
	return r;
}

static int
prepare_all(struct store *st)
{
	size_t i;

	for (i = 0; i < S_NSTMTS; i++) {
		if (sqlite3_prepare_v3(st->db, stmts[i].sql, -1, SQLITE_PREPARE_PERSISTENT,
				       &st->stmt[i], NULL) != SQLITE_OK) {
			log_warnx("store: %s: prepare %s: %s", st->path, stmts[i].what,
				  sqlite3_errmsg(st->db));
			return -1;
		}
	}
	return 0;
}

struct store *
store_open(const char *path, int flags)
{
	struct store *st;
	int oflags, unclean;

	if (path == NULL || *path == '\0') {
		log_warnx("store: no database file given");
		return NULL;
	}
	if (check_header(path) == -1)
		return NULL;
	if (!(flags & STORE_READONLY) && create_private(path) == -1)
		return NULL;
	unclean = !(flags & STORE_READONLY) && left_unclean(path);
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		log_warn("store: calloc");
		return NULL;
	}
	st->path = strdup(path);
	if (st->path == NULL) {
		log_warn("store: strdup");
		goto fail;
	}

	if (flags & STORE_READONLY)
		oflags = SQLITE_OPEN_READONLY;
	else
		oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	/* A handle comes back even on failure; store_close() releases it. */
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		log_warnx("store: %s: %s", path,
			  st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);

	if (check_version(st, flags) == -1 || set_foreign_keys(st) == -1 || add_functions(st) == -1)
		goto fail;
	if (unclean) {
		log_info("store: %s: not closed cleanly last time; checking it", path);
		if (quick_check(st) == -1)
			goto fail;
	}
	if (!(flags & STORE_READONLY)) {
		if (set_pragmas(st) == -1)
			goto fail;
		if (st->version < STORE_SCHEMA_VERSION && migrate(st) == -1)
			goto fail;
	}
	if (prepare_all(st) == -1)
		goto fail;
	return st;

fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < S_NSTMTS; i++)
		sqlite3_finalize(st->stmt[i]);
	/* Closing the last connection also checkpoints and removes the WAL. */
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("store: %s: close: %s", st->path, sqlite3_errmsg(st->db));
	free(st->path);
	free(st);
}

int
store_disk_error(struct store *st)
{
	int e = st->disk_error;

	st->disk_error = 0;
	return e;
}

int
store_damaged(const struct store *st)
{
	return st->damaged;
}

int
store_reopen(struct store *st)
{
	struct store *n, tmp;

	if (sqlite3_db_readonly(st->db, "main") != 1)
		return 0;
	/* A fresh handle, swapped in only once it works in full. */
	n = store_open(st->path, 0);
	if (n == NULL)
		return -1;
	if (sqlite3_db_readonly(n->db, "main") == 1) {
		log_warnx("store: %s: still read-only", st->path);
		store_close(n);
		return -1;
	}
	tmp = *st;
	*st = *n;
	*n = tmp;
	store_close(n);
	log_info("store: %s: reopened read-write", st->path);
	return 1;
}

struct store_copy {
	sqlite3 *dst;
	sqlite3_backup *b;
	char *path;
};

struct store_copy *
store_copy_start(struct store *st, const char *dest)
{
	struct store_copy *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->path = strdup(dest)) == NULL) {
		log_warn("store: copy");
		free(c);
		return NULL;
	}
	if (sqlite3_open_v2(dest, &c->dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		log_warnx("store: copy to %s: %s", dest,
			  c->dst != NULL ? sqlite3_errmsg(c->dst) : "out of memory");
		goto fail;
	}
	/* The caller syncs the complete copy itself, away from the daemon's
	 * loop: SQLite's own fsync at the last step would hold the loop. */
	sqlite3_exec(c->dst, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
	c->b = sqlite3_backup_init(c->dst, "main", st->db, "main");
	if (c->b == NULL) {
		log_warnx("store: copy to %s: %s", dest, sqlite3_errmsg(c->dst));
		goto fail;
	}
	return c;

fail:
	sqlite3_close(c->dst);
	free(c->path);
	free(c);
	return NULL;
}

int
store_copy_step(struct store_copy *c, int pages)
{
	int rc = sqlite3_backup_step(c->b, pages);

	if (rc == SQLITE_DONE)
		return 1;
	if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return 0;
	log_warnx("store: copy to %s: %s", c->path, sqlite3_errstr(rc));
	return -1;
}

int
store_copy_finish(struct store_copy *c)
{
	int r = 0;

	if (c == NULL)
		return 0;
	if (sqlite3_backup_finish(c->b) != SQLITE_OK) {
		log_warnx("store: copy to %s: %s", c->path, sqlite3_errmsg(c->dst));
		r = -1;
	}
	/* The copy is a plain rollback-journal file: one file to carry away. */
	if (r == 0 &&
	    sqlite3_exec(c->dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		log_warnx("store: copy to %s: %s", c->path, sqlite3_errmsg(c->dst));
		r = -1;
	}
	if (sqlite3_close(c->dst) != SQLITE_OK) {
		log_warnx("store: copy to %s: close failed", c->path);
		r = -1;
	}
	free(c->path);
	free(c);
	return r;
}

int
store_schema_version(struct store *st)
{
	return st->version;
}

/* ---- Transactions ----------------------------------------------------- */

int
store_begin(struct store *st)
{
	return run(st, S_BEGIN);
}

int
store_commit(struct store *st)
{
	return run(st, S_COMMIT);
}

int
store_rollback(struct store *st)
{
	/* Some errors (disk full, I/O) already rolled the transaction back;
	 * there is nothing left to undo then. */
	if (sqlite3_get_autocommit(st->db))
		return 0;
	return run(st, S_ROLLBACK);
}

/* ---- Inbox ------------------------------------------------------------ */

int
store_inbox_add(struct store *st, const struct store_sms *sms, int64_t *id)
{
	int64_t rowid = 0;
	int added = 0;

	stmt_get(st, S_INBOX_ADD);
	if (bind_text(st, S_INBOX_ADD, 1, sms->sender) == -1 ||
	    bind_int(st, S_INBOX_ADD, 2, sms->smsc_time) == -1 ||
	    bind_int(st, S_INBOX_ADD, 3, sms->received) == -1 ||
	    bind_text(st, S_INBOX_ADD, 4, sms->text) == -1 ||
	    bind_text(st, S_INBOX_ADD, 5, sms->coding) == -1 ||
	    bind_int(st, S_INBOX_ADD, 6, sms->parts) == -1 ||
	    bind_text(st, S_INBOX_ADD, 7, sms->fingerprint) == -1 ||
	    bind_text(st, S_INBOX_ADD, 8, sms->modem) == -1 ||
	    bind_text(st, S_INBOX_ADD, 9, sms->missing) == -1 || step(st, S_INBOX_ADD) == -1)
		goto fail;
	/* DO NOTHING changes no row: the fingerprint is already known. */
	if (sqlite3_changes(st->db) == 1) {
		added = 1;
		rowid = sqlite3_last_insert_rowid(st->db);
	}
	stmt_put(st, S_INBOX_ADD);

	if (!added) {
		/* The same SMS again: nothing leaves the phone without being
		 * counted on its row. */
		stmt_get(st, S_INBOX_COPY);
		if (bind_text(st, S_INBOX_COPY, 1, sms->fingerprint) == -1 ||
		    step(st, S_INBOX_COPY) != SQLITE_ROW) {
			log_warnx("store: inbox add: %s: neither added nor found",
				  sms->fingerprint);
			stmt_put(st, S_INBOX_COPY);
			return -1;
		}
		rowid = sqlite3_column_int64(st->stmt[S_INBOX_COPY], 0);
		stmt_put(st, S_INBOX_COPY);
	}
	if (id != NULL)
		*id = rowid;
	return added;

fail:
	stmt_put(st, S_INBOX_ADD);
	return -1;
}

int
store_import_mark(struct store *st, const char *source, const char *key, int64_t at)
{
	int added;

	stmt_get(st, S_IMPORT_MARK);
	if (bind_text(st, S_IMPORT_MARK, 1, source) == -1 ||
	    bind_text(st, S_IMPORT_MARK, 2, key) == -1 ||
	    bind_int(st, S_IMPORT_MARK, 3, at) == -1 || step(st, S_IMPORT_MARK) == -1) {
		stmt_put(st, S_IMPORT_MARK);
		return -1;
	}
	added = sqlite3_changes(st->db) > 0;
	stmt_put(st, S_IMPORT_MARK);
	return added;
}

int
store_inbox_next_new(struct store *st, int64_t after, struct store_inmsg *msg)
{
	sqlite3_stmt *s;
	int rc;

	memset(msg, 0, sizeof(*msg));
	s = stmt_get(st, S_INBOX_NEXT_NEW);
	if (bind_int(st, S_INBOX_NEXT_NEW, 1, after) == -1)
		goto fail;
	rc = step(st, S_INBOX_NEXT_NEW);
	if (rc == -1)
		goto fail;
	if (rc == SQLITE_DONE) {
		stmt_put(st, S_INBOX_NEXT_NEW);
		return 0;
	}
	msg->id = sqlite3_column_int64(s, 0);
	/* A cut number would be somebody else's: better no reply at all. */
	if (column_copy(s, 1, msg->sender, sizeof(msg->sender)) == -1) {
		log_warnx("store: inbox %lld: sender too long, left empty", (long long)msg->id);
		msg->sender[0] = '\0';
	}
	msg->smsc_time = sqlite3_column_int64(s, 2);
	msg->received = sqlite3_column_int64(s, 3);
	msg->text = column_dup(st, s, 4);
	if (msg->text == NULL)
		goto fail;
	column_copy(s, 5, msg->missing, sizeof(msg->missing));
	column_copy(s, 6, msg->modem, sizeof(msg->modem));
	column_copy(s, 7, msg->coding, sizeof(msg->coding));
	stmt_put(st, S_INBOX_NEXT_NEW);
	return 1;

fail:
	stmt_put(st, S_INBOX_NEXT_NEW);
	return -1;
}

void
store_inmsg_clear(struct store_inmsg *msg)
{
	free(msg->text);
	msg->text = NULL;
}

int
store_inbox_set_state(struct store *st, int64_t id, const char *state, const char *error)
{
	if (state == NULL) {
		log_warnx("store: inbox %lld: no state given", (long long)id);
		return -1;
	}
	stmt_get(st, S_INBOX_SET_STATE);
	if (bind_text(st, S_INBOX_SET_STATE, 1, state) == -1 ||
	    bind_text(st, S_INBOX_SET_STATE, 2, error) == -1 ||
	    bind_int(st, S_INBOX_SET_STATE, 3, time(NULL)) == -1 ||
	    bind_int(st, S_INBOX_SET_STATE, 4, id) == -1 || step(st, S_INBOX_SET_STATE) == -1)
		goto fail;
	stmt_put(st, S_INBOX_SET_STATE);
	if (sqlite3_changes(st->db) != 1) {
		log_warnx("store: inbox %lld: no such message", (long long)id);
		return -1;
	}
	return 0;

fail:
	stmt_put(st, S_INBOX_SET_STATE);
	return -1;
}

/* ---- Multipart SMS ---------------------------------------------------- */

/* Binds ?1..?3, the parts set of a part, on a PART_SET statement. */
static int
bind_set(struct store *st, enum stmt id, const struct store_part *part)
{
	if (bind_text(st, id, 1, part->sender) == -1 ||
	    bind_int(st, id, 2, part->concat_ref) == -1 ||
	    bind_int(st, id, 3, part->part_count) == -1)
		return -1;
	return 0;
}

/* Returns 1 when the part was new, 0 when its fingerprint was known. */
static int
insert_part(struct store *st, const struct store_part *part)
{
	enum stmt id = S_PART_ADD;

	stmt_get(st, id);
	if (bind_text(st, id, 1, part->sender) == -1 ||
	    bind_int(st, id, 2, part->concat_ref) == -1 ||
	    bind_int(st, id, 3, part->part_no) == -1 ||
	    bind_int(st, id, 4, part->part_count) == -1 ||
	    bind_int(st, id, 5, part->smsc_time) == -1 ||
	    bind_int(st, id, 6, part->received) == -1 || bind_text(st, id, 7, part->text) == -1 ||
	    bind_text(st, id, 8, part->coding) == -1 ||
	    bind_text(st, id, 9, part->fingerprint) == -1 ||
	    bind_text(st, id, 10, part->modem) == -1 || step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	if (sqlite3_changes(st->db) == 1)
		return 1;
	stmt_get(st, S_PART_COPY);
	if (bind_text(st, S_PART_COPY, 1, part->fingerprint) == -1 || step(st, S_PART_COPY) == -1) {
		stmt_put(st, S_PART_COPY);
		return -1;
	}
	stmt_put(st, S_PART_COPY);
	return 0;
}

/* Returns 1 when every part number of the set is there. */
static int
set_complete(struct store *st, const struct store_part *part)
{
	int64_t n;

	stmt_get(st, S_PART_COUNT);
	if (bind_set(st, S_PART_COUNT, part) == -1 || step(st, S_PART_COUNT) != SQLITE_ROW) {
		stmt_put(st, S_PART_COUNT);
		return -1;
	}
	n = sqlite3_column_int64(st->stmt[S_PART_COUNT], 0);
	stmt_put(st, S_PART_COUNT);
	/* The CHECK keeps part numbers within 1..part_count, so as many
	 * distinct numbers as parts means all of them. */
	return n == part->part_count;
}

/* The joined message while it is being read from the parts. */
struct joined {
	char *text;
	size_t len, size;
	char *coding;
	char *fingerprint;
	char *modem;
	int64_t smsc_time;
	int64_t received;
	unsigned char gaps[256]; /* partial joins: gaps[k], part k is missing */
};

static int
append(struct joined *j, const char *s, size_t len)
{
	size_t nsize;
	char *p;

	if (j->len + len + 1 > j->size) {
		nsize = j->size == 0 ? 512 : j->size;
		while (nsize < j->len + len + 1)
			nsize *= 2;
		p = realloc(j->text, nsize);
		if (p == NULL) {
			log_warn("store: realloc");
			return -1;
		}
		j->text = p;
		j->size = nsize;
	}
	memcpy(j->text + j->len, s, len);
	j->len += len;
	j->text[j->len] = '\0';
	return 0;
}

#define GAP " … " /* where a missing part was */

/* Marks part k missing in a partial join. */
static int
gap(struct joined *j, int64_t k)
{
	if (k > 0 && k < (int64_t)sizeof(j->gaps))
		j->gaps[k] = 1;
	return append(j, GAP, strlen(GAP));
}

/*
 * The missing parts of j as the sender is told them: "2", "2,3", runs of
 * three or more as "2-14", at most MISSING_MAX characters; what does not
 * fit becomes a final ",...", never a number cut or a dangling comma.
 */
#define MISSING_MAX 24
static void
missing_list(const struct joined *j, int count, char *out, size_t outsz)
{
	char item[24];
	size_t len = 0, max = outsz - 1 < MISSING_MAX ? outsz - 1 : MISSING_MAX;
	int i, k, end, more, n = count < (int)sizeof(j->gaps) ? count : (int)sizeof(j->gaps) - 1;

	out[0] = '\0';
	for (k = 1; k <= n; k = end + 1) {
		end = k;
		if (!j->gaps[k])
			continue;
		while (end < n && j->gaps[end + 1])
			end++;
		if (end - k >= 2)
			snprintf(item, sizeof(item), "%s%d-%d", len > 0 ? "," : "", k, end);
		else if (end > k)
			snprintf(item, sizeof(item), "%s%d,%d", len > 0 ? "," : "", k, end);
		else
			snprintf(item, sizeof(item), "%s%d", len > 0 ? "," : "", k);
		for (more = 0, i = end + 1; i <= n && !more; i++)
			more = j->gaps[i];
		/* Room left for ",..." after this item, unless it is the last. */
		if (len + strlen(item) + (more ? 4 : 0) > max) {
			snprintf(out + len, outsz - len, ",...");
			return;
		}
		memcpy(out + len, item, strlen(item) + 1);
		len += strlen(item);
	}
}

/*
 * Reads a complete set in part order (group_concat() has no reliable order)
 * into j.  A part number may appear twice with different fingerprints when a
 * phone reused its 8-bit reference before an older message was complete:
 * the rows come highest id first within a number, and the most recent one is
 * taken.
 */
static int
read_parts(struct store *st, const struct store_part *part, struct joined *j, int partial)
{
	sqlite3_stmt *s;
	const char *text;
	int64_t no, k, last = 0;
	int rc;

	s = stmt_get(st, S_PART_LIST);
	if (bind_set(st, S_PART_LIST, part) == -1)
		goto fail;
	for (;;) {
		rc = step(st, S_PART_LIST);
		if (rc == -1)
			goto fail;
		if (rc == SQLITE_DONE)
			break;
		no = sqlite3_column_int64(s, 0);
		if (no == last)
			continue;
		for (k = last + 1; partial && k < no; k++)
			if (gap(j, k) == -1)
				goto fail;
		last = no;
		if (j->fingerprint == NULL) {
			/* The first part there (part 1 of a complete set). */
			j->smsc_time = sqlite3_column_int64(s, 1);
			j->coding = column_dup(st, s, 4);
			j->fingerprint = column_dup(st, s, 5);
			if (j->coding == NULL || j->fingerprint == NULL)
				goto fail;
			if (sqlite3_column_type(s, 6) != SQLITE_NULL) {
				j->modem = column_dup(st, s, 6);
				if (j->modem == NULL)
					goto fail;
			}
		}
		if (sqlite3_column_int64(s, 2) > j->received)
			j->received = sqlite3_column_int64(s, 2);
		text = (const char *)sqlite3_column_text(s, 3);
		if (text != NULL && append(j, text, (size_t)sqlite3_column_bytes(s, 3)) == -1)
			goto fail;
	}
	stmt_put(st, S_PART_LIST);
	for (k = last + 1; partial && j->fingerprint != NULL && k <= part->part_count; k++)
		if (gap(j, k) == -1)
			return -1;
	if (j->fingerprint == NULL || (!partial && last != part->part_count)) {
		log_warnx("store: parts of %s ref %d: set incomplete when joined", part->sender,
			  part->concat_ref);
		return -1;
	}
	return append(j, "", 0);

fail:
	stmt_put(st, S_PART_LIST);
	return -1;
}

/* Joins a complete set (or, partial = 1, what is there of one) into an
 * inbox row and marks its parts with it. */
static int
join_parts(struct store *st, const struct store_part *part, int64_t *id, int partial)
{
	struct joined j = {0};
	struct store_sms sms;
	char *fp = NULL, missing[48], list[MISSING_MAX + 1];
	size_t fplen;
	int rc = -1, added;

	if (read_parts(st, part, &j, partial) == -1)
		goto out;
	fplen = strlen(j.fingerprint) + sizeof("/m");
	fp = malloc(fplen);
	if (fp == NULL) {
		log_warn("store: malloc");
		goto out;
	}
	snprintf(fp, fplen, "%s/%c", j.fingerprint, partial ? 'p' : 'm');
	memset(&sms, 0, sizeof(sms));
	sms.modem = part->modem != NULL ? part->modem : j.modem;
	if (partial) {
		missing_list(&j, part->part_count, list, sizeof(list));
		snprintf(missing, sizeof(missing), "%s/%d", list, part->part_count);
		sms.missing = missing;
	}

	sms.sender = part->sender;
	sms.smsc_time = j.smsc_time;
	sms.received = j.received;
	sms.text = j.text;
	sms.coding = j.coding;
	sms.parts = part->part_count;
	sms.fingerprint = fp;
	added = store_inbox_add(st, &sms, id);
	if (added == -1)
		goto out;

	/* Every pending row of the set, superseded duplicates included, so
	 * that none of them is joined again into a later message. */
	stmt_get(st, S_PART_JOIN);
	if (bind_set(st, S_PART_JOIN, part) == -1 || bind_int(st, S_PART_JOIN, 4, *id) == -1 ||
	    step(st, S_PART_JOIN) == -1) {
		stmt_put(st, S_PART_JOIN);
		goto out;
	}
	stmt_put(st, S_PART_JOIN);
	rc = added;

out:
	free(fp);
	free(j.text);
	free(j.coding);
	free(j.fingerprint);
	free(j.modem);
	return rc;
}

/* 1 when the pending set already has another part with this part's
 * number (and this part was never seen), 0 when not, -1. */
static int
part_clash(struct store *st, const struct store_part *part)
{
	int rc;

	stmt_get(st, S_PART_CLASH);
	if (bind_set(st, S_PART_CLASH, part) == -1 ||
	    bind_int(st, S_PART_CLASH, 4, part->part_no) == -1 ||
	    bind_text(st, S_PART_CLASH, 5, part->fingerprint) == -1) {
		stmt_put(st, S_PART_CLASH);
		return -1;
	}
	rc = step(st, S_PART_CLASH);
	stmt_put(st, S_PART_CLASH);
	return rc == -1 ? -1 : rc == SQLITE_ROW;
}

static int
part_add(struct store *st, const struct store_part *part, int64_t *id)
{
	int64_t older;
	int rc;

	/*
	 * A phone reused its concatenation reference before the parts of an
	 * older message were all there (or two messages cross): the older
	 * parts become a message of their own now, processed as incomplete,
	 * and this part starts the next one.  Joining by guess would drop one
	 * of the two texts.
	 */
	rc = part_clash(st, part);
	if (rc == -1)
		return -1;
	if (rc == 1) {
		log_warnx("store: SMS from %s: a second part %d/%d with reference %d; the "
			  "message waiting for its other parts is kept as it is (incomplete), "
			  "this part begins a new one",
			  part->sender, part->part_no, part->part_count, part->concat_ref);
		if (join_parts(st, part, &older, 1) == -1)
			return -1;
	}
	rc = insert_part(st, part);
	if (rc != 1)
		return rc;
	rc = set_complete(st, part);
	if (rc != 1)
		return rc;
	return join_parts(st, part, id, 0);
}

int
store_parts_expire(struct store *st, int64_t before, int64_t late_since, int64_t *id)
{
	struct store_part set;
	sqlite3_stmt *s;
	char *sender = NULL;
	int rc;

	*id = 0;
	s = stmt_get(st, S_PART_EXPIRED);
	if (bind_int(st, S_PART_EXPIRED, 1, before) == -1 ||
	    bind_int(st, S_PART_EXPIRED, 2, late_since) == -1)
		goto fail;
	rc = step(st, S_PART_EXPIRED);
	if (rc == -1)
		goto fail;
	if (rc == SQLITE_DONE) {
		stmt_put(st, S_PART_EXPIRED);
		return 0;
	}
	memset(&set, 0, sizeof(set));
	sender = column_dup(st, s, 0);
	if (sender == NULL)
		goto fail;
	set.sender = sender;
	set.concat_ref = sqlite3_column_int(s, 1);
	set.part_count = sqlite3_column_int(s, 2);
	stmt_put(st, S_PART_EXPIRED);
	rc = join_parts(st, &set, id, 1);
	free(sender);
	return rc == -1 ? -1 : 1;

fail:
	stmt_put(st, S_PART_EXPIRED);
	free(sender);
	return -1;
}

int
store_part_add(struct store *st, const struct store_part *part, int64_t *id)
{
	int64_t joined = 0;
	int rc;

	if (id != NULL)
		*id = 0;
	if (part->part_count < 1 || part->part_no < 1 || part->part_no > part->part_count) {
		log_warnx("store: part %d of %d from %s: bad numbering", part->part_no,
			  part->part_count, part->sender != NULL ? part->sender : "?");
		return -1;
	}
	/* A savepoint makes the part and its join one change, whether or not
	 * the caller opened a transaction. */
	if (run(st, S_SAVEPOINT) == -1)
		return -1;
	rc = part_add(st, part, &joined);
	if (rc == -1 || run(st, S_RELEASE) == -1)
		goto fail;
	if (rc == 1 && id != NULL)
		*id = joined;
	return rc;

fail:
	/* ROLLBACK TO keeps the savepoint open, hence the RELEASE.  After some
	 * errors (disk full, I/O) SQLite has already rolled the whole
	 * transaction back, and there is no savepoint left. */
	if (!sqlite3_get_autocommit(st->db)) {
		run(st, S_ROLLBACK_TO);
		run(st, S_RELEASE);
	}
	return -1;
}

/* ---- Reports ---------------------------------------------------------- */

int
store_report_add(struct store *st, const struct store_report *r, int64_t *ref)
{
	enum stmt id = S_REPORT_ADD;

	stmt_get(st, id);
	if (bind_int(st, id, 1, r->inbox_id) == -1 || bind_text(st, id, 2, r->kind) == -1 ||
	    bind_text(st, id, 3, r->commune_code) == -1 || bind_text(st, id, 4, r->commune) == -1 ||
	    bind_text(st, id, 5, r->trade_code) == -1 || bind_text(st, id, 6, r->trade) == -1 ||
	    bind_int(st, id, 7, r->count) == -1 || bind_int(st, id, 8, r->trained) == -1 ||
	    bind_int(st, id, 9, r->year) == -1 || bind_int(st, id, 10, r->half) == -1 ||
	    bind_text(st, id, 11, r->sender) == -1 || bind_int(st, id, 12, r->created) == -1 ||
	    step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	if (ref != NULL)
		*ref = sqlite3_last_insert_rowid(st->db);
	return 0;
}

static void
read_report(sqlite3_stmt *s, struct store_report_row *r)
{
	memset(r, 0, sizeof(*r));
	/* Display fields: a cut name is still useful. */
	r->ref = sqlite3_column_int64(s, 0);
	r->inbox_id = sqlite3_column_int64(s, 1);
	column_copy(s, 2, r->kind, sizeof(r->kind));
	column_copy(s, 3, r->commune_code, sizeof(r->commune_code));
	column_copy(s, 4, r->commune, sizeof(r->commune));
	column_copy(s, 5, r->trade_code, sizeof(r->trade_code));
	column_copy(s, 6, r->trade, sizeof(r->trade));
	r->count = (long)sqlite3_column_int64(s, 7);
	r->trained = (long)sqlite3_column_int64(s, 8);
	r->year = sqlite3_column_int(s, 9);
	r->half = sqlite3_column_int(s, 10);
	column_copy(s, 11, r->sender, sizeof(r->sender));
	r->created = sqlite3_column_int64(s, 12);
	r->cancelled = sqlite3_column_int(s, 13);
}

int
store_reports_foreach(struct store *st, int (*cb)(void *arg, const struct store_report_row *r),
		      void *arg)
{
	struct store_report_row row;
	sqlite3_stmt *s = st->stmt[S_REPORT_ALL];
	int rc;

	if (walk_start(st, S_REPORT_ALL) == -1)
		return -1;
	for (;;) {
		rc = step(st, S_REPORT_ALL);
		if (rc == -1)
			goto fail;
		if (rc == SQLITE_DONE)
			break;
		read_report(s, &row);
		if (cb(arg, &row) != 0)
			break;
	}
	stmt_put(st, S_REPORT_ALL);
	return 0;

fail:
	stmt_put(st, S_REPORT_ALL);
	return -1;
}

/* Runs a COUNTED statement for a year and a commune code (NULL: all) and
 * leaves it on its row. */
static int
query_counted(struct store *st, enum stmt id, const char *commune_code, int year)
{
	stmt_get(st, id);
	if (bind_int(st, id, 1, year) == -1 || bind_text(st, id, 2, commune_code) == -1 ||
	    step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	return 0;
}

int
store_totals(struct store *st, const char *commune_code, int year, struct store_totals *t)
{
	sqlite3_stmt *s;

	memset(t, 0, sizeof(*t));
	if (query_counted(st, S_TOTALS, commune_code, year) == -1)
		return -1;
	s = st->stmt[S_TOTALS];
	t->enrol = (long)sqlite3_column_int64(s, 0);
	t->grad = (long)sqlite3_column_int64(s, 1);
	t->job = (long)sqlite3_column_int64(s, 2);
	t->need = (long)sqlite3_column_int64(s, 3);
	t->reports = (long)sqlite3_column_int64(s, 4);
	stmt_put(st, S_TOTALS);

	if (query_counted(st, S_TOTALS_LABOUR, commune_code, year) == -1)
		return -1;
	s = st->stmt[S_TOTALS_LABOUR];
	t->labour = (long)sqlite3_column_int64(s, 0);
	t->trained = (long)sqlite3_column_int64(s, 1);
	stmt_put(st, S_TOTALS_LABOUR);
	return 0;
}

/* ---- Outbox ----------------------------------------------------------- */

int
store_outbox_add(struct store *st, const char *to, const char *text, const char *reason,
		 int64_t inbox_id, int64_t *id)
{
	enum stmt sid = S_OUTBOX_ADD;
	char canon[PHONE_MAX];

	/* store_outmsg.to could not give it back whole. */
	if (to != NULL && strlen(to) >= sizeof(((struct store_outmsg *)0)->to)) {
		log_warnx("store: outbox add: recipient %s too long", to);
		return -1;
	}
	/* One phone, one recipient: the per-number limits count it once. */
	if (to != NULL)
		phone_canonical(to, canon, sizeof(canon));
	stmt_get(st, sid);
	if (bind_text(st, sid, 1, to != NULL ? canon : NULL) == -1 ||
	    bind_text(st, sid, 2, text) == -1 || bind_text(st, sid, 3, reason) == -1 ||
	    bind_ref(st, sid, 4, inbox_id) == -1 || bind_int(st, sid, 5, time(NULL)) == -1 ||
	    step(st, sid) == -1) {
		stmt_put(st, sid);
		return -1;
	}
	stmt_put(st, sid);
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_outbox_next(struct store *st, int64_t after, struct store_outmsg *msg)
{
	sqlite3_stmt *s;
	int rc;

	memset(msg, 0, sizeof(*msg));
	s = stmt_get(st, S_OUTBOX_NEXT);
	if (bind_int(st, S_OUTBOX_NEXT, 1, after) == -1)
		goto fail;
	rc = step(st, S_OUTBOX_NEXT);
	if (rc == -1)
		goto fail;
	if (rc == SQLITE_DONE) {
		stmt_put(st, S_OUTBOX_NEXT);
		return 0;
	}
	msg->id = sqlite3_column_int64(s, 0);
	if (column_copy(s, 1, msg->to, sizeof(msg->to)) == -1) {
		log_warnx("store: outbox %lld: recipient too long", (long long)msg->id);
		goto fail;
	}
	msg->text = column_dup(st, s, 2);
	if (msg->text == NULL)
		goto fail;
	msg->attempts = sqlite3_column_int(s, 3);
	column_copy(s, 4, msg->reason, sizeof(msg->reason));
	stmt_put(st, S_OUTBOX_NEXT);
	return 1;

fail:
	stmt_put(st, S_OUTBOX_NEXT);
	return -1;
}

void
store_outmsg_clear(struct store_outmsg *msg)
{
	free(msg->text);
	msg->text = NULL;
}

int
store_outbox_set_state(struct store *st, int64_t id, const char *state, const char *error)
{
	enum stmt sid = S_OUTBOX_SET_STATE;

	if (state == NULL) {
		log_warnx("store: outbox %lld: no state given", (long long)id);
		return -1;
	}
	stmt_get(st, sid);
	if (bind_text(st, sid, 1, state) == -1 || bind_int(st, sid, 2, time(NULL)) == -1 ||
	    bind_text(st, sid, 3, error) == -1 || bind_int(st, sid, 4, id) == -1 ||
	    step(st, sid) == -1) {
		stmt_put(st, sid);
		return -1;
	}
	stmt_put(st, sid);
	if (sqlite3_changes(st->db) != 1) {
		log_warnx("store: outbox %lld: no such queued message", (long long)id);
		return -1;
	}
	return 0;
}

/* ---- Push queue and counts -------------------------------------------- */

int
store_push_add(struct store *st, const char *type, int64_t at, const char *payload)
{
	enum stmt id = S_PUSH_ADD;
	int rc = 0;

	stmt_get(st, id);
	if (bind_text(st, id, 1, type) == -1 || bind_int(st, id, 2, at) == -1 ||
	    bind_text(st, id, 3, payload) == -1 || bind_int(st, id, 4, time(NULL)) == -1 ||
	    step(st, id) == -1)
		rc = -1;
	stmt_put(st, id);
	return rc;
}

/* ---- Push to the district server ---------------------------- */

int
store_push_pending(struct store *st, const char *gateway, int limit,
		   int (*cb)(void *arg, const struct store_push_row *row), void *arg)
{
	enum stmt id = S_PUSH_PENDING;
	struct store_push_row row;
	sqlite3_stmt *s = st->stmt[id];
	int rc, n = 0;

	if (walk_start(st, id) == -1)
		return -1;
	if (bind_text(st, id, 1, gateway) == -1 || bind_int(st, id, 2, limit) == -1)
		goto fail;
	for (;;) {
		rc = step(st, id);
		if (rc == -1)
			goto fail;
		if (rc == SQLITE_DONE)
			break;
		row.id = sqlite3_column_int64(s, 0);
		row.type = (const char *)sqlite3_column_text(s, 1);
		row.at = sqlite3_column_int64(s, 2);
		row.event = (const char *)sqlite3_column_text(s, 3);
		row.kind = (const char *)sqlite3_column_text(s, 4);
		row.commune_code = (const char *)sqlite3_column_text(s, 5);
		row.trade_code = (const char *)sqlite3_column_text(s, 6);
		row.month = (const char *)sqlite3_column_text(s, 7);
		if (row.type == NULL) {
			log_warnx("store: push pending: out of memory");
			goto fail;
		}
		n++;
		if (cb(arg, &row) != 0)
			break;
	}
	stmt_put(st, id);
	return n;

fail:
	stmt_put(st, id);
	return -1;
}

int
store_push_accept(struct store *st, const char *prefix, int64_t first, int64_t last,
		  const char *answer, int64_t now)
{
	enum stmt id = S_PUSH_ACCEPT;

	stmt_get(st, id);
	if (bind_text(st, id, 1, answer) == -1 || bind_int(st, id, 2, first) == -1 ||
	    bind_int(st, id, 3, last) == -1 || bind_int(st, id, 4, now) == -1 ||
	    bind_text(st, id, 5, prefix) == -1 || step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	return sqlite3_changes(st->db);
}

int
store_push_done(struct store *st, int64_t event, int64_t now, const char *note)
{
	enum stmt id = S_PUSH_DONE;

	stmt_get(st, id);
	if (bind_int(st, id, 1, event) == -1 || bind_int(st, id, 2, now) == -1 ||
	    bind_text(st, id, 3, note) == -1 || step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	return sqlite3_changes(st->db);
}

int
store_push_park(struct store *st, int64_t event, const char *answer)
{
	enum stmt id = S_PUSH_PARK;

	stmt_get(st, id);
	if (bind_int(st, id, 1, event) == -1 || bind_text(st, id, 2, answer) == -1 ||
	    step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	return sqlite3_changes(st->db);
}

int
store_push_retry(struct store *st, int64_t event)
{
	enum stmt id = event > 0 ? S_PUSH_RETRY : S_PUSH_RETRY_ALL;

	stmt_get(st, id);
	if ((event > 0 && bind_int(st, id, 1, event) == -1) || step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	return sqlite3_changes(st->db);
}

int
store_push_parked_foreach(struct store *st,
			  int (*cb)(void *arg, int64_t id, const char *type, int64_t at,
				    const char *answer),
			  void *arg)
{
	enum stmt id = S_PUSH_PARKED;
	sqlite3_stmt *s = st->stmt[id];
	const char *type, *answer;
	int rc;

	if (walk_start(st, id) == -1)
		return -1;
	for (;;) {
		rc = step(st, id);
		if (rc == -1)
			goto fail;
		if (rc == SQLITE_DONE)
			break;
		type = (const char *)sqlite3_column_text(s, 1);
		answer = (const char *)sqlite3_column_text(s, 3);
		if (type == NULL || answer == NULL) {
			log_warnx("store: push parked: out of memory");
			goto fail;
		}
		if (cb(arg, sqlite3_column_int64(s, 0), type, sqlite3_column_int64(s, 2), answer) !=
		    0)
			break;
	}
	stmt_put(st, id);
	return 0;

fail:
	stmt_put(st, id);
	return -1;
}

int
store_push_state_get(struct store *st, struct store_push_state *ps)
{
	enum stmt id = S_PUSH_STATE_GET;
	sqlite3_stmt *s;

	memset(ps, 0, sizeof(*ps));
	s = stmt_get(st, id);
	if (step(st, id) != SQLITE_ROW) {
		log_warnx("store: push state: no row");
		stmt_put(st, id);
		return -1;
	}
	ps->failures = sqlite3_column_int(s, 0);
	ps->next_attempt = sqlite3_column_int64(s, 1);
	ps->last_attempt = sqlite3_column_int64(s, 2);
	ps->last_success = sqlite3_column_int64(s, 3);
	column_copy(s, 4, ps->last_error, sizeof(ps->last_error));
	ps->last_error_at = sqlite3_column_int64(s, 5);
	ps->last_status = sqlite3_column_int64(s, 6);
	stmt_put(st, id);
	return 0;
}

int
store_push_state_put(struct store *st, const struct store_push_state *ps)
{
	enum stmt id = S_PUSH_STATE_PUT;

	stmt_get(st, id);
	if (bind_int(st, id, 1, ps->failures) == -1 ||
	    bind_int(st, id, 2, ps->next_attempt) == -1 ||
	    bind_int(st, id, 3, ps->last_attempt) == -1 ||
	    bind_int(st, id, 4, ps->last_success) == -1 ||
	    bind_text(st, id, 5, ps->last_error) == -1 ||
	    bind_int(st, id, 6, ps->last_error_at) == -1 ||
	    bind_int(st, id, 7, ps->last_status) == -1 || step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	return 0;
}

int
store_push_stats(struct store *st, struct store_push_stats *ps)
{
	enum stmt id = S_PUSH_STATS;
	sqlite3_stmt *s;

	memset(ps, 0, sizeof(*ps));
	s = stmt_get(st, id);
	if (step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	ps->pending = sqlite3_column_int64(s, 0);
	ps->parked = sqlite3_column_int64(s, 1);
	ps->sent = sqlite3_column_int64(s, 2);
	ps->oldest_pending = sqlite3_column_int64(s, 3);
	stmt_put(st, id);
	return 0;
}

/* Remembers a district SMS id; 1 when it is new, 0 when seen before. */
static int
outgoing_seen(struct store *st, const char *server_id, int64_t now)
{
	enum stmt id = S_PUSH_SEEN;

	stmt_get(st, id);
	if (bind_text(st, id, 1, server_id) == -1 || bind_int(st, id, 2, now) == -1 ||
	    step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	return sqlite3_changes(st->db) == 1;
}

int
store_push_outgoing_add(struct store *st, const char *server_id, const char *to, const char *text,
			int64_t now)
{
	enum stmt id = S_PUSH_SEEN_LINK;
	int64_t outbox = 0;
	int rc;

	rc = outgoing_seen(st, server_id, now);
	if (rc != 1)
		return rc;
	if (store_outbox_add(st, to, text, "district", 0, &outbox) == -1)
		return -1;
	stmt_get(st, id);
	if (bind_text(st, id, 1, server_id) == -1 || bind_int(st, id, 2, outbox) == -1 ||
	    step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	return 1;
}

int
store_push_outgoing_refuse(struct store *st, const char *server_id, const char *payload,
			   int64_t now)
{
	int rc;

	rc = outgoing_seen(st, server_id, now);
	if (rc != 1)
		return rc;
	if (store_push_add(st, "sms.failed", now, payload) == -1)
		return -1;
	return 1;
}

int
store_push_cell(struct store *st, const char *kind, const char *commune_code,
		const char *trade_code, const char *month, long *count, long *trained)
{
	enum stmt id = strcmp(kind, "labour") == 0 ? S_PUSH_CELL_LATEST : S_PUSH_CELL_SUM;
	sqlite3_stmt *s;
	int rc;

	*count = *trained = 0;
	s = stmt_get(st, id);
	if (bind_text(st, id, 1, kind) == -1 || bind_text(st, id, 2, commune_code) == -1 ||
	    bind_text(st, id, 3, trade_code) == -1 || bind_text(st, id, 4, month) == -1)
		goto fail;
	rc = step(st, id);
	if (rc == -1)
		goto fail;
	if (rc == SQLITE_ROW) {
		*count = (long)sqlite3_column_int64(s, 0);
		*trained = (long)sqlite3_column_int64(s, 1);
	}
	stmt_put(st, id);
	return 0;

fail:
	stmt_put(st, id);
	return -1;
}

/* ---- JSON through SQLite's JSON1 -------------------------------------- */

int
store_json_valid(struct store *st, const char *json)
{
	enum stmt id = S_JSON_VALID;
	int v;

	stmt_get(st, id);
	if (bind_text(st, id, 1, json) == -1 || step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	v = sqlite3_column_int(st->stmt[id], 0);
	stmt_put(st, id);
	return v != 0;
}

int
store_json_get(struct store *st, const char *json, const char *path, char *type, size_t typesz,
	       char *val, size_t valsz)
{
	enum stmt id = S_JSON_GET;
	sqlite3_stmt *s;

	if (typesz > 0)
		type[0] = '\0';
	if (valsz > 0)
		val[0] = '\0';
	s = stmt_get(st, id);
	if (bind_text(st, id, 1, json) == -1 || bind_text(st, id, 2, path) == -1 ||
	    step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
		stmt_put(st, id);
		return 0;
	}
	if (typesz > 0)
		column_copy(s, 0, type, typesz);
	if (valsz > 0)
		column_copy(s, 1, val, valsz);
	stmt_put(st, id);
	return 1;
}

int64_t
store_count(struct store *st, const char *table, const char *state)
{
	enum stmt id;
	int64_t n;
	size_t i;

	for (i = 0; i < nitems(count_tables); i++) {
		if (table != NULL && strcmp(table, count_tables[i].table) == 0)
			break;
	}
	if (i == nitems(count_tables)) {
		log_warnx("store: count: unknown table %s", table != NULL ? table : "(null)");
		return -1;
	}
	id = state == NULL ? count_tables[i].all : count_tables[i].bystate;
	stmt_get(st, id);
	if ((state != NULL && bind_text(st, id, 1, state) == -1) || step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	n = sqlite3_column_int64(st->stmt[id], 0);
	stmt_put(st, id);
	return n;
}

/* ---- Digests, reminders and the plan report ----------------- */

int
store_sums_foreach(struct store *st, int year, int half,
		   int (*cb)(void *arg, const struct store_sum *sum), void *arg)
{
	enum stmt id = S_SUMS;
	sqlite3_stmt *s = st->stmt[id];
	struct store_sum sum;
	int rc;

	if (walk_start(st, id) == -1)
		return -1;
	if (bind_int(st, id, 1, year) == -1 || bind_int(st, id, 2, half) == -1)
		goto fail;
	for (;;) {
		rc = step(st, id);
		if (rc == -1)
			goto fail;
		if (rc == SQLITE_DONE)
			break;
		sum.commune_code = (const char *)sqlite3_column_text(s, 0);
		sum.kind = (const char *)sqlite3_column_text(s, 1);
		sum.trade_code = (const char *)sqlite3_column_text(s, 2);
		sum.reports = (long)sqlite3_column_int64(s, 3);
		sum.count = (long)sqlite3_column_int64(s, 4);
		sum.trained = (long)sqlite3_column_int64(s, 5);
		sum.cancelled = (long)sqlite3_column_int64(s, 6);
		if (sum.commune_code == NULL || sum.kind == NULL) {
			log_warnx("store: period sums: out of memory");
			goto fail;
		}
		if (cb(arg, &sum) != 0)
			break;
	}
	stmt_put(st, id);
	return 0;

fail:
	stmt_put(st, id);
	return -1;
}

int
store_commune_sum(struct store *st, const char *commune_code, const char *kind, int year,
		  long *count)
{
	enum stmt id = S_COMMUNE_SUM;

	*count = 0;
	stmt_get(st, id);
	if (bind_int(st, id, 1, year) == -1 || bind_text(st, id, 2, commune_code) == -1 ||
	    bind_text(st, id, 3, kind) == -1 || step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	*count = (long)sqlite3_column_int64(st->stmt[id], 0);
	stmt_put(st, id);
	return 0;
}

int
store_labour_latest(struct store *st, const char *commune_code, int year, int half, long *labour,
		    long *trained)
{
	enum stmt id = S_LABOUR_LATEST;
	sqlite3_stmt *s;
	int rc;

	*labour = *trained = 0;
	s = stmt_get(st, id);
	if (bind_int(st, id, 1, year) == -1 || bind_text(st, id, 2, commune_code) == -1 ||
	    bind_int(st, id, 3, half == 1 ? 1 : 2) == -1)
		goto fail;
	rc = step(st, id);
	if (rc == -1)
		goto fail;
	if (rc == SQLITE_ROW) {
		*labour = (long)sqlite3_column_int64(s, 0);
		*trained = (long)sqlite3_column_int64(s, 1);
	}
	stmt_put(st, id);
	return rc == SQLITE_ROW;

fail:
	stmt_put(st, id);
	return -1;
}

int
store_last_report(struct store *st, const char *commune_code, int64_t *at)
{
	enum stmt id = S_LAST_REPORT;
	sqlite3_stmt *s;
	int found;

	*at = 0;
	s = stmt_get(st, id);
	if (bind_text(st, id, 1, commune_code) == -1 || step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	found = sqlite3_column_type(s, 0) != SQLITE_NULL;
	if (found)
		*at = sqlite3_column_int64(s, 0);
	stmt_put(st, id);
	return found;
}

int
store_reports_since(struct store *st, int64_t after, int64_t until,
		    int (*cb)(void *arg, const char *kind, long reports, long count), void *arg)
{
	enum stmt id = S_SINCE;
	sqlite3_stmt *s = st->stmt[id];
	const char *kind;
	int rc;

	if (walk_start(st, id) == -1)
		return -1;
	if (bind_int(st, id, 1, after) == -1 || bind_int(st, id, 2, until) == -1)
		goto fail;
	for (;;) {
		rc = step(st, id);
		if (rc == -1)
			goto fail;
		if (rc == SQLITE_DONE)
			break;
		kind = (const char *)sqlite3_column_text(s, 0);
		if (kind == NULL) {
			log_warnx("store: reports since: out of memory");
			goto fail;
		}
		if (cb(arg, kind, (long)sqlite3_column_int64(s, 1),
		       (long)sqlite3_column_int64(s, 2)) != 0)
			break;
	}
	stmt_put(st, id);
	return 0;

fail:
	stmt_put(st, id);
	return -1;
}

int
store_digest_last(struct store *st, int64_t *at, int64_t *slot)
{
	enum stmt id = S_DIGEST_LAST;
	sqlite3_stmt *s;

	*at = *slot = 0;
	s = stmt_get(st, id);
	if (step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	*at = sqlite3_column_int64(s, 0);
	*slot = sqlite3_column_int64(s, 1);
	stmt_put(st, id);
	return 0;
}

int
store_digest_add(struct store *st, int64_t at, int64_t slot, int recipients, const char *text)
{
	enum stmt id = S_DIGEST_ADD;
	int rc = 0;

	stmt_get(st, id);
	if (bind_int(st, id, 1, at) == -1 || bind_int(st, id, 2, slot) == -1 ||
	    bind_int(st, id, 3, recipients) == -1 || bind_text(st, id, 4, text) == -1 ||
	    step(st, id) == -1)
		rc = -1;
	stmt_put(st, id);
	return rc;
}

int
store_scheduled_count(struct store *st, const char *key, const char *day)
{
	enum stmt id = S_SCHED_COUNT;
	int n;

	stmt_get(st, id);
	if (bind_text(st, id, 1, key) == -1 || bind_text(st, id, 2, day) == -1 ||
	    step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	n = sqlite3_column_int(st->stmt[id], 0);
	stmt_put(st, id);
	return n;
}

int
store_scheduled_add(struct store *st, const char *to, const char *key, const char *day,
		    const char *reason, const char *text, int64_t at, int64_t *outbox_id)
{
	enum stmt id = S_SCHED_ADD;
	int64_t out;

	if (store_outbox_add(st, to, text, reason, 0, &out) == -1)
		return -1;
	stmt_get(st, id);
	if (bind_text(st, id, 1, key) == -1 || bind_text(st, id, 2, day) == -1 ||
	    bind_text(st, id, 3, reason) == -1 || bind_int(st, id, 4, out) == -1 ||
	    bind_int(st, id, 5, at) == -1 || step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	if (outbox_id != NULL)
		*outbox_id = out;
	return 0;
}

int
store_reminder_seen(struct store *st, const char *date, const char *commune_code,
		    const char *recipient)
{
	enum stmt id = S_REMINDER_SEEN;
	int n;

	stmt_get(st, id);
	if (bind_text(st, id, 1, date) == -1 || bind_text(st, id, 2, commune_code) == -1 ||
	    bind_text(st, id, 3, recipient) == -1 || step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	n = sqlite3_column_int(st->stmt[id], 0);
	stmt_put(st, id);
	return n > 0;
}

int
store_reminder_add(struct store *st, const char *date, const char *commune_code,
		   const char *recipient, int64_t outbox_id, int64_t at)
{
	enum stmt id = S_REMINDER_ADD;
	int rc = 0;

	stmt_get(st, id);
	if (bind_text(st, id, 1, date) == -1 || bind_text(st, id, 2, commune_code) == -1 ||
	    bind_text(st, id, 3, recipient) == -1 || bind_ref(st, id, 4, outbox_id) == -1 ||
	    bind_int(st, id, 5, at) == -1 || step(st, id) == -1)
		rc = -1;
	stmt_put(st, id);
	return rc;
}

int
store_reminded_foreach(struct store *st, int64_t after, int64_t until,
		       int (*cb)(void *arg, const char *commune_code), void *arg)
{
	enum stmt id = S_REMINDED;
	sqlite3_stmt *s = st->stmt[id];
	const char *code;
	int rc;

	if (walk_start(st, id) == -1)
		return -1;
	if (bind_int(st, id, 1, after) == -1 || bind_int(st, id, 2, until) == -1)
		goto fail;
	for (;;) {
		rc = step(st, id);
		if (rc == -1)
			goto fail;
		if (rc == SQLITE_DONE)
			break;
		code = (const char *)sqlite3_column_text(s, 0);
		if (code == NULL) {
			log_warnx("store: reminded: out of memory");
			goto fail;
		}
		if (cb(arg, code) != 0)
			break;
	}
	stmt_put(st, id);
	return 0;

fail:
	stmt_put(st, id);
	return -1;
}

int
store_report_set_class(struct store *st, int64_t ref, const char *class_code)
{
	enum stmt id = S_REPORT_CLASS;
	int rc = -1;

	stmt_get(st, id);
	if (bind_int(st, id, 1, ref) == 0 && bind_text(st, id, 2, class_code) == 0 &&
	    step(st, id) != -1)
		rc = 0;
	stmt_put(st, id);
	return rc;
}

int
store_report_cancel(struct store *st, const char *sender, int64_t ref, struct store_report_row *row)
{
	enum stmt id = S_REPORT_LAST;
	int rc;

	stmt_get(st, id);
	if (bind_text(st, id, 1, sender) == -1 || bind_int(st, id, 2, ref) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = step(st, id);
	if (rc == SQLITE_ROW)
		read_report(st->stmt[id], row);
	stmt_put(st, id);
	if (rc != SQLITE_ROW)
		return rc == -1 ? -1 : 0;
	id = S_REPORT_CANCEL;
	stmt_get(st, id);
	if (bind_int(st, id, 1, row->ref) == -1 || step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	row->cancelled = 1;
	return 1;
}

int
store_class_open(struct store *st, const struct store_class *c)
{
	enum stmt id = S_CLASS_OPEN;

	stmt_get(st, id);
	if (bind_text(st, id, 1, c->key) == -1 || bind_text(st, id, 2, c->code) == -1 ||
	    bind_text(st, id, 3, c->commune_code) == -1 ||
	    bind_text(st, id, 4, c->trade_code) == -1 || bind_int(st, id, 5, c->planned) == -1 ||
	    bind_text(st, id, 6, c->opened_by) == -1 || bind_int(st, id, 7, c->opened_at) == -1 ||
	    step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

int
store_class_close(struct store *st, const char *key, int64_t at)
{
	enum stmt id = S_CLASS_CLOSE;

	stmt_get(st, id);
	if (bind_text(st, id, 1, key) == -1 || bind_int(st, id, 2, at) == -1 ||
	    step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

int
store_class_find(struct store *st, const char *key, struct store_class_row *c)
{
	enum stmt id = S_CLASS_FIND;
	int rc;

	stmt_get(st, id);
	if (bind_text(st, id, 1, key) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = step(st, id);
	if (rc == SQLITE_ROW) {
		column_copy(st->stmt[id], 0, c->commune_code, sizeof(c->commune_code));
		column_copy(st->stmt[id], 1, c->trade_code, sizeof(c->trade_code));
		c->open = sqlite3_column_int(st->stmt[id], 2);
	}
	stmt_put(st, id);
	if (rc == -1)
		return -1;
	return rc == SQLITE_ROW ? 1 : 0;
}

int
store_alert_get(struct store *st, const char *key, int64_t *since)
{
	enum stmt id = S_ALERT_GET;
	int rc, active = 0;

	stmt_get(st, id);
	if (bind_text(st, id, 1, key) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = step(st, id);
	if (rc == SQLITE_ROW) {
		active = sqlite3_column_int(st->stmt[id], 0);
		if (since != NULL)
			*since = sqlite3_column_int64(st->stmt[id], 1);
	}
	stmt_put(st, id);
	if (rc == -1)
		return -1;
	return active;
}

int
store_alert_set(struct store *st, const char *key, int active, const char *text, int64_t now)
{
	enum stmt id = S_ALERT_SET;
	int rc = -1;

	stmt_get(st, id);
	if (bind_text(st, id, 1, key) == 0 && bind_int(st, id, 2, active != 0) == 0 &&
	    bind_text(st, id, 3, text) == 0 && bind_int(st, id, 4, now) == 0 && step(st, id) != -1)
		rc = 0;
	stmt_put(st, id);
	return rc;
}

int
store_reading_add(struct store *st, const struct store_reading *r, int64_t keep_from)
{
	enum stmt id = S_READING_ADD;
	int rc = -1;

	stmt_get(st, id);
	if (bind_text(st, id, 1, r->modem) == 0 && bind_int(st, id, 2, r->at) == 0 &&
	    bind_int(st, id, 3, r->signal_pct) == 0 && bind_int(st, id, 4, r->dbm) == 0 &&
	    bind_int(st, id, 5, r->ber) == 0 && bind_text(st, id, 6, r->reg) == 0 &&
	    bind_text(st, id, 7, r->operator) == 0 && step(st, id) != -1)
		rc = 0;
	stmt_put(st, id);
	if (rc == -1)
		return -1;
	id = S_READING_PRUNE;
	rc = -1;
	stmt_get(st, id);
	if (bind_text(st, id, 1, r->modem) == 0 && bind_int(st, id, 2, keep_from) == 0 &&
	    step(st, id) != -1)
		rc = 0;
	stmt_put(st, id);
	return rc;
}

int
store_reading_last(struct store *st, const char *modem, struct store_reading_row *r)
{
	enum stmt id = S_READING_LAST;
	int rc;

	memset(r, 0, sizeof(*r));
	stmt_get(st, id);
	if (bind_text(st, id, 1, modem) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = step(st, id);
	if (rc == SQLITE_ROW) {
		r->at = sqlite3_column_int64(st->stmt[id], 0);
		r->signal_pct = sqlite3_column_int(st->stmt[id], 1);
		r->dbm = sqlite3_column_int(st->stmt[id], 2);
		r->ber = sqlite3_column_int(st->stmt[id], 3);
		snprintf(r->reg, sizeof(r->reg), "%s",
			 (const char *)sqlite3_column_text(st->stmt[id], 4));
		snprintf(r->operator, sizeof(r->operator), "%s",
			 (const char *)sqlite3_column_text(st->stmt[id], 5));
	}
	stmt_put(st, id);
	if (rc == -1)
		return -1;
	return rc == SQLITE_ROW;
}

int
store_outage_set(struct store *st, const char *modem, int lost, int64_t at)
{
	enum stmt id = lost ? S_OUTAGE_OPEN : S_OUTAGE_CLOSE;
	int rc = -1;

	stmt_get(st, id);
	if (bind_text(st, id, 1, modem) == 0 && bind_int(st, id, 2, at) == 0 && step(st, id) != -1)
		rc = 0;
	stmt_put(st, id);
	return rc;
}

int
store_modem_link_set(struct store *st, const char *modem, int connected, int64_t at)
{
	int rc;

	stmt_get(st, S_LINK_SET);
	rc = bind_text(st, S_LINK_SET, 1, modem) == -1 ||
		     bind_int(st, S_LINK_SET, 2, connected != 0) == -1 ||
		     bind_int(st, S_LINK_SET, 3, at) == -1
		 ? -1
		 : step(st, S_LINK_SET);
	stmt_put(st, S_LINK_SET);
	return rc == -1 ? -1 : 0;
}

int
store_modem_link_get(struct store *st, const char *modem, int *connected, int64_t *since)
{
	int rc;

	*connected = 0;
	*since = 0;
	stmt_get(st, S_LINK_GET);
	if (bind_text(st, S_LINK_GET, 1, modem) == -1) {
		stmt_put(st, S_LINK_GET);
		return -1;
	}
	rc = step(st, S_LINK_GET);
	if (rc == SQLITE_ROW) {
		*connected = sqlite3_column_int(st->stmt[S_LINK_GET], 0);
		*since = sqlite3_column_int64(st->stmt[S_LINK_GET], 1);
	}
	stmt_put(st, S_LINK_GET);
	if (rc == -1)
		return -1;
	return rc == SQLITE_ROW;
}

int
store_outage_last(struct store *st, const char *modem, int64_t *lost_at, int64_t *back_at)
{
	enum stmt id = S_OUTAGE_LAST;
	int rc;

	*lost_at = *back_at = 0;
	stmt_get(st, id);
	if (bind_text(st, id, 1, modem) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = step(st, id);
	if (rc == SQLITE_ROW) {
		*lost_at = sqlite3_column_int64(st->stmt[id], 0);
		*back_at = sqlite3_column_int64(st->stmt[id], 1);
	}
	stmt_put(st, id);
	if (rc == -1)
		return -1;
	return rc == SQLITE_ROW;
}

int
store_ussd_add(struct store *st, const struct store_ussd *u)
{
	enum stmt id = S_USSD_ADD;
	int rc = -1;

	stmt_get(st, id);
	if (bind_text(st, id, 1, u->modem) == 0 && bind_int(st, id, 2, u->at) == 0 &&
	    bind_text(st, id, 3, u->purpose) == 0 && bind_text(st, id, 4, u->code) == 0 &&
	    bind_text(st, id, 5, u->answer) == 0 && bind_int(st, id, 6, u->has_amount != 0) == 0 &&
	    bind_int(st, id, 7, u->amount) == 0 && bind_text(st, id, 8, u->status) == 0 &&
	    step(st, id) != -1)
		rc = 0;
	stmt_put(st, id);
	return rc;
}

int
store_ussd_last(struct store *st, const char *modem, const char *purpose, int with_amount,
		struct store_ussd_row *r)
{
	enum stmt id = S_USSD_LAST;
	int rc;

	memset(r, 0, sizeof(*r));
	stmt_get(st, id);
	if (bind_text(st, id, 1, modem) == -1 || bind_text(st, id, 2, purpose) == -1 ||
	    bind_int(st, id, 3, with_amount != 0) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = step(st, id);
	if (rc == SQLITE_ROW) {
		r->at = sqlite3_column_int64(st->stmt[id], 0);
		snprintf(r->answer, sizeof(r->answer), "%s",
			 (const char *)sqlite3_column_text(st->stmt[id], 1));
		r->has_amount = sqlite3_column_int(st->stmt[id], 2);
		r->amount = sqlite3_column_int64(st->stmt[id], 3);
		snprintf(r->status, sizeof(r->status), "%s",
			 (const char *)sqlite3_column_text(st->stmt[id], 4));
		snprintf(r->code, sizeof(r->code), "%s",
			 (const char *)sqlite3_column_text(st->stmt[id], 5));
	}
	stmt_put(st, id);
	if (rc == -1)
		return -1;
	return rc == SQLITE_ROW;
}

int
store_ussd_request(struct store *st, const char *modem, const char *code, int64_t now, int64_t *id)
{
	enum stmt sid = S_USSD_REQUEST;
	int rc = -1;

	stmt_get(st, sid);
	if (bind_text(st, sid, 1, modem) == 0 && bind_int(st, sid, 2, now) == 0 &&
	    bind_text(st, sid, 3, code) == 0 && step(st, sid) != -1) {
		*id = sqlite3_last_insert_rowid(st->db);
		rc = 0;
	}
	stmt_put(st, sid);
	return rc;
}

int
store_ussd_next_request(struct store *st, const char *modem, int64_t since, int64_t *id, char *code,
			size_t codesz)
{
	enum stmt sid = S_USSD_NEXT_REQUEST;
	int rc;

	stmt_get(st, sid);
	if (bind_text(st, sid, 1, modem) == -1 || bind_int(st, sid, 2, since) == -1) {
		stmt_put(st, sid);
		return -1;
	}
	rc = step(st, sid);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st->stmt[sid], 0);
		snprintf(code, codesz, "%s", (const char *)sqlite3_column_text(st->stmt[sid], 1));
	}
	stmt_put(st, sid);
	if (rc == -1)
		return -1;
	return rc == SQLITE_ROW;
}

int
store_ussd_answer(struct store *st, int64_t id, const char *answer, const char *status,
		  int only_requested)
{
	enum stmt sid = S_USSD_ANSWER;
	int rc = -1;

	stmt_get(st, sid);
	if (bind_int(st, sid, 1, id) == 0 && bind_text(st, sid, 2, answer) == 0 &&
	    bind_text(st, sid, 3, status) == 0 && bind_int(st, sid, 4, only_requested != 0) == 0 &&
	    step(st, sid) != -1)
		rc = sqlite3_changes(st->db);
	stmt_put(st, sid);
	return rc;
}

int
store_ussd_get(struct store *st, int64_t id, char *status, size_t statussz, char *answer,
	       size_t answersz)
{
	enum stmt sid = S_USSD_GET;
	int rc;

	stmt_get(st, sid);
	if (bind_int(st, sid, 1, id) == -1) {
		stmt_put(st, sid);
		return -1;
	}
	rc = step(st, sid);
	if (rc == SQLITE_ROW) {
		snprintf(status, statussz, "%s",
			 (const char *)sqlite3_column_text(st->stmt[sid], 0));
		snprintf(answer, answersz, "%s",
			 (const char *)sqlite3_column_text(st->stmt[sid], 1));
	}
	stmt_put(st, sid);
	if (rc == -1)
		return -1;
	return rc == SQLITE_ROW;
}

/* ---- The sending path (schema 6) --------------------------------------- */

int
store_outbox_due(struct store *st, int64_t after, int64_t now, struct store_outdue *m)
{
	enum stmt id = S_OUTBOX_DUE;
	sqlite3_stmt *s;
	int rc;

	memset(m, 0, sizeof(*m));
	s = stmt_get(st, id);
	if (bind_int(st, id, 1, after) == -1 || bind_int(st, id, 2, now) == -1)
		goto fail;
	rc = step(st, id);
	if (rc == -1)
		goto fail;
	if (rc == SQLITE_DONE) {
		stmt_put(st, id);
		return 0;
	}
	m->id = sqlite3_column_int64(s, 0);
	if (column_copy(s, 1, m->to, sizeof(m->to)) == -1) {
		log_warnx("store: outbox %lld: recipient too long", (long long)m->id);
		goto fail;
	}
	m->text = column_dup(st, s, 2);
	if (m->text == NULL)
		goto fail;
	m->attempts = sqlite3_column_int(s, 3);
	m->parts = sqlite3_column_int(s, 4);
	m->concat_ref = sqlite3_column_int(s, 5);
	m->parts_sent = sqlite3_column_int(s, 6);
	column_copy(s, 7, m->reason, sizeof(m->reason));
	stmt_put(st, id);
	return 1;
fail:
	stmt_put(st, id);
	return -1;
}

void
store_outdue_clear(struct store_outdue *m)
{
	free(m->text);
	m->text = NULL;
}

int
store_outbox_next_due(struct store *st, int64_t *at)
{
	enum stmt id = S_OUTBOX_NEXT_DUE;
	int rc, found = 0;

	stmt_get(st, id);
	rc = step(st, id);
	if (rc == SQLITE_ROW && sqlite3_column_type(st->stmt[id], 0) != SQLITE_NULL) {
		*at = sqlite3_column_int64(st->stmt[id], 0);
		found = 1;
	}
	stmt_put(st, id);
	return rc == -1 ? -1 : found;
}

/* Runs an UPDATE that must change exactly one row. */
static int
update_one(struct store *st, enum stmt id, int64_t row)
{
	if (step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	if (sqlite3_changes(st->db) != 1) {
		log_warnx("store: %s: row %lld is not in the expected state", stmts[id].what,
			  (long long)row);
		return -1;
	}
	return 0;
}

int
store_outbox_set_parts(struct store *st, int64_t row, int parts, int concat_ref, int report)
{
	enum stmt id = S_OUTBOX_SET_PARTS;

	stmt_get(st, id);
	if (bind_int(st, id, 1, row) == -1 || bind_int(st, id, 2, parts) == -1 ||
	    bind_int(st, id, 3, concat_ref) == -1 || bind_int(st, id, 4, report != 0) == -1) {
		stmt_put(st, id);
		return -1;
	}
	return update_one(st, id, row);
}

int
store_outbox_retry(struct store *st, int64_t row, int64_t next_attempt, const char *error,
		   int64_t now)
{
	enum stmt id = S_OUTBOX_RETRY;

	stmt_get(st, id);
	if (bind_int(st, id, 1, row) == -1 || bind_int(st, id, 2, next_attempt) == -1 ||
	    bind_text(st, id, 3, error) == -1 || bind_int(st, id, 4, now) == -1) {
		stmt_put(st, id);
		return -1;
	}
	return update_one(st, id, row);
}

int
store_outbox_part_mark(struct store *st, int64_t row, int part_no, const char *modem, int64_t now,
		       int64_t *part_id)
{
	enum stmt id = S_OPART_MARK;
	int rc;

	stmt_get(st, id);
	if (bind_int(st, id, 1, row) == -1 || bind_int(st, id, 2, part_no) == -1 ||
	    bind_text(st, id, 3, modem) == -1 || bind_int(st, id, 4, now) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = step(st, id);
	stmt_put(st, id);
	if (rc == -1)
		return -1;
	*part_id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_outbox_part_outcome(struct store *st, int64_t part_id, const char *state, int mr,
			  const char *error, int64_t now)
{
	enum stmt id = S_OPART_OUTCOME;
	int rc;

	stmt_get(st, id);
	rc = bind_int(st, id, 1, part_id) == -1 || bind_text(st, id, 2, state) == -1 ||
	     bind_int(st, id, 4, now) == -1 || bind_text(st, id, 5, error) == -1;
	if (rc == 0 && mr >= 0)
		rc = bind_int(st, id, 3, mr) == -1;
	if (rc != 0) {
		stmt_put(st, id);
		return -1;
	}
	return update_one(st, id, part_id);
}

int
store_outbox_rate(struct store *st, const char *modem, int64_t since, int64_t *count,
		  int64_t *oldest)
{
	enum stmt id = S_OPART_RATE;
	int rc;

	stmt_get(st, id);
	if (bind_text(st, id, 1, modem) == -1 || bind_int(st, id, 2, since) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = step(st, id);
	if (rc == SQLITE_ROW) {
		*count = sqlite3_column_int64(st->stmt[id], 0);
		*oldest = sqlite3_column_int64(st->stmt[id], 1);
	}
	stmt_put(st, id);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_outbox_recover(struct store *st, int64_t now)
{
	int n;

	if (store_begin(st) == -1)
		return -1;
	stmt_get(st, S_OUTBOX_UNCONFIRM);
	if (bind_int(st, S_OUTBOX_UNCONFIRM, 1, now) == -1 || step(st, S_OUTBOX_UNCONFIRM) == -1)
		goto fail;
	stmt_put(st, S_OUTBOX_UNCONFIRM);
	n = sqlite3_changes(st->db);
	stmt_get(st, S_OPART_UNKNOWN);
	if (bind_int(st, S_OPART_UNKNOWN, 1, now) == -1 || step(st, S_OPART_UNKNOWN) == -1)
		goto fail;
	stmt_put(st, S_OPART_UNKNOWN);
	if (store_commit(st) == -1)
		goto fail;
	return n;
fail:
	stmt_put(st, S_OUTBOX_UNCONFIRM);
	stmt_put(st, S_OPART_UNKNOWN);
	store_rollback(st);
	return -1;
}

/* Finds the part a report is about: 1 with ids, 0 none, -1. */
static int
report_match(struct store *st, const struct store_status_report *r, int64_t since, int64_t *part,
	     int64_t *row)
{
	enum stmt id = S_SREPORT_MATCH;
	int rc;

	stmt_get(st, id);
	if (bind_text(st, id, 1, r->modem) == -1 || bind_int(st, id, 2, r->mr) == -1 ||
	    bind_int(st, id, 3, since) == -1 || bind_text(st, id, 4, r->recipient) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = step(st, id);
	if (rc == SQLITE_ROW) {
		*part = sqlite3_column_int64(st->stmt[id], 0);
		*row = sqlite3_column_int64(st->stmt[id], 1);
	}
	stmt_put(st, id);
	return rc == -1 ? -1 : rc == SQLITE_ROW;
}

int
store_status_report_add(struct store *st, const struct store_status_report *r, int64_t since)
{
	enum stmt id = S_SREPORT_ADD;
	int64_t part = 0, row = 0;
	int rc;

	stmt_get(st, id);
	if (bind_text(st, id, 1, r->modem) == -1 || bind_text(st, id, 2, r->recipient) == -1 ||
	    bind_int(st, id, 3, r->mr) == -1 || bind_int(st, id, 4, r->status) == -1 ||
	    bind_ref(st, id, 5, r->smsc_time) == -1 || bind_int(st, id, 6, r->received) == -1 ||
	    bind_text(st, id, 7, r->fingerprint) == -1 || step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	if (sqlite3_changes(st->db) == 0)
		return 0; /* read again after a crash: already counted */
	if (r->status >= 1 && r->status < 64)
		return 0; /* the SMSC still tries: no outcome yet */
	rc = report_match(st, r, since, &part, &row);
	if (rc != 1)
		return rc;
	id = S_OPART_REPORT;
	stmt_get(st, id);
	if (bind_int(st, id, 1, part) == -1 ||
	    bind_text(st, id, 2, r->status == 0 ? "delivered" : "failed") == -1 ||
	    bind_int(st, id, 3, r->received) == -1 || update_one(st, id, part) == -1)
		return -1;
	id = S_SREPORT_LINK;
	stmt_get(st, id);
	if (bind_text(st, id, 1, r->fingerprint) == -1 || bind_int(st, id, 2, part) == -1 ||
	    update_one(st, id, part) == -1)
		return -1;
	id = S_OUTBOX_DELIVERY;
	stmt_get(st, id);
	if (bind_int(st, id, 1, row) == -1 || bind_int(st, id, 2, r->received) == -1 ||
	    update_one(st, id, row) == -1)
		return -1;
	return 1;
}

int
store_outbox_stats(struct store *st, struct store_outbox_stats *o)
{
	enum stmt id = S_OUTBOX_STATS;
	sqlite3_stmt *s = stmt_get(st, id);
	int rc = step(st, id);

	if (rc == SQLITE_ROW) {
		o->queued = sqlite3_column_int64(s, 0);
		o->sent = sqlite3_column_int64(s, 1);
		o->failed = sqlite3_column_int64(s, 2);
		o->unconfirmed = sqlite3_column_int64(s, 3);
		o->delivered = sqlite3_column_int64(s, 4);
		o->undelivered = sqlite3_column_int64(s, 5);
	}
	stmt_put(st, id);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_outbox_rates_foreach(struct store *st, int64_t since,
			   int (*cb)(void *arg, const char *modem, int64_t parts), void *arg)
{
	enum stmt id = S_OPART_RATES;
	sqlite3_stmt *s;
	int rc;

	if (walk_start(st, id) == -1)
		return -1;
	s = st->stmt[id];
	if (bind_int(st, id, 1, since) == -1) {
		stmt_put(st, id);
		return -1;
	}
	for (;;) {
		rc = step(st, id);
		if (rc != SQLITE_ROW || cb(arg, (const char *)sqlite3_column_text(s, 0),
					   sqlite3_column_int64(s, 1)) != 0)
			break;
	}
	stmt_put(st, id);
	return rc == -1 ? -1 : 0;
}

/* ---- Senders, quarantine and limits ------------------------- */

int
store_sender_put(struct store *st, const struct store_sender *snd, int64_t now)
{
	enum stmt id = S_SENDER_PUT;
	int rc = -1;

	stmt_get(st, id);
	if (bind_text(st, id, 1, snd->number) == 0 && bind_text(st, id, 2, snd->name) == 0 &&
	    bind_text(st, id, 3, snd->role) == 0 &&
	    bind_text(st, id, 4, snd->commune_code[0] != '\0' ? snd->commune_code : NULL) == 0 &&
	    bind_int(st, id, 5, snd->active) == 0 && bind_int(st, id, 6, now) == 0)
		rc = step(st, id) == -1 ? -1 : 0;
	stmt_put(st, id);
	return rc;
}

static void
sender_row(sqlite3_stmt *s, struct store_sender *snd)
{
	memset(snd, 0, sizeof(*snd));
	column_copy(s, 0, snd->number, sizeof(snd->number));
	column_copy(s, 1, snd->name, sizeof(snd->name));
	column_copy(s, 2, snd->role, sizeof(snd->role));
	column_copy(s, 3, snd->commune_code, sizeof(snd->commune_code));
	snd->active = sqlite3_column_int(s, 4);
}

int
store_sender_get(struct store *st, const char *number, struct store_sender *snd)
{
	enum stmt id = S_SENDER_GET;
	int rc;

	stmt_get(st, id);
	if (bind_text(st, id, 1, number) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = step(st, id);
	if (rc == SQLITE_ROW)
		sender_row(st->stmt[id], snd);
	stmt_put(st, id);
	if (rc == -1)
		return -1;
	return rc == SQLITE_ROW ? 1 : 0;
}

int
store_sender_remove(struct store *st, const char *number, int64_t now)
{
	enum stmt id = S_SENDER_REMOVE;
	int rc = -1;

	stmt_get(st, id);
	if (bind_text(st, id, 1, number) == 0 && bind_int(st, id, 2, now) == 0 &&
	    step(st, id) != -1)
		rc = sqlite3_changes(st->db) > 0 ? 1 : 0;
	stmt_put(st, id);
	return rc;
}

int
store_senders_foreach(struct store *st, int (*cb)(void *arg, const struct store_sender *snd),
		      void *arg)
{
	enum stmt id = S_SENDER_ALL;
	struct store_sender snd;
	int rc = SQLITE_DONE;

	if (walk_start(st, id) == -1)
		return -1;
	while ((rc = step(st, id)) == SQLITE_ROW) {
		sender_row(st->stmt[id], &snd);
		if (cb(arg, &snd) != 0)
			break;
	}
	stmt_put(st, id);
	return rc == -1 ? -1 : 0;
}

/* Fills msg (text owned) and the state and error of an inbox row. */
static int
held_row(struct store *st, sqlite3_stmt *s, struct store_held *h)
{
	memset(h, 0, sizeof(*h));
	h->msg.id = sqlite3_column_int64(s, 0);
	column_copy(s, 1, h->msg.sender, sizeof(h->msg.sender));
	h->msg.smsc_time = sqlite3_column_int64(s, 2);
	h->msg.received = sqlite3_column_int64(s, 3);
	h->msg.text = column_dup(st, s, 4);
	column_copy(s, 5, h->state, sizeof(h->state));
	column_copy(s, 6, h->error, sizeof(h->error));
	column_copy(s, 7, h->msg.coding, sizeof(h->msg.coding));
	return h->msg.text == NULL ? -1 : 0;
}

int
store_inbox_get(struct store *st, int64_t inbox_id, struct store_held *h)
{
	enum stmt id = S_INBOX_GET;
	int rc;

	memset(h, 0, sizeof(*h));
	stmt_get(st, id);
	if (bind_int(st, id, 1, inbox_id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = step(st, id);
	if (rc == SQLITE_ROW && held_row(st, st->stmt[id], h) == -1)
		rc = -1;
	stmt_put(st, id);
	if (rc == -1)
		return -1;
	return rc == SQLITE_ROW ? 1 : 0;
}

int
store_inbox_held_foreach(struct store *st, const char *error, int64_t since,
			 int (*cb)(void *arg, const struct store_held *h), void *arg)
{
	enum stmt id = S_INBOX_HELD;
	struct store_held h;
	int rc = SQLITE_DONE, stop = 0;

	if (walk_start(st, id) == -1)
		return -1;
	if (bind_text(st, id, 1, error) == -1 || bind_int(st, id, 2, since) == -1) {
		stmt_put(st, id);
		return -1;
	}
	while (!stop && (rc = step(st, id)) == SQLITE_ROW) {
		if (held_row(st, st->stmt[id], &h) == -1) {
			rc = -1;
			break;
		}
		stop = cb(arg, &h);
		store_inmsg_clear(&h.msg);
	}
	stmt_put(st, id);
	return rc == -1 ? -1 : 0;
}

int
store_inbox_held_count(struct store *st, const char *error, int64_t *messages, int64_t *senders)
{
	enum stmt id = S_INBOX_HELD_COUNT;
	int rc = -1;

	stmt_get(st, id);
	if (bind_text(st, id, 1, error) == 0 && step(st, id) == SQLITE_ROW) {
		*messages = sqlite3_column_int64(st->stmt[id], 0);
		*senders = sqlite3_column_int64(st->stmt[id], 1);
		rc = 0;
	}
	stmt_put(st, id);
	return rc;
}

/* Runs a bound count(*) statement. */
static int64_t
count_of(struct store *st, enum stmt id)
{
	int64_t n = -1;

	if (step(st, id) == SQLITE_ROW)
		n = sqlite3_column_int64(st->stmt[id], 0);
	stmt_put(st, id);
	return n;
}

int64_t
store_sender_managers(struct store *st)
{
	stmt_get(st, S_SENDER_MANAGERS);
	return count_of(st, S_SENDER_MANAGERS);
}

int64_t
store_inbox_recent(struct store *st, const char *sender, const char *text, int64_t since,
		   int64_t before_id)
{
	enum stmt id = S_INBOX_RECENT;

	stmt_get(st, id);
	if (bind_text(st, id, 1, sender) == -1 || bind_int(st, id, 2, since) == -1 ||
	    bind_int(st, id, 3, before_id) == -1 || bind_text(st, id, 4, text) == -1) {
		stmt_put(st, id);
		return -1;
	}
	return count_of(st, id);
}

int64_t
store_replies_recent(struct store *st, const char *recipient, int64_t since)
{
	enum stmt id = S_REPLIES_RECENT;

	stmt_get(st, id);
	if (bind_text(st, id, 1, recipient) == -1 || bind_int(st, id, 2, since) == -1) {
		stmt_put(st, id);
		return -1;
	}
	return count_of(st, id);
}

int64_t
store_outbox_text_seen(struct store *st, const char *text, int64_t since)
{
	enum stmt id = S_OUR_TEXT;

	stmt_get(st, id);
	if (bind_text(st, id, 1, text) == -1 || bind_int(st, id, 2, since) == -1) {
		stmt_put(st, id);
		return -1;
	}
	return count_of(st, id);
}

int64_t
store_sent_count(struct store *st, const char *day)
{
	enum stmt id = S_SENT_COUNT;

	stmt_get(st, id);
	if (bind_text(st, id, 1, day) == -1) {
		stmt_put(st, id);
		return -1;
	}
	return count_of(st, id);
}

int
store_sent_add(struct store *st, const char *day)
{
	enum stmt id = S_SENT_ADD;
	int rc = -1;

	stmt_get(st, id);
	if (bind_text(st, id, 1, day) == 0)
		rc = step(st, id) == -1 ? -1 : 0;
	stmt_put(st, id);
	return rc;
}
