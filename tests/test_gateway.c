/*
 * test_gateway.c - unit tests of the gateway's pure helpers: JSON writing,
 * who gets a reply, reporting periods.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "gateway.h"
#include "json.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_escapes),
	    cmocka_unit_test(test_json_keys_and_growth),
	    cmocka_unit_test(test_replyable),
	    cmocka_unit_test(test_period),
	};

	return cmocka_run_group_tests_name("gateway", tests, NULL, NULL);
}
