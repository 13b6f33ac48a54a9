/* dns.c - DNS (RFC 1035) on udp/tcp 53, multicast DNS (RFC 6762/6763) on udp 5353 and LLMNR
 * (RFC 4795) on udp/tcp 5355.  Only mDNS and LLMNR responders speak about themselves (their host
 * name, DNS-SD service instances, TXT model keys); a unicast DNS answer describes other hosts,
 * so plain DNS yields no identity at all, only the protocol and malformed-message counts.
 * Name compression pointers must point strictly backwards: a pointer loop cannot be built. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define DNS_PORT   53
#define MDNS_PORT  5353
#define LLMNR_PORT 5355

#define DNS_HEADER_LEN 12
#define DNS_NAME_MAX   256 /* RFC 1035 §2.3.4: 255 octets, as text plus NUL */
#define DNS_MAX_HOPS   16  /* compression pointers followed per name */
#define DNS_MAX_RR     256 /* records looked at per message */
#define DNS_SEEN_MAX   16  /* values remembered per message to emit each once */

/* RFC 1035 §3.2.2, RFC 3596, RFC 2782 */
enum { T_A = 1, T_PTR = 12, T_HINFO = 13, T_TXT = 16, T_AAAA = 28, T_SRV = 33 };

enum dns_kind { K_DNS, K_MDNS, K_LLMNR };

struct dns_msg {
    struct pctx *c;
    struct rd msg; /* the whole message: base for compression pointers */
    enum dns_kind kind;
    bool response;
    const char *proto; /* "mdns" / "llmnr" for sources */
    uint32_t seen[DNS_SEEN_MAX];
    int nseen;
};

/* ---- names ---- */

/* Read a possibly compressed name at *r (a cursor over m->msg) into out as dotted text; *r ends
 * after the name's in-place part.  False on a bad label, a forward/looping pointer or overflow. */
static bool dns_name(const struct dns_msg *m, struct rd *r, char *out, size_t outsz)
{
    struct rd cur = *r;
    bool jumped = false;
    size_t o = 0;
    out[0] = '\0';
    for (int hops = 0;;) {
        size_t at = rd_pos(&cur);
        uint8_t len = rd_u8(&cur);
        if (!rd_ok(&cur))
            break;
        if (len == 0) {
            if (!jumped)
                *r = cur;
            return true;
        }
        if ((len & 0xc0) == 0xc0) {
            size_t ptr = (size_t)(len & 0x3f) << 8 | rd_u8(&cur);
            if (!rd_ok(&cur) || ptr >= at || ++hops > DNS_MAX_HOPS)
                break;
            if (!jumped)
                *r = cur;
            jumped = true;
            cur = m->msg;
            rd_skip(&cur, ptr);
            continue;
        }
        if (len & 0xc0)
            break; /* extended label types (RFC 6891 §5) are obsolete */
        char label[64 * 4 + 1];
        rd_str(&cur, len, label, sizeof label);
        if (!rd_ok(&cur))
            break;
        int k = str_fmt(out + o, outsz - o, o ? ".%s" : "%s", label);
        if (k < 0 || (size_t)k >= outsz - o)
            break;
        o += (size_t)k;
    }
    rd_fail(r);
    return false;
}

/* true when name ends with ".suffix" (or equals it), ignoring case */
static bool name_ends(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    if (n < s || strcasecmp(name + n - s, suffix) != 0)
        return false;
    return n == s || name[n - s - 1] == '.';
}

/* cut ".local" (RFC 6762 §3) off a host name, in place */
static void strip_local(char *name)
{
    size_t n = strlen(name);
    if (n > 6 && name_ends(name, "local"))
        name[n - 6] = '\0';
}

/* a DNS-SD service type "_name._tcp" / "_name._udp" (RFC 6763 §7) somewhere in the name */
static const char *service_type(const char *name)
{
    for (const char *p = name; *p; p++) {
        if ((p == name || p[-1] == '.') && p[0] == '_') {
            const char *dot = strchr(p, '.');
            if (dot && (!strncasecmp(dot, "._tcp", 5) || !strncasecmp(dot, "._udp", 5)) &&
                (dot[5] == '\0' || dot[5] == '.'))
                return p;
        }
    }
    return NULL;
}

/* ---- emitting each value once per message ---- */

static uint32_t fnv1a(enum attr_field f, const char *s)
{
    uint32_t h = 2166136261u ^ (uint32_t)f;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static void dns_emit(struct dns_msg *m, enum attr_field f, const char *value, const char *what)
{
    if (!value[0])
        return;
    uint32_t h = fnv1a(f, value);
    for (int i = 0; i < m->nseen; i++)
        if (m->seen[i] == h)
            return;
    if (m->nseen < DNS_SEEN_MAX)
        m->seen[m->nseen++] = h;
    char source[48];
    str_fmt(source, sizeof source, "%s %s", m->proto, what);
    emit_attr(m->c, WHO_SRC, f, value, source);
}

static void dns_emit_host(struct dns_msg *m, const char *name, const char *what)
{
    char host[DNS_NAME_MAX];
    str_fmt(host, sizeof host, "%s", name);
    strip_local(host);
    /* service instance names and reverse-mapping names are not host names */
    if (service_type(host) || name_ends(host, "in-addr.arpa") || name_ends(host, "ip6.arpa"))
        return;
    dns_emit(m, F_HOSTNAME, host, what);
}

/* "_http._tcp Printer X" from an instance name "Printer X._http._tcp.local" */
static void dns_emit_service(struct dns_msg *m, const char *instance_name, const char *what)
{
    const char *type = service_type(instance_name);
    /* the meta-query and the device-info pseudo service (RFC 6763 §9, Apple) are no service */
    if (!type || type == instance_name || !strncasecmp(type, "_services._dns-sd", 17) ||
        !strncasecmp(type, "_device-info._tcp", 17))
        return;
    char value[DNS_NAME_MAX + 8], t[DNS_NAME_MAX];
    str_fmt(t, sizeof t, "%s", type);
    strip_local(t);
    int inst_len = (int)(type - instance_name) - 1;
    str_fmt(value, sizeof value, "%s %.*s", t, inst_len, instance_name);
    dns_emit(m, F_SERVICE, value, what);
}

/* ---- record data ---- */

/* TXT (RFC 6763 §6): key=value strings; model keys name the product */
static void dns_txt(struct dns_msg *m, struct rd *rdata)
{
    static const struct {
        const char *key;
        enum attr_field f;
    } keys[] = {{"model=", F_MODEL},   {"md=", F_MODEL},      {"ty=", F_MODEL},
                {"usb_MDL=", F_MODEL}, {"product=", F_MODEL}, {"usb_MFG=", F_VENDOR}};
    for (int i = 0; i < 64 && rd_left(rdata); i++) {
        uint8_t n = rd_u8(rdata);
        char kv[256];
        rd_str(rdata, n, kv, sizeof kv);
        if (!rd_ok(rdata))
            return;
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            size_t kl = strlen(keys[k].key);
            if (strncasecmp(kv, keys[k].key, kl) != 0)
                continue;
            char *v = kv + kl;
            size_t vl = strlen(v);
            if (vl >= 2 && v[0] == '(' && v[vl - 1] == ')') { /* printers: product=(Name) */
                v[vl - 1] = '\0';
                v++;
            }
            dns_emit(m, keys[k].f, v, "txt");
        }
    }
}

/* HINFO (RFC 1035 §3.3.2): CPU and OS character strings */
static void dns_hinfo(struct dns_msg *m, struct rd *rdata)
{
    char cpu[128], os[128];
    rd_str(rdata, rd_u8(rdata), cpu, sizeof cpu);
    rd_str(rdata, rd_u8(rdata), os, sizeof os);
    if (rd_ok(rdata))
        dns_emit(m, F_OS_VERSION, os, "hinfo");
}

/* one resource record about the sender (mDNS/LLMNR responder) */
static void dns_record(struct dns_msg *m, const char *name, uint16_t type, struct rd *at,
                       uint16_t rdlen)
{
    struct rd rdata = *at; /* bounded by the message; names may point anywhere before */
    struct rd bounded = rd_sub(&rdata, rdlen);
    char target[DNS_NAME_MAX];
    switch (type) {
    case T_A:
    case T_AAAA:
        dns_emit_host(m, name, type == T_A ? "a record" : "aaaa record");
        break;
    case T_PTR:
        rdata = *at;
        if (!dns_name(m, &rdata, target, sizeof target))
            break;
        if (name_ends(name, "in-addr.arpa") || name_ends(name, "ip6.arpa"))
            dns_emit_host(m, target, "ptr record");
        else if (m->kind == K_MDNS)
            dns_emit_service(m, target, "ptr record");
        break;
    case T_SRV:
        rdata = *at;
        rd_skip(&rdata, 6); /* priority, weight, port */
        if (m->kind == K_MDNS)
            dns_emit_service(m, name, "srv record");
        if (dns_name(m, &rdata, target, sizeof target))
            dns_emit_host(m, target, "srv record");
        break;
    case T_TXT:
        if (m->kind == K_MDNS)
            dns_txt(m, &bounded);
        break;
    case T_HINFO:
        dns_hinfo(m, &bounded);
        break;
    }
}

/* walk count records at *r; about_sender says whether they describe the sender */
static bool dns_records(struct dns_msg *m, struct rd *r, unsigned count, bool about_sender,
                        bool question)
{
    for (unsigned i = 0; i < count && i < DNS_MAX_RR; i++) {
        char name[DNS_NAME_MAX];
        if (!dns_name(m, r, name, sizeof name))
            return false;
        uint16_t type = rd_be16(r);
        rd_skip(r, 2); /* class (mDNS: top bit is cache-flush / unicast-response) */
        if (question) {
            if (!rd_ok(r))
                return false;
            continue;
        }
        rd_skip(r, 4); /* ttl */
        uint16_t rdlen = rd_be16(r);
        struct rd at = *r;
        rd_skip(r, rdlen);
        if (!rd_ok(r))
            return false;
        if (about_sender)
            dns_record(m, name, type, &at, rdlen);
    }
    return true;
}

static void dns_message(struct pctx *c, struct rd msg, enum dns_kind kind)
{
    struct dns_msg m;
    memset(&m, 0, sizeof m);
    m.c = c;
    m.msg = msg;
    m.kind = kind;
    m.proto = kind == K_MDNS ? "mdns" : kind == K_LLMNR ? "llmnr" : "dns";
    struct rd r = msg;
    rd_skip(&r, 2); /* id */
    uint16_t flags = rd_be16(&r);
    uint16_t qd = rd_be16(&r), an = rd_be16(&r), ns = rd_be16(&r), ar = rd_be16(&r);
    if (!rd_ok(&r)) {
        emit_malformed(c, "dns: truncated header");
        return;
    }
    m.response = flags & 0x8000;
    uint8_t opcode = (flags >> 11) & 0x0f, rcode = flags & 0x0f;
    /* what describes the sender: an mDNS/LLMNR answer without error (RFC 6762 §6, RFC 4795
     * §2.1.1), and an mDNS probe's proposed records in its authority section (RFC 6762 §8.1).
     * Known answers in an mDNS query are the querier's cache: about others. */
    bool local = kind != K_DNS && opcode == 0 && rcode == 0;
    bool answers_own = local && m.response;
    bool auth_own = local && (m.response || kind == K_MDNS);
    if (!dns_records(&m, &r, qd, false, true) || !dns_records(&m, &r, an, answers_own, false) ||
        !dns_records(&m, &r, ns, auth_own, false) ||
        !dns_records(&m, &r, ar, answers_own && kind == K_MDNS, false))
        emit_malformed(c, "dns: record runs past the message");
}

static enum dns_kind dns_kind_of(const struct pkt *p)
{
    if (p->sport == DNS_PORT || p->dport == DNS_PORT)
        return K_DNS;
    if (p->sport == MDNS_PORT || p->dport == MDNS_PORT)
        return K_MDNS;
    if (p->sport == LLMNR_PORT || p->dport == LLMNR_PORT)
        return K_LLMNR;
    return K_DNS;
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)state;
    (void)dir;
    enum dns_kind kind = dns_kind_of(c->pkt);
    if (kind == K_MDNS)
        emit_set_protocol(c, PROTO_MDNS);
    else if (kind == K_LLMNR)
        emit_set_protocol(c, PROTO_LLMNR);
    if (c->pkt->l4 == L4_TCP) {
        /* RFC 1035 §4.2.2: a two-octet length before each message */
        uint16_t n = rd_be16(pdu);
        struct rd msg = rd_sub(pdu, n);
        if (!rd_ok(pdu)) {
            emit_malformed(c, "dns: tcp length past the segment");
            return;
        }
        dns_message(c, msg, kind);
        return;
    }
    dns_message(c, rd_rest(pdu), kind);
}

/* TCP framing: length prefix; a message shorter than its header is not DNS */
static long frame(const struct rd *stream)
{
    if (!rd_peek_ok(stream, 0, 2))
        return FRAME_NEED_MORE;
    uint16_t n = rd_peek_be16(stream, 0);
    if (n < DNS_HEADER_LEN)
        return FRAME_NOT_OURS;
    return 2 + (long)n;
}

const struct dissector dissector_dns = {
    .name = "dns",
    .proto = PROTO_DNS,
    .tcp_ports = {DNS_PORT, LLMNR_PORT}, /* RFC 4795 §2.4: LLMNR over TCP when truncated */
    .udp_ports = {DNS_PORT, MDNS_PORT, LLMNR_PORT},
    .frame = frame,
    .parse = parse,
};
