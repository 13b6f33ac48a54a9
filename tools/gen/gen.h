/* gen.h - the synthetic plant-capture generator: a pcap writer with TCP/UDP/L2 session helpers
 * (gen.c) and one scenario module per protocol (gen_<proto>.c).  Deterministic: the same seed
 * writes the same bytes, so golden files and benchmarks are reproducible. */
#ifndef OTSCOPE_GEN_H
#define OTSCOPE_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct gen_host {
    uint8_t mac[6];
    uint8_t ip[4];
    uint16_t vlan; /* 0 = untagged */
};

struct gen {
    FILE *out;
    int64_t t_ns;       /* current capture time */
    uint64_t packets, bytes;
    uint64_t rng;       /* xorshift64* state */
    bool nanosecond;    /* write a nanosecond pcap */
};

/* one TCP connection; the handshake is written by gen_tcp_open */
struct gen_tcp {
    struct gen_host cli, srv;
    uint16_t cport, sport;
    uint32_t seq[2]; /* next seq of client (0) and server (1) */
};

int gen_open(struct gen *g, const char *path, uint64_t seed, int64_t start_ns);
int gen_close(struct gen *g);
uint64_t gen_rand(struct gen *g);               /* 64 random bits */
uint32_t gen_range(struct gen *g, uint32_t n);  /* 0..n-1 */
void gen_advance(struct gen *g, int64_t ns);    /* move the clock */

void gen_tcp_open(struct gen *g, struct gen_tcp *s, const struct gen_host *cli, uint16_t cport,
                  const struct gen_host *srv, uint16_t sport);
/* one segment with payload from dir's side (0 client, 1 server), PSH|ACK */
void gen_tcp_send(struct gen *g, struct gen_tcp *s, int dir, const void *data, size_t n);
/* the same data split into segments of at most mss bytes */
void gen_tcp_send_split(struct gen *g, struct gen_tcp *s, int dir, const void *data, size_t n,
                        size_t mss);
void gen_tcp_close(struct gen *g, struct gen_tcp *s);
void gen_udp(struct gen *g, const struct gen_host *src, uint16_t sport, const struct gen_host *dst,
             uint16_t dport, const void *data, size_t n);
/* a raw Ethernet frame payload after the ethertype (adds the VLAN tag of src if any) */
void gen_l2(struct gen *g, const struct gen_host *src, const uint8_t dst[6], uint16_t ethertype,
            const void *data, size_t n);
void gen_arp(struct gen *g, const struct gen_host *src, const uint8_t target_ip[4], bool reply);
/* a whole link-layer frame written as is (the caller builds headers and checksums) */
void gen_raw(struct gen *g, const uint8_t *frame, size_t n);

/* byte builder for PDUs */
struct gen_buf {
    uint8_t b[4096];
    size_t n;
};
void gb_u8(struct gen_buf *b, uint8_t v);
void gb_be16(struct gen_buf *b, uint16_t v);
void gb_le16(struct gen_buf *b, uint16_t v);
void gb_be32(struct gen_buf *b, uint32_t v);
void gb_le32(struct gen_buf *b, uint32_t v);
void gb_bytes(struct gen_buf *b, const void *p, size_t n);
void gb_str(struct gen_buf *b, const char *s); /* without NUL */
void gb_pad(struct gen_buf *b, uint8_t v, size_t n);
void gb_put_be16(struct gen_buf *b, size_t at, uint16_t v); /* patch a length field */
/* ASN.1 BER/DER (X.690 §8.1): tag, definite length (short, 0x81 or 0x82 form), value */
void gb_tlv(struct gen_buf *out, uint8_t tag, const struct gen_buf *v);
void gb_tlv_raw(struct gen_buf *out, uint8_t tag, const void *p, size_t n);
void gb_put_le16(struct gen_buf *b, size_t at, uint16_t v);

/* Protocol scenarios: each writes one realistic session between cli and srv (or from src for
 * layer-2/UDP), exercising identity and operations.  'variant' picks device models/firmware;
 * 'ops' > 0 adds that many polling cycles (the bench uses this for volume). */
#define GEN_SCENARIOS(X) \
    X(modbus) X(s7comm) X(enip) X(profinet_dcp) X(bacnet) X(opcua) X(dnp3) X(iec104) X(mqtt) \
    X(goose) \
    X(dhcp) X(dns) X(nbns) X(lldp) X(cdp) X(snmp) X(http) X(tls) X(ssh) X(telnet) X(ftp) X(vnc) \
    X(rdp) X(smb) X(mms) X(fins) X(slmp)
#define X(n) void gen_scn_##n(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, \
                              int variant, int ops);
GEN_SCENARIOS(X)
#undef X

#endif
