/*
 * sheetfile_xlsx.c - see sheetfile.h: the first worksheet of a workbook.
 *
 * An .xlsx file is a zip of XML parts.  The cells are in
 * xl/worksheets/sheet1.xml as <row r="N"><c r="B2" t="..."><v>...</v></c>;
 * a text cell's value (t="s") is an index into xl/sharedStrings.xml, whose
 * <si> elements hold the text in <t> elements (several for rich text; the
 * phonetic runs in <rPh> are not part of it); an inline string (t="inlineStr")
 * holds <is><t>...</t></is> itself.  Only those elements are read.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynlib.h"
#include "sheetfile_impl.h"

/* minizip's unzip.h (libminizip-dev), the part used here. */
typedef void *unzFile;
#define UNZ_OK 0

static struct {
	unzFile (*open64)(const void *path);
	int (*locate)(unzFile f, const char *name, int case_sensitivity);
	int (*open_current)(unzFile f);
	int (*read_current)(unzFile f, void *buf, unsigned len);
	int (*close_current)(unzFile f);
	int (*close)(unzFile f);
} unz;

static const struct dynlib_sym unz_syms[] = {
    {"unzOpen64", (void **)&unz.open64},
    {"unzLocateFile", (void **)&unz.locate},
    {"unzOpenCurrentFile", (void **)&unz.open_current},
    {"unzReadCurrentFile", (void **)&unz.read_current},
    {"unzCloseCurrentFile", (void **)&unz.close_current},
    {"unzClose", (void **)&unz.close},
};

/* Once loaded, the library stays; from either thread: see dynlib.h. */
static int
load(void)
{
	return dynlib_load("sheet", "libminizip.so.1", "libminizip1", unz_syms,
			   sizeof(unz_syms) / sizeof(unz_syms[0]));
}

/* The part called name, NUL-terminated, to free; NULL when the zip has no
 * such part (*missing set) or it cannot be read (err set). */
static char *
part(unzFile z, const char *path, const char *name, int *missing, char *err, size_t errsz)
{
	char *buf;
	size_t n = 0;
	int r = 0;

	*missing = 0;
	if (unz.locate(z, name, 1) != UNZ_OK) {
		*missing = 1;
		return NULL;
	}
	if (unz.open_current(z) != UNZ_OK) {
		snprintf(err, errsz, "%s: %s: cannot read it from the workbook", path, name);
		return NULL;
	}
	buf = malloc(SHEETFILE_MAX_BYTES + 1);
	if (buf == NULL) {
		unz.close_current(z);
		snprintf(err, errsz, "%s: out of memory", path);
		return NULL;
	}
	while (n <= SHEETFILE_MAX_BYTES &&
	       (r = unz.read_current(z, buf + n, (unsigned)(SHEETFILE_MAX_BYTES + 1 - n))) > 0)
		n += (size_t)r;
	unz.close_current(z);
	if (r < 0 || n > SHEETFILE_MAX_BYTES) {
		snprintf(err, errsz, "%s: %s: %s", path, name,
			 r < 0 ? "damaged workbook" : "too large for a list of numbers");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* ---- The XML scanner ---------------------------------------------------- */

/* 1 when p is the start tag (or empty tag) of element name. */
static int
start_tag(const char *p, const char *name)
{
	size_t n = strlen(name);

	return p[0] == '<' && strncmp(p + 1, name, n) == 0 &&
	       strchr(" \t\r\n/>", p[1 + n]) != NULL && p[1 + n] != '\0';
}

/* The next start tag of name at or after p and before end, or NULL. */
static const char *
next_tag(const char *p, const char *end, const char *name)
{
	for (p = strchr(p, '<'); p != NULL && p < end; p = strchr(p + 1, '<'))
		if (start_tag(p, name))
			return p;
	return NULL;
}

/* Where the element whose start tag is at p ends: after its end tag, or
 * after the start tag for an empty one (*empty set).  NULL when broken. */
static const char *
element_end(const char *p, const char *name, int *empty, const char **content)
{
	const char *gt = strchr(p, '>');
	char close[32];

	if (gt == NULL)
		return NULL;
	*content = gt + 1;
	*empty = gt[-1] == '/';
	if (*empty)
		return gt + 1;
	snprintf(close, sizeof(close), "</%s>", name);
	p = strstr(gt, close);
	return p == NULL ? NULL : p + strlen(close);
}

/* The value of attribute name in the start tag at p into out ("" when it
 * has none). */
static void
attribute(const char *p, const char *name, char *out, size_t outsz)
{
	const char *gt = strchr(p, '>'), *v, *q;
	size_t n = strlen(name);
	char quote;

	out[0] = '\0';
	for (v = p; gt != NULL && (v = strstr(v + 1, name)) != NULL && v < gt;) {
		if (strchr(" \t\r\n", v[-1]) == NULL || v[n] != '=' ||
		    (v[n + 1] != '"' && v[n + 1] != '\''))
			continue;
		quote = v[n + 1];
		q = strchr(v + n + 2, quote);
		if (q == NULL || q > gt)
			return;
		snprintf(out, outsz, "%.*s", (int)(q - v - n - 2), v + n + 2);
		return;
	}
}

static size_t
utf8_put(unsigned long c, char *o)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | (c >> 6 & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | (c >> 12 & 0x3f));
	o[2] = (char)(0x80 | (c >> 6 & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* The entity or character reference at p ("&amp;", "&#233;", "&#xE9;")
 * before end: where it ends, with its code point in *c; or NULL. */
static const char *
entity(const char *p, const char *end, unsigned long *c)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = {
	    {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
	int hex = p[1] == '#' && p[2] == 'x';
	const char *digits = p + (hex ? 3 : 2);
	char *stop;
	size_t i, n;

	for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		n = strlen(ents[i].name);
		if ((size_t)(end - p) >= n && strncmp(p, ents[i].name, n) == 0) {
			*c = (unsigned char)ents[i].c;
			return p + n;
		}
	}
	if (p[1] != '#' ||
	    !(hex ? isxdigit((unsigned char)*digits) : isdigit((unsigned char)*digits)))
		return NULL;
	*c = strtoul(digits, &stop, hex ? 16 : 10);
	if (stop >= end || *stop != ';' || *c == 0 || *c >= 0x110000)
		return NULL;
	return stop + 1;
}

/* Appends the character data from p to end to *out (of *len bytes), with
 * its entities decoded.  0, or -1 out of memory. */
static int
append_text(const char *p, const char *end, char **out, size_t *len)
{
	const char *next;
	char *nv, *o;
	unsigned long c;

	/* Decoding never makes text longer (a character reference of up to 4
	 * UTF-8 bytes takes at least 4 characters). */
	nv = realloc(*out, *len + (size_t)(end - p) + 1);
	if (nv == NULL)
		return -1;
	*out = nv;
	o = nv + *len;
	while (p < end) {
		next = *p == '&' ? entity(p, end, &c) : NULL;
		if (next == NULL) {
			*o++ = *p++;
			continue;
		}
		o += utf8_put(c, o);
		p = next;
	}
	*o = '\0';
	*len = (size_t)(o - *out);
	return 0;
}

/* The text of the <t> elements from p to end, outside <rPh> (phonetic
 * runs), into *out.  0, or -1 out of memory or broken. */
static int
text_of(const char *p, const char *end, char **out)
{
	const char *e, *content;
	size_t len = 0;
	int empty;

	*out = calloc(1, 1);
	if (*out == NULL)
		return -1;
	for (p = strchr(p, '<'); p != NULL && p < end; p = strchr(p, '<')) {
		if (start_tag(p, "rPh")) {
			e = strstr(p, "</rPh>");
			if (e == NULL || e >= end)
				return -1;
			p = e + 6;
		} else if (start_tag(p, "t")) {
			e = element_end(p, "t", &empty, &content);
			if (e == NULL || e > end)
				return -1;
			if (!empty && append_text(content, e - 4, out, &len) == -1)
				return -1;
			p = e;
		} else {
			p++;
		}
	}
	return 0;
}

/* ---- The parts ---------------------------------------------------------- */

struct strings {
	char **v;
	size_t n;
};

static int
shared_strings(const char *xml, struct strings *ss)
{
	const char *p = xml, *end = xml + strlen(xml), *si, *e, *content;
	char **nv;
	int empty;

	while ((si = next_tag(p, end, "si")) != NULL) {
		e = element_end(si, "si", &empty, &content);
		if (e == NULL)
			return -1;
		nv = realloc(ss->v, (ss->n + 1) * sizeof(*ss->v));
		if (nv == NULL)
			return -1;
		ss->v = nv;
		/* text_of() gives a string to free even when it fails. */
		if (empty) {
			ss->v[ss->n] = calloc(1, 1);
		} else if (text_of(content, e, &ss->v[ss->n]) == -1) {
			free(ss->v[ss->n]);
			ss->v[ss->n] = NULL;
		}
		if (ss->v[ss->n] == NULL)
			return -1;
		ss->n++;
		p = e;
	}
	return 0;
}

/* The 0-based column of a cell reference ("B2" is 1), or -1. */
static long
column_of(const char *ref)
{
	long col = 0;

	if (*ref < 'A' || *ref > 'Z')
		return -1;
	for (; *ref >= 'A' && *ref <= 'Z' && col < 100000; ref++)
		col = col * 26 + (*ref - 'A' + 1);
	return col - 1;
}

/* One <c> element from c to e into the last row at column col. */
static int
cell(struct sheetfile *sf, const struct strings *ss, const char *c, const char *content,
     const char *e, size_t col)
{
	const char *v, *ve, *vc;
	char type[16], *text = NULL;
	unsigned long i;
	int empty, r;

	attribute(c, "t", type, sizeof(type));
	if (strcmp(type, "inlineStr") == 0) {
		if (text_of(content, e, &text) == -1) {
			free(text);
			return -1;
		}
	} else {
		v = next_tag(content, e, "v");
		if (v == NULL)
			return 0;
		ve = element_end(v, "v", &empty, &vc);
		if (ve == NULL || ve > e)
			return -1;
		if (!empty) {
			size_t len = 0;

			if (append_text(vc, ve - 4, &text, &len) == -1)
				return -1;
		}
		if (text != NULL && strcmp(type, "s") == 0) {
			i = strtoul(text, NULL, 10);
			free(text);
			text = NULL;
			if (i >= ss->n)
				return -1;
			return sheetfile_cell(sf, col, ss->v[i], strlen(ss->v[i]));
		}
	}
	r = text == NULL ? 0 : sheetfile_cell(sf, col, text, strlen(text));
	free(text);
	return r;
}

static int
worksheet(struct sheetfile *sf, const char *xml, const struct strings *ss)
{
	const char *p = xml, *end = xml + strlen(xml), *row, *re, *rc, *c, *ce, *cc;
	char ref[32];
	long col;
	int row_empty, cell_empty, where = 0;

	while ((row = next_tag(p, end, "row")) != NULL) {
		re = element_end(row, "row", &row_empty, &rc);
		if (re == NULL)
			return -1;
		attribute(row, "r", ref, sizeof(ref));
		where = ref[0] != '\0' ? atoi(ref) : where + 1;
		if (sheetfile_row_new(sf, where) == -1)
			return -1;
		col = -1;
		for (p = rc; !row_empty && (c = next_tag(p, re, "c")) != NULL; p = ce) {
			ce = element_end(c, "c", &cell_empty, &cc);
			if (ce == NULL || ce > re)
				return -1;
			attribute(c, "r", ref, sizeof(ref));
			col = ref[0] != '\0' ? column_of(ref) : col + 1;
			if (col < 0 || col >= SHEETFILE_MAX_CELLS)
				return -1;
			if (!cell_empty && cell(sf, ss, c, cc, ce, (size_t)col) == -1)
				return -1;
		}
		sheetfile_row_end(sf);
		p = re;
	}
	return 0;
}

int
sheetfile_xlsx_parts(struct sheetfile *sf, const char *shared, const char *sheet, const char *path,
		     char *err, size_t errsz)
{
	struct strings ss = {NULL, 0};
	size_t i;
	int r = -1;

	if (shared != NULL && shared_strings(shared, &ss) == -1) {
		snprintf(err, errsz, "%s: xl/sharedStrings.xml: damaged or out of memory", path);
		goto done;
	}
	if (worksheet(sf, sheet, &ss) == -1) {
		snprintf(err, errsz, "%s: row %d: damaged cell, too many columns or out of memory",
			 path, sf->nrows > 0 ? sf->rows[sf->nrows - 1].where : 1);
		goto done;
	}
	r = 0;
done:
	for (i = 0; i < ss.n; i++)
		free(ss.v[i]);
	free(ss.v);
	return r;
}

int
sheetfile_xlsx(struct sheetfile *sf, const char *path, char *err, size_t errsz)
{
	char *shared = NULL, *sheet = NULL;
	unzFile z;
	int missing, r = -1;

	if (load() == -1) {
		snprintf(err, errsz, "%s: cannot read workbooks: libminizip.so.1 is missing", path);
		return -1;
	}
	z = unz.open64(path);
	if (z == NULL) {
		snprintf(err, errsz, "%s: not an .xlsx workbook (or cannot be opened)", path);
		return -1;
	}
	shared = part(z, path, "xl/sharedStrings.xml", &missing, err, errsz);
	if (shared == NULL && !missing)
		goto done;
	sheet = part(z, path, "xl/worksheets/sheet1.xml", &missing, err, errsz);
	if (sheet == NULL) {
		if (missing)
			snprintf(err, errsz, "%s: the workbook has no first worksheet", path);
		goto done;
	}
	r = sheetfile_xlsx_parts(sf, shared, sheet, path, err, errsz);
done:
	free(shared);
	free(sheet);
	unz.close(z);
	return r;
}
