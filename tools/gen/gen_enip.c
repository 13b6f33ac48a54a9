/* gen_enip.c - an EtherNet/IP session as RSLinx-style software on an HMI or engineering station
 * (cli) runs it against a controller (srv): a List Identity broadcast answered by the
 * controller and by an I/O adapter, RegisterSession, Get_Attributes_All of the Identity object
 * (routed to the CPU in slot 0 for a ControlLogix chassis), a class 3 Forward Open, Logix tag
 * reads in a Multiple Service Packet, tag writes (one to a tag that does not exist), and per
 * variant a read-modify-write or a refused reset.  The controller scans the adapter over a
 * class 1 connection on udp/2222.  Layouts: ODVA Vol. 1 (CIP) and Vol. 2 (EtherNet/IP). */
#include <string.h>

#include "gen.h"

#define ENIP_PORT    44818
#define ENIP_IO_PORT 2222

struct en_identity {
    uint16_t vendor, type, product_code;
    uint8_t major, minor;
    uint32_t serial;
    const char *name;
};

struct en_variant {
    struct en_identity plc;     /* what List Identity on the controller's IP says */
    bool routed;                /* the CPU sits behind a chassis bridge, in slot 0 */
    struct en_identity cpu;     /* the CPU in slot 0 when routed */
    struct en_identity adapter; /* the I/O adapter the controller scans */
    const char *tags[3];        /* polled tags */
    const char *setpoint;       /* the tag the operator writes */
};

/* real catalogue names and revisions of controllers and adapters (vendor 1 Rockwell
 * Automation/Allen-Bradley, 47 Omron); product codes and serials are made up */
static const struct en_variant en_variants[] = {
    {{1, 14, 150, 30, 11, 0x60c3a1d2, "1769-L33ER/A LOGIX5333ER"},
     false,
     {0},
     {1, 12, 140, 3, 12, 0x40a17733, "1734-AENT/C"},
     {"Line1_Speed", "Line1_Count", "Tank2_Level"},
     "Line1_Speed_SP"},
    {{1, 12, 166, 11, 2, 0x00d1e5a7, "1756-EN2T/D"},
     true,
     {1, 14, 96, 32, 11, 0x00c0ffee, "1756-L73/B LOGIX5573"},
     {1, 12, 140, 3, 12, 0x40a1a001, "1734-AENT/C"},
     {"Program:Mixer.Temp_PV", "Program:Mixer.Agitator_Run", "Batch_Count"},
     "Program:Mixer.Temp_SP"},
    {{1, 14, 193, 12, 11, 0x5001b9e4, "2080-LC50-24QWB"},
     false,
     {0},
     {1, 12, 140, 3, 12, 0x40a1c0de, "1734-AENT/C"},
     {"Conveyor_Speed", "Pallet_Count", "Estop_OK"},
     "Conveyor_Speed_SP"},
    {{47, 12, 1703, 2, 10, 0x00a3c5e1, "NJ501-1500"},
     false,
     {0},
     {47, 12, 1717, 1, 4, 0x00b4d6f2, "NX-EIC202"},
     {"Press_Force", "Press_Cycles", "Guard_Closed"},
     "Press_Force_Limit"},
};

struct en_conn {
    struct gen *g;
    struct gen_tcp s;
    uint32_t session;
    uint64_t ctx;
    uint32_t ot_id, to_id; /* class 3 connection ids: O->T chosen by the target */
    uint16_t seq;
};

static void en_conn_init(struct en_conn *c, struct gen *g)
{
    memset(c, 0, sizeof *c);
    c->g = g;
    c->ctx = gen_rand(g);
}

/* ---- encapsulation (Vol. 2 §2-3) ---- */
static void encap(struct gen_buf *b, uint16_t cmd, uint32_t session, uint64_t ctx)
{
    b->n = 0;
    gb_le16(b, cmd);
    gb_le16(b, 0); /* length, patched */
    gb_le32(b, session);
    gb_le32(b, 0); /* status */
    gb_le32(b, (uint32_t)ctx);
    gb_le32(b, (uint32_t)(ctx >> 32));
    gb_le32(b, 0); /* options */
}

static void encap_send(struct en_conn *c, int dir, struct gen_buf *b)
{
    gb_put_le16(b, 2, (uint16_t)(b->n - 24));
    gen_tcp_send(c->g, &c->s, dir, b->b, b->n);
    gen_advance(c->g, dir ? 2000000 + (int64_t)gen_range(c->g, 3000000) : 300000);
}

/* SendRRData with a null address item and an unconnected data item around msg */
static void rr_data(struct en_conn *c, int dir, const struct gen_buf *msg)
{
    struct gen_buf b;
    encap(&b, 0x006f, c->session, c->ctx);
    gb_le32(&b, 0);            /* interface handle: CIP */
    gb_le16(&b, dir ? 0 : 10); /* timeout */
    gb_le16(&b, 2);
    gb_le16(&b, 0x0000);
    gb_le16(&b, 0);
    gb_le16(&b, 0x00b2);
    gb_le16(&b, (uint16_t)msg->n);
    gb_bytes(&b, msg->b, msg->n);
    encap_send(c, dir, &b);
}

/* SendUnitData on the class 3 connection: connected address + sequenced connected data */
static void unit_data(struct en_conn *c, int dir, const struct gen_buf *msg)
{
    struct gen_buf b;
    encap(&b, 0x0070, c->session, 0);
    gb_le32(&b, 0);
    gb_le16(&b, 0);
    gb_le16(&b, 2);
    gb_le16(&b, 0x00a1);
    gb_le16(&b, 4);
    gb_le32(&b, dir ? c->to_id : c->ot_id);
    gb_le16(&b, 0x00b1);
    gb_le16(&b, (uint16_t)(msg->n + 2));
    gb_le16(&b, c->seq);
    gb_bytes(&b, msg->b, msg->n);
    encap_send(c, dir, &b);
}

/* ---- CIP messages (Vol. 1 §2-4) ---- */
static void cip_req(struct gen_buf *m, uint8_t service, const uint8_t *path, uint8_t words)
{
    m->n = 0;
    gb_u8(m, service);
    gb_u8(m, words);
    gb_bytes(m, path, 2u * words);
}

static void cip_resp(struct gen_buf *m, uint8_t service, uint8_t status)
{
    m->n = 0;
    gb_u8(m, (uint8_t)(service | 0x80));
    gb_u8(m, 0);
    gb_u8(m, status);
    gb_u8(m, 0);
}

/* a symbolic request path: ANSI extended symbol segments split at '.', padded to words */
static void symbol_req(struct gen_buf *m, uint8_t service, const char *tag)
{
    struct gen_buf p = {.n = 0};
    const char *s = tag;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        gb_u8(&p, 0x91);
        gb_u8(&p, (uint8_t)n);
        gb_bytes(&p, s, n);
        if (n & 1)
            gb_u8(&p, 0);
        s += n + (dot ? 1 : 0);
    }
    cip_req(m, service, p.b, (uint8_t)(p.n / 2));
}

/* wrap msg into an Unconnected Send to the Connection Manager, routed to port 1 slot 0 */
static void unconnected_send(struct gen_buf *out, const struct gen_buf *msg)
{
    static const uint8_t cm[] = {0x20, 0x06, 0x24, 0x01};
    cip_req(out, 0x52, cm, 2);
    gb_u8(out, 0x07); /* priority / time tick */
    gb_u8(out, 0xe9); /* time-out ticks */
    gb_le16(out, (uint16_t)msg->n);
    gb_bytes(out, msg->b, msg->n);
    if (msg->n & 1)
        gb_u8(out, 0);
    gb_u8(out, 1); /* route path words */
    gb_u8(out, 0);
    gb_u8(out, 0x01); /* port 1 (backplane) */
    gb_u8(out, 0x00); /* slot 0 */
}

static void identity_attrs(struct gen_buf *m, const struct en_identity *id)
{
    gb_le16(m, id->vendor);
    gb_le16(m, id->type);
    gb_le16(m, id->product_code);
    gb_u8(m, id->major);
    gb_u8(m, id->minor);
    gb_le16(m, 0x0060); /* status: configured, extended status 6 */
    gb_le32(m, id->serial);
    gb_u8(m, (uint8_t)strlen(id->name));
    gb_str(m, id->name);
}

/* ---- List Identity over UDP (Vol. 2 §2-4.2) ---- */
static void list_identity_reply(struct gen *g, const struct gen_host *dev,
                                const struct gen_host *to, uint16_t to_port,
                                const struct en_identity *id)
{
    struct gen_buf b;
    encap(&b, 0x0063, 0, 0);
    gb_le16(&b, 1);
    size_t item = b.n;
    gb_le16(&b, 0x000c);
    gb_le16(&b, 0);
    gb_le16(&b, 1); /* encapsulation protocol version */
    gb_be16(&b, 2); /* sin_family AF_INET */
    gb_be16(&b, ENIP_PORT);
    gb_bytes(&b, dev->ip, 4);
    gb_pad(&b, 0, 8);
    identity_attrs(&b, id);
    gb_u8(&b, 3); /* state: operational */
    gb_put_le16(&b, item + 2, (uint16_t)(b.n - item - 4));
    gb_put_le16(&b, 2, (uint16_t)(b.n - 24));
    gen_udp(g, dev, ENIP_PORT, to, to_port, b.b, b.n);
    gen_advance(g, 3000000 + (int64_t)gen_range(g, 5000000));
}

static void list_identity(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                          const struct gen_host *adapter, const struct en_variant *v)
{
    static const struct gen_host bcast = {
        {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {255, 255, 255, 255}, 0};
    struct gen_host dst = bcast;
    dst.vlan = cli->vlan;
    uint16_t port = (uint16_t)(50000 + gen_range(g, 10000));
    struct gen_buf b;
    encap(&b, 0x0063, 0, gen_rand(g));
    gen_udp(g, cli, port, &dst, ENIP_PORT, b.b, b.n);
    gen_advance(g, 1500000);
    list_identity_reply(g, srv, cli, port, &v->plc);
    list_identity_reply(g, adapter, cli, port, &v->adapter);
}

/* ---- the explicit-messaging session ---- */
static void register_session(struct en_conn *c)
{
    struct gen_buf b;
    encap(&b, 0x0065, 0, c->ctx);
    gb_le16(&b, 1);
    gb_le16(&b, 0);
    encap_send(c, 0, &b);
    c->session = (uint32_t)gen_rand(c->g) | 1;
    encap(&b, 0x0065, c->session, c->ctx);
    gb_le16(&b, 1);
    gb_le16(&b, 0);
    encap_send(c, 1, &b);
}

static void read_identity(struct en_conn *c, const struct en_variant *v)
{
    static const uint8_t identity[] = {0x20, 0x01, 0x24, 0x01};
    struct gen_buf m, u;
    cip_req(&m, 0x01, identity, 2);
    if (v->routed) {
        unconnected_send(&u, &m);
        rr_data(c, 0, &u);
    } else {
        rr_data(c, 0, &m);
    }
    cip_resp(&m, 0x01, 0);
    identity_attrs(&m, v->routed ? &v->cpu : &v->plc);
    gb_u8(&m, 3); /* attribute 8 state */
    rr_data(c, 1, &m);
    c->ctx++;
}

/* Forward Open of a class 3 connection to the Message Router (Vol. 1 §3-5.5.2) */
static void forward_open(struct en_conn *c, const struct en_variant *v)
{
    static const uint8_t cm[] = {0x20, 0x06, 0x24, 0x01};
    struct gen_buf m;
    cip_req(&m, 0x54, cm, 2);
    gb_u8(&m, 0x0a);
    gb_u8(&m, 0x0e);
    gb_le32(&m, 0);        /* O->T id: chosen by the target */
    gb_le32(&m, c->to_id); /* T->O id */
    gb_le16(&m, (uint16_t)gen_range(c->g, 65536));
    gb_le16(&m, 1);          /* originator vendor */
    gb_le32(&m, 0x4c1d2b3a); /* originator serial */
    gb_u8(&m, 3);
    gb_pad(&m, 0, 3);
    gb_le32(&m, 2000000);
    gb_le16(&m, 0x43f4);
    gb_le32(&m, 2000000);
    gb_le16(&m, 0x43f4);
    gb_u8(&m, 0xa3); /* server, application trigger, class 3 */
    if (v->routed) {
        static const uint8_t path[] = {0x01, 0x00, 0x20, 0x02, 0x24, 0x01};
        gb_u8(&m, 3);
        gb_bytes(&m, path, sizeof path);
    } else {
        static const uint8_t path[] = {0x20, 0x02, 0x24, 0x01};
        gb_u8(&m, 2);
        gb_bytes(&m, path, sizeof path);
    }
    rr_data(c, 0, &m);
    c->ot_id = 0x7f000000u | gen_range(c->g, 0xffffff);
    cip_resp(&m, 0x54, 0);
    gb_le32(&m, c->ot_id);
    gb_le32(&m, c->to_id);
    gb_le16(&m, 0);
    gb_le16(&m, 1);
    gb_le32(&m, 0x4c1d2b3a);
    gb_le32(&m, 2000000);
    gb_le32(&m, 2000000);
    gb_u8(&m, 0);
    gb_u8(&m, 0);
    rr_data(c, 1, &m);
    c->ctx++;
}

static void forward_close(struct en_conn *c)
{
    static const uint8_t cm[] = {0x20, 0x06, 0x24, 0x01};
    static const uint8_t path[] = {0x20, 0x02, 0x24, 0x01};
    struct gen_buf m;
    cip_req(&m, 0x4e, cm, 2);
    gb_u8(&m, 0x0a);
    gb_u8(&m, 0x0e);
    gb_le16(&m, 0);
    gb_le16(&m, 1);
    gb_le32(&m, 0x4c1d2b3a);
    gb_u8(&m, 2);
    gb_u8(&m, 0);
    gb_bytes(&m, path, sizeof path);
    rr_data(c, 0, &m);
    cip_resp(&m, 0x4e, 0);
    gb_le16(&m, 0);
    gb_le16(&m, 1);
    gb_le32(&m, 0x4c1d2b3a);
    gb_u8(&m, 0);
    gb_u8(&m, 0);
    rr_data(c, 1, &m);
    c->ctx++;
}

/* one polling cycle: a Multiple Service Packet of three Read Tag requests */
static void read_tags(struct en_conn *c, const struct en_variant *v, uint32_t cycle)
{
    static const uint8_t router[] = {0x20, 0x02, 0x24, 0x01};
    struct gen_buf m, one[3];
    for (int i = 0; i < 3; i++) {
        symbol_req(&one[i], 0x4c, v->tags[i]);
        gb_le16(&one[i], 1); /* elements */
    }
    cip_req(&m, 0x0a, router, 2);
    gb_le16(&m, 3);
    uint16_t off = 2 + 3 * 2;
    for (int i = 0; i < 3; i++) {
        gb_le16(&m, off);
        off = (uint16_t)(off + one[i].n);
    }
    for (int i = 0; i < 3; i++)
        gb_bytes(&m, one[i].b, one[i].n);
    c->seq++;
    unit_data(c, 0, &m);
    /* replies: REAL, DINT, BOOL */
    cip_resp(&one[0], 0x4c, 0);
    gb_le16(&one[0], 0x00ca);
    gb_le32(&one[0], 0x42c80000u + (cycle % 16) * 0x10000u); /* 100.0 and up */
    cip_resp(&one[1], 0x4c, 0);
    gb_le16(&one[1], 0x00c4);
    gb_le32(&one[1], 1200 + cycle);
    cip_resp(&one[2], 0x4c, 0);
    gb_le16(&one[2], 0x00c1);
    gb_u8(&one[2], 0xff);
    gb_u8(&one[2], 0);
    cip_resp(&m, 0x0a, 0);
    gb_le16(&m, 3);
    off = 2 + 3 * 2;
    for (int i = 0; i < 3; i++) {
        gb_le16(&m, off);
        off = (uint16_t)(off + one[i].n);
    }
    for (int i = 0; i < 3; i++)
        gb_bytes(&m, one[i].b, one[i].n);
    unit_data(c, 1, &m);
}

/* Write Tag of one REAL; status 0 or the controller's refusal */
static void write_tag(struct en_conn *c, const char *tag, uint32_t value, uint8_t status)
{
    struct gen_buf m;
    symbol_req(&m, 0x4d, tag);
    gb_le16(&m, 0x00ca);
    gb_le16(&m, 1);
    gb_le32(&m, value);
    c->seq++;
    unit_data(c, 0, &m);
    cip_resp(&m, 0x4d, status);
    unit_data(c, 1, &m);
}

/* Read-Modify-Write Tag on a DINT: set bit 3 (1756-PM020, "Read-Modify-Write Tag Service") */
static void rmw_tag(struct en_conn *c, const char *tag)
{
    struct gen_buf m;
    symbol_req(&m, 0x4e, tag);
    gb_le16(&m, 4); /* mask size */
    gb_le32(&m, 0x00000008);
    gb_le32(&m, 0xffffffff);
    c->seq++;
    unit_data(c, 0, &m);
    cip_resp(&m, 0x4e, 0);
    unit_data(c, 1, &m);
}

/* Reset of the Identity object, refused while the controller is running */
static void reset_refused(struct en_conn *c)
{
    static const uint8_t identity[] = {0x20, 0x01, 0x24, 0x01};
    struct gen_buf m;
    cip_req(&m, 0x05, identity, 2);
    gb_u8(&m, 0); /* type 0: power cycle */
    rr_data(c, 0, &m);
    cip_resp(&m, 0x05, 0x10); /* device state conflict */
    rr_data(c, 1, &m);
    c->ctx++;
}

/* ---- class 1 I/O between the controller (scanner) and the adapter ---- */
static void io_forward_open(struct gen *g, const struct gen_host *scanner,
                            const struct gen_host *adapter, const struct en_identity *id,
                            uint32_t *ot, uint32_t *to)
{
    struct en_conn c;
    en_conn_init(&c, g);
    gen_tcp_open(g, &c.s, scanner, (uint16_t)(49152 + gen_range(g, 1000)), adapter, ENIP_PORT);
    register_session(&c);
    *ot = 0x20000000u | gen_range(g, 0xffffff);
    *to = 0x30000000u | gen_range(g, 0xffffff);
    static const uint8_t cm[] = {0x20, 0x06, 0x24, 0x01};
    struct gen_buf m;
    cip_req(&m, 0x54, cm, 2);
    gb_u8(&m, 0x0a);
    gb_u8(&m, 0x05);
    gb_le32(&m, *ot);
    gb_le32(&m, *to);
    gb_le16(&m, (uint16_t)gen_range(g, 65536));
    gb_le16(&m, 1);
    gb_le32(&m, 0x60c3a1d2);
    gb_u8(&m, 1);
    gb_pad(&m, 0, 3);
    gb_le32(&m, 10000);  /* O->T RPI 10 ms */
    gb_le16(&m, 0x4814); /* point to point, fixed, 20 bytes */
    gb_le32(&m, 10000);
    gb_le16(&m, 0x2818); /* multicast, fixed, 24 bytes */
    gb_u8(&m, 0x01);     /* cyclic, class 1 */
    uint8_t path[] = {0x34, 0x04, 0,    0,    0,    0,    0,    0,    0,
                      0,    0x20, 0x04, 0x24, 0x66, 0x2c, 0x65, 0x2c, 0x64};
    path[2] = (uint8_t)id->vendor;
    path[3] = (uint8_t)(id->vendor >> 8);
    path[4] = (uint8_t)id->type;
    path[5] = (uint8_t)(id->type >> 8);
    path[6] = (uint8_t)id->product_code;
    path[7] = (uint8_t)(id->product_code >> 8);
    path[8] = (uint8_t)(id->major | 0x80); /* compatible match */
    path[9] = id->minor;
    gb_u8(&m, sizeof path / 2);
    gb_bytes(&m, path, sizeof path);
    rr_data(&c, 0, &m);
    cip_resp(&m, 0x54, 0);
    gb_le32(&m, *ot);
    gb_le32(&m, *to);
    gb_le16(&m, 0);
    gb_le16(&m, 1);
    gb_le32(&m, 0x60c3a1d2);
    gb_le32(&m, 10000);
    gb_le32(&m, 10000);
    gb_u8(&m, 0);
    gb_u8(&m, 0);
    rr_data(&c, 1, &m);
    /* the connection stays; the TCP session that set it up is closed */
    struct gen_buf b;
    encap(&b, 0x0066, c.session, 0);
    encap_send(&c, 0, &b);
    gen_tcp_close(g, &c.s);
}

static void io_exchange(struct gen *g, const struct gen_host *scanner,
                        const struct gen_host *adapter, uint32_t ot, uint32_t to, uint32_t seq)
{
    struct gen_buf b = {.n = 0};
    gb_le16(&b, 2);
    gb_le16(&b, 0x8002);
    gb_le16(&b, 8);
    gb_le32(&b, ot);
    gb_le32(&b, seq);
    gb_le16(&b, 0x00b1);
    gb_le16(&b, 2 + 4 + 20);
    gb_le16(&b, (uint16_t)seq);
    gb_le32(&b, 1); /* run/idle header: run */
    gb_pad(&b, (uint8_t)(seq & 0x0f), 20);
    gen_udp(g, scanner, ENIP_IO_PORT, adapter, ENIP_IO_PORT, b.b, b.n);
    b.n = 0;
    gb_le16(&b, 2);
    gb_le16(&b, 0x8002);
    gb_le16(&b, 8);
    gb_le32(&b, to);
    gb_le32(&b, seq);
    gb_le16(&b, 0x00b1);
    gb_le16(&b, 2 + 24);
    gb_le16(&b, (uint16_t)seq);
    gb_pad(&b, 0x5a, 24);
    gen_udp(g, adapter, ENIP_IO_PORT, scanner, ENIP_IO_PORT, b.b, b.n);
    gen_advance(g, 10000000);
}

void gen_scn_enip(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                  int variant, int ops)
{
    const struct en_variant *v =
        &en_variants[(unsigned)variant % (sizeof en_variants / sizeof en_variants[0])];
    struct gen_host adapter = *srv;
    adapter.ip[3] = (uint8_t)(srv->ip[3] + 100);
    adapter.mac[5] = (uint8_t)(srv->mac[5] + 0x40);

    list_identity(g, cli, srv, &adapter, v);
    uint32_t ot = 0, to = 0, ioseq = 1;
    io_forward_open(g, srv, &adapter, &v->adapter, &ot, &to);
    io_exchange(g, srv, &adapter, ot, to, ioseq++);

    struct en_conn c;
    en_conn_init(&c, g);
    c.to_id = 0x10000000u | gen_range(g, 0xffffff);
    gen_tcp_open(g, &c.s, cli, (uint16_t)(50000 + gen_range(g, 10000)), srv, ENIP_PORT);
    register_session(&c);
    read_identity(&c, v);
    forward_open(&c, v);
    for (int cycle = 0; cycle <= ops; cycle++) {
        read_tags(&c, v, (uint32_t)cycle);
        io_exchange(g, srv, &adapter, ot, to, ioseq++);
        if (cycle == 0) {
            write_tag(&c, v->setpoint, 0x42f00000u, 0);       /* 120.0 */
            write_tag(&c, "Line1_Spd_SP", 0x42f00000u, 0x04); /* no such tag */
            if (variant % 4 == 1)
                rmw_tag(&c, v->tags[1]);
            if (variant % 4 == 2)
                reset_refused(&c);
        }
        gen_advance(g, 500000000ll);
    }
    forward_close(&c);
    struct gen_buf b;
    encap(&b, 0x0066, c.session, 0);
    encap_send(&c, 0, &b);
    gen_tcp_close(g, &c.s);
}
