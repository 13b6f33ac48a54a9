/* dynlib.c - see dynlib.h */
#include "util/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

bool dynlib_load(struct dynlib *d, char *err, size_t errlen)
{
    if (d->loaded)
        return true;
    void *h[8] = {0};
    if (d->nsonames > sizeof h / sizeof *h) {
        snprintf(err, errlen, "too many libraries");
        return false;
    }
    for (size_t i = 0; i < d->nsonames; i++) {
        h[i] = dlopen(d->sonames[i], RTLD_NOW | RTLD_LOCAL);
        if (!h[i]) {
            const char *why = dlerror();
            snprintf(err, errlen, "needs %s (Debian package %s): %s", d->sonames[i], d->package,
                     why ? why : "cannot load");
            return false; /* the handles stay open: a later attempt finds the same */
        }
    }
    for (size_t s = 0; s < d->nsyms; s++) {
        void *f = NULL;
        for (size_t i = 0; i < d->nsonames && !f; i++)
            f = dlsym(h[i], d->syms[s].name);
        if (!f) {
            snprintf(err, errlen, "needs %s from %s (Debian package %s), which is not there",
                     d->syms[s].name, d->sonames[0], d->package);
            return false;
        }
        /* POSIX: a function's address travels through void *; memcpy keeps ISO C quiet */
        memcpy(d->syms[s].slot, &f, sizeof f);
    }
    d->loaded = true;
    return true;
}
