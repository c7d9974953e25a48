/*
 * cli.c - what the commands share: see cli.h.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "gateway.h"
#include "log.h"
#include "secure.h"
#include "store.h"

/*
 * Loads the configuration, printing every diagnostic as file:line, or as
 * file: when no line applies (a file that cannot be read); the registry's
 * commands (senders, quarantine, replay, send) print file:0: there
 * (line_always).
 */
static struct config *
load(const char *path, size_t *errors, int line_always)
{
	struct config_diags diags = {NULL, 0};
	struct config *cfg;
	size_t i;

	cfg = config_load(path, &diags);
	for (i = 0; i < diags.n; i++) {
		if (diags.v[i].line > 0 || line_always)
			fprintf(stderr, "%s:%d: %s: %s\n", diags.v[i].file, diags.v[i].line,
				diags.v[i].warning ? "warning" : "error", diags.v[i].msg);
		else
			fprintf(stderr, "%s: %s: %s\n", diags.v[i].file,
				diags.v[i].warning ? "warning" : "error", diags.v[i].msg);
	}
	if (errors != NULL)
		*errors = config_diags_errors(&diags);
	config_diags_free(&diags);
	return cfg;
}

struct config *
cli_config(const char *path)
{
	return load(path, NULL, 0);
}

struct config *
cli_config_errors(const char *path, size_t *errors)
{
	return load(path, errors, 0);
}

int
cli_open(const char *path, int flags, struct config **cfg, struct store **st)
{
	*st = NULL;
	*cfg = load(path, NULL, 0);
	if (*cfg == NULL)
		return -1;
	*st = store_open((*cfg)->database, flags);
	if (*st == NULL) {
		config_free(*cfg);
		*cfg = NULL;
		return -1;
	}
	return 0;
}

struct config *
cli_config_quiet(const char *path)
{
	struct config *cfg = load(path, NULL, 1);

	if (cfg != NULL)
		cli_quiet();
	return cfg;
}

struct config *
cli_config_private(const char *path)
{
	struct config *cfg;
	int level;

	if (secure_private_file(path, "configuration") == -1)
		return NULL;
	cfg = load(path, NULL, 0);
	if (cfg == NULL)
		return NULL;
	if (secure_config_files(cfg) == -1) {
		config_free(cfg);
		return NULL;
	}
	/* -d on the command line wins over the file's level. */
	level = log_parselevel(cfg->log_level);
	if (log_getlevel() != LOG_LEVEL_DEBUG && level != -1)
		log_setlevel(level);
	return cfg;
}

struct config *
cli_config_alone(const char *path, const char *cmd, const char *why, int *lock)
{
	struct config *cfg = load(path, NULL, 0);

	*lock = -1;
	if (cfg == NULL)
		return NULL;
	*lock = gateway_lock(cfg->database);
	if (*lock == -1) {
		fprintf(stderr, "tinbao: %s: %s\n", cmd, why);
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

void
cli_quiet(void)
{
	if (log_getlevel() != LOG_LEVEL_DEBUG)
		log_setlevel(LOG_LEVEL_WARN);
}

int
cli_usage(const char *forms)
{
	const char *s = forms, *nl;
	int first = 1;

	do {
		nl = strchr(s, '\n');
		fprintf(stderr, "%s tinbao -c config %.*s\n", first ? "usage:" : "      ",
			(int)(nl != NULL ? (size_t)(nl - s) : strlen(s)), s);
		first = 0;
		s = nl + 1;
	} while (nl != NULL);
	return 2;
}

int
cli_options(int argc, char **argv, int first, const struct cli_option *opts, size_t n)
{
	size_t k;
	int i;

	for (i = first; i < argc; i++) {
		for (k = 0; k < n; k++) {
			if (strcmp(argv[i], opts[k].name) != 0)
				continue;
			if (opts[k].flag != NULL) {
				*opts[k].flag = 1;
				break;
			}
			if (i + 1 < argc) {
				*opts[k].value = argv[++i];
				break;
			}
		}
		if (k == n)
			return -1;
	}
	return 0;
}
