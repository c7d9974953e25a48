/*
 * dynlib.c - a shared library opened on first use.  See dynlib.h.
 */
#include <dlfcn.h>
#include <pthread.h>

#include "dynlib.h"
#include "log.h"

/* The web console's thread and the gateway's loop may both ask for a
 * library first at the same time (a workbook report, a workbook upload):
 * one of them fills the table, the other finds it filled.  The lock also
 * orders the table's writes before any reader's use of it. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int
load(const char *who, const char *soname, const char *package, const struct dynlib_sym *syms,
     size_t nsyms)
{
	void *h;
	size_t i;

	h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		log_warnx("%s: cannot load %s: %s (install %s)", who, soname, dlerror(), package);
		return -1;
	}
	/* Every symbol is checked before any is used: a library without one
	 * of them (too old, or another one under the same name) is not used
	 * at all. */
	for (i = 0; i < nsyms; i++) {
		if (dlsym(h, syms[i].name) == NULL) {
			log_warnx("%s: cannot load %s: no symbol %s (install %s)", who, soname,
				  syms[i].name, package);
			dlclose(h);
			return -1;
		}
	}
	for (i = 0; i < nsyms; i++)
		*syms[i].fn = dlsym(h, syms[i].name);
	return 0;
}

int
dynlib_load(const char *who, const char *soname, const char *package, const struct dynlib_sym *syms,
	    size_t nsyms)
{
	int r = 0;

	if (pthread_mutex_lock(&lock) != 0)
		fatalx("%s: dynlib lock", who);
	/* All or none of a table is filled: its first entry says which. */
	if (nsyms == 0 || *syms[0].fn == NULL)
		r = load(who, soname, package, syms, nsyms);
	pthread_mutex_unlock(&lock);
	return r;
}
