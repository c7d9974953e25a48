/*
 * schema.c - the tables of the store: every step from an empty file to
 * schema STORE_SCHEMA_VERSION (store.h lists the tables).
 */
#include "impl.h"

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
static const char *const steps[] = {
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
     * 4 -> 5: alerts to the district admins (gateway/outbound/alert.h).  One row per
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
     * 6 -> 7: the modem's health and USSD (gateway/sim/health.h, gateway/sim/ussd.h).
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
     * (gateway/outbound/outbox.h).  outbox gets the time of its next attempt (retries
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
     * phone_canonical() gives (gateway/util/phone.h: "+84912000001" however the
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
    /*
     * 12 -> 13: the web console's users (an Argon2id hash each; removing
     * one marks it inactive) and the record of every change made through
     * the console, by the page that shows it.  Messages by id for the
     * console's pages, newest first.
     */
    "CREATE TABLE web_users ("
    " name TEXT PRIMARY KEY,"
    " role TEXT NOT NULL CHECK(role IN ('viewer', 'admin')),"
    " hash TEXT NOT NULL,"
    " created INTEGER NOT NULL,"
    " active INTEGER NOT NULL DEFAULT 1 CHECK(active IN (0, 1))) WITHOUT ROWID;"
    "CREATE TABLE audit ("
    " id INTEGER PRIMARY KEY,"
    " at INTEGER NOT NULL,"
    " who TEXT NOT NULL,"
    " page TEXT NOT NULL,"
    " what TEXT NOT NULL);"
    "CREATE INDEX audit_page ON audit(page, id);"
    "CREATE INDEX outbox_inbox ON outbox(inbox_id) WHERE inbox_id IS NOT NULL;"
    "PRAGMA user_version = 13;",
    /*
     * 13 -> 14: the console's list of SMS, newest received first, in the
     * order of received and then id whatever order the rows came in (an
     * import, a modem's backlog read after a restart): a date range, a page
     * after another or one state's rows are then a range of an index, read
     * in order, never a walk of the table nor a sort.  The id ends every
     * index entry, so inbox(received) is in (received, id) order.
     */
    "CREATE INDEX inbox_received ON inbox(received);"
    "CREATE INDEX inbox_state_received ON inbox(state, received);"
    "PRAGMA user_version = 14;",
    /*
     * 14 -> 15: the communes each SMS belongs to, for the console's commune
     * filter: the communes its sender was an officer of when the pipeline
     * processed it (store_inbox_commune_add(): the registry of the day,
     * table and configuration), and the commune of every report it became
     * (the trigger, whoever writes the report).  A commune's SMS are then
     * one range of the key, in the page's order (received, then id): a
     * commune with few SMS, or only old ones, is read as fast as a busy
     * one.  One row per SMS and commune, however many reasons it has.
     * The SMS stored before take their reports' communes and the commune
     * the senders table gives their number at the upgrade (what the filter
     * read before this step; a migration does not know the configuration's
     * lists).
     */
    "CREATE TABLE inbox_communes ("
    " commune_code TEXT NOT NULL,"
    " received INTEGER NOT NULL,"
    " inbox_id INTEGER NOT NULL REFERENCES inbox(id),"
    " PRIMARY KEY (commune_code, received, inbox_id)) WITHOUT ROWID;"
    "CREATE TRIGGER inbox_communes_report AFTER INSERT ON reports BEGIN"
    " INSERT OR IGNORE INTO inbox_communes(commune_code, received, inbox_id)"
    " SELECT NEW.commune_code, received, id FROM inbox WHERE id = NEW.inbox_id;"
    " END;"
    "INSERT OR IGNORE INTO inbox_communes(commune_code, received, inbox_id)"
    " SELECT r.commune_code, i.received, i.id FROM reports r JOIN inbox i ON i.id = r.inbox_id;"
    "INSERT OR IGNORE INTO inbox_communes(commune_code, received, inbox_id)"
    " SELECT s.commune_code, i.received, i.id FROM senders s JOIN inbox i ON i.sender = s.number"
    " WHERE s.commune_code <> '';"
    "PRAGMA user_version = 15;",
};

_Static_assert(nitems(steps) == STORE_SCHEMA_VERSION, "one migration step per schema version");

const char *
schema_step(int version)
{
	if (version < 0 || version >= STORE_SCHEMA_VERSION)
		return NULL;
	return steps[version];
}
