/* test_version.c - ICS versions and advisory ranges (src/vuln/version.c) rule by rule, as
 * ../shared/vulndata/README.md writes them: prefixes, numeric components, SP/Update/HF/P
 * qualifiers, the WAGO index, X wildcards, the range grammar (vers:, comparator text, bare
 * versions and lists), what must stay unknown, versions inside product names, fixed versions in
 * remediation text; and the product side of matching (match.c): vendor aliases, names, order
 * numbers, families and certainty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vuln/vuln.h"

/* ---- helpers ---- */

static int cmp(const char *a, const char *b)
{
    struct vver x, y;
    assert_true(vuln_ver_parse(a, &x));
    assert_true(vuln_ver_parse(b, &y));
    int c = vuln_ver_cmp(&x, &y);
    return c < 0 ? -1 : c > 0;
}

#define LT(a, b) assert_int_equal(cmp(a, b), -1)
#define EQ(a, b) assert_int_equal(cmp(a, b), 0)

static enum vres eval(const char *range, const char *version)
{
    struct vrange r;
    vuln_range_parse(range, &r);
    char reason[256];
    enum vres res = vuln_range_eval(&r, version, reason, sizeof reason);
    assert_true(reason[0] != '\0');
    return res;
}

#define IN(range, v)      assert_int_equal(eval(range, v), VRES_IN)
#define OUT(range, v)     assert_int_equal(eval(range, v), VRES_OUT)
#define UNKNOWN(range, v) assert_int_equal(eval(range, v), VRES_UNKNOWN)

static enum vrange_kind kind(const char *range)
{
    struct vrange r;
    vuln_range_parse(range, &r);
    return r.kind;
}

/* ---- rule 1: prefixes ---- */

static void prefixes_are_stripped(void **st)
{
    (void)st;
    EQ("V4.2.3", "4.2.3");
    EQ("v4.2.3", "4.2.3");
    EQ("v.32.011", "32.11");
    EQ("SV3.51", "3.51");
    EQ("R101", "101");
    EQ("FW1.2", "1.2");
    EQ("Version V4.4", "4.4");
    EQ("Version 4.4", "4.4");
    EQ("firmware 2.1", "2.1");
    EQ("Ver.9.1.0", "9.1.0");
    LT("SV3.50", "3.51");
    /* a prefix letter without a number after it is not a prefix */
    struct vver v;
    assert_false(vuln_ver_parse("Version", &v));
    assert_false(vuln_ver_parse("V", &v));
    assert_false(vuln_ver_parse("RX", &v));
}

/* ---- rule 2: numeric components ---- */

static void components_compare_numerically(void **st)
{
    (void)st;
    LT("V3.2.9", "V3.2.19"); /* a string compare gets this wrong */
    LT("V3.2.19", "V3.2.100");
    EQ("V4.4", "V4.4.0");
    EQ("V4.4", "V4.4.0.0");
    LT("V4.4", "V4.4.0.1");
    EQ("11.1", "11.001");
    EQ("30.14", "30.014");
    LT("20.11", "30.014");
    LT("02.07.06", "02.07.07");
    LT("9", "10");
    LT("52", "53");
    LT("1.98.6", "1.98.07");
    LT("16.12.0", "16.12.01");
    EQ("16.12.1", "16.12.01");
    LT("V2022.2.1", "V2022.2.2");
    struct vver v;
    assert_true(vuln_ver_parse("1.2.3.4.5.6.7.8", &v));
    assert_int_equal(v.n, 8);
    assert_false(vuln_ver_parse("1.2.3.4.5.6.7.8.9", &v)); /* more than VER_MAXC */
    assert_false(vuln_ver_parse("99999999999", &v));       /* overflow */
}

/* ---- rule 3: qualifiers ---- */

static void qualifiers_are_sub_versions(void **st)
{
    (void)st;
    /* V2.9 < V2.9 HF1 < V2.9 SP1 < V2.9 SP1 Upd 2 < V2.9 SP1 Upd 2 HF1 < V2.9 SP2 < V3.0 */
    static const char *const chain[] = {
        "V2.9", "V2.9 HF1", "V2.9 SP1", "V2.9 SP1 Upd 2", "V2.9 SP1 Upd 2 HF1", "V2.9 SP2", "V3.0"};
    for (size_t i = 0; i + 1 < sizeof chain / sizeof *chain; i++)
        LT(chain[i], chain[i + 1]);
    LT("V2.9 SP2", "V3.0 HF1");
    LT("V7.5 SP1 Update 9", "V7.5 SP2 Update 4");
    LT("V7.5 SP2 Update 4", "V7.5 SP2 Update 5");
    LT("V4.7 HF9", "V4.7 HF27");
    LT("V18", "V18 Update 1");
    EQ("V19_Update_1", "V19 Update 1");
    EQ("V2.0 SP1 UPD1", "V2.0 SP1 Update 1");
    EQ("V8.2 Upd12", "V8.2 Update 12");
    LT("V4.7 SP4", "V4.7 SP4 HF1");
    LT("2018 SP3 P04", "2018_SP3_P05");
    EQ("V3.2_HF1", "V3.2 HF1");
    struct vver v;
    assert_false(vuln_ver_parse("V16 Update 3a", &v)); /* a letter glued to the number */
    assert_false(vuln_ver_parse("V2.9 SP", &v));       /* a qualifier needs its number */
    assert_false(vuln_ver_parse("V2.9 SP1 SP2", &v));  /* twice */
    assert_false(vuln_ver_parse("4.3.11SP", &v));
}

/* ---- rule 4: the WAGO firmware index ---- */

static void wago_index_is_a_last_component(void **st)
{
    (void)st;
    LT("02.07.06(10)", "02.07.07(10)");
    LT("02.07.07(09)", "02.07.07(10)");
    EQ("02.07.07(10)", "2.7.7.10");
    IN("< 02.07.07(10)", "02.07.06(10)");
    OUT("< 02.07.07(10)", "02.07.07(10)");
    struct vver v;
    assert_false(vuln_ver_parse("02.07.07(1x)", &v));
    assert_false(vuln_ver_parse("02.07.07(10", &v));
}

/* ---- rule 5: X wildcards ---- */

static void x_is_a_wildcard_component(void **st)
{
    (void)st;
    IN("< V3.X.14", "V3.2.6");
    IN("< V3.X.14", "V3.3.13");
    OUT("< V3.X.14", "V3.2.14");
    OUT("< V3.X.14", "V3.3.20");
    IN("< V3.X.14", "V2.9.20"); /* older majors are older */
    OUT("< V3.X.14", "V4.0.0");
    /* a trailing wildcard matches everything after it, qualifiers too */
    IN("4.X | 5.X", "V5.1.2");
    OUT("4.X | 5.X", "V6.0");
    IN("12.7.*", "12.7.3");
    IN("9.0.x", "9.0 SP1");
    IN("< 3.x", "2.9");
    OUT("< 3.x", "3.0");
    OUT("< 3.x", "3.9.9");
    IN("< VX.2.11", "V7.2.10");
    char out[64];
    assert_true(vuln_ver_fill("V3.X.14", "V3.2.6", out, sizeof out));
    assert_string_equal(out, "V3.2.14");
    assert_false(vuln_ver_fill("V3.2.14", "V3.2.6", out, sizeof out));
}

/* ---- the range grammar ---- */

static void all_versions(void **st)
{
    (void)st;
    static const char *const all[] = {"vers:all/*", "All versions", "All Versions",
                                      "*",          "all versions", "vers:intdot/*"};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        assert_int_equal(kind(all[i]), VR_ALL);
        IN(all[i], "V1.0");
        IN(all[i], "not a version at all"); /* every version, parsed or not */
    }
}

static void comparator_text(void **st)
{
    (void)st;
    IN("< V4.1.0", "V4.0.9");
    OUT("< V4.1.0", "V4.1");
    IN("<= 2.0.0.0", "2.0.0.0");
    OUT("<= 2.0.0.0", "2.0.0.1");
    IN("<=05.78.00", "5.78");
    IN("All versions < V7.4 SP1", "V7.4");
    OUT("All versions < V7.4 SP1", "V7.4 SP1");
    IN("All Versions < V4.3", "V4.2.3");
    IN("All firmware versions < V6.00.320", "V6.0.319");
    IN(">= V6.2 < V7.1", "V6.2");
    OUT(">= V6.2 < V7.1", "V7.1");
    OUT(">= V6.2 < V7.1", "V6.1.9");
    IN("> V3.0 < V4.0", "V3.0.1");
    OUT("> V3.0 < V4.0", "V3.0");
    /* "|" between comparators: still an interval, every comparator must hold */
    IN(">= 8.3.0 | <= 8.4.2", "8.3.0");
    IN(">= 8.3.0 | <= 8.4.2", "8.4.2");
    OUT(">= 8.3.0 | <= 8.4.2", "8.2.9");
    OUT(">= 8.3.0 | <= 8.4.2", "8.4.3");
    IN(">=5.3|<=6.4", "6.0");
    IN("All versions >= V2.0 and < V2.5", "V2.4");
    OUT("All versions >= V2.0 and < V2.5", "V2.5");
    IN("< V3.0.0 HF2", "V3.0.0 HF1");
    OUT("< V3.0.0 HF2", "V3.0.0 HF2");
    IN("<= 30.014", "30.014");
    IN("<= 30.014", "20.11");
    OUT("<= 30.014", "31.011");
    IN("<=52", "52");
    OUT("<=52", "53");
    IN("< SV3.51", "SV3.50");
    OUT("< SV3.51", "3.51");
    IN("<V19_Update_1", "V19");
    OUT("<V19_Update_1", "V19 Update 1");
}

static void vers_ranges(void **st)
{
    (void)st;
    IN("vers:all/<V4.3.8", "V4.3.7");
    OUT("vers:all/<V4.3.8", "V4.3.8");
    IN("vers:intdot/<=2.0.0.0", "2.0.0.0");
    /* malformed "vers:all/>=V4.5.0<V4.5.2" (no '|') is still read as an interval */
    IN("vers:all/>=V4.5.0<V4.5.2", "V4.5.0");
    IN("vers:all/>=V4.5.0<V4.5.2", "V4.5.1");
    OUT("vers:all/>=V4.5.0<V4.5.2", "V4.5.2");
    OUT("vers:all/<V4.5.0", "V4.5.0");
    IN("vers:all/<V18 Update 1", "V18");
    OUT("vers:all/<V18 Update 1", "V18 Update 1");
    IN("vers:all/>=V2.13", "V2.13");
    OUT("vers:all/>=V2.13", "V2.12.9");
}

static void bare_versions_and_lists(void **st)
{
    (void)st;
    IN("V4.5.0", "V4.5.0");
    OUT("V4.5.0", "V4.5.1");
    IN("Version V4.4", "V4.4.0");
    OUT("Version V4.4", "V4.4.1");
    IN("v.32.011", "32.011");
    IN("v.32.011", "32.11");
    IN("28.011 | 28.012 | 28.013", "28.012");
    OUT("28.011 | 28.012 | 28.013", "28.014");
    IN("R101 | R110 | R140", "R110");
    OUT("R101 | R110 | R140", "R120");
    IN("11.001", "11.1");
    assert_int_equal(kind("1763-L16DWD"), VR_UNKNOWN);
    assert_int_equal(kind("Intel Core i5"), VR_UNKNOWN);
    UNKNOWN("1763-L16DWD", "1.0");
}

static void blanks_are_trimmed(void **st)
{
    (void)st;
    IN("<= 6.3.5.11 ", "6.3.5.11");
    IN("  < V4.1  ", "V4.0");
    IN("<\xc2\xa0V4.1", "V4.0"); /* a non-breaking space */
    UNKNOWN(" <2.420.HW01.33.20190812", "2.0");
    IN("< 5.5.1", " 5.5.0 ");
}

/* ---- rule 6: what stays unknown (possible, never dropped, never certain) ---- */

static void unknown_stays_unknown(void **st)
{
    (void)st;
    static const char *const unknown[] = {
        "< V16 Update 3a",
        "All versions with Function State (FS) < 11",
        "<=the_first_5_digits_of_serial_number_24031",
        "<15.2{7}E2",
        "<IP8_SR4",
        "<R520.2_TCU4_HF2",
        "<June/20/2023",
        ">= 4.4.0 (only affected by CVE-2019-10943)",
        "V4.7: < V4.7 HF27",
        "<= 1.53F",
        "<2024-1",
        "All BIOS versions < V26.01.07",
        "",
    };
    for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++) {
        assert_int_equal(kind(unknown[i]), VR_UNKNOWN);
        UNKNOWN(unknown[i], "V4.2.3");
    }
    /* an asset version that is not a version: unknown, not out */
    UNKNOWN("< V4.1", "V4.0b");
    UNKNOWN("< V4.1", "");
    UNKNOWN("< V4.1", NULL);
}

static void reasons_name_the_comparison(void **st)
{
    (void)st;
    struct vrange r;
    char reason[128];
    vuln_range_parse("vers:all/<V4.3.8", &r);
    assert_int_equal(vuln_range_eval(&r, "V4.3.7", reason, sizeof reason), VRES_IN);
    assert_string_equal(reason, "version V4.3.7 < V4.3.8");
    vuln_range_parse(">=V4.5.0<V4.5.2", &r);
    assert_int_equal(vuln_range_eval(&r, "V4.5.0", reason, sizeof reason), VRES_IN);
    assert_string_equal(reason, "version V4.5.0 >= V4.5.0 and < V4.5.2");
    vuln_range_parse("Version V4.4", &r);
    assert_int_equal(vuln_range_eval(&r, "V4.4.0", reason, sizeof reason), VRES_IN);
    assert_string_equal(reason, "version V4.4.0 = V4.4");
}

/* ---- versions carried by product names ---- */

static void versions_in_product_names(void **st)
{
    (void)st;
    char nv[48];
    assert_true(
        vuln_name_version("SIMATIC S7-1200 CPU family < V4.x (incl. SIPLUS)", nv, sizeof nv));
    assert_string_equal(nv, "< 4.x");
    OUT(nv, "V4.2.3");
    IN(nv, "V3.9");
    assert_true(
        vuln_name_version("SIMATIC S7-1200 CPU family V4.x (incl.\xc2\xa0SIPLUS)", nv, sizeof nv));
    IN(nv, "V4.2.3");
    assert_true(
        vuln_name_version("SINAMICS S120 V4.7 w. PN (incl. SIPLUS variants)", nv, sizeof nv));
    assert_string_equal(nv, "4.7.x");
    IN(nv, "V4.7 HF9");
    OUT(nv, "V4.8");
    assert_true(
        vuln_name_version("Totally Integrated Automation Portal (TIA Portal) V18", nv, sizeof nv));
    IN(nv, "V18 Update 1");
    OUT(nv, "V17 Update 6");
    assert_true(vuln_name_version("SIMATIC WinCC V15 and earlier", nv, sizeof nv));
    assert_string_equal(nv, "<= 15.x");
    IN(nv, "V15 SP1 Update 6");
    OUT(nv, "V16");
    assert_true(vuln_name_version("SINAMICS S120 prior to V4.7 w. PN", nv, sizeof nv));
    IN(nv, "V4.6 HF3");
    OUT(nv, "V4.7");
    assert_true(vuln_name_version("SIMATIC S7-400 H V6 CPU family and below", nv, sizeof nv));
    IN(nv, "V6.0.3");
    IN(nv, "V5.1");
    assert_true(
        vuln_name_version("SIMATIC S7-1200 CPU family version 4 (incl. SIPLUS)", nv, sizeof nv));
    IN(nv, "V4.1");
    assert_false(vuln_name_version("SINAMICS V20 Smart Access Module", nv, sizeof nv));
    assert_false(
        vuln_name_version("SIMATIC S7-400 CPU hardware version 4.0 and below", nv, sizeof nv));
    assert_false(vuln_name_version("SCALANCE XC224-4C G (6GK5224-4GS00-2AC2)", nv, sizeof nv));
}

/* ---- fixed versions from remediation text ---- */

static void fixed_versions_from_remediations(void **st)
{
    (void)st;
    char f[64];
    assert_true(vuln_fixed_version("Update to V4.3.8 or later version", f, sizeof f));
    assert_string_equal(f, "V4.3.8");
    assert_true(vuln_fixed_version("Update to V4.0 SP1 or later version", f, sizeof f));
    assert_string_equal(f, "V4.0 SP1");
    assert_true(vuln_fixed_version("Update to V18 Update 1 or later version", f, sizeof f));
    assert_string_equal(f, "V18 Update 1");
    assert_true(
        vuln_fixed_version("Update to V2.3 - Download: https://support.example/1", f, sizeof f));
    assert_string_equal(f, "V2.3");
    assert_true(vuln_fixed_version("Rockwell recommends updating to version 33.011.", f, sizeof f));
    assert_string_equal(f, "33.011");
    assert_true(vuln_fixed_version("Update to V3.X.14", f, sizeof f));
    assert_string_equal(f, "V3.X.14");
    assert_false(vuln_fixed_version("Update to the latest version", f, sizeof f));
    assert_false(vuln_fixed_version("Restrict access to the device", f, sizeof f));
    assert_false(vuln_fixed_version(NULL, f, sizeof f));
}

/* ---- the product side: vendors, names, order numbers, families, certainty ---- */

static void vendor_aliases(void **st)
{
    (void)st;
    char k[VVENDORS_MAX][64];
    assert_int_equal(vuln_vendor_keys("Allen-Bradley", k, VVENDORS_MAX), 1);
    assert_string_equal(k[0], "rockwellautomation");
    assert_int_equal(vuln_vendor_keys("Rockwell Automation ", k, VVENDORS_MAX), 1);
    assert_string_equal(k[0], "rockwellautomation");
    assert_int_equal(vuln_vendor_keys("Siemens AG", k, VVENDORS_MAX), 1);
    assert_string_equal(k[0], "siemens");
    assert_int_equal(vuln_vendor_keys("Schneider Electric Software, LLC", k, VVENDORS_MAX), 1);
    assert_string_equal(k[0], "schneiderelectric");
    assert_int_equal(
        vuln_vendor_keys("PHOENIX CONTACT, Innominate Security Technologies", k, VVENDORS_MAX), 1);
    assert_string_equal(k[0], "phoenixcontact");
    assert_int_equal(vuln_vendor_keys("Mitsubishi Electric Corporation", k, VVENDORS_MAX), 1);
    assert_string_equal(k[0], "mitsubishielectric");
    assert_int_equal(vuln_vendor_keys("Johnson Controls Inc", k, VVENDORS_MAX), 1);
    assert_string_equal(k[0], "johnsoncontrols");
    size_t n = vuln_vendor_keys("ABB, Phoenix Contact, Schneider Electric, Siemens, and WAGO", k,
                                VVENDORS_MAX);
    assert_int_equal(n, 5);
    assert_string_equal(k[3], "siemens");
    assert_string_equal(k[4], "wago");
    assert_int_equal(vuln_vendor_keys("", k, VVENDORS_MAX), 0);
    assert_int_equal(vuln_vendor_keys(NULL, k, VVENDORS_MAX), 0);
}

static void names_and_order_numbers(void **st)
{
    (void)st;
    char a[256], b[256];
    vuln_name_norm("SIMATIC S7-300 CPU 315-2 PN/DP (6ES7315-2EH14-0AB0)", a, sizeof a);
    vuln_name_norm("CPU 315-2 PN/DP", b, sizeof b);
    assert_string_equal(a, b);
    vuln_name_norm("SIMATIC S7-1500 CPU family (incl. related ET200 CPUs and SIPLUS", a, sizeof a);
    assert_string_equal(a, "simatic s7-1500 cpu family");
    vuln_name_norm("1756- EN2T/D", a, sizeof a);
    assert_string_equal(a, "1756-en2t/d");
    vuln_name_norm("ControlLogix 5580 Process", a, sizeof a);
    vuln_name_norm("ControlLogix 5580", b, sizeof b);
    assert_string_not_equal(a, b);
    vuln_name_norm("SCALANCE XR324-4M PoE (24V, ports on front)", a, sizeof a);
    assert_string_equal(a, "scalance xr324-4m poe (24v, ports on front)");
    assert_true(vuln_order_norm("6ES7 315-2EH14-0AB0", a, sizeof a));
    assert_string_equal(a, "6ES7315-2EH14-0AB0");
    assert_false(vuln_order_norm("CPU 315-2 PN/DP", a, sizeof a));
}

static enum vcert fit(const char *rvendor, const char *rname, const char *model, const char *range,
                      const char *vendor, const char *product, const char *order,
                      const char *version)
{
    struct vuln_row row;
    const char *models[1] = {model};
    vuln_row_analyse(rvendor, rname, models, model ? 1 : 0, &row);
    struct vuln_ident id;
    vuln_ident_init(&id, vendor, product, order, version);
    char reason[512];
    return vuln_row_match(&row, NULL, range, &id, reason, sizeof reason);
}

static void families_and_certainty(void **st)
{
    (void)st;
    const char *s7fam = "SIMATIC S7-300 CPU family (incl. related ET200 CPUs and SIPLUS variants)";
    /* order number -> family */
    assert_int_equal(fit("Siemens", s7fam, NULL, "< V3.X.14", "Siemens", "CPU 315-2 PN/DP",
                         "6ES7 315-2EH14-0AB0", "V3.2.6"),
                     VC_CERTAIN);
    assert_int_equal(fit("Siemens", s7fam, NULL, "< V3.X.14", "Siemens", "CPU 315-2 PN/DP",
                         "6ES7 315-2EH14-0AB0", "V3.2.14"),
                     VC_NONE);
    /* 6ES7 214-1AG40-0XB0 -> S7-1200 CPU 1214C */
    assert_int_equal(fit("Siemens", "SIMATIC S7-1200 CPU family (incl. SIPLUS variants)", NULL,
                         "All Versions < V4.3", "Siemens", "CPU 1214C DC/DC/DC",
                         "6ES7 214-1AG40-0XB0", "V4.2.3"),
                     VC_CERTAIN);
    /* the version in the family name excludes it */
    assert_int_equal(fit("Siemens", "SIMATIC S7-1200 CPU family < V4.x (incl. SIPLUS variants)",
                         NULL, "All versions", "Siemens", "CPU 1214C DC/DC/DC",
                         "6ES7 214-1AG40-0XB0", "V4.2.3"),
                     VC_NONE);
    /* an unparseable range: possible, not dropped */
    assert_int_equal(fit("Siemens", "SIMATIC S7-1200 CPU family V4.x (incl. SIPLUS variants)", NULL,
                         "All versions with Function State (FS) < 11", "Siemens",
                         "CPU 1214C DC/DC/DC", "6ES7 214-1AG40-0XB0", "V4.2.3"),
                     VC_POSSIBLE);
    /* another order number is other hardware */
    assert_int_equal(fit("Siemens", "SIMATIC S7-1500 CPU 1513-1 PN (6ES7513-1AL01-0AB0)",
                         "6ES7513-1AL01-0AB0", "vers:all/<V2.9.7", "Siemens", "CPU 1513-1 PN",
                         "6ES7513-1AM03-0AB0", "V2.9.6"),
                     VC_NONE);
    /* SIMATIC is not SIPLUS */
    assert_int_equal(fit("Siemens", "SIPLUS S7-300 CPU 315-2 PN/DP (6AG1315-2EH14-7AB0)",
                         "6AG1315-2EH14-7AB0", "vers:all/<V3.2.17", "Siemens", "CPU 315-2 PN/DP",
                         "6ES7 315-2EH14-0AB0", "V3.2.6"),
                     VC_NONE);
    /* vendor alias; another vendor never matches */
    assert_int_equal(fit("Rockwell Automation ", "Allen-Bradley CompactLogix 5370 L1 controllers",
                         NULL, "<= 30.014", "Allen-Bradley",
                         "Allen-Bradley CompactLogix 5370 L1 controllers", NULL, "20.11"),
                     VC_CERTAIN);
    assert_int_equal(fit("Rockwell Automation", "ControlLogix 5580", NULL, "v.32.011", "Siemens",
                         "ControlLogix 5580", NULL, "32.011"),
                     VC_NONE);
    /* a catalog number maps to its controller family, not to "... Process" */
    assert_int_equal(fit("Rockwell Automation", "ControlLogix 5580", NULL, "v.32.011",
                         "Rockwell Automation", "1756-L83E/B LOGIX5583E", NULL, "32.011"),
                     VC_CERTAIN);
    assert_int_equal(fit("Rockwell Automation", "ControlLogix 5580 Process", NULL, "v.33.011",
                         "Rockwell Automation", "1756-L83E/B LOGIX5583E", NULL, "33.011"),
                     VC_NONE);
    /* part-number patterns */
    assert_int_equal(fit("Schneider Electric ", "Modicon M340 CPU (part numbers BMXP34*)", NULL,
                         "< SV3.51", "Schneider Electric", "BMX P34 2020", NULL, "SV3.50"),
                     VC_CERTAIN);
    assert_int_equal(fit("Omron", "CJ2H-CPU**(-EIP)", NULL, "All versions", "Omron",
                         "CJ2H-CPU64-EIP", NULL, "1.5"),
                     VC_CERTAIN);
    /* not a loose substring */
    assert_int_equal(fit("Siemens", "SIMATIC WinCC V7.5", NULL, "All versions < V7.5 SP2 Update 5",
                         "Siemens", "SIMATIC WinCC", NULL, "V7.5 SP1"),
                     VC_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prefixes_are_stripped),
        cmocka_unit_test(components_compare_numerically),
        cmocka_unit_test(qualifiers_are_sub_versions),
        cmocka_unit_test(wago_index_is_a_last_component),
        cmocka_unit_test(x_is_a_wildcard_component),
        cmocka_unit_test(all_versions),
        cmocka_unit_test(comparator_text),
        cmocka_unit_test(vers_ranges),
        cmocka_unit_test(bare_versions_and_lists),
        cmocka_unit_test(blanks_are_trimmed),
        cmocka_unit_test(unknown_stays_unknown),
        cmocka_unit_test(reasons_name_the_comparison),
        cmocka_unit_test(versions_in_product_names),
        cmocka_unit_test(fixed_versions_from_remediations),
        cmocka_unit_test(vendor_aliases),
        cmocka_unit_test(names_and_order_numbers),
        cmocka_unit_test(families_and_certainty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
