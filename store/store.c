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
     * 1 -> 2: the push to the district server (issue 4).  push_queue rows
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
     * 2 -> 3: digests, reminders and the plan report (issue 5).
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
     * 3 -> 4: training classes and cancellations (issue 3).  A report may
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
	S_INBOX_FIND,
	S_INBOX_NEXT_NEW,
	S_INBOX_SET_STATE,
	S_PART_ADD,
	S_PART_COUNT,
	S_PART_LIST,
	S_PART_JOIN,
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
		     "fingerprint) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
		     "ON CONFLICT(fingerprint) DO NOTHING"},
    [S_INBOX_FIND] = {"inbox find", "SELECT id FROM inbox WHERE fingerprint = ?1"},
    [S_INBOX_NEXT_NEW] = {"inbox next", "SELECT id, sender, smsc_time, received, text FROM inbox "
					"WHERE state = 'new' AND id > ?1 ORDER BY id LIMIT 1"},
    [S_INBOX_SET_STATE] = {"inbox set state",
			   "UPDATE inbox SET state = ?1, error = ?2, "
			   "processed = CASE WHEN ?1 = 'new' THEN NULL ELSE ?3 END WHERE id = ?4"},
    [S_PART_ADD] = {"part add",
		    "INSERT INTO inbox_parts(sender, concat_ref, part_no, part_count, smsc_time, "
		    "received, text, coding, fingerprint) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
		    "ON CONFLICT(fingerprint) DO NOTHING"},
    [S_PART_COUNT] = {"part count",
		      "SELECT count(DISTINCT part_no) FROM inbox_parts WHERE " PART_SET},
    /* Highest id first within a part number: see read_parts(). */
    [S_PART_LIST] = {"part list",
		     "SELECT part_no, smsc_time, received, text, coding, "
		     "fingerprint FROM inbox_parts WHERE " PART_SET " ORDER BY part_no, id DESC"},
    [S_PART_JOIN] = {"part join", "UPDATE inbox_parts SET inbox_id = ?4 WHERE " PART_SET},
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
    [S_OUTBOX_NEXT] = {"outbox next", "SELECT id, recipient, text, attempts FROM outbox "
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
    /* Issue 5.  ?1 year, ?2 half or 0 for the whole year. */
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

static void
warn_db(struct store *st, const char *what)
{
	if (is_disk_error(sqlite3_extended_errcode(st->db)))
		st->disk_error = 1;
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
		if (is_disk_error(sqlite3_extended_errcode(st->db)))
			st->disk_error = 1;
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

	if (check_version(st, flags) == -1 || set_foreign_keys(st) == -1)
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
	if (r == 0 && sqlite3_exec(c->dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) !=
			  SQLITE_OK) {
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
	    bind_text(st, S_INBOX_ADD, 7, sms->fingerprint) == -1 || step(st, S_INBOX_ADD) == -1)
		goto fail;
	/* DO NOTHING changes no row: the fingerprint is already known. */
	if (sqlite3_changes(st->db) == 1) {
		added = 1;
		rowid = sqlite3_last_insert_rowid(st->db);
	}
	stmt_put(st, S_INBOX_ADD);

	if (!added) {
		stmt_get(st, S_INBOX_FIND);
		if (bind_text(st, S_INBOX_FIND, 1, sms->fingerprint) == -1 ||
		    step(st, S_INBOX_FIND) != SQLITE_ROW) {
			log_warnx("store: inbox add: %s: neither added nor found",
				  sms->fingerprint);
			stmt_put(st, S_INBOX_FIND);
			return -1;
		}
		rowid = sqlite3_column_int64(st->stmt[S_INBOX_FIND], 0);
		stmt_put(st, S_INBOX_FIND);
	}
	if (id != NULL)
		*id = rowid;
	return added;

fail:
	stmt_put(st, S_INBOX_ADD);
	return -1;
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
	    bind_text(st, id, 9, part->fingerprint) == -1 || step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	return sqlite3_changes(st->db) == 1;
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
	int64_t smsc_time;
	int64_t received;
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

/*
 * Reads a complete set in part order (group_concat() has no reliable order)
 * into j.  A part number may appear twice with different fingerprints when a
 * phone reused its 8-bit reference before an older message was complete:
 * the rows come highest id first within a number, and the most recent one is
 * taken.
 */
static int
read_parts(struct store *st, const struct store_part *part, struct joined *j)
{
	sqlite3_stmt *s;
	const char *text;
	int64_t no, last = 0;
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
		last = no;
		if (no == 1) {
			j->smsc_time = sqlite3_column_int64(s, 1);
			j->coding = column_dup(st, s, 4);
			j->fingerprint = column_dup(st, s, 5);
			if (j->coding == NULL || j->fingerprint == NULL)
				goto fail;
		}
		if (sqlite3_column_int64(s, 2) > j->received)
			j->received = sqlite3_column_int64(s, 2);
		text = (const char *)sqlite3_column_text(s, 3);
		if (text != NULL && append(j, text, (size_t)sqlite3_column_bytes(s, 3)) == -1)
			goto fail;
	}
	stmt_put(st, S_PART_LIST);
	if (j->fingerprint == NULL || last != part->part_count) {
		log_warnx("store: parts of %s ref %d: set incomplete when joined", part->sender,
			  part->concat_ref);
		return -1;
	}
	return append(j, "", 0);

fail:
	stmt_put(st, S_PART_LIST);
	return -1;
}

/* Joins a complete set into an inbox row and marks its parts with it. */
static int
join_parts(struct store *st, const struct store_part *part, int64_t *id)
{
	struct joined j = {0};
	struct store_sms sms;
	char *fp = NULL;
	size_t fplen;
	int rc = -1, added;

	if (read_parts(st, part, &j) == -1)
		goto out;
	fplen = strlen(j.fingerprint) + sizeof("/m");
	fp = malloc(fplen);
	if (fp == NULL) {
		log_warn("store: malloc");
		goto out;
	}
	snprintf(fp, fplen, "%s/m", j.fingerprint);

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
	return rc;
}

static int
part_add(struct store *st, const struct store_part *part, int64_t *id)
{
	int rc;

	rc = insert_part(st, part);
	if (rc != 1)
		return rc;
	rc = set_complete(st, part);
	if (rc != 1)
		return rc;
	return join_parts(st, part, id);
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

	/* store_outmsg.to could not give it back whole. */
	if (to != NULL && strlen(to) >= sizeof(((struct store_outmsg *)0)->to)) {
		log_warnx("store: outbox add: recipient %s too long", to);
		return -1;
	}
	stmt_get(st, sid);
	if (bind_text(st, sid, 1, to) == -1 || bind_text(st, sid, 2, text) == -1 ||
	    bind_text(st, sid, 3, reason) == -1 || bind_ref(st, sid, 4, inbox_id) == -1 ||
	    bind_int(st, sid, 5, time(NULL)) == -1 || step(st, sid) == -1) {
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

/* ---- Push to the district server (issue 4) ---------------------------- */

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

/* ---- Digests, reminders and the plan report (issue 5) ----------------- */

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
