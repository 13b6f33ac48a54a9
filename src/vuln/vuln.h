/* vuln.h - advisories (CSAF 2.0, NVD CVE API 2.0, CISA KEV, FIRST EPSS): import into the store,
 * ICS version parsing and comparison, and matching of assets to affected product rows.  The one
 * thing to know: a range or version that cannot be evaluated never drops a match, it makes it
 * "possible" with the reason (../shared/vulndata/README.md, "Version comparison rules"). */
#ifndef OTSCOPE_VULN_H
#define OTSCOPE_VULN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* ---- versions (version.c) ---- */

#define VER_MAXC 8
enum { VQ_SP, VQ_UPDATE, VQ_HF, VQ_PATCH, VQ_N }; /* suffix qualifiers, most significant first */

/* A parsed ICS version: dotted integer components (missing ones compare as 0), wildcards
 * ('X', 'x', '*') for bounds, then the qualifiers SP < Update < HF < P as sub-versions. */
struct vver {
    uint32_t c[VER_MAXC];
    uint8_t n;        /* components given */
    uint8_t wild;     /* bit i: component i is a wildcard */
    bool trail_wild;  /* the last component is a wildcard: anything after it matches */
    uint32_t q[VQ_N]; /* qualifier numbers, 0 = absent */
};

/* false when the text is not a version by the rules (then it is "unknown", never a guess) */
bool vuln_ver_parse(const char *text, struct vver *v);
/* <0, 0, >0: v against a bound that may hold wildcards (wildcard components always match) */
int vuln_ver_cmp(const struct vver *v, const struct vver *bound);

enum vop { VOP_LT, VOP_LE, VOP_GT, VOP_GE, VOP_EQ };
#define VRANGE_MAX 8
enum vrange_kind { VR_ALL, VR_INTERVAL, VR_ANYOF, VR_UNKNOWN };

/* A product row's range: every constraint holds (interval), or one of the listed versions */
struct vrange {
    enum vrange_kind kind;
    size_t n;
    struct {
        enum vop op;
        struct vver v;
        char text[48]; /* the bound as written, for reasons */
    } c[VRANGE_MAX];
};

void vuln_range_parse(const char *text, struct vrange *r);
enum vres { VRES_OUT, VRES_IN, VRES_UNKNOWN };
/* evaluate; reason (may be NULL) says why, e.g. "version V4.3.7 < V4.3.8" */
enum vres vuln_range_eval(const struct vrange *r, const char *version, char *reason, size_t n);
/* the version a product name carries ("TIA Portal V18", "S7-1200 CPU family < V4.x",
 * "WinCC V15 and earlier") as range text ("= 18.x", "< 4.x", "<= 15.x"); false if none */
bool vuln_name_version(const char *name, char *out, size_t n);
/* "Update to V4.3.8 or later version" -> "V4.3.8"; false when the text names no version */
bool vuln_fixed_version(const char *remediation, char *out, size_t n);
/* a bound with wildcards made concrete for one version: ("V3.X.14", "V3.2.6") -> "V3.2.14" */
bool vuln_ver_fill(const char *pattern, const char *version, char *out, size_t n);

/* ---- names, vendors, families (match.c) ---- */

#define VKEY_MAX     160
#define VKEYS_MAX    16
#define VVENDORS_MAX 6

/* canonical vendor keys ("Allen-Bradley" -> "rockwellautomation"); returns how many */
size_t vuln_vendor_keys(const char *vendor, char keys[][64], size_t max);
/* a product name for comparison: lower case, blanks collapsed, parenthesised order numbers and
 * "(incl. SIPLUS variants)" removed, "SIMATIC S7-300 " before "CPU" removed */
void vuln_name_norm(const char *name, char *out, size_t n);
/* an order number for comparison: upper case, blanks removed; false if it is not one */
bool vuln_order_norm(const char *in, char *out, size_t n);

/* What an asset or a query is, normalised once. */
struct vuln_ident {
    char vendors[VVENDORS_MAX][64];
    size_t nvendors;
    bool vendor_weak;    /* vendor only from the MAC OUI: matches are at most possible */
    char name[256];      /* normalised product name, "" if none */
    char compact[128];   /* product name upper case without blanks (for part patterns) */
    char order[64];      /* normalised order number, "" if none */
    char family[16];     /* "s7-300", "s7-1200", ... or "" */
    char fam_alt[2][48]; /* catalog families ("controllogix 5580"), "" if none */
    bool siplus, cpu_h, cpu_pndp;
    char version[96]; /* as given */
};
void vuln_ident_init(struct vuln_ident *id, const char *vendor, const char *product,
                     const char *order, const char *version);

/* What a product row is, derived from the advisory text at import time. */
struct vuln_row {
    char vendors[VVENDORS_MAX][64];
    size_t nvendors;
    char name[256];     /* normalised */
    char orders[512];   /* normalised order numbers, space-separated */
    char family[16];    /* the row names a CPU family ("SIMATIC S7-300 CPU family") */
    char fam_alt[48];   /* catalog family name the row is ("controllogix 5580") */
    char patterns[256]; /* '|'-separated part-number / wildcard-name patterns */
    char name_ver[48];  /* version carried by the name, as range text, "" if none */
    bool incl_siplus, need_h, need_pndp, hw_version;
    bool hw_ambiguous; /* the advisory has this name for several order numbers */
};
void vuln_row_analyse(const char *vendor, const char *name, const char *const *models,
                      size_t nmodels, struct vuln_row *row);
/* index keys of a row / an ident ("n:siemens|cpu 315-2 pn/dp", "o:6ES7315-2EH14-0AB0", ...) */
size_t vuln_row_keys(const struct vuln_row *row, char keys[][VKEY_MAX], size_t max);
size_t vuln_ident_keys(const struct vuln_ident *id, char keys[][VKEY_MAX], size_t max);

enum vcert { VC_NONE, VC_POSSIBLE, VC_CERTAIN };
/* does the row's product fit the ident (vendor, order number, name, family, pattern)?  The
 * reason says how, or why only possibly. */
enum vcert vuln_product_fit(const struct vuln_row *row, const char *platform,
                            const struct vuln_ident *id, char *why, size_t n);
/* product fit, name version, range and status together for one row */
enum vcert vuln_row_match(const struct vuln_row *row, const char *platform, const char *range,
                          const struct vuln_ident *id, char *reason, size_t n);

/* ---- import (import.c with csaf.c, nvd.c, kev.c, epss.c) ---- */

struct vuln_import_stats {
    unsigned files, bad, skipped; /* skipped: not advisory data (feeds, indexes) */
    unsigned advisories, replaced, unchanged, older;
    unsigned products, unparsed_ranges;
    unsigned nvd_cves, kev, epss;
};

struct vuln_importer; /* owns prepared statements; lives for one import run */

/* import files and folder trees in one transaction; bad files are reported on stderr as
 * "otscope: PATH: reason" and skipped.  0, or -1 on a store failure (err says why). */
int vuln_import(struct store *s, char *const *paths, size_t npaths, bool quiet,
                struct vuln_import_stats *st, char *err, size_t errlen);

/* one file's bytes (what a fuzzer or a network fetch hands over), as one import */
int vuln_import_buffer(struct store *s, const uint8_t *buf, size_t len, const char *name,
                       struct vuln_import_stats *st);

/* per format: parse a loaded document and write it through the importer; 0, or -1 with the
 * reason in err (the file is then rolled back) */
int vuln_csaf_import(struct vuln_importer *im, const json_t *doc, const char *path, char *err,
                     size_t errlen);
int vuln_nvd_import(struct vuln_importer *im, const json_t *doc, char *err, size_t errlen);
int vuln_kev_import(struct vuln_importer *im, const json_t *doc, char *err, size_t errlen);
int vuln_epss_import(struct vuln_importer *im, const uint8_t *data, size_t len, char *err,
                     size_t errlen);

/* what the importers write (import.c) */
struct vuln_adv {
    const char *key, *tracking_id, *source, *version, *date, *title, *url, *path;
};
/* >0 advisory row id to fill; 0 when the stored revision is the same or newer (skip) */
int64_t vuln_put_advisory(struct vuln_importer *im, const struct vuln_adv *a);
struct vuln_prod {
    const char *product_id, *vendor, *family, *name, *full_name, *range, *platform;
    const char *const *models;
    size_t nmodels;
};
int64_t vuln_put_product(struct vuln_importer *im, int64_t adv, const struct vuln_prod *p);
/* after the last vulnerability of an advisory: marks names used for hardware (order numbers)
 * that the advisory treats differently */
int vuln_products_done(struct vuln_importer *im, int64_t adv);
int vuln_put_status(struct vuln_importer *im, int64_t product, const char *cve, const char *status);
int vuln_put_cve(struct vuln_importer *im, int64_t adv, const char *cve, const char *title,
                 const char *cwe, double cvss, const char *vector, const char *cvss_version);
int64_t vuln_put_remediation(struct vuln_importer *im, int64_t adv, const char *category,
                             const char *details, const char *url);
int vuln_put_remediation_product(struct vuln_importer *im, int64_t rem, int64_t adv,
                                 const char *product_id);
int vuln_put_kev(struct vuln_importer *im, const json_t *entry, const char *catalog);
int vuln_put_epss(struct vuln_importer *im, const char *cve, double epss, double pct,
                  const char *date);
struct vuln_import_stats *vuln_importer_stats(struct vuln_importer *im);
const char *vuln_importer_error(struct vuln_importer *im);

/* ---- exposure (exposure.c) ---- */

/* {"schema":"otscope.vuln-lookup/1","query":{...},"matches":[...]}; NULL on a store error */
json_t *vuln_lookup_json(struct store *s, const char *vendor, const char *product,
                         const char *order, const char *version);
/* {"schema":"otscope.vulns/1","assets":[...]} from the assets table */
json_t *vuln_assets_json(struct store *s);
/* number of advisories in the store (0: nothing imported yet) */
int64_t vuln_advisory_count(struct store *s);

#endif
