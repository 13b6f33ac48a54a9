/* pcap2seeds.c - writes fuzzing seeds from captures: for a dissector, the payload of every frame
 * on its ports/ethertype, each as a file DIR/NNNNNN prefixed with the two mode bytes the
 * fuzz_dissector target reads (direct parse).  usage: pcap2seeds DISSECTOR DIR FILE... */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "decode/decode.h"
#include "dissect/dissect.h"

static bool wanted(const struct dissector *d, const struct pkt *p, enum decode_result r)
{
    if (r == DEC_L2)
        return d->ethertype && d->ethertype == p->ethertype;
    if (r != DEC_IP)
        return false;
    const uint16_t *ports = p->l4 == L4_TCP ? d->tcp_ports : d->udp_ports;
    for (int i = 0; i < 4 && ports[i]; i++)
        if (ports[i] == p->sport || ports[i] == p->dport)
            return true;
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: pcap2seeds DISSECTOR DIR FILE...\n");
        return 2;
    }
    dissect_init();
    const struct dissector *d = dissect_by_name(argv[1]);
    if (!d) {
        fprintf(stderr, "pcap2seeds: no dissector %s\n", argv[1]);
        return 2;
    }
    struct decoder *dec = decoder_new(4);
    unsigned long n = 0;
    for (int i = 3; i < argc; i++) {
        char err[PCAP_ERRBUF_SIZE];
        pcap_t *p = pcap_open_offline(argv[i], err);
        if (!p)
            continue;
        struct pcap_pkthdr *h;
        const u_char *data;
        while (pcap_next_ex(p, &h, &data) == 1 && n < 2000) {
            struct pkt pk;
            memset(&pk, 0, sizeof pk);
            const char *why;
            enum decode_result r = decode_frame(dec, pcap_datalink(p), rd_init(data, h->caplen),
                                                &pk, &why);
            size_t len = rd_left(&pk.payload);
            if (!wanted(d, &pk, r) || len == 0)
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/seed%06lu", argv[2], n++);
            FILE *f = fopen(path, "wb");
            if (!f)
                continue;
            uint8_t mode[2] = {0, 0};
            fwrite(mode, 1, 2, f);
            fwrite(rd_internal_ptr(&pk.payload), 1, len, f);
            fclose(f);
        }
        pcap_close(p);
    }
    decoder_free(dec);
    printf("%s: %lu seeds\n", argv[1], n);
    return 0;
}
