/*
 * cmd-backup.c - tinbao backup [--to FILE]: a copy of the live database
 * now, into backup.dir or FILE (see backup.h).
 */
#include <stdio.h>
#include <string.h>

#include "backup.h"
#include "cli.h"
#include "clock.h"
#include "config.h"
#include "store.h"

int
cli_backup(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	struct store *st = NULL;
	char path[4096];
	int status = 1, bad = 0;

	if (!(argc == 1 || (argc == 3 && strcmp(argv[1], "--to") == 0 && argv[2][0] != '\0')))
		return cli_usage("backup [--to FILE]");
	cfg = cli_config(conf);
	if (cfg == NULL)
		return 1;
	if (backup_check_database(cfg) == -1)
		goto done;
	if (argc == 3 && backup_check_target(cfg, argv[2]) == -1)
		goto done;
	/* Read-only: a copy while the gateway runs takes nothing from it. */
	st = store_open(cfg->database, STORE_READONLY);
	if (st == NULL)
		goto done;
	if (argc == 3) {
		if (backup_write(st, argv[2], &bad) == -1)
			goto done;
		snprintf(path, sizeof(path), "%s", argv[2]);
	} else if (backup_now(cfg, st, clock_now(), path, sizeof(path), &bad) == -1) {
		goto done;
	}
	printf("%s\n", path);
	status = 0;
done:
	store_close(st);
	/* The copy showed the database damaged: the admins are told, through
	 * a handle that can write (the one above is read-only). */
	if (bad) {
		st = store_open(cfg->database, 0);
		if (st == NULL || backup_report_bad(cfg, st, clock_now()) == -1)
			fprintf(stderr, "tinbao: the admins could not be alerted\n");
		store_close(st);
	}
	config_free(cfg);
	return status;
}
