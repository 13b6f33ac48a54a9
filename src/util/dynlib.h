/* dynlib.h - libraries that only some commands need (libpq for the central store; cairo and
 * pango for PDF), loaded on first use with dlopen instead of at every start.  libpq alone maps
 * some twenty libraries (Kerberos, LDAP, TLS); loading them costs every `otscope` run ~12 ms and
 * puts code that a sensor never calls into its address space.
 *
 * A user declares a table of function pointers named like the library's functions
 * (__typeof__(PQexec) *PQexec; ...), lists them as DYNSYM entries, and calls dynlib_load before
 * the first call; macros in the user's header then route the library's names to the table. */
#ifndef OTSCOPE_DYNLIB_H
#define OTSCOPE_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

struct dynsym {
    const char *name;
    void *slot; /* the address of the function pointer to fill */
};
#define DYNSYM(table, f)                                                                           \
    {                                                                                              \
#f, &(table).f                                                                             \
    }

struct dynlib {
    const char *const *sonames; /* tried in order for each symbol, all must load */
    size_t nsonames;
    const struct dynsym *syms;
    size_t nsyms;
    const char *package; /* the Debian package to name in the error, e.g. "libpq5" */
    bool loaded;
};

/* true when every library opened and every symbol resolved (once; later calls are free);
 * otherwise false with "needs PACKAGE: reason" in err */
bool dynlib_load(struct dynlib *d, char *err, size_t errlen);

#endif
