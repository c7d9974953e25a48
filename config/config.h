/*
 * config.h - loading and validating tinbao's libconfig file.
 *
 * config_load() reads one file, checks every setting (unknown keys, wrong
 * types, out-of-range values, duplicate commune codes, an alias that folds to
 * the same form as another unit's name or alias, ...) and reports every
 * problem it finds with file:line, not only the first.  A file with errors
 * gives no config.  Referenced files (gammurc) that don't exist are warnings,
 * so that `parse` and `check-config` work on any machine.
 *
 * Relative paths in the file (database, gammu.rc) are resolved against the
 * directory of the configuration file.
 */
#ifndef TINBAO_CONFIG_H
#define TINBAO_CONFIG_H

#include <stddef.h>

struct parser;

struct config_commune {
	char *code;		/* GSO code, 5 digits */
	char *type;		/* "xa" or "tt" */
	char *name;		/* UTF-8 */
	char **aliases;		/* former names and other spellings */
	size_t naliases;
	char *valid_from;	/* YYYY-MM-DD */
	char *valid_to;		/* YYYY-MM-DD */
};

struct config_trade {
	char *code;
	char *level;		/* "D3T" (under 3 months) or "SC" (elementary) */
	int agricultural;
	char *name;		/* UTF-8 */
	char **aliases;
	size_t naliases;
};

struct config_plan {
	int year;
	int trained_min;	/* short-course trainees in the year, lower bound */
	int trained_max;	/* upper bound */
	int labour_trained_pct; /* share of the labour force trained */
	int employed_pct;	/* share of trainees employed afterwards */
};

struct config {
	char *path;		/* the file this was loaded from */
	char *database;		/* absolute or relative to the cwd */
	char *gammurc;		/* path of the gammurc file */
	int gammu_section;	/* 0 for [gammu], N for [gammuN] */
	char *own_number;	/* the gateway's own number, or NULL */
	int reply_diacritics;	/* 0: ASCII replies (one 160-char SMS) */
	int poll_interval;	/* seconds between scans of the phone */
	int send_retries;	/* attempts before an outgoing SMS is failed */
	char *log_level;	/* "debug", "info", "warning" */
	long max_count;
	struct config_plan plan;
	struct config_commune *communes;
	size_t ncommunes;
	struct config_trade *trades;
	size_t ntrades;
	char **keywords[7];	/* forms per enum parser_kind, in file order */
	size_t nkeywords[7];
	char **fillers;
	size_t nfillers;
	struct parser *parser; /* built from the above, prepared; owned */
};

/* One problem found while loading. */
struct config_diag {
	char *file;
	int line;		/* 0 when no line applies */
	int warning;		/* 1: warning (the config is still usable) */
	char *msg;
};

struct config_diags {
	struct config_diag *v;
	size_t n;
};

/* Loads path.  Returns the config, or NULL when there was at least one
 * error.  Every error and warning is appended to diags (which may be NULL;
 * the caller frees it with config_diags_free). */
struct config *config_load(const char *path, struct config_diags *diags);
void config_free(struct config *cfg); /* accepts NULL */
void config_diags_free(struct config_diags *diags);
/* Counts the errors (not warnings) in diags. */
size_t config_diags_errors(const struct config_diags *diags);

#endif
