/* register.h - the ISMS asset register: import, matching to seen assets, gaps. */
#ifndef OTSCOPE_REGISTER_H
#define OTSCOPE_REGISTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* replace the register with the CSV at path; 0, or 3 (bad file, err says where) or 1 */
int register_import(struct store *s, const char *path, int64_t now_ns, int *rows, char *err,
                    size_t errlen);
/* recompute register_match from the register and the current assets */
int register_match(struct store *s);
/* unmanaged (seen, not registered), stale (registered, not seen for stale_days before now_ns;
 * now_ns 0 = the newest capture time), mismatched (firmware/model differ); OT assets only unless
 * all_assets */
json_t *register_gaps_json(struct store *s, int stale_days, int64_t now_ns, bool all_assets);

#endif
