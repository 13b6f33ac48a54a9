/* mqtt.c - MQTT 3.1 / 3.1.1 / 5.0 (OASIS mqtt-v3.1.1 §2-3, mqtt-v5.0 §2-3) on tcp/1883, and
 * tcp/8883 where it runs inside TLS and only the fact is noted.  A password is never read, a
 * user name never copied: CONNECT only tells whether they are present.  Publishing telemetry is
 * normal, so a PUBLISH becomes an operation only the first time its topic is seen in a flow. */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define MQTT_PORT        1883
#define MQTT_TLS_PORT    8883
#define MQTT_TOPICS      64  /* topic hashes remembered per flow (open addressing) */
#define MQTT_MAX_FILTERS 8   /* SUBSCRIBE filters turned into operations */
#define MQTT_TOPIC_MAX   192 /* topic text kept for a target */

/* control packet types (§2.2.1) */
enum {
    MQTT_CONNECT = 1,
    MQTT_CONNACK = 2,
    MQTT_PUBLISH = 3,
    MQTT_SUBSCRIBE = 8,
    MQTT_SUBACK = 9,
    MQTT_UNSUBSCRIBE = 10,
    MQTT_AUTH = 15,
};

/* CONNECT flags (§3.1.2.3) */
#define CF_USERNAME 0x80
#define CF_PASSWORD 0x40
#define CF_WILL     0x04
#define CF_RESERVED 0x01


struct mqtt_state {
    uint8_t version; /* protocol level from CONNECT: 3, 4 or 5; 0 = not seen */
    uint8_t tls_noted, broker_done, server_fixed;
    uint8_t creds; /* CF_USERNAME | CF_PASSWORD of the CONNECT, for its CONNACK */
    uint8_t sub_pending;
    uint16_t sub_id; /* packet id of the last SUBSCRIBE and its first filter */
    char sub_filter[96];
    uint32_t topics[MQTT_TOPICS]; /* FNV-1a of direction + topic; 0 = free */
};
_Static_assert(sizeof(struct mqtt_state) <= DISSECT_STATE_MAX, "mqtt state too large");

/* a TLS record header (RFC 8446 §5.1): content type 20-23, legacy version 3.x.  MQTT can never
 * start this way: type 1 (CONNECT) requires flags 0. */
static bool mqtt_is_tls(const struct rd *r)
{
    uint8_t t = rd_peek_u8(r, 0);
    return t >= 0x14 && t <= 0x17 && rd_peek_u8(r, 1) == 0x03;
}

/* Variable Byte Integer (§1.5.5 / v5 §1.5.5): at most 4 octets; false when longer or cut */
static bool mqtt_varint(struct rd *r, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t b = rd_u8(r);
        if (!rd_ok(r))
            return false;
        v |= (uint32_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    rd_fail(r);
    return false;
}

/* v5 properties: a length and opaque bytes to step over */
static void mqtt_skip_props(const struct mqtt_state *s, struct rd *r)
{
    uint32_t n;
    if (s->version != 5)
        return;
    if (mqtt_varint(r, &n))
        rd_skip(r, n);
}

/* a UTF-8 string (§1.5.3): 2-octet length, text */
static size_t mqtt_string(struct rd *r, char *dst, size_t dstsz)
{
    uint16_t n = rd_be16(r);
    return rd_str(r, n, dst, dstsz);
}

static const char *mqtt_version_name(uint8_t level)
{
    switch (level) {
    case 3:
        return "MQTT 3.1";
    case 4:
        return "MQTT 3.1.1";
    case 5:
        return "MQTT 5.0";
    default:
        return NULL;
    }
}

static const char *mqtt_creds_text(uint8_t creds)
{
    switch (creds & (CF_USERNAME | CF_PASSWORD)) {
    case CF_USERNAME | CF_PASSWORD:
        return "username and password";
    case CF_USERNAME:
        return "username";
    case CF_PASSWORD:
        return "password";
    default:
        return "no credentials";
    }
}

/* ---- CONNECT (§3.1) ---- */
static void mqtt_connect(struct pctx *c, struct mqtt_state *s, struct rd *r)
{
    char name[8];
    uint16_t nlen = rd_be16(r);
    if (nlen > 6) {
        emit_malformed(c, "mqtt: bad protocol name");
        return;
    }
    rd_str(r, nlen, name, sizeof name);
    uint8_t level = rd_u8(r), flags = rd_u8(r);
    rd_skip(r, 2); /* keep alive */
    bool v31 = strcmp(name, "MQIsdp") == 0 && level == 3;
    bool v311 = strcmp(name, "MQTT") == 0 && (level == 4 || level == 5);
    if (!rd_ok(r) || (!v31 && !v311) || (flags & CF_RESERVED)) {
        emit_malformed(c, "mqtt: bad connect header");
        return;
    }
    s->version = level;
    mqtt_skip_props(s, r);
    char client_id[128];
    mqtt_string(r, client_id, sizeof client_id);
    if (flags & CF_WILL) {
        mqtt_skip_props(s, r);
        rd_skip(r, rd_be16(r)); /* will topic */
        rd_skip(r, rd_be16(r)); /* will payload */
    }
    if (flags & CF_USERNAME)
        rd_skip(r, rd_be16(r)); /* never copied */
    if (flags & CF_PASSWORD)
        rd_skip(r, rd_be16(r)); /* never read */
    if (!rd_ok(r)) {
        emit_malformed(c, "mqtt: truncated connect");
        return;
    }
    char raw[4];
    str_fmt(raw, sizeof raw, "%u", level);
    emit_attr_raw(c, WHO_SRC, F_PROTOCOL_VERSION, mqtt_version_name(level), raw, "mqtt connect");
    if (client_id[0])
        emit_attr(c, WHO_SRC, F_MQTT_CLIENT_ID, client_id, "mqtt connect");
    s->creds = flags & (CF_USERNAME | CF_PASSWORD);
    emit_op(c, s->creds ? OP_AUTH : OP_SESSION, "connect (1)", mqtt_creds_text(s->creds), NULL);
    if (flags & CF_PASSWORD)
        emit_finding(c, WHO_CLIENT, "cleartext-credentials",
                     flags & CF_USERNAME ? "mqtt connect with username and password over plain tcp"
                                         : "mqtt connect with password over plain tcp");
    else if (flags & CF_USERNAME)
        emit_finding(c, WHO_CLIENT, "cleartext-credentials",
                     "mqtt connect with username over plain tcp");
}

/* the broker answered: it is the server of this flow */
static void mqtt_broker(struct pctx *c, struct mqtt_state *s, const char *source)
{
    if (!s->server_fixed) {
        s->server_fixed = 1;
        if (c->dir == 0)
            emit_server(c, WHO_SRC);
    }
    if (!s->broker_done) {
        s->broker_done = 1;
        emit_role(c, WHO_SRC, "broker", source);
    }
}

/* v3.1.1 §3.2.2.3 return codes and v5 §3.2.2.2 reason codes */
static const char *mqtt_connack_text(uint8_t code)
{
    static const char *const v3[] = {
        "accepted",           "unacceptable protocol version", "identifier rejected",
        "server unavailable", "bad user name or password",     "not authorized"};
    if (code < NELEM(v3))
        return v3[code];
    switch (code) {
    case 0x80:
        return "unspecified error";
    case 0x81:
        return "malformed packet";
    case 0x82:
        return "protocol error";
    case 0x83:
        return "implementation specific error";
    case 0x84:
        return "unsupported protocol version";
    case 0x85:
        return "client identifier not valid";
    case 0x86:
        return "bad user name or password";
    case 0x87:
        return "not authorized";
    case 0x88:
        return "server unavailable";
    case 0x89:
        return "server busy";
    case 0x8a:
        return "banned";
    case 0x8c:
        return "bad authentication method";
    case 0x90:
        return "topic name invalid";
    case 0x95:
        return "packet too large";
    case 0x97:
        return "quota exceeded";
    case 0x9c:
        return "use another server";
    case 0x9d:
        return "server moved";
    case 0x9f:
        return "connection rate exceeded";
    default:
        return "refused";
    }
}

static void mqtt_connack(struct pctx *c, struct mqtt_state *s, struct rd *r)
{
    rd_skip(r, 1); /* acknowledge flags */
    uint8_t code = rd_u8(r);
    if (!rd_ok(r)) {
        emit_malformed(c, "mqtt: truncated connack");
        return;
    }
    mqtt_broker(c, s, "mqtt connack");
    if (code == 0)
        return;
    char res[80];
    str_fmt(res, sizeof res, "refused: %s (%u)", mqtt_connack_text(code), code);
    emit_op(c, s->creds ? OP_AUTH : OP_SESSION, "connect (1)", mqtt_creds_text(s->creds), res);
}

/* ---- PUBLISH (§3.3): first sighting of a topic per flow and direction ---- */
static uint32_t mqtt_hash(int dir, const char *topic)
{
    uint32_t h = 2166136261u ^ (uint32_t)dir;
    for (const char *p = topic; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    return h ? h : 1;
}

/* true when the topic is new (and remembers it); a full table forgets at random */
static bool mqtt_topic_new(struct mqtt_state *s, uint32_t h)
{
    for (unsigned i = 0; i < MQTT_TOPICS; i++) {
        uint32_t *slot = &s->topics[(h + i) % MQTT_TOPICS];
        if (*slot == h)
            return false;
        if (*slot == 0) {
            *slot = h;
            return true;
        }
    }
    s->topics[h % MQTT_TOPICS] = h;
    return true;
}

static void mqtt_publish(struct pctx *c, struct mqtt_state *s, uint8_t flags, struct rd *r)
{
    uint8_t qos = flags >> 1 & 3;
    char topic[MQTT_TOPIC_MAX];
    mqtt_string(r, topic, sizeof topic);
    if (qos)
        rd_skip(r, 2); /* packet identifier */
    mqtt_skip_props(s, r);
    if (!rd_ok(r) || qos == 3) {
        emit_malformed(c, "mqtt: bad publish header");
        return;
    }
    if (topic[0] && mqtt_topic_new(s, mqtt_hash(c->dir, topic)))
        emit_op(c, OP_OTHER, "publish (3)", topic, NULL);
}

/* ---- SUBSCRIBE / SUBACK / UNSUBSCRIBE (§3.8-3.10) ---- */
static void mqtt_subscribe(struct pctx *c, struct mqtt_state *s, uint8_t type, struct rd *r)
{
    uint16_t id = rd_be16(r);
    mqtt_skip_props(s, r);
    const char *fn = type == MQTT_SUBSCRIBE ? "subscribe (8)" : "unsubscribe (10)";
    int n = 0;
    while (rd_left(r) && n < 64) {
        char filter[MQTT_TOPIC_MAX];
        mqtt_string(r, filter, sizeof filter);
        if (type == MQTT_SUBSCRIBE)
            rd_skip(r, 1); /* requested QoS / subscription options */
        if (!rd_ok(r))
            break;
        if (n < MQTT_MAX_FILTERS)
            emit_op(c, type == MQTT_SUBSCRIBE ? OP_READ : OP_OTHER, fn, filter, NULL);
        if (n == 0 && type == MQTT_SUBSCRIBE) {
            s->sub_pending = 1;
            s->sub_id = id;
            str_copy(s->sub_filter, sizeof s->sub_filter, filter);
        }
        n++;
    }
    if (!rd_ok(r) || n == 0)
        emit_malformed(c, "mqtt: bad subscribe payload");
}

static void mqtt_suback(struct pctx *c, struct mqtt_state *s, struct rd *r)
{
    uint16_t id = rd_be16(r);
    mqtt_skip_props(s, r);
    if (!rd_ok(r)) {
        emit_malformed(c, "mqtt: truncated suback");
        return;
    }
    mqtt_broker(c, s, "mqtt suback");
    bool mine = s->sub_pending && s->sub_id == id;
    s->sub_pending = 0;
    for (int i = 0; rd_left(r) && i < 64; i++) {
        uint8_t code = rd_u8(r);
        if (code < 0x80 || !mine)
            continue;
        char res[48], target[MQTT_TOPIC_MAX];
        str_fmt(res, sizeof res, "failure (0x%02x)", code);
        if (i == 0)
            str_copy(target, sizeof target, s->sub_filter);
        else
            str_fmt(target, sizeof target, "filter #%d", i + 1);
        emit_op(c, OP_READ, "subscribe (8)", target, res);
    }
}

static void mqtt_tls(struct pctx *c, struct mqtt_state *s)
{
    if (s->tls_noted)
        return;
    s->tls_noted = 1;
    emit_op(c, OP_SESSION, "mqtt over tls", NULL, NULL);
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)dir;
    struct mqtt_state *s = state, scratch;
    if (!s) {
        memset(&scratch, 0, sizeof scratch);
        s = &scratch;
    }
    if (mqtt_is_tls(pdu)) {
        mqtt_tls(c, s);
        return;
    }
    uint8_t b0 = rd_u8(pdu);
    uint32_t len;
    if (!mqtt_varint(pdu, &len) || rd_left(pdu) != len) {
        emit_malformed(c, "mqtt: bad fixed header");
        return;
    }
    uint8_t type = b0 >> 4, flags = b0 & 0x0f;
    struct rd body = rd_rest(pdu);
    switch (type) {
    case MQTT_CONNECT:
        mqtt_connect(c, s, &body);
        break;
    case MQTT_CONNACK:
        mqtt_connack(c, s, &body);
        break;
    case MQTT_PUBLISH:
        mqtt_publish(c, s, flags, &body);
        break;
    case MQTT_SUBSCRIBE:
    case MQTT_UNSUBSCRIBE:
        if (flags != 2)
            emit_malformed(c, "mqtt: bad subscribe flags");
        else
            mqtt_subscribe(c, s, type, &body);
        break;
    case MQTT_SUBACK:
        mqtt_suback(c, s, &body);
        break;
    case MQTT_AUTH:
        emit_op(c, OP_AUTH, "auth (15)", NULL, NULL);
        break;
    case 0:
        emit_malformed(c, "mqtt: reserved packet type");
        break;
    default:
        break; /* acknowledgements, ping, disconnect */
    }
}

static long frame(const struct rd *stream)
{
    size_t left = rd_left(stream);
    if (left < 2)
        return FRAME_NEED_MORE;
    if (mqtt_is_tls(stream)) {
        if (left < 5)
            return FRAME_NEED_MORE;
        return 5 + (long)rd_peek_be16(stream, 3);
    }
    if ((rd_peek_u8(stream, 0) >> 4) == 0)
        return FRAME_NOT_OURS;
    uint32_t v = 0;
    for (size_t i = 0; i < 4; i++) {
        if (left < 2 + i)
            return FRAME_NEED_MORE;
        uint8_t b = rd_peek_u8(stream, 1 + i);
        v |= (uint32_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80))
            return (long)(2 + i + v);
    }
    return FRAME_NOT_OURS;
}

/* a CONNECT with one of the three protocol names/levels: nothing else starts this way */
static bool probe(const struct rd *payload, uint8_t l4)
{
    struct rd r = *payload;
    uint32_t len;
    if (l4 != L4_TCP || rd_u8(&r) != 0x10 || !mqtt_varint(&r, &len) || len < 10)
        return false;
    static const uint8_t v311[] = {0, 4, 'M', 'Q', 'T', 'T'};
    static const uint8_t v31[] = {0, 6, 'M', 'Q', 'I', 's', 'd', 'p'};
    if (rd_match(&r, v311, sizeof v311))
        return rd_peek_u8(&r, 6) == 4 || rd_peek_u8(&r, 6) == 5;
    return rd_match(&r, v31, sizeof v31) && rd_peek_u8(&r, 8) == 3;
}

const struct dissector dissector_mqtt = {
    .name = "mqtt",
    .proto = PROTO_MQTT,
    .tcp_ports = {MQTT_PORT, MQTT_TLS_PORT},
    .probe = probe,
    .state_size = sizeof(struct mqtt_state),
    .frame = frame,
    .parse = parse,
};
