/*
 * sheetfile.c - see sheetfile.h: the rows, and CSV files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "sheetfile_impl.h"

int
sheetfile_row_new(struct sheetfile *sf, int where)
{
	struct sheetfile_row *nv;

	nv = realloc(sf->rows, (sf->nrows + 1) * sizeof(*sf->rows));
	if (nv == NULL)
		return -1;
	sf->rows = nv;
	memset(&sf->rows[sf->nrows], 0, sizeof(sf->rows[0]));
	sf->rows[sf->nrows++].where = where;
	return 0;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int
sheetfile_cell(struct sheetfile *sf, size_t col, const char *s, size_t n)
{
	struct sheetfile_row *r = &sf->rows[sf->nrows - 1];
	char **nv, *c;
	size_t i;

	if (col >= SHEETFILE_MAX_CELLS)
		return -1;
	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	if (col >= r->ncells) {
		nv = realloc(r->cells, (col + 1) * sizeof(*r->cells));
		if (nv == NULL)
			return -1;
		r->cells = nv;
		for (i = r->ncells; i <= col; i++)
			r->cells[i] = NULL;
		r->ncells = col + 1;
	}
	c = malloc(n + 1);
	if (c == NULL)
		return -1;
	memcpy(c, s, n);
	c[n] = '\0';
	free(r->cells[col]);
	r->cells[col] = c;
	/* Cells skipped before it are empty, never NULL. */
	for (i = 0; i < col; i++)
		if (r->cells[i] == NULL && (r->cells[i] = calloc(1, 1)) == NULL)
			return -1;
	return 0;
}

static void
row_free(struct sheetfile_row *r)
{
	size_t i;

	for (i = 0; i < r->ncells; i++)
		free(r->cells[i]);
	free(r->cells);
}

void
sheetfile_row_end(struct sheetfile *sf)
{
	struct sheetfile_row *r = &sf->rows[sf->nrows - 1];
	size_t i;

	for (i = 0; i < r->ncells; i++)
		if (r->cells[i][0] != '\0')
			return;
	row_free(r);
	sf->nrows--;
}

void
sheetfile_free(struct sheetfile *sf)
{
	size_t i;

	if (sf == NULL)
		return;
	for (i = 0; i < sf->nrows; i++)
		row_free(&sf->rows[i]);
	free(sf->rows);
	free(sf);
}

char *
sheetfile_slurp(const char *path, size_t *len, char *err, size_t errsz)
{
	struct stat sb;
	FILE *in;
	char *buf = NULL;
	size_t n, cap;

	in = fopen(path, "rb");
	if (in == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(in), &sb) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	/* A pipe has no size: it may bring up to the most a file may hold. */
	cap = S_ISREG(sb.st_mode) ? (size_t)sb.st_size : SHEETFILE_MAX_BYTES;
	if (cap > SHEETFILE_MAX_BYTES) {
		snprintf(err, errsz, "%s: too large for a list of numbers", path);
		goto fail;
	}
	/* One byte more than that: a file that grew, or a pipe that brings
	 * too much, is seen to. */
	buf = malloc(cap + 2);
	if (buf == NULL) {
		snprintf(err, errsz, "%s: out of memory", path);
		goto fail;
	}
	n = fread(buf, 1, cap + 1, in);
	if (ferror(in) || n > cap) {
		snprintf(err, errsz, "%s: %s", path,
			 ferror(in) ? "read error" : "too large for a list of numbers");
		goto fail;
	}
	fclose(in);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	fclose(in);
	return NULL;
}

/* The separator the header line uses most outside quotes: ';', ',' or a
 * tab (',' when it has none, a file of one column). */
static char
detect_sep(const char *p)
{
	static const char seps[] = {';', ',', '\t'};
	size_t count[3] = {0, 0, 0}, i, best = 1;
	int quoted = 0;

	for (; *p != '\0' && (quoted || (*p != '\n' && *p != '\r')); p++) {
		if (*p == '"')
			quoted = !quoted;
		for (i = 0; !quoted && i < 3; i++)
			count[i] += *p == seps[i];
	}
	for (i = 0; i < 3; i++)
		if (count[i] > count[best])
			best = i;
	return seps[best];
}

/*
 * One field at *pp, unquoted in place into out (which may be *pp itself:
 * the field never grows).  Leaves *pp on the separator or the end of the
 * record.  Its length, or -1 for a quote left open or text after a closing
 * quote.  *line counts the line breaks inside quotes.
 */
static long
field(char **pp, char sep, char *out, int *line)
{
	char *r = *pp, *w = out;

	while (*r == ' ')
		r++;
	if (*r != '"') {
		while (*r != sep && *r != '\n' && *r != '\0')
			*w++ = *r++;
		*pp = r;
		return w - out;
	}
	for (r++;; r++) {
		if (*r == '\0')
			return -1;
		if (*r == '"' && r[1] == '"') {
			*w++ = '"';
			r++;
		} else if (*r == '"') {
			break;
		} else {
			*line += *r == '\n';
			*w++ = *r;
		}
	}
	for (r++; *r == ' ' || *r == '\r'; r++)
		;
	*pp = r;
	if (*r != sep && *r != '\n' && *r != '\0')
		return -1;
	return w - out;
}

int
sheetfile_csv(struct sheetfile *sf, const char *path, char *buf, char *err, size_t errsz)
{
	char *p = buf, *f;
	int line = 1, start;
	size_t col;
	long n;

	if (strncmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (*p == '\n' || *p == '\r') {
		line += *p == '\n';
		p++;
	}
	sf->sep = detect_sep(p);
	while (*p != '\0') {
		start = line;
		if (*p == '#') {
			p += strcspn(p, "\n");
		} else {
			if (sheetfile_row_new(sf, start) == -1)
				goto oom;
			for (col = 0;; col++) {
				f = p;
				n = field(&p, sf->sep, f, &line);
				if (n == -1) {
					snprintf(err, errsz, "%s:%d: a quote is not closed", path,
						 start);
					return -1;
				}
				if (col >= SHEETFILE_MAX_CELLS) {
					snprintf(err, errsz, "%s:%d: more than %d fields", path,
						 start, SHEETFILE_MAX_CELLS);
					return -1;
				}
				if (sheetfile_cell(sf, col, f, (size_t)n) == -1)
					goto oom;
				if (*p != sf->sep)
					break;
				p++;
			}
			sheetfile_row_end(sf);
		}
		if (*p == '\n') {
			line++;
			p++;
		}
	}
	return 0;
oom:
	snprintf(err, errsz, "%s: out of memory", path);
	return -1;
}

struct sheetfile *
sheetfile_read(const char *path, char *err, size_t errsz)
{
	struct sheetfile *sf;
	size_t len = strlen(path), n;
	char *buf;
	int r;

	sf = calloc(1, sizeof(*sf));
	if (sf == NULL) {
		snprintf(err, errsz, "%s: out of memory", path);
		return NULL;
	}
	if (len > 5 && strcasecmp(path + len - 5, ".xlsx") == 0) {
		sf->xlsx = 1;
		r = sheetfile_xlsx(sf, path, err, errsz);
	} else {
		buf = sheetfile_slurp(path, &n, err, errsz);
		r = buf == NULL ? -1 : sheetfile_csv(sf, path, buf, err, errsz);
		free(buf);
	}
	if (r == -1) {
		sheetfile_free(sf);
		return NULL;
	}
	return sf;
}
