/*
 * cmd-senders.c - tinbao senders: the registry of reporting numbers (see
 * identity.h): list it, add or remove a number, import a CSV file, all or
 * nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "parser.h"
#include "phone.h"
#include "identity.h"
#include "store.h"

#define CSV_FIELDS 5
#define CSV_LINE 1024

/* Checks one sender's fields and fills snd.  0, or -1 with *why set. */
static int
make_sender(const struct config *cfg, const char *number, const char *name, const char *role,
	    const char *commune, const char *active, struct store_sender *snd, const char **why)
{
	memset(snd, 0, sizeof(*snd));
	if (phone_e164(number, snd->number, sizeof(snd->number)) == -1) {
		*why = "not a Vietnamese phone number";
		return -1;
	}
	if (strlen(name) >= sizeof(snd->name) || !parser_utf8_valid(name, strlen(name))) {
		*why = "name too long or not UTF-8";
		return -1;
	}
	snprintf(snd->name, sizeof(snd->name), "%s", name);
	if (identity_role_parse(role) == 0) {
		*why = "role must be officer, class, district or admin";
		return -1;
	}
	snprintf(snd->role, sizeof(snd->role), "%s", role);
	if (commune[0] != '\0' &&
	    cli_commune(cfg, commune, snd->commune_code, sizeof(snd->commune_code), why) == -1)
		return -1;
	if (strcmp(role, "officer") == 0 && snd->commune_code[0] == '\0') {
		*why = "an officer needs a commune";
		return -1;
	}
	if (active[0] == '\0' || strcmp(active, "1") == 0 || strcmp(active, "yes") == 0 ||
	    strcmp(active, "true") == 0) {
		snd->active = 1;
	} else if (strcmp(active, "0") == 0 || strcmp(active, "no") == 0 ||
		   strcmp(active, "false") == 0) {
		snd->active = 0;
	} else {
		*why = "active must be 1 or 0";
		return -1;
	}
	return 0;
}

/* Splits a CSV line into at most max fields (double quotes allowed, ""
 * inside them), in place.  Returns the number of fields, or -1. */
static int
csv_split(char *line, char **f, int max)
{
	char *r = line, *w = line;
	int n = 0, quoted;

	for (;;) {
		if (n == max)
			return -1;
		f[n++] = w;
		quoted = *r == '"';
		if (quoted)
			r++;
		for (;;) {
			if (*r == '\0') {
				if (quoted)
					return -1;
				*w = '\0';
				return n;
			}
			if (quoted && r[0] == '"' && r[1] == '"') {
				*w++ = '"';
				r += 2;
			} else if (quoted && *r == '"') {
				quoted = 0;
				r++;
				if (*r != ',' && *r != '\0')
					return -1;
			} else if (!quoted && *r == ',') {
				r++;
				*w++ = '\0';
				break;
			} else {
				*w++ = *r++;
			}
		}
	}
}

static void
trim(char *s)
{
	size_t len = strlen(s), i = 0;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
			   s[len - 1] == '\n'))
		s[--len] = '\0';
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, len - i + 1);
}

/* Reads and checks the whole file first; imports nothing unless every row
 * is right, in one transaction. */
static int
senders_import(const struct config *cfg, struct store *st, const char *path)
{
	static const char *const header[CSV_FIELDS] = {"number", "name", "role", "commune",
						       "active"};
	struct store_sender *v = NULL, *nv;
	char line[CSV_LINE], *f[CSV_FIELDS];
	const char *why;
	size_t n = 0, i, j;
	int lineno = 0, errors = 0, nf;
	FILE *in;

	in = fopen(path, "r");
	if (in == NULL) {
		fprintf(stderr, "tinbao: senders import: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(in)) {
			fprintf(stderr, "%s:%d: line too long\n", path, lineno);
			errors++;
			break;
		}
		trim(line);
		if (line[0] == '\0' || line[0] == '#')
			continue;
		nf = csv_split(line, f, CSV_FIELDS);
		for (i = 0; nf > 0 && i < (size_t)nf; i++)
			trim(f[i]);
		if (lineno == 1) {
			for (i = 0; nf == CSV_FIELDS && i < CSV_FIELDS; i++)
				if (strcmp(f[i], header[i]) != 0)
					break;
			if (nf != CSV_FIELDS || i < CSV_FIELDS) {
				fprintf(stderr,
					"%s:1: the header must be number,name,role,commune,"
					"active\n",
					path);
				errors++;
				break;
			}
			continue;
		}
		if (nf != CSV_FIELDS) {
			fprintf(stderr, "%s:%d: want %d comma-separated fields\n", path, lineno,
				CSV_FIELDS);
			errors++;
			continue;
		}
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (nv == NULL) {
			fprintf(stderr, "tinbao: senders import: out of memory\n");
			errors++;
			break;
		}
		v = nv;
		if (make_sender(cfg, f[0], f[1], f[2], f[3], f[4], &v[n], &why) == -1) {
			fprintf(stderr, "%s:%d: %s: %s\n", path, lineno, f[0], why);
			errors++;
			continue;
		}
		for (j = 0; j < n; j++)
			if (strcmp(v[j].number, v[n].number) == 0)
				break;
		if (j < n) {
			fprintf(stderr, "%s:%d: %s: listed twice\n", path, lineno, f[0]);
			errors++;
			continue;
		}
		n++;
	}
	if (ferror(in)) {
		fprintf(stderr, "tinbao: senders import: %s: read error\n", path);
		errors++;
	}
	fclose(in);
	if (lineno == 0) {
		fprintf(stderr, "%s: empty file\n", path);
		errors++;
	}
	if (errors > 0) {
		fprintf(stderr, "%s: %d error%s; nothing imported\n", path, errors,
			errors == 1 ? "" : "s");
		free(v);
		return 1;
	}
	if (store_begin(st) == -1)
		goto fail;
	for (i = 0; i < n; i++)
		if (store_sender_put(st, &v[i], clock_now()) == -1) {
			store_rollback(st);
			goto fail;
		}
	if (store_commit(st) == -1) {
		store_rollback(st);
		goto fail;
	}
	printf("imported %zu sender%s from %s\n", n, n == 1 ? "" : "s", path);
	free(v);
	return 0;
fail:
	fprintf(stderr, "tinbao: senders import: nothing imported\n");
	free(v);
	return 1;
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
			 "senders import FILE.csv");
}

static int
senders_add(const struct config *cfg, struct store *st, int argc, char **argv)
{
	const char *commune = "", *name = "", *why;
	const struct cli_option opts[] = {{"--commune", &commune, NULL}, {"--name", &name, NULL}};
	struct store_sender snd;

	if (cli_options(argc, argv, 3, opts, sizeof(opts) / sizeof(opts[0])) == -1)
		return senders_usage();
	if (make_sender(cfg, argv[1], name, argv[2], commune, "1", &snd, &why) == -1) {
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
	int status = 1, count = 0, r;

	if (argc < 2)
		return senders_usage();
	if (!((strcmp(argv[1], "list") == 0 && argc == 2) ||
	      (strcmp(argv[1], "add") == 0 && argc >= 4) ||
	      (strcmp(argv[1], "remove") == 0 && argc == 3) ||
	      (strcmp(argv[1], "import") == 0 && argc == 3)))
		return senders_usage();
	cfg = cli_config_quiet(conf);
	if (cfg == NULL)
		return 1;
	st = store_open(cfg->database, strcmp(argv[1], "list") == 0 ? STORE_READONLY : 0);
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
		status = senders_import(cfg, st, argv[2]);
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
