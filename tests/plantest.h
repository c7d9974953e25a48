/*
 * plantest.h - helpers of the digest and report tests.
 *
 * Test configurations: contrib/tinbao.conf (24 communes, 30 trades, the
 * 2022 plan) with settings added to each commune group (officers,
 * plan_trained) and groups appended at the end (digest, reminders,
 * scheduled).  And a CSV line splitter, to read reports back.
 */
#ifndef TINBAO_PLANTEST_H
#define TINBAO_PLANTEST_H

#include <stddef.h>

/*
 * Writes to out a copy of template where commune(i, buf, size) may put
 * settings into the group of the i-th commune (buf starts empty), and extra
 * (or NULL) is appended; a top-level group of the template that extra has
 * too ("reminders = { ... };") is left out.  0 or -1.
 */
int plantest_conf(const char *template, const char *out,
		  void (*commune)(int i, char *buf, size_t size), const char *extra);

/* Splits a CSV line (without its line end) in place: quoted fields and
 * doubled quotes as RFC 4180.  Returns the number of fields put in f. */
int plantest_csv_split(char *line, char **f, int max);

#endif
