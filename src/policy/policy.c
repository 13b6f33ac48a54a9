/* policy.c - see policy.h.  YAML is read with libyaml's document API; every value is checked
 * (names, CIDRs, VLAN ids, levels, protocol names, ports) and an error names the line. */
#include "policy/policy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "observe/observe.h"
#include "util/str.h"

void policy_init(struct policy *p)
{
    memset(p, 0, sizeof *p);
    str_copy(p->internet, sizeof p->internet, "internet");
}

bool cidr_parse(const char *s, struct cidr *c)
{
    char buf[64];
    str_copy(buf, sizeof buf, s);
    char *slash = strchr(buf, '/');
    long bits = -1;
    if (slash) {
        *slash = '\0';
        char *end;
        bits = strtol(slash + 1, &end, 10);
        if (*end || slash[1] == '\0')
            return false;
    }
    if (!ip_parse(buf, &c->net))
        return false;
    int max = c->net.family == 4 ? 32 : 128;
    if (bits < 0)
        bits = max;
    if (bits > max)
        return false;
    c->bits = (uint8_t)bits;
    /* clear host bits so that 10.1.1.7/24 means 10.1.1.0/24 */
    for (int i = 0; i < 16; i++) {
        int keep = (int)bits - i * 8;
        if (keep <= 0)
            c->net.b[i] = 0;
        else if (keep < 8)
            c->net.b[i] &= (uint8_t)(0xff << (8 - keep));
    }
    return true;
}

bool cidr_contains(const struct cidr *c, const struct ipaddr *a)
{
    if (a->family != c->net.family)
        return false;
    int bits = c->bits;
    for (int i = 0; i < 16 && bits > 0; i++, bits -= 8) {
        uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
        if ((a->b[i] & mask) != c->net.b[i])
            return false;
    }
    return true;
}

/* ---- YAML ---- */

struct yctx {
    yaml_document_t *doc;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int fail(struct yctx *y, const yaml_node_t *n,
                                                     const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(y->err, y->errlen, "line %lu: %s", n ? (unsigned long)n->start_mark.line + 1 : 0ul,
             msg);
    return -1;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const char *sv(const yaml_node_t *n)
{
    const char *s = scalar(n);
    return s ? s : "(not a scalar)";
}

static yaml_node_t *node(struct yctx *y, int i)
{
    return yaml_document_get_node(y->doc, i);
}

static bool valid_name(const char *s)
{
    if (!s || !*s || strlen(s) >= 64)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return false;
    return true;
}

static int get_int(struct yctx *y, yaml_node_t *n, int lo, int hi, int *out)
{
    const char *s = scalar(n);
    char *end;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || *end || v < lo || v > hi) {
        char r[64];
        snprintf(r, sizeof r, "%d..%d", lo, hi);
        return fail(y, n, "expected a number %s", r);
    }
    *out = (int)v;
    return 0;
}

/* a scalar or a sequence of scalars, each handed to fn */
typedef int (*item_fn)(struct yctx *y, yaml_node_t *n, void *dst);

static int each(struct yctx *y, yaml_node_t *n, item_fn fn, void *dst)
{
    if (n->type == YAML_SCALAR_NODE)
        return fn(y, n, dst);
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(y, n, "expected a list");
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++)
        if (fn(y, node(y, *it), dst))
            return -1;
    return 0;
}

static int add_cidr(struct yctx *y, yaml_node_t *n, void *dst)
{
    struct zone *z = dst;
    if (z->ncidr == POLICY_MAX_ITEMS)
        return fail(y, n, "too many cidrs in one zone");
    if (!scalar(n) || !cidr_parse(scalar(n), &z->cidrs[z->ncidr]))
        return fail(y, n, "not a CIDR: %s", sv(n));
    z->ncidr++;
    return 0;
}

static int add_vlan(struct yctx *y, yaml_node_t *n, void *dst)
{
    struct zone *z = dst;
    int v = 0;
    if (z->nvlan == POLICY_MAX_ITEMS)
        return fail(y, n, "too many vlans in one zone");
    if (get_int(y, n, 1, 4094, &v))
        return -1;
    z->vlans[z->nvlan++] = (uint16_t)v;
    return 0;
}

static const char *const roles[] = {"plc", "rtu", "ied", "io-device", "hmi",
    "engineering-workstation", "scada-server", "historian", "opc-server", "broker", "gateway",
    "network-device", "it-host", "unknown"};

static int add_role(struct yctx *y, yaml_node_t *n, void *dst)
{
    struct zone *z = dst;
    const char *s = scalar(n);
    bool ok = false;
    for (size_t i = 0; s && i < sizeof roles / sizeof *roles; i++)
        ok |= !strcmp(s, roles[i]);
    if (!ok)
        return fail(y, n, "unknown role: %s", s);
    if (z->nrole == POLICY_MAX_ITEMS)
        return fail(y, n, "too many roles in one zone");
    str_copy(z->roles[z->nrole++], sizeof z->roles[0], s);
    return 0;
}

static int add_proto(struct yctx *y, yaml_node_t *n, void *dst)
{
    struct conduit *c = dst;
    const char *s = scalar(n);
    if (!s || (proto_by_name(s) == PROTO_NONE && strcmp(s, "any") != 0))
        return fail(y, n, "unknown protocol: %s (use the canonical names of SPEC.md)", s);
    if (!strcmp(s, "any"))
        return 0;
    if (c->nproto == POLICY_MAX_ITEMS)
        return fail(y, n, "too many protocols in one conduit");
    str_copy(c->protocols[c->nproto++], sizeof c->protocols[0], s);
    return 0;
}

static int add_port(struct yctx *y, yaml_node_t *n, void *dst)
{
    struct conduit *c = dst;
    int v = 0;
    if (c->nport == POLICY_MAX_ITEMS)
        return fail(y, n, "too many ports in one conduit");
    if (get_int(y, n, 1, 65535, &v))
        return -1;
    c->ports[c->nport++] = (uint16_t)v;
    return 0;
}

static int parse_zone(struct yctx *y, yaml_node_t *n, struct zone *z)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail(y, n, "a zone is a mapping (name, cidrs, vlans, roles, ...)");
    z->purdue = -1;
    z->security_level = -1;
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = node(y, pr->key), *v = node(y, pr->value);
        const char *key = scalar(k);
        if (!key)
            return fail(y, k, "expected a key");
        int rc = 0;
        if (!strcmp(key, "name")) {
            if (!valid_name(scalar(v)))
                return fail(y, v, "zone names are 1-63 letters, digits, '-', '_', '.'");
            str_copy(z->name, sizeof z->name, scalar(v));
        } else if (!strcmp(key, "description")) {
            str_copy(z->description, sizeof z->description, scalar(v) ? scalar(v) : "");
        } else if (!strcmp(key, "purdue_level")) {
            rc = get_int(y, v, 0, 5, &z->purdue);
        } else if (!strcmp(key, "security_level")) {
            rc = get_int(y, v, 0, 4, &z->security_level);
        } else if (!strcmp(key, "cidrs")) {
            rc = each(y, v, add_cidr, z);
        } else if (!strcmp(key, "vlans")) {
            rc = each(y, v, add_vlan, z);
        } else if (!strcmp(key, "roles")) {
            rc = each(y, v, add_role, z);
        } else {
            return fail(y, k, "unknown zone key: %s", key);
        }
        if (rc)
            return -1;
    }
    if (!z->name[0])
        return fail(y, n, "a zone needs a name");
    return 0;
}

static int parse_conduit(struct yctx *y, yaml_node_t *n, struct conduit *c)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail(y, n, "a conduit is a mapping (from, to, protocols, ports, direction)");
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = node(y, pr->key), *v = node(y, pr->value);
        const char *key = scalar(k);
        int rc = 0;
        if (!key)
            return fail(y, k, "expected a key");
        if (!strcmp(key, "from") || !strcmp(key, "to")) {
            if (!valid_name(scalar(v)))
                return fail(y, v, "'%s' wants a zone name", key);
            str_copy(!strcmp(key, "from") ? c->from : c->to, 64, scalar(v));
        } else if (!strcmp(key, "protocols")) {
            rc = each(y, v, add_proto, c);
        } else if (!strcmp(key, "ports")) {
            rc = each(y, v, add_port, c);
        } else if (!strcmp(key, "direction")) {
            const char *d = scalar(v);
            if (!d || (strcmp(d, "from-to") && strcmp(d, "both")))
                return fail(y, v, "direction is 'from-to' (default) or 'both'");
            c->both = !strcmp(d, "both");
        } else if (!strcmp(key, "description")) {
            str_copy(c->description, sizeof c->description, scalar(v) ? scalar(v) : "");
        } else {
            return fail(y, k, "unknown conduit key: %s", key);
        }
        if (rc)
            return -1;
    }
    if (!c->from[0] || !c->to[0])
        return fail(y, n, "a conduit needs 'from' and 'to'");
    return 0;
}

static bool zone_known(const struct policy *p, const char *name)
{
    for (int i = 0; i < p->nzone; i++)
        if (!strcmp(p->zones[i].name, name))
            return true;
    return !strcmp(name, p->internet);
}

static int parse_root(struct yctx *y, struct policy *p)
{
    yaml_node_t *root = yaml_document_get_root_node(y->doc);
    if (!root)
        return fail(y, NULL, "empty policy");
    if (root->type != YAML_MAPPING_NODE)
        return fail(y, root, "the policy is a mapping with zones and conduits");
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
         pr < root->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = node(y, pr->key), *v = node(y, pr->value);
        const char *key = scalar(k);
        if (!key)
            return fail(y, k, "expected a key");
        if (!strcmp(key, "site") || !strcmp(key, "corporate_zone") ||
            !strcmp(key, "internet_zone")) {
            if (!valid_name(scalar(v)))
                return fail(y, v, "'%s' wants a name", key);
            char *dst = !strcmp(key, "site") ? p->site
                        : !strcmp(key, "corporate_zone") ? p->corporate
                                                         : p->internet;
            str_copy(dst, 64, scalar(v));
        } else if (!strcmp(key, "zones") || !strcmp(key, "conduits")) {
            if (v->type != YAML_SEQUENCE_NODE)
                return fail(y, v, "'%s' is a list", key);
            bool zones = !strcmp(key, "zones");
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top; it++) {
                if (zones ? p->nzone == POLICY_MAX_ZONES : p->nconduit == POLICY_MAX_CONDUITS)
                    return fail(y, v, "too many %s", key);
                int rc = zones ? parse_zone(y, node(y, *it), &p->zones[p->nzone++])
                               : parse_conduit(y, node(y, *it), &p->conduits[p->nconduit++]);
                if (rc)
                    return -1;
            }
        } else {
            return fail(y, k, "unknown key: %s (site, corporate_zone, internet_zone, zones,"
                              " conduits)", key);
        }
    }
    for (int i = 0; i < p->nzone; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(p->zones[i].name, p->zones[j].name))
                return fail(y, root, "zone %s is defined twice", p->zones[i].name);
    if (p->corporate[0] && !zone_known(p, p->corporate))
        return fail(y, root, "corporate_zone %s is not a zone", p->corporate);
    for (int i = 0; i < p->nconduit; i++)
        if (!zone_known(p, p->conduits[i].from) || !zone_known(p, p->conduits[i].to))
            return fail(y, root, "conduit %s: unknown zone",
                        zone_known(p, p->conduits[i].from) ? p->conduits[i].to
                                                           : p->conduits[i].from);
    return 0;
}

int policy_parse(struct policy *p, const char *yaml, size_t len, char *err, size_t errlen)
{
    policy_init(p);
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errlen, "line %lu: %s", (unsigned long)parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "invalid YAML");
        yaml_parser_delete(&parser);
        return -1;
    }
    struct yctx y = {&doc, err, errlen};
    int rc = parse_root(&y, p);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

int policy_load_file(struct policy *p, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open");
        return -1;
    }
    static char buf[4 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    if (more) {
        snprintf(err, errlen, "larger than 4 MiB");
        return -1;
    }
    return policy_parse(p, buf, n, err, errlen);
}

static void cidr_text(const struct cidr *c, char *out, size_t n)
{
    char ip[IP_STRLEN];
    ip_format(&c->net, ip);
    snprintf(out, n, "%s/%u", ip, c->bits);
}

void policy_write_yaml(const struct policy *p, FILE *f, const char *header)
{
    if (header)
        fputs(header, f);
    if (p->site[0])
        fprintf(f, "site: %s\n", p->site);
    if (p->corporate[0])
        fprintf(f, "corporate_zone: %s\n", p->corporate);
    fprintf(f, "internet_zone: %s\n\nzones:\n", p->internet);
    for (int i = 0; i < p->nzone; i++) {
        const struct zone *z = &p->zones[i];
        fprintf(f, "  - name: %s\n", z->name);
        if (z->description[0])
            fprintf(f, "    description: \"%s\"\n", z->description);
        if (z->purdue >= 0)
            fprintf(f, "    purdue_level: %d\n", z->purdue);
        if (z->security_level >= 0)
            fprintf(f, "    security_level: %d\n", z->security_level);
        if (z->ncidr) {
            fprintf(f, "    cidrs: [");
            for (int k = 0; k < z->ncidr; k++) {
                char c[64];
                cidr_text(&z->cidrs[k], c, sizeof c);
                fprintf(f, "%s\"%s\"", k ? ", " : "", c); /* quoted: "::/64" */
            }
            fprintf(f, "]\n");
        }
        if (z->nvlan) {
            fprintf(f, "    vlans: [");
            for (int k = 0; k < z->nvlan; k++)
                fprintf(f, "%s%u", k ? ", " : "", z->vlans[k]);
            fprintf(f, "]\n");
        }
        if (z->nrole) {
            fprintf(f, "    roles: [");
            for (int k = 0; k < z->nrole; k++)
                fprintf(f, "%s%s", k ? ", " : "", z->roles[k]);
            fprintf(f, "]\n");
        }
    }
    fprintf(f, "\nconduits:\n");
    if (!p->nconduit)
        fprintf(f, "  []\n");
    for (int i = 0; i < p->nconduit; i++) {
        const struct conduit *c = &p->conduits[i];
        fprintf(f, "  - from: %s\n    to: %s\n", c->from, c->to);
        if (c->both)
            fprintf(f, "    direction: both\n");
        if (c->nproto) {
            fprintf(f, "    protocols: [");
            for (int k = 0; k < c->nproto; k++)
                fprintf(f, "%s%s", k ? ", " : "", c->protocols[k]);
            fprintf(f, "]\n");
        }
        if (c->nport) {
            fprintf(f, "    ports: [");
            for (int k = 0; k < c->nport; k++)
                fprintf(f, "%s%u", k ? ", " : "", c->ports[k]);
            fprintf(f, "]\n");
        }
        if (c->description[0])
            fprintf(f, "    description: \"%s\"\n", c->description);
    }
}

const struct zone *policy_zone_of(const struct policy *p, const struct ipaddr *ip, uint16_t vlan,
                                  const char *role, const char **name)
{
    const struct zone *best = NULL;
    int best_bits = -1;
    for (int i = 0; i < p->nzone; i++)
        for (int k = 0; k < p->zones[i].ncidr; k++)
            if (ip && cidr_contains(&p->zones[i].cidrs[k], ip) &&
                p->zones[i].cidrs[k].bits > best_bits) {
                best = &p->zones[i]; /* the most specific prefix wins */
                best_bits = p->zones[i].cidrs[k].bits;
            }
    for (int i = 0; i < p->nzone && !best && vlan; i++)
        for (int k = 0; k < p->zones[i].nvlan; k++)
            if (p->zones[i].vlans[k] == vlan)
                best = &p->zones[i];
    for (int i = 0; i < p->nzone && !best && role; i++)
        for (int k = 0; k < p->zones[i].nrole; k++)
            if (!strcmp(p->zones[i].roles[k], role))
                best = &p->zones[i];
    if (best) {
        *name = best->name;
        return best;
    }
    if (ip && ip_is_unicast_host(ip) && !ip_is_private(ip)) {
        *name = p->internet;
        return NULL;
    }
    *name = NULL;
    return NULL;
}

const struct conduit *policy_allows(const struct policy *p, const char *from, const char *to,
                                    const char *proto, uint16_t port)
{
    for (int i = 0; i < p->nconduit; i++) {
        const struct conduit *c = &p->conduits[i];
        bool fwd = !strcmp(c->from, from) && !strcmp(c->to, to);
        bool rev = c->both && !strcmp(c->from, to) && !strcmp(c->to, from);
        if (!fwd && !rev)
            continue;
        /* a flow whose protocol was not identified (a handshake without payload) is judged
         * by its port alone */
        bool pok = c->nproto == 0 || !proto, portok = c->nport == 0;
        for (int k = 0; k < c->nproto && proto; k++)
            pok |= !strcmp(c->protocols[k], proto);
        for (int k = 0; k < c->nport; k++)
            portok |= c->ports[k] == port;
        if (pok && portok)
            return c;
    }
    return NULL;
}
