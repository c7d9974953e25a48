/*
 * dynlib.c - a shared library opened on first use.  See dynlib.h.
 */
#include <dlfcn.h>

#include "dynlib.h"
#include "log.h"

int
dynlib_load(const char *who, const char *soname, const char *package, const struct dynlib_sym *syms,
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
