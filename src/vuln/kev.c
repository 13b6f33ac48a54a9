/* kev.c - the CISA Known Exploited Vulnerabilities catalog (JSON feed, schema
 * known_exploited_vulnerabilities_schema 1.x: {catalogVersion, dateReleased, count,
 * vulnerabilities: [{cveID, dateAdded, ...}]}).  Joined to advisories on cveID only: the
 * catalog's vendorProject/product are too coarse to match products with. */
#include <stdio.h>
#include <string.h>

#include "vuln/vuln.h"

int vuln_kev_import(struct vuln_importer *im, const json_t *doc, char *err, size_t errlen)
{
    const json_t *cat = json_object_get(doc, "catalogVersion");
    const char *catalog = json_is_string(cat) ? json_string_value(cat) : NULL;
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(doc, "vulnerabilities"), i, e)
    {
        const json_t *id = json_object_get(e, "cveID");
        const json_t *added = json_object_get(e, "dateAdded");
        if (!json_is_string(id) || strncmp(json_string_value(id), "CVE-", 4) != 0 ||
            (added && !json_is_string(added))) {
            snprintf(err, errlen, "vulnerabilities[%zu]: no cveID or a malformed dateAdded", i);
            return -1;
        }
        if (vuln_put_kev(im, e, catalog)) {
            snprintf(err, errlen, "%s", vuln_importer_error(im));
            return -1;
        }
    }
    return 0;
}
