/* gen_vnc.c - a VNC session (RFB, RFC 6143) from an engineering host (cli) to an HMI panel or
 * operator station (srv) on tcp/5900: version handshake, security type negotiation (VNC
 * authentication with its DES challenge, or None), ClientInit/ServerInit with the desktop name,
 * then pixel format, encodings and 'ops' rounds of framebuffer update requests answered with
 * small raw rectangles.  Variants: VNC auth, RFB 3.3 without authentication, None chosen from a
 * list, a refused password followed by a successful one. */
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define VNC_PORT 5900

struct vnc_server {
    const char *version;      /* "RFB 003.008\n" */
    uint8_t types[4], ntypes; /* 3.7+: offered types; 3.3: ntypes 0, types[0] imposed */
    uint8_t choice;
    bool fail_first;
    const char *desktop;
    uint16_t width, height;
};

static const struct vnc_server vnc_servers[] = {
    {"RFB 003.008\n", {2}, 1, 2, false, "HMI-LINE1", 1280, 800},
    {"RFB 003.003\n", {1}, 0, 1, false, "SIMATIC HMI", 800, 480},
    {"RFB 003.008\n", {1, 2}, 2, 1, false, "WinCC Runtime Advanced", 1920, 1080},
    {"RFB 003.008\n", {2, 16}, 2, 2, true, "SCADA-WINCC7:0", 1920, 1080},
};

struct vnc_conn {
    struct gen *g;
    struct gen_tcp s;
};

static void send(struct vnc_conn *c, int dir, const struct gen_buf *b)
{
    gen_tcp_send_split(c->g, &c->s, dir, b->b, b->n, 1460);
    gen_advance(c->g, dir ? 2000000 : 5000000);
}

static void pixel_format(struct gen_buf *b)
{
    /* 32 bpp, depth 24, little endian, true colour, 8 bits per channel (§7.4) */
    static const uint8_t pf[16] = {32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0};
    gb_bytes(b, pf, sizeof pf);
}

/* one handshake; false when authentication failed */
static bool handshake(struct vnc_conn *c, const struct vnc_server *v, bool bad_password)
{
    struct gen_buf b = {{0}, 0};
    gb_str(&b, v->version);
    send(c, 1, &b);
    send(c, 0, &b);
    b.n = 0;
    bool v33 = v->ntypes == 0;
    if (v33) {
        gb_be32(&b, v->types[0]);
        send(c, 1, &b);
    } else {
        gb_u8(&b, v->ntypes);
        gb_bytes(&b, v->types, v->ntypes);
        send(c, 1, &b);
        b.n = 0;
        gb_u8(&b, v->choice);
        send(c, 0, &b);
    }
    if (v->choice == 2) {
        b.n = 0;
        for (int i = 0; i < 16; i++)
            gb_u8(&b, (uint8_t)gen_rand(c->g));
        send(c, 1, &b); /* challenge */
        b.n = 0;
        for (int i = 0; i < 16; i++)
            gb_u8(&b, (uint8_t)gen_rand(c->g));
        send(c, 0, &b); /* DES response */
    }
    if (v->choice == 2 || !v33) {
        b.n = 0;
        gb_be32(&b, bad_password ? 1 : 0);
        if (bad_password) {
            static const char why[] = "Authentication failed";
            gb_be32(&b, sizeof why - 1);
            gb_str(&b, why);
        }
        send(c, 1, &b);
    }
    if (bad_password)
        return false;
    b.n = 0;
    gb_u8(&b, 1); /* ClientInit: shared */
    send(c, 0, &b);
    b.n = 0;
    gb_be16(&b, v->width);
    gb_be16(&b, v->height);
    pixel_format(&b);
    gb_be32(&b, (uint32_t)strlen(v->desktop));
    gb_str(&b, v->desktop);
    send(c, 1, &b);
    return true;
}

static void session(struct vnc_conn *c, const struct vnc_server *v, int ops)
{
    struct gen_buf b = {{0}, 0};
    gb_u8(&b, 0); /* SetPixelFormat */
    gb_pad(&b, 0, 3);
    pixel_format(&b);
    gb_u8(&b, 2); /* SetEncodings: raw, copyrect */
    gb_u8(&b, 0);
    gb_be16(&b, 2);
    gb_be32(&b, 1);
    gb_be32(&b, 0);
    send(c, 0, &b);
    for (int i = 0; i <= ops; i++) {
        b.n = 0;
        gb_u8(&b, 3); /* FramebufferUpdateRequest, incremental */
        gb_u8(&b, i ? 1 : 0);
        gb_be16(&b, 0);
        gb_be16(&b, 0);
        gb_be16(&b, v->width);
        gb_be16(&b, v->height);
        send(c, 0, &b);
        b.n = 0;
        gb_u8(&b, 0); /* FramebufferUpdate: one 16x8 raw rectangle */
        gb_u8(&b, 0);
        gb_be16(&b, 1);
        gb_be16(&b, (uint16_t)gen_range(c->g, v->width - 16));
        gb_be16(&b, (uint16_t)gen_range(c->g, v->height - 8));
        gb_be16(&b, 16);
        gb_be16(&b, 8);
        gb_be32(&b, 0);
        for (int p = 0; p < 16 * 8; p++)
            gb_be32(&b, (uint32_t)gen_rand(c->g) & 0x00ffffff);
        send(c, 1, &b);
        gen_advance(c->g, 500000000);
    }
}

void gen_scn_vnc(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                 int ops)
{
    const struct vnc_server *v =
        &vnc_servers[(unsigned)variant % (sizeof vnc_servers / sizeof *vnc_servers)];
    struct vnc_conn c;
    c.g = g;
    if (v->fail_first) {
        gen_tcp_open(g, &c.s, cli, (uint16_t)(50000 + gen_range(g, 10000)), srv, VNC_PORT);
        handshake(&c, v, true);
        gen_tcp_close(g, &c.s);
        gen_advance(g, 4000000000ll);
    }
    gen_tcp_open(g, &c.s, cli, (uint16_t)(50000 + gen_range(g, 10000)), srv, VNC_PORT);
    if (handshake(&c, v, false))
        session(&c, v, ops);
    gen_tcp_close(g, &c.s);
}
