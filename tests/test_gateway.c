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

#include "alert.h"
#include "config.h"
#include "gateway.h"
#include "json.h"
#include "store.h"

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
	assert_true(gateway_replyable("+84912000001", NULL));
	assert_true(gateway_replyable("0912000001", "+84999999999"));
	assert_false(gateway_replyable("Viettel", NULL)); /* alphanumeric */
	assert_false(gateway_replyable("VNPT-HCM", NULL));
	assert_false(gateway_replyable("9029", NULL)); /* short code */
	assert_false(gateway_replyable("1414", NULL));
	assert_false(gateway_replyable("", NULL));
	assert_false(gateway_replyable("+", NULL));
	assert_false(gateway_replyable("+8491200000112345678", NULL)); /* too long */
	/* Our own number, whichever way it is written. */
	assert_false(gateway_replyable("+84912345678", "0912345678"));
	assert_false(gateway_replyable("0912345678", "+84912345678"));
	assert_false(gateway_replyable("84912345678", "+84912345678"));
	assert_true(gateway_replyable("+84912345679", "+84912345678"));
}

static void
test_period(void **state)
{
	int year, half;

	gateway_period(1646100000, &year, &half); /* 2022-03-01 09:00 +07 */
	assert_int_equal(year, 2022);
	assert_int_equal(half, 1);
	/* 2022-06-30 17:00 UTC is already 1 July in Vietnam. */
	gateway_period(1656608400, &year, &half);
	assert_int_equal(year, 2022);
	assert_int_equal(half, 2);
	/* 2022-12-31 17:30 UTC is 2023-01-01 00:30 in Vietnam. */
	gateway_period(1672507800, &year, &half);
	assert_int_equal(year, 2023);
	assert_int_equal(half, 1);
	gateway_period(1672505999, &year, &half); /* 16:59:59 UTC: still 2022 */
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
	char p[64];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static void
test_alert_once_per_crossing(void **state)
{
	struct config cfg;
	struct store *st;
	char path[64];
	char *admins[] = {"+84912000001", "0912000002"};
	char *staff[] = {"+84912000009"};
	size_t n;

	memset(&cfg, 0, sizeof(cfg));
	cfg.digest.recipients = staff;
	cfg.digest.nrecipients = 1;
	/* No admins: the digest's recipients are told. */
	assert_ptr_equal(alert_recipients(&cfg, &n), staff);
	assert_int_equal(n, 1);
	cfg.admins = admins;
	cfg.nadmins = 2;
	assert_ptr_equal(alert_recipients(&cfg, &n), admins);
	assert_int_equal(n, 2);

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_escapes),
	    cmocka_unit_test(test_json_keys_and_growth),
	    cmocka_unit_test(test_replyable),
	    cmocka_unit_test(test_period),
	    cmocka_unit_test(test_alert_once_per_crossing),
	};

	return cmocka_run_group_tests_name("gateway", tests, NULL, NULL);
}
