/* oui.h - MAC vendor names from the IEEE registries as Debian's ieee-data ships them
 * (/usr/share/ieee-data: MA-L oui.csv, MA-M mam.csv, MA-S oui36.csv and iab.csv).  The longest
 * matching assignment wins.  Loaded once, on first lookup; the path can be overridden with
 * OTSCOPE_IEEE_DATA for tests. */
#ifndef OTSCOPE_OUI_H
#define OTSCOPE_OUI_H

#include <stdbool.h>
#include <stdint.h>

/* NULL when unknown or the registry is not installed; the string lives until oui_unload */
const char *oui_lookup(const uint8_t mac[6]);
bool oui_available(void);
void oui_unload(void);

#endif
