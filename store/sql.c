/*
 * sql.c - the SQL of every statement of the store, by its id (impl.h).
 *
 * In one table so that the schema (schema.c) and all the statements that
 * use it can be read side by side, and so that store_open() can check every
 * one of them against the file it opens.
 */
#include "impl.h"

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

/*
 * The web console's list of SMS, newest received first (received, then id:
 * the order of inbox_received, inbox_state_received, inbox_sender and of a
 * commune's range of inbox_communes), with what each became, for the rows
 * that pass the filters.  WEB_MESSAGES: LEAD picks the index that then
 * leads (any row, one state's or one number's) and a commune is a row test
 * (one lookup of the key).  ?4 the lowest received time; (?5, ?6) the first
 * (received, id) past the page's end, so that a date range's end and the
 * row a page follows are one bound of the index range.
 */
#define WEB_MESSAGE_COLUMNS                                                                        \
	"SELECT i.id, i.received, coalesce(i.smsc_time, 0), i.sender, i.text, i.state, "           \
	"coalesce(i.error, ''), coalesce((SELECT group_concat(r.kind || ' ' || r.count || ' #' "   \
	"|| r.id || CASE r.cancelled WHEN 1 THEN ' (x)' ELSE '' END, ', ') FROM reports r "        \
	"WHERE r.inbox_id = i.id), ''), coalesce(s.commune_code, '') "
#define WEB_MESSAGES(LEAD)                                                                         \
	WEB_MESSAGE_COLUMNS "FROM inbox i LEFT JOIN senders s ON s.number = i.sender "             \
			    "WHERE " LEAD " AND (?3 IS NULL OR i.state = ?3) AND (?2 IS NULL OR "  \
			    "EXISTS (SELECT 1 FROM inbox_communes c WHERE c.commune_code = ?2 "    \
			    "AND c.received = i.received AND c.inbox_id = i.id)) "                 \
			    "AND i.received >= ?4 AND (i.received, i.id) < (?5, ?6) "              \
			    "ORDER BY i.received DESC, i.id DESC LIMIT ?7"

const struct stmt_def stmt_defs[S_NSTMTS] = {
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
    [S_INBOX_COMMUNE_ADD] =
	{"inbox commune add",
	 "INSERT OR IGNORE INTO inbox_communes(commune_code, received, inbox_id) "
	 "SELECT ?2, received, id FROM inbox WHERE id = ?1"},
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
    /* The sending path (schema 6, gateway/outbound/outbox.h). */
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
    /* Rejected rows, by error (NULL: any) and not received before ?2:
     * inbox_state's in id order, "+received" a row test, lest the rows be
     * read through inbox_state_received and all of them sorted before the
     * first comes (the quarantine page wants its first hundred). */
    [S_INBOX_HELD] = {"inbox held",
		      "SELECT id, sender, smsc_time, received, text, state, coalesce(error, ''), "
		      "coding "
		      "FROM inbox WHERE state = 'rejected' AND +received >= ?2 ORDER BY id"},
    /* Through inbox_error (error, id): that error's rows in id order, not
     * every rejected one. */
    [S_INBOX_HELD_ERROR] = {"inbox held with an error",
			    "SELECT id, sender, smsc_time, received, text, state, "
			    "coalesce(error, ''), coding FROM inbox WHERE error = ?1 "
			    "AND +state = 'rejected' AND +received >= ?2 ORDER BY id"},
    /* Through inbox_error: the rows of that error, not every rejected one. */
    [S_INBOX_HELD_COUNT] = {"inbox held count",
			    "SELECT count(*), count(DISTINCT sender) FROM inbox "
			    "WHERE error = ?1 AND +state = 'rejected'"},
    /* A sender's SMS received since ?2 before row ?3; ?4 the text or NULL. */
    [S_INBOX_RECENT] = {"inbox recent",
			"SELECT count(*) FROM inbox WHERE sender = ?1 AND received >= ?2 "
			"AND id < ?3 AND (?4 IS NULL OR text = ?4)"},
    [S_REPLIES_RECENT] = {"replies recent",
			  "SELECT count(*) FROM outbox WHERE recipient = ?1 AND created >= ?2 "
			  "AND reason = 'reply'"},
    [S_REPLIES_STARTING] = {"replies starting",
			    "SELECT count(*) FROM outbox WHERE recipient = ?1 AND created >= ?2 "
			    "AND reason = 'reply' AND substr(text, 1, length(?3)) = ?3"},
    [S_OUR_TEXT] = {"loop guard", "SELECT count(*) FROM outbox WHERE text = ?1 AND created >= ?2"},
    [S_SENT_COUNT] = {"sent count", "SELECT coalesce(sum(sent), 0) FROM sent_days WHERE day = ?1"},
    [S_SENT_ADD] = {"sent add", "INSERT INTO sent_days(day, sent) VALUES (?1, 1) "
				"ON CONFLICT(day) DO UPDATE SET sent = sent + 1"},
    [S_WEB_USER_PUT] = {"web user put",
			"INSERT INTO web_users(name, role, hash, created) VALUES (?1, ?2, ?3, ?4) "
			"ON CONFLICT(name) DO UPDATE SET role = ?2, hash = ?3, active = 1"},
    [S_WEB_USER_GET] = {"web user get", "SELECT name, role, hash, created FROM web_users "
					"WHERE name = ?1 AND active = 1"},
    [S_WEB_USER_REMOVE] = {"web user remove",
			   "UPDATE web_users SET active = 0 WHERE name = ?1 AND active = 1"},
    [S_WEB_USER_ALL] = {"web users", "SELECT name, role, '', created FROM web_users "
				     "WHERE active = 1 ORDER BY name"},
    [S_AUDIT_ADD] = {"audit add", "INSERT INTO audit(at, who, page, what) VALUES (?1, ?2, ?3, ?4)"},
    [S_AUDIT_PAGE] = {"audit page", "SELECT at, who, what FROM audit WHERE page = ?1 "
				    "ORDER BY id DESC LIMIT ?2"},
    /* ?1 number, ?2 commune, ?3 state, ?4 from, (?5, ?6) the end, ?7 rows. */
    [S_WEB_MESSAGES] = {"web messages", WEB_MESSAGES("?1 IS NULL")},
    [S_WEB_STATE_MESSAGES] = {"web state messages", WEB_MESSAGES("?1 IS NULL AND i.state = ?3")},
    [S_WEB_NUMBER_MESSAGES] = {"web number messages", WEB_MESSAGES("i.sender = ?1")},
    /* A commune's range of inbox_communes, each row's SMS by id; the state
     * a row test (?1 is always NULL here: a number's rows are fewer). */
    [S_WEB_COMMUNE_MESSAGES] = {"web commune messages", WEB_MESSAGE_COLUMNS
				"FROM inbox_communes c CROSS JOIN inbox i ON i.id = c.inbox_id "
				"LEFT JOIN senders s ON s.number = i.sender "
				"WHERE c.commune_code = ?2 AND ?1 IS NULL AND (?3 IS NULL OR "
				"i.state = ?3) AND c.received >= ?4 AND (c.received, c.inbox_id) "
				"< (?5, ?6) ORDER BY c.received DESC, c.inbox_id DESC LIMIT ?7"},
    [S_INBOX_RECEIVED] = {"inbox received", "SELECT received FROM inbox WHERE id = ?1"},
    [S_WEB_REPLIES] = {"web replies",
		       "SELECT id, created, recipient, text, reason, state, coalesce(delivery, '') "
		       "FROM outbox WHERE inbox_id = ?1 ORDER BY id"},
    [S_ALERTS_ACTIVE] = {"active alerts", "SELECT key, coalesce(text, ''), coalesce(raised_at, 0) "
					  "FROM alerts WHERE active = 1 ORDER BY raised_at"},
};
