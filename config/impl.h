/*
 * impl.h - what the files of the configuration module share: the loader's
 * state, the key tables that describe every group, the reporting of a
 * problem at a setting's file:line, and the checks of one value that several
 * groups use.  Nothing outside config/ includes this.
 *
 * load.c reads the file and walks it against the key tables (pass 1); one
 * file per group, or family of groups, holds that group's table, the checks
 * of its values and its cross-checks (pass 2); parser.c builds the parser
 * from the result (pass 3).
 */
#ifndef TINBAO_CONFIG_IMPL_H
#define TINBAO_CONFIG_IMPL_H

#include <libconfig.h>
#include <stddef.h>

#include "config.h"
#include "parser.h"

#define TEXT_MAX 128 /* bytes in a name, alias, keyword form or filler */
#define FOLD_MAX 512 /* folding never makes a text longer */
#define CODE_MAX 16  /* characters in a trade code */

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

/* The tables ------------------------------------------------------------------ */

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
/* clang-format on */

#define OFF(f) offsetof(struct config, f)

/* The top level's table (config.c) and its groups', each in the file named
 * after the group with the checks of its values: push_keys in push.c, ... */
extern const struct key top_keys[];
extern const struct key gammu_keys[], modem_keys[], modem_checks_keys[]; /* modems.c */
extern const struct key balance_keys[], sending_keys[], parser_keys[], keyword_keys[];
extern const struct key plan_keys[], commune_keys[], trade_keys[], push_keys[];
extern const struct key digest_keys[], reminders_keys[], scheduled_keys[], classes_keys[];
extern const struct key senders_keys[], limits_keys[], backup_keys[], report_keys[];
extern const struct key web_keys[];

/* Loading (load.c) ------------------------------------------------------------ */

/* Reports a problem at setting s (or about the whole file when s is NULL);
 * warning 1: the config is still usable. */
void report(struct loader *l, const config_setting_t *s, int warning, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "line 40", or "other.conf:40" when ref is in another file than s. */
void where(struct loader *l, const config_setting_t *s, const config_setting_t *ref, char *buf,
	   size_t size);
/* The name of setting s, or of the array or list it is an entry of. */
const char *label(const config_setting_t *s);
/* strdup() that reports running out of memory. */
char *copy(struct loader *l, const char *s);
/* The member called name of group g when it is a string, or NULL. */
const config_setting_t *string_member(const config_setting_t *g, const char *name);
const char *member_string(const config_setting_t *g, const char *name);
/* Makes a relative *path relative to the configuration file's directory. */
void resolve(struct loader *l, char **path);

/* Checks of one value (values.c) ---------------------------------------------- */

/* Each reports what is wrong at s and returns -1, or returns 0. */
int check_nonempty(struct loader *l, const config_setting_t *s, const char *v);
int check_utf8(struct loader *l, const config_setting_t *s, const char *v);
int check_text(struct loader *l, const config_setting_t *s, const char *v);
int check_phone(struct loader *l, const config_setting_t *s, const char *v);
int check_gso(struct loader *l, const config_setting_t *s, const char *v);
int check_code(struct loader *l, const config_setting_t *s, const char *v);
int check_hhmm(struct loader *l, const config_setting_t *s, const char *v);
/* A POSIX extended regular expression, compiled with these regcomp() flags. */
int check_regex(struct loader *l, const config_setting_t *s, const char *v, int flags);
/* v is one of words (NULL-terminated); wanted lists them for the message. */
int one_of(struct loader *l, const config_setting_t *s, const char *v, const char *const *words,
	   const char *wanted);
/* "HH:MM", 00:00 to 23:59: the minutes after midnight, or -1. */
int hhmm(const char *v);

/* Folded forms (units.c) ------------------------------------------------------ */

/* A folded form, to find two units (or keyword kinds) answering to the same
 * word. */
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

int forms_grow(struct loader *l, struct forms *f);
/* "commune 06433 "Vân Nham"", from the group of the unit. */
void unit_label(const config_setting_t *g, const char *what, char *buf, size_t size);

/* Keywords (keywords.c) -------------------------------------------------------- */

/* The keyword kinds, as the "keywords" group names them. */
extern const char *const kind_names[PARSER_NKEYWORDS];
/* How keyword forms are compared: folded, or as written when that is empty. */
void keyword_key(const char *text, char *buf, size_t size);

/* The passes ------------------------------------------------------------------ */

/*
 * Before the file is read, then passes 2 and 3 in the order config_load()
 * runs them.  Each is in the file of its group; finish_top() (the settings
 * outside the groups, and every path) is config.c's, check_shares() (the
 * communes' shares of the plan) plan.c's.
 */
void set_defaults(struct config *cfg); /* config.c */
void check_plan(struct loader *l, const config_t *cf);
void finish_keywords(struct loader *l, const config_t *cf);
void finish_parser(struct loader *l, const config_t *cf);
void finish_balance(struct loader *l, const config_t *cf);
void finish_top(struct loader *l, const config_t *cf);
void finish_modems(struct loader *l, const config_t *cf);
void finish_push(struct loader *l, const config_t *cf);
void finish_sending(struct loader *l, const config_t *cf);
void finish_digest(struct loader *l, const config_t *cf);
void finish_reminders(struct loader *l, const config_t *cf);
void finish_scheduled(struct loader *l, const config_t *cf);
void finish_web(struct loader *l, const config_t *cf);
void check_shares(struct loader *l, const config_t *cf);
void check_dates(struct loader *l, const config_t *cf);
/* list: "communes" or "trades"; what: "commune" or "trade". */
void check_units(struct loader *l, const config_t *cf, const char *list, const char *what);
void check_keywords(struct loader *l, const config_t *cf);
void build_parser(struct loader *l, const config_t *cf);

#endif
