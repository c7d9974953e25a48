/*
 * test_digest.c - digests, reminders, quiet hours, the daily limit and the
 * running totals in confirmations.
 *
 * The unit tests call the digest module on a real SQLite file with the
 * clock pinned (clock_set).  The half-year test runs the real ./tinbao on
 * gammu's dummy phone with TINBAO_FAKE_NOW, one `run --once` per simulated
 * turn from January to June 2022, and checks every digest, reminder and
 * reply, and at the end the report, against figures the test keeps itself.
 *
 * Usage: test_digest [path-to-tinbao]   (run from the repository root)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "clock.h"
#include "config.h"
#include "digest.h"
#include "identity.h"
#include "fixture.h"
#include "log.h"
#include "modem.h"
#include "parser.h"
#include "plantest.h"
#include "store.h"

#define TEMPLATE "contrib/tinbao.conf"
#define RUN_TIMEOUT_S 120
#define DAY (24 * 3600)
#define STAFF1 "+84914000001" /* also the officer of commune 0 */
#define STAFF2 "+84914000002" /* configured as 0914000002 */
#define DUAL "+84913009999"   /* officer of communes 1 and 2 */
#define MAXC 32
#define MAXT 40

static const char *tinbao = "./tinbao";

/* ---- Set-up ----------------------------------------------------------- */

/* Officers and shares of the plan: see the half-year test for who is who. */
static void
officers(int i, char *buf, size_t size)
{
	switch (i) {
	case 0:
		snprintf(buf, size, "officers = [ \"%s\" ]; plan_trained = 30; ", STAFF1);
		break;
	case 1:
		snprintf(buf, size, "officers = [ \"%s\" ]; plan_trained = 30; ", DUAL);
		break;
	case 2:
		snprintf(buf, size, "officers = [ \"%s\", \"+84913000002\" ]; plan_trained = 30; ",
			 DUAL);
		break;
	case 19: /* Minh Son: no share, as in the issue's example */
		snprintf(buf, size, "officers = [ \"+84913000019\" ]; ");
		break;
	case 22:
		snprintf(buf, size,
			 "officers = [ \"+84913000022\", \"+84913000122\" ]; plan_trained = 30; ");
		break;
	case 23:
		snprintf(buf, size, "plan_trained = 30; ");
		break;
	default:
		snprintf(buf, size, "officers = [ \"+849130000%02d\" ]; plan_trained = 30; ", i);
		break;
	}
}

struct env {
	struct fixture f;
	struct config *cfg;
	struct store *st;
	char tmpl[64];
};

static struct env *
env_new(const char *extra)
{
	struct env *e = calloc(1, sizeof(*e));
	struct config_diags diags = {NULL, 0};
	size_t i;
	int fd;

	assert_non_null(e);
	strcpy(e->tmpl, "/tmp/tinbao-conf-XXXXXX");
	fd = mkstemp(e->tmpl);
	assert_true(fd != -1);
	close(fd);
	assert_int_equal(plantest_conf(TEMPLATE, e->tmpl, officers, extra), 0);
	assert_int_equal(fixture_setup(&e->f, tinbao, e->tmpl), 0);
	e->cfg = config_load(e->f.conf, &diags);
	for (i = 0; i < diags.n; i++)
		if (!diags.v[i].warning)
			print_error("%s:%d: %s\n", diags.v[i].file, diags.v[i].line,
				    diags.v[i].msg);
	config_diags_free(&diags);
	assert_non_null(e->cfg);
	e->st = store_open(e->f.db, 0);
	assert_non_null(e->st);
	return e;
}

static void
env_free(struct env *e)
{
	clock_set(0);
	store_close(e->st);
	config_free(e->cfg);
	fixture_teardown(&e->f);
	unlink(e->tmpl);
	free(e);
}

static int64_t
vn(int y, int m, int d, int h, int min)
{
	return clock_from_local(y, m, d, h, min);
}

/* A report as the gateway stores it, SMS and all. */
static void
add_report(struct env *e, const char *kind, int c, const char *trade, long count, long trained,
	   int64_t at)
{
	static int seq;
	char fp[32];
	int64_t id, ref;
	int year, half;

	snprintf(fp, sizeof(fp), "fp%d", ++seq);
	struct store_sms sms = {"+84913000001", at, at, "x", "gsm7", 1, fp, NULL, NULL};
	assert_int_equal(store_inbox_add(e->st, &sms, &id), 1);
	year = 2022;
	half = at < vn(2022, 7, 1, 0, 0) ? 1 : 2;
	struct store_report r = {id,
				 kind,
				 e->cfg->communes[c].code,
				 e->cfg->communes[c].name,
				 trade,
				 trade,
				 count,
				 trained,
				 year,
				 half,
				 "+84913000001",
				 at};
	assert_int_equal(store_report_add(e->st, &r, &ref), 0);
}

static int64_t
count_rows(struct env *e, const char *table)
{
	return store_count(e->st, table, NULL);
}

/* ---- Configuration ---------------------------------------------------- */

static void
bad_officer(int i, char *buf, size_t size)
{
	if (i == 3)
		snprintf(buf, size, "officers = [ \"ong Ba\" ]; plan_trained = 0; ");
}

static void
big_shares(int i, char *buf, size_t size)
{
	snprintf(buf, size, "plan_trained = 40; ");
}

/* Loads template + extra and checks that every wanted message is among
 * the errors (or warnings with warn set). */
static void
check_diags(void (*commune)(int, char *, size_t), const char *extra, int warn, ...)
{
	struct config_diags diags = {NULL, 0};
	char tmpl[] = "/tmp/tinbao-conf-XXXXXX";
	struct config *cfg;
	const char *want;
	va_list ap;
	size_t i;
	int fd;

	fd = mkstemp(tmpl);
	assert_true(fd != -1);
	close(fd);
	assert_int_equal(plantest_conf(TEMPLATE, tmpl, commune, extra), 0);
	cfg = config_load(tmpl, &diags);
	va_start(ap, warn);
	while ((want = va_arg(ap, const char *)) != NULL) {
		for (i = 0; i < diags.n; i++)
			if (diags.v[i].warning == warn && strstr(diags.v[i].msg, want) != NULL)
				break;
		if (i == diags.n)
			fail_msg("no %s \"%s\"", warn ? "warning" : "error", want);
	}
	va_end(ap);
	if (!warn)
		assert_null(cfg);
	config_free(cfg);
	config_diags_free(&diags);
	unlink(tmpl);
}

static void
test_config(void **state)
{
	check_diags(NULL,
		    "digest = { recipients = [ \"+84914000001\" ]; schedule = \"weekly\"; "
		    "time = \"25:00\"; silent_days = 0; };"
		    "reminders = { deadlines = [ \"02-29\", \"6-15\" ]; days_before = 200; };"
		    "scheduled = { quiet_from = \"7h\"; max_per_day = 0; };",
		    0, "a weekly digest needs \"days\"", "\"time\" must be a time \"HH:MM\"",
		    "\"silent_days\" must be between 1 and 366",
		    "must be a day \"MM-DD\" of every year (not 29 February), not \"02-29\"",
		    "not \"6-15\"", "\"days_before\" must be between 0 and 90",
		    "\"quiet_from\" must be a time", "\"max_per_day\" must be between 1 and 100",
		    NULL);
	check_diags(NULL,
		    "digest = { recipients = [ \"Viettel\" ]; schedule = \"monthly\"; "
		    "days = [ \"monday\" ]; };",
		    0, "\"recipients\" must be an optional \"+\" and 3 to 20 digits",
		    "\"schedule\" must be \"daily\" or \"weekly\"", "\"days\" must be \"mon\"",
		    NULL);
	check_diags(NULL, "digest = { schedule = \"daily\"; };", 0,
		    "missing required setting \"recipients\"", NULL);
	check_diags(bad_officer, NULL, 0, "\"officers\" must be an optional \"+\"",
		    "\"plan_trained\" must be between 1", NULL);
	check_diags(
	    big_shares, "digest = { recipients = [ \"+84914000001\" ]; days = [ \"mon\" ]; };", 1,
	    "\"days\" is ignored unless schedule = \"weekly\"",
	    "the communes' \"plan_trained\" add up to 960, outside the plan's 600-800", NULL);
}

/* ---- Quiet hours and schedules ---------------------------------------- */

static void
test_quiet_hours(void **state)
{
	struct env *e = env_new(NULL);

	assert_false(digest_quiet(e->cfg, vn(2022, 3, 1, 21, 59)));
	assert_true(digest_quiet(e->cfg, vn(2022, 3, 1, 22, 0)));
	assert_true(digest_quiet(e->cfg, vn(2022, 3, 2, 3, 0)));
	assert_true(digest_quiet(e->cfg, vn(2022, 3, 2, 6, 59)));
	assert_false(digest_quiet(e->cfg, vn(2022, 3, 2, 7, 0)));
	assert_false(digest_quiet(e->cfg, vn(2022, 3, 2, 12, 0)));
	env_free(e);

	e = env_new("scheduled = { quiet_from = \"12:00\"; quiet_to = \"13:30\"; };");
	assert_true(digest_quiet(e->cfg, vn(2022, 3, 1, 12, 0)));
	assert_true(digest_quiet(e->cfg, vn(2022, 3, 1, 13, 29)));
	assert_false(digest_quiet(e->cfg, vn(2022, 3, 1, 13, 30)));
	assert_false(digest_quiet(e->cfg, vn(2022, 3, 1, 23, 0)));
	env_free(e);
}

/* Sends what is due at t; returns the number of SMS queued. */
static int
tick(struct env *e, int64_t t)
{
	clock_set(t);
	return digest_tick(e->cfg, e->st, t);
}

/* A daily digest at 06:30 falls in the quiet hours: it goes at 07:00. */
static void
test_daily_in_quiet_hours(void **state)
{
	struct env *e = env_new("digest = { recipients = [ \"" STAFF1 "\" ]; time = \"06:30\"; };"
				"reminders = { enabled = false; };");
	int64_t at, slot;

	assert_int_equal(tick(e, vn(2022, 3, 1, 6, 40)), 0);
	assert_int_equal(count_rows(e, "outbox"), 0);
	assert_int_equal(tick(e, vn(2022, 3, 1, 7, 0)), 1);
	assert_int_equal(tick(e, vn(2022, 3, 1, 7, 1)), 0);
	assert_int_equal(tick(e, vn(2022, 3, 1, 21, 0)), 0);
	assert_int_equal(tick(e, vn(2022, 3, 1, 23, 0)), 0);
	assert_int_equal(tick(e, vn(2022, 3, 2, 6, 31)), 0);
	assert_int_equal(tick(e, vn(2022, 3, 2, 7, 0)), 1);
	assert_int_equal(count_rows(e, "outbox"), 2);
	assert_int_equal(store_digest_last(e->st, &at, &slot), 0);
	assert_int_equal(at, vn(2022, 3, 2, 7, 0));
	assert_int_equal(slot, vn(2022, 3, 2, 6, 30));
	env_free(e);
}

/* Weekly on Monday and Thursday at 17:00; a restart resends nothing; a
 * gateway that was down sends one digest, not one per missed time. */
static void
test_weekly(void **state)
{
	const char *conf = "digest = { recipients = [ \"" STAFF1 "\" ]; schedule = \"weekly\";"
			   " days = [ \"mon\", \"thu\" ]; time = \"17:00\"; };";
	struct env *e = env_new(conf);

	/* 2022-03-07 is a Monday. */
	assert_int_equal(tick(e, vn(2022, 3, 7, 16, 59)), 0);
	assert_int_equal(tick(e, vn(2022, 3, 7, 17, 0)), 1);
	assert_int_equal(tick(e, vn(2022, 3, 8, 17, 0)), 0);
	assert_int_equal(tick(e, vn(2022, 3, 9, 18, 0)), 0);
	assert_int_equal(tick(e, vn(2022, 3, 10, 17, 30)), 1);
	assert_int_equal(tick(e, vn(2022, 3, 11, 17, 0)), 0);
	/* A restart: the state is in the database. */
	store_close(e->st);
	e->st = store_open(e->f.db, 0);
	assert_non_null(e->st);
	assert_int_equal(tick(e, vn(2022, 3, 10, 17, 31)), 0);
	/* Down from Friday to the Tuesday after next: one digest. */
	assert_int_equal(tick(e, vn(2022, 3, 22, 9, 0)), 1);
	assert_int_equal(tick(e, vn(2022, 3, 22, 9, 1)), 0);
	assert_int_equal(tick(e, vn(2022, 3, 24, 17, 0)), 1);
	assert_int_equal(count_rows(e, "outbox"), 4);
	env_free(e);
}

/* One phone written three ways is one recipient for the daily limit. */
static void
test_daily_limit(void **state)
{
	struct env *e = env_new("digest = { recipients = [ \"+84914000001\", \"0914000001\","
				" \"84914000001\", \"+84914000002\" ]; };"
				"scheduled = { max_per_day = 1; };");
	char text[DIGEST_BUF];

	assert_int_equal(tick(e, vn(2022, 3, 1, 17, 0)), 2);
	assert_int_equal(tick(e, vn(2022, 3, 2, 17, 0)), 2);
	env_free(e);

	/* Listed twice, one phone is one entry of the registry: one digest,
	 * however many the limit would allow. */
	e = env_new("digest = { recipients = [ \"+84914000001\", \"0914000001\" ]; };"
		    "scheduled = { max_per_day = 2; };");
	assert_int_equal(tick(e, vn(2022, 3, 1, 17, 0)), 1);
	/* TK on demand is a reply, not a scheduled SMS: not limited. */
	assert_int_equal(digest_compose(e->cfg, e->st, vn(2022, 3, 1, 18, 0), text, sizeof(text)),
			 0);
	assert_true(strlen(text) > 0);
	env_free(e);
}

/* ---- Content ---------------------------------------------------------- */

static void
test_digest_content(void **state)
{
	struct env *e = env_new("digest = { recipients = [ \"" STAFF1 "\" ]; };");
	int64_t t = vn(2022, 3, 1, 17, 0);
	char text[DIGEST_BUF];

	add_report(e, "enrol", 5, "HAN", 30, 0, t - 3600);
	add_report(e, "grad", 5, "HAN", 20, 0, t - 3600);
	add_report(e, "job", 5, "HAN", 17, 0, t - 3600);
	add_report(e, "need", 5, "RAU", 10, 0, t - 3600);
	add_report(e, "labour", 5, NULL, 3000, 1200, t - 3600);
	add_report(e, "labour", 6, NULL, 2000, 1000, t - 3600);
	/* Stored before the last scheduled time: in the year, not new. */
	add_report(e, "enrol", 6, "THEU", 5, 0, t - 2 * DAY);
	assert_int_equal(digest_compose(e->cfg, e->st, t, text, sizeof(text)), 0);
	assert_string_equal(text, "Ban tin 01/03: moi tu 28/02: DK 1 (30 HV), TN 1 (20 HV), VL 1 "
				  "(17 LD), NC 1 (10 nguoi), LD 2. Nam 2022: 35 HV/KH 600-800; "
				  "viec lam 85%/KH 80%; LD qua DT 44%/KH 60%. Chua gui 14 ngay "
				  "(22): Huu Lung, Huu Lien, Yen Binh, Quyet Thang, Hoa Binh, "
				  "Thien Tan, Yen Vuong, Minh Tien, Nhat Tien, Thanh Son +12.");
	assert_true(digest_sms_units(text, 0) <= DIGEST_GSM);
	env_free(e);
}

/* Every commune reminded and silent, numbers as long as they get: still two
 * SMS, in ASCII and with diacritics. */
static void
check_worst(const char *extra, int dia)
{
	struct env *e = env_new(extra);
	int64_t t = vn(2022, 3, 1, 17, 0);
	char text[DIGEST_BUF];
	const unsigned char *p;
	size_t c;

	for (c = 0; c < e->cfg->ncommunes; c++)
		assert_int_equal(store_reminder_add(e->st, "2022-03-01", e->cfg->communes[c].code,
						    "+84913000001", 0, t - 60),
				 0);
	add_report(e, "enrol", 5, "HAN", 99999999, 0, t - 40 * DAY);
	add_report(e, "grad", 5, "HAN", 99999999, 0, t - 40 * DAY);
	add_report(e, "job", 5, "HAN", 88888888, 0, t - 40 * DAY);
	add_report(e, "labour", 5, NULL, 99999999, 77777777, t - 40 * DAY);
	assert_int_equal(digest_compose(e->cfg, e->st, t, text, sizeof(text)), 0);
	if (!dia) {
		assert_true(strlen(text) <= DIGEST_GSM);
		for (p = (const unsigned char *)text; *p != '\0'; p++)
			assert_true(*p >= ' ' && *p < 0x7f && strchr("[]{}\\^~|`", *p) == NULL);
	} else {
		assert_true(digest_sms_units(text, 1) <= DIGEST_UCS2);
		assert_true(parser_utf8_valid(text, strlen(text)));
	}
	assert_non_null(strstr(text, "99999999"));
	assert_non_null(strstr(text, dia ? "Đã nhắc" : "Da nhac"));
	assert_non_null(strstr(text, dia ? "Chưa gửi" : "Chua gui"));
	env_free(e);
}

static void
test_digest_worst_length(void **state)
{
	check_worst("digest = { recipients = [ \"" STAFF1 "\" ]; };", 0);
	check_worst("digest = { recipients = [ \"" STAFF1 "\" ]; diacritics = true; };", 1);
}

/* ---- Running totals --------------------------------------------------- */

/* The reply to text, with its running total, as the gateway composes it. */
static void
confirm(struct env *e, const char *text, long ref, char *reply, size_t size)
{
	struct parser_result res;

	assert_int_equal(parser_parse(e->cfg->parser, text, strlen(text), &res), 0);
	parser_reply(e->cfg->parser, &res, ref, e->cfg->reply_diacritics, reply, size);
	assert_int_equal(
	    digest_running_total(e->cfg, e->st, res.items[0].commune, 2022, reply, size), 0);
}

static void
test_running_total_example(void **state)
{
	struct env *e = env_new(NULL);
	char reply[DIGEST_BUF];

	add_report(e, "enrol", 19, "HAN", 85, 0, vn(2022, 3, 1, 9, 0));
	add_report(e, "enrol", 19, "HAN", 35, 0, vn(2022, 3, 2, 9, 0));
	confirm(e, "ENROL xa Minh Son 35 han", 12, reply, sizeof(reply));
	assert_string_equal(reply, "OK #12: ghi danh 35 HV nghe Han dien, xa Minh Son. "
				   "Luy ke 2022 xa Minh Son: 120 HV");
	add_report(e, "enrol", 20, "HAN", 40, 0, vn(2022, 3, 2, 9, 0));
	confirm(e, "DK Ho Son 40 han", 13, reply, sizeof(reply));
	assert_string_equal(reply, "OK #13: ghi danh 40 HV nghe Han dien, xa Ho Son. "
				   "Luy ke 2022 xa Ho Son: 40 HV/KH 30");
	env_free(e);
}

/* The reply to text with the running total of the kind reported. */
static void
confirm_kind(struct env *e, const char *text, long ref, char *reply, size_t size)
{
	struct parser_result res;

	assert_int_equal(parser_parse(e->cfg->parser, text, strlen(text), &res), 0);
	parser_reply(e->cfg->parser, &res, ref, e->cfg->reply_diacritics, reply, size);
	assert_int_equal(digest_running_total_of(e->cfg, e->st, res.items[0].kind,
						 res.items[0].commune, 2022, reply, size),
			 0);
}

/* After a GRAD the completions, after a JOB the employed and their share of
 * the completions, after a NEED the demand: never the enrolments, which
 * looked as if the report had been lost. */
static void
test_running_total_kinds(void **state)
{
	struct env *e = env_new(NULL);
	char reply[DIGEST_BUF], text[256], name[128];
	size_t c;
	int dia;

	add_report(e, "enrol", 15, "HAN", 85, 0, vn(2022, 3, 1, 9, 0));
	add_report(e, "grad", 15, "HAN", 60, 0, vn(2022, 5, 1, 9, 0));
	confirm_kind(e, "TN Van Nham 20 han", 14, reply, sizeof(reply));
	assert_string_equal(reply, "OK #14: tot nghiep 20 HV nghe Han dien, xa Van Nham. "
				   "Luy ke 2022 xa Van Nham: 60 HV tot nghiep");
	add_report(e, "job", 15, "HAN", 45, 0, vn(2022, 6, 1, 9, 0));
	confirm_kind(e, "VL Van Nham 15 han", 15, reply, sizeof(reply));
	assert_string_equal(reply, "OK #15: co viec lam 15 LD nghe Han dien, xa Van Nham. "
				   "Luy ke 2022 xa Van Nham: 45 co viec lam (75%)");
	add_report(e, "need", 15, "HAN", 200, 0, vn(2022, 6, 1, 9, 0));
	confirm_kind(e, "NC Van Nham 200 han", 16, reply, sizeof(reply));
	assert_string_equal(reply, "OK #16: nhu cau hoc nghe 200 nguoi nghe Han dien, xa Van "
				   "Nham. Luy ke 2022 xa Van Nham: nhu cau 200 nguoi");
	confirm_kind(e, "DK Van Nham 5 han", 17, reply, sizeof(reply));
	assert_string_equal(reply, "OK #17: ghi danh 5 HV nghe Han dien, xa Van Nham. "
				   "Luy ke 2022 xa Van Nham: 85 HV/KH 30");
	/* No completion yet: no rate. */
	add_report(e, "job", 19, "HAN", 3, 0, vn(2022, 6, 1, 9, 0));
	confirm_kind(e, "VL Minh Son 3 han", 18, reply, sizeof(reply));
	assert_string_equal(reply, "OK #18: co viec lam 3 LD nghe Han dien, xa Minh Son. "
				   "Luy ke 2022 xa Minh Son: 3 co viec lam");
	/* Every kind, the longest names and numbers: one SMS. */
	for (dia = 0; dia < 2; dia++) {
		e->cfg->reply_diacritics = dia;
		for (c = 0; c < e->cfg->ncommunes; c++) {
			add_report(e, "job", (int)c, "THUY", 99999999, 0, vn(2022, 3, 1, 9, 0));
			add_report(e, "grad", (int)c, "THUY", 99999999, 0, vn(2022, 3, 1, 9, 0));
			parser_ascii(e->cfg->communes[c].name, name, sizeof(name));
			snprintf(text, sizeof(text), "VL %s 500 thuyy", name);
			confirm_kind(e, text, 9999999, reply, sizeof(reply));
			assert_true(digest_sms_units(reply, dia) <= (size_t)(dia ? 70 : 160));
			assert_true(strncmp(reply, "OK #9999999", 11) == 0);
		}
	}
	env_free(e);
}

/* The longest names and numbers still make one SMS, reference first. */
static void
check_total_fits(int dia)
{
	struct env *e = env_new(NULL);
	char text[256], name[128], reply[DIGEST_BUF];
	size_t c;

	e->cfg->reply_diacritics = dia;
	for (c = 0; c < e->cfg->ncommunes; c++) {
		add_report(e, "enrol", (int)c, "THUY", 99999999, 0, vn(2022, 3, 1, 9, 0));
		parser_ascii(e->cfg->communes[c].name, name, sizeof(name));
		snprintf(text, sizeof(text), "GRAD %s 500 thuyy", name);
		confirm(e, text, 9999999, reply, sizeof(reply));
		assert_true(digest_sms_units(reply, dia) <= (size_t)(dia ? 70 : 160));
		assert_true(strncmp(reply, "OK #9999999", 11) == 0);
		assert_non_null(strstr(reply, dia ? "Lũy kế 2022" : "Luy ke 2022"));
		assert_non_null(strstr(reply, "99999999 HV"));
	}
	env_free(e);
}

static void
test_running_total_fits(void **state)
{
	check_total_fits(0);
	check_total_fits(1);
}

/* ---- Who is who, reminders -------------------------------------------- */

/* Who the configuration's lists say a number is (identity.h). */
static int
is_staff(const struct config *cfg, const char *number)
{
	struct identity id;

	assert_int_equal(identity_resolve(cfg, NULL, number, &id), 0);
	return identity_has(&id, IDENTITY_DISTRICT);
}

static int
officer_commune(const struct config *cfg, const char *number)
{
	struct identity id;

	assert_int_equal(identity_resolve(cfg, NULL, number, &id), 0);
	return identity_has(&id, IDENTITY_OFFICER) ? id.commune : -1;
}

static void
test_lookup(void **state)
{
	struct env *e = env_new("digest = { recipients = [ \"" STAFF1 "\", \"0914000002\" ]; };");

	assert_true(is_staff(e->cfg, "+84914000002"));
	assert_true(is_staff(e->cfg, "84914000001"));
	assert_false(is_staff(e->cfg, "+84914000003"));
	assert_false(is_staff(e->cfg, ""));
	assert_int_equal(officer_commune(e->cfg, "0913009999"), 1); /* the first */
	assert_int_equal(officer_commune(e->cfg, "+84913000002"), 2);
	assert_int_equal(officer_commune(e->cfg, "+84913000007"), 7);
	assert_int_equal(officer_commune(e->cfg, "+84915000000"), -1);
	env_free(e);
}

static void
test_reminder_text(void **state)
{
	struct env *e = env_new(NULL);
	char text[DIGEST_BUF];
	size_t c;
	int dia;

	assert_int_equal(digest_reminder_text(e->cfg, 2, 2022, 615, text, sizeof(text)), 0);
	assert_string_equal(text, "Nhac bao cao: xa Yen Binh chua gui so lieu 6 thang dau nam "
				  "2022, han 15/06. VD: DK Yen Binh 35 HAN");
	assert_int_equal(digest_reminder_text(e->cfg, 0, 2022, 1215, text, sizeof(text)), 0);
	assert_non_null(strstr(text, "TT Huu Lung chua gui so lieu 6 thang cuoi nam 2022"));
	for (dia = 0; dia <= 1; dia++) {
		e->cfg->reply_diacritics = dia;
		for (c = 0; c < e->cfg->ncommunes; c++) {
			assert_int_equal(
			    digest_reminder_text(e->cfg, (int)c, 2022, 1215, text, sizeof(text)),
			    0);
			assert_true(digest_sms_units(text, dia) <= (size_t)(dia ? 70 : 160));
			assert_non_null(strstr(text, "15/12"));
		}
	}
	env_free(e);
}

/* Reminders in process: the window, once per date, the daily limit, a
 * commune that reports in the window is not reminded. */
static void
test_reminders(void **state)
{
	struct env *e = env_new("reminders = { deadlines = [ \"06-15\" ]; days_before = 2; };");
	int n;

	/* Every commune but 0, 1, 2, 22 and 23 reported in the first half. */
	for (n = 3; n < 22; n++)
		add_report(e, "need", n, "HAN", 1, 0, vn(2022, 2, 1, 9, 0));
	assert_int_equal(tick(e, vn(2022, 6, 12, 12, 0)), 0); /* before the window */
	assert_int_equal(tick(e, vn(2022, 6, 13, 6, 59)), 0); /* quiet hours */
	/* 0: STAFF1; 1: DUAL; 2: +84913000002 (DUAL had its SMS); 22: two. */
	assert_int_equal(tick(e, vn(2022, 6, 13, 7, 0)), 5);
	assert_int_equal(tick(e, vn(2022, 6, 13, 12, 0)), 0);
	/* Commune 22 reports: nothing changes for those already reminded. */
	add_report(e, "enrol", 22, "HAN", 5, 0, vn(2022, 6, 13, 13, 0));
	assert_int_equal(tick(e, vn(2022, 6, 14, 7, 0)), 1); /* DUAL for commune 2 */
	assert_int_equal(tick(e, vn(2022, 6, 15, 9, 0)), 0);
	assert_int_equal(tick(e, vn(2022, 6, 16, 9, 0)), 0);
	assert_int_equal(count_rows(e, "outbox"), 6);
	env_free(e);
}

/* ---- The half-year, on the dummy phone -------------------------------- */

static const char *const sim_trades[] = {"HAN", "THEU", "TINHOC", "CNLON", "RAU", "SCXM"};
#define NSIMTRADES (sizeof(sim_trades) / sizeof(sim_trades[0]))

/* An SMS injected and not yet processed. */
struct pending {
	int commune, kind, trade; /* trade: index in the configuration */
	long count, trained;
};

struct sim {
	struct env *e;
	sqlite3 *db; /* read-only, opened after the first run */
	uint32_t seed;
	long cell[MAXC][MAXT][4]; /* enrol, grad, job, need */
	long labour[MAXC], trained[MAXC];
	long reports[MAXC];
	int64_t last[MAXC];    /* when its last report was processed */
	long newr[5], newc[5]; /* since the last digest, per kind */
	int64_t last_digest;
	int ndigests, nturns;
	struct pending pend[MAXC];
	int npend;
	int64_t reminded[MAXC]; /* when the commune was last reminded */
};

static int
rnd(struct sim *s)
{
	s->seed = s->seed * 1103515245u + 12345u;
	return (int)((s->seed >> 16) & 0x7fff);
}

static int
never_reports(int c)
{
	return c <= 2 || c >= 22;
}

static int
trade_index(const struct config *cfg, const char *code)
{
	size_t i;

	for (i = 0; i < cfg->ntrades; i++)
		if (strcmp(cfg->trades[i].code, code) == 0)
			return (int)i;
	fail_msg("no trade %s", code);
	return -1;
}

static void
officer(int c, char *buf, size_t size)
{
	snprintf(buf, size, "+849130000%02d", c);
}

/* The SMS of commune c for the turn at t, if it sends one. */
static void
make_sms(struct sim *s, int c, char *text, size_t size)
{
	static const char *const kw[] = {"DK", "TN", "VL", "NC", "LD"};
	static const int kinds[] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 4};
	struct pending *p = &s->pend[s->npend++];
	char name[128];

	parser_ascii(s->e->cfg->communes[c].name, name, sizeof(name));
	p->commune = c;
	p->kind = kinds[rnd(s) % 10];
	if (p->kind == 4) {
		p->count = 2000 + rnd(s) % 3000;
		p->trained = p->count * (20 + rnd(s) % 60) / 100;
		p->trade = -1;
		snprintf(text, size, "%s %s %ld %ld", kw[4], name, p->count, p->trained);
		return;
	}
	p->trade = trade_index(s->e->cfg, sim_trades[rnd(s) % NSIMTRADES]);
	p->count = 1 + rnd(s) % 12;
	snprintf(text, size, "%s xa %s %ld %s", kw[p->kind], name, p->count,
		 s->e->cfg->trades[p->trade].code);
}

static void
inject_sms(struct sim *s, int64_t t)
{
	struct modem *m = modem_open(s->e->f.gammurc, 0);
	char text[256], from[32];
	int c, k = 0;

	assert_non_null(m);
	for (c = 0; c < (int)s->e->cfg->ncommunes; c++) {
		if (never_reports(c) || (c >= 18 && t > vn(2022, 3, 10, 0, 0)))
			continue;
		if (rnd(s) % 2 == 0)
			continue;
		make_sms(s, c, text, sizeof(text));
		officer(c, from, sizeof(from));
		assert_int_equal(modem_inject(m, from, text, t - 3600 + k++), 0);
	}
	modem_close(m);
}

/* One `tinbao run --once` at fake time t. */
static void
run_at(struct sim *s, int64_t t)
{
	char now[32];
	int r;

	snprintf(now, sizeof(now), "%lld", (long long)t);
	setenv("TINBAO_FAKE_NOW", now, 1);
	r = fixture_run(&s->e->f, NULL, 0, RUN_TIMEOUT_S, NULL, "run", "--once", NULL);
	unsetenv("TINBAO_FAKE_NOW");
	if (r != 0)
		fail_msg("tinbao run --once at %lld: status %d", (long long)t, r);
	s->nturns++;
	if (s->db == NULL) {
		assert_int_equal(sqlite3_open_v2(s->e->f.db, &s->db, SQLITE_OPEN_READONLY, NULL),
				 SQLITE_OK);
		sqlite3_busy_timeout(s->db, 5000);
	}
}

static void
tally(struct sim *s, int64_t t)
{
	const struct pending *p;
	int i;

	for (i = 0; i < s->npend; i++) {
		p = &s->pend[i];
		s->reports[p->commune]++;
		s->last[p->commune] = t;
		s->newr[p->kind]++;
		s->newc[p->kind] += p->count;
		if (p->kind == 4) {
			s->labour[p->commune] = p->count;
			s->trained[p->commune] = p->trained;
		} else {
			s->cell[p->commune][p->trade][p->kind] += p->count;
		}
	}
}

/* The test's connection: every statement is finalized at once, so that it
 * never holds a read transaction while the gateway runs. */
static sqlite3 *
db_open(const struct sim *s)
{
	assert_non_null(s->db);
	return s->db;
}

static int64_t db_int(const struct sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int64_t
db_int(const struct sim *s, const char *fmt, ...)
{
	char sql[512];
	sqlite3 *db = db_open(s);
	sqlite3_stmt *st;
	int64_t v = -1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The text of the first row of a query (to a buffer), or "". */
static void db_text(const struct sim *s, char *out, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
db_text(const struct sim *s, char *out, size_t size, const char *fmt, ...)
{
	char sql[512];
	sqlite3 *db = db_open(s);
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static long
commune_sum(const struct sim *s, int c, int kind)
{
	long n = 0;
	size_t t;

	for (t = 0; t < s->e->cfg->ntrades; t++)
		n += s->cell[c][t][kind];
	return n;
}

static long
district_sum(const struct sim *s, int kind)
{
	long n = 0;
	size_t c;

	for (c = 0; c < s->e->cfg->ncommunes; c++)
		n += commune_sum(s, (int)c, kind);
	return n;
}

static void
rate_text(char *buf, size_t size, long part, long whole)
{
	if (whole > 0)
		snprintf(buf, size, "%ld%%", part * 100 / whole);
	else
		snprintf(buf, size, "-");
}

/* Each reply to a report of this turn shows its commune's running total. */
static void
check_confirmations(const struct sim *s)
{
	char from[32], reply[512], want[160], name[128];
	const struct pending *p;
	int i, c;

	for (i = 0; i < s->npend; i++) {
		p = &s->pend[i];
		c = p->commune;
		officer(c, from, sizeof(from));
		db_text(s, reply, sizeof(reply),
			"SELECT text FROM outbox WHERE recipient = '%s' AND reason = 'reply' "
			"ORDER BY id DESC LIMIT 1",
			from);
		parser_ascii(s->e->cfg->communes[c].name, name, sizeof(name));
		/* The total of the kind reported (LABOUR: the enrolments). */
		if (p->kind == 1)
			snprintf(want, sizeof(want), "Luy ke 2022 xa %s: %ld HV tot nghiep", name,
				 commune_sum(s, c, 1));
		else if (p->kind == 2)
			snprintf(want, sizeof(want), "Luy ke 2022 xa %s: %ld co viec lam", name,
				 commune_sum(s, c, 2));
		else if (p->kind == 3)
			snprintf(want, sizeof(want), "Luy ke 2022 xa %s: nhu cau %ld nguoi", name,
				 commune_sum(s, c, 3));
		else
			snprintf(want, sizeof(want), "Luy ke 2022 xa %s: %ld HV%s", name,
				 commune_sum(s, c, 0), c == 19 ? "" : "/KH 30");
		if (strstr(reply, want) == NULL)
			fail_msg("reply \"%s\" lacks \"%s\"", reply, want);
		assert_true(strlen(reply) <= 160);
		assert_true(strncmp(reply, "OK #", 4) == 0);
	}
}

/* What the digest sent at t must start with (the full form). */
static void
expected_head(const struct sim *s, int64_t t, char *buf, size_t size)
{
	static const char *const people[] = {"HV", "HV", "LD", "nguoi", ""};
	struct tm now, since;
	char part[96], emp[16], lab[16];
	long total = 0, labour = 0, trained = 0;
	size_t c;
	int k;

	clock_local(t, &now);
	clock_local(s->last_digest, &since);
	for (k = 0; k < 5; k++)
		total += s->newr[k];
	snprintf(buf, size, "Ban tin %02d/%02d: ", now.tm_mday, now.tm_mon + 1);
	if (total == 0) {
		snprintf(part, sizeof(part), "khong co bao cao moi tu %02d/%02d.", since.tm_mday,
			 since.tm_mon + 1);
		strncat(buf, part, size - strlen(buf) - 1);
	} else {
		snprintf(part, sizeof(part), "moi tu %02d/%02d: ", since.tm_mday, since.tm_mon + 1);
		strncat(buf, part, size - strlen(buf) - 1);
		for (k = 0; k < 5; k++) {
			snprintf(part, sizeof(part), "%s%s %ld", k > 0 ? ", " : "",
				 parser_keyword_form(s->e->cfg->parser, (enum parser_kind)k),
				 s->newr[k]);
			strncat(buf, part, size - strlen(buf) - 1);
			if (k < 4 && s->newr[k] > 0) {
				snprintf(part, sizeof(part), " (%ld %s)", s->newc[k], people[k]);
				strncat(buf, part, size - strlen(buf) - 1);
			}
		}
		strncat(buf, ".", size - strlen(buf) - 1);
	}
	for (c = 0; c < s->e->cfg->ncommunes; c++) {
		labour += s->labour[c];
		trained += s->trained[c];
	}
	rate_text(emp, sizeof(emp), district_sum(s, 2), district_sum(s, 1));
	rate_text(lab, sizeof(lab), trained, labour);
	snprintf(part, sizeof(part), " Nam 2022: %ld HV/KH 600-800; viec lam %s/KH 80%%; ",
		 district_sum(s, 0), emp);
	strncat(buf, part, size - strlen(buf) - 1);
	snprintf(part, sizeof(part), "LD qua DT %s/KH 60%%.", lab);
	strncat(buf, part, size - strlen(buf) - 1);
}

/* The list " Label (n): ..." or " Label: n xa." is in the digest. */
static void
check_list(const char *digest, const char *label, int n)
{
	char a[64], b[64];

	if (n == 0) {
		assert_null(strstr(digest, label));
		return;
	}
	snprintf(a, sizeof(a), " %s (%d): ", label, n);
	snprintf(b, sizeof(b), " %s: %d xa.", label, n);
	if (strstr(digest, a) == NULL && strstr(digest, b) == NULL)
		fail_msg("digest \"%s\" lacks \"%s\"", digest, a);
}

static void
check_digest(struct sim *s, int64_t t, int recipients)
{
	char text[1024], head[512];
	int silent = 0, reminded = 0;
	size_t c;

	s->ndigests++;
	assert_int_equal(db_int(s, "SELECT count(*) FROM digests"), s->ndigests);
	assert_int_equal(db_int(s, "SELECT max(at) FROM digests"), t);
	assert_int_equal(
	    db_int(s, "SELECT count(*) FROM scheduled_sms WHERE reason = 'digest' AND at = %lld",
		   (long long)t),
	    recipients);
	db_text(s, text, sizeof(text), "SELECT text FROM digests ORDER BY id DESC LIMIT 1");
	expected_head(s, t, head, sizeof(head));
	if (strncmp(text, head, strlen(head)) != 0)
		fail_msg("digest\n  \"%s\"\nshould start with\n  \"%s\"", text, head);
	assert_true(digest_sms_units(text, 0) <= DIGEST_GSM);
	for (c = 0; c < s->e->cfg->ncommunes; c++) {
		silent += s->last[c] <= t - 14 * DAY;
		reminded += s->reminded[c] > s->last_digest && s->reminded[c] <= t;
	}
	check_list(text, "Chua gui 14 ngay", silent);
	check_list(text, "Da nhac", reminded);
	memset(s->newr, 0, sizeof(s->newr));
	memset(s->newc, 0, sizeof(s->newc));
	s->last_digest = t;
}

/* A turn: inject (gen), run, count; digest: recipients expected, or -1. */
static void
turn(struct sim *s, int64_t t, int gen, int digest)
{
	int before = s->ndigests;

	s->npend = 0;
	if (gen)
		inject_sms(s, t);
	run_at(s, t);
	tally(s, t);
	check_confirmations(s);
	if (digest >= 0)
		check_digest(s, t, digest);
	else
		assert_int_equal(db_int(s, "SELECT count(*) FROM digests"), before);
}

static void
reminded_at(struct sim *s, int64_t t, int expected, const char *who)
{
	char got[512];

	assert_int_equal(db_int(s,
				"SELECT count(*) FROM scheduled_sms WHERE reason = 'reminder' AND "
				"at = %lld",
				(long long)t),
			 expected);
	db_text(s, got, sizeof(got),
		"SELECT group_concat(commune_code || '>' || recipient, ' ') FROM (SELECT * FROM "
		"reminders WHERE at = %lld ORDER BY commune_code, recipient)",
		(long long)t);
	assert_string_equal(got, who);
}

/* TK from staff: the digest; from an officer: the commune; else the district. */
static void
tk(struct sim *s, int64_t t)
{
	struct modem *m = modem_open(s->e->f.gammurc, 0);
	char got[1024], want[256], digest[1024];

	assert_non_null(m);
	assert_int_equal(modem_inject(m, STAFF2, "TK", t - 60), 0);
	assert_int_equal(modem_inject(m, "+84913000005", "tk", t - 50), 0);
	assert_int_equal(modem_inject(m, "+84915000000", "STATUS", t - 40), 0);
	modem_close(m);
	turn(s, t, 0, 2);
	db_text(s, got, sizeof(got),
		"SELECT text FROM outbox WHERE recipient = '" STAFF2 "' AND reason = 'reply'");
	db_text(s, digest, sizeof(digest), "SELECT text FROM digests ORDER BY id DESC LIMIT 1");
	assert_string_equal(got, digest);
	db_text(
	    s, got, sizeof(got),
	    "SELECT text FROM outbox WHERE recipient = '+84913000005' AND text LIKE 'So lieu%%'");
	snprintf(want, sizeof(want),
		 "So lieu 2022 xa Yen Thinh: ghi danh %ld HV (KH 30), tot nghiep %ld, co viec "
		 "lam %ld (%ld%%), nhu cau %ld.",
		 commune_sum(s, 5, 0), commune_sum(s, 5, 1), commune_sum(s, 5, 2),
		 commune_sum(s, 5, 1) > 0 ? commune_sum(s, 5, 2) * 100 / commune_sum(s, 5, 1) : 0,
		 commune_sum(s, 5, 3));
	assert_string_equal(got, want);
	db_text(s, got, sizeof(got),
		"SELECT text FROM outbox WHERE recipient = '+84915000000' AND reason = 'reply'");
	snprintf(want, sizeof(want), "So lieu 2022 toan huyen: ghi danh %ld HV (KH 600-800)",
		 district_sum(s, 0));
	assert_true(strncmp(got, want, strlen(want)) == 0);
}

/* ---- The half-year: the report ---------------------------------------- */

/* A number column, -1 when empty. */
static long
num(const char *f)
{
	return *f == '\0' ? -1 : atol(f);
}

static long
pct(long part, long whole)
{
	return whole > 0 ? part * 100 / whole : -1;
}

static void
check_counts(char **f, long e, long g, long j, long n)
{
	assert_int_equal(num(f[7]), e);
	assert_int_equal(num(f[8]), g);
	assert_int_equal(num(f[9]), j);
	assert_int_equal(num(f[10]), pct(j, g));
	assert_int_equal(num(f[11]), n);
}

static int
commune_of(const struct sim *s, const char *code)
{
	size_t c;

	for (c = 0; c < s->e->cfg->ncommunes; c++)
		if (strcmp(s->e->cfg->communes[c].code, code) == 0)
			return (int)c;
	fail_msg("unknown commune %s", code);
	return -1;
}

static void
check_csv_row(const struct sim *s, char **f, long *cells)
{
	int c, t;
	long labour = 0, trained = 0;
	size_t i;

	assert_string_equal(f[0], "2022-H1");
	if (strcmp(f[1], "commune") == 0) {
		c = commune_of(s, f[2]);
		check_counts(f, commune_sum(s, c, 0), commune_sum(s, c, 1), commune_sum(s, c, 2),
			     commune_sum(s, c, 3));
		assert_int_equal(num(f[12]), s->labour[c] > 0 ? s->labour[c] : -1);
		assert_int_equal(num(f[13]), s->labour[c] > 0 ? s->trained[c] : -1);
		assert_int_equal(num(f[14]), pct(s->trained[c], s->labour[c]));
		assert_int_equal(num(f[15]), s->reports[c]);
		assert_int_equal(num(f[17]), c == 19 ? -1 : 30);
	} else if (strcmp(f[1], "trade") == 0) {
		t = trade_index(s->e->cfg, f[4]);
		long e = 0, g = 0, j = 0, n = 0;
		for (c = 0; c < (int)s->e->cfg->ncommunes; c++) {
			e += s->cell[c][t][0];
			g += s->cell[c][t][1];
			j += s->cell[c][t][2];
			n += s->cell[c][t][3];
		}
		check_counts(f, e, g, j, n);
	} else if (strcmp(f[1], "commune_trade") == 0) {
		c = commune_of(s, f[2]);
		t = trade_index(s->e->cfg, f[4]);
		check_counts(f, s->cell[c][t][0], s->cell[c][t][1], s->cell[c][t][2],
			     s->cell[c][t][3]);
		(*cells)++;
	} else {
		assert_string_equal(f[1], "district");
		check_counts(f, district_sum(s, 0), district_sum(s, 1), district_sum(s, 2),
			     district_sum(s, 3));
		for (i = 0; i < s->e->cfg->ncommunes; i++) {
			labour += s->labour[i];
			trained += s->trained[i];
		}
		assert_int_equal(num(f[12]), labour);
		assert_int_equal(num(f[13]), trained);
		assert_int_equal(num(f[16]), 3); /* cancelled */
		assert_int_equal(num(f[17]), 600);
		assert_int_equal(num(f[18]), 800);
		assert_int_equal(num(f[21]), district_sum(s, 0));
	}
}

/* Cancels three reports (not LABOUR) the way the district would, and takes
 * them out of the test's figures. */
static void
cancel_three(struct sim *s)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int c, t, k, n = 0;

	assert_int_equal(sqlite3_open(s->e->f.db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(
	    sqlite3_prepare_v2(db,
			       "UPDATE reports SET cancelled = 1 WHERE id IN (SELECT id "
			       "FROM reports WHERE kind <> 'labour' ORDER BY id LIMIT 3 "
			       "OFFSET 20) RETURNING kind, commune_code, trade_code, count",
			       -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		c = commune_of(s, (const char *)sqlite3_column_text(st, 1));
		t = trade_index(s->e->cfg, (const char *)sqlite3_column_text(st, 2));
		for (k = 0; k < 4; k++)
			if (strcmp((const char *)sqlite3_column_text(st, 0),
				   parser_kind_name((enum parser_kind)k)) == 0)
				break;
		s->cell[c][t][k] -= sqlite3_column_int64(st, 3);
		s->reports[c]--;
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_int_equal(n, 3);
}

static void
check_report(struct sim *s)
{
	char path[160], line[2048], *f[32];
	long cells = 0, expected = 0;
	int rows = 0, silent = 0;
	size_t c, t;
	FILE *in;

	cancel_three(s);
	snprintf(path, sizeof(path), "%s/report.csv", s->e->f.dir);
	assert_int_equal(fixture_run(&s->e->f, NULL, 0, RUN_TIMEOUT_S, NULL, "report", "--period",
				     "2022-H1", "--format", "csv", "--output", path, NULL),
			 0);
	in = fopen(path, "r");
	assert_non_null(in);
	assert_non_null(fgets(line, sizeof(line), in)); /* BOM and header */
	assert_true(strncmp(line, "\xef\xbb\xbfperiod,row,", 13) == 0);
	while (fgets(line, sizeof(line), in) != NULL) {
		assert_true(strlen(line) >= 2 && strcmp(line + strlen(line) - 2, "\r\n") == 0);
		line[strlen(line) - 2] = '\0';
		assert_int_equal(plantest_csv_split(line, f, 32), 22);
		check_csv_row(s, f, &cells);
		silent += strcmp(f[1], "commune") == 0 && num(f[15]) == 0;
		rows++;
	}
	fclose(in);
	for (c = 0; c < s->e->cfg->ncommunes; c++)
		for (t = 0; t < s->e->cfg->ntrades; t++)
			expected += s->cell[c][t][0] || s->cell[c][t][1] || s->cell[c][t][2] ||
				    s->cell[c][t][3];
	assert_int_equal(cells, expected);
	assert_int_equal(rows, (int)(s->e->cfg->ncommunes + s->e->cfg->ntrades) + cells + 1);
	assert_int_equal(silent, 5); /* communes 0, 1, 2, 22, 23 */
}

static void
june(struct sim *s)
{
	int64_t r1 = vn(2022, 6, 13, 7, 5);

	turn(s, vn(2022, 6, 13, 6, 30), 0, -1); /* quiet: no reminder yet */
	assert_int_equal(db_int(s, "SELECT count(*) FROM reminders"), 0);
	turn(s, r1, 0, -1);
	reminded_at(s, r1, 5,
		    "06385>+84914000001 06388>+84913009999 06391>+84913000002 "
		    "06457>+84913000022 06457>+84913000122");
	s->reminded[0] = s->reminded[1] = s->reminded[2] = s->reminded[22] = r1;
	turn(s, vn(2022, 6, 13, 12, 0), 0, -1);
	reminded_at(s, vn(2022, 6, 13, 12, 0), 0, "");
}

static void
june_after(struct sim *s)
{
	int64_t r2 = vn(2022, 6, 14, 7, 5);

	turn(s, r2, 0, -1);
	reminded_at(s, r2, 1, "06391>+84913009999");
	s->reminded[2] = r2;
	turn(s, vn(2022, 6, 14, 12, 0), 0, -1);
	assert_int_equal(db_int(s, "SELECT count(*) FROM reminders"), 6);
}

/*
 * January to June 2022, a turn each Monday at 17:05 after a week of SMS
 * (one from each active commune with a chance of one in two), the weekly
 * digest at 17:00.  Who is who (see officers()): communes 0, 1, 2, 22 and 23
 * never report; 18 to 21 stop in March; 0's officer is STAFF1; DUAL is the
 * officer of 1 and 2; 22 has two officers, 23 none.  Reminders two days
 * before 15 June, i.e. from Monday 13 June.  Each run of the binary costs a
 * scan of the dummy phone's 50,000 locations: the turns are few.
 */
static void
test_half_year(void **state)
{
	const char *conf = "digest = { recipients = [ \"" STAFF1 "\", \"0914000002\" ];"
			   " schedule = \"weekly\"; days = [ \"mon\" ];"
			   " time = \"17:00\"; silent_days = 14; };"
			   "reminders = { days_before = 2; };";
	struct sim *s = calloc(1, sizeof(*s));
	int64_t t, end = vn(2022, 6, 30, 23, 0);

	assert_non_null(s);
	s->e = env_new(conf);
	s->seed = 2022;
	s->last_digest = vn(2021, 12, 27, 17, 0); /* the Monday before */
	for (t = vn(2022, 1, 3, 17, 5); t < end; t += 7 * DAY) {
		if (t == vn(2022, 6, 13, 17, 5))
			june(s);
		if (t == vn(2022, 6, 20, 17, 5))
			june_after(s);
		if (t == vn(2022, 3, 14, 17, 5)) {
			/* Down until 23:00, in the quiet hours: the digest waits. */
			turn(s, vn(2022, 3, 14, 23, 0), 1, -1);
			turn(s, vn(2022, 3, 15, 7, 5), 0, 2);
			continue;
		}
		if (t == vn(2022, 4, 4, 17, 5)) {
			tk(s, t);
			continue;
		}
		/* STAFF1 had a reminder that day: the limit holds its digest. */
		turn(s, t, 1, t == vn(2022, 6, 13, 17, 5) ? 1 : 2);
		if (t == vn(2022, 5, 2, 17, 5))
			turn(s, t + 60, 0, -1); /* a restart sends nothing again */
	}
	assert_int_equal(s->ndigests, 26);
	assert_int_equal(db_int(s,
				"SELECT count(*) FROM scheduled_sms WHERE at >= %lld AND at < "
				"%lld",
				(long long)vn(2022, 6, 13, 0, 0), (long long)vn(2022, 6, 14, 0, 0)),
			 5 + 1); /* the reminders, one digest (STAFF1 had a reminder) */
	sqlite3_close(s->db);
	check_report(s);
	env_free(s->e);
	free(s);
}

int
main(int argc, char *argv[])
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_quiet_hours),
	    cmocka_unit_test(test_daily_in_quiet_hours),
	    cmocka_unit_test(test_weekly),
	    cmocka_unit_test(test_daily_limit),
	    cmocka_unit_test(test_digest_content),
	    cmocka_unit_test(test_digest_worst_length),
	    cmocka_unit_test(test_running_total_example),
	    cmocka_unit_test(test_running_total_fits),
	    cmocka_unit_test(test_running_total_kinds),
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_reminder_text),
	    cmocka_unit_test(test_reminders),
	    cmocka_unit_test(test_half_year),
	};

	if (argc > 1)
		tinbao = argv[1];
	log_init(0, getenv("TEST_VERBOSE") != NULL ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	return cmocka_run_group_tests_name("digest", tests, NULL, NULL);
}
