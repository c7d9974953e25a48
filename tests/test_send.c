/*
 * test_send.c - `tinbao send`: a notice through the outbox to one number,
 * to a commune's officers (the configuration's and the registry's, each
 * phone once), or to every number of a role; refused texts and targets;
 * and the daily cap holding a notice for the next day.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "plantest.h"

#define TINBAO "./tinbao"
#define TEMPLATE "contrib/tinbao.conf"
#define RUN_S 60
#define MINH_SON 19 /* index of 06448 Minh Son in contrib/tinbao.conf */

/* Minh Son's officers in the configuration: one number in national form. */
static void
officers(int i, char *buf, size_t size)
{
	if (i == MINH_SON)
		snprintf(buf, size, "officers = [ \"0912000011\" ]; ");
}

static struct fixture *
env_new(const char *extra)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char tmpl[] = "/tmp/tinbao-send-XXXXXX";
	int fd = mkstemp(tmpl);

	assert_non_null(f);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(plantest_conf(TEMPLATE, tmpl, officers, NULL), 0);
	assert_int_equal(fixture_setup_with(f, TINBAO, tmpl, extra), 0);
	unlink(tmpl);
	return f;
}

static void
env_free(struct fixture *f)
{
	fixture_teardown(f);
	free(f);
}

static int64_t
db_int(const struct fixture *f, const char *sql)
{
	int err;
	int64_t v = fixture_db_int(f->db, sql, &err);

	if (err)
		fail_msg("%s: cannot be run on %s", sql, f->db);
	return v;
}

static void
registry(const struct fixture *f)
{
	/* Minh Son's registry officer, Hoa Son's, district staff; the
	 * configuration's Minh Son officer registered too, in another form. */
	assert_int_equal(fixture_run(f, NULL, 0, RUN_S, NULL, "senders", "add", "+84912000001",
				     "officer", "--commune", "Minh Son", NULL),
			 0);
	assert_int_equal(fixture_run(f, NULL, 0, RUN_S, NULL, "senders", "add", "0912000002",
				     "officer", "--commune", "06445", NULL),
			 0);
	assert_int_equal(
	    fixture_run(f, NULL, 0, RUN_S, NULL, "senders", "add", "0912000003", "district", NULL),
	    0);
	assert_int_equal(fixture_run(f, NULL, 0, RUN_S, NULL, "senders", "add", "84912000011",
				     "officer", "--commune", "06448", NULL),
			 0);
}

static void
test_send_one_number(void **state)
{
	struct fixture *f = env_new(NULL);

	(void)state;
	assert_int_equal(fixture_run(f, NULL, 0, RUN_S, NULL, "send", "0912000009",
				     "Hop giao ban 9h thu Hai", NULL),
			 0);
	assert_int_equal(db_int(f, "SELECT count(*) FROM outbox WHERE recipient = '+84912000009' "
				   "AND reason = 'notice' AND state = 'queued' "
				   "AND text = 'Hop giao ban 9h thu Hai'"),
			 1);
	assert_int_equal(db_int(f, "SELECT count(*) FROM outbox"), 1);
	env_free(f);
}

static void
test_send_to_commune(void **state)
{
	struct fixture *f = env_new(NULL);

	(void)state;
	registry(f);
	assert_int_equal(fixture_run(f, NULL, 0, RUN_S, NULL, "send", "--to-commune", "minh son",
				     "Nhac: bao cao truoc 15/6", NULL),
			 0);
	/* The registry's officer and the configuration's (registered too, in
	 * another form: one SMS), not Hoa Son's, not the district's. */
	assert_int_equal(db_int(f, "SELECT count(*) FROM outbox"), 2);
	assert_int_equal(db_int(f,
				"SELECT count(*) FROM outbox WHERE recipient IN ('+84912000001', "
				"'+84912000011') AND reason = 'notice'"),
			 2);
	env_free(f);
}

static void
test_send_to_role(void **state)
{
	struct fixture *f =
	    env_new("digest = { recipients = [ \"+84912000003\", \"0912000004\" ]; };\n");

	(void)state;
	registry(f);
	assert_int_equal(fixture_run(f, NULL, 0, RUN_S, NULL, "send", "--to-role", "district",
				     "Ban tin tuan", NULL),
			 0);
	assert_int_equal(db_int(f, "SELECT count(*) FROM outbox"), 2);
	assert_int_equal(db_int(f, "SELECT count(*) FROM outbox WHERE recipient IN "
				   "('+84912000003', '+84912000004')"),
			 2);
	/* Every officer: the configuration's and the registry's, each once. */
	assert_int_equal(fixture_run(f, NULL, 0, RUN_S, NULL, "send", "--to-role", "officer",
				     "Tap huan thu Ba", NULL),
			 0);
	assert_int_equal(db_int(f, "SELECT count(*) FROM outbox WHERE text = 'Tap huan thu Ba'"),
			 3);
	env_free(f);
}

static void
test_send_refused(void **state)
{
	struct fixture *f = env_new(NULL);

	(void)state;
	assert_int_equal(
	    fixture_run(f, NULL, 0, RUN_S, NULL, "send", "--to-role", "mayor", "x", NULL), 2);
	assert_int_equal(fixture_run(f, NULL, 0, RUN_S, NULL, "send", "0912000009", "ab\xff", NULL),
			 2);
	assert_int_equal(fixture_run(f, NULL, 0, RUN_S, NULL, "send", "0912000009", "", NULL), 2);
	assert_int_equal(
	    fixture_run(f, NULL, 0, RUN_S, NULL, "send", "0912000009", "a\x1b[2J", NULL), 2);
	assert_int_equal(fixture_run(f, NULL, 0, RUN_S, NULL, "send", "Viettel", "x", NULL), 1);
	assert_int_equal(
	    fixture_run(f, NULL, 0, RUN_S, NULL, "send", "--to-commune", "Atlantis", "x", NULL), 1);
	/* Nobody is an admin here. */
	assert_int_equal(
	    fixture_run(f, NULL, 0, RUN_S, NULL, "send", "--to-role", "admin", "x", NULL), 1);
	assert_int_equal(fixture_run(f, NULL, 0, RUN_S, NULL, "send", "0912000009", NULL), 2);
	assert_int_equal(db_int(f, "SELECT count(*) FROM outbox"), 0);
	env_free(f);
}

/* The daily cap holds notices back for the next day: one goes out, the
 * other waits, queued. */
static void
test_send_daily_cap(void **state)
{
	struct fixture *f = env_new("senders = { unknown = \"accept\"; };\n"
				    "limits = { daily_cap = 1; };\n");

	(void)state;
	assert_int_equal(fixture_run(f, NULL, 0, RUN_S, NULL, "send", "0912000008", "Mot", NULL),
			 0);
	assert_int_equal(fixture_run(f, NULL, 0, RUN_S, NULL, "send", "0912000009", "Hai", NULL),
			 0);
	assert_int_equal(fixture_run(f, NULL, 0, RUN_S, NULL, "run", "--once", NULL), 0);
	assert_int_equal(db_int(f, "SELECT count(*) FROM outbox WHERE state = 'sent'"), 1);
	assert_int_equal(db_int(f, "SELECT count(*) FROM outbox WHERE state = 'queued'"), 1);
	env_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_send_one_number), cmocka_unit_test(test_send_to_commune),
	    cmocka_unit_test(test_send_to_role),    cmocka_unit_test(test_send_refused),
	    cmocka_unit_test(test_send_daily_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
