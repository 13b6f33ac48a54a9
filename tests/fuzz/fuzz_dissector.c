/* fuzz_dissector.c - a libFuzzer target for one dissector (FUZZ_DISSECTOR names it).  The first
 * input byte picks the path: a whole PDU straight to parse(), or the bytes as a TCP stream cut
 * into segments (sizes from the input) through the real flow table and reassembler, or as UDP
 * datagrams, or as a layer-2 frame. */
#include <stddef.h>
#include <stdint.h>

#include "../unit/dtest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dtest t;
    if (size < 2)
        return 0;
    const struct dissector *d = dissect_by_name(FUZZ_DISSECTOR);
    if (!d)
        return 0;
    uint8_t mode = data[0], cut = data[1];
    data += 2;
    size -= 2;
    /* bits 2-3 of the mode pick which of the dissector's ports the flow uses: dissectors
     * such as DNS (53, 5353, 5355) take different paths per port */
    const uint16_t *ports = d->tcp_ports[0] && (mode & 3) != 3 ? d->tcp_ports : d->udp_ports;
    uint16_t port = ports[(mode >> 2) & 3] ? ports[(mode >> 2) & 3] : ports[0];
    dtest_init(&t, d, port);
    if (d->ethertype && !d->tcp_ports[0] && !d->udp_ports[0]) {
        dtest_l2(&t, data, size);
    } else if ((mode & 3) == 0 || (!d->frame && (mode & 3) == 1)) {
        dtest_pdu(&t, mode >> 7, data, size);
    } else if (d->frame && (mode & 3) != 3) {
        /* stream: segments of 1..cut+1 bytes, direction flips with mode bits */
        size_t seg = (size_t)cut % 64 + 1;
        int dir = 0;
        for (size_t off = 0; off < size; off += seg) {
            size_t n = size - off < seg ? size - off : seg;
            dtest_tcp(&t, dir, data + off, n);
            if (mode & 0x10)
                dir ^= 1;
        }
    } else {
        dtest_udp(&t, mode >> 7, data, size);
    }
    dtest_done(&t);
    return 0;
}
