/* arp.c - ARP (RFC 826) over Ethernet.  The one thing ARP tells a passive monitor is which MAC
 * claims which IPv4 address: the inventory uses these bindings to tell a host from a router that
 * merely forwards for many addresses.  Probes (sender 0.0.0.0, RFC 5227) claim nothing. */
#include <stdio.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define ARP_HTYPE_ETHERNET 1
#define ARP_PTYPE_IPV4     0x0800
#define ARP_OP_REQUEST     1
#define ARP_OP_REPLY       2

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)state;
    (void)dir;
    uint16_t htype = rd_be16(pdu);
    uint16_t ptype = rd_be16(pdu);
    uint8_t hlen = rd_u8(pdu);
    uint8_t plen = rd_u8(pdu);
    uint16_t op = rd_be16(pdu);
    if (!rd_ok(pdu) || htype != ARP_HTYPE_ETHERNET || ptype != ARP_PTYPE_IPV4 || hlen != 6 ||
        plen != 4) {
        if (!rd_ok(pdu) || htype == ARP_HTYPE_ETHERNET)
            emit_malformed(c, "arp: bad header");
        return;
    }
    uint8_t sha[6], spa[4], tha[6], tpa[4];
    rd_bytes(pdu, sha, 6);
    rd_bytes(pdu, spa, 4);
    rd_bytes(pdu, tha, 6);
    rd_bytes(pdu, tpa, 4);
    if (!rd_ok(pdu)) {
        emit_malformed(c, "arp: truncated");
        return;
    }
    if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)
        return;
    emit_protocol(c, PROTO_ARP);
    if ((spa[0] | spa[1] | spa[2] | spa[3]) == 0)
        return; /* address probe: no claim yet */
    char ip[16];
    str_fmt(ip, sizeof ip, "%u.%u.%u.%u", spa[0], spa[1], spa[2], spa[3]);
    emit_attr(c, WHO_SRC, F_IP_ADDRESS, ip, op == ARP_OP_REPLY ? "arp reply" : "arp request");
}

const struct dissector dissector_arp = {
    .name = "arp",
    .proto = PROTO_ARP,
    .ethertype = 0x0806,
    .parse = parse,
};
