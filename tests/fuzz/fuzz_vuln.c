/* fuzz_vuln.c - a libFuzzer target for the advisory importers: the input is one feed file
 * (CSAF 2.0, NVD CVE API 2.0, CISA KEV JSON or FIRST EPSS CSV; the importer detects which), imported
 * into an in-memory store exactly as `otscope vuln import` would, then the store is queried the
 * way `vuln lookup` does.  Seeds: ../shared/vulndata (see run.sh). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "vuln/vuln.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct store *s;
    static unsigned runs;
    if (!s || ++runs % 512 == 0) { /* a fresh store now and then: bounded memory */
        if (s)
            store_close(s);
        char err[256];
        s = store_open(":memory:", true, err, sizeof err);
        if (!s) {
            fprintf(stderr, "fuzz_vuln: %s\n", err);
            abort();
        }
    }
    struct vuln_import_stats st;
    vuln_import_buffer(s, data, size, "fuzz-input", &st);
    json_t *r = vuln_lookup_json(s, "Siemens", "SIMATIC S7-1200 CPU 1214C",
                                 "6ES7 214-1AG40-0XB0", "V4.2.3");
    json_decref(r);
    return 0;
}
