/* fuzz_pcap.c - a libFuzzer target for the whole pipeline: the input is a capture file, read by
 * libpcap from memory, decoded, dissected and aggregated (without a database). */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode/decode.h"
#include "dissect/dissect.h"
#include "flow/flow.h"
#include "inventory/collect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        dissect_init();
        init = true;
    }
    FILE *fp = fmemopen((void *)(uintptr_t)data, size, "rb");
    if (!fp)
        return 0;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_fopen_offline(fp, err);
    if (!p) {
        fclose(fp); /* libpcap leaves the stream to the caller on failure */
        return 0;
    }
    struct collector col;
    collector_init(&col);
    struct flow_config cfg;
    flow_config_default(&cfg);
    cfg.max_flows = 64;
    cfg.max_states = 16;
    struct decoder *dec = decoder_new(4);
    struct flow_table *ft = flow_table_new(&cfg, collector_flow_done, &col);
    struct dispatch *disp = dispatch_new(ft, &collector_sink, &col);
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t n = 0;
    while (pcap_next_ex(p, &h, &d) == 1 && n < 4096) {
        struct pkt pk;
        memset(&pk, 0, sizeof pk);
        pk.frame = ++n;
        pk.ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec * 1000;
        pk.wirelen = h->len;
        const char *why;
        switch (decode_frame(dec, pcap_datalink(p), rd_init(d, h->caplen), &pk, &why)) {
        case DEC_IP:
            dispatch_packet(disp, &pk);
            break;
        case DEC_L2:
            dispatch_l2(disp, &pk);
            collector_sighting(&col, &pk);
            break;
        default:
            break;
        }
    }
    flow_table_flush(ft);
    pcap_close(p);
    dispatch_free(disp);
    flow_table_free(ft);
    decoder_free(dec);
    collector_free(&col);
    return 0;
}
