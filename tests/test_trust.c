/*
 * test_trust.c - who may report what, abuse and loops.
 *
 * Unit tests of the policy (senders.c) and the limits (quota.c) on a real
 * SQLite file, then the real ./tinbao binary on gammu's dummy phone: the
 * registry CLI, each unknown-sender policy, other-commune reject and warn,
 * the quarantine, replay, the per-sender limits, the loop guard and the
 * daily cap across a restart.  Time comes from TINBAO_FAKE_NOW, never
 * from sleeping.  Every run is bounded.
 *
 * Usage: test_trust   (run from the repository root: ./tinbao and
 * contrib/tinbao.conf)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <xlsxwriter.h>

#include "clock.h"
#include "config.h"
#include "fixture.h"
#include "log.h"
#include "modem.h"
#include "parser.h"
#include "phone.h"
#include "quota.h"
#include "identity.h"
#include "senders.h"
#include "store.h"

#define TINBAO "./tinbao"
#define TEMPLATE "contrib/tinbao.conf"
#define RUN_TIMEOUT_S 120
/* 2022-03-01 09:00 +07:00: the SMSC times and the fake "now" of the tests. */
#define BASE_TIME 1646100000
#define OFFICER "+84912000001" /* registered: officer of Minh Son (06448) */
#define STRANGER "+84987654321"
/* The notice to a quarantined number that it is not registered, and the
 * other SMS: conditions to append to a query on outbox. */
#define NOTICE " AND text LIKE 'So dien thoai nay chua dang ky%%'"
#define NOT_NOTICE " AND text NOT LIKE 'So dien thoai nay chua dang ky%%'"

/* ---- helpers ---------------------------------------------------------- */

static struct fixture *
env_new(const char *extra)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(fixture_setup_with(f, TINBAO, TEMPLATE, extra), 0);
	return f;
}

static void
env_free(struct fixture *f)
{
	fixture_teardown(f);
	free(f);
}

static int64_t db_int(const struct fixture *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int64_t
db_int(const struct fixture *e, const char *fmt, ...)
{
	char sql[512];
	va_list ap;
	int64_t v;
	int err;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	v = fixture_db_int(e->db, sql, &err);
	if (err)
		fail_msg("%s: cannot be run on %s", sql, e->db);
	return v;
}

/* The first column of the first row of sql, as text. */
static void
db_text(const struct fixture *e, const char *sql, char *out, size_t outsz)
{
	sqlite3 *db;
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_open_v2(e->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static void
inject(const struct fixture *e, const char *from, const char *text, int64_t at)
{
	struct modem *m = modem_open(e->gammurc, 0);

	assert_non_null(m);
	assert_int_equal(modem_inject(m, from, text, at), 0);
	modem_close(m);
}

/* `tinbao run --once` at fake time now. */
static void
run_at(const struct fixture *e, int64_t now)
{
	char s[32];
	int r;

	snprintf(s, sizeof(s), "%lld", (long long)now);
	setenv("TINBAO_FAKE_NOW", s, 1);
	r = fixture_run(e, NULL, 0, RUN_TIMEOUT_S, NULL, "run", "--once", NULL);
	unsetenv("TINBAO_FAKE_NOW");
	if (r != 0)
		fail_msg("tinbao run --once: status %d", r);
}

/* Runs `tinbao -c conf ARGS` at fake time BASE_TIME through the shell,
 * bounded by timeout(1); out gets stdout and stderr.  Returns the exit
 * status. */
static int cli(const struct fixture *e, char *out, size_t outsz, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
cli(const struct fixture *e, char *out, size_t outsz, const char *fmt, ...)
{
	char args[1024], cmd[2048];
	size_t n = 0, r;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "TINBAO_FAKE_NOW=%d timeout %d %s -c '%s' %s 2>&1", BASE_TIME,
		 RUN_TIMEOUT_S, TINBAO, e->conf, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n + 1 < outsz && (r = fread(out + n, 1, outsz - n - 1, p)) > 0)
		n += r;
	out[n] = '\0';
	st = pclose(p);
	if (getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr, "$ tinbao %s\n%s", args, out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void
register_officer(const struct fixture *e)
{
	char out[4096];

	assert_int_equal(cli(e, out, sizeof(out),
			     "senders add %s officer --commune 'Minh Son' "
			     "--name 'Can bo Minh Son'",
			     OFFICER),
			 0);
}

/* ---- unit: policy and limits ------------------------------------------ */

static void
test_normalise(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
	    {"0912345678", "+84912345678"},   {"84912345678", "+84912345678"},
	    {"+84912345678", "+84912345678"}, {"0351234567", "+84351234567"},
	    {"02053123456", "+842053123456"},
	};
	static const char *const bad[] = {
	    "",	      "VIETTEL",	"1414",		"+14155550100",
	    "091234", "09123456789012", "0912-345-678", "+840912345678"};
	char out[24];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(phone_e164(ok[i].in, out, sizeof(out)), 0);
		assert_string_equal(out, ok[i].out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (phone_e164(bad[i], out, sizeof(out)) != -1)
			fail_msg("\"%s\" normalised to %s", bad[i], out);
}

struct unit {
	char dir[64], db[128];
	struct config *cfg;
	struct store *st;
};

static struct unit *
unit_new(void)
{
	struct unit *u = calloc(1, sizeof(*u));

	assert_non_null(u);
	strcpy(u->dir, "/tmp/tinbao-trust-XXXXXX");
	assert_non_null(mkdtemp(u->dir));
	snprintf(u->db, sizeof(u->db), "%s/t.db", u->dir);
	u->cfg = config_load(TEMPLATE, NULL);
	assert_non_null(u->cfg);
	u->st = store_open(u->db, 0);
	assert_non_null(u->st);
	return u;
}

static void
unit_free(struct unit *u)
{
	char cmd[128];

	store_close(u->st);
	config_free(u->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", u->dir);
	assert_int_equal(system(cmd), 0);
	free(u);
}

static enum senders_verdict
verdict(struct unit *u, const char *sender, const char *text, const char **error)
{
	struct identity who;
	struct parser_result res;
	char reply[256];

	assert_int_equal(identity_resolve(u->cfg, u->st, sender, &who), 0);
	parser_parse(u->cfg->parser, text, strlen(text), &res);
	return senders_check(u->cfg, &who, &res, error, reply, sizeof(reply));
}

static void
set_policy(char **slot, const char *v)
{
	free(*slot);
	*slot = v != NULL ? strdup(v) : NULL;
}

static void
test_policy(void **state)
{
	struct unit *u = unit_new();
	struct store_sender s = {"+84912000001", "A", "officer", "06448", 1};
	struct store_sender d = {"+84912000002", "B", "district", "", 1};
	struct store_sender off = {"+84912000003", "C", "officer", "06448", 0};
	struct identity who;
	const char *error;

	assert_int_equal(store_sender_put(u->st, &s, 1), 0);
	assert_int_equal(store_sender_put(u->st, &d, 1), 0);
	assert_int_equal(store_sender_put(u->st, &off, 1), 0);
	/* One phone however written. */
	assert_int_equal(identity_resolve(u->cfg, u->st, "0912000001", &who), 0);
	assert_int_equal(who.roles, IDENTITY_OFFICER);
	assert_string_equal(who.commune_code, "06448");
	assert_int_equal(identity_resolve(u->cfg, u->st, "84912000002", &who), 0);
	assert_true(identity_has(&who, IDENTITY_STAFF));
	assert_int_equal(identity_may_manage_classes(u->cfg, u->st, &who), 1);
	/* Inactive: unknown. */
	assert_int_equal(identity_resolve(u->cfg, u->st, "+84912000003", &who), 0);
	assert_int_equal(who.roles, 0);

	/* Default: quarantine. */
	assert_int_equal(verdict(u, STRANGER, "ENROL Minh Son 5 han", &error), SENDERS_QUARANTINE);
	assert_string_equal(error, "quarantined");
	set_policy(&u->cfg->senders.unknown, "reject");
	assert_int_equal(verdict(u, STRANGER, "ENROL Minh Son 5 han", &error), SENDERS_REJECT);
	assert_string_equal(error, "unknown_sender");
	set_policy(&u->cfg->senders.unknown, "accept");
	assert_int_equal(verdict(u, STRANGER, "ENROL Minh Son 5 han", &error), SENDERS_OK);
	/* Operators can never be registered: refused, not quarantined. */
	set_policy(&u->cfg->senders.unknown, NULL);
	assert_int_equal(verdict(u, "VIETTEL", "ENROL Minh Son 5 han", &error), SENDERS_REJECT);
	assert_string_equal(error, "unknown_sender");

	/* An officer for its commune, another commune, a STATUS of another. */
	assert_int_equal(verdict(u, "0912000001", "ENROL Minh Son 5 han", &error), SENDERS_OK);
	assert_int_equal(verdict(u, "0912000001", "ENROL Thien Tan 5 han", &error), SENDERS_REJECT);
	assert_string_equal(error, "other_commune");
	assert_int_equal(
	    verdict(u, "0912000001", "ENROL Minh Son 5 han; DK Thien Tan 2 han", &error),
	    SENDERS_REJECT);
	assert_int_equal(verdict(u, "0912000001", "TK Thien Tan", &error), SENDERS_OK);
	set_policy(&u->cfg->senders.other_commune, "warn");
	assert_int_equal(verdict(u, "0912000001", "ENROL Thien Tan 5 han", &error), SENDERS_WARN);
	/* District staff report for any commune. */
	set_policy(&u->cfg->senders.other_commune, NULL);
	assert_int_equal(verdict(u, "0912000002", "ENROL Thien Tan 5 han", &error), SENDERS_OK);
	unit_free(u);
}

static int64_t
add_in(struct unit *u, const char *sender, const char *text, int64_t received)
{
	static int serial;
	char fp[32];
	int64_t id;

	snprintf(fp, sizeof(fp), "fp%d", ++serial);
	struct store_sms sms = {sender, received, received, text, "gsm7", 1, fp, NULL, NULL};
	assert_int_equal(store_inbox_add(u->st, &sms, &id), 1);
	return id;
}

static void
test_quota(void **state)
{
	struct unit *u = unit_new();
	struct store_inmsg msg;
	const char *why = NULL;
	int64_t now = BASE_TIME, id = 0, out;
	int i;

	u->cfg->limits.per_sender_hour = 3;
	u->cfg->limits.identical = 2;
	u->cfg->limits.replies_per_day = 2;
	u->cfg->limits.daily_cap = 2;
	memset(&msg, 0, sizeof(msg));
	strcpy(msg.sender, OFFICER);
	/* Rows of more than an hour ago do not count. */
	add_in(u, OFFICER, "a", now - 4000);
	add_in(u, OFFICER, "b", now - 3700);
	for (i = 0; i < 4; i++) {
		id = add_in(u, OFFICER, "x", now - 10 + i);
		msg.id = id;
		msg.text = "x";
		assert_int_equal(quota_over_rate(u->cfg, u->st, &msg, now), i >= 3);
	}
	/* Identical: the third "x" (two before it) is held back, not the second. */
	msg.id = id - 2;
	assert_int_equal(quota_hold_reply(u->cfg, u->st, &msg, now, &why), 0);
	msg.id = id - 1;
	assert_int_equal(quota_hold_reply(u->cfg, u->st, &msg, now, &why), 1);
	assert_string_equal(why, "identical");
	/* Replies per day. */
	msg.id = id - 3;
	assert_int_equal(store_outbox_add(u->st, OFFICER, "r1", "reply", 0, &out), 0);
	assert_int_equal(quota_hold_reply(u->cfg, u->st, &msg, now, &why), 0);
	assert_int_equal(store_outbox_add(u->st, OFFICER, "r2", "reply", 0, &out), 0);
	assert_int_equal(quota_hold_reply(u->cfg, u->st, &msg, now, &why), 1);
	assert_string_equal(why, "replies_per_day");
	/* The loop guard: one of our own texts. */
	msg.text = "r1";
	assert_int_equal(quota_is_echo(u->st, &msg, now), 1);
	msg.text = "r3";
	assert_int_equal(quota_is_echo(u->st, &msg, now), 0);
	/* The daily cap counts what was sent today. */
	assert_int_equal(quota_send_room(u->cfg, u->st, now), 2);
	assert_int_equal(store_sent_add(u->st, "2022-03-01"), 0);
	assert_int_equal(quota_send_room(u->cfg, u->st, now), 1);
	assert_int_equal(store_sent_add(u->st, "2022-03-01"), 0);
	assert_int_equal(store_sent_add(u->st, "2022-03-01"), 0);
	assert_int_equal(quota_send_room(u->cfg, u->st, now), 0);
	assert_int_equal(quota_send_room(u->cfg, u->st, now + 86400), 2);
	u->cfg->limits.daily_cap = 0;
	assert_true(quota_send_room(u->cfg, u->st, now) > 1000000);
	unit_free(u);
}

/* Bad values in the new groups are errors with file:line. */
static void
test_config_errors(void **state)
{
	struct fixture *e = env_new("senders = {\n\tunknown = \"maybe\";\n"
				    "\tother_commune = \"accept\";\n"
				    "\tunknown_reply_days = 400;\n\tcontact = \"call us\";\n};\n"
				    "limits = {\n\tdaily_cap = -1;\n\tper_sender_hour = \"30\";\n"
				    "\tbogus = 1;\n};\n");
	struct config_diags d = {NULL, 0};
	struct config *cfg;
	char want[6][160];
	int base = 0, i, found[6] = {0};
	size_t k;
	FILE *f;
	char line[1024];

	/* The appended lines follow the template's. */
	f = fopen(e->conf, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL && strncmp(line, "senders = {", 11) != 0)
		base++;
	fclose(f);
	cfg = config_load(e->conf, &d);
	assert_null(cfg);
	snprintf(want[0], sizeof(want[0]), "%d:unknown", base + 2);
	snprintf(want[1], sizeof(want[1]), "%d:other_commune", base + 3);
	snprintf(want[2], sizeof(want[2]), "%d:daily_cap", base + 8);
	snprintf(want[3], sizeof(want[3]), "%d:bogus", base + 10);
	/* Checked, not unknown settings. */
	snprintf(want[4], sizeof(want[4]), "%d:\"unknown_reply_days\" must be between 0 and 365",
		 base + 4);
	snprintf(want[5], sizeof(want[5]), "%d:\"contact\" must be", base + 5);
	for (k = 0; k < d.n; k++) {
		if (getenv("TEST_VERBOSE") != NULL)
			fprintf(stderr, "%d: %s\n", d.v[k].line, d.v[k].msg);
		for (i = 0; i < 6; i++) {
			char *colon = strchr(want[i], ':');

			if (d.v[k].line == atoi(want[i]) && strstr(d.v[k].msg, colon + 1) != NULL)
				found[i] = 1;
		}
	}
	for (i = 0; i < 6; i++)
		if (!found[i])
			fail_msg("no error %s", want[i]);
	assert_true(config_diags_errors(&d) >= 7);
	config_diags_free(&d);
	env_free(e);
}

/* ---- integration ------------------------------------------------------ */

static void
test_senders_cli(void **state)
{
	struct fixture *e = env_new(NULL);
	char out[8192], csv[256];

	register_officer(e);
	assert_int_equal(db_int(e,
				"SELECT count(*) FROM senders WHERE number = '%s' AND "
				"commune_code = '06448' AND role = 'officer'",
				OFFICER),
			 1);
	/* 0912..., 84912... and +84912... are one phone. */
	assert_int_equal(cli(e, out, sizeof(out), "senders add 0912000002 district"), 0);
	assert_int_equal(cli(e, out, sizeof(out), "senders add 84912000002 admin"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM senders"), 2);
	assert_int_equal(cli(e, out, sizeof(out), "senders add VIETTEL district"), 1);
	assert_int_equal(cli(e, out, sizeof(out), "senders add 0912000005 officer"), 1);
	assert_non_null(strstr(out, "needs a commune"));
	assert_int_equal(cli(e, out, sizeof(out), "senders add 0912000005 boss"), 1);
	assert_int_equal(cli(e, out, sizeof(out), "senders list"), 0);
	assert_non_null(strstr(out, "admin"));
	assert_non_null(strstr(out, "2 senders"));
	assert_int_equal(cli(e, out, sizeof(out), "senders remove 0912000002"), 0);
	assert_int_equal(db_int(e, "SELECT active FROM senders WHERE number = '+84912000002'"), 0);
	assert_int_equal(cli(e, out, sizeof(out), "senders remove 0912000002"), 1);

	/* Import: all or nothing, bad rows by line number. */
	snprintf(csv, sizeof(csv), "%s/senders.csv", e->dir);
	write_text(csv, "number,name,role,commune,active\n"
			"0912000010,Nguyen Van A,officer,Thien Tan,1\n"
			"0912000011,Tran B,officer,Nowhere Commune,1\n"
			"0912000012,Le C,district,,1\n"
			"12345,Bad Number,officer,06448,1\n"
			"0912000013,\"Pham, D\",officer,06448,maybe\n");
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", csv), 1);
	assert_non_null(strstr(out, "senders.csv:3:"));
	assert_non_null(strstr(out, "senders.csv:5:"));
	assert_non_null(strstr(out, "senders.csv:6:"));
	assert_null(strstr(out, "senders.csv:2:"));
	assert_null(strstr(out, "senders.csv:4:"));
	assert_non_null(strstr(out, "nothing imported"));
	assert_int_equal(db_int(e, "SELECT count(*) FROM senders"), 2);
	write_text(csv, "number,name,role,commune,active\n"
			"0912000010,Nguyen Van A,officer,Thien Tan,1\n"
			"0912000012,Le C,district,,1\n"
			"0912000013,\"Pham, D\",class,06448,0\n");
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", csv), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM senders"), 5);
	assert_int_equal(db_int(e, "SELECT count(*) FROM senders WHERE number = '+84912000010' "
				   "AND commune_code = '06406'"),
			 1);
	assert_int_equal(db_int(e, "SELECT active FROM senders WHERE number = '+84912000013' AND "
				   "name = 'Pham, D'"),
			 0);
	write_text(csv, "phone,name,role,commune,active\n");
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", csv), 1);
	assert_non_null(strstr(out, "senders.csv:1:"));
	env_free(e);
}

/* Default policy: quarantine.  Stored, not counted, not answered but for
 * one notice that the number is not registered; listed; in the district
 * digest and `status`; accepted once. */
static void
test_quarantine(void **state)
{
	struct fixture *e = env_new(NULL);
	char out[8192];
	int64_t id;

	register_officer(e);
	assert_int_equal(cli(e, out, sizeof(out), "senders add 0912000099 district"), 0);
	inject(e, OFFICER, "ENROL Minh Son 5 han", BASE_TIME);
	inject(e, STRANGER, "ENROL Minh Son 7 han", BASE_TIME + 1);
	inject(e, STRANGER, "GRAD Minh Son 3 han", BASE_TIME + 2);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 1);
	assert_int_equal(db_int(e,
				"SELECT count(*) FROM inbox WHERE state = 'rejected' AND "
				"error = 'quarantined' AND sender = '%s'",
				STRANGER),
			 2);
	assert_int_equal(
	    db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'" NOT_NOTICE, STRANGER),
	    0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'", STRANGER),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'", OFFICER),
			 1);
	assert_int_equal(cli(e, out, sizeof(out), "quarantine"), 0);
	assert_non_null(strstr(out, "ENROL Minh Son 7 han"));
	assert_non_null(strstr(out, "2 messages in quarantine"));
	assert_int_equal(cli(e, out, sizeof(out), "status"), 0);
	assert_non_null(strstr(out, "quarantined: 2 (from 1 number)"));
	/* The officer's confirmation and the notice to the stranger. */
	assert_non_null(strstr(out, "sent_today: 2 / 300"));

	/* District staff's TK gets the digest, with the quarantine in it. */
	inject(e, "+84912000099", "TK", BASE_TIME + 20);
	run_at(e, BASE_TIME + 30);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '+84912000099' "
				   "AND text LIKE '%%Cho duyet: 2 tin tu 1 so la%%'"),
			 1);

	id = db_int(e, "SELECT min(id) FROM inbox WHERE sender = '%s'", STRANGER);
	assert_int_equal(cli(e, out, sizeof(out), "quarantine accept %lld", (long long)id), 0);
	assert_non_null(strstr(out, "accepted, 1 report"));
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 2);
	assert_int_equal(
	    db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'" NOT_NOTICE, STRANGER),
	    1);
	/* Accepting twice counts nothing more. */
	assert_int_equal(cli(e, out, sizeof(out), "quarantine accept %lld", (long long)id), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 2);
	assert_int_equal(
	    db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'" NOT_NOTICE, STRANGER),
	    1);
	/* By number: the rest of the sender's quarantine; reject leaves the list. */
	inject(e, STRANGER, "NEED Minh Son 9 han", BASE_TIME + 40);
	run_at(e, BASE_TIME + 50);
	id = db_int(e, "SELECT max(id) FROM inbox WHERE sender = '%s'", STRANGER);
	assert_int_equal(cli(e, out, sizeof(out), "quarantine reject %lld", (long long)id), 0);
	assert_int_equal(cli(e, out, sizeof(out), "quarantine accept 0987654321"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 3);
	assert_int_equal(cli(e, out, sizeof(out), "quarantine accept 0987654321"), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 3);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error = 'quarantined'"), 0);
	/* A later run sends the accepted messages' replies, once. */
	run_at(e, BASE_TIME + 60);
	assert_int_equal(db_int(e,
				"SELECT count(*) FROM outbox WHERE recipient = '%s' AND "
				"state = 'sent'" NOT_NOTICE,
				STRANGER),
			 2);
	/* The notice went once, not again for the SMS quarantined later. */
	assert_int_equal(
	    db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'" NOTICE, STRANGER), 1);
	env_free(e);
}

static void
test_unknown_reject_accept(void **state)
{
	struct fixture *e = env_new("senders = { unknown = \"reject\"; };\n");

	inject(e, STRANGER, "ENROL Minh Son 7 han", BASE_TIME);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error = 'unknown_sender'"), 1);
	assert_int_equal(db_int(e,
				"SELECT count(*) FROM outbox WHERE recipient = '%s' AND text "
				"LIKE 'Loi: so nay chua dang ky%%'",
				STRANGER),
			 1);
	env_free(e);

	e = env_new("senders = { unknown = \"accept\"; };\n");
	inject(e, STRANGER, "ENROL Minh Son 7 han", BASE_TIME);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'", STRANGER),
			 1);
	env_free(e);
}

static void
test_other_commune(void **state)
{
	struct fixture *e = env_new(NULL);

	register_officer(e);
	inject(e, OFFICER, "ENROL Minh Son 5 han", BASE_TIME);
	inject(e, OFFICER, "ENROL Thien Tan 4 han", BASE_TIME + 1);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error = 'other_commune'"), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE text LIKE "
				   "'Loi: so nay chi bao cao cho xa Minh Son.%%'"),
			 1);
	env_free(e);

	e = env_new("senders = { other_commune = \"warn\"; };\n");
	register_officer(e);
	inject(e, OFFICER, "ENROL Minh Son 5 han", BASE_TIME);
	inject(e, OFFICER, "ENROL Thien Tan 4 han", BASE_TIME + 1);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE text LIKE 'OK%%'"), 2);
	env_free(e);
}

/* Replaces the text from with to in the configuration, which must stay
 * valid. */
static void
conf_replace(const struct fixture *e, const char *from, const char *to)
{
	char *buf, *p, cmd[512];
	FILE *f;
	long n;

	f = fopen(e->conf, "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	p = strstr(buf, from);
	assert_non_null(p);
	f = fopen(e->conf, "w");
	assert_non_null(f);
	fwrite(buf, 1, (size_t)(p - buf), f);
	fputs(to, f);
	fputs(p + strlen(from), f);
	assert_int_equal(fclose(f), 0);
	free(buf);
	snprintf(cmd, sizeof(cmd), "%s -c '%s' check-config >/dev/null 2>&1", TINBAO, e->conf);
	assert_int_equal(system(cmd), 0);
}

/* The communes each SMS belongs to, for the console's commune filter:
 * those its sender was an officer of when it was processed, from the table
 * and the configuration's lists, refused or not, and those of the reports
 * it became; each once. */
static void
test_communes_of_sms(void **state)
{
	struct fixture *e = env_new("senders = { other_commune = \"warn\"; };\n");
	char codes[256];

	register_officer(e);
	conf_replace(e, "name = \"Thiện Tân\";",
		     "name = \"Thiện Tân\"; officers = [ \"0912000002\" ];");
	conf_replace(e, "name = \"Vân Nham\";",
		     "name = \"Vân Nham\"; officers = [ \"0912000001\" ];");
	inject(e, OFFICER, "ENROL Minh Son 5 han", BASE_TIME);
	inject(e, OFFICER, "ENROL Thien Tan 4 han", BASE_TIME + 1);
	inject(e, "+84912000002", "xin chao", BASE_TIME + 2);
	inject(e, STRANGER, "ENROL Minh Son 3 han", BASE_TIME + 3);
	run_at(e, BASE_TIME + 10);
	db_text(e,
		"SELECT group_concat(t, ' | ') FROM (SELECT i.text || ': ' || group_concat("
		"c.commune_code, ',') AS t FROM (SELECT * FROM inbox_communes ORDER BY "
		"commune_code) c JOIN inbox i ON i.id = c.inbox_id AND i.received = c.received "
		"GROUP BY i.id ORDER BY i.text)",
		codes, sizeof(codes));
	assert_string_equal(codes, "ENROL Minh Son 5 han: 06433,06448 | "
				   "ENROL Thien Tan 4 han: 06406,06433,06448 | xin chao: 06406");
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error = 'quarantined'"), 1);
	env_free(e);
}

/* Adds an alias to Thiện Tân in the configuration: "Lang Moi", then (more
 * = 1) "Lang Cu" as well. */
static void
add_alias_more(const struct fixture *e, int more)
{
	conf_replace(e,
		     more ? "aliases = [ \"Thiện Kỵ\", \"Tân Lập\", \"Lang Moi\" ]"
			  : "aliases = [ \"Thiện Kỵ\", \"Tân Lập\" ]",
		     more ? "aliases = [ \"Thiện Kỵ\", \"Tân Lập\", \"Lang Moi\", \"Lang Cu\" ]"
			  : "aliases = [ \"Thiện Kỵ\", \"Tân Lập\", \"Lang Moi\" ]");
}

static void
add_alias(const struct fixture *e)
{
	add_alias_more(e, 0);
}

static void
test_replay(void **state)
{
	struct fixture *e = env_new("senders = { unknown = \"accept\"; };\n");
	char out[8192];

	inject(e, STRANGER, "ENROL Lang Moi 12 han", BASE_TIME);
	inject(e, STRANGER, "ENROL Minh Son 3 han", BASE_TIME + 1);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error = 'unknown_commune'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM push_queue WHERE type = "
				   "'message.rejected'"),
			 1);
	/* Nothing changed: nothing new. */
	assert_int_equal(cli(e, out, sizeof(out), "replay"), 0);
	assert_non_null(strstr(out, "0 now accepted, 1 still rejected"));
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 1);

	add_alias(e);
	assert_int_equal(cli(e, out, sizeof(out),
			     "replay --since 2022-03-01 --error "
			     "unknown_commune"),
			 0);
	assert_non_null(strstr(out, "unknown_commune -> accepted, 1 report"));
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports WHERE commune_code = '06406' AND "
				   "count = 12"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), 2); /* no second reply */
	assert_int_equal(db_int(e, "SELECT count(*) FROM push_queue WHERE type = "
				   "'report.created'"),
			 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM push_queue WHERE type = "
				   "'message.rejected'"),
			 1);
	/* Again: counts nothing more. */
	assert_int_equal(cli(e, out, sizeof(out), "replay"), 0);
	assert_non_null(strstr(out, "replayed 0 messages"));
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 2);
	/* --since after the message: not replayed. */
	inject(e, STRANGER, "ENROL Lang Cu 4 han", BASE_TIME + 20);
	run_at(e, BASE_TIME + 30);
	assert_int_equal(cli(e, out, sizeof(out), "replay --since 2022-03-02"), 0);
	assert_non_null(strstr(out, "replayed 0 messages"));
	/* --reply answers a changed outcome only: the sender was told the same
	 * error already, however often replay runs. */
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), 3);
	assert_int_equal(cli(e, out, sizeof(out), "replay --reply"), 0);
	assert_int_equal(cli(e, out, sizeof(out), "replay --reply"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), 3);
	add_alias_more(e, 1);
	assert_int_equal(cli(e, out, sizeof(out), "replay --reply"), 0);
	assert_non_null(strstr(out, "unknown_commune -> accepted, 1 report"));
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), 4);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE text LIKE 'OK%%'"), 2);
	assert_int_equal(cli(e, out, sizeof(out), "replay --reply"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), 4);
	assert_int_equal(cli(e, out, sizeof(out), "replay --error"), 2);
	env_free(e);
}

static void
test_rate_limits(void **state)
{
	struct fixture *e = env_new("senders = { unknown = \"accept\"; };\n"
				    "limits = { per_sender_hour = 3; replies_per_day = 0; "
				    "identical = 0; daily_cap = 0; };\n");
	char out[8192], text[64];
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "ENROL Minh Son %d han", i + 1);
		inject(e, STRANGER, text, BASE_TIME + i);
	}
	inject(e, OFFICER, "ENROL Minh Son 50 han", BASE_TIME + 5);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox"), 6);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 4);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error = 'rate_limited'"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'", STRANGER),
			 3);
	/* An hour later, the sender is heard again. */
	inject(e, STRANGER, "ENROL Minh Son 9 han", BASE_TIME + 20);
	run_at(e, BASE_TIME + 3700);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 5);
	/* Replayed: counted, not answered. */
	assert_int_equal(cli(e, out, sizeof(out), "replay --error rate_limited"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 7);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'", STRANGER),
			 4);
	env_free(e);

	e = env_new("senders = { unknown = \"accept\"; };\n"
		    "limits = { per_sender_hour = 0; replies_per_day = 2; identical = 0; "
		    "daily_cap = 0; };\n");
	for (i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), "ENROL Minh Son %d han", i + 1);
		inject(e, STRANGER, text, BASE_TIME + i);
	}
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 4);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), 2);
	env_free(e);
}

/* One phone writes its number in every form the network may give: it is one
 * sender for the limits, CANCEL and CANCEL #ref, and stored in one form. */
static void
test_one_phone_many_forms(void **state)
{
	static const char *const forms[] = {"0987654321", "84987654321", "+84987654321",
					    "0084987654321", "987654321"};
	struct fixture *e = env_new("senders = { unknown = \"accept\"; };\n"
				    "limits = { per_sender_hour = 3; replies_per_day = 0; "
				    "identical = 0; daily_cap = 0; };\n");
	char text[64];
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "ENROL Minh Son %d han", i + 1);
		inject(e, forms[i], text, BASE_TIME + i);
	}
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE sender = '%s'", STRANGER), 5);
	/* 3 in the hour, not 3 per form. */
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 3);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error = 'rate_limited'"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports WHERE sender <> '%s'", STRANGER),
			 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient <> '%s'", STRANGER),
			 0);
	env_free(e);

	e = env_new("senders = { unknown = \"accept\"; };\n"
		    "limits = { per_sender_hour = 0; replies_per_day = 0; identical = 0; "
		    "daily_cap = 0; };\n");
	inject(e, "0987654321", "ENROL Minh Son 5 han", BASE_TIME);
	inject(e, "84987654321", "ENROL Minh Son 6 han", BASE_TIME + 1);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports WHERE cancelled = 0"), 2);
	/* CANCEL from a third form: the phone's last report. */
	inject(e, "+84987654321", "HUY", BASE_TIME + 20);
	run_at(e, BASE_TIME + 30);
	assert_int_equal(db_int(e, "SELECT cancelled FROM reports WHERE count = 6"), 1);
	/* CANCEL #ref from a fourth form: the phone's report, written another way. */
	inject(e, "0084987654321", "HUY #1", BASE_TIME + 40);
	run_at(e, BASE_TIME + 50);
	assert_int_equal(db_int(e, "SELECT cancelled FROM reports WHERE id = 1"), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE text LIKE 'Da huy #%%'"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error IS NOT NULL"), 0);
	/* Another phone cannot cancel it. */
	inject(e, "0912999999", "HUY #2", BASE_TIME + 60);
	run_at(e, BASE_TIME + 70);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports WHERE cancelled = 1"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error = 'nothing_to_cancel'"),
			 1);
	env_free(e);
}

/* Premium-rate numbers and "00..." strings that are no Vietnamese number
 * are stored, never answered. */
static void
test_never_answered(void **state)
{
	static const char *const senders[] = {"+841900123456", "01900123456", "00849120000",
					      "0044207123456"};
	struct fixture *e = env_new("senders = { unknown = \"accept\"; };\n"
				    "limits = { per_sender_hour = 0; replies_per_day = 0; "
				    "identical = 0; daily_cap = 0; };\n");
	size_t i;

	for (i = 0; i < 4; i++)
		inject(e, senders[i], "ENROL Minh Son 5 han", BASE_TIME + (int64_t)i);
	inject(e, "0084912000002", "ENROL Minh Son 7 han", BASE_TIME + 5);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox"), 5);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE sender = '00849120000'"), 1);
	/* Only the real phone, in its one form, is answered. */
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '+84912000002'"),
			 1);
	env_free(e);
}

/* Data for a phone application (8-bit SMS, kept as hex) is stored, never
 * parsed nor answered; replaying it changes nothing. */
static void
test_data_sms(void **state)
{
	struct fixture *e = env_new("senders = { unknown = \"accept\"; };\n");
	char out[8192], sql[512];
	sqlite3 *db;

	inject(e, STRANGER, "ENROL Minh Son 3 han", BASE_TIME);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(sqlite3_open(e->db, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO inbox(sender, smsc_time, received, text, coding, fingerprint) "
		 "VALUES ('%s', %d, %d, '0605040b8423f0', '8bit', 'data1')",
		 STRANGER, BASE_TIME + 20, BASE_TIME + 20);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	run_at(e, BASE_TIME + 30);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE fingerprint = 'data1' AND "
				   "state = 'rejected' AND error = 'data_sms' AND "
				   "text = '0605040b8423f0'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), 1); /* the report's only */
	assert_int_equal(cli(e, out, sizeof(out), "replay --reply --error data_sms"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error = 'data_sms'"), 1);
	env_free(e);
}

/* inject refuses a text that is not UTF-8 instead of putting a cut or
 * garbled SMS into the phone. */
static void
test_inject_invalid_utf8(void **state)
{
	static const char *const bad[] = {"ENROL Minh Son 5 h\\303", "\\377\\376ENROL",
					  "ENROL \\300\\257 5 han", "ENROL \\355\\240\\200"};
	struct fixture *e = env_new(NULL);
	char out[4096], args[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(args, sizeof(args), "inject --from %s \"$(printf '%s')\"", STRANGER,
			 bad[i]);
		assert_int_equal(cli(e, out, sizeof(out), "%s", args), 2);
		assert_non_null(strstr(out, "not valid UTF-8"));
		assert_null(strstr(out, "injected SMS"));
	}
	assert_int_equal(
	    cli(e, out, sizeof(out), "inject --from %s 'ENROL Minh Sơn 5 hàn'", STRANGER), 0);
	assert_non_null(strstr(out, "injected SMS"));
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox"), 1);
	assert_int_equal(
	    db_int(e, "SELECT count(*) FROM inbox WHERE text = 'ENROL Minh Sơn 5 hàn'"), 1);
	env_free(e);
}

/* reports and quarantine list show Vietnam time, whatever the machine's
 * time zone. */
static void
test_times_in_vietnam(void **state)
{
	struct fixture *e = env_new(NULL);
	char out[8192], *tz = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;

	register_officer(e);
	inject(e, OFFICER, "ENROL Minh Son 5 han", BASE_TIME);
	inject(e, STRANGER, "ENROL Minh Son 6 han", BASE_TIME + 1);
	run_at(e, BASE_TIME + 120); /* 2022-03-01 09:02 +07:00 */
	setenv("TZ", "America/New_York", 1);
	assert_int_equal(cli(e, out, sizeof(out), "reports"), 0);
	assert_non_null(strstr(out, "2022-03-01 09:02"));
	assert_null(strstr(out, "2022-02-28"));
	assert_int_equal(cli(e, out, sizeof(out), "quarantine list"), 0);
	assert_non_null(strstr(out, "2022-03-01 09:02"));
	assert_null(strstr(out, "2022-02-28"));
	if (tz != NULL)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	free(tz);
	env_free(e);
}

#define PUSHED(e, error, state)                                                                    \
	db_int(e, "SELECT count(*) FROM push_queue WHERE type = 'message.rejected' AND payload "   \
		  "LIKE '%%\"error\":\"" error "\",\"state\":\"" state "\"%%'")

/* Messages held back (quarantined, over a limit) reach the district server
 * too, each event once: held when held, then what it became (reports, or a
 * refusal by staff); a replay that changes nothing pushes nothing. */
static void
test_push_held(void **state)
{
	struct fixture *e = env_new("limits = { per_sender_hour = 2; replies_per_day = 0; "
				    "identical = 0; daily_cap = 0; };\n");
	char out[8192];
	int i;

	register_officer(e);
	inject(e, STRANGER, "ENROL Minh Son 6 han", BASE_TIME);
	for (i = 0; i < 3; i++)
		inject(e, OFFICER, i == 2 ? "ENROL Minh Son 9 han" : "ENROL Minh Son 1 han",
		       BASE_TIME + 1 + i);
	inject(e, "+84987000002", "ENROL Minh Son 7 han", BASE_TIME + 5);
	inject(e, "+84987000003", "ENROL Minh Son 8 han", BASE_TIME + 6);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 2);
	assert_int_equal(PUSHED(e, "quarantined", "held"), 3);
	assert_int_equal(PUSHED(e, "rate_limited", "held"), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM push_queue"), 6);

	/* The limited one now counts: a report event, no second rejection. */
	assert_int_equal(cli(e, out, sizeof(out), "replay --error rate_limited"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM push_queue WHERE type = "
				   "'report.created' AND payload LIKE '%%\"count\":9%%'"),
			 1);
	/* Replays that change nothing push nothing. */
	assert_int_equal(cli(e, out, sizeof(out), "replay"), 0);
	assert_int_equal(cli(e, out, sizeof(out), "replay --error rate_limited"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM push_queue"), 7);
	/* Accepted by staff: its report; refused by staff: refused for good. */
	assert_int_equal(cli(e, out, sizeof(out), "quarantine accept %s", STRANGER), 0);
	assert_int_equal(cli(e, out, sizeof(out), "quarantine reject +84987000002"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM push_queue WHERE type = "
				   "'report.created'"),
			 4);
	assert_int_equal(PUSHED(e, "quarantine_rejected", "rejected"), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM push_queue"), 9);
	assert_int_equal(cli(e, out, sizeof(out), "replay"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM push_queue"), 9);
	env_free(e);
}

static void
test_loop_guard(void **state)
{
	struct fixture *e = env_new("senders = { unknown = \"accept\"; };\n"
				    "limits = { per_sender_hour = 0; replies_per_day = 0; "
				    "identical = 2; daily_cap = 0; };\n");
	char reply[512];
	int i;

	for (i = 0; i < 4; i++)
		inject(e, STRANGER, "ENROL Minh Son 5 han", BASE_TIME + i);
	run_at(e, BASE_TIME + 10);
	/* Counted (the officer may mean it), answered twice only. */
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 4);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), 2);

	/* Another machine sends our reply back: not parsed, not answered. */
	db_text(e, "SELECT text FROM outbox WHERE id = 1", reply, sizeof(reply));
	assert_non_null(strstr(reply, "OK"));
	inject(e, "+84911111111", reply, BASE_TIME + 20);
	run_at(e, BASE_TIME + 30);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE sender = '+84911111111' AND "
				   "state = 'rejected' AND error = 'loop'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 4);
	env_free(e);
}

static void
test_daily_cap(void **state)
{
	struct fixture *e = env_new("senders = { unknown = \"accept\"; };\n"
				    "limits = { per_sender_hour = 0; replies_per_day = 0; "
				    "identical = 0; daily_cap = 2; };\n");
	struct store *st;
	int64_t id;

	inject(e, "+84912000011", "ENROL Minh Son 1 han", BASE_TIME);
	inject(e, "+84912000012", "ENROL Minh Son 2 han", BASE_TIME + 1);
	inject(e, "+84912000013", "ENROL Minh Son 3 han", BASE_TIME + 2);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 3);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE state = 'sent'"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE state = 'failed' AND "
				   "error = 'daily cap'"),
			 1);
	/* A digest waits for the next day; the cap holds across a restart. */
	st = store_open(e->db, 0);
	assert_non_null(st);
	assert_int_equal(store_outbox_add(st, "+84912000099", "digest", "digest", 0, &id), 0);
	store_close(st);
	inject(e, "+84912000014", "ENROL Minh Son 4 han", BASE_TIME + 20);
	run_at(e, BASE_TIME + 30);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE state = 'sent'"), 2);
	assert_int_equal(db_int(e, "SELECT state = 'queued' FROM outbox WHERE reason = 'digest'"),
			 1);
	/* The next day (Vietnam midnight is 17:00 UTC). */
	run_at(e, clock_day_start(BASE_TIME) + 24 * 3600 + 60);
	assert_int_equal(db_int(e, "SELECT state = 'sent' FROM outbox WHERE reason = 'digest'"), 1);
	assert_int_equal(db_int(e, "SELECT sent FROM sent_days WHERE day = '2022-03-01'"), 2);
	assert_int_equal(db_int(e, "SELECT sent FROM sent_days WHERE day = '2022-03-02'"), 1);
	env_free(e);
}

/* Registry roles open classes and get the digest for TK, next to the
 * configuration's lists (which keep working). */
static void
test_roles(void **state)
{
	struct fixture *e = env_new("senders = { unknown = \"accept\"; };\n"
				    "classes = { senders = [\"0912000009\"]; };\n");
	char out[4096];

	assert_int_equal(cli(e, out, sizeof(out), "senders add 0912000077 class"), 0);
	assert_int_equal(cli(e, out, sizeof(out), "senders add 0912000078 admin"), 0);
	/* One registry: the configuration's class number is listed with the
	 * table's entries, marked as coming from the configuration. */
	assert_int_equal(cli(e, out, sizeof(out), "senders list"), 0);
	assert_non_null(strstr(out, "+84912000078   admin"));
	assert_non_null(strstr(out, "+84912000009   class     -      config"));
	assert_non_null(strstr(out, "1 number from the configuration's lists"));
	inject(e, STRANGER, "LOP MO HL22-01 Minh Son han 30", BASE_TIME);
	inject(e, "+84912000077", "LOP MO HL22-02 Minh Son han 30", BASE_TIME + 1);
	inject(e, "+84912000078", "LOP MO HL22-03 Minh Son han 30", BASE_TIME + 2);
	inject(e, "+84912000009", "LOP MO HL22-04 Minh Son han 30", BASE_TIME + 3);
	inject(e, "+84912000078", "TK", BASE_TIME + 4);
	/* A registry admin may top the SIM up (the dummy phone has no network:
	 * "not ready", not "not allowed"); a stranger may not. */
	inject(e, "+84912000078", "NAPTIEN 1234 5678 9012", BASE_TIME + 5);
	inject(e, STRANGER, "NAPTIEN 1234 5678 9013", BASE_TIME + 6);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE sender = '+84912000078' AND "
				   "error = 'topup_failed'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '+84912000078' "
				   "AND text LIKE '%%modem chua san sang%%'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE text LIKE '%%9013%%' AND "
				   "error = 'not_allowed'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM classes"), 3);
	assert_int_equal(db_int(e, "SELECT count(*) FROM classes WHERE key = 'HL2201'"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error = 'not_allowed' AND "
				   "text LIKE 'LOP%%'"),
			 1);
	/* TK from an admin: the digest ("Ban tin"), not the district totals. */
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '+84912000078' "
				   "AND text LIKE 'Ban tin%%'"),
			 1);
	env_free(e);

	/* No list in the configuration: anyone may, until the registry names
	 * class numbers or staff. */
	e = env_new("senders = { unknown = \"accept\"; };\n");
	inject(e, STRANGER, "LOP MO HL22-01 Minh Son han 30", BASE_TIME);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM classes"), 1);
	assert_int_equal(cli(e, out, sizeof(out), "senders add 0912000077 class"), 0);
	inject(e, STRANGER, "LOP MO HL22-02 Minh Son han 30", BASE_TIME + 20);
	inject(e, "+84912000077", "LOP MO HL22-03 Minh Son han 30", BASE_TIME + 21);
	run_at(e, BASE_TIME + 30);
	assert_int_equal(db_int(e, "SELECT count(*) FROM classes"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM classes WHERE key = 'HL2202'"), 0);
	env_free(e);
}

/*
 * One registry: an officer added only with `senders import` is an officer
 * everywhere, not only for the sender policy.  Inside the window before the
 * 15 June deadline (the default: from 8 June) it gets its commune's reminder, and its TK answers
 * with its commune's figures, not the district's.
 */
static void
test_imported_officer(void **state)
{
	struct fixture *e = env_new(NULL);
	const int64_t t = 1655082000; /* Monday 13 June 2022, 08:00 in Vietnam */
	char out[4096], csv[256];

	snprintf(csv, sizeof(csv), "%s/officers.csv", e->dir);
	write_text(csv, "number,name,role,commune,active\n"
			"0912000050,Can bo Thien Tan,officer,Thien Tan,1\n");
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", csv), 0);
	inject(e, "+84912000050", "TK", t - 60);
	run_at(e, t);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reminders WHERE recipient = "
				   "'+84912000050' AND commune_code = '06406'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reminders WHERE recipient = "
				   "'+84912000050'"),
			 1);
	assert_int_equal(
	    db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '+84912000050' "
		      "AND reason = 'reply' AND text LIKE 'So lieu 2022 xa Thien Tan:%%'"),
	    1);
	env_free(e);
}

/* What the sender's identity and the words of a report change in what is
 * stored and answered: the example of an error reply names the officer's
 * own commune, and a date typed in the report sets its half-year. */
static void
test_report_context(void **state)
{
	struct fixture *e = env_new("senders = { unknown = \"accept\"; };\n");

	register_officer(e);
	inject(e, OFFICER, "ENROL xyz 5 han", BASE_TIME);
	inject(e, STRANGER, "ENROL xyz 5 han", BASE_TIME + 1);
	/* Sent in March, counted on 12 August: the second half. */
	inject(e, OFFICER, "ENROL Minh Son 5 han ngay 12/8/2022", BASE_TIME + 2);
	/* A date of another year than the plan's: the message's own period. */
	inject(e, OFFICER, "TN Minh Son 4 han 12/8/2021", BASE_TIME + 3);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '" OFFICER
				   "' AND text LIKE '%%VD: DK Minh Son 35 HAN'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '" STRANGER
				   "' AND text LIKE '%%VD: DK Huu Lung 35 HAN'"),
			 1);
	assert_int_equal(db_int(e, "SELECT half FROM reports WHERE kind = 'enrol'"), 2);
	assert_int_equal(db_int(e, "SELECT year FROM reports WHERE kind = 'enrol'"), 2022);
	assert_int_equal(db_int(e, "SELECT half FROM reports WHERE kind = 'grad'"), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE text LIKE "
				   "'OK #%%, ngay 12/8/2022. Luy ke 2022 xa Minh Son: 5 HV%%'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE text LIKE "
				   "'OK #%%. Luy ke 2022 xa Minh Son: 4 HV tot nghiep'"),
			 1);
	env_free(e);
}

/*
 * A NAPTIEN is an SMS like any other for the sender policy and the limits:
 * a stranger's flood of top-up requests is held (quarantine, then the hour's
 * limit), answers nothing and dials nothing, so that a registered officer's
 * confirmation still goes out under the daily cap; an admin's still reaches
 * the dialling (the dummy phone has no network: "not ready").  Under
 * senders.unknown = "reject" the refusals are answered only as far as the
 * reply limits allow.
 */
static void
test_naptien_screen(void **state)
{
	struct fixture *e = env_new("admins = [\"0912000009\"];\nlimits = { daily_cap = 5; };\n");
	char text[64];
	int i;

	register_officer(e);
	for (i = 0; i < 40; i++) {
		snprintf(text, sizeof(text), "NAPTIEN 1234 5678 %04d", i);
		inject(e, STRANGER, text, BASE_TIME + i);
	}
	inject(e, OFFICER, "ENROL Minh Son 5 han", BASE_TIME + 50);
	inject(e, "+84912000009", "NAPTIEN 1111 2222 3333", BASE_TIME + 51);
	run_at(e, BASE_TIME + 60);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'", STRANGER),
			 0);
	assert_int_equal(db_int(e,
				"SELECT count(*) FROM inbox WHERE sender = '%s' AND state = "
				"'rejected' AND error = 'quarantined'",
				STRANGER),
			 30);
	assert_int_equal(db_int(e,
				"SELECT count(*) FROM inbox WHERE sender = '%s' AND state = "
				"'rejected' AND error = 'rate_limited'",
				STRANGER),
			 10);
	assert_int_equal(db_int(e,
				"SELECT count(*) FROM outbox WHERE recipient = '%s' AND state = "
				"'sent' AND text LIKE 'OK%%'",
				OFFICER),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE sender = '+84912000009' AND "
				   "error = 'topup_failed'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '+84912000009' "
				   "AND text LIKE '%%modem chua san sang%%'"),
			 1);
	env_free(e);

	e = env_new("senders = { unknown = \"reject\"; };\nlimits = { replies_per_day = 3; };\n");
	register_officer(e);
	for (i = 0; i < 10; i++) {
		snprintf(text, sizeof(text), "NAPTIEN 1234 5678 %04d", i);
		inject(e, STRANGER, text, BASE_TIME + i);
	}
	inject(e, OFFICER, "ENROL Minh Son 5 han", BASE_TIME + 50);
	run_at(e, BASE_TIME + 60);
	assert_int_equal(db_int(e,
				"SELECT count(*) FROM inbox WHERE sender = '%s' AND state = "
				"'rejected' AND error = 'unknown_sender'",
				STRANGER),
			 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'", STRANGER),
			 3);
	assert_int_equal(db_int(e,
				"SELECT count(*) FROM outbox WHERE recipient = '%s' AND state = "
				"'sent' AND text LIKE 'OK%%'",
				OFFICER),
			 1);
	env_free(e);
}

/*
 * A stranger's SMS with a newline and terminal escapes: the log shows it on
 * one line, escaped (no forged "report #99" line), `quarantine list` shows
 * it escaped (no ESC reaches the staff's terminal), the database keeps the
 * exact text.
 */
static void
test_hostile_text_escaped(void **state)
{
	struct fixture *e = env_new(NULL);
	char out[16384];

	inject(e, STRANGER, "HI\n14:38:49   report #99: enrol \x1b[2J\x1b]0;x\x07 ok", BASE_TIME);
	assert_int_equal(cli(e, out, sizeof(out), "run --once"), 0);
	assert_null(strstr(out, "\n14:38:49   report #99"));
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, "HI\\n14:38:49   report #99: enrol \\x1b[2J\\x1b]0;x\\x07 ok"));
	assert_int_equal(cli(e, out, sizeof(out), "quarantine list"), 0);
	assert_null(strchr(out, '\x1b'));
	assert_null(strstr(out, "\n14:38:49"));
	assert_non_null(strstr(out, "HI\\n14:38:49   report #99: enrol \\x1b[2J"));
	/* A name in the registry, as senders list shows it. */
	assert_int_equal(cli(e, out, sizeof(out),
			     "senders add 0912000077 officer --commune 'Minh Son' "
			     "--name \"$(printf 'A\\033[31mB')\""),
			 0);
	assert_int_equal(cli(e, out, sizeof(out), "senders list"), 0);
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, "A\\x1b[31mB"));
	assert_int_equal(
	    db_int(e, "SELECT count(*) FROM inbox WHERE text = 'HI' || char(10) || "
		      "'14:38:49   report #99: enrol ' || char(27) || '[2J' || char(27) || "
		      "']0;x' || char(7) || ' ok'"),
	    1);
	env_free(e);
}

/* ---- the registry from spreadsheets ----------------------------------- */

/* The registry's rows, every column but when they changed. */
static void
registry_rows(const struct fixture *e, char *out, size_t outsz)
{
	db_text(e,
		"SELECT coalesce(group_concat(number || '|' || name || '|' || role || '|' || "
		"coalesce(commune_code, '') || '|' || active, ';'), '') FROM "
		"(SELECT * FROM senders ORDER BY number)",
		out, outsz);
}

/* What Excel saves as "CSV UTF-8": a byte order mark, ';' between fields in
 * a Vietnamese locale, CRLF, the headers in Vietnamese; numbers that lost
 * their 0, with spaces or dots; communes by name.  Then a number Excel
 * turned into 8.49123E+10: refused with its line, nothing imported. */
static void
test_registry_excel_csv(void **state)
{
	struct fixture *e = env_new(NULL);
	char csv[512], out[8192], rows[1024];

	snprintf(csv, sizeof(csv), "%s/officers.csv", e->dir);
	write_text(csv, "\xef\xbb\xbfSố điện thoại;Họ Tên;VAI TRÒ;Xã\r\n"
			"912000010;Nguyễn Văn A;Cán bộ xã;Thiện Tân\r\n"
			"0912 000 011;\"Trần; B\";officer;Minh Sơn\r\n"
			";;;\r\n"
			"0912.000.012;Lê C;huyen;\r\n");
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", csv), 0);
	assert_non_null(strstr(out, "3 added"));
	registry_rows(e, rows, sizeof(rows));
	assert_string_equal(rows, "+84912000010|Nguyễn Văn A|officer|06406|1;"
				  "+84912000011|Trần; B|officer|06448|1;"
				  "+84912000012|Lê C|district||1");

	/* Tabs, the English header in capitals, active given. */
	write_text(csv, "NUMBER\tName\tRole\tCOMMUNE\tActive\n"
			"0912000013\tPham D\tofficer\t06448\t0\n");
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", csv), 0);
	assert_int_equal(db_int(e, "SELECT active FROM senders WHERE number = '+84912000013'"), 0);

	write_text(csv, "number,name,role,commune\n"
			"0912000014,Vu E,officer,06448\n"
			"8.49123E+10,Do G,officer,06448\n");
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", csv), 1);
	assert_non_null(strstr(out, "officers.csv:3: 8.49123E+10: written in scientific notation"));
	assert_non_null(strstr(out, "nothing imported"));
	assert_int_equal(db_int(e, "SELECT count(*) FROM senders"), 4);
	/* Excel's plain "CSV" is in a Windows code page: named, not imported. */
	write_text(csv, "number,name,role,commune\n"
			"0912000015,Tr\xe2n,officer,06448\n");
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", csv), 1);
	assert_non_null(strstr(out, "officers.csv:2: not UTF-8 text"));
	assert_int_equal(db_int(e, "SELECT count(*) FROM senders"), 4);
	env_free(e);
}

/* Writes a workbook of one worksheet with libxlsxwriter: cells[r][c] is
 * NULL (no cell), "=N" (a number cell) or a text cell. */
static void
write_workbook(const char *path, const char *const (*cells)[4], size_t nrows)
{
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *ws;
	size_t r, c;

	assert_non_null(wb);
	ws = workbook_add_worksheet(wb, NULL);
	for (r = 0; r < nrows; r++)
		for (c = 0; c < 4; c++)
			if (cells[r][c] != NULL && cells[r][c][0] == '=')
				worksheet_write_number(ws, r, c, atof(cells[r][c] + 1), NULL);
			else if (cells[r][c] != NULL)
				worksheet_write_string(ws, r, c, cells[r][c], NULL);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

/* An .xlsx workbook: numbers as number cells without their 0, text cells,
 * a name with diacritics and XML's special characters, a blank row; a bad
 * row named by its worksheet row. */
static void
test_registry_xlsx(void **state)
{
	static const char *const good[][4] = {
	    {"Số điện thoại", "Họ tên", "Vai trò", "Xã"},
	    {"=912000020", "Hoàng <Văn> & H", "can bo xa", "Minh Sơn"},
	    {NULL, NULL, NULL, NULL},
	    {"0912 000 021", NULL, "quản trị", NULL},
	};
	static const char *const bad[][4] = {
	    {"number", "role", NULL, NULL},
	    {"=912000022", "district", NULL, NULL},
	    {"=912000023", "chef", NULL, NULL},
	};
	struct fixture *e = env_new(NULL);
	char path[512], out[8192], rows[1024];

	snprintf(path, sizeof(path), "%s/officers.xlsx", e->dir);
	write_workbook(path, good, sizeof(good) / sizeof(good[0]));
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", path), 0);
	registry_rows(e, rows, sizeof(rows));
	assert_string_equal(rows, "+84912000020|Hoàng <Văn> & H|officer|06448|1;"
				  "+84912000021||admin||1");
	write_workbook(path, bad, sizeof(bad) / sizeof(bad[0]));
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", path), 1);
	assert_non_null(strstr(out, "officers.xlsx: row 3: 912000023: role must be"));
	assert_int_equal(db_int(e, "SELECT count(*) FROM senders"), 2);
	env_free(e);
}

/* A dry run tells what would change and writes nothing; an export imports
 * back unchanged. */
static void
test_registry_dry_run_export(void **state)
{
	struct fixture *e = env_new(NULL);
	char csv[512], out[8192], before[1024], after[1024], text[256], all[2048];
	FILE *f;
	size_t n;

	register_officer(e);
	assert_int_equal(
	    cli(e, out, sizeof(out), "senders add 0912000031 district --name 'B, \"C\"'"), 0);
	assert_int_equal(cli(e, out, sizeof(out), "senders add 0912000032 admin"), 0);
	registry_rows(e, before, sizeof(before));
	snprintf(csv, sizeof(csv), "%s/new.csv", e->dir);
	write_text(csv, "number,name,role,commune,active\n"
			"0912000001,Can bo Minh Son,officer,06448,1\n" /* unchanged */
			"0912000031,New name,district,,1\n"	       /* changed */
			"0912000032,,admin,,0\n"		       /* deactivated */
			"0912000033,D,class,,1\n");		       /* added */
	assert_int_equal(cli(e, out, sizeof(out), "senders import --dry-run '%s'", csv), 0);
	assert_non_null(strstr(
	    out, "1 added, 1 changed, 1 deactivated, 1 unchanged (dry run: nothing written)"));
	assert_non_null(strstr(out, "added        +84912000033   class     -      active  D\n"));
	assert_non_null(strstr(out, "deactivated  +84912000032   admin     -      off"));
	assert_non_null(strstr(out,
			       "changed      +84912000031   district  -      active  B, \"C\"\n"
			       "  now        +84912000031   district  -      active  New name\n"));
	registry_rows(e, after, sizeof(after));
	assert_string_equal(before, after);

	/* Names a spreadsheet would take for formulas: exported behind a
	 * quote, which the import takes off again; numbers stay as they are. */
	assert_int_equal(
	    cli(e, out, sizeof(out),
		"senders add 0912000034 class --name '=HYPERLINK(\"http://x\",\"c\")'"),
	    0);
	assert_int_equal(cli(e, out, sizeof(out), "senders add 0912000035 class --name '@SUM(A1)'"),
			 0);
	assert_int_equal(
	    cli(e, out, sizeof(out), "senders add 0912000036 class --name \"'+1 quoted\""), 0);
	registry_rows(e, before, sizeof(before));
	snprintf(csv, sizeof(csv), "%s/export.csv", e->dir);
	assert_int_equal(cli(e, out, sizeof(out), "senders export '%s'", csv), 0);
	f = fopen(csv, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	assert_string_equal(text, "\xef\xbb\xbfnumber,name,role,commune,active\n");
	n = fread(all, 1, sizeof(all) - 1, f);
	all[n] = '\0';
	fclose(f);
	assert_non_null(
	    strstr(all, "+84912000034,\"'=HYPERLINK(\"\"http://x\"\",\"\"c\"\")\",class"));
	assert_non_null(strstr(all, "+84912000035,'@SUM(A1),class"));
	assert_non_null(strstr(all, "+84912000036,''+1 quoted,class"));
	assert_non_null(strstr(all, "+84912000031,\"B, \"\"C\"\"\",district"));
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", csv), 0);
	assert_non_null(strstr(out, "0 added, 0 changed, 0 deactivated, 6 unchanged"));
	registry_rows(e, after, sizeof(after));
	assert_string_equal(before, after);
	env_free(e);
}

/* Writes a registry of n officers of Minh Son, from 0912100000 on; with
 * dup, the last row is the first one's number again. */
static void
write_registry(const char *path, int n, int dup)
{
	FILE *f = fopen(path, "w");
	int i;

	assert_non_null(f);
	fputs("number,name,role,commune\n", f);
	for (i = 0; i < n; i++)
		fprintf(f, "09121%05d,Can bo %d,officer,06448\n", dup && i == n - 1 ? 0 : i, i);
	assert_int_equal(fclose(f), 0);
}

/* A district has a few hundred numbers: a file of more than 10,000 rows is
 * refused at the first row past the cap, nothing imported; a number listed
 * twice among 10,000 rows is named by its second line. */
static void
test_registry_cap(void **state)
{
	struct fixture *e = env_new(NULL);
	char csv[512], out[8192];

	snprintf(csv, sizeof(csv), "%s/big.csv", e->dir);
	write_registry(csv, 10001, 0);
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", csv), 1);
	assert_non_null(strstr(out, "big.csv:10002: more than 10000 numbers"));
	assert_non_null(strstr(out, "nothing imported"));
	assert_int_equal(db_int(e, "SELECT count(*) FROM senders"), 0);
	write_registry(csv, 10000, 1);
	assert_int_equal(cli(e, out, sizeof(out), "senders import --dry-run '%s'", csv), 1);
	assert_non_null(strstr(out, "big.csv:10001: 0912100000: listed twice"));
	assert_null(strstr(out, "big.csv:2:"));
	write_registry(csv, 10000, 0);
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", csv), 0);
	assert_non_null(strstr(out, "imported 10000 senders"));
	assert_int_equal(db_int(e, "SELECT count(*) FROM senders"), 10000);
	env_free(e);
}

/* The file is read and checked before the import takes the database's
 * write lock: while another process holds it, a bad file is still told by
 * its lines, and a dry run still tells what it would change. */
static void
test_registry_read_unlocked(void **state)
{
	struct fixture *e = env_new(NULL);
	char csv[512], out[8192];
	sqlite3 *db;

	register_officer(e);
	snprintf(csv, sizeof(csv), "%s/new.csv", e->dir);
	assert_int_equal(sqlite3_open(e->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	write_text(csv, "number,role\n0912000040,district\n8.49123E+10,officer\n");
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", csv), 1);
	assert_non_null(strstr(out, "new.csv:3: 8.49123E+10: written in scientific notation"));
	write_text(csv, "number,role\n0912000040,district\n");
	assert_int_equal(cli(e, out, sizeof(out), "senders import --dry-run '%s'", csv), 0);
	assert_non_null(strstr(out, "1 added, 0 changed"));
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(cli(e, out, sizeof(out), "senders import '%s'", csv), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM senders"), 2);
	env_free(e);
}

/* A number nobody registered is told once in senders.unknown_reply_days
 * whom to call; a sender that is no phone never is. */
static void
test_unregistered_notice(void **state)
{
	struct fixture *e = env_new("senders = {\n\tcontact = \"02383123456\";\n};\n");
	char text[256];
	sqlite3 *db;

	inject(e, STRANGER, "ENROL Minh Son 7 han", BASE_TIME);
	inject(e, "VIETTEL", "ENROL Minh Son 7 han", BASE_TIME + 1);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(
	    db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'" NOTICE, STRANGER), 1);
	db_text(e, "SELECT text FROM outbox WHERE recipient = '" STRANGER "'", text, sizeof(text));
	assert_non_null(strstr(text, "02383123456"));
	assert_true(strlen(text) <= 160);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = 'VIETTEL'"), 0);
	/* Again within the window: nothing more. */
	inject(e, STRANGER, "GRAD Minh Son 3 han", BASE_TIME + 20);
	run_at(e, BASE_TIME + 30);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error = 'quarantined'"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'", STRANGER),
			 1);
	/* Seven days later (the outbox's own clock): told again, once. */
	assert_int_equal(sqlite3_open(e->db, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "UPDATE outbox SET created = created - 8 * 86400", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	inject(e, STRANGER, "NEED Minh Son 9 han", BASE_TIME + 40);
	inject(e, STRANGER, "NEED Minh Son 8 han", BASE_TIME + 41);
	run_at(e, BASE_TIME + 50);
	assert_int_equal(
	    db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'" NOTICE, STRANGER), 2);
	env_free(e);

	/* 0: never. */
	e = env_new("senders = {\n\tunknown_reply_days = 0;\n};\n");
	inject(e, STRANGER, "ENROL Minh Son 7 han", BASE_TIME);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error = 'quarantined'"), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), 0);
	env_free(e);
}

/* quarantine accept --register: the number joins the registry with its role
 * and commune, its held SMS are counted once and confirmed. */
static void
test_accept_register(void **state)
{
	struct fixture *e = env_new(NULL);
	char out[8192], rows[512];

	inject(e, STRANGER, "ENROL Minh Son 7 han", BASE_TIME);
	inject(e, STRANGER, "GRAD Minh Son 3 han", BASE_TIME + 1);
	run_at(e, BASE_TIME + 10);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 0);
	/* An officer needs a commune: nothing registered nor accepted. */
	assert_int_equal(
	    cli(e, out, sizeof(out), "quarantine accept --register officer %s", STRANGER), 1);
	assert_non_null(strstr(out, "an officer needs a commune"));
	assert_int_equal(db_int(e, "SELECT count(*) FROM senders"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 0);
	assert_int_equal(cli(e, out, sizeof(out),
			     "quarantine accept --register 'can bo xa' --commune 'Minh Son' "
			     "--name 'Le D' 0987654321"),
			 0);
	registry_rows(e, rows, sizeof(rows));
	assert_string_equal(rows, STRANGER "|Le D|officer|06448|1");
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports WHERE sender = '%s'", STRANGER),
			 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error = 'quarantined'"), 0);
	assert_int_equal(
	    db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '%s'" NOT_NOTICE, STRANGER),
	    2);
	/* Counted once. */
	assert_int_equal(cli(e, out, sizeof(out), "quarantine accept %s", STRANGER), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 2);
	/* Registered: its next SMS is counted and answered as an officer's. */
	inject(e, STRANGER, "NEED Minh Son 9 han", BASE_TIME + 20);
	run_at(e, BASE_TIME + 30);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 3);
	env_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalise),
	    cmocka_unit_test(test_policy),
	    cmocka_unit_test(test_quota),
	    cmocka_unit_test(test_config_errors),
	    cmocka_unit_test(test_senders_cli),
	    cmocka_unit_test(test_quarantine),
	    cmocka_unit_test(test_unknown_reject_accept),
	    cmocka_unit_test(test_other_commune),
	    cmocka_unit_test(test_communes_of_sms),
	    cmocka_unit_test(test_replay),
	    cmocka_unit_test(test_rate_limits),
	    cmocka_unit_test(test_one_phone_many_forms),
	    cmocka_unit_test(test_never_answered),
	    cmocka_unit_test(test_data_sms),
	    cmocka_unit_test(test_inject_invalid_utf8),
	    cmocka_unit_test(test_times_in_vietnam),
	    cmocka_unit_test(test_push_held),
	    cmocka_unit_test(test_loop_guard),
	    cmocka_unit_test(test_daily_cap),
	    cmocka_unit_test(test_roles),
	    cmocka_unit_test(test_imported_officer),
	    cmocka_unit_test(test_report_context),
	    cmocka_unit_test(test_naptien_screen),
	    cmocka_unit_test(test_hostile_text_escaped),
	    cmocka_unit_test(test_registry_excel_csv),
	    cmocka_unit_test(test_registry_xlsx),
	    cmocka_unit_test(test_registry_dry_run_export),
	    cmocka_unit_test(test_registry_cap),
	    cmocka_unit_test(test_registry_read_unlocked),
	    cmocka_unit_test(test_unregistered_notice),
	    cmocka_unit_test(test_accept_register),
	};

	log_init(0, getenv("TEST_VERBOSE") != NULL ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
