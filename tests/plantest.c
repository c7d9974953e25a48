/*
 * plantest.c - see plantest.h.
 */
#include <stdio.h>
#include <string.h>

#include "plantest.h"

/* Whether line starts a top-level group ("reminders = {") that extra has too. */
static int
replaced(const char *line, const char *extra)
{
	char name[64];
	const char *eq = strstr(line, " = {");

	if (extra == NULL || eq == NULL || line[0] == ' ' || line[0] == '\t' || line[0] == '#' ||
	    (size_t)(eq - line) >= sizeof(name) - 5)
		return 0;
	snprintf(name, sizeof(name), "%.*s = {", (int)(eq - line), line);
	return strstr(extra, name) != NULL;
}

int
plantest_conf(const char *template, const char *out, void (*commune)(int i, char *buf, size_t size),
	      const char *extra)
{
	char line[1024], add[512];
	const char *p;
	FILE *in, *o;
	int i = 0, in_communes = 0, skip = 0;

	in = fopen(template, "r");
	if (in == NULL)
		return -1;
	o = fopen(out, "w");
	if (o == NULL) {
		fclose(in);
		return -1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		if (skip || replaced(line, extra)) {
			skip = strncmp(line, "};", 2) != 0;
			continue;
		}
		p = line + strspn(line, " \t");
		if (strncmp(line, "communes", 8) == 0)
			in_communes = 1;
		else if (strncmp(line, ");", 2) == 0)
			in_communes = 0;
		if (!in_communes || strncmp(p, "{ code = \"", 10) != 0 || commune == NULL) {
			fputs(line, o);
			continue;
		}
		add[0] = '\0';
		commune(i++, add, sizeof(add));
		fprintf(o, "%.*s{ %s%s", (int)(p - line), line, add, p + 2);
	}
	if (extra != NULL)
		fprintf(o, "\n%s\n", extra);
	fclose(in);
	return fclose(o) == 0 ? 0 : -1;
}

int
plantest_csv_split(char *line, char **f, int max)
{
	char *r = line, *w = line;
	int n = 0, quoted;

	while (n < max) {
		f[n++] = w;
		quoted = *r == '"';
		if (quoted)
			r++;
		for (; *r != '\0'; r++) {
			if (quoted && r[0] == '"' && r[1] == '"') {
				*w++ = '"';
				r++;
			} else if (quoted && *r == '"') {
				quoted = 0;
			} else if (!quoted && *r == ',') {
				break;
			} else {
				*w++ = *r;
			}
		}
		if (*r == '\0') {
			*w = '\0';
			break;
		}
		*w++ = '\0';
		r++;
		w = r;
	}
	return n;
}
