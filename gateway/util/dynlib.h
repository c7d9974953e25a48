/*
 * dynlib.h - a shared library opened on first use (dlopen), for the
 * libraries only some configurations or commands need: libcurl (the push)
 * and libxlsxwriter (the workbook).  Linked at build time, they and the TLS,
 * Kerberos and LDAP libraries behind them were mapped and relocated by
 * every start of the daemon, used or not; opened here, a gateway that never
 * pushes nor writes a workbook does not carry them.
 *
 * The caller keeps the library's functions in a struct of function
 * pointers and lists where each one goes; the headers still give the
 * types and constants.
 */
#ifndef TINBAO_DYNLIB_H
#define TINBAO_DYNLIB_H

#include <stddef.h>

struct dynlib_sym {
	const char *name; /* the library's symbol */
	void **fn;	  /* where its address goes: &table.member cast */
};

/*
 * Opens soname and resolves every symbol of syms, all or none: 0, or -1
 * after one line in the log, "<who>: cannot load <soname>: <why> (install
 * <package>)", with *fn of every symbol left as it was.  The library stays
 * open for the life of the process (libcurl's TLS libraries are not made
 * to be unloaded).
 *
 * Once-only and safe from any thread: a table starts empty (its pointers
 * NULL, as static storage is); the first call that succeeds fills it, and
 * every later call with the same table returns 0 at once, whatever it
 * names.  After a failure the next call tries again.  A thread may use the
 * table once its own call returned 0.
 */
int dynlib_load(const char *who, const char *soname, const char *package,
		const struct dynlib_sym *syms, size_t nsyms);

#endif
