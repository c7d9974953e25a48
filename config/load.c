/*
 * load.c - config_load(): reading the libconfig file, walking it against the
 * key tables, reporting problems with file:line.  See config.h and impl.h.
 *
 * Loading is done in three passes over the libconfig tree:
 *
 *  1. structure: every group is walked against a table of its known keys
 *     (type, range, required or not) and the values are copied into struct
 *     config.  Unknown keys are errors: a misspelt setting silently taking
 *     its default is the worst kind of configuration bug.  The tables and
 *     the checks of their values are in the group's file (push.c for
 *     "push", ...); the top level's table is in config.c.
 *  2. cross-checks, which need several settings at once: duplicate codes,
 *     folded forms naming two units, keyword forms used for two kinds,
 *     validity dates, plan bounds, whether the gammurc exists.  Each is in
 *     the file of its group.
 *  3. when there was no error, the parser is built from struct config
 *     (parser.c).
 *
 * Every problem is recorded with its file and line and loading carries on,
 * so that one run of check-config lists them all.  Values that fail a check
 * are still stored; the config is thrown away at the end anyway.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "impl.h"
#include "log.h"

#define MSG_MAX 1024

static void vreport(struct loader *, const char *, int, int, const char *, va_list)
    __attribute__((format(printf, 5, 0)));
static void diag_at(struct loader *, const char *, int, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* Diagnostics ----------------------------------------------------------- */

/*
 * libconfig gives the name of an @included file as it was written, while it
 * opened it relative to the include directory (the config's directory): the
 * same is done here so that the file in a message can be opened.
 */
static void
file_name(struct loader *l, const char *file, char *buf, size_t size)
{
	if (file == NULL)
		file = l->path;
	if (file[0] == '/' || l->dir == NULL || strcmp(file, l->path) == 0)
		snprintf(buf, size, "%s", file);
	else
		snprintf(buf, size, "%s%s", l->dir, file);
}

static void
vreport(struct loader *l, const char *file, int line, int warning, const char *fmt, va_list ap)
{
	struct config_diags *d = l->diags;
	struct config_diag *v;
	char msg[MSG_MAX], name[PATH_MAX];

	if (!warning)
		l->nerrors++;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	file_name(l, file, name, sizeof(name));
	v = reallocarray(d->v, d->n + 1, sizeof(*v));
	if (v == NULL)
		return;
	d->v = v;
	v += d->n;
	v->file = strdup(name);
	v->msg = strdup(msg);
	v->line = line;
	v->warning = warning;
	if (v->file == NULL || v->msg == NULL) {
		free(v->file);
		free(v->msg);
		return;
	}
	d->n++;
}

/* Reports a problem at setting s (or about the whole file when s is NULL). */
void
report(struct loader *l, const config_setting_t *s, int warning, const char *fmt, ...)
{
	va_list ap;
	const char *file = NULL;
	int line = 0;

	if (s != NULL) {
		file = config_setting_source_file(s);
		line = (int)config_setting_source_line(s);
	}
	va_start(ap, fmt);
	vreport(l, file, line, warning, fmt, ap);
	va_end(ap);
}

/* Reports an error at file:line (libconfig's syntax errors). */
static void
diag_at(struct loader *l, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(l, file, line, 0, fmt, ap);
	va_end(ap);
}

/* "line 40", or "other.conf:40" when ref is in another file than s. */
void
where(struct loader *l, const config_setting_t *s, const config_setting_t *ref, char *buf,
      size_t size)
{
	const char *a = config_setting_source_file(s), *b = config_setting_source_file(ref);
	char name[PATH_MAX];

	if (a != NULL && b != NULL && strcmp(a, b) != 0) {
		file_name(l, b, name, sizeof(name));
		snprintf(buf, size, "%s:%d", name, (int)config_setting_source_line(ref));
	} else
		snprintf(buf, size, "line %d", (int)config_setting_source_line(ref));
}

/* The name of setting s, or of the array or list it is an entry of. */
const char *
label(const config_setting_t *s)
{
	while (s != NULL && config_setting_name(s) == NULL)
		s = config_setting_parent(s);
	if (s == NULL || config_setting_name(s) == NULL)
		return "?";
	return config_setting_name(s);
}

/* Where group g is, for messages: "", ` in "gammu"`, ` in "communes" entry 3`. */
static void
group_name(const config_setting_t *g, char *buf, size_t size)
{
	if (config_setting_is_root(g))
		buf[0] = '\0';
	else if (config_setting_name(g) != NULL)
		snprintf(buf, size, " in \"%s\"", config_setting_name(g));
	else
		snprintf(buf, size, " in \"%s\" entry %d", label(g), config_setting_index(g) + 1);
}

char *
copy(struct loader *l, const char *s)
{
	char *p;

	p = strdup(s);
	if (p == NULL)
		report(l, NULL, 0, "out of memory");
	return p;
}

/* Pass 1: structure -------------------------------------------------------- */

static void load_group(struct loader *, const config_setting_t *, const struct key *, void *);

/* Edit distance of two short names, to suggest a key for a misspelt one. */
static int
distance(const char *a, const char *b)
{
	int d[33], prev, old, best;
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > 32 || lb > 32)
		return INT_MAX;
	for (j = 0; j <= lb; j++)
		d[j] = (int)j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			old = d[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (d[j] + 1 < best)
				best = d[j] + 1;
			if (d[j - 1] + 1 < best)
				best = d[j - 1] + 1;
			d[j] = best;
			prev = old;
		}
	}
	return d[lb];
}

static void
unknown_key(struct loader *l, const config_setting_t *g, const config_setting_t *s,
	    const struct key *keys)
{
	const struct key *k, *near = NULL;
	char in[128];
	int d, best = 3;

	for (k = keys; k->name != NULL; k++) {
		d = distance(config_setting_name(s), k->name);
		/* Only a near miss: "foo" is not a typo of "log". */
		if (d < best && 2 * d < (int)strlen(config_setting_name(s))) {
			best = d;
			near = k;
		}
	}
	group_name(g, in, sizeof(in));
	if (near != NULL)
		report(l, s, 0, "unknown setting \"%s\"%s (did you mean \"%s\"?)",
		       config_setting_name(s), in, near->name);
	else
		report(l, s, 0, "unknown setting \"%s\"%s", config_setting_name(s), in);
}

static void
load_string(struct loader *l, const config_setting_t *s, const struct key *k, char **dst)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		report(l, s, 0, "\"%s\" must be a string (in double quotes)", k->name);
		return;
	}
	v = config_setting_get_string(s);
	if (k->check != NULL)
		k->check(l, s, v);
	free(*dst);
	*dst = copy(l, v);
}

/* The whole text of the file a setting is in (cached), or NULL. */
static const char *
file_text(struct loader *l, const char *file)
{
	char name[PATH_MAX];
	FILE *f;
	long size;

	file_name(l, file, name, sizeof(name));
	if (l->text_file != NULL && strcmp(l->text_file, name) == 0)
		return l->text;
	free(l->text_file);
	free(l->text);
	l->text_file = strdup(name);
	l->text = NULL;
	l->line_at = NULL;
	l->line = 0;
	f = fopen(name, "r");
	if (l->text_file == NULL || f == NULL) {
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		l->text = malloc((size_t)size + 1);
		if (l->text != NULL && fread(l->text, 1, (size_t)size, f) == (size_t)size) {
			l->text[size] = '\0';
		} else {
			free(l->text);
			l->text = NULL;
		}
	}
	fclose(f);
	return l->text;
}

/* The start of line `line` (from 1) of l->text, or NULL. */
static const char *
line_start(struct loader *l, unsigned int line)
{
	const char *p = l->text;
	unsigned int i = 1;

	if (l->line_at != NULL && l->line <= line) {
		p = l->line_at;
		i = l->line;
	}
	for (; i < line && p != NULL; i++) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	if (p != NULL) {
		l->line_at = p;
		l->line = line;
	}
	return p;
}

/* Past white space and comments (#, //, slash-star). */
static const char *
skip_blank(const char *p)
{
	for (;;) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			p = strstr(p + 2, "*/");
			if (p == NULL)
				return "";
			p += 2;
		} else {
			return p;
		}
	}
}

static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '*';
}

/*
 * libconfig before 1.7 keeps an integer written without an L suffix in 32
 * bits: 4294967296 becomes 0 ("no cap"), 4294967297 becomes 1.  The value
 * written is read again from the file, as a 64-bit number, so that the range
 * check sees it.  *v is left alone when the literal cannot be found (the
 * value libconfig gives is then right: it did not wrap).  0, or -1 when the
 * literal is too large even for 64 bits (*lit and *litlen then point at it).
 */
static int
literal_int64(struct loader *l, const config_setting_t *s, long long *v, const char **lit,
	      int *litlen)
{
	const char *name = config_setting_name(s), *file = config_setting_source_file(s);
	const char *text, *p, *q, *next, *eol;
	unsigned int line = config_setting_source_line(s);
	unsigned long long u;
	long long got = config_setting_get_int64(s), x;
	size_t len;
	char *end;
	int neg;

	if (name == NULL || line == 0 || config_setting_type(s) != CONFIG_TYPE_INT)
		return 0;
	text = file_text(l, file);
	if (text == NULL)
		return 0;
	p = line_start(l, line);
	if (p == NULL)
		return 0;
	eol = p + strcspn(p, "\n");
	len = strlen(name);
	/* Several settings of that name may share the line: the one whose 32
	 * bits are what libconfig kept. */
	/* The next search starts past this match, within the text: skip_blank()
	 * may leave q at the end of the text, or on "" outside it (a comment
	 * not closed before a NUL byte). */
	for (q = p; (q = strstr(q, name)) != NULL && q < eol; q = next) {
		next = q + len;
		if ((q > p && name_char(q[-1])) || name_char(q[len]))
			continue;
		q = skip_blank(q + len);
		if (*q != '=' && *q != ':')
			continue;
		q = skip_blank(q + 1);
		neg = *q == '-';
		if (*q == '-' || *q == '+')
			q++;
		if (*q < '0' || *q > '9')
			continue;
		errno = 0;
		if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
			u = strtoull(q + 2, &end, 16);
		else
			u = strtoull(q, &end, 10);
		if (*end == '.' || *end == 'e' || *end == 'E')
			continue; /* a float */
		if (errno == ERANGE ||
		    u > (unsigned long long)LLONG_MAX + (unsigned long long)neg) {
			*lit = q - neg;
			*litlen = (int)(end - *lit);
			return -1;
		}
		x = neg ? (long long)(0ULL - u) : (long long)u;
		if ((uint32_t)(unsigned long long)x == (uint32_t)(unsigned long long)got) {
			*v = x;
			return 0;
		}
	}
	return 0;
}

static int
load_number(struct loader *l, const config_setting_t *s, const struct key *k, long *v)
{
	long long n;
	const char *lit;
	int litlen;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		report(l, s, 0, "\"%s\" must be an integer", k->name);
		return -1;
	}
	n = config_setting_get_int64(s);
	if (literal_int64(l, s, &n, &lit, &litlen) == -1) {
		report(l, s, 0, "\"%s\" must be between %ld and %ld (not %.*s)", k->name, k->min,
		       k->max, litlen, lit);
		return -1;
	}
	if (n < k->min || n > k->max) {
		if (k->max == INT_MAX)
			report(l, s, 0, "\"%s\" must be at least %ld (not %lld)", k->name, k->min,
			       n);
		else
			report(l, s, 0, "\"%s\" must be between %ld and %ld (not %lld)", k->name,
			       k->min, k->max, n);
		return -1;
	}
	*v = (long)n;
	return 0;
}

static void
load_bool(struct loader *l, const config_setting_t *s, const struct key *k, int *dst)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		report(l, s, 0, "\"%s\" must be true or false", k->name);
		return;
	}
	*dst = config_setting_get_bool(s) != 0;
}

/* The *n entries of array or list s, checked against k->min, and zeroed
 * room for them: NULL when there are none or no memory. */
static void *
entries(struct loader *l, const config_setting_t *s, const struct key *k, size_t size, int *n)
{
	void *v;

	*n = config_setting_length(s);
	if (*n < k->min)
		report(l, s, 0, "\"%s\" must have at least %ld entry", k->name, k->min);
	if (*n == 0)
		return NULL;
	v = calloc((size_t)*n, size);
	if (v == NULL)
		report(l, s, 0, "out of memory");
	return v;
}

/* An array (or list) of strings; entries that are not strings are left out. */
static void
load_strings(struct loader *l, const config_setting_t *s, const struct key *k, char ***vp,
	     size_t *np)
{
	const config_setting_t *e;
	char **v;
	int i, n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		report(l, s, 0, "\"%s\" must be an array of strings: [ \"...\", \"...\" ]",
		       k->name);
		return;
	}
	v = entries(l, s, k, sizeof(*v), &n);
	if (v == NULL)
		return;
	*vp = v;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			report(l, e, 0, "\"%s\" must contain only strings", k->name);
			continue;
		}
		if (k->check != NULL)
			k->check(l, e, config_setting_get_string(e));
		v[*np] = copy(l, config_setting_get_string(e));
		if (v[*np] != NULL)
			(*np)++;
	}
}

/* A list of groups, one struct of k->size bytes per entry. */
static void
load_list(struct loader *l, const config_setting_t *s, const struct key *k, void **vp, size_t *np)
{
	const config_setting_t *e;
	char *v;
	int i, n;

	if (k->one && config_setting_is_group(s)) {
		v = calloc(1, k->size);
		if (v == NULL) {
			report(l, s, 0, "out of memory");
			return;
		}
		*vp = v;
		*np = 1;
		load_group(l, s, k->sub, v);
		return;
	}
	if (!config_setting_is_list(s)) {
		report(l, s, 0, "\"%s\" must be a list of groups: ( { ... }, { ... } )%s", k->name,
		       k->one ? ", or one group { ... }" : "");
		return;
	}
	v = entries(l, s, k, k->size, &n);
	if (v == NULL)
		return;
	/* Entries keep their index in the file, so that passes 2 and 3 can
	 * find an entry's settings (and lines) again. */
	*vp = v;
	*np = (size_t)n;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (!config_setting_is_group(e)) {
			report(l, e, 0, "\"%s\" entry %d must be a group { ... }", k->name, i + 1);
			continue;
		}
		load_group(l, e, k->sub, v + (size_t)i * k->size);
	}
}

static void
load_value(struct loader *l, const config_setting_t *s, const struct key *k, void *base)
{
	void *dst = (char *)base + k->off, *ndst = (char *)base + k->noff;
	long n;

	switch (k->type) {
	case K_STRING:
		load_string(l, s, k, dst);
		break;
	case K_INT:
		if (load_number(l, s, k, &n) == 0)
			*(int *)dst = (int)n;
		break;
	case K_LONG:
		load_number(l, s, k, dst);
		break;
	case K_BOOL:
		load_bool(l, s, k, dst);
		break;
	case K_STRINGS:
		load_strings(l, s, k, dst, ndst);
		break;
	case K_GROUP:
		if (!config_setting_is_group(s))
			report(l, s, 0, "\"%s\" must be a group: %s = { ... };", k->name, k->name);
		else
			load_group(l, s, k->sub, base);
		break;
	case K_LIST:
		load_list(l, s, k, dst, ndst);
		break;
	}
}

/* Walks the settings of group g in file order, then looks for missing ones. */
static void
load_group(struct loader *l, const config_setting_t *g, const struct key *keys, void *base)
{
	const config_setting_t *s;
	const struct key *k;
	char in[128];
	int i, n;

	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(g, (unsigned int)i);
		for (k = keys; k->name != NULL; k++) {
			if (strcmp(k->name, config_setting_name(s)) == 0)
				break;
		}
		if (k->name == NULL)
			unknown_key(l, g, s, keys);
		else
			load_value(l, s, k, base);
	}
	for (k = keys; k->name != NULL; k++) {
		if (!k->required || config_setting_get_member(g, k->name) != NULL)
			continue;
		group_name(g, in, sizeof(in));
		/* A missing top-level key is about the whole file: no line. */
		report(l, config_setting_is_root(g) ? NULL : g, 0,
		       "missing required setting \"%s\"%s", k->name, in);
	}
}

/* The tree and the paths, for passes 2 and 3 -------------------------------- */

/* The member called name of group g when it is a string, or NULL. */
const config_setting_t *
string_member(const config_setting_t *g, const char *name)
{
	const config_setting_t *s;

	if (g == NULL || !config_setting_is_group(g))
		return NULL;
	s = config_setting_get_member(g, name);
	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_STRING)
		return NULL;
	return s;
}

const char *
member_string(const config_setting_t *g, const char *name)
{
	const config_setting_t *s;

	s = string_member(g, name);
	return s != NULL ? config_setting_get_string(s) : NULL;
}

/* Paths in the file are relative to the file's directory, not to the cwd. */
void
resolve(struct loader *l, char **path)
{
	char *p;
	size_t n;

	if (*path == NULL || (*path)[0] == '\0' || (*path)[0] == '/' || l->dir == NULL)
		return;
	n = strlen(l->dir) + strlen(*path) + 1;
	p = malloc(n);
	if (p == NULL) {
		report(l, NULL, 0, "out of memory");
		return;
	}
	snprintf(p, n, "%s%s", l->dir, *path);
	free(*path);
	*path = p;
}

/* Reading the file -------------------------------------------------------- */

static int
read_file(struct loader *l, config_t *cf)
{
	const char *text;
	struct stat sb;
	int saved;

	if (config_read_file(cf, l->path) == CONFIG_TRUE)
		return 0;
	saved = errno;
	/* libconfig reports a folder as a file it could not read, with an
	 * errno that says "No such file or directory". */
	if (config_error_type(cf) == CONFIG_ERR_FILE_IO && stat(l->path, &sb) == 0 &&
	    S_ISDIR(sb.st_mode)) {
		report(l, NULL, 0,
		       "is a directory, not a configuration file: give the file "
		       "itself (e.g. -c %s/tinbao.conf)",
		       l->path);
		return -1;
	}
	if (config_error_type(cf) == CONFIG_ERR_FILE_IO) {
		report(l, NULL, 0, "cannot read the file: %s", strerror(saved));
		return -1;
	}
	text = config_error_text(cf) != NULL ? config_error_text(cf) : "?";
	/* libconfig stops at the first syntax error: there is only one. */
	if (strncmp(text, "syntax error", 12) == 0)
		diag_at(l, config_error_file(cf), config_error_line(cf), "%s", text);
	else
		diag_at(l, config_error_file(cf), config_error_line(cf), "syntax error: %s", text);
	return -1;
}

static int
diag_after(const struct config_diag *a, const struct config_diag *b)
{
	int c = strcmp(a->file, b->file);

	return c > 0 || (c == 0 && a->line > b->line);
}

/* Lists the problems of this load by file and line, the way an editor shows
 * them; an insertion sort keeps those on one line in the order found. */
static void
sort_diags(struct config_diags *d, size_t from)
{
	struct config_diag t;
	size_t i, j;

	for (i = from + 1; i < d->n; i++) {
		t = d->v[i];
		for (j = i; j > from && diag_after(&d->v[j - 1], &t); j--)
			d->v[j] = d->v[j - 1];
		d->v[j] = t;
	}
}

/* Files --------------------------------------------------------------------- */

static void
add_file(struct loader *l, const char *path)
{
	struct config *cfg = l->cfg;
	char **v;
	size_t i;

	if (path == NULL || path[0] == '\0')
		return;
	for (i = 0; i < cfg->nfiles; i++) {
		if (strcmp(cfg->files[i], path) == 0)
			return;
	}
	v = reallocarray(cfg->files, cfg->nfiles + 1, sizeof(*v));
	if (v == NULL) {
		report(l, NULL, 0, "out of memory");
		return;
	}
	cfg->files = v;
	v[cfg->nfiles] = copy(l, path);
	if (v[cfg->nfiles] != NULL)
		cfg->nfiles++;
}

/* The files the settings of s come from.  libconfig 1.5 has no hook that
 * names the files @include reads (config_set_include_func came with 1.7),
 * but every setting knows its file: an included file without a setting
 * changes nothing. */
static void
add_setting_files(struct loader *l, const config_setting_t *s)
{
	const char *file = config_setting_source_file(s);
	char name[PATH_MAX];
	int i, n;

	if (file != NULL) {
		file_name(l, file, name, sizeof(name));
		add_file(l, name);
	}
	/* The entries of an array are scalars, in the array's file. */
	if (!config_setting_is_group(s) && !config_setting_is_list(s))
		return;
	n = config_setting_length(s);
	for (i = 0; i < n; i++)
		add_setting_files(l, config_setting_get_elem(s, (unsigned int)i));
}

static void
list_files(struct loader *l, const config_t *cf)
{
	const struct config *cfg = l->cfg;
	size_t i;

	add_file(l, l->path);
	add_setting_files(l, config_root_setting(cf));
	add_file(l, cfg->gammurc);
	for (i = 0; i < cfg->nmodems; i++)
		add_file(l, cfg->modems[i].gammurc);
	add_file(l, cfg->push.token_file);
}

/* config_load() ------------------------------------------------------------ */

struct config *
config_load(const char *path, struct config_diags *diags)
{
	struct config_diags local = {NULL, 0};
	struct loader l;
	struct config *cfg;
	const char *slash;
	size_t first;
	config_t cf;

	memset(&l, 0, sizeof(l));
	l.path = path;
	l.diags = diags != NULL ? diags : &local;
	first = l.diags->n;
	config_init(&cf);
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL) {
		report(&l, NULL, 0, "out of memory");
		goto fail;
	}
	l.cfg = cfg;
	set_defaults(cfg);
	cfg->path = copy(&l, path);
	slash = strrchr(path, '/');
	if (slash != NULL) {
		l.dir = strndup(path, (size_t)(slash - path) + 1);
		if (l.dir == NULL) {
			report(&l, NULL, 0, "out of memory");
			goto fail;
		}
		/* @include "x.conf" is read next to this file. */
		config_set_include_dir(&cf, l.dir);
	}
	if (read_file(&l, &cf) == -1)
		goto fail;
	load_group(&l, config_root_setting(&cf), top_keys, cfg);
	check_plan(&l, &cf); /* before the communes' shares are added up */
	finish_keywords(&l, &cf);
	finish_parser(&l, &cf);
	finish_balance(&l, &cf);
	finish_top(&l, &cf); /* the paths, before the modems and the push look at them */
	finish_modems(&l, &cf);
	finish_push(&l, &cf);
	finish_sending(&l, &cf);
	finish_digest(&l, &cf);
	finish_reminders(&l, &cf);
	finish_scheduled(&l, &cf);
	finish_web(&l, &cf);
	check_shares(&l, &cf);
	check_dates(&l, &cf);
	check_units(&l, &cf, "communes", "commune");
	check_units(&l, &cf, "trades", "trade");
	check_keywords(&l, &cf);
	list_files(&l, &cf);
	if (l.nerrors == 0)
		build_parser(&l, &cf);
	if (l.nerrors == 0)
		log_debug("%s: %zu communes, %zu trades", path, cfg->ncommunes, cfg->ntrades);
fail:
	sort_diags(l.diags, first);
	config_destroy(&cf);
	free(l.dir);
	free(l.text_file);
	free(l.text);
	config_diags_free(&local);
	if (l.nerrors > 0) {
		config_free(cfg);
		cfg = NULL;
	}
	return cfg;
}

void
config_diags_free(struct config_diags *diags)
{
	size_t i;

	if (diags == NULL)
		return;
	for (i = 0; i < diags->n; i++) {
		free(diags->v[i].file);
		free(diags->v[i].msg);
	}
	free(diags->v);
	diags->v = NULL;
	diags->n = 0;
}

size_t
config_diags_errors(const struct config_diags *diags)
{
	size_t i, n = 0;

	if (diags == NULL)
		return 0;
	for (i = 0; i < diags->n; i++) {
		if (!diags->v[i].warning)
			n++;
	}
	return n;
}
