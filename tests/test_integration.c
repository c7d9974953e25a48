/*
 * test_integration.c - the whole gateway on real parts: gammu's dummy phone
 * as the modem, a real SQLite file, the real ./tinbao binary in a child
 * process.  Every wait is bounded.
 *
 * Usage: test_integration [path-to-tinbao]   (default ./tinbao, run from the
 * repository root so that contrib/tinbao.conf is found)
 */
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "fixture.h"
#include "modem.h"

#define RUN_TIMEOUT_S 120    /* no single gateway run may take longer */
#define BASE_TIME 1646100000 /* 2022-03-01 09:00 +07:00: SMSC times of the test SMS */

static const char *tinbao = "./tinbao";

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(fixture_setup(f, tinbao, "contrib/tinbao.conf"), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture_teardown(*state);
	free(*state);
	return 0;
}

/* Runs the gateway; fails the test when it does not end in time. */
#define run(f, crash, kill_ms, ...)                                                                \
	checked(fixture_run((f), (crash), (kill_ms), RUN_TIMEOUT_S, NULL, __VA_ARGS__))

static int
checked(int status)
{
	if (status == -1)
		fail_msg("tinbao could not be run or did not finish within %d s", RUN_TIMEOUT_S);
	return status;
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

static void
inject(const struct fixture *e, const char *from, const char *text, int64_t at)
{
	struct modem *m = modem_open(e->gammurc, 0);

	assert_non_null(m);
	assert_int_equal(modem_inject(m, from, text, at), 0);
	modem_close(m);
}

static int
phone_count(const struct fixture *e)
{
	struct modem *m = modem_open(e->gammurc, 0);
	struct modem_sms *sms = malloc(sizeof(*sms));
	int n = 0, start = 1, bound = 100000;

	assert_non_null(m);
	assert_non_null(sms);
	while (bound-- > 0 && modem_next(m, start, sms) == 1) {
		start = 0;
		n++;
	}
	free(sms);
	modem_close(m);
	return n;
}

/*
 * The batch: templates (with {n} for a count) cycled over 99 messages, plus one
 * multipart message.  Each template says what the gateway must make of it.
 */
struct tmpl {
	const char *text;
	const char *error; /* NULL: accepted */
	const char *kind;  /* report kind, or NULL when no report is stored */
	const char *commune;
	const char *trade;
};

static const struct tmpl tmpls[] = {
    {"ENROL xã Minh Sơn {n} hàn", NULL, "enrol", "06448", "HAN"},
    {"enrol xa minh son {n} han", NULL, "enrol", "06448", "HAN"},
    {"GRAD Thiện Tân {n} maycn", NULL, "grad", "06406", "MAYCN"},
    {"TN tan lap {n} theu", NULL, "grad", "06406", "THEU"},
    {"VL Đô Lương {n} tinhoc", NULL, "job", "06433", "TINHOC"},
    {"NEED tt Hữu Lũng {n} rau", NULL, "need", "06385", "RAU"},
    {"LD Hoa Binh 3000 {n}", NULL, "labour", "06397", NULL},
    {"DK Hồ Sơn {n} cnlon", NULL, "enrol", "06451", "CNLON"},
    {"ENROL Minh {n} han", "ambiguous_commune", NULL, NULL, NULL},
    {"ENROL Minh Son {n} may", "ambiguous_trade", NULL, NULL, NULL},
    {"HELLO {n}", "unknown_keyword", NULL, NULL, NULL},
    {"ENROL Dong Lai {n} han", "unknown_commune", NULL, NULL, NULL},
    {"ENROL Minh Son han", "missing_count", NULL, NULL, NULL},
    {"TK Minh Son", NULL, NULL, NULL, NULL},
    {"HELP", NULL, NULL, NULL, NULL},
};
#define NTMPL (sizeof(tmpls) / sizeof(tmpls[0]))
#define BATCH 100

/* The multipart one: UCS-2 (diacritics), longer than 70 characters. */
static const char multipart[] = "ENROL    xã Minh Sơn      ,     ,      ,      ,      ,      "
				"17        ,      ,      ,      ,      ,      ,     hàn";

static const char *
sender_of(int i)
{
	static char s[32];

	snprintf(s, sizeof(s), "+8491200%04d", i % 12);
	return s;
}

/* tmpl with "{n}" replaced by n. */
static void
subst(char *out, size_t outsz, const char *tmpl, int n)
{
	const char *at = strstr(tmpl, "{n}");

	if (at == NULL)
		snprintf(out, outsz, "%s", tmpl);
	else
		snprintf(out, outsz, "%.*s%d%s", (int)(at - tmpl), tmpl, n, at + 3);
}

static void
inject_batch(const struct fixture *e, int n)
{
	struct modem *m = modem_open(e->gammurc, 0);
	char text[256];
	int i;

	assert_non_null(m);
	for (i = 0; i < n - 1; i++) {
		subst(text, sizeof(text), tmpls[i % NTMPL].text, 1 + i % 40);
		assert_int_equal(modem_inject(m, sender_of(i), text, BASE_TIME + i * 60), 0);
	}
	assert_int_equal(modem_inject(m, "+84912009999", multipart, BASE_TIME + i * 60), 0);
	modem_close(m);
}

/* What a correct run of the batch leaves in the database. */
static void
assert_batch(const struct fixture *e, int n)
{
	int i, accepted = 1, reports = 1; /* the multipart message */
	const struct tmpl *t;

	for (i = 0; i < n - 1; i++) {
		t = &tmpls[i % NTMPL];
		accepted += t->error == NULL;
		reports += t->kind != NULL;
	}
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox"), n);
	assert_int_equal(db_int(e, "SELECT count(DISTINCT fingerprint) FROM inbox"), n);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE state='new'"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE state='accepted'"), accepted);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE state='rejected'"),
			 n - accepted);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), reports);
	/* Exactly one reply per message, each sent. */
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), n);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE state='sent'"), n);
	assert_int_equal(db_int(e, "SELECT count(*) FROM (SELECT inbox_id FROM outbox "
				   "GROUP BY inbox_id HAVING count(*) <> 1)"),
			 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE id NOT IN "
				   "(SELECT inbox_id FROM outbox)"),
			 0);
	/* One push event per report and per rejection, in the same transactions. */
	assert_int_equal(db_int(e, "SELECT count(*) FROM push_queue"), reports + (n - accepted));
	assert_int_equal(phone_count(e), 0);
}

static void
test_batch_once(void **state)
{
	const struct fixture *e = *state;
	const struct tmpl *t;
	int i;

	inject_batch(e, BATCH);
	assert_int_equal(phone_count(e), BATCH + 1); /* the multipart one is two SMS */
	assert_int_equal(run(e, NULL, 0, "run", "--once", NULL), 0);
	assert_batch(e, BATCH);

	/* Each message became what its template says. */
	for (i = 0; i < BATCH - 1; i++) {
		t = &tmpls[i % NTMPL];
		if (t->error != NULL)
			assert_int_equal(db_int(e,
						"SELECT count(*) FROM inbox WHERE id=%d AND "
						"state='rejected' AND error='%s'",
						i + 1, t->error),
					 1);
		if (t->kind != NULL)
			assert_int_equal(
			    db_int(e,
				   "SELECT count(*) FROM reports WHERE inbox_id=%d AND "
				   "kind='%s' AND commune_code='%s' AND count=%d AND "
				   "year=2022 AND half=1 AND trade_code %s",
				   i + 1, t->kind, t->commune, t->trade != NULL ? 1 + i % 40 : 3000,
				   t->trade != NULL ? "IS NOT NULL" : "IS NULL"),
			    1);
	}
	/* The multipart message was joined, understood and answered. */
	assert_int_equal(db_int(e, "SELECT parts FROM inbox WHERE sender='+84912009999'"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports r JOIN inbox i ON i.id="
				   "r.inbox_id WHERE i.sender='+84912009999' AND r.count=17 AND "
				   "r.trade_code='HAN'"),
			 1);

	/* Again: nothing new is stored or sent. */
	assert_int_equal(run(e, NULL, 0, "run", "--once", NULL), 0);
	assert_batch(e, BATCH);
}

static void
test_no_reply_to_services(void **state)
{
	const struct fixture *e = *state;

	inject(e, "Viettel", "KM: nap the 50.000d tang 50%", BASE_TIME);
	inject(e, "9029", "ENROL Minh Son 5 han", BASE_TIME + 1);
	inject(e, "+84912000001", "ENROL Minh Son 5 han", BASE_TIME + 2);
	assert_int_equal(run(e, NULL, 0, "run", "--once", NULL), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox"), 3);
	/* Stored and counted, but only the officer is answered. */
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient='+84912000001'"),
			 1);
}

static void
test_reply_text(void **state)
{
	const struct fixture *e = *state;

	inject(e, "+84912000001", "ENROL xã Minh Sơn 35 hàn", BASE_TIME);
	assert_int_equal(run(e, NULL, 0, "run", "--once", NULL), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE text LIKE 'OK #1:%%' AND "
				   "text LIKE '%%35%%' AND text LIKE '%%Minh Son%%' AND "
				   "text LIKE '%%Han dien%%' AND length(text) <= 160"),
			 1);
}

/*
 * kill -9 at exact points (after the inbox commit, after the delete from the
 * phone, after a message was processed, after a reply went out) and at timed
 * moments; after each crash the gateway is started again.  At the end every
 * SMS is stored exactly once and nothing is left unprocessed.
 */
static void
test_crash_points(void **state)
{
	const struct fixture *e = *state;
	static const char *crashes[] = {
	    "stored:1", "stored:7", "deleted:3", "deleted:20",	 "processed:1", "processed:15",
	    "sent:1",	"sent:9",   "stored:40", "processed:30", "deleted:60",	"sent:25",
	};
	size_t i;
	int r;

	inject_batch(e, BATCH);
	for (i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++) {
		r = run(e, crashes[i], 0, "run", "--once", NULL);
		/* Killed where asked, or finished when fewer events were left. */
		if (r != 128 + SIGKILL && r != 0)
			fail_msg("run with TINBAO_CRASH=%s ended with %d", crashes[i], r);
	}
	/* Timed kills of the looping gateway, wherever they land. */
	for (i = 0; i < 4; i++)
		run(e, NULL, 30 + (int)i * 40, "run", NULL);
	assert_int_equal(run(e, NULL, 0, "run", "--once", NULL), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox"), BATCH);
	assert_int_equal(db_int(e, "SELECT count(DISTINCT fingerprint) FROM inbox"), BATCH);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE state='new'"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE state='queued'"), 0);
	/* No message has two replies or two sets of reports. */
	assert_int_equal(db_int(e, "SELECT count(*) FROM (SELECT inbox_id FROM outbox "
				   "GROUP BY inbox_id HAVING count(*) <> 1)"),
			 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM (SELECT inbox_id FROM reports "
				   "GROUP BY inbox_id HAVING count(*) <> 1)"),
			 0);
	assert_batch(e, BATCH);
}

/* Starts `tinbao run` (looping) in the background. */
static pid_t
spawn(const struct fixture *e)
{
	pid_t pid = fork();

	assert_true(pid != -1);
	if (pid == 0) {
		if (getenv("TEST_VERBOSE") == NULL && freopen("/dev/null", "w", stderr) == NULL)
			_exit(126);
		execl(tinbao, tinbao, "-c", e->conf, "run", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Waits (at most 30 s) until the query gives want. */
static void
wait_for(const struct fixture *e, int64_t want, const char *sql)
{
	if (fixture_wait_db(e->db, sql, want, 30000) == -1)
		fail_msg("waited 30 s for %s to give %lld", sql, (long long)want);
}

/* SIGTERM, and the exit status (bounded wait; killed and failed otherwise). */
static int
stop(pid_t pid)
{
	struct timespec ts = {0, 100 * 1000 * 1000};
	int status, i;

	assert_int_equal(kill(pid, SIGTERM), 0);
	for (i = 0; i < 300 && waitpid(pid, &status, WNOHANG) == 0; i++)
		nanosleep(&ts, NULL);
	if (i == 300) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("tinbao did not stop on SIGTERM");
	}
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
test_sigterm_stops_cleanly(void **state)
{
	const struct fixture *e = *state;
	pid_t pid;

	inject(e, "+84912000001", "ENROL Minh Son 5 han", BASE_TIME);
	pid = spawn(e);
	wait_for(e, 1, "SELECT count(*) FROM outbox WHERE state='sent'");
	assert_int_equal(stop(pid), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 1);
}

/* Rewrites the configuration, replacing the line that starts with `key`. */
static void
edit_config(const struct fixture *e, const char *key, const char *line)
{
	char tmp[160], buf[1024];
	FILE *in, *out;

	snprintf(tmp, sizeof(tmp), "%s.new", e->conf);
	in = fopen(e->conf, "r");
	out = fopen(tmp, "w");
	assert_non_null(in);
	assert_non_null(out);
	while (fgets(buf, sizeof(buf), in) != NULL) {
		if (strncmp(buf + strspn(buf, " \t"), key, strlen(key)) == 0)
			fprintf(out, "%s\n", line);
		else
			fputs(buf, out);
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(rename(tmp, e->conf), 0);
}

/* SIGHUP loads a fresh configuration; a broken one is refused and the
 * running one kept. */
static void
test_sighup_reload(void **state)
{
	const struct fixture *e = *state;
	pid_t pid;

	inject(e, "+84912000001", "ENROL Minh Son 100 han", BASE_TIME);
	pid = spawn(e);
	wait_for(e, 1, "SELECT count(*) FROM reports WHERE count=100");

	edit_config(e, "max_count =", "max_count = 50;");
	assert_int_equal(kill(pid, SIGHUP), 0);
	/* The reload happens at the top of the next turn; then this is too big. */
	inject(e, "+84912000002", "ENROL Minh Son 100 han", BASE_TIME + 1);
	wait_for(e, 1,
		 "SELECT count(*) FROM inbox WHERE sender='+84912000002' AND "
		 "error='bad_count'");

	edit_config(e, "max_count =", "max_count = \"fifty\";");
	assert_int_equal(kill(pid, SIGHUP), 0);
	inject(e, "+84912000003", "ENROL Minh Son 100 han", BASE_TIME + 2);
	inject(e, "+84912000003", "ENROL Minh Son 40 han", BASE_TIME + 3);
	wait_for(e, 2, "SELECT count(*) FROM inbox WHERE sender='+84912000003' AND state<>'new'");
	/* Still the 50 of the last good file: one rejected, one accepted. */
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE sender='+84912000003' AND "
				   "error='bad_count'"),
			 1);
	assert_int_equal(stop(pid), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 2);
}

/* CANCEL marks the sender's own report cancelled (never deleted), with a
 * push event; another sender's reference is refused. */
static void
test_cancel(void **state)
{
	const struct fixture *e = *state;

	inject(e, "+84912000001", "DK Minh Son 35 han", BASE_TIME);
	inject(e, "+84912000001", "DK Minh Son 20 rau", BASE_TIME + 1);
	inject(e, "+84912000002", "DK Hoa Son 10 han", BASE_TIME + 2);
	inject(e, "+84912000001", "HUY #3", BASE_TIME + 3); /* not this sender's */
	inject(e, "+84912000001", "huỷ", BASE_TIME + 4);    /* the last one: #2 */
	inject(e, "+84912000001", "CANCEL #1", BASE_TIME + 5);
	inject(e, "+84912000001", "CANCEL #1", BASE_TIME + 6); /* already cancelled */
	assert_int_equal(run(e, NULL, 0, "run", "--once", NULL), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 3);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports WHERE cancelled=1"), 2);
	assert_int_equal(db_int(e, "SELECT cancelled FROM reports WHERE id=3"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error='nothing_to_cancel'"),
			 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM push_queue WHERE type='report.cancelled'"),
			 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE text LIKE 'Da huy #2:%%'"),
			 1);
}

/* Classes: opened, reported against (commune and trade from the class),
 * closed; unknown or duplicate classes refused; a message of several parts
 * is stored whole or not at all. */
static void
test_classes_and_parts(void **state)
{
	const struct fixture *e = *state;

	inject(e, "+84912000001", "LOP MO HL22-05 Minh Son han 30", BASE_TIME);
	inject(e, "+84912000001", "DK HL22-05 28", BASE_TIME + 1);
	inject(e, "+84912000001", "DK HL22-07 28", BASE_TIME + 2);
	inject(e, "+84912000001", "LOP MO hl2205 Hoa Son rau", BASE_TIME + 3);
	inject(e, "+84912000001", "LOP DONG HL22-05", BASE_TIME + 4);
	inject(e, "+84912000001", "VL HL22-05 20", BASE_TIME + 5); /* after closing: fine */
	inject(e, "+84912000001", "DK Minh Son 5 han; DK Dong Lai 5 han", BASE_TIME + 6);
	inject(e, "+84912000001", "DK Minh Son 5 han\nTN Hoa Son 4 rau", BASE_TIME + 7);
	assert_int_equal(run(e, NULL, 0, "run", "--once", NULL), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports WHERE class_code='HL22-05' AND "
				   "commune_code='06448' AND trade_code='HAN'"),
			 2);
	assert_int_equal(
	    db_int(e, "SELECT count(*) FROM inbox WHERE id=3 AND error='unknown_class'"), 1);
	assert_int_equal(
	    db_int(e, "SELECT count(*) FROM inbox WHERE id=4 AND error='class_exists'"), 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM classes WHERE state='closed'"), 1);
	/* The second part is wrong: nothing of that SMS is stored. */
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports WHERE inbox_id=7"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports WHERE inbox_id=8"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE inbox_id=7 AND "
				   "text LIKE '%%phan 2%%'"),
			 1);
}

/* With class numbers configured, only they (and district staff) may open and
 * close classes, however the number is written. */
static void
test_class_senders(void **state)
{
	const struct fixture *e = *state;
	FILE *f = fopen(e->conf, "a");

	assert_non_null(f);
	fprintf(f, "classes = { senders = [\"0912000009\"]; };\n");
	assert_int_equal(fclose(f), 0);
	inject(e, "+84912000001", "LOP MO HL22-05 Minh Son han 30", BASE_TIME);
	inject(e, "+84912000009", "LOP MO HL22-05 Minh Son han 30", BASE_TIME + 1);
	inject(e, "+84912000001", "LOP DONG HL22-05", BASE_TIME + 2);
	inject(e, "+84912000001", "DK HL22-05 12", BASE_TIME + 3); /* reporting is for all */
	assert_int_equal(run(e, NULL, 0, "run", "--once", NULL), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE error='not_allowed'"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM classes WHERE state='open' AND "
				   "opened_by='+84912000009'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports WHERE class_code='HL22-05'"), 1);
}

/* Whether the file at path contains needle (bytes, anywhere). */
static int
file_has(const char *path, const char *needle)
{
	FILE *fp = fopen(path, "rb");
	size_t len, i, n = strlen(needle);
	char *buf;
	int found = 0;

	if (fp == NULL)
		return 0;
	buf = malloc(64 << 20);
	assert_non_null(buf);
	len = fread(buf, 1, 64 << 20, fp);
	fclose(fp);
	for (i = 0; !found && i + n <= len; i++)
		found = memcmp(buf + i, needle, n) == 0;
	free(buf);
	return found;
}

/*
 * NAPTIEN on the dummy phone (no network): the inbox keeps it with the PIN
 * masked; a PIN lost with the process (killed after the inbox commit) is
 * never dialled and the admin is told to send it again; a non-admin is
 * refused; nothing with the PIN reaches the database.
 */
static void
test_naptien_masked(void **state)
{
	const struct fixture *e = *state;
	char wal[160];
	FILE *f = fopen(e->conf, "a");

	assert_non_null(f);
	fprintf(f, "admins = [\"0912000009\"];\n");
	assert_int_equal(fclose(f), 0);
	inject(e, "+84912000009", "NAPTIEN 1234 5678 9012 3456", BASE_TIME);
	inject(e, "+84912000001", "nap tien 998877665544", BASE_TIME + 1);
	assert_int_equal(run(e, "stored:1", 0, "run", "--once", NULL), 128 + SIGKILL);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE state = 'new'"), 2);
	assert_int_equal(run(e, NULL, 0, "run", "--once", NULL), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE text = 'NAPTIEN **** **** "
				   "**** 3456' AND error = 'topup_failed'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '+84912000009' "
				   "AND text LIKE 'Loi: chua nap tien%%'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE text = 'nap tien "
				   "********5544' AND error = 'not_allowed'"),
			 1);
	/* The PIN kept in memory, but no network to dial it with. */
	inject(e, "+84912000009", "naptien 111122223333", BASE_TIME + 2);
	assert_int_equal(run(e, NULL, 0, "run", "--once", NULL), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE recipient = '+84912000009' "
				   "AND text LIKE 'Loi: modem chua san sang%%'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM inbox WHERE text = 'naptien "
				   "********3333' AND error = 'topup_failed'"),
			 1);
	assert_int_equal(db_int(e, "SELECT count(*) FROM reports"), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM push_queue"), 0);
	snprintf(wal, sizeof(wal), "%s-wal", e->db);
	assert_false(file_has(e->db, "5678 9012"));
	assert_false(file_has(e->db, "998877665544"));
	assert_false(file_has(e->db, "111122223333"));
	assert_false(file_has(wal, "5678 9012"));
	assert_false(file_has(wal, "998877665544"));
	assert_false(file_has(wal, "111122223333"));
}

/* `reports` prints every stored report, read-only. */
static void
test_reports_command(void **state)
{
	const struct fixture *e = *state;
	char cmd[512], line[512];
	FILE *p;
	int rows = 0, total = 0;

	inject(e, "+84912000001", "ENROL Minh Son 35 han", BASE_TIME);
	inject(e, "+84912000001", "LD Minh Son 3200 1900", BASE_TIME + 1);
	inject(e, "+84912000001", "HELLO", BASE_TIME + 2);
	assert_int_equal(run(e, NULL, 0, "run", "--once", NULL), 0);
	snprintf(cmd, sizeof(cmd), "%s -c %s reports 2>/dev/null", tinbao, e->conf);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		if (strstr(line, "06448") != NULL && strstr(line, "Minh Sơn") != NULL)
			rows++;
		if (strstr(line, "1900/3200") != NULL || strstr(line, " 35 ") != NULL)
			total++;
		if (strcmp(line, "2 reports\n") == 0)
			total += 10;
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(rows, 2);
	assert_int_equal(total, 12);
}

static void
test_inject_needs_the_dummy_phone(void **state)
{
	const struct fixture *e = *state;
	char tty[160];
	struct stat sb;
	FILE *f;

	/* A "modem" that is a plain file: if inject opened it as a modem, the AT
	 * driver would write commands into it. */
	snprintf(tty, sizeof(tty), "%s/fake-tty", e->dir);
	f = fopen(tty, "w");
	assert_non_null(f);
	fclose(f);
	f = fopen(e->gammurc, "w");
	assert_non_null(f);
	fprintf(f, "[gammu]\nmodel = at\nconnection = at\ndevice = %s\n", tty);
	fclose(f);
	assert_int_equal(
	    run(e, NULL, 0, "inject", "--from", "+84912000001", "ENROL Minh Son 5 han", NULL), 1);
	assert_int_equal(stat(tty, &sb), 0);
	assert_int_equal(sb.st_size, 0);	   /* never touched */
	assert_int_equal(access(e->db, F_OK), -1); /* no database was created */
}

/*
 * The rate limit: at most sending.rate SMS per modem in any sending.per
 * seconds, counted from the database, so that a restart does not start the
 * count again; what waits goes out when the window has room.
 */
static void
test_rate_limit(void **state)
{
	const struct fixture *e = *state;
	char now[32];

	assert_int_equal(fixture_conf_set(e, "rate", "2"), 0);
	assert_int_equal(fixture_conf_set(e, "per", "3600"), 0);
	inject(e, "+84912000001", "ENROL Minh Son 5 han", BASE_TIME);
	inject(e, "+84912000002", "ENROL Minh Son 6 han", BASE_TIME + 1);
	inject(e, "+84912000003", "ENROL Minh Son 7 han", BASE_TIME + 2);
	snprintf(now, sizeof(now), "%d", BASE_TIME + 600);
	setenv("TINBAO_FAKE_NOW", now, 1);
	assert_int_equal(run(e, NULL, 0, "run", "--once", NULL), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE reason='reply'"), 3);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE state='sent'"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox_parts WHERE modem='modem'"), 2);
	/* A restart within the hour: still full. */
	snprintf(now, sizeof(now), "%d", BASE_TIME + 600 + 1800);
	setenv("TINBAO_FAKE_NOW", now, 1);
	assert_int_equal(run(e, NULL, 0, "run", "--once", NULL), 0);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE state='sent'"), 2);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE state='queued'"), 1);
	/* An hour after the first two: the third goes. */
	snprintf(now, sizeof(now), "%d", BASE_TIME + 600 + 3601);
	setenv("TINBAO_FAKE_NOW", now, 1);
	assert_int_equal(run(e, NULL, 0, "run", "--once", NULL), 0);
	unsetenv("TINBAO_FAKE_NOW");
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox WHERE state='sent'"), 3);
	assert_int_equal(db_int(e, "SELECT count(*) FROM outbox_parts"), 3);
}

int
main(int argc, char *argv[])
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_batch_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_reply_to_services, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reply_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_naptien_masked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_crash_points, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sigterm_stops_cleanly, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sighup_reload, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reports_command, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_classes_and_parts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_class_senders, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inject_needs_the_dummy_phone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
	};

	if (argc > 1)
		tinbao = argv[1];
	log_init(0, LOG_LEVEL_WARN);
	return cmocka_run_group_tests_name("integration", tests, NULL, NULL);
}
