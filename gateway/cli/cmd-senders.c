/*
 * cmd-senders.c - tinbao senders: the registry of reporting numbers (see
 * identity.h): list it, add or remove a number, import a CSV file or a
 * workbook (sheetfile.h) all or nothing, or only show what it would change,
 * and export the table as a CSV file that imports back unchanged.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "parser.h"
#include "identity.h"
#include "phone.h"
#include "registry.h"
#include "sheetfile.h"
#include "store.h"

static void
fold(const char *s, char *out, size_t outsz)
{
	parser_fold(s, strlen(s), out, outsz, 1);
}

/* ---- Import ----------------------------------------------------------- */

enum column { COL_NUMBER, COL_NAME, COL_ROLE, COL_COMMUNE, COL_ACTIVE, NCOLUMNS };

/* The names a header may give each column, folded: the English ones the
 * export writes, and the Vietnamese ones staff type. */
static const char *const column_names[NCOLUMNS][5] = {
    [COL_NUMBER] = {"number", "sodienthoai", "dienthoai", "sdt", NULL},
    [COL_NAME] = {"name", "hoten", "hovaten", "ten", NULL},
    [COL_ROLE] = {"role", "vaitro", NULL},
    [COL_COMMUNE] = {"commune", "xa", "xaphuong", "maxa", NULL},
    [COL_ACTIVE] = {"active", "hoatdong", NULL},
};

struct import {
	const struct config *cfg;
	const char *path;
	struct sheetfile *sf;
	int col[NCOLUMNS]; /* the cell of each column, or -1 */
	struct store_sender *v;
	size_t n;
	int errors;
};

static void import_error(struct import *im, const struct sheetfile_row *row, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "path:line: why", or "path: row N: why" for a workbook. */
static void
import_error(struct import *im, const struct sheetfile_row *row, const char *fmt, ...)
{
	va_list ap;

	if (im->sf->xlsx)
		fprintf(stderr, "%s: row %d: ", im->path, row->where);
	else
		fprintf(stderr, "%s:%d: ", im->path, row->where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	im->errors++;
}

static int
header(struct import *im, const struct sheetfile_row *row)
{
	char f[64];
	size_t i, c, k;

	for (c = 0; c < NCOLUMNS; c++)
		im->col[c] = -1;
	for (i = 0; i < row->ncells; i++) {
		if (row->cells[i][0] == '\0')
			continue; /* a column left without a title: not read */
		fold(row->cells[i], f, sizeof(f));
		for (c = 0; c < NCOLUMNS; c++)
			for (k = 0; column_names[c][k] != NULL; k++)
				if (strcmp(f, column_names[c][k]) == 0)
					goto found;
		import_error(im, row, "unknown column \"%s\"", f);
		continue;
	found:
		if (im->col[c] != -1)
			import_error(im, row, "two columns for %s", column_names[c][0]);
		im->col[c] = (int)i;
	}
	if (im->col[COL_NUMBER] == -1 || im->col[COL_ROLE] == -1)
		import_error(im, row,
			     "the header must name the columns number,name,role,commune,active "
			     "(or So dien thoai, Ho ten, Vai tro, Xa); number and role at least");
	return im->errors > 0 ? -1 : 0;
}

/*
 * A number as a spreadsheet leaves it: spaces, dots and dashes dropped, a
 * leading apostrophe (Excel's mark of text) too.  A number in scientific
 * notation ("8.49123E+10") lost its last digits when the spreadsheet
 * rounded it: refused, never guessed.  0, or -1 with *why.
 */
static int
clean_number(const char *s, char *out, size_t outsz, const char **why)
{
	size_t o = 0;

	if (*s == '\'')
		s++;
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '.' || *s == '-' || *s == '\t')
			continue;
		if (strncmp(s, "\xc2\xa0", 2) == 0) { /* a no-break space */
			s++;
			continue;
		}
		if (*s == 'E' || *s == 'e') {
			*why = "written in scientific notation: the spreadsheet rounded it; format "
			       "the column as text and type the number again";
			return -1;
		}
		if (o + 1 >= outsz) {
			*why = "not a Vietnamese phone number";
			return -1;
		}
		out[o++] = *s;
	}
	out[o] = '\0';
	return 0;
}

static const char *
cell_of(const struct import *im, const struct sheetfile_row *row, enum column c)
{
	int i = im->col[c];

	return i >= 0 && (size_t)i < row->ncells ? row->cells[i] : "";
}

static void
read_row(struct import *im, const struct sheetfile_row *row)
{
	char number[PHONE_MAX];
	const char *raw = cell_of(im, row, COL_NUMBER), *why;
	struct store_sender *nv;
	size_t j;

	nv = realloc(im->v, (im->n + 1) * sizeof(*im->v));
	if (nv == NULL) {
		import_error(im, row, "out of memory");
		return;
	}
	im->v = nv;
	if (clean_number(raw, number, sizeof(number), &why) == -1 ||
	    registry_sender(im->cfg, number, cell_of(im, row, COL_NAME), cell_of(im, row, COL_ROLE),
			    cell_of(im, row, COL_COMMUNE), cell_of(im, row, COL_ACTIVE),
			    &im->v[im->n], &why) == -1) {
		import_error(im, row, "%s: %s", raw, why);
		return;
	}
	for (j = 0; j < im->n; j++)
		if (strcmp(im->v[j].number, im->v[im->n].number) == 0) {
			import_error(im, row, "%s: listed twice", raw);
			return;
		}
	im->n++;
}

/* A CSV file saved in a Windows code page (Excel's plain "CSV") is named
 * as such, at its first line that is not UTF-8, before its names are taken
 * for garbage.  0 or -1. */
static int
utf8_rows(struct import *im)
{
	const struct sheetfile_row *row;
	size_t i, c;

	for (i = 0; i < im->sf->nrows; i++) {
		row = &im->sf->rows[i];
		for (c = 0; c < row->ncells; c++) {
			if (parser_utf8_valid(row->cells[c], strlen(row->cells[c])))
				continue;
			import_error(im, row,
				     "not UTF-8 text: save the file as \"CSV UTF-8\" (Excel) or "
				     "with the character set Unicode (UTF-8) (LibreOffice)");
			return -1;
		}
	}
	return 0;
}

/* What an import does to the table. */
struct changes {
	size_t added, changed, deactivated, unchanged;
};

/* Prints one entry the way `senders list` does, after what happens to
 * it. */
static void
show_entry(const char *what, const struct store_sender *snd)
{
	char name[4 * sizeof(snd->name)];

	printf("%-12s %-13s  %-8s  %-5s  %-6s  %s\n", what, snd->number, snd->role,
	       snd->commune_code[0] ? snd->commune_code : "-", snd->active ? "active" : "off",
	       log_escape(snd->name, name, sizeof(name)));
}

/* Compares the imported rows with the table, counting and, when show is
 * set, printing each change (a changed entry as it was, then as it will
 * be).  0 or -1. */
static int
compare(struct store *st, const struct import *im, struct changes *ch, int show)
{
	struct store_sender old;
	const struct store_sender *s;
	size_t i;
	int r;

	memset(ch, 0, sizeof(*ch));
	for (i = 0; i < im->n; i++) {
		s = &im->v[i];
		r = store_sender_get(st, s->number, &old);
		if (r == -1)
			return -1;
		if (r == 0) {
			ch->added++;
			if (show)
				show_entry("added", s);
		} else if (strcmp(old.name, s->name) == 0 && strcmp(old.role, s->role) == 0 &&
			   strcmp(old.commune_code, s->commune_code) == 0 &&
			   old.active == s->active) {
			ch->unchanged++;
		} else if (old.active && !s->active) {
			ch->deactivated++;
			if (show)
				show_entry("deactivated", s);
		} else {
			ch->changed++;
			if (show) {
				show_entry("changed", &old);
				show_entry("  now", s);
			}
		}
	}
	return 0;
}

static int
import_write(struct store *st, const struct import *im)
{
	size_t i;

	if (store_begin(st) == -1)
		return -1;
	for (i = 0; i < im->n; i++)
		if (store_sender_put(st, &im->v[i], clock_now()) == -1) {
			store_rollback(st);
			return -1;
		}
	if (store_commit(st) == -1) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

/* Reads and checks the whole file first; imports nothing unless every row
 * is right, in one transaction.  A dry run shows what would change. */
static int
senders_import(const struct config *cfg, struct store *st, const char *path, int dry_run)
{
	struct import im = {cfg, path, NULL, {0}, NULL, 0, 0};
	struct changes ch;
	char err[512];
	size_t i;
	int status = 1;

	im.sf = sheetfile_read(path, err, sizeof(err));
	if (im.sf == NULL) {
		fprintf(stderr, "%s\n", err);
		goto fail;
	}
	if (im.sf->nrows == 0) {
		fprintf(stderr, "%s: empty file\n", path);
		goto fail;
	}
	if (utf8_rows(&im) == 0 && header(&im, &im.sf->rows[0]) == 0)
		for (i = 1; i < im.sf->nrows; i++)
			read_row(&im, &im.sf->rows[i]);
	if (im.errors > 0) {
		fprintf(stderr, "%s: %d error%s; nothing imported\n", path, im.errors,
			im.errors == 1 ? "" : "s");
		goto done;
	}
	if (compare(st, &im, &ch, dry_run) == -1 || (!dry_run && import_write(st, &im) == -1))
		goto fail;
	printf("%s %zu sender%s from %s: %zu added, %zu changed, %zu deactivated, %zu "
	       "unchanged%s\n",
	       dry_run ? "would import" : "imported", im.n, im.n == 1 ? "" : "s", path, ch.added,
	       ch.changed, ch.deactivated, ch.unchanged,
	       dry_run ? " (dry run: nothing written)" : "");
	status = 0;
	goto done;
fail:
	fprintf(stderr, "tinbao: senders import: nothing imported\n");
done:
	sheetfile_free(im.sf);
	free(im.v);
	return status;
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
