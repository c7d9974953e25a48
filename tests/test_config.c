/*
 * test_config.c - config_load() on the shipped configuration and on the
 * fixtures in tests/fixtures/config (one per kind of error).  Run from the
 * root of the repository: the fixtures are found relative to it.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "parser.h"

#define FIX "tests/fixtures/config/"
#define CONTRIB "contrib/tinbao.conf"

static char topdir[PATH_MAX];

static void
dump(const struct config_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		print_message("  %s:%d: %s%s\n", d->v[i].file, d->v[i].line,
			      d->v[i].warning ? "warning: " : "", d->v[i].msg);
}

/* Asserts that d holds a diagnostic at file:line whose message contains msg. */
static void
expect(const struct config_diags *d, const char *file, int line, int warning, const char *msg)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (strcmp(d->v[i].file, file) == 0 && d->v[i].line == line &&
		    d->v[i].warning == warning && strstr(d->v[i].msg, msg) != NULL)
			return;
	}
	dump(d);
	fail_msg("no %s at %s:%d containing \"%s\"", warning ? "warning" : "error", file, line,
		 msg);
}

/* Loads a bad fixture: no config, exactly nerrors errors. */
static void
load_bad(const char *path, struct config_diags *d, size_t nerrors)
{
	struct config *cfg;

	cfg = config_load(path, d);
	if (cfg != NULL || config_diags_errors(d) != nerrors) {
		dump(d);
		config_free(cfg);
		fail_msg("%s: expected %zu errors and no config, got %zu errors", path, nerrors,
			 config_diags_errors(d));
	}
}

static struct config *
load_good(const char *path, struct config_diags *d)
{
	struct config *cfg;

	cfg = config_load(path, d);
	if (cfg == NULL || config_diags_errors(d) != 0) {
		dump(d);
		fail_msg("%s: expected a config without errors", path);
	}
	return cfg;
}

static const struct config_commune *
commune(const struct config *cfg, const char *code)
{
	size_t i;

	for (i = 0; i < cfg->ncommunes; i++) {
		if (strcmp(cfg->communes[i].code, code) == 0)
			return &cfg->communes[i];
	}
	fail_msg("no commune %s", code);
	return NULL;
}

static const struct config_trade *
trade(const struct config *cfg, const char *code)
{
	size_t i;

	for (i = 0; i < cfg->ntrades; i++) {
		if (strcmp(cfg->trades[i].code, code) == 0)
			return &cfg->trades[i];
	}
	fail_msg("no trade %s", code);
	return NULL;
}

static int
has_alias(char *const *aliases, size_t n, const char *alias)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(aliases[i], alias) == 0)
			return 1;
	}
	return 0;
}

/* The shipped configuration ------------------------------------------------ */

static void
test_contrib_settings(void **state)
{
	struct config_diags d = {NULL, 0};
	struct config *cfg;
	size_t i;

	cfg = load_good(CONTRIB, &d);
	/* At most the warning about /etc/tinbao/gammurc on this machine. */
	for (i = 0; i < d.n; i++)
		assert_true(d.v[i].warning);
	assert_true(d.n <= 1);
	assert_string_equal(cfg->path, CONTRIB);
	assert_string_equal(cfg->database, "/var/lib/tinbao/tinbao.db");
	assert_string_equal(cfg->gammurc, "/etc/tinbao/gammurc");
	assert_int_equal(cfg->gammu_section, 0);
	assert_null(cfg->own_number);
	assert_int_equal(cfg->reply_diacritics, 0);
	assert_int_equal(cfg->poll_interval, 2);
	assert_int_equal(cfg->send_retries, 3);
	assert_string_equal(cfg->log_level, "info");
	assert_int_equal(cfg->max_count, 500);
	assert_int_equal(cfg->plan.year, 2022);
	assert_int_equal(cfg->plan.trained_min, 600);
	assert_int_equal(cfg->plan.trained_max, 800);
	assert_int_equal(cfg->plan.labour_trained_pct, 60);
	assert_int_equal(cfg->plan.employed_pct, 80);
	assert_int_equal(cfg->nfillers, 20);
	assert_string_equal(cfg->fillers[0], "xa");
	assert_string_equal(cfg->fillers[1], "thi tran");
	assert_string_equal(cfg->fillers[2], "tt");
	assert_string_equal(cfg->fillers[3], "hv");
	assert_string_equal(cfg->fillers[8], "lop");
	assert_string_equal(cfg->fillers[11], "sl");
	assert_int_equal(cfg->ncourtesy, 19);
	assert_string_equal(cfg->courtesy[0], "bao cao");
	assert_string_equal(cfg->class_pattern, PARSER_DEFAULT_CLASS_PATTERN);
	config_free(cfg);
	config_diags_free(&d);
}

static void
test_contrib_keywords(void **state)
{
	static const char *const forms[PARSER_NKEYWORDS][9] = {
	    [PARSER_ENROL] = {"ENROL", "ENROLL", "DK", "TS", "đăng ký", "đăng kí", "ghi danh",
			      "tuyển sinh"},
	    [PARSER_GRAD] = {"GRAD", "TN", "tốt nghiệp"},
	    [PARSER_JOB] = {"JOB", "VL", "việc làm", "có việc làm"},
	    [PARSER_NEED] = {"NEED", "NC", "nhu cầu"},
	    [PARSER_LABOUR] = {"LABOUR", "LABOR", "LD", "lao động"},
	    [PARSER_STATUS] = {"STATUS", "TK", "thống kê", "tổng hợp"},
	    [PARSER_HELP] = {"HELP", "HD", "?", "hướng dẫn"},
	    [PARSER_CANCEL] = {"CANCEL", "HUY", "hủy bỏ"},
	    [PARSER_KEYWORD_CLASS] = {"CLASS", "LOP"},
	};
	struct config_diags d = {NULL, 0};
	struct config *cfg;
	size_t k, i;

	cfg = load_good(CONTRIB, &d);
	for (k = 0; k < PARSER_NKEYWORDS; k++) {
		for (i = 0; forms[k][i] != NULL; i++) {
			assert_true(i < cfg->nkeywords[k]);
			assert_string_equal(cfg->keywords[k][i], forms[k][i]);
		}
		assert_int_equal(cfg->nkeywords[k], i);
	}
	config_free(cfg);
	config_diags_free(&d);
}

static void
test_contrib_communes(void **state)
{
	struct config_diags d = {NULL, 0};
	const struct config_commune *c;
	struct config *cfg;
	size_t i, ntt = 0;

	cfg = load_good(CONTRIB, &d);
	assert_int_equal(cfg->ncommunes, 24);
	for (i = 0; i < cfg->ncommunes; i++) {
		c = &cfg->communes[i];
		assert_int_equal(strlen(c->code), 5);
		assert_string_equal(c->valid_from, "2020-01-01");
		assert_string_equal(c->valid_to, "2024-11-30");
		if (strcmp(c->type, "tt") == 0)
			ntt++;
	}
	assert_int_equal(ntt, 1);
	c = commune(cfg, "06385");
	assert_string_equal(c->type, "tt");
	assert_string_equal(c->name, "Hữu Lũng");
	c = commune(cfg, "06406");
	assert_string_equal(c->type, "xa");
	assert_string_equal(c->name, "Thiện Tân");
	assert_int_equal(c->naliases, 2);
	assert_string_equal(c->aliases[0], "Thiện Kỵ");
	assert_string_equal(c->aliases[1], "Tân Lập");
	c = commune(cfg, "06433");
	assert_string_equal(c->name, "Vân Nham");
	assert_int_equal(c->naliases, 1);
	assert_string_equal(c->aliases[0], "Đô Lương");
	assert_string_equal(commune(cfg, "06448")->name, "Minh Sơn");
	assert_string_equal(commune(cfg, "06460")->name, "Hòa Thắng");
	assert_int_equal(commune(cfg, "06448")->naliases, 0);
	config_free(cfg);
	config_diags_free(&d);
}

static void
test_contrib_trades(void **state)
{
	struct config_diags d = {NULL, 0};
	const struct config_trade *t;
	struct config *cfg;
	size_t i, nagri = 0;

	cfg = load_good(CONTRIB, &d);
	assert_int_equal(cfg->ntrades, 30);
	for (i = 0; i < cfg->ntrades; i++) {
		t = &cfg->trades[i];
		nagri += t->agricultural;
		assert_true(strcmp(t->level, "D3T") == 0 || strcmp(t->level, "SC") == 0);
		/* "may" is both sewing and rattan: deliberately nobody's alias. */
		assert_false(has_alias(t->aliases, t->naliases, "may"));
	}
	assert_int_equal(nagri, 15);
	t = trade(cfg, "HAN");
	assert_string_equal(t->name, "Hàn điện");
	assert_string_equal(t->level, "D3T");
	assert_int_equal(t->agricultural, 0);
	assert_int_equal(t->naliases, 3);
	assert_string_equal(t->aliases[0], "han");
	assert_string_equal(t->aliases[1], "handien");
	assert_string_equal(t->aliases[2], "thohan");
	t = trade(cfg, "MAYCN");
	assert_string_equal(t->level, "SC");
	assert_string_equal(t->name, "May công nghiệp");
	t = trade(cfg, "CNLON");
	assert_int_equal(t->agricultural, 1);
	assert_true(has_alias(t->aliases, t->naliases, "nuoilon"));
	assert_string_equal(trade(cfg, "BQNS")->name, "Bảo quản, chế biến nông sản");
	config_free(cfg);
	config_diags_free(&d);
}

static void
test_contrib_parser(void **state)
{
	static const char sms[] = "ENROL xã Minh Sơn 35 hàn";
	static const char former[] = "dk xa Do Luong 12 CNLON";
	struct config_diags d = {NULL, 0};
	struct parser_result res;
	struct config *cfg;

	cfg = load_good(CONTRIB, &d);
	assert_non_null(cfg->parser);
	assert_int_equal(parser_ncommunes(cfg->parser), 24);
	assert_int_equal(parser_ntrades(cfg->parser), 30);
	assert_int_equal(parser_max_count(cfg->parser), 500);
	/* Indexes in the parser are the indexes in the config. */
	assert_string_equal(parser_commune_code(cfg->parser, 0), cfg->communes[0].code);
	assert_string_equal(parser_commune_type(cfg->parser, 0), "tt");
	assert_string_equal(parser_commune_name(cfg->parser, 23), cfg->communes[23].name);
	assert_string_equal(parser_trade_code(cfg->parser, 29), cfg->trades[29].code);
	assert_string_equal(parser_trade_name(cfg->parser, 0), "Hàn điện");
	/* The keywords, fillers, communes and trades all reached it. */
	assert_int_equal(parser_parse(cfg->parser, sms, strlen(sms), &res), 0);
	assert_int_equal(res.kind, PARSER_ENROL);
	assert_int_equal(res.nitems, 1);
	assert_string_equal(parser_commune_code(cfg->parser, res.items[0].commune), "06448");
	assert_string_equal(parser_trade_code(cfg->parser, res.items[0].trade), "HAN");
	assert_int_equal(res.items[0].count, 35);
	/* Former names are aliases; "dk" is enrol; trade codes work as words. */
	assert_int_equal(parser_parse(cfg->parser, former, strlen(former), &res), 0);
	assert_int_equal(res.kind, PARSER_ENROL);
	assert_string_equal(parser_commune_code(cfg->parser, res.items[0].commune), "06433");
	assert_string_equal(parser_trade_code(cfg->parser, res.items[0].trade), "CNLON");
	config_free(cfg);
	config_diags_free(&d);
}

/* Valid fixtures ------------------------------------------------------------ */

static void
test_good_defaults(void **state)
{
	struct config_diags d = {NULL, 0};
	struct config *cfg;

	cfg = load_good(FIX "good.conf", &d);
	/* Not even a warning: the gammurc next to it exists. */
	assert_int_equal(d.n, 0);
	assert_string_equal(cfg->path, FIX "good.conf");
	assert_string_equal(cfg->database, FIX "good.db");
	assert_string_equal(cfg->gammurc, FIX "gammurc");
	assert_int_equal(cfg->gammu_section, 0);
	assert_null(cfg->own_number);
	assert_int_equal(cfg->reply_diacritics, 0);
	assert_int_equal(cfg->poll_interval, 2);
	assert_int_equal(cfg->send_retries, 3);
	assert_string_equal(cfg->log_level, "info");
	assert_int_equal(cfg->max_count, PARSER_DEFAULT_MAX_COUNT);
	assert_int_equal(cfg->nfillers, 20);
	assert_string_equal(cfg->fillers[0], "xa");
	assert_string_equal(cfg->fillers[1], "thi tran");
	assert_string_equal(cfg->fillers[2], "tt");
	assert_string_equal(cfg->fillers[6], "lao dong");
	assert_int_equal(cfg->ncourtesy, 19);
	assert_string_equal(cfg->courtesy[13], "nha");
	assert_int_equal(cfg->nkeywords[PARSER_HELP], 2);
	assert_string_equal(cfg->keywords[PARSER_HELP][1], "?");
	/* Keyword kinds newer than the file get their default forms. */
	assert_int_equal(cfg->nkeywords[PARSER_CANCEL], 2);
	assert_string_equal(cfg->keywords[PARSER_CANCEL][1], "HUY");
	assert_int_equal(cfg->nkeywords[PARSER_KEYWORD_CLASS], 2);
	assert_string_equal(cfg->keywords[PARSER_KEYWORD_CLASS][0], "CLASS");
	assert_string_equal(cfg->class_pattern, PARSER_DEFAULT_CLASS_PATTERN);
	assert_int_equal(cfg->plan.trained_max, 20);
	assert_int_equal(cfg->ncommunes, 2);
	assert_int_equal(cfg->communes[0].naliases, 0);
	assert_null(cfg->communes[0].aliases);
	assert_string_equal(cfg->communes[1].aliases[0], "Đô Lương");
	assert_int_equal(cfg->ntrades, 2);
	assert_int_equal(cfg->trades[1].agricultural, 1);
	assert_int_equal(cfg->trades[1].naliases, 0);
	assert_int_equal(parser_ncommunes(cfg->parser), 2);
	assert_int_equal(parser_ntrades(cfg->parser), 2);
	config_free(cfg);
	config_diags_free(&d);
}

/* Without a modems list, the gammu group is the one modem "modem". */
static void
test_modems_legacy(void **state)
{
	struct config_diags d = {NULL, 0};
	struct config *cfg;

	cfg = load_good(FIX "good.conf", &d);
	assert_int_equal(cfg->nmodems, 1);
	assert_string_equal(cfg->modems[0].name, "modem");
	assert_string_equal(cfg->modems[0].gammurc, FIX "gammurc");
	assert_int_equal(cfg->modems[0].section, 0);
	assert_int_equal(cfg->modems[0].send, 1);
	assert_int_equal(cfg->multipart_timeout, 600);
	config_free(cfg);
	config_diags_free(&d);
}

static void
test_modems(void **state)
{
	struct config_diags d = {NULL, 0};
	struct config *cfg;

	cfg = load_good(FIX "modems.conf", &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(cfg->multipart_timeout, 120);
	assert_int_equal(cfg->nmodems, 2);
	assert_string_equal(cfg->modems[0].name, "viettel");
	assert_string_equal(cfg->modems[0].gammurc, FIX "gammurc-two");
	assert_int_equal(cfg->modems[0].section, 0);
	assert_int_equal(cfg->modems[0].send, 1); /* the default */
	assert_string_equal(cfg->modems[1].name, "vina");
	assert_int_equal(cfg->modems[1].section, 1);
	assert_int_equal(cfg->modems[1].send, 0);
	config_free(cfg);
	config_diags_free(&d);
}

static void
test_modems_bad(void **state)
{
	struct config_diags d = {NULL, 0};
	const char *f = FIX "modems-bad.conf";

	load_bad(f, &d, 4);
	expect(&d, f, 28, 0, "duplicate modem name \"a\" (first at line 27)");
	expect(&d, f, 29, 0, "\"name\" must be 1 to 31 letters, digits");
	expect(&d, f, 30, 0, "modem \"d\": " FIX "gammurc has no section [gammu2]");
	expect(&d, f, 32, 0, "\"multipart_timeout\" must be between 10 and 86400");
	expect(&d, f, 26, 1, "no modem has \"send = true\"");
	config_diags_free(&d);
}

static void
test_good_values(void **state)
{
	struct config_diags d = {NULL, 0};
	struct config *cfg;

	cfg = load_good(FIX "values.conf", &d);
	assert_string_equal(cfg->database, ":memory:");
	assert_string_equal(cfg->gammurc, "/nonexistent/tinbao-test/gammurc");
	assert_int_equal(cfg->gammu_section, 2);
	assert_string_equal(cfg->own_number, "+84912345678");
	assert_int_equal(cfg->reply_diacritics, 1);
	assert_int_equal(cfg->poll_interval, 10);
	assert_int_equal(cfg->send_retries, 5);
	assert_string_equal(cfg->log_level, "debug");
	assert_int_equal(cfg->max_count, 1000);
	assert_int_equal(parser_max_count(cfg->parser), 1000);
	assert_int_equal(cfg->nfillers, 3);
	assert_string_equal(cfg->fillers[1], "XÃ");
	/* Forms kept as written, repeats included. */
	assert_int_equal(cfg->nkeywords[PARSER_ENROL], 3);
	assert_string_equal(cfg->keywords[PARSER_ENROL][2], "dk");
	assert_int_equal(cfg->nkeywords[PARSER_CANCEL], 1);
	assert_int_equal(cfg->nkeywords[PARSER_KEYWORD_CLASS], 2);
	assert_string_equal(cfg->keywords[PARSER_KEYWORD_CLASS][1], "KHOA");
	assert_string_equal(parser_keyword_form(cfg->parser, PARSER_CLASS_CLOSE), "LOP");
	assert_string_equal(cfg->class_pattern, "^K[0-9]+$");
	assert_int_equal(parser_class_match(cfg->parser, "k12"), 1);
	assert_int_equal(parser_class_match(cfg->parser, "HL22-05"), 0);
	assert_int_equal(cfg->plan.year, 2023);
	assert_int_equal(cfg->plan.labour_trained_pct, 0);
	assert_int_equal(cfg->plan.employed_pct, 100);
	assert_string_equal(cfg->communes[0].type, "tt");
	assert_int_equal(cfg->communes[0].naliases, 2);
	assert_int_equal(cfg->trades[0].naliases, 0);
	/* The absolute gammurc does not exist: a warning, with its line. */
	assert_int_equal(d.n, 1);
	expect(&d, FIX "values.conf", 3, 1, "/nonexistent/tinbao-test/gammurc");
	config_free(cfg);
	config_diags_free(&d);
}

static void
test_no_gammurc_is_warning(void **state)
{
	struct config_diags d = {NULL, 0};
	struct config *cfg;

	cfg = load_good(FIX "no-gammurc.conf", &d);
	assert_string_equal(cfg->gammurc, FIX "no-such-gammurc");
	assert_int_equal(d.n, 1);
	assert_int_equal(config_diags_errors(&d), 0);
	expect(&d, FIX "no-gammurc.conf", 3, 1, "\"" FIX "no-such-gammurc\"");
	config_free(cfg);
	config_diags_free(&d);
}

static void
test_include(void **state)
{
	struct config_diags d = {NULL, 0};
	struct config *cfg;

	/* libconfig alone would look for include-units.conf in the cwd. */
	cfg = load_good(FIX "include.conf", &d);
	assert_int_equal(d.n, 0);
	assert_string_equal(cfg->database, "/var/tmp/include.db");
	assert_int_equal(cfg->ncommunes, 1);
	assert_string_equal(cfg->communes[0].code, "06448");
	assert_int_equal(cfg->ntrades, 1);
	/* Every file it reads, for the check of who may write them. */
	assert_int_equal(cfg->nfiles, 3);
	assert_string_equal(cfg->files[0], FIX "include.conf");
	assert_string_equal(cfg->files[1], FIX "include-units.conf");
	assert_string_equal(cfg->files[2], FIX "gammurc");
	config_free(cfg);
	config_diags_free(&d);
}

/* A comment cut by a NUL byte on the line of a number (found by
 * fuzz_config): the loader's second look at the number as written stays
 * inside the file's text (ASan saw it read past it). */
static void
test_comment_with_nul(void **state)
{
	static const char text[] = "database = \"x.db\";\nplan = { year /* \0\0 */= 2022; };\n";
	char path[] = "/tmp/tinbao-config-XXXXXX";
	struct config_diags d = {NULL, 0};
	struct config *cfg;
	int fd = mkstemp(path);

	assert_true(fd != -1);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	/* An error or a configuration, either is fine: no read out of bounds. */
	cfg = config_load(path, &d);
	config_free(cfg);
	config_diags_free(&d);
	unlink(path);
}

/* Relative paths ------------------------------------------------------------ */

static int
back_to_top(void **state)
{
	return chdir(topdir);
}

static void
test_paths_dot(void **state)
{
	struct config_diags d = {NULL, 0};
	struct config *cfg;

	cfg = load_good("./" FIX "good.conf", &d);
	assert_string_equal(cfg->database, "./" FIX "good.db");
	assert_string_equal(cfg->gammurc, "./" FIX "gammurc");
	config_free(cfg);
	config_diags_free(&d);
}

static void
test_paths_absolute(void **state)
{
	struct config_diags d = {NULL, 0};
	struct config *cfg;
	char path[PATH_MAX + 64], want[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", topdir, FIX "good.conf");
	snprintf(want, sizeof(want), "%s/%s", topdir, FIX "good.db");
	cfg = load_good(path, &d);
	assert_string_equal(cfg->path, path);
	assert_string_equal(cfg->database, want);
	config_free(cfg);
	config_diags_free(&d);
}

static void
test_paths_cwd(void **state)
{
	struct config_diags d = {NULL, 0};
	struct config *cfg;

	/* A bare file name: the config's directory is the cwd. */
	assert_int_equal(chdir(FIX), 0);
	cfg = load_good("good.conf", &d);
	assert_int_equal(d.n, 0);
	assert_string_equal(cfg->database, "good.db");
	assert_string_equal(cfg->gammurc, "gammurc");
	config_free(cfg);
	config_diags_free(&d);
	/* And an @include is still found. */
	cfg = load_good("include.conf", &d);
	assert_int_equal(cfg->ncommunes, 1);
	config_free(cfg);
	config_diags_free(&d);
}

/* Errors ------------------------------------------------------------------ */

static void
test_missing_file(void **state)
{
	struct config_diags d = {NULL, 0};

	load_bad(FIX "no-such.conf", &d, 1);
	expect(&d, FIX "no-such.conf", 0, 0, "cannot read the file");
	config_diags_free(&d);
}

/* A folder given for the file says so, not "No such file or directory". */
static void
test_directory_file(void **state)
{
	struct config_diags d = {NULL, 0};

	load_bad("tests/fixtures/config", &d, 1);
	expect(&d, "tests/fixtures/config", 0, 0, "is a directory");
	config_diags_free(&d);
}

static void
test_syntax(void **state)
{
	struct config_diags d = {NULL, 0};

	load_bad(FIX "syntax.conf", &d, 1);
	expect(&d, FIX "syntax.conf", 5, 0, "syntax error");
	config_diags_free(&d);
}

static void
test_include_missing(void **state)
{
	struct config_diags d = {NULL, 0};

	load_bad(FIX "include-missing.conf", &d, 1);
	expect(&d, FIX "include-missing.conf", 3, 0, "cannot open include file");
	config_diags_free(&d);
}

static void
test_include_errors(void **state)
{
	struct config_diags d = {NULL, 0};

	/* Each error names the file it is in, as a path that can be opened. */
	load_bad(FIX "include-bad.conf", &d, 2);
	expect(&d, FIX "include-bad-units.conf", 7, 0, "\"level\" must be \"D3T\" or \"SC\"");
	expect(&d, FIX "include-bad.conf", 11, 0, "unknown setting \"extra\"");
	config_diags_free(&d);
}

static void
test_unknown(void **state)
{
	struct config_diags d = {NULL, 0};
	const char *f = FIX "unknown.conf";

	load_bad(f, &d, 6);
	expect(&d, f, 2, 0, "unknown setting \"databse\" (did you mean \"database\"?)");
	expect(&d, f, 3, 0, "unknown setting \"sectoin\" in \"gammu\" (did you mean \"section\"?)");
	expect(&d, f, 7, 0, "unknown setting \"report\" in \"keywords\"");
	expect(&d, f, 12, 0, "unknown setting \"alias\" in \"communes\" entry 1");
	expect(&d, f, 18, 0, "unknown setting \"colour\"");
	/* The misspelt key does not count as the required one. */
	expect(&d, f, 0, 0, "missing required setting \"database\"");
	config_diags_free(&d);
}

static void
test_types(void **state)
{
	struct config_diags d = {NULL, 0};
	const char *f = FIX "type.conf";

	load_bad(f, &d, 13);
	expect(&d, f, 2, 0, "\"database\" must be a string");
	expect(&d, f, 3, 0, "\"section\" must be an integer");
	expect(&d, f, 4, 0, "\"diacritics\" must be true or false");
	expect(&d, f, 5, 0, "\"gateway\" must be a group");
	expect(&d, f, 6, 0, "\"max_count\" must be an integer");
	expect(&d, f, 6, 0, "\"fillers\" must be an array of strings");
	expect(&d, f, 8, 0, "\"enrol\" must be an array of strings");
	expect(&d, f, 9, 0, "\"help\" must contain only strings");
	expect(&d, f, 11, 0, "\"year\" must be an integer");
	expect(&d, f, 14, 0, "\"code\" must be a string");
	expect(&d, f, 14, 0, "\"aliases\" must contain only strings");
	expect(&d, f, 16, 0, "\"communes\" entry 2 must be a group");
	expect(&d, f, 17, 0, "\"trades\" must be a list of groups");
	config_diags_free(&d);
}

/* The sending section: values, and retries replacing send_retries. */
static void
test_sending(void **state)
{
	struct config_diags d = {NULL, 0};
	struct config *cfg;
	const char *f = FIX "sending_ok.conf";

	cfg = load_good(f, &d);
	assert_int_equal(cfg->sending.rate, 10);
	assert_int_equal(cfg->sending.per, 120);
	assert_int_equal(cfg->sending.retries, 7);
	assert_int_equal(cfg->sending.retry_min, 5);
	assert_int_equal(cfg->sending.retry_max, 50);
	assert_int_equal(cfg->sending.delivery_reports, 1);
	assert_int_equal(cfg->sending.ack_timeout, 30);
	expect(&d, f, 4, 1, "\"send_retries\" is ignored: \"sending.retries\" replaces it");
	config_free(cfg);
	config_diags_free(&d);

	f = FIX "sending.conf";
	load_bad(f, &d, 4);
	expect(&d, f, 5, 0, "\"rate\" must be between 1 and 1000 (not 0)");
	expect(&d, f, 5, 0, "\"per\" must be between 1 and 86400 (not 0)");
	expect(&d, f, 6, 0, "\"retry_min\" (600) must not be more than \"retry_max\" (60)");
	expect(&d, f, 8, 0, "\"ack_timeout\" must be between 5 and 600 (not 1)");
	config_diags_free(&d);

	/* The defaults: 6 SMS a minute, retries from gateway.send_retries. */
	cfg = load_good(FIX "good.conf", &d);
	assert_int_equal(cfg->sending.rate, 6);
	assert_int_equal(cfg->sending.per, 60);
	assert_int_equal(cfg->sending.retries, cfg->send_retries);
	assert_int_equal(cfg->sending.retry_min, 30);
	assert_int_equal(cfg->sending.retry_max, 3600);
	assert_int_equal(cfg->sending.delivery_reports, 0);
	assert_int_equal(cfg->sending.ack_timeout, 60);
	config_free(cfg);
	config_diags_free(&d);
}

static void
test_ranges(void **state)
{
	struct config_diags d = {NULL, 0};
	const char *f = FIX "range.conf";

	load_bad(f, &d, 7);
	expect(&d, f, 3, 0, "\"section\" must be at least 0 (not -1)");
	expect(&d, f, 4, 0, "\"poll_interval\" must be between 1 and 3600 (not 0)");
	expect(&d, f, 4, 0, "\"send_retries\" must be between 1 and 20 (not 21)");
	expect(&d, f, 5, 0, "\"max_count\" must be between 1 and 100000 (not 100001)");
	expect(&d, f, 10, 0, "\"year\" must be between");
	expect(&d, f, 11, 0, "\"labour_trained_pct\" must be between 0 and 100 (not -1)");
	expect(&d, f, 12, 0, "\"employed_pct\" must be between 0 and 100 (not 101)");
	config_diags_free(&d);
}

/* libconfig keeps an integer without an L suffix in 32 bits; what was
 * written is checked, in 64 bits, not what wrapped. */
static void
test_ranges_wide(void **state)
{
	struct config_diags d = {NULL, 0};
	const char *f = FIX "range-wide.conf";

	load_bad(f, &d, 5);
	expect(&d, f, 4, 0, "\"poll_interval\" must be between 1 and 3600 (not 4294967297)");
	expect(&d, f, 5, 0, "\"daily_cap\" must be between 0 and 1000000 (not 4294967296)");
	expect(&d, f, 5, 0, "\"identical\" must be between 0 and 100000 (not 4294967299)");
	expect(&d, f, 6, 0, "\"per_sender_hour\" must be between 0 and 100000 (not -4294967295)");
	expect(&d, f, 7, 0,
	       "\"replies_per_day\" must be between 0 and 100000 (not 99999999999999999999)");
	config_diags_free(&d);
}

static void
test_missing(void **state)
{
	struct config_diags d = {NULL, 0};
	const char *f = FIX "missing.conf";

	load_bad(f, &d, 8);
	expect(&d, f, 0, 0, "missing required setting \"database\"");
	expect(&d, f, 3, 0, "missing required setting \"rc\" in \"gammu\"");
	expect(&d, f, 4, 0, "missing required setting \"help\" in \"keywords\"");
	expect(&d, f, 6, 0, "\"status\" must have at least 1 entry");
	expect(&d, f, 8, 0, "missing required setting \"year\" in \"plan\"");
	expect(&d, f, 11, 0, "missing required setting \"name\" in \"communes\" entry 1");
	expect(&d, f, 11, 0, "missing required setting \"valid_to\" in \"communes\" entry 1");
	expect(&d, f, 14, 0, "\"trades\" must have at least 1 entry");
	config_diags_free(&d);
}

static void
test_bad_strings(void **state)
{
	struct config_diags d = {NULL, 0};
	const char *f = FIX "values-bad.conf";

	load_bad(f, &d, 13);
	expect(&d, f, 2, 0, "\"database\" must not be empty");
	expect(&d, f, 4, 0, "\"own_number\" must be an optional \"+\" and 3 to 20 digits");
	expect(&d, f, 5, 0,
	       "\"level\" must be \"debug\", \"info\" or \"warning\", not \"verbose\"");
	expect(&d, f, 7, 0, "\"enrol\" must not be empty");
	expect(&d, f, 8, 0, "\"help\" form \"DANG-KY-HOC-NGHE\" has more than 3 words");
	expect(&d, f, 13, 0, "\"code\" must be the 5-digit GSO code, not \"6448\"");
	expect(&d, f, 13, 0, "\"type\" must be \"xa\" (xã) or \"tt\" (thị trấn), not \"xã\"");
	expect(&d, f, 14, 0, "\"aliases\" value is too long (134 bytes, at most 128)");
	expect(&d, f, 15, 0, "\"valid_from\" must be a date \"YYYY-MM-DD\", not \"2020-02-30\"");
	expect(&d, f, 15, 0, "\"valid_to\" must be a date");
	expect(&d, f, 18, 0, "\"code\" must be 1 to 16 ASCII letters or digits, not \"HÀN\"");
	expect(&d, f, 18, 0, "\"level\" must be \"D3T\" or \"SC\", not \"d3t\"");
	expect(&d, f, 18, 0, "\"name\" must not be empty");
	config_diags_free(&d);
}

static void
test_not_utf8(void **state)
{
	struct config_diags d = {NULL, 0};

	assert_null(config_load(FIX "not-utf8.conf", &d));
	expect(&d, FIX "not-utf8.conf", 5, 0, "\"name\" value is not valid UTF-8");
	config_diags_free(&d);
}

static void
test_duplicate_commune(void **state)
{
	struct config_diags d = {NULL, 0};

	load_bad(FIX "dup-commune.conf", &d, 1);
	expect(&d, FIX "dup-commune.conf", 15, 0,
	       "duplicate commune code \"06448\" (first at line 11)");
	config_diags_free(&d);
}

static void
test_duplicate_trade(void **state)
{
	struct config_diags d = {NULL, 0};

	load_bad(FIX "dup-trade.conf", &d, 1);
	expect(&d, FIX "dup-trade.conf", 17, 0, "duplicate trade code \"HAN\" (first at line 15)");
	config_diags_free(&d);
}

static void
test_keyword_twice(void **state)
{
	struct config_diags d = {NULL, 0};
	const char *f = FIX "keyword-twice.conf";

	load_bad(f, &d, 3);
	expect(&d, f, 7, 0, "keyword form \"TN\" is used for both grad (line 6) and job");
	/* Compared folded: "ld" is "LD". */
	expect(&d, f, 9, 0, "keyword form \"ld\" is used for both need (line 8) and labour");
	/* Punctuation-only forms compared as written. */
	expect(&d, f, 11, 0, "keyword form \"?\" is used for both status (line 10) and help");
	config_diags_free(&d);
}

/* Class codes must never be taken for a commune or a trade. */
static void
test_class_pattern(void **state)
{
	struct config_diags d = {NULL, 0};
	const char *f = FIX "class-bad.conf";

	load_bad(f, &d, 1);
	expect(&d, f, 3, 0,
	       "\"class_pattern\" \"([A-Z]\" is not a POSIX extended regular expression: ");
	config_diags_free(&d);

	f = FIX "class-collide.conf";
	load_bad(f, &d, 9);
	expect(&d, f, 17, 0,
	       "name \"Minh Sơn\" of commune 06448 \"Minh Sơn\" matches the class code pattern "
	       "\"^[a-z]+[0-9]*$\": a class code must never look like a commune or a trade");
	expect(&d, f, 19, 0, "name \"Vân Nham\" of commune 06433");
	expect(&d, f, 19, 0, "alias \"Đô Lương\" of commune 06433");
	expect(&d, f, 23, 0, "code \"HAN\" of trade HAN");
	expect(&d, f, 23, 0, "name \"Hàn điện\" of trade HAN");
	expect(&d, f, 24, 0, "alias \"thohan\" of trade HAN");
	expect(&d, f, 25, 0, "code \"CNLON\" of trade CNLON");
	config_diags_free(&d);

	/* The default pattern, not in the file: the unit's line says it. */
	f = FIX "class-code.conf";
	load_bad(f, &d, 1);
	expect(&d, f, 24, 0,
	       "code \"HL221\" of trade HL221 \"Kỹ thuật chăn nuôi lợn\" matches the class code "
	       "pattern \"" PARSER_DEFAULT_CLASS_PATTERN "\"");
	config_diags_free(&d);
}

/* The keyword kinds a file may lack get default forms, which must be free. */
static void
test_keyword_defaults(void **state)
{
	struct config_diags d = {NULL, 0};
	struct parser_result res;
	struct config *cfg;
	const char *f = FIX "keyword-default.conf";

	load_bad(f, &d, 1);
	expect(&d, f, 4, 0,
	       "default keyword form \"HUY\" of cancel is another kind's: give \"cancel\" its own "
	       "forms");
	config_diags_free(&d);
	cfg = load_good(FIX "good.conf", &d);
	assert_int_equal(parser_parse(cfg->parser, "HUY #3", 6, &res), 0);
	assert_int_equal(res.items[0].kind, PARSER_CANCEL);
	assert_int_equal(res.items[0].ref, 3);
	assert_int_equal(parser_parse(cfg->parser, "LOP MO HL22-05 Minh Son han 20", 30, &res), 0);
	assert_int_equal(res.items[0].kind, PARSER_CLASS_OPEN);
	config_free(cfg);
	config_diags_free(&d);
}

static void
test_alias_two_communes(void **state)
{
	struct config_diags d = {NULL, 0};
	const char *f = FIX "alias-commune.conf";

	load_bad(f, &d, 2);
	expect(&d, f, 14, 0,
	       "alias \"do luong\" of commune 06448 \"Minh Sơn\" folds to \"doluong\", like "
	       "alias \"Đô Lương\" of commune 06433 \"Vân Nham\" (line 11)");
	expect(&d, f, 16, 0,
	       "alias \"06433\" of commune 06457 \"Minh Hòa\" folds to \"06433\", like code "
	       "\"06433\" of commune 06433 \"Vân Nham\" (line 11)");
	config_diags_free(&d);
}

static void
test_alias_two_trades(void **state)
{
	struct config_diags d = {NULL, 0};
	const char *f = FIX "alias-trade.conf";

	load_bad(f, &d, 2);
	expect(&d, f, 17, 0,
	       "alias \"maycn\" of trade MTD \"Mây tre đan\" folds to \"maycn\", like code "
	       "\"MAYCN\" of trade MAYCN \"May công nghiệp\" (line 15)");
	expect(&d, f, 18, 0,
	       "name \"MÁY CÔNG NGHIỆP\" of trade MAY2 \"MÁY CÔNG NGHIỆP\" folds to "
	       "\"maycongnghiep\", like name \"May công nghiệp\"");
	config_diags_free(&d);
}

static void
test_empty_fold(void **state)
{
	struct config_diags d = {NULL, 0};
	const char *f = FIX "empty-fold.conf";

	/* "?" for help is fine; these are not. */
	load_bad(f, &d, 3);
	expect(&d, f, 4, 0, "\"fillers\" value \"...\" has no letter or digit");
	expect(&d, f, 12, 0, "\"aliases\" value \"!!!\" has no letter or digit");
	expect(&d, f, 16, 0, "\"name\" value \"(-)\" has no letter or digit");
	config_diags_free(&d);
}

/* One plan per year, each found by its year; the newest is cfg->plan. */
static void
test_plans_per_year(void **state)
{
	struct config_diags d = {NULL, 0};
	const struct config_plan *p;
	struct config *cfg;

	(void)state;
	cfg = load_good(FIX "plans.conf", &d);
	assert_int_equal(cfg->nplans, 3);
	p = config_plan_for(cfg, 2023);
	assert_non_null(p);
	assert_int_equal(p->trained_min, 650);
	assert_int_equal(p->employed_pct, 82);
	assert_int_equal(config_plan_for(cfg, 2024)->trained_max, 900);
	assert_null(config_plan_for(cfg, 2025));
	assert_int_equal(cfg->plan.year, 2024);
	config_free(cfg);
	config_diags_free(&d);
	/* A single group is one year's plan; the shipped file has one block. */
	cfg = load_good(FIX "good.conf", &d);
	assert_int_equal(cfg->nplans, 1);
	assert_int_equal(config_plan_for(cfg, 2022)->trained_min, 10);
	config_free(cfg);
	config_diags_free(&d);
	cfg = load_good(CONTRIB, &d);
	assert_int_equal(cfg->nplans, 1);
	assert_int_equal(config_plan_for(cfg, 2022)->trained_min, 600);
	config_free(cfg);
	config_diags_free(&d);

	load_bad(FIX "plans-bad.conf", &d, 2);
	expect(&d, FIX "plans-bad.conf", 11, 0,
	       "a second plan for 2022: one plan per year (a new year is a new block)");
	expect(&d, FIX "plans-bad.conf", 13, 0, "\"plan\" entry 3 must be a group { ... }");
	config_diags_free(&d);
}

static void
test_dates_and_plan(void **state)
{
	struct config_diags d = {NULL, 0};
	const char *f = FIX "dates.conf";

	load_bad(f, &d, 2);
	expect(&d, f, 10, 0,
	       "\"trained_min\" (800) must not be greater than \"trained_max\" (600)");
	expect(&d, f, 15, 0, "\"valid_to\" 2024-11-30 is before \"valid_from\" 2024-12-01");
	config_diags_free(&d);
}

static void
test_many_errors(void **state)
{
	struct config_diags d = {NULL, 0};
	const char *f = FIX "many.conf";
	size_t i;

	load_bad(f, &d, 6);
	expect(&d, f, 2, 0, "unknown setting \"databse\"");
	expect(&d, f, 0, 0, "missing required setting \"database\"");
	expect(&d, f, 4, 0, "\"poll_interval\" must be between 1 and 3600");
	expect(&d, f, 5, 0, "\"max_count\" must be an integer");
	expect(&d, f, 8, 0, "keyword form \"ENROL\" is used for both enrol (line 7) and help");
	expect(&d, f, 15, 0, "duplicate commune code \"06448\" (first at line 13)");
	/* In line order, whatever the order they were found in. */
	for (i = 1; i < d.n; i++)
		assert_true(d.v[i - 1].line <= d.v[i].line);
	config_diags_free(&d);
}

/* The diagnostics API -------------------------------------------------------- */

static void
test_diags_api(void **state)
{
	struct config_diags d = {NULL, 0};
	struct config *cfg;

	config_free(NULL);
	config_diags_free(NULL);
	assert_int_equal(config_diags_errors(NULL), 0);
	/* Without diags, only the result tells. */
	assert_null(config_load(FIX "many.conf", NULL));
	cfg = config_load(FIX "good.conf", NULL);
	assert_non_null(cfg);
	config_free(cfg);
	/* Diagnostics accumulate over several loads. */
	assert_null(config_load(FIX "syntax.conf", &d));
	assert_null(config_load(FIX "dup-trade.conf", &d));
	cfg = config_load(FIX "no-gammurc.conf", &d);
	assert_non_null(cfg);
	config_free(cfg);
	assert_int_equal(d.n, 3);
	assert_int_equal(config_diags_errors(&d), 2);
	expect(&d, FIX "syntax.conf", 5, 0, "syntax error");
	config_diags_free(&d);
	assert_null(d.v);
	assert_int_equal(d.n, 0);
	config_diags_free(&d);
}

/* The modem's checks and the balance: defaults, and errors. */
static void
test_modem_checks_balance(void **state)
{
	struct config_diags d = {NULL, 0};
	struct config *cfg;
	const char *f = FIX "modem-bad.conf", *t = FIX "topup-bad.conf";

	cfg = load_good(FIX "good.conf", &d);
	assert_int_equal(cfg->modem_checks.interval, 300);
	assert_int_equal(cfg->modem_checks.network_lost_alert, 600);
	assert_true(cfg->balance.enabled);
	assert_string_equal(cfg->balance.code, "*101#");
	assert_string_equal(cfg->balance.pattern, CONFIG_BALANCE_PATTERN);
	assert_string_equal(cfg->balance.topup_code, "*100*%s#");
	assert_int_equal(cfg->balance.interval, 86400);
	assert_int_equal(cfg->balance.threshold, 0);
	config_free(cfg);
	config_diags_free(&d);

	load_bad(f, &d, 5);
	expect(&d, f, 4, 0, "\"interval\" must be between 1 and 86400 (not 0)");
	expect(&d, f, 4, 0, "\"network_lost_alert\" must be between 0 and");
	expect(&d, f, 5, 0, "\"code\" must be a USSD code");
	expect(&d, f, 5, 0, "\"pattern\" \"([0-9]+\" is not a POSIX extended regular expression");
	expect(&d, f, 5, 0, "\"threshold\" must be between 0 and");
	config_diags_free(&d);
	load_bad(t, &d, 1);
	expect(&d, t, 4, 0, "\"topup_code\" must be a USSD code with exactly one %s");
	config_diags_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_contrib_settings),
	    cmocka_unit_test(test_comment_with_nul),
	    cmocka_unit_test(test_modem_checks_balance),
	    cmocka_unit_test(test_contrib_keywords),
	    cmocka_unit_test(test_contrib_communes),
	    cmocka_unit_test(test_contrib_trades),
	    cmocka_unit_test(test_contrib_parser),
	    cmocka_unit_test(test_good_defaults),
	    cmocka_unit_test(test_modems_legacy),
	    cmocka_unit_test(test_modems),
	    cmocka_unit_test(test_modems_bad),
	    cmocka_unit_test(test_good_values),
	    cmocka_unit_test(test_no_gammurc_is_warning),
	    cmocka_unit_test(test_include),
	    cmocka_unit_test(test_paths_dot),
	    cmocka_unit_test(test_paths_absolute),
	    cmocka_unit_test_teardown(test_paths_cwd, back_to_top),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_directory_file),
	    cmocka_unit_test(test_syntax),
	    cmocka_unit_test(test_include_missing),
	    cmocka_unit_test(test_include_errors),
	    cmocka_unit_test(test_unknown),
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_ranges),
	    cmocka_unit_test(test_ranges_wide),
	    cmocka_unit_test(test_sending),
	    cmocka_unit_test(test_missing),
	    cmocka_unit_test(test_bad_strings),
	    cmocka_unit_test(test_not_utf8),
	    cmocka_unit_test(test_duplicate_commune),
	    cmocka_unit_test(test_duplicate_trade),
	    cmocka_unit_test(test_keyword_twice),
	    cmocka_unit_test(test_class_pattern),
	    cmocka_unit_test(test_keyword_defaults),
	    cmocka_unit_test(test_alias_two_communes),
	    cmocka_unit_test(test_alias_two_trades),
	    cmocka_unit_test(test_empty_fold),
	    cmocka_unit_test(test_dates_and_plan),
	    cmocka_unit_test(test_plans_per_year),
	    cmocka_unit_test(test_many_errors),
	    cmocka_unit_test(test_diags_api),
	};

	if (getcwd(topdir, sizeof(topdir)) == NULL) {
		perror("getcwd");
		return 1;
	}
	if (access(CONTRIB, R_OK) == -1) {
		fprintf(stderr, "test_config: run from the root of the repository\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
