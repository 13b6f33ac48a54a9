/* gen_mqtt.c - an MQTT session on tcp/1883 between a field device or edge gateway (cli) and a
 * broker (srv): CONNECT (split over several segments) with the variant's client id and credentials,
 * SUBSCRIBE to a command topic, a retained birth message, telemetry PUBLISHes coalesced in one
 * segment, a command delivered by the broker, keep-alive pings, DISCONNECT.  Encodings follow
 * OASIS MQTT 3.1.1 and 5.0 §2-3.  Some variants also open a TLS session on tcp/8883 (a
 * ClientHello/ServerHello exchange and opaque records).  'ops' adds telemetry cycles. */
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define MQTT_PORT     1883
#define MQTT_TLS_PORT 8883

struct mqtt_client {
    const char *client_id, *user, *prefix;
    uint8_t level; /* 4 = 3.1.1, 5 = 5.0 */
    bool password, tls;
};

/* field devices and gateways that publish over MQTT */
static const struct mqtt_client mqtt_clients[] = {
    {"moxa-iothinx-4510-0042", "iothinx", "plant/area3/iothinx-0042", 4, true, false},
    {"iot2050-7f3a21", NULL, "factory/line1/iot2050", 4, false, true},
    {"wago-pfc200-0030de4a1b2c", "pfc200", "site/pumps/pfc200-1b2c", 5, true, false},
    {"shellyplus1pm-a8032ab12c34", "a8032ab12c34", "shellies/plus1pm-a8032ab12c34", 4, false, true},
};

struct mqtt_conn {
    struct gen *g;
    struct gen_tcp s;
    const struct mqtt_client *cl;
    uint16_t pid;
};

static void str16(struct gen_buf *b, const char *s)
{
    gb_be16(b, (uint16_t)strlen(s));
    gb_str(b, s);
}

/* fixed header (type/flags, remaining length) + body, appended to out */
static void packet(struct gen_buf *out, uint8_t b0, const struct gen_buf *body)
{
    gb_u8(out, b0);
    uint32_t v = (uint32_t)body->n;
    do {
        uint8_t d = v & 0x7f;
        v >>= 7;
        gb_u8(out, (uint8_t)(d | (v ? 0x80 : 0)));
    } while (v);
    gb_bytes(out, body->b, body->n);
}

static void send_out(struct mqtt_conn *c, int dir, struct gen_buf *out)
{
    gen_tcp_send(c->g, &c->s, dir, out->b, out->n);
    out->n = 0;
    gen_advance(c->g, dir ? 2000000 : 5000000 + (int64_t)gen_range(c->g, 5000000));
}

static void connect(struct mqtt_conn *c)
{
    const struct mqtt_client *cl = c->cl;
    struct gen_buf v = {{0}, 0}, out = {{0}, 0};
    str16(&v, "MQTT");
    gb_u8(&v, cl->level);
    uint8_t flags = 0x02 | 0x04 | 0x08 | 0x20; /* clean session, will QoS 1 retained */
    if (cl->user)
        flags |= 0x80;
    if (cl->password)
        flags |= 0x40;
    gb_u8(&v, flags);
    gb_be16(&v, 30);
    if (cl->level == 5)
        gb_bytes(&v, (const uint8_t[]){5, 0x11, 0, 0, 0x0e, 0x10}, 6); /* session expiry */
    str16(&v, cl->client_id);
    if (cl->level == 5)
        gb_u8(&v, 0); /* will properties */
    char topic[96];
    snprintf(topic, sizeof topic, "%s/status", cl->prefix);
    str16(&v, topic);
    str16(&v, "offline");
    if (cl->user)
        str16(&v, cl->user);
    if (cl->password) {
        char pw[24];
        snprintf(pw, sizeof pw, "pw-%08x", (unsigned)gen_rand(c->g));
        str16(&v, pw);
    }
    packet(&out, 0x10, &v);
    gen_tcp_send_split(c->g, &c->s, 0, out.b, out.n, 24);
    gen_advance(c->g, 1000000);
    v.n = 0;
    out.n = 0;
    gb_u8(&v, 0); /* session present: no */
    gb_u8(&v, 0); /* accepted */
    if (cl->level == 5)
        gb_bytes(&v, (const uint8_t[]){3, 0x21, 0x00, 0x14}, 4); /* receive maximum 20 */
    packet(&out, 0x20, &v);
    send_out(c, 1, &out);
}

static void publish(struct gen_buf *out, const struct mqtt_conn *c, const char *topic, uint8_t qos,
                    bool retain, uint16_t pid, const char *payload)
{
    struct gen_buf v = {{0}, 0};
    str16(&v, topic);
    if (qos)
        gb_be16(&v, pid);
    if (c->cl->level == 5)
        gb_bytes(&v, (const uint8_t[]){2, 0x01, 0x01}, 3); /* payload is UTF-8 */
    gb_str(&v, payload);
    packet(out, (uint8_t)(0x30 | qos << 1 | (retain ? 1 : 0)), &v);
}

static void puback(struct gen_buf *out, uint16_t pid)
{
    struct gen_buf v = {{0}, 0};
    gb_be16(&v, pid);
    packet(out, 0x40, &v);
}

static void subscribe(struct mqtt_conn *c)
{
    struct gen_buf v = {{0}, 0}, out = {{0}, 0};
    char topic[96];
    snprintf(topic, sizeof topic, "%s/cmd/#", c->cl->prefix);
    uint16_t pid = ++c->pid;
    gb_be16(&v, pid);
    if (c->cl->level == 5)
        gb_u8(&v, 0);
    str16(&v, topic);
    gb_u8(&v, 1);
    packet(&out, 0x82, &v);
    send_out(c, 0, &out);
    v.n = 0;
    gb_be16(&v, pid);
    if (c->cl->level == 5)
        gb_u8(&v, 0);
    gb_u8(&v, 1); /* granted QoS 1 */
    packet(&out, 0x90, &v);
    send_out(c, 1, &out);
}

static void telemetry(struct mqtt_conn *c, int cycle)
{
    struct gen_buf out = {{0}, 0};
    char topic[96], payload[96];
    snprintf(topic, sizeof topic, "%s/ai/0", c->cl->prefix);
    snprintf(payload, sizeof payload, "{\"v\":%u.%u,\"q\":\"good\"}", 20 + gen_range(c->g, 10),
             gen_range(c->g, 10));
    publish(&out, c, topic, 0, false, 0, payload);
    snprintf(topic, sizeof topic, "%s/di/%d", c->cl->prefix, cycle % 2);
    snprintf(payload, sizeof payload, "{\"v\":%u}", gen_range(c->g, 2));
    publish(&out, c, topic, 0, false, 0, payload);
    if (cycle % 2 == 1)
        gb_bytes(&out, (const uint8_t[]){0xc0, 0x00}, 2); /* PINGREQ in the same segment */
    send_out(c, 0, &out);
    if (cycle % 2 == 1) {
        gb_bytes(&out, (const uint8_t[]){0xd0, 0x00}, 2);
        send_out(c, 1, &out);
    }
}

/* a TLS 1.2 handshake whose messages are well formed, then opaque records */
static void tls_record(struct gen_buf *out, uint8_t type, const struct gen_buf *body)
{
    gb_u8(out, type);
    gb_be16(out, 0x0303);
    gb_be16(out, (uint16_t)body->n);
    gb_bytes(out, body->b, body->n);
}

static void tls_handshake(struct gen_buf *out, uint8_t hs, const struct gen_buf *body)
{
    struct gen_buf r = {{0}, 0};
    gb_u8(&r, hs);
    gb_u8(&r, 0);
    gb_be16(&r, (uint16_t)body->n);
    gb_bytes(&r, body->b, body->n);
    tls_record(out, 0x16, &r);
}

static void random_bytes(struct gen *g, struct gen_buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        gb_u8(b, (uint8_t)gen_rand(g));
}

static void tls_session(struct gen *g, const struct gen_host *cli, const struct gen_host *srv)
{
    struct gen_tcp s;
    gen_tcp_open(g, &s, cli, (uint16_t)(40000 + gen_range(g, 20000)), srv, MQTT_TLS_PORT);
    struct gen_buf body = {{0}, 0}, out = {{0}, 0};
    const char *sni = "broker.plant.local";
    gb_be16(&body, 0x0303);
    random_bytes(g, &body, 32);
    gb_u8(&body, 0);                                                           /* session id */
    gb_bytes(&body, (const uint8_t[]){0, 4, 0xc0, 0x2f, 0xc0, 0x30, 1, 0}, 8); /* suites, null */
    gb_be16(&body, (uint16_t)(9 + strlen(sni)));                               /* extensions */
    gb_be16(&body, 0);                                                         /* server_name */
    gb_be16(&body, (uint16_t)(5 + strlen(sni)));
    gb_be16(&body, (uint16_t)(3 + strlen(sni)));
    gb_u8(&body, 0);
    gb_be16(&body, (uint16_t)strlen(sni));
    gb_str(&body, sni);
    tls_handshake(&out, 1, &body);
    gen_tcp_send(g, &s, 0, out.b, out.n);
    body.n = out.n = 0;
    gb_be16(&body, 0x0303);
    random_bytes(g, &body, 32);
    gb_u8(&body, 0);
    gb_bytes(&body, (const uint8_t[]){0xc0, 0x2f, 0}, 3);
    tls_handshake(&out, 2, &body);
    body.n = 0;
    tls_handshake(&out, 14, &body); /* server hello done */
    gen_tcp_send(g, &s, 1, out.b, out.n);
    body.n = out.n = 0;
    gb_u8(&body, 65);
    gb_u8(&body, 0x04);
    random_bytes(g, &body, 64);
    tls_handshake(&out, 16, &body); /* client key exchange */
    body.n = 0;
    gb_u8(&body, 1);
    tls_record(&out, 0x14, &body);
    body.n = 0;
    random_bytes(g, &body, 40);
    tls_record(&out, 0x16, &body); /* encrypted finished */
    gen_tcp_send(g, &s, 0, out.b, out.n);
    out.n = 0;
    body.n = 0;
    gb_u8(&body, 1);
    tls_record(&out, 0x14, &body);
    body.n = 0;
    random_bytes(g, &body, 40);
    tls_record(&out, 0x16, &body);
    gen_tcp_send(g, &s, 1, out.b, out.n);
    for (int i = 0; i < 3; i++) {
        out.n = body.n = 0;
        random_bytes(g, &body, 40 + gen_range(g, 60));
        tls_record(&out, 0x17, &body);
        gen_tcp_send(g, &s, i == 1, out.b, out.n);
        gen_advance(g, 5000000);
    }
    gen_tcp_close(g, &s);
}

void gen_scn_mqtt(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                  int variant, int ops)
{
    struct mqtt_conn c;
    memset(&c, 0, sizeof c);
    c.g = g;
    c.cl = &mqtt_clients[(unsigned)variant % (sizeof mqtt_clients / sizeof mqtt_clients[0])];
    gen_tcp_open(g, &c.s, cli, (uint16_t)(40000 + gen_range(g, 20000)), srv, MQTT_PORT);
    connect(&c);
    subscribe(&c);

    struct gen_buf out = {{0}, 0};
    char topic[96];
    snprintf(topic, sizeof topic, "%s/status", c.cl->prefix);
    uint16_t pid = ++c.pid;
    publish(&out, &c, topic, 1, true, pid, "online");
    send_out(&c, 0, &out);
    puback(&out, pid);
    send_out(&c, 1, &out);

    for (int i = 0; i < ops + 2; i++) {
        telemetry(&c, i);
        if (i == 1) { /* an operator command delivered by the broker */
            snprintf(topic, sizeof topic, "%s/cmd/do/0", c.cl->prefix);
            publish(&out, &c, topic, 1, false, 7, "{\"set\":1}");
            send_out(&c, 1, &out);
            puback(&out, 7);
            send_out(&c, 0, &out);
        }
    }
    gb_bytes(&out, (const uint8_t[]){0xe0, 0x00}, 2); /* DISCONNECT */
    send_out(&c, 0, &out);
    gen_tcp_close(g, &c.s);
    if (c.cl->tls)
        tls_session(g, cli, srv);
}
