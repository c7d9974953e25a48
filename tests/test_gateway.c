/*
 * test_gateway.c - unit tests of the gateway's pure helpers: JSON writing,
 * who gets a reply, reporting periods, alerts once per crossing.
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

#include "alert.h"
#include "clock.h"
#include "config.h"
#include "gateway.h"
#include "identity.h"
#include "json.h"
#include "log.h"
#include "phone.h"
#include "store.h"
#include "ussd.h"

static void
test_json_escapes(void **state)
{
	struct buf b;

	buf_init(&b);
	json_str(&b, "a\"b\\c\nd\te\x01 Minh Sơn");
	assert_string_equal(buf_str(&b), "\"a\\\"b\\\\c\\nd\\te\\u0001 Minh Sơn\"");
	buf_reset(&b);
	/* Invalid UTF-8 (a lone continuation byte, an overlong form, a surrogate,
	 * a truncated sequence) becomes U+FFFD: the output is always valid JSON. */
	json_str(&b, "x\x80y\xc0\xafz\xed\xa0\x80w\xe1\x80");
	assert_string_equal(buf_str(&b),
			    "\"x\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbdz"
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdw\xef\xbf\xbd\xef\xbf\xbd\"");
	buf_free(&b);
}

static void
test_json_keys_and_growth(void **state)
{
	struct buf b;
	int i;

	buf_init(&b);
	assert_string_equal(buf_str(&b), "");
	buf_puts(&b, "{");
	json_key(&b, "ok", 1);
	buf_puts(&b, "true");
	json_key(&b, "n", 0);
	buf_printf(&b, "%d", 42);
	buf_puts(&b, "}");
	assert_string_equal(buf_str(&b), "{\"ok\":true,\"n\":42}");
	buf_reset(&b);
	for (i = 0; i < 10000; i++)
		buf_puts(&b, "0123456789");
	assert_int_equal(b.len, 100000);
	assert_int_equal(strlen(buf_str(&b)), 100000);
	buf_free(&b);
}

static void
test_replyable(void **state)
{
	static const struct {
		const char *n, *own;
		int ok;
	} t[] = {
	    {"+84912000001", NULL, 1},
	    {"0912000001", "+84999999999", 1},
	    {"84912000001", NULL, 1},
	    {"0084912000001", NULL, 1},
	    {"+442071234567", NULL, 1}, /* abroad, in international form */
	    {"Viettel", NULL, 0},	/* alphanumeric */
	    {"VNPT-HCM", NULL, 0},
	    {"9029", NULL, 0}, /* short codes */
	    {"1414", NULL, 0},
	    {"", NULL, 0},
	    {"+", NULL, 0},
	    {"+8491200000112345678", NULL, 0}, /* too long */
	    {"+8412345678", NULL, 0},	       /* +84 and too short */
	    /* Premium-rate and toll-free services, however written. */
	    {"+841900123456", NULL, 0},
	    {"01900123456", NULL, 0},
	    {"841800123456", NULL, 0},
	    {"19001234", NULL, 0},
	    {"1900123456", NULL, 0},
	    /* "00..." that is no Vietnamese number: garbage, never dialled. */
	    {"00849120000", NULL, 0},
	    {"008491200000112", NULL, 0},
	    {"0044207123456", NULL, 0},
	    {"00", NULL, 0},
	    /* Our own number, whichever way it is written. */
	    {"+84912345678", "0912345678", 0},
	    {"0912345678", "+84912345678", 0},
	    {"84912345678", "+84912345678", 0},
	    {"0084912345678", "912345678", 0},
	    {"+84912345679", "+84912345678", 1},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (phone_replyable(t[i].n, t[i].own) != t[i].ok)
			fail_msg("phone_replyable(\"%s\", %s) != %d", t[i].n,
				 t[i].own != NULL ? t[i].own : "NULL", t[i].ok);
}

/* Every way a Vietnamese number is written gives one stored form; anything
 * else is kept exactly. */
static void
test_phone_forms(void **state)
{
	static const struct {
		const char *in, *canonical, *national;
	} t[] = {
	    {"+84912000001", "+84912000001", "0912000001"},
	    {"84912000001", "+84912000001", "0912000001"},
	    {"0912000001", "+84912000001", "0912000001"},
	    {"0084912000001", "+84912000001", "0912000001"},
	    {"912000001", "+84912000001", "0912000001"},
	    {"+842053123456", "+842053123456", "02053123456"}, /* a landline */
	    {"02053123456", "+842053123456", "02053123456"},
	    {"842053123456", "+842053123456", "02053123456"},
	    {"0849120000", "+84849120000", "0849120000"}, /* 084: a mobile prefix */
	    {"849120000", "+84849120000", "0849120000"},
	    {"+841900123456", "+841900123456", "01900123456"},
	    /* Not Vietnamese numbers: kept as the network gave them. */
	    {"Viettel", "Viettel", NULL},
	    {"9029", "9029", NULL},
	    {"19001234", "19001234", NULL},
	    {"+442071234567", "+442071234567", NULL},
	    {"+840912345678", "+840912345678", NULL},
	    {"0091234567890", "0091234567890", NULL},
	    {"00849120000", "00849120000", NULL},
	    {"0912-345-678", "0912-345-678", NULL},
	    {"091234", "091234", NULL},
	    {"09123456789012", "09123456789012", NULL},
	    {"", "", NULL},
	};
	char out[PHONE_MAX], nat[PHONE_MAX];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		phone_canonical(t[i].in, out, sizeof(out));
		if (strcmp(out, t[i].canonical) != 0)
			fail_msg("\"%s\" -> \"%s\", want \"%s\"", t[i].in, out, t[i].canonical);
		if (t[i].national == NULL) {
			assert_int_equal(phone_e164(t[i].in, out, sizeof(out)), -1);
			assert_int_equal(phone_national(t[i].in, nat, sizeof(nat)), -1);
			continue;
		}
		assert_int_equal(phone_e164(t[i].in, out, sizeof(out)), 0);
		assert_string_equal(out, t[i].canonical);
		assert_int_equal(phone_national(t[i].in, nat, sizeof(nat)), 0);
		assert_string_equal(nat, t[i].national);
	}
	/* Too small a buffer is an error, never a cut number. */
	assert_int_equal(phone_e164("0912000001", out, 12), -1);
}

static void
test_phone_same(void **state)
{
	static const char *const one[] = {"+84912000001", "84912000001", "0912000001",
					  "0084912000001", "912000001"};
	size_t i, j;

	for (i = 0; i < 5; i++)
		for (j = 0; j < 5; j++)
			if (!phone_same(one[i], one[j]))
				fail_msg("%s and %s are one phone", one[i], one[j]);
	assert_false(phone_same("+84912000001", "+84912000002"));
	assert_false(phone_same("+84912000001", ""));
	assert_false(phone_same("", ""));
	assert_false(phone_same("Viettel", "viettel"));
	assert_true(phone_same("Viettel", "Viettel"));
	assert_false(phone_same("0912000001", "912000001x"));
}

static void
test_period(void **state)
{
	int year, half;

	clock_period(1646100000, &year, &half); /* 2022-03-01 09:00 +07 */
	assert_int_equal(year, 2022);
	assert_int_equal(half, 1);
	/* 2022-06-30 17:00 UTC is already 1 July in Vietnam. */
	clock_period(1656608400, &year, &half);
	assert_int_equal(year, 2022);
	assert_int_equal(half, 2);
	/* 2022-12-31 17:30 UTC is 2023-01-01 00:30 in Vietnam. */
	clock_period(1672507800, &year, &half);
	assert_int_equal(year, 2023);
	assert_int_equal(half, 1);
	clock_period(1672505999, &year, &half); /* 16:59:59 UTC: still 2022 */
	assert_int_equal(year, 2022);
	assert_int_equal(half, 2);
}

/* A temporary database file, removed with its WAL files by rm_db(). */
static struct store *
tmp_db(char *path)
{
	int fd;

	strcpy(path, "/tmp/tinbao-alert-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	return store_open(path, 0);
}

static void
rm_db(const char *path)
{
	char p[80];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* The numbers alert_recipients() gives. */
struct told {
	char v[4][PHONE_MAX];
	int n;
};

static int
tell(void *arg, const struct identity *id)
{
	struct told *t = arg;

	if (t->n < 4)
		snprintf(t->v[t->n], PHONE_MAX, "%s", id->number);
	t->n++;
	return 0;
}

static void
test_alert_once_per_crossing(void **state)
{
	struct config cfg;
	struct store *st;
	char path[64];
	char *admins[] = {"+84912000001", "0912000002"};
	char *staff[] = {"+84912000009"};
	struct told n;

	memset(&cfg, 0, sizeof(cfg));
	cfg.digest.recipients = staff;
	cfg.digest.nrecipients = 1;
	/* No admins: the digest's recipients are told. */
	memset(&n, 0, sizeof(n));
	assert_int_equal(alert_recipients(&cfg, NULL, tell, &n), 0);
	assert_int_equal(n.n, 1);
	assert_string_equal(n.v[0], "+84912000009");
	cfg.admins = admins;
	cfg.nadmins = 2;
	memset(&n, 0, sizeof(n));
	assert_int_equal(alert_recipients(&cfg, NULL, tell, &n), 0);
	assert_int_equal(n.n, 2);
	assert_string_equal(n.v[0], "+84912000001");
	assert_string_equal(n.v[1], "+84912000002");

	st = tmp_db(path);
	assert_non_null(st);
	assert_int_equal(alert_active(st, "sim_full"), 0);
	assert_int_equal(alert_raise(&cfg, st, "sim_full", "SIM day", 100), 1);
	assert_int_equal(store_count(st, "outbox", NULL), 2);
	/* Still full at every later check: nothing more is sent. */
	assert_int_equal(alert_raise(&cfg, st, "sim_full", "SIM day", 160), 0);
	assert_int_equal(alert_raise(&cfg, st, "sim_full", "SIM day", 220), 0);
	assert_int_equal(store_count(st, "outbox", NULL), 2);
	/* Another key is another alert. */
	assert_int_equal(alert_raise(&cfg, st, "balance_low", "Het tien", 230), 1);
	assert_int_equal(store_count(st, "outbox", NULL), 4);

	/* It holds across a restart. */
	store_close(st);
	st = store_open(path, 0);
	assert_non_null(st);
	assert_int_equal(alert_active(st, "sim_full"), 1);
	assert_int_equal(alert_raise(&cfg, st, "sim_full", "SIM day", 300), 0);
	assert_int_equal(store_count(st, "outbox", NULL), 4);

	/* Over (no SMS asked for), then full again: a second crossing. */
	assert_int_equal(alert_clear(&cfg, st, "sim_full", NULL, 400), 1);
	assert_int_equal(alert_clear(&cfg, st, "sim_full", NULL, 460), 0);
	assert_int_equal(alert_active(st, "sim_full"), 0);
	assert_int_equal(store_count(st, "outbox", NULL), 4);
	assert_int_equal(alert_raise(&cfg, st, "sim_full", "SIM day", 500), 1);
	assert_int_equal(store_count(st, "outbox", NULL), 6);
	/* A clear with a text tells the admins it is over. */
	assert_int_equal(alert_clear(&cfg, st, "sim_full", "SIM het day", 600), 1);
	assert_int_equal(store_count(st, "outbox", NULL), 8);
	store_close(st);
	rm_db(path);
}

/* The balance in Vietnamese operators' answers, with the default pattern. */
static void
test_ussd_amount(void **state)
{
	static const struct {
		const char *answer;
		int found;
		int64_t amount;
	} cases[] = {
	    {"TK chinh: 12.345d, HSD 31/12/2022", 1, 12345},
	    {"TK chinh: 10000d, HSD 31/12/2022", 1, 10000},
	    {"So du TKC 12,345 VND. KM 5.000d", 1, 12345},
	    {"So du 5000đ", 1, 5000},
	    {"Số dư tài khoản chính: 1.234.567 đồng", 1, 1234567},
	    {"TK CHINH: 20.000D", 1, 20000},
	    {"Quy khach con 0d", 1, 0},
	    {"HSD 31/12/2022, goi MAX100", 0, 0},
	    {"He thong dang ban", 0, 0},
	    {"", 0, 0},
	    {"TK 5 dem", 0, 0}, /* "d" starting a word is not the currency */
	};
	int64_t v;
	size_t i;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = -1;
		r = ussd_amount(CONFIG_BALANCE_PATTERN, cases[i].answer, &v);
		if (r != cases[i].found || (r == 1 && v != cases[i].amount))
			fail_msg("\"%s\": got %d %lld, want %d %lld", cases[i].answer, r,
				 (long long)v, cases[i].found, (long long)cases[i].amount);
	}
	/* A pattern of one's own: its first group is the amount. */
	assert_int_equal(ussd_amount("con ([0-9.]+) ?dong", "TKC con 7.500 dong", &v), 1);
	assert_int_equal(v, 7500);
	/* Without a group, the whole match. */
	assert_int_equal(ussd_amount("[0-9]+", "abc 42 def", &v), 1);
	assert_int_equal(v, 42);
	assert_int_equal(ussd_amount("(", "x", &v), -1);
}

static void
test_topup_match(void **state)
{
	static const struct {
		const char *text;
		int match;
		const char *masked, *pin;
	} cases[] = {
	    {"NAPTIEN 123456789012", 1, "NAPTIEN ********9012", "123456789012"},
	    {"naptien123456789012", 1, "naptien********9012", "123456789012"},
	    {"Nap Tien 1234 5678 9012 3456", 1, "Nap Tien **** **** **** 3456", "1234567890123456"},
	    {"  NAP  TIEN  1234-5678", 1, "  NAP  TIEN  ****-****", ""},
	    {"NAPTIEN 12345", 1, "NAPTIEN *****", ""},
	    {"NAPTIEN 12345678901234567", 1, "NAPTIEN *************4567", ""},
	    {"NAPTIEN", 1, "NAPTIEN", ""},
	    /* The stored form, read again after a restart. */
	    {"naptien********9012", 1, "naptien************", ""},
	    {"NAPTIENX 123456789012", 0, "", ""},
	    {"NAP 123456789012", 0, "", ""},
	    {"ENROL xa Minh Son 35 han", 0, "", ""},
	    {"DK NAPTIEN 123456789012", 0, "", ""},
	};
	char masked[64], pin[USSD_PIN_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		masked[0] = pin[0] = '\0';
		if (ussd_topup_match(cases[i].text, masked, sizeof(masked), pin, sizeof(pin)) !=
		    cases[i].match)
			fail_msg("\"%s\": match %d expected", cases[i].text, cases[i].match);
		if (!cases[i].match)
			continue;
		assert_string_equal(masked, cases[i].masked);
		assert_string_equal(pin, cases[i].pin);
	}
}

/* Whether the registry (here the configuration alone) calls number admin. */
static int
is_admin(const struct config *cfg, const char *number)
{
	struct identity id;

	assert_int_equal(identity_resolve(cfg, NULL, number, &id), 0);
	return identity_has(&id, IDENTITY_ADMIN);
}

static void
test_ussd_mask_and_admin(void **state)
{
	struct config cfg;
	char *admins[] = {"+84912000009"};
	char out[64];

	ussd_mask("*100*123456789012#", out, sizeof(out));
	assert_string_equal(out, "*100*********9012#");
	ussd_mask("*101#", out, sizeof(out));
	assert_string_equal(out, "*101#");
	ussd_mask("*123*0912345678#", out, sizeof(out));
	assert_string_equal(out, "*123*******5678#");
	memset(&cfg, 0, sizeof(cfg));
	assert_false(is_admin(&cfg, "+84912000009"));
	cfg.admins = admins;
	cfg.nadmins = 1;
	assert_true(is_admin(&cfg, "0912000009"));
	assert_true(is_admin(&cfg, "+84912000009"));
	assert_false(is_admin(&cfg, "+84912000001"));
}

static int
count_rows(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int n = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* Readings older than the bound are forgotten, never the latest. */
static void
test_readings_bounded(void **state)
{
	struct store_reading_row last;
	struct store *st;
	char path[64];
	int64_t t, lost, back;

	st = tmp_db(path);
	assert_non_null(st);
	for (t = 1000; t < 1000 + 100 * 60; t += 60) {
		struct store_reading r = {"modem", t, 50, -80, 0, "home", "452 04"};
		assert_int_equal(store_reading_add(st, &r, t - 30 * 60), 0);
	}
	assert_int_equal(count_rows(path, "SELECT count(*) FROM modem_readings"), 31);
	struct store_reading r2 = {"modem", 999999, -1, 0, -1, "none", ""};
	assert_int_equal(store_reading_add(st, &r2, 999999 + 1), 0);
	assert_int_equal(store_reading_last(st, "modem", &last), 1);
	assert_string_equal(last.reg, "none");
	assert_int_equal(last.signal_pct, -1);
	assert_int_equal(store_reading_last(st, "other", &last), 0);
	/* Outages: one open at a time. */
	assert_int_equal(store_outage_set(st, "modem", 1, 100), 0);
	assert_int_equal(store_outage_set(st, "modem", 1, 160), 0);
	assert_int_equal(store_outage_last(st, "modem", &lost, &back), 1);
	assert_int_equal(lost, 100);
	assert_int_equal(back, 0);
	assert_int_equal(store_outage_set(st, "modem", 0, 700), 0);
	assert_int_equal(store_outage_last(st, "modem", &lost, &back), 1);
	assert_int_equal(back, 700);
	store_close(st);
	rm_db(path);
}

/* Text of outside origin, for a log or a terminal: control characters and
 * bytes that are not UTF-8 escaped, UTF-8 kept, a cut never inside a
 * character or an escape. */
static void
test_log_escape(void **state)
{
	static const struct {
		const char *text;
		size_t outsz;
		const char *want;
	} cases[] = {
	    {"ENROL Minh Son 5 han", 64, "ENROL Minh Son 5 han"},
	    {"a\nb\rc\td", 64, "a\\nb\\rc\\td"},
	    {"\x1b[2J\x1b]0;x\x07 \x7f", 64, "\\x1b[2J\\x1b]0;x\\x07 \\x7f"},
	    {"xã Minh Sơn ắ 😀", 64, "xã Minh Sơn ắ 😀"},
	    {"\xc2\x9b"
	     "31m",
	     64, "\\u009b31m"}, /* C1 CSI */
	    {"a\xff"
	     "b\xc0\xaf"
	     "c",
	     64, "a\\xffb\\xc0\\xafc"},			      /* stray, overlong */
	    {"\xed\xa0\x80", 64, "\\xed\\xa0\\x80"},	      /* a surrogate */
	    {"\xf4\x90\x80\x80", 64, "\\xf4\\x90\\x80\\x80"}, /* past U+10FFFF */
	    {"ab\xe1\x80", 64, "ab\\xe1\\x80"},		      /* a cut character */
	    {"ắắắ", 8, "ắắ"},				      /* 6 bytes of 7 */
	    {"ắắắ", 6, "ắ"},
	    {"ab\x1b", 6, "ab"}, /* the escape needs 4 */
	    {"", 1, ""},
	};
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		log_escape(cases[i].text, out, cases[i].outsz);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, out, cases[i].want);
	}
}

/* A log line too long is cut between two characters, and what an SMS puts
 * in it cannot start a line of its own. */
static void
test_log_line(void **state)
{
	char path[] = "/tmp/tinbao-log-XXXXXX", text[3000], line[4096];
	size_t i, n;
	int fd, saved;
	FILE *f;

	for (i = 0; i + 3 < sizeof(text); i += 3)
		memcpy(text + i, "ắ", 3);
	text[i] = '\0';
	fd = mkstemp(path);
	assert_true(fd != -1);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved != -1);
	assert_int_not_equal(dup2(fd, STDERR_FILENO), -1);
	close(fd);
	log_warnx("SMS #1 from x: \"%s\"", text);
	log_warnx("SMS #2 from x: \"a\n12:00:00   report #99: enrol\"");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	n = strlen(line);
	assert_true(n > 900 && n < 1100);
	assert_int_equal(line[n - 1], '\n');
	/* "HH:MM:SS SMS #1 from x: \"" is 25 bytes, then whole characters. */
	assert_int_equal((n - 1 - 25) % 3, 0);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "\"a\\n12:00:00   report #99: enrol\""));
	assert_null(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_escapes),
	    cmocka_unit_test(test_json_keys_and_growth),
	    cmocka_unit_test(test_replyable),
	    cmocka_unit_test(test_phone_forms),
	    cmocka_unit_test(test_phone_same),
	    cmocka_unit_test(test_period),
	    cmocka_unit_test(test_alert_once_per_crossing),
	    cmocka_unit_test(test_ussd_amount),
	    cmocka_unit_test(test_topup_match),
	    cmocka_unit_test(test_log_escape),
	    cmocka_unit_test(test_log_line),
	    cmocka_unit_test(test_ussd_mask_and_admin),
	    cmocka_unit_test(test_readings_bounded),
	};

	return cmocka_run_group_tests_name("gateway", tests, NULL, NULL);
}
