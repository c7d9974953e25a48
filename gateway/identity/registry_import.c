/*
 * registry_import.c - a registry file as Excel and LibreOffice save it, read
 * and checked row by row, compared with the senders table and imported all
 * or nothing (registry.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "parser.h"
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
	const char *label;
	const struct registry_report *rep;
	struct sheetfile *sf;
	int col[NCOLUMNS]; /* the cell of each column, or -1 */
	struct store_sender *v;
	size_t n;
	int errors;
};

static void import_error(struct import *im, const struct sheetfile_row *row, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "label:line: why", or "label: row N: why" for a workbook. */
static void
import_error(struct import *im, const struct sheetfile_row *row, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	if (im->sf->xlsx)
		n = snprintf(msg, sizeof(msg), "%s: row %d: ", im->label, row->where);
	else
		n = snprintf(msg, sizeof(msg), "%s:%d: ", im->label, row->where);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(msg))
		vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	im->rep->error(im->rep->arg, msg);
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

/* Compares the imported rows with the table, counting and, when rep asks,
 * showing each change (a changed entry as it was, then as it will be).  0
 * or -1. */
static int
compare(struct store *st, const struct import *im, struct registry_changes *ch,
	const struct registry_report *rep)
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
			if (rep->change != NULL)
				rep->change(rep->arg, "added", s);
		} else if (strcmp(old.name, s->name) == 0 && strcmp(old.role, s->role) == 0 &&
			   strcmp(old.commune_code, s->commune_code) == 0 &&
			   old.active == s->active) {
			ch->unchanged++;
		} else if (old.active && !s->active) {
			ch->deactivated++;
			if (rep->change != NULL)
				rep->change(rep->arg, "deactivated", s);
		} else {
			ch->changed++;
			if (rep->change != NULL) {
				rep->change(rep->arg, "changed", &old);
				rep->change(rep->arg, "  now", s);
			}
		}
	}
	return 0;
}

static int
import_write(struct store *st, const struct import *im, int64_t now)
{
	size_t i;

	for (i = 0; i < im->n; i++)
		if (store_sender_put(st, &im->v[i], now) == -1)
			return -1;
	return 0;
}

int
registry_import(const struct config *cfg, struct store *st, const char *path, const char *label,
		int write, const struct registry_report *rep, struct registry_changes *ch)
{
	struct import im = {cfg, label, rep, NULL, {0}, NULL, 0, 0};
	char err[512];
	size_t i;
	int r = -1;

	memset(ch, 0, sizeof(*ch));
	im.sf = sheetfile_read(path, err, sizeof(err));
	if (im.sf == NULL) {
		rep->error(rep->arg, err);
		goto done;
	}
	if (im.sf->nrows == 0) {
		snprintf(err, sizeof(err), "%s: empty file", label);
		rep->error(rep->arg, err);
		goto done;
	}
	if (utf8_rows(&im) == 0 && header(&im, &im.sf->rows[0]) == 0)
		for (i = 1; i < im.sf->nrows; i++)
			read_row(&im, &im.sf->rows[i]);
	if (im.errors > 0) {
		r = im.errors;
		goto done;
	}
	if (compare(st, &im, ch, rep) == -1 || (write && import_write(st, &im, clock_now()) == -1))
		goto done;
	ch->n = im.n;
	r = 0;
done:
	sheetfile_free(im.sf);
	free(im.v);
	return r;
}
