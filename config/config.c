/*
 * config.c - see config.h.
 *
 * Loading is done in three passes over the libconfig tree:
 *
 *  1. structure: every group is walked against a table of its known keys
 *     (type, range, required or not) and the values are copied into struct
 *     config.  Unknown keys are errors: a misspelt setting silently taking
 *     its default is the worst kind of configuration bug.
 *  2. cross-checks, which need several settings at once: duplicate codes,
 *     folded forms naming two units, keyword forms used for two kinds,
 *     validity dates, plan bounds, whether the gammurc exists.
 *  3. when there was no error, the parser is built from struct config.
 *
 * Every problem is recorded with its file and line and loading carries on,
 * so that one run of check-config lists them all.  Values that fail a check
 * are still stored; the config is thrown away at the end anyway.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <libconfig.h>
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "parser.h"

#define TEXT_MAX 128 /* bytes in a name, alias, keyword form or filler */
#define FOLD_MAX 512 /* folding never makes a text longer */
#define CODE_MAX 16  /* characters in a trade code */
#define MSG_MAX 1024

struct loader {
	const char *path;
	char *dir; /* path up to its last '/', or NULL */
	struct config_diags *diags;
	size_t nerrors;
	struct config *cfg;
	/* The text of the last file an integer was read again from, and the
	 * start of the last line looked up in it (settings come in file order:
	 * the next one is found from there). */
	char *text_file, *text;
	const char *line_at;
	unsigned int line;
};

enum key_type { K_STRING, K_INT, K_LONG, K_BOOL, K_STRINGS, K_GROUP, K_LIST };

/*
 * One known setting of a group.  off (and noff, for arrays and lists: where
 * the number of entries goes) locate the value in the struct being filled:
 * struct config for the top level and its groups, struct config_commune or
 * struct config_trade for the entries of a list.
 */
struct key {
	const char *name;
	enum key_type type;
	int required;
	long min, max; /* K_INT, K_LONG: range; K_STRINGS, K_LIST: least entries */
	size_t off, noff;
	/* Extra check of a string, or of each string of an array. */
	int (*check)(struct loader *, const config_setting_t *, const char *);
	const struct key *sub; /* K_GROUP, K_LIST: the keys inside */
	size_t size;	       /* K_LIST: size of one entry */
	int one;	       /* K_LIST: a single group stands for a list of one */
};

/* A folded form, to find two units (or kinds) answering to the same word. */
struct form {
	char folded[FOLD_MAX];
	const char *text;
	const char *role;	   /* "code", "name", "alias", or a keyword kind */
	const config_setting_t *s; /* where it is written */
	const config_setting_t *g; /* the group of its unit */
	size_t unit;
};

struct forms {
	struct form *v;
	size_t n, size;
};

/* The keyword kinds, as the "keywords" group names them. */
static const char *const kind_names[PARSER_NKEYWORDS] = {
    "enrol", "grad", "job", "need", "labour", "status", "help", "cancel", "class",
};

static const char *const default_fillers[] = {
    "xa",
    "thi tran",
    "tt",
    "hv",
    "hoc vien",
    "nguoi",
    "lao dong",
    "nghe",
    "lop",
    "ngay",
    "so luong",
    "sl",
    "tong",
    "tong so",
    "hoc nghe",
    "co",
    "dao tao",
    "da dao tao",
    "da qua dao tao",
    "bao cao",
};

static const char *const default_courtesy[] = {
    "bao cao", "bc",	    "xin chao", "chao",	      "kinh gui", "cam on", "xin cam on",
    "thanks",  "thank you", "tks",	"tran trong", "a",	  "nhe",    "nha",
    "em",      "da",	    "xin",	"gui",	      "ok",
};

/* The keyword kinds a file may leave out (it was written before them). */
static const char *const default_cancel[] = {"CANCEL", "HUY", NULL};
static const char *const default_class[] = {"CLASS", "LOP", NULL};

static void vreport(struct loader *, const char *, int, int, const char *, va_list)
    __attribute__((format(printf, 5, 0)));
static void report(struct loader *, const config_setting_t *, int, const char *, ...)
    __attribute__((format(printf, 4, 5)));
static void diag_at(struct loader *, const char *, int, const char *, ...)
    __attribute__((format(printf, 4, 5)));

_Static_assert(PARSER_NKEYWORDS == sizeof(((struct config *)0)->nkeywords) / sizeof(size_t),
	       "struct config has one keyword array per keyword kind");

/* Diagnostics ----------------------------------------------------------- */

/*
 * libconfig gives the name of an @included file as it was written, while it
 * opened it relative to the include directory (the config's directory): the
 * same is done here so that the file in a message can be opened.
 */
static void
file_name(struct loader *l, const char *file, char *buf, size_t size)
{
	if (file == NULL)
		file = l->path;
	if (file[0] == '/' || l->dir == NULL || strcmp(file, l->path) == 0)
		snprintf(buf, size, "%s", file);
	else
		snprintf(buf, size, "%s%s", l->dir, file);
}

static void
vreport(struct loader *l, const char *file, int line, int warning, const char *fmt, va_list ap)
{
	struct config_diags *d = l->diags;
	struct config_diag *v;
	char msg[MSG_MAX], name[PATH_MAX];

	if (!warning)
		l->nerrors++;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	file_name(l, file, name, sizeof(name));
	v = reallocarray(d->v, d->n + 1, sizeof(*v));
	if (v == NULL)
		return;
	d->v = v;
	v += d->n;
	v->file = strdup(name);
	v->msg = strdup(msg);
	v->line = line;
	v->warning = warning;
	if (v->file == NULL || v->msg == NULL) {
		free(v->file);
		free(v->msg);
		return;
	}
	d->n++;
}

/* Reports a problem at setting s (or about the whole file when s is NULL). */
static void
report(struct loader *l, const config_setting_t *s, int warning, const char *fmt, ...)
{
	va_list ap;
	const char *file = NULL;
	int line = 0;

	if (s != NULL) {
		file = config_setting_source_file(s);
		line = (int)config_setting_source_line(s);
	}
	va_start(ap, fmt);
	vreport(l, file, line, warning, fmt, ap);
	va_end(ap);
}

/* Reports an error at file:line (libconfig's syntax errors). */
static void
diag_at(struct loader *l, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(l, file, line, 0, fmt, ap);
	va_end(ap);
}

/* "line 40", or "other.conf:40" when ref is in another file than s. */
static void
where(struct loader *l, const config_setting_t *s, const config_setting_t *ref, char *buf,
      size_t size)
{
	const char *a = config_setting_source_file(s), *b = config_setting_source_file(ref);
	char name[PATH_MAX];

	if (a != NULL && b != NULL && strcmp(a, b) != 0) {
		file_name(l, b, name, sizeof(name));
		snprintf(buf, size, "%s:%d", name, (int)config_setting_source_line(ref));
	} else
		snprintf(buf, size, "line %d", (int)config_setting_source_line(ref));
}

/* The name of setting s, or of the array or list it is an entry of. */
static const char *
label(const config_setting_t *s)
{
	while (s != NULL && config_setting_name(s) == NULL)
		s = config_setting_parent(s);
	if (s == NULL || config_setting_name(s) == NULL)
		return "?";
	return config_setting_name(s);
}

/* Where group g is, for messages: "", ` in "gammu"`, ` in "communes" entry 3`. */
static void
group_name(const config_setting_t *g, char *buf, size_t size)
{
	if (config_setting_is_root(g))
		buf[0] = '\0';
	else if (config_setting_name(g) != NULL)
		snprintf(buf, size, " in \"%s\"", config_setting_name(g));
	else
		snprintf(buf, size, " in \"%s\" entry %d", label(g), config_setting_index(g) + 1);
}

static char *
copy(struct loader *l, const char *s)
{
	char *p;

	p = strdup(s);
	if (p == NULL)
		report(l, NULL, 0, "out of memory");
	return p;
}

/* String checks ---------------------------------------------------------- */

static int
check_nonempty(struct loader *l, const config_setting_t *s, const char *v)
{
	if (v[0] != '\0')
		return 0;
	report(l, s, 0, "\"%s\" must not be empty", label(s));
	return -1;
}

/* Short, valid UTF-8: anything that ends up in the parser or in replies. */
static int
check_utf8(struct loader *l, const config_setting_t *s, const char *v)
{
	if (check_nonempty(l, s, v) == -1)
		return -1;
	if (strlen(v) > TEXT_MAX) {
		report(l, s, 0, "\"%s\" value is too long (%zu bytes, at most %d)", label(s),
		       strlen(v), TEXT_MAX);
		return -1;
	}
	if (!parser_utf8_valid(v, strlen(v))) {
		report(l, s, 0, "\"%s\" value is not valid UTF-8 (save the file as UTF-8)",
		       label(s));
		return -1;
	}
	return 0;
}

/* Anything matched in messages: its folded form must not be empty. */
static int
check_text(struct loader *l, const config_setting_t *s, const char *v)
{
	char folded[FOLD_MAX];

	if (check_utf8(l, s, v) == -1)
		return -1;
	if (parser_fold(v, strlen(v), folded, sizeof(folded), 1) == 0) {
		report(l, s, 0, "\"%s\" value \"%s\" has no letter or digit a message could match",
		       label(s), v);
		return -1;
	}
	return 0;
}

/*
 * Keyword forms may be punctuation only ("?" for help): the parser compares
 * those as written.  They have at most PARSER_KEYWORD_WORDS words, also once
 * folded ("DANG-KY" is two).
 */
static int
check_keyword(struct loader *l, const config_setting_t *s, const char *v)
{
	char folded[FOLD_MAX];
	size_t i, words = 1;

	if (check_utf8(l, s, v) == -1)
		return -1;
	parser_fold(v, strlen(v), folded, sizeof(folded), 0);
	for (i = 0; folded[i] != '\0'; i++)
		words += folded[i] == ' ';
	if (words > PARSER_KEYWORD_WORDS) {
		report(l, s, 0, "\"%s\" form \"%s\" has more than %d words", label(s), v,
		       PARSER_KEYWORD_WORDS);
		return -1;
	}
	return 0;
}

/* The class code pattern: a POSIX extended regular expression, compiled as
 * the parser compiles it (whether it collides with a name is pass 3's). */
static int
check_pattern(struct loader *l, const config_setting_t *s, const char *v)
{
	char err[256];
	regex_t re;
	int rc;

	if (check_utf8(l, s, v) == -1)
		return -1;
	rc = regcomp(&re, v, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc != 0) {
		regerror(rc, &re, err, sizeof(err));
		report(l, s, 0, "\"%s\" \"%s\" is not a POSIX extended regular expression: %s",
		       label(s), v, err);
		return -1;
	}
	regfree(&re);
	return 0;
}

static int
check_phone(struct loader *l, const config_setting_t *s, const char *v)
{
	size_t n;

	n = strspn(v + (v[0] == '+'), "0123456789");
	if (v[(v[0] == '+') + n] == '\0' && n >= 3 && n <= 20)
		return 0;
	report(l, s, 0, "\"%s\" must be an optional \"+\" and 3 to 20 digits, not \"%s\"", label(s),
	       v);
	return -1;
}

static int
one_of(struct loader *l, const config_setting_t *s, const char *v, const char *const *words,
       const char *wanted)
{
	for (; *words != NULL; words++) {
		if (strcmp(v, *words) == 0)
			return 0;
	}
	report(l, s, 0, "\"%s\" must be %s, not \"%s\"", label(s), wanted, v);
	return -1;
}

static int
check_level(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"debug", "info", "warning", NULL};

	return one_of(l, s, v, w, "\"debug\", \"info\" or \"warning\"");
}

static int
check_unknown_policy(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"reject", "quarantine", "accept", NULL};

	return one_of(l, s, v, w, "\"reject\", \"quarantine\" or \"accept\"");
}

static int
check_commune_policy(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"reject", "warn", NULL};

	return one_of(l, s, v, w, "\"reject\" or \"warn\"");
}

static int
check_type(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"xa", "tt", NULL};

	return one_of(l, s, v, w, "\"xa\" (xã) or \"tt\" (thị trấn)");
}

static int
check_course(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"D3T", "SC", NULL};

	return one_of(l, s, v, w, "\"D3T\" or \"SC\"");
}

static int
check_gso(struct loader *l, const config_setting_t *s, const char *v)
{
	if (strlen(v) == 5 && strspn(v, "0123456789") == 5)
		return 0;
	report(l, s, 0, "\"%s\" must be the 5-digit GSO code, not \"%s\"", label(s), v);
	return -1;
}

static int
check_code(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				    "0123456789";
	size_t n = strlen(v);

	if (n >= 1 && n <= CODE_MAX && strspn(v, alnum) == n)
		return 0;
	report(l, s, 0, "\"%s\" must be 1 to %d ASCII letters or digits, not \"%s\"", label(s),
	       CODE_MAX, v);
	return -1;
}

static int
is_date(const char *v)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (strlen(v) != 10 || v[4] != '-' || v[7] != '-' || strspn(v, "0123456789") != 4 ||
	    strspn(v + 5, "0123456789") != 2 || strspn(v + 8, "0123456789") != 2)
		return 0;
	y = atoi(v);
	m = atoi(v + 5);
	d = atoi(v + 8);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	/* 29 February only in leap years. */
	if (m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)))
		return 0;
	return 1;
}

static int
check_date(struct loader *l, const config_setting_t *s, const char *v)
{
	if (is_date(v))
		return 0;
	report(l, s, 0, "\"%s\" must be a date \"YYYY-MM-DD\", not \"%s\"", label(s), v);
	return -1;
}

static int
check_format(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"json", "dhis2", NULL};

	return one_of(l, s, v, w, "\"json\" or \"dhis2\"");
}

static int
check_scheme(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"Bearer", "ApiToken", NULL};

	return one_of(l, s, v, w, "\"Bearer\" or \"ApiToken\"");
}

static int
check_dhis2_kind(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"enrol", "grad", "job", "need", "labour", "trained", NULL};

	return one_of(l, s, v, w,
		      "\"enrol\", \"grad\", \"job\", \"need\", \"labour\" or \"trained\"");
}

/* Goes into a header or a JSON body: printable ASCII, bounded. */
static int
check_printable(struct loader *l, const config_setting_t *s, const char *v, size_t max)
{
	size_t i, n = strlen(v);

	if (n == 0 || n > max) {
		report(l, s, 0, "\"%s\" must have 1 to %zu characters", label(s), max);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (v[i] <= ' ' || v[i] > '~' || v[i] == '"' || v[i] == '\\') {
			report(l, s, 0, "\"%s\" must be printable ASCII without spaces or quotes",
			       label(s));
			return -1;
		}
	}
	return 0;
}

static int
check_url(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const loopback[] = {"127.0.0.1", "localhost", "[::1]", NULL};
	const char *host = v + 7;
	size_t i, n;

	if (check_printable(l, s, v, 1024) == -1)
		return -1;
	if (strncmp(v, "https://", 8) == 0 && v[8] != '\0' && v[8] != '/')
		return 0;
	/* Plain HTTP would show the token to the network: loopback only. */
	if (strncmp(v, "http://", 7) == 0) {
		for (i = 0; loopback[i] != NULL; i++) {
			n = strlen(loopback[i]);
			if (strncmp(host, loopback[i], n) == 0 &&
			    (host[n] == ':' || host[n] == '/' || host[n] == '\0'))
				return 0;
		}
	}
	report(l, s, 0,
	       "\"%s\" must be an https:// URL (http:// only to 127.0.0.1 or localhost), "
	       "not \"%s\"",
	       label(s), v);
	return -1;
}

static int
check_gateway_id(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char ok[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
	size_t n = strlen(v);

	if (n >= 1 && n <= 64 && strspn(v, ok) == n)
		return 0;
	report(l, s, 0, "\"%s\" must be 1 to 64 ASCII letters, digits, '.', '_' or '-', not \"%s\"",
	       label(s), v);
	return -1;
}

static int
check_dhis2_code(struct loader *l, const config_setting_t *s, const char *v)
{
	return check_printable(l, s, v, 50);
}

/* "HH:MM", 00:00 to 23:59: the minutes after midnight, or -1. */
static int
hhmm(const char *v)
{
	int h, m;

	if (strlen(v) != 5 || v[2] != ':' || strspn(v, "0123456789") != 2 ||
	    strspn(v + 3, "0123456789") != 2)
		return -1;
	h = atoi(v);
	m = atoi(v + 3);
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

static int
check_hhmm(struct loader *l, const config_setting_t *s, const char *v)
{
	if (hhmm(v) != -1)
		return 0;
	report(l, s, 0, "\"%s\" must be a time \"HH:MM\" (00:00 to 23:59), not \"%s\"", label(s),
	       v);
	return -1;
}

static const char *const weekdays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static int
check_weekday(struct loader *l, const config_setting_t *s, const char *v)
{
	return one_of(l, s, v, weekdays,
		      "\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\" or \"sun\"");
}

static int
check_schedule(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"daily", "weekly", NULL};

	return one_of(l, s, v, w, "\"daily\" or \"weekly\"");
}

/* "MM-DD", a day every year has (no 29 February): month * 100 + day, or -1. */
static int
mmdd(const char *v)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int m, d;

	if (strlen(v) != 5 || v[2] != '-' || strspn(v, "0123456789") != 2 ||
	    strspn(v + 3, "0123456789") != 2)
		return -1;
	m = atoi(v);
	d = atoi(v + 3);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	return m * 100 + d;
}

static int
check_mmdd(struct loader *l, const config_setting_t *s, const char *v)
{
	if (mmdd(v) != -1)
		return 0;
	report(l, s, 0,
	       "\"%s\" must be a day \"MM-DD\" of every year (not 29 February), not \"%s\"",
	       label(s), v);
	return -1;
}

static int
check_modem_name(struct loader *l, const config_setting_t *s, const char *v)
{
	size_t n = strlen(v);

	if (n >= 1 && n <= CONFIG_MODEM_NAME_MAX &&
	    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n)
		return 0;
	report(l, s, 0,
	       "\"%s\" must be 1 to %d letters, digits, '_' or '-' (\"viettel\", \"modem-2\"), "
	       "not \"%s\"",
	       label(s), CONFIG_MODEM_NAME_MAX, v);
	return -1;
}

/* A USSD code: digits, '*' and '#', ending in '#'. */
static int
check_ussd_code(struct loader *l, const config_setting_t *s, const char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && n <= 40 && strspn(v, "0123456789*#") == n && v[n - 1] == '#')
		return 0;
	report(l, s, 0, "\"%s\" must be a USSD code (digits, * and #, ending in #), not \"%s\"",
	       label(s), v);
	return -1;
}

/* The top-up code: a USSD code with exactly one "%s" where the PIN goes. */
static int
check_topup_code(struct loader *l, const config_setting_t *s, const char *v)
{
	const char *p = strstr(v, "%s");
	size_t n = strlen(v);
	int ok;

	ok = p != NULL && strstr(p + 2, "%s") == NULL && n <= 40 && v[n - 1] == '#';
	for (; ok && *v != '\0'; v++)
		if (v != p && v != p + 1 && strchr("0123456789*#", *v) == NULL)
			ok = 0;
	if (ok)
		return 0;
	report(l, s, 0,
	       "\"%s\" must be a USSD code with exactly one %%s where the PIN goes "
	       "(e.g. \"*100*%%s#\")",
	       label(s));
	return -1;
}

/* The balance pattern: compiled now, so that a bad one fails the load. */
static int
check_balance_pattern(struct loader *l, const config_setting_t *s, const char *v)
{
	char err[256];
	regex_t re;
	int rc;

	if (check_utf8(l, s, v) == -1)
		return -1;
	rc = regcomp(&re, v, REG_EXTENDED | REG_ICASE);
	if (rc != 0) {
		regerror(rc, &re, err, sizeof(err));
		report(l, s, 0, "\"%s\" \"%s\" is not a POSIX extended regular expression: %s",
		       label(s), v, err);
		return -1;
	}
	regfree(&re);
	return 0;
}

/* The schema -------------------------------------------------------------- */

/*
 * Table entries, one per line.  req: required; lo..hi: the range of an
 * integer, or the least number of entries of an array or list.  Kept out of
 * clang-format, which would bin-pack the tables.
 */
/* clang-format off */
#define KSTR(n, req, f, chk) {.name = n, .type = K_STRING, .required = req, .off = f, .check = chk}
#define KINT(n, req, lo, hi, f)                                                                    \
	{.name = n, .type = K_INT, .required = req, .min = lo, .max = hi, .off = f}
#define KLONG(n, req, lo, hi, f)                                                                   \
	{.name = n, .type = K_LONG, .required = req, .min = lo, .max = hi, .off = f}
#define KBOOL(n, req, f) {.name = n, .type = K_BOOL, .required = req, .off = f}
#define KSTRS(n, req, lo, f, nf, chk)                                                              \
	{.name = n, .type = K_STRINGS, .required = req, .min = lo, .off = f, .noff = nf, .check = chk}
#define KGROUP(n, req, keys) {.name = n, .type = K_GROUP, .required = req, .sub = keys}
#define KLIST(n, keys, elem, f, nf)                                                                \
	{.name = n, .type = K_LIST, .required = 1, .min = 1, .off = f, .noff = nf, .sub = keys,    \
	 .size = sizeof(elem)}
#define KLIST_OPT(n, keys, elem, f, nf)                                                            \
	{.name = n, .type = K_LIST, .required = 0, .min = 1, .off = f, .noff = nf, .sub = keys,    \
	 .size = sizeof(elem)}
#define KLIST_ONE(n, keys, elem, f, nf)                                                            \
	{.name = n, .type = K_LIST, .required = 1, .min = 1, .off = f, .noff = nf, .sub = keys,    \
	 .size = sizeof(elem), .one = 1}
#define KEND {.name = NULL}

#define OFF(f) offsetof(struct config, f)
#define POFF(f) offsetof(struct config_plan, f)
#define KEYWORDS(n, kind) KSTRS(n, 1, 1, OFF(keywords[kind]), OFF(nkeywords[kind]), check_keyword)
#define KEYWORDS_OPT(n, kind)                                                                      \
	KSTRS(n, 0, 1, OFF(keywords[kind]), OFF(nkeywords[kind]), check_keyword)
#define COFF(f) offsetof(struct config_commune, f)
#define TOFF(f) offsetof(struct config_trade, f)

static const struct key gammu_keys[] = {
	KSTR("rc", 1, OFF(gammurc), check_nonempty),
	KINT("section", 0, 0, INT_MAX, OFF(gammu_section)),
	KEND,
};

#define MOFF(f) offsetof(struct config_modem, f)

static const struct key modem_keys[] = {
	KSTR("name", 1, MOFF(name), check_modem_name),
	KSTR("rc", 0, MOFF(gammurc), check_nonempty),
	KINT("section", 0, 0, 1000, MOFF(section)),
	KBOOL("send", 0, MOFF(send)),
	KEND,
};

static const struct key reply_keys[] = {
	KBOOL("diacritics", 0, OFF(reply_diacritics)),
	KEND,
};

static const struct key gateway_keys[] = {
	KINT("poll_interval", 0, 1, 3600, OFF(poll_interval)),
	KINT("send_retries", 0, 1, 20, OFF(send_retries)),
	KINT("multipart_timeout", 0, 10, 86400, OFF(multipart_timeout)),
	KEND,
};

static const struct key sending_keys[] = {
	KINT("rate", 0, 1, 1000, OFF(sending.rate)),
	KINT("per", 0, 1, 86400, OFF(sending.per)),
	KINT("retries", 0, 1, 20, OFF(sending.retries)),
	KINT("retry_min", 0, 1, 86400, OFF(sending.retry_min)),
	KINT("retry_max", 0, 1, 7 * 86400, OFF(sending.retry_max)),
	KBOOL("delivery_reports", 0, OFF(sending.delivery_reports)),
	KINT("ack_timeout", 0, 5, 600, OFF(sending.ack_timeout)),
	KEND,
};

static const struct key log_keys[] = {
	KSTR("level", 0, OFF(log_level), check_level),
	KEND,
};

static const struct key parser_keys[] = {
	KLONG("max_count", 0, 1, 100000, OFF(max_count)),
	KSTRS("fillers", 0, 0, OFF(fillers), OFF(nfillers), check_text),
	KSTRS("courtesy", 0, 0, OFF(courtesy), OFF(ncourtesy), check_text),
	KSTR("class_pattern", 0, OFF(class_pattern), check_pattern),
	KEND,
};

/* In enum parser_kind order, like kind_names. */
static const struct key keyword_keys[] = {
	KEYWORDS("enrol", PARSER_ENROL),
	KEYWORDS("grad", PARSER_GRAD),
	KEYWORDS("job", PARSER_JOB),
	KEYWORDS("need", PARSER_NEED),
	KEYWORDS("labour", PARSER_LABOUR),
	KEYWORDS("status", PARSER_STATUS),
	KEYWORDS("help", PARSER_HELP),
	KEYWORDS_OPT("cancel", PARSER_CANCEL),
	KEYWORDS_OPT("class", PARSER_KEYWORD_CLASS),
	KEND,
};

static const struct key plan_keys[] = {
	KINT("year", 1, 2000, 2100, POFF(year)),
	KINT("trained_min", 1, 0, 10000000, POFF(trained_min)),
	KINT("trained_max", 1, 0, 10000000, POFF(trained_max)),
	KINT("labour_trained_pct", 1, 0, 100, POFF(labour_trained_pct)),
	KINT("employed_pct", 1, 0, 100, POFF(employed_pct)),
	KEND,
};

static const struct key commune_keys[] = {
	KSTR("code", 1, COFF(code), check_gso),
	KSTR("type", 1, COFF(type), check_type),
	KSTR("name", 1, COFF(name), check_text),
	KSTRS("aliases", 0, 0, COFF(aliases), COFF(naliases), check_text),
	KSTR("valid_from", 1, COFF(valid_from), check_date),
	KSTR("valid_to", 1, COFF(valid_to), check_date),
	KSTRS("officers", 0, 0, COFF(officers), COFF(nofficers), check_phone),
	KINT("plan_trained", 0, 1, 10000000, COFF(plan_trained)),
	KEND,
};

static const struct key trade_keys[] = {
	KSTR("code", 1, TOFF(code), check_code),
	KSTR("level", 1, TOFF(level), check_course),
	KBOOL("agricultural", 1, TOFF(agricultural)),
	KSTR("name", 1, TOFF(name), check_text),
	KSTRS("aliases", 0, 0, TOFF(aliases), TOFF(naliases), check_text),
	KEND,
};

#define UOFF(f) offsetof(struct config_org_unit, f)
#define EOFF(f) offsetof(struct config_data_element, f)

static const struct key org_unit_keys[] = {
	KSTR("commune", 1, UOFF(commune), check_gso),
	KSTR("org_unit", 1, UOFF(org_unit), check_dhis2_code),
	KEND,
};

static const struct key data_element_keys[] = {
	KSTR("kind", 1, EOFF(kind), check_dhis2_kind),
	KSTR("trade", 0, EOFF(trade), check_code),
	KSTR("data_element", 1, EOFF(data_element), check_dhis2_code),
	KSTR("category_option_combo", 1, EOFF(category_option_combo), check_dhis2_code),
	KEND,
};

static const struct key dhis2_keys[] = {
	KSTR("data_set", 1, OFF(push.data_set), check_dhis2_code),
	KLIST("org_units", org_unit_keys, struct config_org_unit, OFF(push.org_units),
	      OFF(push.norg_units)),
	KLIST("data_elements", data_element_keys, struct config_data_element,
	      OFF(push.data_elements), OFF(push.ndata_elements)),
	KEND,
};

static const struct key push_keys[] = {
	KSTR("url", 1, OFF(push.url), check_url),
	KSTR("format", 0, OFF(push.format), check_format),
	KSTR("gateway_id", 1, OFF(push.gateway_id), check_gateway_id),
	KSTR("token_file", 1, OFF(push.token_file), check_nonempty),
	KSTR("auth_scheme", 0, OFF(push.auth_scheme), check_scheme),
	KSTR("ca_file", 0, OFF(push.ca_file), check_nonempty),
	KINT("batch", 0, 1, 10000, OFF(push.batch)),
	KINT("timeout_ms", 0, 100, 600000, OFF(push.timeout_ms)),
	KINT("connect_timeout_ms", 0, 100, 600000, OFF(push.connect_timeout_ms)),
	KINT("retry_min_ms", 0, 10, 3600000, OFF(push.retry_min_ms)),
	KINT("retry_max_ms", 0, 10, 86400000, OFF(push.retry_max_ms)),
	KINT("status_interval", 0, 0, 86400, OFF(push.status_interval)),
	KGROUP("dhis2", 0, dhis2_keys),
	KEND,
};

static const struct key digest_keys[] = {
	KSTRS("recipients", 1, 1, OFF(digest.recipients), OFF(digest.nrecipients), check_phone),
	KSTR("schedule", 0, OFF(digest.schedule), check_schedule),
	KSTR("time", 0, OFF(digest.time), check_hhmm),
	KSTRS("days", 0, 1, OFF(digest.days), OFF(digest.ndays), check_weekday),
	KBOOL("diacritics", 0, OFF(digest.diacritics)),
	KINT("silent_days", 0, 1, 366, OFF(digest.silent_days)),
	KEND,
};

static const struct key reminders_keys[] = {
	KBOOL("enabled", 0, OFF(reminders.enabled)),
	KSTRS("deadlines", 0, 1, OFF(reminders.deadlines), OFF(reminders.ndeadlines), check_mmdd),
	KINT("days_before", 0, 0, 90, OFF(reminders.days_before)),
	KEND,
};

static const struct key scheduled_keys[] = {
	KSTR("quiet_from", 0, OFF(scheduled.quiet_from), check_hhmm),
	KSTR("quiet_to", 0, OFF(scheduled.quiet_to), check_hhmm),
	KINT("max_per_day", 0, 1, 100, OFF(scheduled.max_per_day)),
	KEND,
};

static const struct key classes_keys[] = {
	KSTRS("senders", 0, 1, OFF(class_senders), OFF(nclass_senders), check_phone),
	KEND,
};

static const struct key modem_checks_keys[] = {
	KINT("interval", 0, 1, 86400, OFF(modem_checks.interval)),
	KINT("network_lost_alert", 0, 0, 7 * 86400, OFF(modem_checks.network_lost_alert)),
	KINT("record_every", 0, 1, 86400, OFF(modem_checks.record_every)),
	KINT("keep_days", 0, 1, 3660, OFF(modem_checks.keep_days)),
	KEND,
};

static const struct key balance_keys[] = {
	KBOOL("enabled", 0, OFF(balance.enabled)),
	KSTR("code", 0, OFF(balance.code), check_ussd_code),
	KINT("interval", 0, 1, 30 * 86400, OFF(balance.interval)),
	KSTR("pattern", 0, OFF(balance.pattern), check_balance_pattern),
	KLONG("threshold", 0, 0, 1000000000L, OFF(balance.threshold)),
	KSTR("topup_code", 0, OFF(balance.topup_code), check_topup_code),
	KINT("timeout", 0, 1, 180, OFF(balance.timeout)),
	KEND,
};

static const struct key senders_keys[] = {
	KSTR("unknown", 0, OFF(senders.unknown), check_unknown_policy),
	KSTR("other_commune", 0, OFF(senders.other_commune), check_commune_policy),
	KEND,
};

static const struct key limits_keys[] = {
	KINT("per_sender_hour", 0, 0, 100000, OFF(limits.per_sender_hour)),
	KINT("replies_per_day", 0, 0, 100000, OFF(limits.replies_per_day)),
	KINT("identical", 0, 0, 100000, OFF(limits.identical)),
	KINT("daily_cap", 0, 0, 1000000, OFF(limits.daily_cap)),
	KEND,
};

static const struct key backup_keys[] = {
	KSTR("dir", 1, OFF(backup.dir), check_nonempty),
	KINT("keep", 0, 1, 365, OFF(backup.keep)),
	KINT("hour", 0, 0, 23, OFF(backup.hour)),
	KEND,
};

/* The report's CSV field separator: "," for machines, ";" for the list
 * separator of a Vietnamese-locale Excel. */
static int
check_separator(struct loader *l, const config_setting_t *s, const char *v)
{
	if (strcmp(v, ",") == 0 || strcmp(v, ";") == 0)
		return 0;
	report(l, s, 0, "\"%s\" must be \",\" or \";\", not \"%s\"", label(s), v);
	return -1;
}

#define ROFF(f) OFF(report.f)
static const struct key report_keys[] = {
	KSTR("dir", 0, ROFF(dir), check_nonempty),
	KSTR("csv_separator", 0, ROFF(csv_separator), check_separator),
	KSTR("parent_agency", 0, ROFF(parent_agency), check_utf8),
	KSTR("agency", 0, ROFF(agency), check_utf8),
	KSTR("agency_short", 0, ROFF(agency_short), check_utf8),
	KSTR("place", 0, ROFF(place), check_utf8),
	KSTRS("recipients", 0, 0, ROFF(recipients), ROFF(nrecipients), check_utf8),
	KSTR("signer_authority", 0, ROFF(signer_authority), check_utf8),
	KSTR("signer_title", 0, ROFF(signer_title), check_utf8),
	KSTR("signer_name", 0, ROFF(signer_name), check_utf8),
	KEND,
};

static const struct key top_keys[] = {
	KSTR("database", 1, OFF(database), check_nonempty),
	KGROUP("gammu", 1, gammu_keys),
	KLIST_OPT("modems", modem_keys, struct config_modem, OFF(modems), OFF(nmodems)),
	KSTR("own_number", 0, OFF(own_number), check_phone),
	KSTR("user", 0, OFF(user), check_nonempty),
	KGROUP("reply", 0, reply_keys),
	KGROUP("gateway", 0, gateway_keys),
	KGROUP("sending", 0, sending_keys),
	KGROUP("log", 0, log_keys),
	KGROUP("parser", 0, parser_keys),
	KGROUP("keywords", 1, keyword_keys),
	KLIST_ONE("plan", plan_keys, struct config_plan, OFF(plans), OFF(nplans)),
	KLIST("communes", commune_keys, struct config_commune, OFF(communes), OFF(ncommunes)),
	KLIST("trades", trade_keys, struct config_trade, OFF(trades), OFF(ntrades)),
	KGROUP("push", 0, push_keys),
	KGROUP("digest", 0, digest_keys),
	KGROUP("reminders", 0, reminders_keys),
	KGROUP("scheduled", 0, scheduled_keys),
	KGROUP("classes", 0, classes_keys),
	KSTRS("admins", 0, 1, OFF(admins), OFF(nadmins), check_phone),
	KGROUP("modem_checks", 0, modem_checks_keys),
	KGROUP("balance", 0, balance_keys),
	KGROUP("senders", 0, senders_keys),
	KGROUP("limits", 0, limits_keys),
	KGROUP("backup", 0, backup_keys),
	KGROUP("report", 0, report_keys),
	KEND,
};
/* clang-format on */

/* Pass 1: structure -------------------------------------------------------- */

static void load_group(struct loader *, const config_setting_t *, const struct key *, void *);

/* Edit distance of two short names, to suggest a key for a misspelt one. */
static int
distance(const char *a, const char *b)
{
	int d[33], prev, old, best;
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > 32 || lb > 32)
		return INT_MAX;
	for (j = 0; j <= lb; j++)
		d[j] = (int)j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			old = d[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (d[j] + 1 < best)
				best = d[j] + 1;
			if (d[j - 1] + 1 < best)
				best = d[j - 1] + 1;
			d[j] = best;
			prev = old;
		}
	}
	return d[lb];
}

static void
unknown_key(struct loader *l, const config_setting_t *g, const config_setting_t *s,
	    const struct key *keys)
{
	const struct key *k, *near = NULL;
	char in[128];
	int d, best = 3;

	for (k = keys; k->name != NULL; k++) {
		d = distance(config_setting_name(s), k->name);
		/* Only a near miss: "foo" is not a typo of "log". */
		if (d < best && 2 * d < (int)strlen(config_setting_name(s))) {
			best = d;
			near = k;
		}
	}
	group_name(g, in, sizeof(in));
	if (near != NULL)
		report(l, s, 0, "unknown setting \"%s\"%s (did you mean \"%s\"?)",
		       config_setting_name(s), in, near->name);
	else
		report(l, s, 0, "unknown setting \"%s\"%s", config_setting_name(s), in);
}

static void
load_string(struct loader *l, const config_setting_t *s, const struct key *k, char **dst)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		report(l, s, 0, "\"%s\" must be a string (in double quotes)", k->name);
		return;
	}
	v = config_setting_get_string(s);
	if (k->check != NULL)
		k->check(l, s, v);
	free(*dst);
	*dst = copy(l, v);
}

/* The whole text of the file a setting is in (cached), or NULL. */
static const char *
file_text(struct loader *l, const char *file)
{
	char name[PATH_MAX];
	FILE *f;
	long size;

	file_name(l, file, name, sizeof(name));
	if (l->text_file != NULL && strcmp(l->text_file, name) == 0)
		return l->text;
	free(l->text_file);
	free(l->text);
	l->text_file = strdup(name);
	l->text = NULL;
	l->line_at = NULL;
	l->line = 0;
	f = fopen(name, "r");
	if (l->text_file == NULL || f == NULL) {
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		l->text = malloc((size_t)size + 1);
		if (l->text != NULL && fread(l->text, 1, (size_t)size, f) == (size_t)size) {
			l->text[size] = '\0';
		} else {
			free(l->text);
			l->text = NULL;
		}
	}
	fclose(f);
	return l->text;
}

/* The start of line `line` (from 1) of l->text, or NULL. */
static const char *
line_start(struct loader *l, unsigned int line)
{
	const char *p = l->text;
	unsigned int i = 1;

	if (l->line_at != NULL && l->line <= line) {
		p = l->line_at;
		i = l->line;
	}
	for (; i < line && p != NULL; i++) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	if (p != NULL) {
		l->line_at = p;
		l->line = line;
	}
	return p;
}

/* Past white space and comments (#, //, slash-star). */
static const char *
skip_blank(const char *p)
{
	for (;;) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			p = strstr(p + 2, "*/");
			if (p == NULL)
				return "";
			p += 2;
		} else {
			return p;
		}
	}
}

static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '*';
}

/*
 * libconfig before 1.7 keeps an integer written without an L suffix in 32
 * bits: 4294967296 becomes 0 ("no cap"), 4294967297 becomes 1.  The value
 * written is read again from the file, as a 64-bit number, so that the range
 * check sees it.  *v is left alone when the literal cannot be found (the
 * value libconfig gives is then right: it did not wrap).  0, or -1 when the
 * literal is too large even for 64 bits (*lit and *litlen then point at it).
 */
static int
literal_int64(struct loader *l, const config_setting_t *s, long long *v, const char **lit,
	      int *litlen)
{
	const char *name = config_setting_name(s), *file = config_setting_source_file(s);
	const char *text, *p, *q, *eol;
	unsigned int line = config_setting_source_line(s);
	unsigned long long u;
	long long got = config_setting_get_int64(s), x;
	size_t len;
	char *end;
	int neg;

	if (name == NULL || line == 0 || config_setting_type(s) != CONFIG_TYPE_INT)
		return 0;
	text = file_text(l, file);
	if (text == NULL)
		return 0;
	p = line_start(l, line);
	if (p == NULL)
		return 0;
	eol = p + strcspn(p, "\n");
	len = strlen(name);
	/* Several settings of that name may share the line: the one whose 32
	 * bits are what libconfig kept. */
	for (q = p; (q = strstr(q, name)) != NULL && q < eol; q += len) {
		if ((q > p && name_char(q[-1])) || name_char(q[len]))
			continue;
		q = skip_blank(q + len);
		if (*q != '=' && *q != ':')
			continue;
		q = skip_blank(q + 1);
		neg = *q == '-';
		if (*q == '-' || *q == '+')
			q++;
		if (*q < '0' || *q > '9')
			continue;
		errno = 0;
		if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
			u = strtoull(q + 2, &end, 16);
		else
			u = strtoull(q, &end, 10);
		if (*end == '.' || *end == 'e' || *end == 'E')
			continue; /* a float */
		if (errno == ERANGE ||
		    u > (unsigned long long)LLONG_MAX + (unsigned long long)neg) {
			*lit = q - neg;
			*litlen = (int)(end - *lit);
			return -1;
		}
		x = neg ? (long long)(0ULL - u) : (long long)u;
		if ((uint32_t)(unsigned long long)x == (uint32_t)(unsigned long long)got) {
			*v = x;
			return 0;
		}
	}
	return 0;
}

static int
load_number(struct loader *l, const config_setting_t *s, const struct key *k, long *v)
{
	long long n;
	const char *lit;
	int litlen;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		report(l, s, 0, "\"%s\" must be an integer", k->name);
		return -1;
	}
	n = config_setting_get_int64(s);
	if (literal_int64(l, s, &n, &lit, &litlen) == -1) {
		report(l, s, 0, "\"%s\" must be between %ld and %ld (not %.*s)", k->name, k->min,
		       k->max, litlen, lit);
		return -1;
	}
	if (n < k->min || n > k->max) {
		if (k->max == INT_MAX)
			report(l, s, 0, "\"%s\" must be at least %ld (not %lld)", k->name, k->min,
			       n);
		else
			report(l, s, 0, "\"%s\" must be between %ld and %ld (not %lld)", k->name,
			       k->min, k->max, n);
		return -1;
	}
	*v = (long)n;
	return 0;
}

static void
load_bool(struct loader *l, const config_setting_t *s, const struct key *k, int *dst)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		report(l, s, 0, "\"%s\" must be true or false", k->name);
		return;
	}
	*dst = config_setting_get_bool(s) != 0;
}

/* An array (or list) of strings; entries that are not strings are left out. */
static void
load_strings(struct loader *l, const config_setting_t *s, const struct key *k, char ***vp,
	     size_t *np)
{
	const config_setting_t *e;
	char **v;
	int i, n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		report(l, s, 0, "\"%s\" must be an array of strings: [ \"...\", \"...\" ]",
		       k->name);
		return;
	}
	n = config_setting_length(s);
	if (n < k->min)
		report(l, s, 0, "\"%s\" must have at least %ld entry", k->name, k->min);
	if (n == 0)
		return;
	v = calloc((size_t)n, sizeof(*v));
	if (v == NULL) {
		report(l, s, 0, "out of memory");
		return;
	}
	*vp = v;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			report(l, e, 0, "\"%s\" must contain only strings", k->name);
			continue;
		}
		if (k->check != NULL)
			k->check(l, e, config_setting_get_string(e));
		v[*np] = copy(l, config_setting_get_string(e));
		if (v[*np] != NULL)
			(*np)++;
	}
}

/* A list of groups, one struct of k->size bytes per entry. */
static void
load_list(struct loader *l, const config_setting_t *s, const struct key *k, void **vp, size_t *np)
{
	const config_setting_t *e;
	char *v;
	int i, n;

	if (k->one && config_setting_is_group(s)) {
		v = calloc(1, k->size);
		if (v == NULL) {
			report(l, s, 0, "out of memory");
			return;
		}
		*vp = v;
		*np = 1;
		load_group(l, s, k->sub, v);
		return;
	}
	if (!config_setting_is_list(s)) {
		report(l, s, 0, "\"%s\" must be a list of groups: ( { ... }, { ... } )%s", k->name,
		       k->one ? ", or one group { ... }" : "");
		return;
	}
	n = config_setting_length(s);
	if (n < k->min)
		report(l, s, 0, "\"%s\" must have at least %ld entry", k->name, k->min);
	if (n == 0)
		return;
	v = calloc((size_t)n, k->size);
	if (v == NULL) {
		report(l, s, 0, "out of memory");
		return;
	}
	/* Entries keep their index in the file, so that passes 2 and 3 can
	 * find an entry's settings (and lines) again. */
	*vp = v;
	*np = (size_t)n;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (!config_setting_is_group(e)) {
			report(l, e, 0, "\"%s\" entry %d must be a group { ... }", k->name, i + 1);
			continue;
		}
		load_group(l, e, k->sub, v + (size_t)i * k->size);
	}
}

static void
load_value(struct loader *l, const config_setting_t *s, const struct key *k, void *base)
{
	void *dst = (char *)base + k->off, *ndst = (char *)base + k->noff;
	long n;

	switch (k->type) {
	case K_STRING:
		load_string(l, s, k, dst);
		break;
	case K_INT:
		if (load_number(l, s, k, &n) == 0)
			*(int *)dst = (int)n;
		break;
	case K_LONG:
		load_number(l, s, k, dst);
		break;
	case K_BOOL:
		load_bool(l, s, k, dst);
		break;
	case K_STRINGS:
		load_strings(l, s, k, dst, ndst);
		break;
	case K_GROUP:
		if (!config_setting_is_group(s))
			report(l, s, 0, "\"%s\" must be a group: %s = { ... };", k->name, k->name);
		else
			load_group(l, s, k->sub, base);
		break;
	case K_LIST:
		load_list(l, s, k, dst, ndst);
		break;
	}
}

/* Walks the settings of group g in file order, then looks for missing ones. */
static void
load_group(struct loader *l, const config_setting_t *g, const struct key *keys, void *base)
{
	const config_setting_t *s;
	const struct key *k;
	char in[128];
	int i, n;

	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(g, (unsigned int)i);
		for (k = keys; k->name != NULL; k++) {
			if (strcmp(k->name, config_setting_name(s)) == 0)
				break;
		}
		if (k->name == NULL)
			unknown_key(l, g, s, keys);
		else
			load_value(l, s, k, base);
	}
	for (k = keys; k->name != NULL; k++) {
		if (!k->required || config_setting_get_member(g, k->name) != NULL)
			continue;
		group_name(g, in, sizeof(in));
		/* A missing top-level key is about the whole file: no line. */
		report(l, config_setting_is_root(g) ? NULL : g, 0,
		       "missing required setting \"%s\"%s", k->name, in);
	}
}

/* Pass 2: cross-checks ---------------------------------------------------- */

/* The member called name of group g when it is a string, or NULL. */
static const config_setting_t *
string_member(const config_setting_t *g, const char *name)
{
	const config_setting_t *s;

	if (g == NULL || !config_setting_is_group(g))
		return NULL;
	s = config_setting_get_member(g, name);
	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_STRING)
		return NULL;
	return s;
}

static const char *
member_string(const config_setting_t *g, const char *name)
{
	const config_setting_t *s;

	s = string_member(g, name);
	return s != NULL ? config_setting_get_string(s) : NULL;
}

/* "commune 06433 "Vân Nham"", from the group of the unit. */
static void
unit_label(const config_setting_t *g, const char *what, char *buf, size_t size)
{
	const char *code = member_string(g, "code"), *name = member_string(g, "name");

	snprintf(buf, size, "%s %s \"%s\"", what, code != NULL ? code : "?",
		 name != NULL ? name : "?");
}

static int
forms_grow(struct loader *l, struct forms *f)
{
	struct form *v;
	size_t size;

	if (f->n < f->size)
		return 0;
	size = f->size == 0 ? 64 : f->size * 2;
	v = reallocarray(f->v, size, sizeof(*v));
	if (v == NULL) {
		report(l, NULL, 0, "out of memory");
		return -1;
	}
	f->v = v;
	f->size = size;
	return 0;
}

/*
 * Adds the form written at setting s (of unit number unit, whose group is g)
 * unless another unit of the same class already answers to it.
 */
static void
add_form(struct loader *l, struct forms *f, const config_setting_t *g, const config_setting_t *s,
	 size_t unit, const char *role, const char *what)
{
	const struct form *o;
	struct form *nf;
	char a[256], b[256], at[PATH_MAX + 16];
	const char *text;
	size_t i;

	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_STRING || forms_grow(l, f) == -1)
		return;
	text = config_setting_get_string(s);
	nf = &f->v[f->n];
	/* Empty forms were reported by the checks of pass 1. */
	if (parser_fold(text, strlen(text), nf->folded, sizeof(nf->folded), 1) == 0)
		return;
	for (i = 0; i < f->n; i++) {
		o = &f->v[i];
		if (strcmp(o->folded, nf->folded) != 0)
			continue;
		if (o->unit == unit)
			return;
		/* The same code twice is reported as a duplicate code. */
		if (strcmp(role, "code") == 0 && strcmp(o->role, "code") == 0 &&
		    strcmp(o->text, text) == 0)
			return;
		unit_label(g, what, a, sizeof(a));
		unit_label(o->g, what, b, sizeof(b));
		where(l, s, o->s, at, sizeof(at));
		report(l, s, 0, "%s \"%s\" of %s folds to \"%s\", like %s \"%s\" of %s (%s)", role,
		       text, a, nf->folded, o->role, o->text, b, at);
		return;
	}
	nf->text = text;
	nf->role = role;
	nf->s = s;
	nf->g = g;
	nf->unit = unit;
	f->n++;
}

static void
check_code_twice(struct loader *l, const config_setting_t *list, int i, const char *what)
{
	const config_setting_t *s, *o;
	char at[PATH_MAX + 16];
	int j;

	s = string_member(config_setting_get_elem(list, (unsigned int)i), "code");
	if (s == NULL)
		return;
	for (j = 0; j < i; j++) {
		o = string_member(config_setting_get_elem(list, (unsigned int)j), "code");
		if (o == NULL ||
		    strcmp(config_setting_get_string(s), config_setting_get_string(o)) != 0)
			continue;
		where(l, s, o, at, sizeof(at));
		report(l, s, 0, "duplicate %s code \"%s\" (first at %s)", what,
		       config_setting_get_string(s), at);
		return;
	}
}

/*
 * Codes, names and aliases of communes (or of trades) all match on their
 * folded, space-less form: two units answering to the same word would make
 * every message using it ambiguous, so it is an error here rather than a
 * surprise in the field.
 */
static void
check_units(struct loader *l, const config_t *cf, const char *list, const char *what)
{
	const config_setting_t *ls, *g, *a;
	struct forms f = {0};
	int i, j, n;

	ls = config_lookup(cf, list);
	if (ls == NULL || !config_setting_is_list(ls))
		return;
	n = config_setting_length(ls);
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(ls, (unsigned int)i);
		if (!config_setting_is_group(g))
			continue;
		check_code_twice(l, ls, i, what);
		add_form(l, &f, g, config_setting_get_member(g, "code"), (size_t)i, "code", what);
		add_form(l, &f, g, config_setting_get_member(g, "name"), (size_t)i, "name", what);
		a = config_setting_get_member(g, "aliases");
		if (a == NULL || !config_setting_is_aggregate(a))
			continue;
		for (j = 0; j < config_setting_length(a); j++)
			add_form(l, &f, g, config_setting_get_elem(a, (unsigned int)j), (size_t)i,
				 "alias", what);
	}
	free(f.v);
}

/* How keyword forms are compared: folded, or as written when that is empty
 * ("?"), which is also how the parser has to match them. */
static void
keyword_key(const char *text, char *buf, size_t size)
{
	if (parser_fold(text, strlen(text), buf, size, 1) == 0)
		snprintf(buf, size, "%s", text);
}

static void
add_keyword(struct loader *l, struct forms *f, const config_setting_t *s, size_t kind)
{
	const struct form *o;
	struct form *nf;
	char at[PATH_MAX + 16];
	size_t i;

	if (config_setting_type(s) != CONFIG_TYPE_STRING || forms_grow(l, f) == -1)
		return;
	nf = &f->v[f->n];
	nf->text = config_setting_get_string(s);
	keyword_key(nf->text, nf->folded, sizeof(nf->folded));
	for (i = 0; i < f->n; i++) {
		o = &f->v[i];
		if (strcmp(o->folded, nf->folded) != 0)
			continue;
		/* Twice for the same kind is harmless. */
		if (o->unit != kind) {
			where(l, s, o->s, at, sizeof(at));
			report(l, s, 0, "keyword form \"%s\" is used for both %s (%s) and %s",
			       nf->text, kind_names[o->unit], at, kind_names[kind]);
		}
		return;
	}
	nf->role = kind_names[kind];
	nf->s = s;
	nf->g = NULL;
	nf->unit = kind;
	f->n++;
}

/* The first word of a message decides its kind: a form for two kinds would
 * make one of them unreachable. */
static void
check_keywords(struct loader *l, const config_t *cf)
{
	const config_setting_t *g, *a;
	struct forms f = {0};
	size_t k;
	int i;

	g = config_lookup(cf, "keywords");
	if (g == NULL || !config_setting_is_group(g))
		return;
	for (k = 0; k < PARSER_NKEYWORDS; k++) {
		a = config_setting_get_member(g, kind_names[k]);
		if (a == NULL || !config_setting_is_aggregate(a))
			continue;
		for (i = 0; i < config_setting_length(a); i++)
			add_keyword(l, &f, config_setting_get_elem(a, (unsigned int)i), k);
	}
	free(f.v);
}

static void
check_dates(struct loader *l, const config_t *cf)
{
	const config_setting_t *ls, *g;
	const char *from, *to;
	int i;

	ls = config_lookup(cf, "communes");
	if (ls == NULL || !config_setting_is_list(ls))
		return;
	for (i = 0; i < config_setting_length(ls); i++) {
		g = config_setting_get_elem(ls, (unsigned int)i);
		if (!config_setting_is_group(g))
			continue;
		from = member_string(g, "valid_from");
		to = member_string(g, "valid_to");
		/* Same format, so the strings compare like the dates. */
		if (from == NULL || to == NULL || !is_date(from) || !is_date(to) ||
		    strcmp(from, to) <= 0)
			continue;
		report(l, config_setting_get_member(g, "valid_to"), 0,
		       "\"valid_to\" %s is before \"valid_from\" %s", to, from);
	}
}

/* Each year's plan: min <= max, one plan per year; the newest is cfg->plan. */
static void
check_plan(struct loader *l, const config_t *cf)
{
	struct config *cfg = l->cfg;
	const config_setting_t *p, *e, *lo, *hi, *y;
	size_t i, j;

	p = config_lookup(cf, "plan");
	for (i = 0; p != NULL && i < cfg->nplans; i++) {
		e = config_setting_is_group(p) ? p : config_setting_get_elem(p, (unsigned int)i);
		if (e == NULL || !config_setting_is_group(e))
			continue;
		lo = config_setting_get_member(e, "trained_min");
		hi = config_setting_get_member(e, "trained_max");
		if (lo != NULL && hi != NULL &&
		    cfg->plans[i].trained_min > cfg->plans[i].trained_max)
			report(l, hi, 0,
			       "\"trained_min\" (%d) must not be greater than \"trained_max\" (%d)",
			       cfg->plans[i].trained_min, cfg->plans[i].trained_max);
		y = config_setting_get_member(e, "year");
		for (j = 0; y != NULL && j < i; j++) {
			if (cfg->plans[j].year == cfg->plans[i].year && cfg->plans[i].year != 0)
				report(l, y, 0,
				       "a second plan for %d: one plan per year (a new year is a "
				       "new block)",
				       cfg->plans[i].year);
		}
		if (i == 0 || cfg->plans[i].year > cfg->plan.year)
			cfg->plan = cfg->plans[i];
	}
}

/* The push ------------------------------------------------------------------ */

/* The secret's file must exist for the gateway to start, and must not be
 * readable by anybody else (gateway/push.c refuses it too). */
static void
check_token_file(struct loader *l, const config_t *cf)
{
	const char *path = l->cfg->push.token_file;
	const config_setting_t *s = config_lookup(cf, "push.token_file");
	struct stat sb;

	if (path == NULL || path[0] == '\0')
		return;
	if (stat(path, &sb) == -1) {
		report(l, s, 1, "token_file \"%s\": %s; the push cannot start without it", path,
		       strerror(errno));
		return;
	}
	if (!S_ISREG(sb.st_mode))
		report(l, s, 0, "token_file \"%s\" is not a regular file", path);
	else if (sb.st_mode & 077)
		report(l, s, 0,
		       "token_file \"%s\" can be read or written by others (mode %03o); "
		       "chmod 600 it",
		       path, (unsigned int)(sb.st_mode & 0777));
}

static int
has_commune(const struct config *cfg, const char *code)
{
	size_t i;

	for (i = 0; i < cfg->ncommunes; i++) {
		if (cfg->communes[i].code != NULL && strcmp(cfg->communes[i].code, code) == 0)
			return 1;
	}
	return 0;
}

static int
has_trade(const struct config *cfg, const char *code)
{
	size_t i;

	for (i = 0; i < cfg->ntrades; i++) {
		if (cfg->trades[i].code != NULL && strcmp(cfg->trades[i].code, code) == 0)
			return 1;
	}
	return 0;
}

static void
check_org_units(struct loader *l, const config_t *cf)
{
	const struct config_push *p = &l->cfg->push;
	const config_setting_t *ls = config_lookup(cf, "push.dhis2.org_units"), *g;
	size_t i, j;

	for (i = 0; i < p->norg_units; i++) {
		g = ls != NULL ? config_setting_get_elem(ls, (unsigned int)i) : NULL;
		if (p->org_units[i].commune == NULL)
			continue;
		if (!has_commune(l->cfg, p->org_units[i].commune))
			report(l, g, 0, "org unit of commune %s: no such commune in \"communes\"",
			       p->org_units[i].commune);
		for (j = 0; j < i; j++) {
			if (p->org_units[j].commune != NULL &&
			    strcmp(p->org_units[j].commune, p->org_units[i].commune) == 0) {
				report(l, g, 0, "commune %s has two org units",
				       p->org_units[i].commune);
				break;
			}
		}
	}
}

static int
same_element(const struct config_data_element *a, const struct config_data_element *b)
{
	if (a->kind == NULL || b->kind == NULL || strcmp(a->kind, b->kind) != 0)
		return 0;
	if (a->trade == NULL || b->trade == NULL)
		return a->trade == b->trade;
	return strcmp(a->trade, b->trade) == 0;
}

static void
check_data_elements(struct loader *l, const config_t *cf)
{
	const struct config_push *p = &l->cfg->push;
	const config_setting_t *ls = config_lookup(cf, "push.dhis2.data_elements"), *g;
	const struct config_data_element *e;
	int stock;
	size_t i, j;

	for (i = 0; i < p->ndata_elements; i++) {
		e = &p->data_elements[i];
		g = ls != NULL ? config_setting_get_elem(ls, (unsigned int)i) : NULL;
		if (e->kind == NULL)
			continue;
		stock = strcmp(e->kind, "labour") == 0 || strcmp(e->kind, "trained") == 0;
		if (stock && e->trade != NULL)
			report(l, g, 0, "the %s data element takes no \"trade\"", e->kind);
		else if (!stock && e->trade == NULL)
			report(l, g, 0, "the %s data element needs a \"trade\"", e->kind);
		else if (e->trade != NULL && !has_trade(l->cfg, e->trade))
			report(l, g, 0, "data element of trade %s: no such trade in \"trades\"",
			       e->trade);
		for (j = 0; j < i; j++) {
			if (same_element(&p->data_elements[j], e)) {
				report(l, g, 0, "%s %s has two data elements", e->kind,
				       e->trade != NULL ? e->trade : "");
				break;
			}
		}
	}
}

static void
check_push(struct loader *l, const config_t *cf)
{
	const struct config_push *p = &l->cfg->push;
	const config_setting_t *g = config_lookup(cf, "push");
	struct stat sb;

	if (g == NULL || p->url == NULL)
		return;
	if (p->retry_min_ms > p->retry_max_ms)
		report(l, config_lookup(cf, "push.retry_max_ms"), 0,
		       "\"retry_min_ms\" (%d) must not be greater than \"retry_max_ms\" (%d)",
		       p->retry_min_ms, p->retry_max_ms);
	check_token_file(l, cf);
	if (p->ca_file != NULL && stat(p->ca_file, &sb) == -1)
		report(l, config_lookup(cf, "push.ca_file"), 1, "ca_file \"%s\": %s", p->ca_file,
		       strerror(errno));
	if (p->format == NULL || strcmp(p->format, "dhis2") != 0) {
		if (config_lookup(cf, "push.dhis2") != NULL)
			report(l, config_lookup(cf, "push.dhis2"), 1,
			       "\"dhis2\" is ignored unless format = \"dhis2\"");
		return;
	}
	if (config_lookup(cf, "push.dhis2") == NULL) {
		report(l, g, 0,
		       "format \"dhis2\" needs a \"dhis2\" group (data set, org units, "
		       "data elements)");
		return;
	}
	check_org_units(l, cf);
	check_data_elements(l, cf);
}

/* Digests, reminders, scheduled SMS ------------------------------ */

static void
finish_digest(struct loader *l, const config_t *cf)
{
	struct config_digest *d = &l->cfg->digest;
	const config_setting_t *g = config_lookup(cf, "digest");
	size_t i, k;

	if (d->time != NULL && hhmm(d->time) != -1)
		d->at = hhmm(d->time);
	if (d->ndays > 0)
		d->weekdays = 0;
	for (i = 0; i < d->ndays; i++) {
		for (k = 0; weekdays[k] != NULL; k++) {
			if (strcmp(d->days[i], weekdays[k]) == 0)
				d->weekdays |= 1 << k;
		}
	}
	if (g == NULL)
		return;
	if (d->schedule != NULL && strcmp(d->schedule, "weekly") == 0) {
		if (d->ndays == 0)
			report(l, g, 0,
			       "a weekly digest needs \"days\", e.g. [ \"mon\", \"thu\" ]");
	} else {
		d->weekdays = 0x7f;
		if (d->ndays > 0)
			report(l, config_lookup(cf, "digest.days"), 1,
			       "\"days\" is ignored unless schedule = \"weekly\"");
	}
}

static void
finish_reminders(struct loader *l, const config_t *cf)
{
	struct config_reminders *r = &l->cfg->reminders;
	size_t i;
	int v;

	if (r->ndeadlines == 0)
		return; /* the defaults stay */
	if (r->ndeadlines > CONFIG_MAX_DEADLINES) {
		report(l, config_lookup(cf, "reminders.deadlines"), 0,
		       "at most %d deadlines, not %zu", CONFIG_MAX_DEADLINES, r->ndeadlines);
		return;
	}
	r->ndates = 0;
	for (i = 0; i < r->ndeadlines; i++) {
		v = mmdd(r->deadlines[i]);
		if (v != -1)
			r->dates[r->ndates++] = v;
	}
}

static void
finish_scheduled(struct loader *l, const config_t *cf)
{
	struct config_scheduled *q = &l->cfg->scheduled;

	if (q->quiet_from != NULL && hhmm(q->quiet_from) != -1)
		q->from = hhmm(q->quiet_from);
	if (q->quiet_to != NULL && hhmm(q->quiet_to) != -1)
		q->to = hhmm(q->quiet_to);
}

/* The communes' shares of the plan should add up to the plan. */
static void
check_shares(struct loader *l, const config_t *cf)
{
	const struct config *cfg = l->cfg;
	long sum = 0;
	size_t i, n = 0;

	for (i = 0; i < cfg->ncommunes; i++) {
		if (cfg->communes[i].plan_trained > 0) {
			sum += cfg->communes[i].plan_trained;
			n++;
		}
	}
	if (n == cfg->ncommunes && (sum < cfg->plan.trained_min || sum > cfg->plan.trained_max))
		report(l, config_lookup(cf, "plan.trained_min"), 1,
		       "the communes' \"plan_trained\" add up to %ld, outside the plan's %d-%d",
		       sum, cfg->plan.trained_min, cfg->plan.trained_max);
}

/* sending.retries replaces gateway.send_retries, which still works alone. */
static void
finish_sending(struct loader *l, const config_t *cf)
{
	struct config_sending *s = &l->cfg->sending;

	if (s->retry_min > s->retry_max)
		report(l, config_lookup(cf, "sending.retry_min"), 0,
		       "\"retry_min\" (%d) must not be more than \"retry_max\" (%d)", s->retry_min,
		       s->retry_max);
	if (s->retries != 0 && config_lookup(cf, "gateway.send_retries") != NULL)
		report(l, config_lookup(cf, "gateway.send_retries"), 1,
		       "\"send_retries\" is ignored: \"sending.retries\" replaces it");
	if (s->retries == 0)
		s->retries = l->cfg->send_retries;
}

static void
finish_schedules(struct loader *l, const config_t *cf)
{
	finish_sending(l, cf);
	finish_digest(l, cf);
	finish_reminders(l, cf);
	finish_scheduled(l, cf);
	check_shares(l, cf);
}

/* Paths in the file are relative to the file's directory, not to the cwd. */
static void
resolve(struct loader *l, char **path)
{
	char *p;
	size_t n;

	if (*path == NULL || (*path)[0] == '\0' || (*path)[0] == '/' || l->dir == NULL)
		return;
	n = strlen(l->dir) + strlen(*path) + 1;
	p = malloc(n);
	if (p == NULL) {
		report(l, NULL, 0, "out of memory");
		return;
	}
	snprintf(p, n, "%s%s", l->dir, *path);
	free(*path);
	*path = p;
}

static void
finish_paths(struct loader *l, const config_t *cf)
{
	struct config *cfg = l->cfg;
	struct stat st;

	/* SQLite's special names are not files. */
	if (cfg->database != NULL && strcmp(cfg->database, ":memory:") != 0 &&
	    strncmp(cfg->database, "file:", 5) != 0)
		resolve(l, &cfg->database);
	resolve(l, &cfg->gammurc);
	resolve(l, &cfg->push.token_file);
	resolve(l, &cfg->push.ca_file);
	resolve(l, &cfg->backup.dir);
	resolve(l, &cfg->report.dir);
	/* Only a warning: check-config and parse must work on a machine that
	 * has no modem. */
	if (cfg->gammurc != NULL && cfg->gammurc[0] != '\0' && stat(cfg->gammurc, &st) == -1)
		report(l, config_lookup(cf, "gammu.rc"), 1,
		       "gammu.rc file \"%s\": %s; the gateway cannot reach the modem without it",
		       cfg->gammurc, strerror(errno));
}

/* Whether the gammurc at path has a section [gammu] (0) or [gammuN]:
 * 1 yes, 0 no, -1 unreadable. */
static int
has_section(const char *path, int section)
{
	char line[256], want[32];
	FILE *f;
	int found = 0;

	if (section == 0)
		snprintf(want, sizeof(want), "[gammu]");
	else
		snprintf(want, sizeof(want), "[gammu%d]", section);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strncmp(line + strspn(line, " \t"), want, strlen(want)) == 0;
	fclose(f);
	return found;
}

/*
 * The modems: the `modems` list, or the `gammu` group as one modem named
 * "modem".  Names unique, each section present in its gammurc (when the file
 * can be read), and a warning when none may send.
 */
static void
finish_modems(struct loader *l, const config_t *cf)
{
	struct config *cfg = l->cfg;
	const config_setting_t *list = config_lookup(cf, "modems"), *e, *o;
	struct config_modem *m;
	char at[PATH_MAX + 16];
	size_t i, j, nsend = 0;

	if (list == NULL || cfg->nmodems == 0) {
		cfg->modems = calloc(1, sizeof(*cfg->modems));
		if (cfg->modems == NULL) {
			report(l, NULL, 0, "out of memory");
			return;
		}
		cfg->nmodems = 1;
		cfg->modems[0].name = copy(l, "modem");
		cfg->modems[0].gammurc = cfg->gammurc != NULL ? copy(l, cfg->gammurc) : NULL;
		cfg->modems[0].section = cfg->gammu_section;
		cfg->modems[0].send = 1;
		return;
	}
	for (i = 0; i < cfg->nmodems; i++) {
		m = &cfg->modems[i];
		e = config_setting_get_elem(list, (unsigned int)i);
		if (config_setting_get_member(e, "send") == NULL)
			m->send = 1;
		nsend += m->send != 0;
		if (m->gammurc == NULL)
			m->gammurc = cfg->gammurc != NULL ? copy(l, cfg->gammurc) : NULL;
		else
			resolve(l, &m->gammurc);
		if (m->name == NULL || m->gammurc == NULL)
			continue;
		for (j = 0; j < i; j++) {
			if (cfg->modems[j].name == NULL ||
			    strcmp(cfg->modems[j].name, m->name) != 0)
				continue;
			o = string_member(config_setting_get_elem(list, (unsigned int)j), "name");
			where(l, string_member(e, "name"), o, at, sizeof(at));
			report(l, string_member(e, "name"), 0,
			       "duplicate modem name \"%s\" (first at %s)", m->name, at);
			break;
		}
		if (has_section(m->gammurc, m->section) == 0)
			report(l, e, 0, "modem \"%s\": %s has no section [gammu%.0d]", m->name,
			       m->gammurc, m->section);
	}
	if (nsend == 0)
		report(l, list, 1,
		       "no modem has \"send = true\": replies, digests and alerts stay in the "
		       "outbox");
}

/* Keyword kinds added after a file was written get their default forms. */
static void
default_keywords(struct loader *l, int kind, const char *const *forms)
{
	struct config *cfg = l->cfg;
	size_t i, n = 0;

	if (cfg->nkeywords[kind] > 0 || cfg->keywords[kind] != NULL)
		return;
	while (forms[n] != NULL)
		n++;
	cfg->keywords[kind] = calloc(n, sizeof(char *));
	if (cfg->keywords[kind] == NULL) {
		report(l, NULL, 0, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		cfg->keywords[kind][i] = copy(l, forms[i]);
		if (cfg->keywords[kind][i] != NULL)
			cfg->nkeywords[kind]++;
	}
}

static void
default_list(struct loader *l, char ***v, size_t *nv, const char *const *list, size_t n)
{
	size_t i;

	*v = calloc(n, sizeof(**v));
	if (*v == NULL) {
		report(l, NULL, 0, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		(*v)[i] = copy(l, list[i]);
		if ((*v)[i] != NULL)
			(*nv)++;
	}
}

static void
finish_defaults(struct loader *l, const config_t *cf)
{
	struct config *cfg = l->cfg;
	size_t n = sizeof(default_fillers) / sizeof(default_fillers[0]);

	if (config_lookup(cf, "keywords.cancel") == NULL)
		default_keywords(l, PARSER_CANCEL, default_cancel);
	if (config_lookup(cf, "keywords.class") == NULL)
		default_keywords(l, PARSER_KEYWORD_CLASS, default_class);
	if (cfg->class_pattern == NULL)
		cfg->class_pattern = copy(l, PARSER_DEFAULT_CLASS_PATTERN);
	if (cfg->log_level == NULL)
		cfg->log_level = copy(l, "info");
	if (cfg->balance.code == NULL)
		cfg->balance.code = copy(l, CONFIG_BALANCE_CODE);
	if (cfg->balance.pattern == NULL)
		cfg->balance.pattern = copy(l, CONFIG_BALANCE_PATTERN);
	if (cfg->balance.topup_code == NULL)
		cfg->balance.topup_code = copy(l, CONFIG_TOPUP_CODE);
	if (cfg->push.url != NULL && cfg->push.format == NULL)
		cfg->push.format = copy(l, "json");
	if (cfg->push.url != NULL && cfg->push.auth_scheme == NULL)
		cfg->push.auth_scheme =
		    copy(l, strcmp(cfg->push.format, "dhis2") == 0 ? "ApiToken" : "Bearer");
	if (config_lookup(cf, "parser.courtesy") == NULL)
		default_list(l, &cfg->courtesy, &cfg->ncourtesy, default_courtesy,
			     sizeof(default_courtesy) / sizeof(default_courtesy[0]));
	if (config_lookup(cf, "parser.fillers") != NULL)
		return;
	default_list(l, &cfg->fillers, &cfg->nfillers, default_fillers, n);
}

/* Pass 3: the parser -------------------------------------------------------- */

static int
same_form(const char *text, const char *folded)
{
	char f[FOLD_MAX];

	if (text == NULL)
		return 0;
	parser_fold(text, strlen(text), f, sizeof(f), 1);
	return strcmp(f, folded) == 0;
}

/* Whether a unit already answers to text through its code, name or one of
 * its first n aliases ("HAN" and alias "han"): the parser need not be told
 * twice, and might refuse it. */
static int
known_form(const char *code, const char *name, char *const *aliases, size_t n, const char *text)
{
	char f[FOLD_MAX];
	size_t i;

	parser_fold(text, strlen(text), f, sizeof(f), 1);
	if (same_form(code, f) || same_form(name, f))
		return 1;
	for (i = 0; i < n; i++) {
		if (same_form(aliases[i], f))
			return 1;
	}
	return 0;
}

static int
add_aliases(struct loader *l, const config_setting_t *g, const char *what, int unit,
	    const char *code, const char *name, char *const *aliases, size_t n,
	    int (*add)(struct parser *, int, const char *))
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (known_form(code, name, aliases, i, aliases[i]))
			continue;
		if (add(l->cfg->parser, unit, aliases[i]) == -1) {
			report(l, g, 0, "the parser refused alias \"%s\" of %s %s", aliases[i],
			       what, code);
			return -1;
		}
	}
	return 0;
}

static int
add_units(struct loader *l, const config_t *cf)
{
	struct config *cfg = l->cfg;
	const struct config_commune *c;
	const struct config_trade *t;
	const config_setting_t *g;
	size_t i;

	for (i = 0; i < cfg->ncommunes; i++) {
		c = &cfg->communes[i];
		g = config_setting_get_elem(config_lookup(cf, "communes"), (unsigned int)i);
		if (parser_add_commune(cfg->parser, c->code, c->type, c->name) != (int)i) {
			report(l, g, 0, "the parser refused commune %s \"%s\"", c->code, c->name);
			return -1;
		}
		if (add_aliases(l, g, "commune", (int)i, c->code, c->name, c->aliases, c->naliases,
				parser_add_commune_alias) == -1)
			return -1;
	}
	for (i = 0; i < cfg->ntrades; i++) {
		t = &cfg->trades[i];
		g = config_setting_get_elem(config_lookup(cf, "trades"), (unsigned int)i);
		if (parser_add_trade(cfg->parser, t->code, t->name) != (int)i) {
			report(l, g, 0, "the parser refused trade %s \"%s\"", t->code, t->name);
			return -1;
		}
		if (add_aliases(l, g, "trade", (int)i, t->code, t->name, t->aliases, t->naliases,
				parser_add_trade_alias) == -1)
			return -1;
	}
	return 0;
}

/* Index of the first of v[0..n) with the same key as v[n]. */
static size_t
first_same(char *const *v, size_t n)
{
	char a[FOLD_MAX], b[FOLD_MAX];
	size_t i;

	keyword_key(v[n], a, sizeof(a));
	for (i = 0; i < n; i++) {
		keyword_key(v[i], b, sizeof(b));
		if (strcmp(a, b) == 0)
			break;
	}
	return i;
}

static void
refused_keyword(struct loader *l, const config_t *cf, size_t kind, const char *form)
{
	char path[64];

	snprintf(path, sizeof(path), "keywords.%s", kind_names[kind]);
	if (config_lookup(cf, path) != NULL)
		report(l, config_lookup(cf, "keywords"), 0,
		       "the parser refused keyword form \"%s\" of %s", form, kind_names[kind]);
	else
		report(l, config_lookup(cf, "keywords"), 0,
		       "default keyword form \"%s\" of %s is another kind's: give \"%s\" its own "
		       "forms",
		       form, kind_names[kind], kind_names[kind]);
}

static int
add_words(struct loader *l, const config_t *cf)
{
	struct config *cfg = l->cfg;
	size_t k, i;

	for (k = 0; k < PARSER_NKEYWORDS; k++) {
		for (i = 0; i < cfg->nkeywords[k]; i++) {
			if (first_same(cfg->keywords[k], i) != i)
				continue;
			if (parser_add_keyword(cfg->parser, (enum parser_kind)k,
					       cfg->keywords[k][i]) == -1) {
				refused_keyword(l, cf, k, cfg->keywords[k][i]);
				return -1;
			}
		}
	}
	for (i = 0; i < cfg->nfillers; i++) {
		if (first_same(cfg->fillers, i) != i)
			continue;
		if (parser_add_filler(cfg->parser, cfg->fillers[i]) == -1) {
			report(l, config_lookup(cf, "parser.fillers"), 0,
			       "the parser refused filler \"%s\"", cfg->fillers[i]);
			return -1;
		}
	}
	for (i = 0; i < cfg->ncourtesy; i++) {
		if (parser_add_courtesy(cfg->parser, cfg->courtesy[i]) == -1) {
			report(l, config_lookup(cf, "parser.courtesy"), 0,
			       "the parser refused courtesy words \"%s\"", cfg->courtesy[i]);
			return -1;
		}
	}
	return 0;
}

/* Whether the class pattern matches text as written, folded, or one of its
 * folded words. */
static int
class_collides(const struct parser *p, const char *text)
{
	char f[FOLD_MAX], *w, *save = NULL;

	if (parser_class_match(p, text))
		return 1;
	parser_fold(text, strlen(text), f, sizeof(f), 1);
	if (f[0] != '\0' && parser_class_match(p, f))
		return 1;
	parser_fold(text, strlen(text), f, sizeof(f), 0);
	for (w = strtok_r(f, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
		if (parser_class_match(p, w))
			return 1;
	}
	return 0;
}

#define MAX_COLLISIONS 10

/* Reports the codes, names and aliases of list ("communes", "trades") that
 * the class pattern matches, at their lines; *n counts them all. */
static void
class_collisions(struct loader *l, const config_t *cf, const char *list, const char *what,
		 size_t *n)
{
	const config_setting_t *ls = config_lookup(cf, list), *g, *a, *s;
	static const char *const roles[] = {"code", "name"};
	char unit[256];
	int i, r;

	for (i = 0; ls != NULL && i < config_setting_length(ls); i++) {
		g = config_setting_get_elem(ls, (unsigned int)i);
		a = config_setting_get_member(g, "aliases");
		unit_label(g, what, unit, sizeof(unit));
		for (r = 0; r < 2 + (a != NULL ? config_setting_length(a) : 0); r++) {
			s = r < 2 ? string_member(g, roles[r])
				  : config_setting_get_elem(a, (unsigned int)(r - 2));
			if (s == NULL || config_setting_type(s) != CONFIG_TYPE_STRING ||
			    !class_collides(l->cfg->parser, config_setting_get_string(s)))
				continue;
			if (++*n <= MAX_COLLISIONS)
				report(l, s, 0,
				       "%s \"%s\" of %s matches the class code pattern \"%s\": a "
				       "class code must never look like a commune or a trade",
				       r < 2 ? roles[r] : "alias", config_setting_get_string(s),
				       unit, l->cfg->class_pattern);
		}
	}
}

static int
set_class_pattern(struct loader *l, const config_t *cf)
{
	const config_setting_t *s = config_lookup(cf, "parser.class_pattern");
	char err[256];
	size_t n = 0;

	if (parser_set_class_pattern(l->cfg->parser, l->cfg->class_pattern, err, sizeof(err)) ==
	    -1) {
		report(l, s, 0,
		       "class_pattern \"%s\" is not a POSIX extended regular expression: %s",
		       l->cfg->class_pattern, err);
		return -1;
	}
	class_collisions(l, cf, "communes", "commune", &n);
	class_collisions(l, cf, "trades", "trade", &n);
	if (n > MAX_COLLISIONS)
		report(l, s, 0, "class_pattern matches %zu codes, names or aliases in all", n);
	return n > 0 ? -1 : 0;
}

static void
build_parser(struct loader *l, const config_t *cf)
{
	struct config *cfg = l->cfg;

	cfg->parser = parser_new();
	if (cfg->parser == NULL) {
		report(l, NULL, 0, "out of memory");
		return;
	}
	if (add_units(l, cf) == -1 || add_words(l, cf) == -1 || set_class_pattern(l, cf) == -1)
		return;
	parser_set_max_count(cfg->parser, cfg->max_count);
	if (parser_prepare(cfg->parser) == -1)
		report(l, NULL, 0, "cannot prepare the parser's tables");
}

/* Loading ------------------------------------------------------------------ */

static int
read_file(struct loader *l, config_t *cf)
{
	const char *text;
	struct stat sb;
	int saved;

	if (config_read_file(cf, l->path) == CONFIG_TRUE)
		return 0;
	saved = errno;
	/* libconfig reports a folder as a file it could not read, with an
	 * errno that says "No such file or directory". */
	if (config_error_type(cf) == CONFIG_ERR_FILE_IO && stat(l->path, &sb) == 0 &&
	    S_ISDIR(sb.st_mode)) {
		report(l, NULL, 0,
		       "is a directory, not a configuration file: give the file "
		       "itself (e.g. -c %s/tinbao.conf)",
		       l->path);
		return -1;
	}
	if (config_error_type(cf) == CONFIG_ERR_FILE_IO) {
		report(l, NULL, 0, "cannot read the file: %s", strerror(saved));
		return -1;
	}
	text = config_error_text(cf) != NULL ? config_error_text(cf) : "?";
	/* libconfig stops at the first syntax error: there is only one. */
	if (strncmp(text, "syntax error", 12) == 0)
		diag_at(l, config_error_file(cf), config_error_line(cf), "%s", text);
	else
		diag_at(l, config_error_file(cf), config_error_line(cf), "syntax error: %s", text);
	return -1;
}

static int
diag_after(const struct config_diag *a, const struct config_diag *b)
{
	int c = strcmp(a->file, b->file);

	return c > 0 || (c == 0 && a->line > b->line);
}

/* Lists the problems of this load by file and line, the way an editor shows
 * them; an insertion sort keeps those on one line in the order found. */
static void
sort_diags(struct config_diags *d, size_t from)
{
	struct config_diag t;
	size_t i, j;

	for (i = from + 1; i < d->n; i++) {
		t = d->v[i];
		for (j = i; j > from && diag_after(&d->v[j - 1], &t); j--)
			d->v[j] = d->v[j - 1];
		d->v[j] = t;
	}
}

static void
set_defaults(struct config *cfg)
{
	cfg->gammu_section = 0;
	cfg->reply_diacritics = 0;
	cfg->poll_interval = 2;
	cfg->send_retries = 3;
	cfg->multipart_timeout = 600;
	cfg->sending.rate = 6;
	cfg->sending.per = 60;
	cfg->sending.retry_min = 30;
	cfg->sending.retry_max = 3600;
	cfg->sending.ack_timeout = 60;
	cfg->max_count = PARSER_DEFAULT_MAX_COUNT;
	cfg->push.batch = 200;
	cfg->push.timeout_ms = 10000;
	cfg->push.connect_timeout_ms = 5000;
	cfg->push.retry_min_ms = 2000;
	cfg->push.retry_max_ms = 3600 * 1000;
	cfg->push.status_interval = 3600;
	cfg->digest.at = 17 * 60;
	cfg->digest.weekdays = 0x7f;
	cfg->digest.silent_days = 14;
	cfg->reminders.enabled = 1;
	cfg->reminders.days_before = 7;
	cfg->reminders.dates[0] = 615; /* 15 June and 15 December */
	cfg->reminders.dates[1] = 1215;
	cfg->reminders.ndates = 2;
	cfg->scheduled.from = 22 * 60;
	cfg->scheduled.to = 7 * 60;
	cfg->scheduled.max_per_day = 1;
	cfg->modem_checks.interval = 300;
	cfg->modem_checks.network_lost_alert = 600;
	cfg->modem_checks.record_every = 3600;
	cfg->modem_checks.keep_days = 90;
	cfg->balance.enabled = 1;
	cfg->balance.interval = 86400;
	cfg->balance.threshold = 0;
	cfg->balance.timeout = 30;
	cfg->limits.per_sender_hour = 30;
	cfg->limits.replies_per_day = 50;
	cfg->limits.identical = 3;
	cfg->limits.daily_cap = 300;
	cfg->backup.keep = 7;
	cfg->backup.hour = 2;
}

/* Files --------------------------------------------------------------------- */

static void
add_file(struct loader *l, const char *path)
{
	struct config *cfg = l->cfg;
	char **v;
	size_t i;

	if (path == NULL || path[0] == '\0')
		return;
	for (i = 0; i < cfg->nfiles; i++) {
		if (strcmp(cfg->files[i], path) == 0)
			return;
	}
	v = reallocarray(cfg->files, cfg->nfiles + 1, sizeof(*v));
	if (v == NULL) {
		report(l, NULL, 0, "out of memory");
		return;
	}
	cfg->files = v;
	v[cfg->nfiles] = copy(l, path);
	if (v[cfg->nfiles] != NULL)
		cfg->nfiles++;
}

/* The files the settings of s come from.  libconfig 1.5 has no hook that
 * names the files @include reads (config_set_include_func came with 1.7),
 * but every setting knows its file: an included file without a setting
 * changes nothing. */
static void
add_setting_files(struct loader *l, const config_setting_t *s)
{
	const char *file = config_setting_source_file(s);
	char name[PATH_MAX];
	int i, n;

	if (file != NULL) {
		file_name(l, file, name, sizeof(name));
		add_file(l, name);
	}
	/* The entries of an array are scalars, in the array's file. */
	if (!config_setting_is_group(s) && !config_setting_is_list(s))
		return;
	n = config_setting_length(s);
	for (i = 0; i < n; i++)
		add_setting_files(l, config_setting_get_elem(s, (unsigned int)i));
}

static void
list_files(struct loader *l, const config_t *cf)
{
	const struct config *cfg = l->cfg;
	size_t i;

	add_file(l, l->path);
	add_setting_files(l, config_root_setting(cf));
	add_file(l, cfg->gammurc);
	for (i = 0; i < cfg->nmodems; i++)
		add_file(l, cfg->modems[i].gammurc);
	add_file(l, cfg->push.token_file);
}

struct config *
config_load(const char *path, struct config_diags *diags)
{
	struct config_diags local = {NULL, 0};
	struct loader l;
	struct config *cfg;
	const char *slash;
	size_t first;
	config_t cf;

	memset(&l, 0, sizeof(l));
	l.path = path;
	l.diags = diags != NULL ? diags : &local;
	first = l.diags->n;
	config_init(&cf);
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL) {
		report(&l, NULL, 0, "out of memory");
		goto fail;
	}
	l.cfg = cfg;
	set_defaults(cfg);
	cfg->path = copy(&l, path);
	slash = strrchr(path, '/');
	if (slash != NULL) {
		l.dir = strndup(path, (size_t)(slash - path) + 1);
		if (l.dir == NULL) {
			report(&l, NULL, 0, "out of memory");
			goto fail;
		}
		/* @include "x.conf" is read next to this file. */
		config_set_include_dir(&cf, l.dir);
	}
	if (read_file(&l, &cf) == -1)
		goto fail;
	load_group(&l, config_root_setting(&cf), top_keys, cfg);
	check_plan(&l, &cf); /* before the communes' shares are added up */
	finish_defaults(&l, &cf);
	finish_paths(&l, &cf);
	finish_modems(&l, &cf);
	check_push(&l, &cf);
	finish_schedules(&l, &cf);
	check_dates(&l, &cf);
	check_units(&l, &cf, "communes", "commune");
	check_units(&l, &cf, "trades", "trade");
	check_keywords(&l, &cf);
	list_files(&l, &cf);
	if (l.nerrors == 0)
		build_parser(&l, &cf);
	if (l.nerrors == 0)
		log_debug("%s: %zu communes, %zu trades", path, cfg->ncommunes, cfg->ntrades);
fail:
	sort_diags(l.diags, first);
	config_destroy(&cf);
	free(l.dir);
	free(l.text_file);
	free(l.text);
	config_diags_free(&local);
	if (l.nerrors > 0) {
		config_free(cfg);
		cfg = NULL;
	}
	return cfg;
}

static void
free_push(struct config_push *p)
{
	size_t i;

	for (i = 0; i < p->norg_units; i++) {
		free(p->org_units[i].commune);
		free(p->org_units[i].org_unit);
	}
	free(p->org_units);
	for (i = 0; i < p->ndata_elements; i++) {
		free(p->data_elements[i].kind);
		free(p->data_elements[i].trade);
		free(p->data_elements[i].data_element);
		free(p->data_elements[i].category_option_combo);
	}
	free(p->data_elements);
	free(p->url);
	free(p->format);
	free(p->gateway_id);
	free(p->token_file);
	free(p->auth_scheme);
	free(p->ca_file);
	free(p->data_set);
}

static void
free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
free_report(struct config_report *r)
{
	free(r->dir);
	free(r->csv_separator);
	free(r->parent_agency);
	free(r->agency);
	free(r->agency_short);
	free(r->place);
	free_strings(r->recipients, r->nrecipients);
	free(r->signer_authority);
	free(r->signer_title);
	free(r->signer_name);
}

void
config_free(struct config *cfg)
{
	struct config_commune *c;
	struct config_trade *t;
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->ncommunes; i++) {
		c = &cfg->communes[i];
		free(c->code);
		free(c->type);
		free(c->name);
		free_strings(c->aliases, c->naliases);
		free(c->valid_from);
		free(c->valid_to);
		free_strings(c->officers, c->nofficers);
	}
	free(cfg->communes);
	free(cfg->plans);
	for (i = 0; i < cfg->ntrades; i++) {
		t = &cfg->trades[i];
		free(t->code);
		free(t->level);
		free(t->name);
		free_strings(t->aliases, t->naliases);
	}
	free(cfg->trades);
	for (i = 0; i < PARSER_NKEYWORDS; i++)
		free_strings(cfg->keywords[i], cfg->nkeywords[i]);
	free(cfg->class_pattern);
	free_strings(cfg->fillers, cfg->nfillers);
	free_strings(cfg->courtesy, cfg->ncourtesy);
	parser_free(cfg->parser);
	free(cfg->path);
	free_strings(cfg->files, cfg->nfiles);
	free(cfg->database);
	free(cfg->gammurc);
	for (i = 0; i < cfg->nmodems; i++) {
		free(cfg->modems[i].name);
		free(cfg->modems[i].gammurc);
	}
	free(cfg->modems);
	free(cfg->own_number);
	free(cfg->log_level);
	free(cfg->user);
	free_push(&cfg->push);
	free_strings(cfg->digest.recipients, cfg->digest.nrecipients);
	free_strings(cfg->class_senders, cfg->nclass_senders);
	free_strings(cfg->admins, cfg->nadmins);
	free(cfg->digest.schedule);
	free(cfg->digest.time);
	free_strings(cfg->digest.days, cfg->digest.ndays);
	free_strings(cfg->reminders.deadlines, cfg->reminders.ndeadlines);
	free(cfg->backup.dir);
	free_report(&cfg->report);
	free(cfg->scheduled.quiet_from);
	free(cfg->scheduled.quiet_to);
	free(cfg->balance.code);
	free(cfg->balance.pattern);
	free(cfg->balance.topup_code);
	free(cfg->senders.unknown);
	free(cfg->senders.other_commune);
	free(cfg);
}

void
config_diags_free(struct config_diags *diags)
{
	size_t i;

	if (diags == NULL)
		return;
	for (i = 0; i < diags->n; i++) {
		free(diags->v[i].file);
		free(diags->v[i].msg);
	}
	free(diags->v);
	diags->v = NULL;
	diags->n = 0;
}

size_t
config_diags_errors(const struct config_diags *diags)
{
	size_t i, n = 0;

	if (diags == NULL)
		return 0;
	for (i = 0; i < diags->n; i++) {
		if (!diags->v[i].warning)
			n++;
	}
	return n;
}

const struct config_plan *
config_plan_for(const struct config *cfg, int year)
{
	size_t i;

	for (i = 0; i < cfg->nplans; i++) {
		if (cfg->plans[i].year == year)
			return &cfg->plans[i];
	}
	return NULL;
}
