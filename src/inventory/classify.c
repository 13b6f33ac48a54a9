/* classify.c - see classify.h.  The rules, in order of strength:
 *  1. a role the protocol states (role hints from dissectors), most frequent wins;
 *  2. behaviour: serving a controller protocol (S7, Modbus, CIP, FINS, SLMP, MMS, ...) makes a
 *     controller; serving DNP3/IEC 104 an RTU; OPC UA an OPC server; MQTT a broker; sending
 *     program/start/stop operations an engineering workstation; polling several controllers an
 *     SCADA server (five or more; fewer makes an HMI);
 *  3. forwarding for many IPs makes a gateway; only IT protocols makes an it-host.
 * Purdue levels follow the role (IEC 62443 / ISA-95 reference model). */
#include "inventory/classify.h"

#include <stdio.h>
#include <string.h>

#include "util/str.h"

static const struct {
    const char *proto, *role;
} server_roles[] = {
    {"s7comm", "plc"},       {"s7comm-plus", "plc"}, {"modbus", "plc"}, {"enip", "plc"},
    {"cip", "plc"},          {"fins", "plc"},        {"slmp", "plc"},   {"ads", "plc"},
    {"mms", "ied"},          {"goose", "ied"},       {"dnp3", "rtu"},   {"iec104", "rtu"},
    {"opcua", "opc-server"}, {"mqtt", "broker"},     {"bacnet", "plc"}, {"hart-ip", "io-device"},
};

static const char *const industrial[] = {
    "modbus",      "s7comm", "s7comm-plus", "enip", "cip",     "profinet-dcp",
    "profinet-rt", "bacnet", "opcua",       "dnp3", "iec104",  "mqtt",
    "mms",         "goose",  "fins",        "slmp", "hart-ip", "ads"};

static bool is_industrial(const char *p)
{
    for (size_t i = 0; i < sizeof industrial / sizeof *industrial; i++)
        if (!strcmp(industrial[i], p))
            return true;
    return false;
}

static int purdue_of(const char *role)
{
    static const struct {
        const char *role;
        int level;
    } t[] = {{"io-device", 0},
             {"plc", 1},
             {"rtu", 1},
             {"ied", 1},
             {"hmi", 2},
             {"scada-server", 2},
             {"engineering-workstation", 2},
             {"opc-server", 2},
             {"historian", 3},
             {"broker", 3},
             {"it-host", 4}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (!strcmp(t[i].role, role))
            return t[i].level;
    return -1;
}

bool proto_name_is_industrial(const char *name)
{
    return is_industrial(name);
}

const char *asset_domain(const char *role, bool speaks_industrial)
{
    int level = role ? purdue_of(role) : -1;
    if (speaks_industrial || (level >= 0 && level <= 3 && strcmp(role, "gateway") != 0))
        return "ot";
    if (role && (!strcmp(role, "it-host") || !strcmp(role, "network-device") ||
                 !strcmp(role, "gateway")))
        return "it";
    return "unknown";
}

static const char *crit_of(const char *role)
{
    static const char *const high[] = {"plc", "rtu", "ied", "scada-server",
                                       "engineering-workstation"};
    static const char *const medium[] = {"hmi",       "opc-server", "historian",
                                         "io-device", "broker",     "gateway"};
    for (size_t i = 0; i < sizeof high / sizeof *high; i++)
        if (!strcmp(high[i], role))
            return "high";
    for (size_t i = 0; i < sizeof medium / sizeof *medium; i++)
        if (!strcmp(medium[i], role))
            return "medium";
    return "low";
}

static void set_role(struct class_result *r, const char *role, const char *reason)
{
    str_copy(r->role, sizeof r->role, role);
    str_copy(r->role_reason, sizeof r->role_reason, reason);
}

void classify(const struct class_input *in, struct class_result *out)
{
    memset(out, 0, sizeof *out);
    set_role(out, "unknown", "no protocol evidence of a role");
    char why[192];

    /* 1. stated by the protocol: the most common hint */
    int best = -1, best_n = 0;
    for (int i = 0; i < in->nhint; i++) {
        int n = 0;
        for (int j = 0; j < in->nhint; j++)
            n += !strcmp(in->hints[i].role, in->hints[j].role);
        if (n > best_n) {
            best = i;
            best_n = n;
        }
    }
    bool industrial_seen = false, it_service = false;
    static const char *const discovery[] = {"arp", "lldp", "cdp", "dhcp", "dns", "mdns", "llmnr",
                                            "nbns"};
    for (int i = 0; i < in->nproto; i++) {
        industrial_seen |= is_industrial(in->protos[i].name);
        bool disc = false;
        for (size_t k = 0; k < sizeof discovery / sizeof *discovery; k++)
            disc |= !strcmp(discovery[k], in->protos[i].name);
        it_service |= !disc && !is_industrial(in->protos[i].name);
    }

    const char *master = NULL;
    for (int i = 0; i < in->nproto; i++)
        if (!strcmp(in->protos[i].as, "client") &&
            (!strcmp(in->protos[i].name, "dnp3") || !strcmp(in->protos[i].name, "iec104")))
            master = in->protos[i].name;
    if (best >= 0) {
        snprintf(why, sizeof why, "stated by %s", in->hints[best].source);
        set_role(out, in->hints[best].role, why);
    } else if (master) {
        snprintf(why, sizeof why, "telecontrol master (%s client)", master);
        set_role(out, "scada-server", why);
    } else if (in->sends_program_ops) {
        set_role(out, "engineering-workstation",
                 "sends program download/upload or PLC start/stop operations");
    } else {
        /* 2. the industrial protocol this asset serves with the most packets */
        const char *role = NULL, *proto = NULL;
        uint64_t most = 0;
        for (int i = 0; i < in->nproto; i++) {
            if (strcmp(in->protos[i].as, "server") != 0)
                continue;
            for (size_t k = 0; k < sizeof server_roles / sizeof *server_roles; k++) {
                if (!strcmp(server_roles[k].proto, in->protos[i].name) &&
                    in->protos[i].packets >= most) {
                    role = server_roles[k].role;
                    proto = in->protos[i].name;
                    most = in->protos[i].packets;
                }
            }
        }
        if (role) {
            snprintf(why, sizeof why, "serves %s", proto);
            set_role(out, role, why);
        } else if (in->industrial_servers_polled >= 5) {
            snprintf(why, sizeof why, "polls %d industrial servers", in->industrial_servers_polled);
            set_role(out, "scada-server", why);
        } else if (in->industrial_servers_polled >= 1) {
            snprintf(why, sizeof why, "client of %d industrial server%s",
                     in->industrial_servers_polled, in->industrial_servers_polled > 1 ? "s" : "");
            set_role(out, "hmi", why);
        } else if (in->gateway) {
            set_role(out, "gateway", "one MAC address forwarding for many IP addresses");
        } else if (it_service && !industrial_seen) {
            /* discovery chatter (ARP, LLDP, DHCP, mDNS, ...) says nothing about the role */
            set_role(out, "it-host", "only IT protocols seen");
        }
    }

    out->purdue = purdue_of(out->role);
    if (out->purdue >= 0)
        snprintf(out->purdue_reason, sizeof out->purdue_reason, "role %s", out->role);
    else
        str_copy(out->purdue_reason, sizeof out->purdue_reason, "role unknown");
    /* criticality: from the role, raised for what the asset controls and for its exposure */
    const char *crit = crit_of(out->role);
    char because[128] = "";
    bool ot = purdue_of(out->role) >= 0 && purdue_of(out->role) <= 3;
    if (!strcmp(crit, "medium") && in->sends_process_writes && ot) {
        crit = "high";
        str_copy(because, sizeof because, "; raised: it writes process values or sends commands");
    }
    if (in->talks_public && ot && strcmp(crit, "high") != 0) {
        crit = !strcmp(crit, "medium") ? "high" : "medium";
        snprintf(because + strlen(because), sizeof because - strlen(because),
                 "; raised: exposed to internet addresses");
    }
    str_copy(out->criticality, sizeof out->criticality, crit);
    snprintf(out->crit_reason, sizeof out->crit_reason, "role %s%s", out->role, because);
}
