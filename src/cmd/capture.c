/* capture.c - `otscope capture`: live passive capture from a mirror port. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "capture/live.h"
#include "cmd/cmd.h"
#include "util/log.h"

static const char usage[] =
    "usage: otscope capture -i IFACE [--db DB] [--site NAME] [--threads N] [--bpf FILTER]\n"
    "                       [--user USER] [--flush SEC] [--buffer MB] [--count N]\n"
    "                       [--write-pcap DIR [--pcap-size MB] [--pcap-files N]\n"
    "                       [--pcap-seconds S]] [--policy FILE] [--dissectors LIST]\n"
    "Watch a SPAN/TAP interface passively, into the same inventory as 'analyze'. The interface\n"
    "is opened receive-only (otscope never transmits), then root is dropped to --user (default\n"
    "nobody; the database is handed to that user). N worker threads (default 1) share the flows\n"
    "by a symmetric hash of the address pair; the facts are stored every --flush seconds\n"
    "(default 5), so a crash loses at most that. SIGINT/SIGTERM read what the kernel already\n"
    "holds, store everything and exit (a second signal skips the read); SIGHUP reloads\n"
    "--policy. --write-pcap keeps a rolling ring of raw-traffic files (each up to --pcap-size\n"
    "MB, default 100, and --pcap-seconds, default 3600; --pcap-files, default 10)\n"
    "for forensics. The summary reports kernel and internal drops.\n";

int cmd_capture(int argc, char **argv)
{
    static const struct option opts[] = {
        {"interface", required_argument, NULL, 'i'}, {"db", required_argument, NULL, 'd'},
        {"site", required_argument, NULL, 's'},      {"threads", required_argument, NULL, 't'},
        {"bpf", required_argument, NULL, 'b'},       {"user", required_argument, NULL, 'u'},
        {"flush", required_argument, NULL, 'F'},     {"buffer", required_argument, NULL, 'B'},
        {"count", required_argument, NULL, 'c'},     {"write-pcap", required_argument, NULL, 'w'},
        {"pcap-size", required_argument, NULL, 'S'}, {"pcap-files", required_argument, NULL, 'N'},
        {"pcap-seconds", required_argument, NULL, 'T'}, {"policy", required_argument, NULL, 'p'},
        {"dissectors", required_argument, NULL, 'D'}, {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0}};
    struct engine_opts eo;
    engine_opts_default(&eo);
    eo.db = default_db();
    struct live_opts lo = {0};
    lo.threads = 1;
    lo.flush_seconds = 5;
    lo.buffer_mb = 128;
    lo.pcap_file_mb = 100;
    lo.pcap_files = 10;
    lo.pcap_file_seconds = 3600;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:vh", opts, NULL)) != -1) {
        long v = optarg ? strtol(optarg, NULL, 10) : 0;
        switch (c) {
        case 'i': lo.iface = optarg; break;
        case 'd': eo.db = optarg; break;
        case 's': eo.site = optarg; break;
        case 't':
            if (v < 1 || v > 16)
                return usage_error("capture", "--threads wants 1..16");
            lo.threads = (int)v;
            break;
        case 'b': lo.bpf = optarg; break;
        case 'u': lo.user = optarg; break;
        case 'F':
            if (v < 1 || v > 3600)
                return usage_error("capture", "--flush wants 1..3600 seconds");
            lo.flush_seconds = (int)v;
            break;
        case 'B':
            if (v < 2 || v > 4096)
                return usage_error("capture", "--buffer wants 2..4096 MB");
            lo.buffer_mb = (int)v;
            break;
        case 'c': lo.max_packets = strtoull(optarg, NULL, 10); break;
        case 'w': lo.pcap_dir = optarg; break;
        case 'S':
            if (v < 1 || v > 100000)
                return usage_error("capture", "--pcap-size wants MB");
            lo.pcap_file_mb = (int)v;
            break;
        case 'N':
            if (v < 2 || v > 100000)
                return usage_error("capture", "--pcap-files wants 2 or more");
            lo.pcap_files = (int)v;
            break;
        case 'T':
            if (v < 1)
                return usage_error("capture", "--pcap-seconds wants seconds");
            lo.pcap_file_seconds = (int)v;
            break;
        case 'p': lo.policy_file = optarg; break;
        case 'D': eo.dissectors = optarg; break;
        case 'v': log_verbosity++; break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    if (!lo.iface || optind < argc)
        return usage_error("capture", "capture wants -i IFACE and no other arguments");
    struct live_stats st;
    int rc = live_capture(&eo, &lo, &st);
    fprintf(stderr,
            "otscope: capture %s: %llu frames received, %llu dropped by the kernel, %llu by the"
            " interface, %llu by otscope (workers behind); %llu stores\n",
            lo.iface, (unsigned long long)st.received, (unsigned long long)st.kernel_dropped,
            (unsigned long long)st.if_dropped, (unsigned long long)st.ring_dropped,
            (unsigned long long)st.flushes);
    return rc;
}
