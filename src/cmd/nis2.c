/* nis2.c - `otscope nis2 scope`: is the entity essential, important or out of scope under NIS2
 * (Directive (EU) 2022/2555 Art. 3, Annexes I and II), by sector and the size thresholds of
 * Commission Recommendation 2003/361/EC?  It explains the reasoning, and names the cases where
 * size does not matter (Art. 2(2)) that it cannot judge from the figures. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

static const char usage[] =
    "usage: otscope nis2 scope --sector S --employees N --turnover EUR --balance EUR\n"
    "                         [--format table|json]\n"
    "Classify an entity as essential, important or out of scope under NIS2 from its sector\n"
    "(Annex I: sectors of high criticality; Annex II: other critical sectors) and its size\n"
    "(employees, annual turnover and balance-sheet total in euro). 'otscope nis2 sectors' lists\n"
    "the sector keys.\n";

static const struct sector {
    const char *key, *name;
    int annex;
} sectors[] = {
    {"electricity", "Energy: electricity", 1},
    {"district-heating", "Energy: district heating and cooling", 1},
    {"oil", "Energy: oil", 1},
    {"gas", "Energy: gas", 1},
    {"hydrogen", "Energy: hydrogen", 1},
    {"air-transport", "Transport: air", 1},
    {"rail-transport", "Transport: rail", 1},
    {"water-transport", "Transport: water", 1},
    {"road-transport", "Transport: road", 1},
    {"banking", "Banking", 1},
    {"financial-market-infrastructure", "Financial market infrastructures", 1},
    {"health", "Health", 1},
    {"drinking-water", "Drinking water", 1},
    {"waste-water", "Waste water", 1},
    {"digital-infrastructure", "Digital infrastructure", 1},
    {"ict-service-management", "ICT service management (business-to-business)", 1},
    {"public-administration", "Public administration", 1},
    {"space", "Space", 1},
    {"postal", "Postal and courier services", 2},
    {"waste-management", "Waste management", 2},
    {"chemicals", "Manufacture, production and distribution of chemicals", 2},
    {"food", "Production, processing and distribution of food", 2},
    {"manufacturing-medical-devices", "Manufacturing: medical devices and in vitro diagnostics", 2},
    {"manufacturing-electronics", "Manufacturing: computer, electronic and optical products", 2},
    {"manufacturing-electrical", "Manufacturing: electrical equipment", 2},
    {"manufacturing-machinery", "Manufacturing: machinery and equipment n.e.c.", 2},
    {"manufacturing-vehicles", "Manufacturing: motor vehicles, trailers and semi-trailers", 2},
    {"manufacturing-transport-equipment", "Manufacturing: other transport equipment", 2},
    {"digital-providers", "Digital providers", 2},
    {"research", "Research organisations", 2},
};

static bool parse_num(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return *s && !*end && *v >= 0;
}

int cmd_nis2(int argc, char **argv)
{
    static const struct option opts[] = {{"sector", required_argument, NULL, 's'},
                                         {"employees", required_argument, NULL, 'e'},
                                         {"turnover", required_argument, NULL, 't'},
                                         {"balance", required_argument, NULL, 'b'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "sectors")) {
        for (size_t i = 0; i < sizeof sectors / sizeof *sectors; i++)
            printf("%-36s Annex %s  %s\n", sectors[i].key, sectors[i].annex == 1 ? "I " : "II",
                   sectors[i].name);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "scope") != 0)
        return usage_error("nis2", "unknown subcommand '%s' (scope, sectors)", argv[1]);
    const struct sector *sec = NULL;
    double emp = -1, turn = -1, bal = -1;
    enum out_format fmt = FMT_TABLE;
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            for (size_t i = 0; i < sizeof sectors / sizeof *sectors; i++)
                if (!strcmp(sectors[i].key, optarg))
                    sec = &sectors[i];
            if (!sec)
                return usage_error("nis2", "unknown sector '%s' (otscope nis2 sectors)", optarg);
            break;
        case 'e':
            if (!parse_num(optarg, &emp))
                return usage_error("nis2", "--employees wants a number");
            break;
        case 't':
            if (!parse_num(optarg, &turn))
                return usage_error("nis2", "--turnover wants euro");
            break;
        case 'b':
            if (!parse_num(optarg, &bal))
                return usage_error("nis2", "--balance wants euro");
            break;
        case 'f':
            if (!parse_format("nis2", optarg, "table,json", &fmt))
                return EXIT_USAGE;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_OK;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (!sec || emp < 0 || turn < 0 || bal < 0)
        return usage_error("nis2", "scope wants --sector, --employees, --turnover, --balance");
    /* Recommendation 2003/361/EC Annex Art. 2: medium < 250 staff and (turnover <= 50 M or
     * balance <= 43 M); small < 50 staff and (turnover <= 10 M or balance <= 10 M) */
    const char *size;
    char why_size[256];
    if (emp < 50 && (turn <= 10e6 || bal <= 10e6)) {
        size = "small";
        snprintf(why_size, sizeof why_size, "fewer than 50 employees and turnover or balance"
                 " sheet at most EUR 10 million: a small (or micro) enterprise");
    } else if (emp < 250 && (turn <= 50e6 || bal <= 43e6)) {
        size = "medium";
        snprintf(why_size, sizeof why_size, "fewer than 250 employees and turnover at most EUR 50"
                 " million or balance sheet at most EUR 43 million, but above the small"
                 " thresholds: a medium-sized enterprise");
    } else {
        size = "large";
        snprintf(why_size, sizeof why_size, "%s: a large enterprise",
                 emp >= 250 ? "250 or more employees"
                            : "turnover above EUR 50 million and balance sheet above EUR 43"
                              " million");
    }
    const char *cls, *why;
    if (!strcmp(size, "small")) {
        cls = "out of scope";
        why = "NIS2 applies to medium-sized and large entities (Art. 2(1)); small entities are"
              " covered only in the cases of Art. 2(2) (e.g. sole provider of an essential"
              " service, DNS/TLD/trust service providers, public electronic communications,"
              " entities designated by the Member State), which the figures cannot show";
    } else if (sec->annex == 1 && !strcmp(size, "large")) {
        cls = "essential";
        why = "a large entity in a sector of Annex I is essential (Art. 3(1)(a))";
    } else {
        cls = "important";
        why = sec->annex == 1 ? "a medium-sized entity in a sector of Annex I is important"
                                " (Art. 3(2))"
                              : "an entity of Annex II that is not essential is important"
                                " (Art. 3(2))";
    }
    if (fmt == FMT_JSON) {
        json_t *doc = json_pack("{s:s, s:{s:s, s:s, s:i, s:f, s:f, s:f}, s:s, s:s, s:[s, s],"
                                " s:s}",
                                "schema", "otscope.nis2-scope/1", "input", "sector", sec->key,
                                "sector_name", sec->name, "annex", sec->annex, "employees", emp,
                                "turnover_eur", turn, "balance_eur", bal, "size", size,
                                "classification", cls, "reasons", why_size, why, "reporting",
                                strcmp(cls, "out of scope")
                                    ? "Art. 23 incident reporting applies: early warning 24 h,"
                                      " notification 72 h, final report one month"
                                    : "no NIS2 reporting obligation from the figures alone");
        print_json(doc, stdout);
        json_decref(doc);
    } else {
        printf("sector: %s (Annex %s)\nsize: %s (%s)\nclassification: %s\nwhy: %s.\n",
               sec->name, sec->annex == 1 ? "I" : "II", size, why_size, cls, why);
    }
    return EXIT_OK;
}
