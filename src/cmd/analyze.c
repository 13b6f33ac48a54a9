/* analyze.c - `otscope analyze`: capture files into the inventory. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "engine/engine.h"
#include "util/log.h"

static const char usage[] =
    "usage: otscope analyze [options] FILE...\n"
    "Read pcap/pcapng captures passively into the asset inventory. Later runs merge into the\n"
    "same database.\n\n"
    "  --db DB            inventory database (default ./otscope.db, or $OTSCOPE_DB)\n"
    "  --site NAME        site the captures come from (default 'default')\n"
    "  --max-flows N      hard bound on concurrent flows (default 262144); when full, the\n"
    "                     least recently active flow is evicted and counted\n"
    "  --max-states N     flows with dissector state at once (default 65536)\n"
    "  --idle-tcp SEC     idle timeout of TCP flows (default 600)\n"
    "  --idle-udp SEC     idle timeout of UDP flows (default 120)\n"
    "  --reasm-max BYTES  TCP reassembly bytes per direction (default 65600)\n"
    "  --progress / --no-progress   progress bar on stderr (default: when stderr is a terminal)\n"
    "  --dissectors LIST  'all' (default), 'none', or a comma-separated list of dissectors\n"
    "                     (arp,modbus,s7comm,enip,profinet_dcp,bacnet,opcua,dnp3,iec104,mqtt,\n"
    "                     dhcp,dns,nbns,lldp,cdp,snmp,http,tls,ssh,telnet,ftp,vnc,rdp,smb)\n"
    "  --force            analyze a file again even if it was analyzed into DB before\n"
    "                     (otherwise recognised by size and content hash and skipped)\n"
    "  -q, --quiet        no summary\n"
    "  -v, --verbose      more messages (twice: every malformed frame)\n"
    "  -h, --help         this help\n\n"
    "Exit status: 0 ok, 1 runtime failure, 2 usage error, 3 a file was unreadable or invalid\n"
    "(what was read before the error is kept).\n";

static bool parse_u32(const char *s, uint32_t min, uint32_t *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v < min || v > 0xffffffffu)
        return false;
    *out = (uint32_t)v;
    return true;
}

int cmd_analyze(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},        {"site", required_argument, NULL, 's'},
        {"max-flows", required_argument, NULL, 'F'}, {"max-states", required_argument, NULL, 'S'},
        {"idle-tcp", required_argument, NULL, 'T'},  {"idle-udp", required_argument, NULL, 'U'},
        {"reasm-max", required_argument, NULL, 'R'}, {"progress", no_argument, NULL, 'p'},
        {"no-progress", no_argument, NULL, 'P'},     {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},         {"help", no_argument, NULL, 'h'},
        {"force", no_argument, NULL, 'f'},         {"dissectors", required_argument, NULL, 'D'},           {NULL, 0, NULL, 0}};
    struct engine_opts o;
    engine_opts_default(&o);
    o.db = default_db();
    o.progress = isatty(STDERR_FILENO);
    uint32_t v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o.db = optarg;
            break;
        case 's':
            if (!*optarg || strlen(optarg) > 60 || strpbrk(optarg, ":/ \t"))
                return usage_error("analyze",
                                   "--site wants a short name without ':', '/' or blanks");
            o.site = optarg;
            break;
        case 'F':
            if (!parse_u32(optarg, 16, &o.flow.max_flows))
                return usage_error("analyze", "--max-flows wants a number >= 16");
            break;
        case 'S':
            if (!parse_u32(optarg, 1, &o.flow.max_states))
                return usage_error("analyze", "--max-states wants a number >= 1");
            break;
        case 'T':
        case 'U':
            if (!parse_u32(optarg, 1, &v))
                return usage_error("analyze", "idle timeouts want seconds >= 1");
            *(c == 'T' ? &o.flow.idle_tcp_ns : &o.flow.idle_udp_ns) = (int64_t)v * 1000000000ll;
            break;
        case 'R':
            if (!parse_u32(optarg, 1024, &o.flow.reasm_side_max) ||
                o.flow.reasm_side_max > (16u << 20))
                return usage_error("analyze", "--reasm-max wants 1024..16777216 bytes");
            break;
        case 'p':
            o.progress = true;
            break;
        case 'P':
            o.progress = false;
            break;
        case 'f':
            o.force = true;
            break;
        case 'D':
            o.dissectors = optarg;
            break;
        case 'q':
            o.quiet = true;
            break;
        case 'v':
            log_verbosity++;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_OK;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return usage_error("analyze", "no capture files given");
    struct engine_stats st;
    int rc = engine_analyze(&o, argv + optind, argc - optind, &st);
    if (!o.quiet && rc != EXIT_RUNTIME)
        engine_print_summary(&st, stderr);
    return rc;
}
