/* gen_nbns.c - NetBIOS on a plant LAN (RFC 1001/1002, MS-BRWS): a Windows host (cli) registers
 * its names and its workgroup by broadcast, answers a name query and a node status request from
 * srv, and announces itself to the workgroup's master browser over the datagram service
 * (udp/138, an SMB mailslot transaction).  'variant' picks the host; 'ops' adds refresh and
 * query cycles. */
#include <string.h>

#include "gen.h"

#define NBNS_PORT 137
#define NBDS_PORT 138

struct nb_host {
    const char *name, *workgroup, *comment;
    uint8_t os_major, os_minor;
    uint32_t server_type; /* SV_TYPE bits, MS-SRVS §2.2.2.7 */
};

static const struct nb_host nb_hosts[] = {
    {"HMI-LINE1", "PLANT", "WinCC Runtime HMI line 1", 10, 0, 0x00011003},
    {"EWS-TIA01", "ENGINEERING", "TIA Portal V18 engineering", 10, 0, 0x00051003},
    {"HIST-SRV01", "OTDOMAIN", "PI historian", 6, 3, 0x00019107},
    {"SCADA-WINCC7", "WORKGROUP", "", 6, 1, 0x00011003},
};

static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* first-level encoding (RFC 1001 §14.1) of a blank-padded name and its suffix */
static void nb_name(struct gen_buf *b, const char *name, uint8_t suffix)
{
    uint8_t raw[16];
    memset(raw, ' ', 15);
    size_t n = strlen(name);
    memcpy(raw, name, n < 15 ? n : 15);
    raw[15] = suffix;
    gb_u8(b, 32);
    for (int i = 0; i < 16; i++) {
        gb_u8(b, (uint8_t)('A' + (raw[i] >> 4)));
        gb_u8(b, (uint8_t)('A' + (raw[i] & 0x0f)));
    }
    gb_u8(b, 0);
}

static void ns_header(struct gen_buf *b, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an,
                      uint16_t ar)
{
    b->n = 0;
    gb_be16(b, id);
    gb_be16(b, flags);
    gb_be16(b, qd);
    gb_be16(b, an);
    gb_be16(b, 0);
    gb_be16(b, ar);
}

/* NB record data: NB_FLAGS (G bit, B-node) and the address */
static void nb_rdata(struct gen_buf *b, bool group, const uint8_t ip[4])
{
    gb_be16(b, 6);
    gb_be16(b, group ? 0x8000 : 0x0000);
    gb_bytes(b, ip, 4);
}

static struct gen_host subnet_bcast(const struct gen_host *h)
{
    struct gen_host b = *h;
    memcpy(b.mac, bcast_mac, 6);
    b.ip[3] = 255;
    return b;
}

/* name registration request, broadcast (RFC 1002 §4.2.2): question + additional NB record */
static void registration(struct gen *g, const struct gen_host *h, const char *name, uint8_t suffix,
                         bool group, bool refresh)
{
    struct gen_host dst = subnet_bcast(h);
    struct gen_buf b;
    uint16_t id = (uint16_t)gen_range(g, 65536);
    ns_header(&b, id, refresh ? 0x4010 : 0x2910, 1, 0, 1);
    nb_name(&b, name, suffix);
    gb_be16(&b, 0x0020);
    gb_be16(&b, 1);
    gb_be16(&b, 0xc00c);
    gb_be16(&b, 0x0020);
    gb_be16(&b, 1);
    gb_be32(&b, 300000);
    nb_rdata(&b, group, h->ip);
    gen_udp(g, h, NBNS_PORT, &dst, NBNS_PORT, b.b, b.n);
    gen_advance(g, 750000000);
}

/* srv asks for name by broadcast, the owner answers unicast (§4.2.12, §4.2.13) */
static void query(struct gen *g, const struct gen_host *asker, const struct gen_host *owner,
                  const char *name)
{
    struct gen_host dst = subnet_bcast(asker);
    struct gen_buf b;
    uint16_t id = (uint16_t)gen_range(g, 65536);
    ns_header(&b, id, 0x0110, 1, 0, 0);
    nb_name(&b, name, 0x00);
    gb_be16(&b, 0x0020);
    gb_be16(&b, 1);
    gen_udp(g, asker, NBNS_PORT, &dst, NBNS_PORT, b.b, b.n);
    gen_advance(g, 400000 + (int64_t)gen_range(g, 800000));
    ns_header(&b, id, 0x8500, 0, 1, 0);
    nb_name(&b, name, 0x00);
    gb_be16(&b, 0x0020);
    gb_be16(&b, 1);
    gb_be32(&b, 300000);
    nb_rdata(&b, false, owner->ip);
    gen_udp(g, owner, NBNS_PORT, asker, NBNS_PORT, b.b, b.n);
    gen_advance(g, 100000000);
}

/* node status request and the owner's name table (§4.2.17, §4.2.18) */
static void node_status(struct gen *g, const struct gen_host *asker, const struct gen_host *owner,
                        const struct nb_host *nh)
{
    struct gen_buf b;
    uint16_t id = (uint16_t)gen_range(g, 65536);
    ns_header(&b, id, 0x0000, 1, 0, 0);
    nb_name(&b, "*", 0x00);
    /* the wildcard is '*' padded with NULs, not blanks */
    for (size_t i = 13 + 2; i < 13 + 32; i++)
        b.b[i] = 'A';
    gb_be16(&b, 0x0021);
    gb_be16(&b, 1);
    gen_udp(g, asker, NBNS_PORT, owner, NBNS_PORT, b.b, b.n);
    gen_advance(g, 300000 + (int64_t)gen_range(g, 500000));

    struct {
        const char *n;
        uint8_t suffix;
        bool group;
    } names[] = {{nh->name, 0x00, false},
                 {nh->workgroup, 0x00, true},
                 {nh->name, 0x20, false},
                 {nh->workgroup, 0x1e, true}};
    size_t q = b.n - 4; /* end of the question name */
    struct gen_buf r;
    ns_header(&r, id, 0x8400, 0, 1, 0);
    gb_bytes(&r, b.b + 12, q - 12);
    gb_be16(&r, 0x0021);
    gb_be16(&r, 1);
    gb_be32(&r, 0);
    size_t len_at = r.n;
    gb_be16(&r, 0);
    gb_u8(&r, 4);
    for (int i = 0; i < 4; i++) {
        uint8_t raw[16];
        memset(raw, ' ', 15);
        size_t n = strlen(names[i].n);
        memcpy(raw, names[i].n, n < 15 ? n : 15);
        raw[15] = names[i].suffix;
        gb_bytes(&r, raw, 16);
        gb_be16(&r, (uint16_t)((names[i].group ? 0x8000 : 0) | 0x0400));
    }
    gb_bytes(&r, owner->mac, 6);
    gb_pad(&r, 0, 40); /* statistics */
    gb_put_be16(&r, len_at, (uint16_t)(r.n - len_at - 2));
    gen_udp(g, owner, NBNS_PORT, asker, NBNS_PORT, r.b, r.n);
    gen_advance(g, 200000000);
}

/* a HostAnnouncement (MS-BRWS §2.2.1) in an SMB_COM_TRANSACTION to \MAILSLOT\BROWSE, in a
 * direct-group datagram (RFC 1002 §4.4.2) to WORKGROUP<1d> */
static void host_announcement(struct gen *g, const struct gen_host *h, const struct nb_host *nh)
{
    struct gen_buf brw = {.n = 0};
    gb_u8(&brw, 0x01);
    gb_u8(&brw, 0);
    gb_le32(&brw, 720000);
    uint8_t server[16] = {0};
    memcpy(server, nh->name, strlen(nh->name) < 15 ? strlen(nh->name) : 15);
    gb_bytes(&brw, server, 16);
    gb_u8(&brw, nh->os_major);
    gb_u8(&brw, nh->os_minor);
    gb_le32(&brw, nh->server_type);
    gb_u8(&brw, 15);
    gb_u8(&brw, 1);
    gb_le16(&brw, 0xaa55);
    gb_str(&brw, nh->comment);
    gb_u8(&brw, 0);

    static const char slot[] = "\\MAILSLOT\\BROWSE";
    struct gen_buf smb = {.n = 0};
    gb_bytes(&smb, "\xffSMB", 4);
    gb_u8(&smb, 0x25);
    gb_pad(&smb, 0, 27);
    gb_u8(&smb, 17);
    uint16_t data_off = (uint16_t)(32 + 1 + 17 * 2 + 2 + sizeof slot);
    const uint16_t words[17] = {0, (uint16_t)brw.n, 0,        0, 0, 0, 1000, 0, 0, 0,
                                0, (uint16_t)brw.n, data_off, 3, 1, 1, 2};
    for (int i = 0; i < 17; i++)
        gb_le16(&smb, words[i]);
    gb_le16(&smb, (uint16_t)(sizeof slot + brw.n));
    gb_bytes(&smb, slot, sizeof slot);
    gb_bytes(&smb, brw.b, brw.n);

    struct gen_buf d = {.n = 0};
    gb_u8(&d, 0x11);
    gb_u8(&d, 0x02);
    gb_be16(&d, (uint16_t)gen_range(g, 65536));
    gb_bytes(&d, h->ip, 4);
    gb_be16(&d, NBDS_PORT);
    size_t len_at = d.n;
    gb_be16(&d, 0);
    gb_be16(&d, 0);
    nb_name(&d, nh->name, 0x20);
    nb_name(&d, nh->workgroup, 0x1d);
    gb_bytes(&d, smb.b, smb.n);
    gb_put_be16(&d, len_at, (uint16_t)(d.n - len_at - 4));
    struct gen_host dst = subnet_bcast(h);
    gen_udp(g, h, NBDS_PORT, &dst, NBDS_PORT, d.b, d.n);
    gen_advance(g, 500000000);
}

void gen_scn_nbns(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                  int variant, int ops)
{
    const struct nb_host *nh = &nb_hosts[(unsigned)variant % (sizeof nb_hosts / sizeof *nb_hosts)];
    for (int round = 0; round < 2; round++) {
        registration(g, cli, nh->name, 0x00, false, false);
        registration(g, cli, nh->workgroup, 0x00, true, false);
    }
    registration(g, cli, nh->name, 0x20, false, false);
    query(g, srv, cli, nh->name);
    node_status(g, srv, cli, nh);
    host_announcement(g, cli, nh);
    for (int k = 0; k < ops; k++) {
        gen_advance(g, 60000000000ll);
        if (k % 2 == 0)
            registration(g, cli, nh->name, 0x00, false, true);
        else
            query(g, srv, cli, nh->name);
        if (k % 4 == 3)
            host_announcement(g, cli, nh);
    }
}
