/*
 * registry_import.c - a registry file as Excel and LibreOffice save it, read
 * and checked row by row, compared with the senders table and imported all
 * or nothing (registry.h).
 */
#include <stdarg.h>
#include <stdint.h>
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

/* A file's rows, read and checked: the entries to compare and write. */
struct registry_file {
	struct store_sender *v;
	size_t n;
};

struct import {
	const struct config *cfg;
	const char *label;
	const struct registry_report *rep;
	struct sheetfile *sf;
	int col[NCOLUMNS]; /* the cell of each column, or -1 */
	struct registry_file *rf;
	size_t *seen; /* the numbers read: open addressing, 0 or 1 + an index of rf->v */
	size_t mask;  /* the size of seen, a power of two, less one */
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

/* FNV-1a: the numbers differ in their last digits. */
static size_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Adds the entry just read to the numbers seen: 0, or 1 when its number was
 * there already.  The table is never more than half full. */
static int
seen_add(struct import *im)
{
	const struct store_sender *v = im->rf->v;
	size_t k = hash(v[im->rf->n].number) & im->mask;

	for (; im->seen[k] != 0; k = (k + 1) & im->mask)
		if (strcmp(v[im->seen[k] - 1].number, v[im->rf->n].number) == 0)
			return 1;
	im->seen[k] = im->rf->n + 1;
	return 0;
}

/* Room for every row of the file at once, and a table of the numbers seen
 * twice as large: a row costs the same whatever its place.  0 or -1. */
static int
rows_alloc(struct import *im, size_t nrows)
{
	size_t size = 2;

	while (size < 2 * nrows)
		size *= 2;
	im->mask = size - 1;
	im->seen = calloc(size, sizeof(*im->seen));
	im->rf = calloc(1, sizeof(*im->rf));
	if (im->rf != NULL)
		im->rf->v = calloc(nrows > 0 ? nrows : 1, sizeof(*im->rf->v));
	if (im->seen == NULL || im->rf == NULL || im->rf->v == NULL) {
		im->rep->error(im->rep->arg, "out of memory");
		return -1;
	}
	return 0;
}

static void
read_row(struct import *im, const struct sheetfile_row *row)
{
	char number[PHONE_MAX];
	const char *raw = cell_of(im, row, COL_NUMBER), *name = cell_of(im, row, COL_NAME), *why;

	/* A name the export wrote behind a quote, lest a spreadsheet take it
	 * for a formula (registry_export). */
	if (name[0] == '\'' && registry_formula_like(name))
		name++;
	if (clean_number(raw, number, sizeof(number), &why) == -1 ||
	    registry_sender(im->cfg, number, name, cell_of(im, row, COL_ROLE),
			    cell_of(im, row, COL_COMMUNE), cell_of(im, row, COL_ACTIVE),
			    &im->rf->v[im->rf->n], &why) == -1) {
		import_error(im, row, "%s: %s", raw, why);
		return;
	}
	if (seen_add(im) == 1) {
		import_error(im, row, "%s: listed twice", raw);
		return;
	}
	im->rf->n++;
}

/* A district has a few hundred numbers: a file of many more is another
 * file, or rows pasted twice over, and no reason to hold the console or
 * the database.  Refused at its first row past the cap: 0 or -1. */
static int
cap(struct import *im)
{
	const struct sheetfile_row *row;

	if (im->sf->nrows - 1 <= REGISTRY_MAX_ROWS)
		return 0;
	row = &im->sf->rows[REGISTRY_MAX_ROWS + 1];
	if (im->rep->vietnamese)
		import_error(im, row,
			     "quá %d số: mỗi lần nhập danh bạ nhiều nhất %d số (một huyện chỉ có "
			     "vài trăm số); hãy xem lại tệp hoặc chia thành nhiều tệp",
			     REGISTRY_MAX_ROWS, REGISTRY_MAX_ROWS);
	else
		import_error(im, row,
			     "more than %d numbers: an import takes at most %d (a district has a "
			     "few hundred); check the file, or split it",
			     REGISTRY_MAX_ROWS, REGISTRY_MAX_ROWS);
	return -1;
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
compare(struct store *st, const struct registry_file *rf, struct registry_changes *ch,
	const struct registry_report *rep)
{
	struct store_sender old;
	const struct store_sender *s;
	size_t i;
	int r;

	memset(ch, 0, sizeof(*ch));
	for (i = 0; i < rf->n; i++) {
		s = &rf->v[i];
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

int
registry_read(const struct config *cfg, const char *path, const char *label,
	      const struct registry_report *rep, struct registry_file **rfp)
{
	struct import im = {cfg, label, rep, NULL, {0}, NULL, NULL, 0, 0};
	char err[512];
	size_t i;
	int r = -1;

	*rfp = NULL;
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
	if (utf8_rows(&im) == 0 && header(&im, &im.sf->rows[0]) == 0 && cap(&im) == 0) {
		if (rows_alloc(&im, im.sf->nrows - 1) == -1)
			goto done;
		for (i = 1; i < im.sf->nrows; i++)
			read_row(&im, &im.sf->rows[i]);
	}
	if (im.errors > 0) {
		r = im.errors;
		goto done;
	}
	*rfp = im.rf;
	im.rf = NULL;
	r = 0;
done:
	sheetfile_free(im.sf);
	free(im.seen);
	registry_file_free(im.rf);
	return r;
}

int
registry_apply(struct store *st, const struct registry_file *rf, int write,
	       const struct registry_report *rep, struct registry_changes *ch)
{
	int64_t now = clock_now();
	size_t i;

	if (compare(st, rf, ch, rep) == -1)
		return -1;
	for (i = 0; write && i < rf->n; i++)
		if (store_sender_put(st, &rf->v[i], now) == -1)
			return -1;
	ch->n = rf->n;
	return 0;
}

void
registry_file_free(struct registry_file *rf)
{
	if (rf == NULL)
		return;
	free(rf->v);
	free(rf);
}

int
registry_import(const struct config *cfg, struct store *st, const char *path, const char *label,
		int write, const struct registry_report *rep, struct registry_changes *ch)
{
	struct registry_file *rf;
	int r;

	memset(ch, 0, sizeof(*ch));
	r = registry_read(cfg, path, label, rep, &rf);
	if (r == 0)
		r = registry_apply(st, rf, write, rep, ch);
	registry_file_free(rf);
	return r;
}
