/* test_decode.c - hand-built frames through decode_frame(): every link type, VLAN/QinQ, IPv4 and
 * IPv6 with extension headers, IPv4/IPv6 fragment reassembly (order, overlap, eviction, timeout,
 * holes), padding, and malformed headers with their reasons.  Frames are built byte by byte
 * here, not by the generator, so that a bug shared by both cannot hide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "decode/decode.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

/* ---- a frame builder ---- */
struct fb {
    uint8_t b[2048];
    size_t n;
};

static void u8(struct fb *f, uint8_t v)
{
    assert_true(f->n < sizeof f->b);
    f->b[f->n++] = v;
}
static void be16(struct fb *f, uint16_t v)
{
    u8(f, (uint8_t)(v >> 8));
    u8(f, (uint8_t)v);
}
static void be32(struct fb *f, uint32_t v)
{
    be16(f, (uint16_t)(v >> 16));
    be16(f, (uint16_t)v);
}
static void bytes(struct fb *f, const void *p, size_t n)
{
    const uint8_t *s = p;
    for (size_t i = 0; i < n; i++)
        u8(f, s[i]);
}
static void pad(struct fb *f, uint8_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        u8(f, v);
}

static const uint8_t MAC_A[6] = {0x00, 0x1b, 0x1b, 0x11, 0x22, 0x33};
static const uint8_t MAC_B[6] = {0x00, 0x14, 0x22, 0x44, 0x55, 0x66};
static const uint8_t IP_A[4] = {192, 168, 0, 10};
static const uint8_t IP_B[4] = {192, 168, 0, 20};
static const uint8_t IP6_A[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x0a};
static const uint8_t IP6_B[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x0b};

static void eth(struct fb *f, uint16_t type)
{
    bytes(f, MAC_B, 6);
    bytes(f, MAC_A, 6);
    be16(f, type);
}

/* IPv4 header with total length 20 + l4len; frag = flags|offset/8 as on the wire */
static void ipv4(struct fb *f, uint8_t proto, uint16_t l4len, uint16_t id, uint16_t frag)
{
    u8(f, 0x45);
    u8(f, 0);
    be16(f, (uint16_t)(20 + l4len));
    be16(f, id);
    be16(f, frag);
    u8(f, 64);
    u8(f, proto);
    be16(f, 0);
    bytes(f, IP_A, 4);
    bytes(f, IP_B, 4);
}

static void ipv6(struct fb *f, uint8_t next, uint16_t plen)
{
    be32(f, 0x60000000);
    be16(f, plen);
    u8(f, next);
    u8(f, 55);
    bytes(f, IP6_A, 16);
    bytes(f, IP6_B, 16);
}

/* an 8-byte hop-by-hop / destination options header of PadN */
static void ext8(struct fb *f, uint8_t next)
{
    u8(f, next);
    u8(f, 0);
    u8(f, 1);
    u8(f, 4);
    pad(f, 0, 4);
}

static void tcp(struct fb *f, uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack, uint8_t flags)
{
    be16(f, sp);
    be16(f, dp);
    be32(f, seq);
    be32(f, ack);
    u8(f, 0x50);
    u8(f, flags);
    be16(f, 0xfaf0);
    be16(f, 0);
    be16(f, 0);
}

static void udp(struct fb *f, uint16_t sp, uint16_t dp, uint16_t len)
{
    be16(f, sp);
    be16(f, dp);
    be16(f, len);
    be16(f, 0);
}

/* ---- decoding ---- */
static struct decoder *D;
static struct pkt P;
static const char *WHY;

static int setup(void **st)
{
    (void)st;
    D = decoder_new(4);
    return D ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    decoder_free(D);
    D = NULL;
    return 0;
}

static enum decode_result dec_at(int lt, const struct fb *f, int64_t ts)
{
    memset(&P, 0, sizeof P);
    P.ts_ns = ts;
    WHY = NULL;
    enum decode_result r = decode_frame(D, lt, rd_init(f->b, f->n), &P, &WHY);
    if (r == DEC_MALFORMED)
        assert_non_null(WHY);
    return r;
}

static enum decode_result dec(int lt, const struct fb *f)
{
    return dec_at(lt, f, 1000);
}

static const struct decode_stats *stats(void)
{
    return decoder_stats(D);
}

static void payload_is(const char *want, size_t n)
{
    assert_int_equal(rd_left(&P.payload), n);
    uint8_t got[1500];
    struct rd r = P.payload;
    rd_bytes(&r, got, n);
    assert_true(rd_ok(&r));
    assert_memory_equal(got, want, n);
}

static void ip4_is(const struct ipaddr *a, const uint8_t want[4])
{
    assert_int_equal(a->family, 4);
    assert_memory_equal(a->b, want, 4);
}

static void ip6_is(const struct ipaddr *a, const uint8_t want[16])
{
    assert_int_equal(a->family, 6);
    assert_memory_equal(a->b, want, 16);
}

/* ---- Ethernet, IPv4, TCP/UDP ---- */

static void ethernet_ipv4_tcp(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    eth(&f, 0x0800);
    ipv4(&f, 6, 20 + 5, 0x1234, 0x4000);
    tcp(&f, 50000, 502, 0x01020304, 0xa0b0c0d0, TCP_PSH | TCP_ACK);
    bytes(&f, "hello", 5);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_true(P.has_mac);
    assert_memory_equal(P.smac, MAC_A, 6);
    assert_memory_equal(P.dmac, MAC_B, 6);
    assert_int_equal(P.nvlan, 0);
    assert_int_equal(P.ethertype, 0x0800);
    ip4_is(&P.src, IP_A);
    ip4_is(&P.dst, IP_B);
    assert_int_equal(P.l4, L4_TCP);
    assert_int_equal(P.ttl, 64);
    assert_false(P.ip_reassembled);
    assert_int_equal(P.sport, 50000);
    assert_int_equal(P.dport, 502);
    assert_int_equal(P.seq, 0x01020304);
    assert_int_equal(P.ack, 0xa0b0c0d0);
    assert_int_equal(P.tcp_flags, TCP_PSH | TCP_ACK);
    payload_is("hello", 5);
    assert_int_equal(stats()->frames, 1);
    assert_int_equal(stats()->ipv4, 1);
    assert_int_equal(stats()->tcp, 1);
    assert_int_equal(stats()->malformed, 0);
}

static void tcp_options_are_skipped(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    eth(&f, 0x0800);
    ipv4(&f, 6, 32 + 3, 1, 0);
    size_t at = f.n;
    tcp(&f, 40000, 80, 1, 0, TCP_SYN);
    f.b[at + 12] = 0x80; /* data offset 8 words: 12 bytes of options */
    bytes(&f, "\x02\x04\x05\xb4\x01\x03\x03\x07\x04\x02\x00\x00", 12);
    bytes(&f, "GET", 3);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_int_equal(P.tcp_flags, TCP_SYN);
    payload_is("GET", 3);
}

static void ethernet_ipv4_udp(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    eth(&f, 0x0800);
    ipv4(&f, 17, 8 + 4, 7, 0);
    udp(&f, 47808, 47808, 8 + 4);
    bytes(&f, "\x81\x0b\x00\x0c", 4);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_int_equal(P.l4, L4_UDP);
    assert_int_equal(P.sport, 47808);
    assert_int_equal(P.dport, 47808);
    payload_is("\x81\x0b\x00\x0c", 4);
    assert_int_equal(stats()->udp, 1);

    /* the UDP length bounds the payload even when the IP packet is longer */
    f.n = 0;
    eth(&f, 0x0800);
    ipv4(&f, 17, 8 + 6, 8, 0);
    udp(&f, 1000, 161, 8 + 2);
    bytes(&f, "abcdef", 6);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    payload_is("ab", 2);
}

static void ethernet_padding_is_trimmed_by_ip_length(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    eth(&f, 0x0800);
    ipv4(&f, 6, 20 + 2, 9, 0x4000);
    tcp(&f, 40001, 502, 100, 200, TCP_ACK | TCP_PSH);
    bytes(&f, "hi", 2);
    size_t before = f.n;
    pad(&f, 0xee, 60 - f.n + 4); /* minimum frame plus trailing garbage (an FCS) */
    assert_true(f.n > before);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    payload_is("hi", 2);

    /* a pure ACK with padding has no payload at all */
    f.n = 0;
    eth(&f, 0x0800);
    ipv4(&f, 6, 20, 10, 0x4000);
    tcp(&f, 40001, 502, 102, 200, TCP_ACK);
    pad(&f, 0, 6);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_int_equal(rd_left(&P.payload), 0);

    /* UDP too */
    f.n = 0;
    eth(&f, 0x0800);
    ipv4(&f, 17, 8 + 1, 11, 0);
    udp(&f, 5000, 53, 8 + 1);
    u8(&f, 'x');
    pad(&f, 0, 60 - f.n);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    payload_is("x", 1);
}

static void snaplen_cut_ip_decodes_what_is_there(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    eth(&f, 0x0800);
    ipv4(&f, 6, 20 + 1000, 12, 0x4000); /* says 1000 bytes of payload */
    tcp(&f, 40002, 102, 1, 1, TCP_ACK);
    bytes(&f, "\x03\x00\x00\x16", 4); /* only 4 captured */
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    payload_is("\x03\x00\x00\x16", 4);
}

static void icmp_echo_and_other_protocols(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    eth(&f, 0x0800);
    ipv4(&f, 1, 8 + 4, 13, 0);
    bytes(&f, "\x08\x00\x00\x00\x00\x01\x00\x01ping", 12);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_int_equal(P.l4, L4_ICMP);
    assert_int_equal(rd_left(&P.payload), 12);
    assert_int_equal(stats()->icmp, 1);

    /* GRE (47): an IP packet with a payload, no ports */
    f.n = 0;
    eth(&f, 0x0800);
    ipv4(&f, 47, 4, 14, 0);
    bytes(&f, "\x00\x00\x08\x00", 4);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_int_equal(P.l4, 47);
    assert_int_equal(P.sport, 0);
    assert_int_equal(rd_left(&P.payload), 4);
}

static void arp_is_layer2(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    eth(&f, 0x0806);
    be16(&f, 1);
    be16(&f, 0x0800);
    u8(&f, 6);
    u8(&f, 4);
    be16(&f, 1);
    bytes(&f, MAC_A, 6);
    bytes(&f, IP_A, 4);
    pad(&f, 0, 6);
    bytes(&f, IP_B, 4);
    pad(&f, 0, 18); /* padding to 60 */
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_L2);
    assert_int_equal(P.ethertype, 0x0806);
    assert_int_equal(P.src.family, 0);
    assert_int_equal(rd_left(&P.payload), 28 + 18);
    assert_int_equal(rd_peek_be16(&P.payload, 6), 1);
    assert_int_equal(stats()->arp, 1);
}

static void llc_snap_gives_the_snap_type(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    bytes(&f, "\x01\x00\x0c\xcc\xcc\xcc", 6);
    bytes(&f, MAC_A, 6);
    be16(&f, 8 + 4); /* 802.3 length */
    bytes(&f, "\xaa\xaa\x03\x00\x00\x0c\x20\x00", 8);
    bytes(&f, "\x02\xb4\x00\x00", 4);
    pad(&f, 0, 10);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_L2);
    assert_int_equal(P.ethertype, 0x2000);
    assert_int_equal(rd_left(&P.payload), 4); /* bounded by the 802.3 length */
}

/* ---- VLANs ---- */

static void vlan_8021q(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    eth(&f, 0x8100);
    be16(&f, 0xa064); /* PCP 5, VLAN 100 */
    be16(&f, 0x0800);
    ipv4(&f, 17, 8, 1, 0);
    udp(&f, 1, 2, 8);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_int_equal(P.nvlan, 1);
    assert_int_equal(P.vlan[0], 100);
    assert_int_equal(P.ethertype, 0x0800);
    assert_int_equal(P.sport, 1);
    assert_int_equal(stats()->vlan_tagged, 1);
}

static void qinq_keeps_both_ids(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    eth(&f, 0x88a8);
    be16(&f, 200);
    be16(&f, 0x8100);
    be16(&f, 100);
    be16(&f, 0x0800);
    ipv4(&f, 17, 8 + 3, 1, 0);
    udp(&f, 30000, 161, 8 + 3);
    bytes(&f, "\x30\x01\x00", 3);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_int_equal(P.nvlan, 2);
    assert_int_equal(P.vlan[0], 200); /* outer (service) tag first */
    assert_int_equal(P.vlan[1], 100);
    assert_int_equal(P.dport, 161);
    payload_is("\x30\x01\x00", 3);
    assert_int_equal(stats()->vlan_tagged, 1); /* one tagged frame */

    /* the old 0x9100 QinQ type, three tags: the outer two are kept */
    f.n = 0;
    eth(&f, 0x9100);
    be16(&f, 7);
    be16(&f, 0x8100);
    be16(&f, 8);
    be16(&f, 0x8100);
    be16(&f, 9);
    be16(&f, 0x0800);
    ipv4(&f, 17, 8, 1, 0);
    udp(&f, 1, 2, 8);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_int_equal(P.nvlan, 2);
    assert_int_equal(P.vlan[0], 7);
    assert_int_equal(P.vlan[1], 8);
}

static void vlan_errors(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    eth(&f, 0x8100);
    be16(&f, 5); /* tag cut short */
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_MALFORMED);
    assert_string_equal(WHY, "VLAN tag truncated");

    f.n = 0;
    eth(&f, 0x8100);
    for (int i = 0; i < 6; i++) {
        be16(&f, (uint16_t)(i + 1));
        be16(&f, 0x8100);
    }
    be16(&f, 0);
    be16(&f, 0x0800);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_MALFORMED);
    assert_string_equal(WHY, "too many VLAN tags");
}

/* ---- other link types ---- */

static void linux_sll_takes_the_source_mac(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    be16(&f, 0); /* packet type: to us */
    be16(&f, 1); /* ARPHRD_ETHER */
    be16(&f, 6); /* address length */
    bytes(&f, MAC_A, 6);
    pad(&f, 0, 2);
    be16(&f, 0x0800);
    ipv4(&f, 6, 20, 1, 0);
    tcp(&f, 1234, 502, 5, 6, TCP_SYN);
    assert_int_equal(dec(DLT_LINUX_SLL, &f), DEC_IP);
    assert_true(P.has_mac);
    assert_memory_equal(P.smac, MAC_A, 6);
    static const uint8_t zero[6];
    assert_memory_equal(P.dmac, zero, 6);
    ip4_is(&P.src, IP_A);
    assert_int_equal(P.dport, 502);

    /* a non-Ethernet device (loopback, ARPHRD 772): no MAC */
    f.b[3] = 4; /* 772 = 0x0304 */
    f.b[2] = 3;
    assert_int_equal(dec(DLT_LINUX_SLL, &f), DEC_IP);
    assert_false(P.has_mac);
    assert_int_equal(P.dport, 502);

    /* a VLAN tag inside a cooked capture */
    f.n = 0;
    be16(&f, 4);
    be16(&f, 1);
    be16(&f, 6);
    bytes(&f, MAC_B, 6);
    pad(&f, 0, 2);
    be16(&f, 0x8100);
    be16(&f, 30);
    be16(&f, 0x0800);
    ipv4(&f, 17, 8, 1, 0);
    udp(&f, 1, 2, 8);
    assert_int_equal(dec(DLT_LINUX_SLL, &f), DEC_IP);
    assert_int_equal(P.nvlan, 1);
    assert_int_equal(P.vlan[0], 30);
    assert_memory_equal(P.smac, MAC_B, 6);

    /* truncated */
    f.n = 10;
    assert_int_equal(dec(DLT_LINUX_SLL, &f), DEC_MALFORMED);
    assert_string_equal(WHY, "linux cooked header truncated");
}

static void linux_sll2_takes_the_source_mac(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    be16(&f, 0x86dd); /* protocol */
    be16(&f, 0);      /* reserved */
    be32(&f, 3);      /* interface index */
    be16(&f, 1);      /* ARPHRD_ETHER */
    u8(&f, 0);        /* packet type */
    u8(&f, 6);        /* address length */
    bytes(&f, MAC_B, 6);
    pad(&f, 0, 2);
    ipv6(&f, 17, 8 + 2);
    udp(&f, 546, 547, 8 + 2);
    bytes(&f, "\x01\x02", 2);
    assert_int_equal(dec(DLT_LINUX_SLL2, &f), DEC_IP);
    assert_true(P.has_mac);
    assert_memory_equal(P.smac, MAC_B, 6);
    assert_int_equal(P.ethertype, 0x86dd);
    ip6_is(&P.src, IP6_A);
    ip6_is(&P.dst, IP6_B);
    assert_int_equal(P.ttl, 55);
    assert_int_equal(P.sport, 546);
    payload_is("\x01\x02", 2);
    assert_int_equal(stats()->ipv6, 1);

    f.n = 19;
    assert_int_equal(dec(DLT_LINUX_SLL2, &f), DEC_MALFORMED);
    assert_string_equal(WHY, "linux cooked header truncated");
}

static void raw_ipv4_and_ipv6(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    ipv4(&f, 17, 8 + 1, 1, 0);
    udp(&f, 7, 8, 9);
    u8(&f, 'z');
    assert_int_equal(dec(DLT_RAW, &f), DEC_IP);
    assert_false(P.has_mac);
    ip4_is(&P.src, IP_A);
    payload_is("z", 1);
#ifdef DLT_IPV4
    assert_int_equal(dec(DLT_IPV4, &f), DEC_IP);
    assert_int_equal(P.dport, 8);
#endif

    f.n = 0;
    ipv6(&f, 6, 20);
    tcp(&f, 40000, 4840, 1, 0, TCP_SYN);
    assert_int_equal(dec(DLT_RAW, &f), DEC_IP);
    assert_false(P.has_mac);
    ip6_is(&P.src, IP6_A);
    assert_int_equal(P.dport, 4840);
#ifdef DLT_IPV6
    assert_int_equal(dec(DLT_IPV6, &f), DEC_IP);
    assert_int_equal(P.l4, L4_TCP);
#endif

    /* neither version */
    f.b[0] = 0x55;
    assert_int_equal(dec(DLT_RAW, &f), DEC_MALFORMED);
    assert_string_equal(WHY, "raw IP: not IPv4 or IPv6");
    f.n = 0;
    assert_int_equal(dec(DLT_RAW, &f), DEC_MALFORMED);
}

static void bsd_null_both_byte_orders_and_loop(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    /* DLT_NULL from a little-endian host: AF_INET = 2 */
    bytes(&f, "\x02\x00\x00\x00", 4);
    ipv4(&f, 17, 8, 1, 0);
    udp(&f, 11, 12, 8);
    assert_int_equal(dec(DLT_NULL, &f), DEC_IP);
    assert_int_equal(P.sport, 11);
    ip4_is(&P.src, IP_A);
    /* ... and from a big-endian host */
    memcpy(f.b, "\x00\x00\x00\x02", 4);
    assert_int_equal(dec(DLT_NULL, &f), DEC_IP);
    assert_int_equal(P.sport, 11);

    /* IPv6 address families of the BSDs (24 NetBSD/OpenBSD, 28 FreeBSD, 30 Darwin) */
    static const uint8_t afs[] = {24, 28, 30};
    for (size_t i = 0; i < sizeof afs; i++) {
        f.n = 0;
        u8(&f, afs[i]);
        pad(&f, 0, 3);
        ipv6(&f, 17, 8);
        udp(&f, 13, 14, 8);
        assert_int_equal(dec(DLT_NULL, &f), DEC_IP);
        assert_int_equal(P.src.family, 6);
        assert_int_equal(P.dport, 14);
        f.b[0] = 0;
        f.b[3] = afs[i];
        assert_int_equal(dec(DLT_NULL, &f), DEC_IP);
        assert_int_equal(P.src.family, 6);
    }

    /* DLT_LOOP is always network byte order */
    f.n = 0;
    bytes(&f, "\x00\x00\x00\x02", 4);
    ipv4(&f, 17, 8, 1, 0);
    udp(&f, 15, 16, 8);
    assert_int_equal(dec(DLT_LOOP, &f), DEC_IP);
    assert_int_equal(P.sport, 15);
    /* host order in a LOOP capture is another family: skipped, not misread */
    memcpy(f.b, "\x02\x00\x00\x00", 4);
    assert_int_equal(dec(DLT_LOOP, &f), DEC_SKIP);

    /* an unknown family is skipped; a short header is malformed */
    memcpy(f.b, "\x00\x00\x00\x07", 4);
    assert_int_equal(dec(DLT_NULL, &f), DEC_SKIP);
    f.n = 3;
    assert_int_equal(dec(DLT_NULL, &f), DEC_MALFORMED);
    assert_string_equal(WHY, "loopback header truncated");
}

static void unsupported_link_type(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    pad(&f, 0, 40);
    assert_int_equal(dec(147 /* DLT_USER0 */, &f), DEC_MALFORMED);
    assert_string_equal(WHY, "unsupported link type");
    assert_int_equal(stats()->unsupported_link, 1);
    assert_false(decode_linktype_supported(147));
    assert_true(decode_linktype_supported(DLT_EN10MB));
    assert_true(decode_linktype_supported(DLT_LINUX_SLL2));
}

/* ---- IPv6 extension headers ---- */

static void ipv6_hop_by_hop_and_destination_options(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    eth(&f, 0x86dd);
    ipv6(&f, 0, 8 + 16 + 20 + 3);
    ext8(&f, 60);
    /* destination options of 16 bytes (length field 1) */
    u8(&f, 6);
    u8(&f, 1);
    u8(&f, 1);
    u8(&f, 12);
    pad(&f, 0, 12);
    tcp(&f, 50010, 502, 77, 88, TCP_ACK | TCP_PSH);
    bytes(&f, "abc", 3);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_int_equal(P.l4, L4_TCP);
    assert_int_equal(P.sport, 50010);
    assert_int_equal(P.dport, 502);
    assert_int_equal(P.seq, 77);
    payload_is("abc", 3);

    /* + an atomic fragment header (offset 0, M=0) + UDP, and Ethernet padding */
    f.n = 0;
    eth(&f, 0x86dd);
    ipv6(&f, 0, 8 + 8 + 8 + 8 + 2);
    ext8(&f, 60);
    ext8(&f, 44);
    u8(&f, 17);
    u8(&f, 0);
    be16(&f, 0);
    be32(&f, 0xdeadbeef);
    udp(&f, 500, 500, 8 + 2);
    bytes(&f, "ok", 2);
    pad(&f, 0, 8);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_int_equal(P.l4, L4_UDP);
    assert_false(P.ip_reassembled);
    payload_is("ok", 2);

    /* an AH header (length 4 = 24 bytes) before TCP */
    f.n = 0;
    eth(&f, 0x86dd);
    ipv6(&f, 51, 24 + 20);
    u8(&f, 6);
    u8(&f, 4);
    pad(&f, 0xab, 22);
    tcp(&f, 1, 2, 3, 4, TCP_ACK);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_int_equal(P.l4, L4_TCP);
    assert_int_equal(P.dport, 2);
}

static void ipv6_extension_header_errors(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    /* a hop-by-hop header claiming more bytes than the payload holds */
    eth(&f, 0x86dd);
    ipv6(&f, 0, 8);
    u8(&f, 6);
    u8(&f, 3); /* 32 bytes */
    pad(&f, 0, 6);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_MALFORMED);
    assert_string_equal(WHY, "IPv6 extension header truncated");

    /* eight destination-options headers in a row */
    f.n = 0;
    eth(&f, 0x86dd);
    ipv6(&f, 60, 8 * 8 + 8);
    for (int i = 0; i < 8; i++)
        ext8(&f, i < 7 ? 60 : 17);
    udp(&f, 1, 2, 8);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_MALFORMED);
    assert_string_equal(WHY, "too many IPv6 extension headers");

    /* seven are fine */
    f.n = 0;
    eth(&f, 0x86dd);
    ipv6(&f, 60, 7 * 8 + 8);
    for (int i = 0; i < 7; i++)
        ext8(&f, i < 6 ? 60 : 17);
    udp(&f, 1, 2, 8);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_int_equal(P.dport, 2);

    /* a fragment header cut short */
    f.n = 0;
    eth(&f, 0x86dd);
    ipv6(&f, 44, 6);
    u8(&f, 17);
    pad(&f, 0, 5);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_MALFORMED);
    assert_string_equal(WHY, "IPv6 fragment header truncated");

    /* the fixed header cut short */
    f.n = 0;
    eth(&f, 0x86dd);
    ipv6(&f, 17, 0);
    f.n -= 10;
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_MALFORMED);
    assert_string_equal(WHY, "IPv6 header truncated");
}

/* an IPv6 datagram behind hop-by-hop + destination options, in two fragments */
static void ipv6_fragment(struct fb *f, uint16_t off_bytes, bool more, const void *data, size_t n)
{
    f->n = 0;
    eth(f, 0x86dd);
    ipv6(f, 0, (uint16_t)(8 + 8 + 8 + n));
    ext8(f, 60);
    ext8(f, 44);
    u8(f, 17);
    u8(f, 0);
    be16(f, (uint16_t)(off_bytes | (more ? 1 : 0)));
    be32(f, 0x01020304);
    bytes(f, data, n);
}

static void ipv6_fragments_are_reassembled(void **st)
{
    (void)st;
    struct fb whole = {.n = 0};
    udp(&whole, 5683, 5683, 8 + 24);
    bytes(&whole, "ABCDEFGHIJKLMNOPQRSTUVWX", 24);
    struct fb f = {.n = 0};
    /* second half first */
    ipv6_fragment(&f, 16, false, whole.b + 16, 16);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    ipv6_fragment(&f, 0, true, whole.b, 16);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_true(P.ip_reassembled);
    assert_int_equal(P.l4, L4_UDP);
    assert_int_equal(P.sport, 5683);
    ip6_is(&P.src, IP6_A);
    payload_is("ABCDEFGHIJKLMNOPQRSTUVWX", 24);
    assert_int_equal(stats()->frag_reassembled, 1);
}

/* ---- IPv4 fragments ---- */

/* fragment of datagram 'id' (UDP) from IP_A to IP_B: bytes [off, off+n) of 'data' */
static void ipv4_fragment(struct fb *f, uint16_t id, const struct fb *data, uint16_t off,
                          uint16_t n, bool more)
{
    f->n = 0;
    eth(f, 0x0800);
    ipv4(f, 17, n, id, (uint16_t)((more ? 0x2000 : 0) | off / 8));
    bytes(f, data->b + off, n);
    while (f->n < 60)
        u8(f, 0); /* Ethernet padding: must not become fragment data */
}

static void datagram(struct fb *d, size_t payload, char fill)
{
    d->n = 0;
    udp(d, 40000, 2222, (uint16_t)(8 + payload));
    for (size_t i = 0; i < payload; i++)
        u8(d, (uint8_t)(fill + (char)(i % 20)));
}

static void ipv4_fragments_in_order(void **st)
{
    (void)st;
    struct fb d, f;
    datagram(&d, 40, 'a'); /* 48 bytes: 16 + 16 + 16 */
    ipv4_fragment(&f, 100, &d, 0, 16, true);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    ipv4_fragment(&f, 100, &d, 16, 16, true);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    ipv4_fragment(&f, 100, &d, 32, 16, false);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    assert_true(P.ip_reassembled);
    assert_int_equal(P.l4, L4_UDP);
    assert_int_equal(P.sport, 40000);
    assert_int_equal(P.dport, 2222);
    ip4_is(&P.src, IP_A);
    payload_is((const char *)d.b + 8, 40);
    assert_int_equal(stats()->frag_stored, 3);
    assert_int_equal(stats()->frag_reassembled, 1);
    assert_int_equal(stats()->frag_dropped, 0);
}

static void ipv4_fragments_out_of_order(void **st)
{
    (void)st;
    struct fb d, f;
    datagram(&d, 40, 'k');
    ipv4_fragment(&f, 200, &d, 32, 16, false);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    ipv4_fragment(&f, 200, &d, 0, 16, true);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    ipv4_fragment(&f, 200, &d, 16, 16, true);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    payload_is((const char *)d.b + 8, 40);
    assert_int_equal(stats()->frag_reassembled, 1);

    /* two datagrams interleaved, same hosts, different ids */
    struct fb d2;
    datagram(&d2, 24, 'P');
    ipv4_fragment(&f, 301, &d, 0, 16, true);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    ipv4_fragment(&f, 302, &d2, 16, 16, false);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    ipv4_fragment(&f, 301, &d, 16, 32, false);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    payload_is((const char *)d.b + 8, 40);
    ipv4_fragment(&f, 302, &d2, 0, 16, true);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
    payload_is((const char *)d2.b + 8, 24);
    assert_int_equal(stats()->frag_reassembled, 3);
}

static void ipv4_overlapping_fragments_are_dropped(void **st)
{
    (void)st;
    struct fb d, f;
    datagram(&d, 40, 'o');
    ipv4_fragment(&f, 400, &d, 0, 24, true);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    ipv4_fragment(&f, 400, &d, 16, 16, true); /* overlaps 16..24 */
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    assert_int_equal(stats()->frag_overlap, 1);
    /* the datagram is gone: the rest does not complete it */
    ipv4_fragment(&f, 400, &d, 24, 24, false);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    assert_int_equal(stats()->frag_reassembled, 0);

    /* an exact duplicate counts as overlap too */
    ipv4_fragment(&f, 401, &d, 0, 16, true);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    assert_int_equal(stats()->frag_overlap, 2);

    /* two different last fragments disagree about the end */
    ipv4_fragment(&f, 402, &d, 32, 16, false);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    ipv4_fragment(&f, 402, &d, 16, 8, false);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    assert_int_equal(stats()->frag_overlap, 3);
    assert_int_equal(stats()->frag_reassembled, 0);
}

/* a fragment past the end given by the last fragment must not stand in for a missing one */
static void ipv4_hole_is_never_complete(void **st)
{
    (void)st;
    struct fb d, f;
    /* first fill the slot's buffer with a complete datagram of 'X's */
    struct fb x;
    datagram(&x, 40, 'X');
    memset(x.b + 8, 'X', 40);
    ipv4_fragment(&f, 500, &x, 0, 24, true);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    ipv4_fragment(&f, 500, &x, 24, 24, false);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);

    /* datagram of 24 bytes: [0,8) [16,24) arrive, [8,16) never; a bogus [24,32) arrives */
    datagram(&d, 24, 'a');
    ipv4_fragment(&f, 501, &d, 16, 8, false);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    ipv4_fragment(&f, 501, &d, 24, 8, true); /* beyond the end the last fragment gave */
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    ipv4_fragment(&f, 501, &d, 0, 8, true);
    /* 24 bytes received and the end is at 24, but 8..16 is a hole (stale 'X's) */
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    assert_int_equal(stats()->frag_reassembled, 1);
}

static void ipv4_fragment_sanity(void **st)
{
    (void)st;
    struct fb d, f;
    datagram(&d, 40, 's');
    /* a non-final fragment whose length is not a multiple of 8 */
    ipv4_fragment(&f, 600, &d, 0, 12, true);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    assert_int_equal(stats()->frag_dropped, 1);
    /* past 64 KiB */
    f.n = 0;
    eth(&f, 0x0800);
    ipv4(&f, 17, 16, 601, 0x2000 | (65528 / 8));
    pad(&f, 'q', 16);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    assert_int_equal(stats()->frag_dropped, 2);
    /* an empty fragment */
    f.n = 0;
    eth(&f, 0x0800);
    ipv4(&f, 17, 0, 602, 0x2000);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_FRAGMENT);
    assert_int_equal(stats()->frag_dropped, 3);
    assert_int_equal(stats()->frag_reassembled, 0);
}

static void too_many_datagrams_evict_the_oldest(void **st)
{
    (void)st; /* the decoder has 4 slots */
    struct fb d[5], f;
    for (int i = 0; i < 5; i++) {
        datagram(&d[i], 24, (char)('A' + i));
        ipv4_fragment(&f, (uint16_t)(700 + i), &d[i], 0, 16, true);
        assert_int_equal(dec_at(DLT_EN10MB, &f, 1000 + i), DEC_FRAGMENT);
    }
    assert_int_equal(stats()->frag_dropped, 1); /* the fifth took the oldest slot */
    /* the oldest (700) is gone */
    ipv4_fragment(&f, 700, &d[0], 16, 16, false);
    assert_int_equal(dec_at(DLT_EN10MB, &f, 2000), DEC_FRAGMENT);
    /* the others complete */
    for (int i = 2; i < 5; i++) {
        ipv4_fragment(&f, (uint16_t)(700 + i), &d[i], 16, 16, false);
        assert_int_equal(dec_at(DLT_EN10MB, &f, 2000 + i), DEC_IP);
        payload_is((const char *)d[i].b + 8, 24);
    }
    assert_int_equal(stats()->frag_reassembled, 3);
}

static void fragments_time_out(void **st)
{
    (void)st;
    struct fb d, f;
    datagram(&d, 40, 't');
    const int64_t s = 1000000000ll;
    ipv4_fragment(&f, 800, &d, 0, 16, true);
    assert_int_equal(dec_at(DLT_EN10MB, &f, 100 * s), DEC_FRAGMENT);
    ipv4_fragment(&f, 800, &d, 16, 16, true);
    assert_int_equal(dec_at(DLT_EN10MB, &f, 129 * s), DEC_FRAGMENT); /* 29 s later: kept */
    assert_int_equal(stats()->frag_timeout, 0);
    ipv4_fragment(&f, 800, &d, 32, 16, false);
    assert_int_equal(dec_at(DLT_EN10MB, &f, 131 * s), DEC_FRAGMENT); /* 31 s: expired */
    assert_int_equal(stats()->frag_timeout, 1);
    assert_int_equal(stats()->frag_reassembled, 0);

    /* within 30 s it completes */
    ipv4_fragment(&f, 801, &d, 0, 32, true);
    assert_int_equal(dec_at(DLT_EN10MB, &f, 200 * s), DEC_FRAGMENT);
    ipv4_fragment(&f, 801, &d, 32, 16, false);
    assert_int_equal(dec_at(DLT_EN10MB, &f, 229 * s), DEC_IP);
    assert_int_equal(stats()->frag_reassembled, 1);
}

/* ---- malformed headers ---- */

static void malformed(const struct fb *f, const char *why)
{
    uint64_t before = stats()->malformed;
    assert_int_equal(dec(DLT_EN10MB, f), DEC_MALFORMED);
    assert_string_equal(WHY, why);
    assert_int_equal(stats()->malformed, before + 1);
}

static void malformed_headers_say_why(void **st)
{
    (void)st;
    struct fb f = {.n = 0};
    bytes(&f, MAC_A, 6);
    bytes(&f, MAC_B, 4);
    malformed(&f, "ethernet header truncated");

    f.n = 0;
    eth(&f, 0x0800);
    bytes(&f, "\x45\x00\x00\x28\x00\x01", 6);
    malformed(&f, "IPv4 header truncated");

    /* IHL < 5 */
    f.n = 0;
    eth(&f, 0x0800);
    size_t ip = f.n;
    ipv4(&f, 6, 20, 1, 0);
    tcp(&f, 1, 2, 3, 4, TCP_ACK);
    f.b[ip] = 0x44;
    malformed(&f, "IPv4 header length < 20");

    /* options that are not there */
    f.b[ip] = 0x4f;
    f.n = ip + 20;
    malformed(&f, "IPv4 total length shorter than its header");
    f.b[ip + 2] = 0;
    f.b[ip + 3] = 60; /* total 60 = ihl, but only 20 bytes captured */
    malformed(&f, "IPv4 options truncated");

    /* total length shorter than the header */
    f.n = 0;
    eth(&f, 0x0800);
    ipv4(&f, 6, 20, 1, 0);
    tcp(&f, 1, 2, 3, 4, TCP_ACK);
    f.b[ip + 2] = 0;
    f.b[ip + 3] = 19;
    malformed(&f, "IPv4 total length shorter than its header");

    /* IPv6 in an IPv4 ethertype and the other way round */
    f.n = 0;
    eth(&f, 0x0800);
    ipv6(&f, 17, 8);
    udp(&f, 1, 2, 8);
    malformed(&f, "IPv4 version is not 4");
    f.n = 0;
    eth(&f, 0x86dd);
    ipv4(&f, 17, 8, 1, 0);
    udp(&f, 1, 2, 8);
    pad(&f, 0, 20);
    malformed(&f, "IPv6 version is not 6");

    /* TCP data offset < 5 */
    f.n = 0;
    eth(&f, 0x0800);
    ipv4(&f, 6, 20, 1, 0);
    size_t th = f.n;
    tcp(&f, 1, 2, 3, 4, TCP_ACK);
    f.b[th + 12] = 0x40;
    malformed(&f, "TCP header length < 5 words");
    f.b[th + 12] = 0x00;
    malformed(&f, "TCP header length < 5 words");
    /* TCP options past the end */
    f.b[th + 12] = 0x60;
    malformed(&f, "TCP options truncated");
    /* TCP header cut by the IP length */
    f.b[ip + 3] = 20 + 19;
    f.b[th + 12] = 0x50;
    malformed(&f, "TCP header truncated");

    /* UDP length < 8 */
    f.n = 0;
    eth(&f, 0x0800);
    ipv4(&f, 17, 8, 1, 0);
    udp(&f, 1, 2, 7);
    malformed(&f, "UDP length < 8");
    f.n = 0;
    eth(&f, 0x0800);
    ipv4(&f, 17, 6, 1, 0);
    bytes(&f, "\x00\x01\x00\x02\x00\x08", 6);
    malformed(&f, "UDP header truncated");

    /* decoding goes on normally afterwards */
    f.n = 0;
    eth(&f, 0x0800);
    ipv4(&f, 17, 8, 1, 0);
    udp(&f, 1, 2, 8);
    assert_int_equal(dec(DLT_EN10MB, &f), DEC_IP);
}

static void garbage_never_crashes(void **st)
{
    (void)st;
    /* every prefix of a well-formed QinQ + IPv6 + ext + fragment frame, and bit flips */
    struct fb f = {.n = 0};
    eth(&f, 0x88a8);
    be16(&f, 1);
    be16(&f, 0x8100);
    be16(&f, 2);
    be16(&f, 0x86dd);
    ipv6(&f, 0, 8 + 8 + 20);
    ext8(&f, 44);
    u8(&f, 6);
    u8(&f, 0);
    be16(&f, 0);
    be32(&f, 9);
    tcp(&f, 1, 2, 3, 4, TCP_SYN);
    static const int lts[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2,
                              DLT_RAW,    DLT_NULL,      DLT_LOOP};
    for (size_t n = 0; n <= f.n; n++) {
        struct fb g = f;
        g.n = n;
        for (size_t l = 0; l < sizeof lts / sizeof *lts; l++)
            (void)dec(lts[l], &g);
    }
    for (size_t i = 0; i < f.n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            struct fb g = f;
            g.b[i] ^= (uint8_t)(1u << bit);
            (void)dec(DLT_EN10MB, &g);
        }
    }
    assert_true(stats()->frames > f.n * 8);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(ethernet_ipv4_tcp),
        T(tcp_options_are_skipped),
        T(ethernet_ipv4_udp),
        T(ethernet_padding_is_trimmed_by_ip_length),
        T(snaplen_cut_ip_decodes_what_is_there),
        T(icmp_echo_and_other_protocols),
        T(arp_is_layer2),
        T(llc_snap_gives_the_snap_type),
        T(vlan_8021q),
        T(qinq_keeps_both_ids),
        T(vlan_errors),
        T(linux_sll_takes_the_source_mac),
        T(linux_sll2_takes_the_source_mac),
        T(raw_ipv4_and_ipv6),
        T(bsd_null_both_byte_orders_and_loop),
        T(unsupported_link_type),
        T(ipv6_hop_by_hop_and_destination_options),
        T(ipv6_extension_header_errors),
        T(ipv6_fragments_are_reassembled),
        T(ipv4_fragments_in_order),
        T(ipv4_fragments_out_of_order),
        T(ipv4_overlapping_fragments_are_dropped),
        T(ipv4_hole_is_never_complete),
        T(ipv4_fragment_sanity),
        T(too_many_datagrams_evict_the_oldest),
        T(fragments_time_out),
        T(malformed_headers_say_why),
        T(garbage_never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
