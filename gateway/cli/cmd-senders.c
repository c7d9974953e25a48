/*
 * cmd-senders.c - tinbao senders: the registry of reporting numbers (see
 * identity.h): list it, add or remove a number, import a CSV file or a
 * workbook (sheetfile.h) all or nothing, or only show what it would change,
 * and export the table as a CSV file that imports back unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "identity.h"
#include "phone.h"
#include "registry.h"
#include "store.h"

static void
print_error(void *arg, const char *msg)
{
	fprintf(stderr, "%s\n", msg);
}

/* Prints one entry the way `senders list` does, after what happens to
 * it. */
static void
show_entry(void *arg, const char *what, const struct store_sender *snd)
{
	char name[4 * sizeof(snd->name)];

	printf("%-12s %-13s  %-8s  %-5s  %-6s  %s\n", what, snd->number, snd->role,
	       snd->commune_code[0] ? snd->commune_code : "-", snd->active ? "active" : "off",
	       log_escape(snd->name, name, sizeof(name)));
}

/* Reads and checks the whole file first, before the write lock is taken
 * (a gateway or the console may be writing meanwhile); imports nothing
 * unless every row is right, in one transaction.  A dry run shows what
 * would change. */
static int
senders_import(const struct config *cfg, struct store *st, const char *path, int dry_run)
{
	struct registry_report rep = {print_error, dry_run ? show_entry : NULL, NULL, 0};
	struct registry_changes ch;
	struct registry_file *rf;
	int r;

	r = registry_read(cfg, path, path, &rep, &rf);
	if (r == 0 && dry_run) {
		r = registry_apply(st, rf, 0, &rep, &ch);
	} else if (r == 0) {
		if (store_begin(st) == -1)
			r = -1;
		else if (registry_apply(st, rf, 1, &rep, &ch) == -1 || store_commit(st) == -1) {
			store_rollback(st);
			r = -1;
		}
	}
	registry_file_free(rf);
	if (r > 0) {
		fprintf(stderr, "%s: %d error%s; nothing imported\n", path, r, r == 1 ? "" : "s");
		return 1;
	}
	if (r == -1) {
		fprintf(stderr, "tinbao: senders import: nothing imported\n");
		return 1;
	}
	printf("%s %zu sender%s from %s: %zu added, %zu changed, %zu deactivated, %zu "
	       "unchanged%s\n",
	       dry_run ? "would import" : "imported", ch.n, ch.n == 1 ? "" : "s", path, ch.added,
	       ch.changed, ch.deactivated, ch.unchanged,
	       dry_run ? " (dry run: nothing written)" : "");
	return 0;
}

/* ---- Export ----------------------------------------------------------- */

/* The table as a CSV file that imports back unchanged (registry.h). */
static int
senders_export(struct store *st, const char *path)
{
	FILE *out = stdout;
	int r;

	if (path != NULL && strcmp(path, "-") != 0) {
		out = fopen(path, "w");
		if (out == NULL) {
			fprintf(stderr, "tinbao: senders export: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	r = registry_export(st, out);
	if (fflush(out) != 0 || ferror(out)) {
		fprintf(stderr, "tinbao: senders export: %s: %s\n", path ? path : "stdout",
			strerror(errno));
		r = -1;
	}
	if (out != stdout && fclose(out) != 0)
		r = -1;
	return r == 0 ? 0 : 1;
}

static int
print_sender(void *arg, const struct store_sender *snd)
{
	int *count = arg;
	char name[4 * sizeof(snd->name)];

	printf("%-13s  %-8s  %-5s  %-6s  %s\n", snd->number, snd->role,
	       snd->commune_code[0] ? snd->commune_code : "-", snd->active ? "active" : "off",
	       log_escape(snd->name, name, sizeof(name)));
	(*count)++;
	return 0;
}

/* The configuration's entries of the registry (identity.h): one row a
 * role, marked "config". */
static int
print_config_entry(void *arg, const struct identity *id)
{
	static const unsigned roles[] = {IDENTITY_OFFICER, IDENTITY_CLASS, IDENTITY_DISTRICT,
					 IDENTITY_ADMIN};
	int *count = arg;
	size_t i, c;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		if (!identity_has(id, roles[i]))
			continue;
		if (roles[i] != IDENTITY_OFFICER) {
			printf("%-13s  %-8s  %-5s  config\n", id->number,
			       identity_role_name(roles[i]), "-");
			continue;
		}
		for (c = 0; c < id->ncommunes; c++)
			printf("%-13s  %-8s  %-5s  config\n", id->number, "officer",
			       id->communes[c]);
	}
	(*count)++;
	return 0;
}

static int
senders_usage(void)
{
	return cli_usage("senders list\n"
			 "senders add NUMBER ROLE [--commune C] [--name N]\n"
			 "senders remove NUMBER\n"
			 "senders import [--dry-run] FILE.csv|FILE.xlsx\n"
			 "senders export [FILE.csv]");
}

static int
senders_add(const struct config *cfg, struct store *st, int argc, char **argv)
{
	const char *commune = "", *name = "", *why;
	const struct cli_option opts[] = {{"--commune", &commune, NULL}, {"--name", &name, NULL}};
	struct store_sender snd;

	if (cli_options(argc, argv, 3, opts, sizeof(opts) / sizeof(opts[0])) == -1)
		return senders_usage();
	if (registry_sender(cfg, argv[1], name, argv[2], commune, "1", &snd, &why) == -1) {
		fprintf(stderr, "tinbao: senders add: %s: %s\n", argv[1], why);
		return 1;
	}
	if (store_sender_put(st, &snd, clock_now()) == -1)
		return 1;
	printf("%s: %s%s%s\n", snd.number, snd.role, snd.commune_code[0] ? " of " : "",
	       snd.commune_code);
	return 0;
}

int
cli_senders(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	struct store *st = NULL;
	char number[24];
	int status = 1, count = 0, r, readonly;

	if (argc < 2)
		return senders_usage();
	if (!((strcmp(argv[1], "list") == 0 && argc == 2) ||
	      (strcmp(argv[1], "add") == 0 && argc >= 4) ||
	      (strcmp(argv[1], "remove") == 0 && argc == 3) ||
	      (strcmp(argv[1], "import") == 0 && argc == 3) ||
	      (strcmp(argv[1], "import") == 0 && argc == 4 && strcmp(argv[2], "--dry-run") == 0) ||
	      (strcmp(argv[1], "export") == 0 && argc <= 3)))
		return senders_usage();
	readonly = strcmp(argv[1], "list") == 0 || strcmp(argv[1], "export") == 0 ||
		   (strcmp(argv[1], "import") == 0 && argc == 4);
	cfg = cli_config_quiet(conf);
	if (cfg == NULL)
		return 1;
	st = store_open(cfg->database, readonly ? STORE_READONLY : 0);
	if (st == NULL)
		goto done;
	if (strcmp(argv[1], "list") == 0) {
		if (store_senders_foreach(st, print_sender, &count) == 0) {
			printf("%d sender%s\n", count, count == 1 ? "" : "s");
			count = 0;
			if (identity_foreach(cfg, NULL,
					     IDENTITY_OFFICER | IDENTITY_CLASS | IDENTITY_STAFF,
					     NULL, print_config_entry, &count) == 0)
				status = 0;
			if (count > 0)
				printf("%d number%s from the configuration's lists "
				       "(communes.officers, "
				       "digest.recipients, admins, classes.senders)\n",
				       count, count == 1 ? "" : "s");
		}
	} else if (strcmp(argv[1], "add") == 0) {
		status = senders_add(cfg, st, argc - 1, argv + 1);
	} else if (strcmp(argv[1], "import") == 0) {
		status = senders_import(cfg, st, argv[argc - 1], argc == 4);
	} else if (strcmp(argv[1], "export") == 0) {
		status = senders_export(st, argc == 3 ? argv[2] : NULL);
	} else if (phone_e164(argv[2], number, sizeof(number)) == -1) {
		fprintf(stderr, "tinbao: senders remove: %s: not a Vietnamese phone number\n",
			argv[2]);
	} else {
		r = store_sender_remove(st, number, clock_now());
		if (r == 1) {
			printf("%s: removed (kept, inactive)\n", number);
			status = 0;
		} else if (r == 0) {
			fprintf(stderr, "tinbao: senders remove: %s: no such active sender\n",
				number);
		}
	}
done:
	store_close(st);
	config_free(cfg);
	return status;
}
