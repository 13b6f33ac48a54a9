/* observe.c - name tables for protocols, attributes and operations, and the emit_* functions
 * that dissectors call.  The emit functions only forward to the sink; the few that change the
 * flow (protocol, server side) do so here so that dissectors never see flow internals. */
#include "observe/observe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flow/flow.h"
#include "util/str.h"

static const char *const proto_names[PROTO_COUNT] = {
    [PROTO_NONE] = "unknown",
    [PROTO_MODBUS] = "modbus",
    [PROTO_S7COMM] = "s7comm",
    [PROTO_S7COMM_PLUS] = "s7comm-plus",
    [PROTO_ENIP] = "enip",
    [PROTO_CIP] = "cip",
    [PROTO_PROFINET_DCP] = "profinet-dcp",
    [PROTO_PROFINET_RT] = "profinet-rt",
    [PROTO_BACNET] = "bacnet",
    [PROTO_OPCUA] = "opcua",
    [PROTO_DNP3] = "dnp3",
    [PROTO_IEC104] = "iec104",
    [PROTO_MQTT] = "mqtt",
    [PROTO_MMS] = "mms",
    [PROTO_GOOSE] = "goose",
    [PROTO_FINS] = "fins",
    [PROTO_SLMP] = "slmp",
    [PROTO_HART_IP] = "hart-ip",
    [PROTO_ADS] = "ads",
    [PROTO_LLDP] = "lldp",
    [PROTO_CDP] = "cdp",
    [PROTO_ARP] = "arp",
    [PROTO_DHCP] = "dhcp",
    [PROTO_DNS] = "dns",
    [PROTO_MDNS] = "mdns",
    [PROTO_NBNS] = "nbns",
    [PROTO_SNMP] = "snmp",
    [PROTO_HTTP] = "http",
    [PROTO_TLS] = "tls",
    [PROTO_SSH] = "ssh",
    [PROTO_TELNET] = "telnet",
    [PROTO_FTP] = "ftp",
    [PROTO_SMB] = "smb",
    [PROTO_RDP] = "rdp",
    [PROTO_VNC] = "vnc",
    [PROTO_SYSLOG] = "syslog",
    [PROTO_NTP] = "ntp",
    [PROTO_LLMNR] = "llmnr",
};
_Static_assert(PROTO_COUNT <= 64, "flows keep protocols in a 64-bit mask");

const char *proto_name(enum proto p)
{
    return (unsigned)p < PROTO_COUNT && proto_names[p] ? proto_names[p] : "unknown";
}

enum proto proto_by_name(const char *name)
{
    for (int p = 1; p < PROTO_COUNT; p++)
        if (proto_names[p] && strcmp(proto_names[p], name) == 0)
            return (enum proto)p;
    return PROTO_NONE;
}

bool proto_is_industrial(enum proto p)
{
    return p >= PROTO_MODBUS && p <= PROTO_ADS;
}

static const char *const attr_names[F_COUNT] = {
    [F_VENDOR] = "vendor",
    [F_PRODUCT] = "product",
    [F_ORDER_NUMBER] = "order_number",
    [F_FIRMWARE] = "firmware",
    [F_HARDWARE] = "hardware",
    [F_SERIAL] = "serial",
    [F_NAME] = "name",
    [F_VENDOR_ID] = "vendor_id",
    [F_MODEL] = "model",
    [F_MODULE_NAME] = "module_name",
    [F_MODULE_TYPE] = "module_type",
    [F_DEVICE_TYPE] = "device_type",
    [F_DEVICE_ID] = "device_id",
    [F_DEVICE_ROLE] = "device_role",
    [F_PRODUCT_CODE] = "product_code",
    [F_DEVICE_INSTANCE] = "device_instance",
    [F_HOSTNAME] = "hostname",
    [F_DESCRIPTION] = "description",
    [F_LOCATION] = "location",
    [F_APPLICATION_URI] = "application_uri",
    [F_PRODUCT_URI] = "product_uri",
    [F_APPLICATION_NAME] = "application_name",
    [F_ENDPOINT_URL] = "endpoint_url",
    [F_SECURITY_POLICY] = "security_policy",
    [F_SECURITY_MODE] = "security_mode",
    [F_URL] = "url",
    [F_USER_APP_NAME] = "user_application_name",
    [F_PLANT_ID] = "plant_id",
    [F_COPYRIGHT] = "copyright",
    [F_STATE] = "state",
    [F_IP_ADDRESS] = "ip_address",
    [F_MQTT_CLIENT_ID] = "mqtt_client_id",
    [F_NETBIOS_NAME] = "netbios_name",
    [F_SSH_BANNER] = "ssh_banner",
    [F_TLS_SNI] = "tls_sni",
    [F_VENDOR_CLASS] = "vendor_class",
    [F_UNIT_ID] = "unit_id",
    [F_PROTOCOL_VERSION] = "protocol_version",
    [F_SOFTWARE_VERSION] = "software_version",
    [F_DNP3_ADDRESS] = "dnp3_address",
    [F_DHCP_FINGERPRINT] = "dhcp_fingerprint",
    [F_DHCP6_FINGERPRINT] = "dhcp6_fingerprint",
    [F_CLIENT_ID] = "client_id",
    [F_FQDN] = "fqdn",
    [F_SERVICE] = "service",
    [F_WORKGROUP] = "workgroup",
    [F_OS_VERSION] = "os_version",
    [F_SERVER_TYPE] = "server_type",
    [F_CAPABILITIES] = "capabilities",
    [F_CHASSIS_ID] = "chassis_id",
    [F_CHASSIS_MAC] = "chassis_mac",
    [F_PORT_ID] = "port_id",
    [F_PORT_DESCRIPTION] = "port_description",
    [F_NATIVE_VLAN] = "native_vlan",
    [F_VTP_DOMAIN] = "vtp_domain",
    [F_MGMT_ADDRESS] = "management_address",
    [F_SYS_OBJECT_ID] = "sys_object_id",
    [F_CONTACT] = "contact",
    [F_SNMP_ENGINE_ID] = "snmp_engine_id",
    [F_HTTP_SERVER] = "http_server",
    [F_USER_AGENT] = "user_agent",
    [F_HTTP_HOST] = "http_host",
    [F_JA3] = "ja3",
    [F_JA3S] = "ja3s",
    [F_JA4] = "ja4",
    [F_CERT_SUBJECT] = "cert_subject",
    [F_CERT_ISSUER] = "cert_issuer",
    [F_CERT_VALIDITY] = "cert_validity",
    [F_HASSH] = "hassh",
    [F_HASSH_SERVER] = "hassh_server",
    [F_FTP_BANNER] = "ftp_banner",
    [F_TELNET_BANNER] = "telnet_banner",
    [F_GOOSE_GOCB_REF] = "goose_gocb_ref",
    [F_GOOSE_DATASET] = "goose_dataset",
    [F_GOOSE_ID] = "goose_id",
    [F_GOOSE_APPID] = "goose_appid",
    [F_GOOSE_CONF_REV] = "goose_conf_rev",
};

const char *attr_name(enum attr_field f)
{
    return (unsigned)f < F_COUNT && attr_names[f] ? attr_names[f] : "unknown";
}

enum attr_field attr_by_name(const char *name)
{
    for (int f = 0; f < F_COUNT; f++)
        if (attr_names[f] && strcmp(attr_names[f], name) == 0)
            return (enum attr_field)f;
    return F_COUNT;
}

static const char *const op_names[OP_KIND_COUNT] = {
    [OP_READ] = "read",
    [OP_PROCESS_WRITE] = "process-write",
    [OP_CONFIG_WRITE] = "config-write",
    [OP_COMMAND] = "command",
    [OP_PLC_STOP] = "plc-stop",
    [OP_PLC_START] = "plc-start",
    [OP_PROGRAM_DOWNLOAD] = "program-download",
    [OP_PROGRAM_UPLOAD] = "program-upload",
    [OP_PROGRAM_DELETE] = "program-delete",
    [OP_FIRMWARE_UPDATE] = "firmware-update",
    [OP_RESTART] = "restart",
    [OP_DIAGNOSTIC] = "diagnostic",
    [OP_AUTH] = "auth",
    [OP_FILE_TRANSFER] = "file-transfer",
    [OP_COMM_CONTROL] = "comm-control",
    [OP_TIME_SYNC] = "time-sync",
    [OP_INTERROGATION] = "interrogation",
    [OP_SESSION] = "session",
    [OP_OTHER] = "other",
};

const char *op_kind_name(enum op_kind k)
{
    return (unsigned)k < OP_KIND_COUNT && op_names[k] ? op_names[k] : "other";
}

bool obs_who_is_src(const struct pctx *c, enum obs_who who)
{
    switch (who) {
    case WHO_SRC:
        return true;
    case WHO_DST:
        return false;
    case WHO_CLIENT:
        return c->dir == 0;
    case WHO_SERVER:
        return c->dir == 1;
    }
    return true;
}

void emit_attr_raw(struct pctx *c, enum obs_who who, enum attr_field f, const char *value,
                   const char *raw, const char *source)
{
    if (!value || !*value || (unsigned)f >= F_COUNT)
        return;
    if (raw && !*raw)
        raw = NULL;
    if (c->sink && c->sink->attr)
        c->sink->attr(c->sink_arg, c, who, f, value, raw, source);
}

void emit_attr(struct pctx *c, enum obs_who who, enum attr_field f, const char *value,
               const char *source)
{
    emit_attr_raw(c, who, f, value, NULL, source);
}

void emit_attrf(struct pctx *c, enum obs_who who, enum attr_field f, const char *source,
                const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    str_vfmt(buf, sizeof buf, fmt, ap);
    va_end(ap);
    emit_attr(c, who, f, buf, source);
}

void emit_op(struct pctx *c, enum op_kind kind, const char *function, const char *target,
             const char *result)
{
    struct obs_op op = {kind, function, target, result};
    if (c->sink && c->sink->op)
        c->sink->op(c->sink_arg, c, &op);
}

void emit_protocol(struct pctx *c, enum proto p)
{
    if ((unsigned)p >= PROTO_COUNT || p == PROTO_NONE)
        return;
    if (c->flow)
        c->flow->protos |= 1ull << p;
    else if (c->sink && c->sink->protocol)
        c->sink->protocol(c->sink_arg, c, WHO_SRC, p, "sender");
}

void emit_set_protocol(struct pctx *c, enum proto p)
{
    if ((unsigned)p >= PROTO_COUNT || p == PROTO_NONE)
        return;
    c->proto = p;
    if (c->flow) {
        if (c->flow->proto != PROTO_NONE)
            c->flow->protos &= ~(1ull << c->flow->proto);
        c->flow->proto = p;
        c->flow->protos |= 1ull << p;
    }
}

void emit_server(struct pctx *c, enum obs_who who)
{
    if (!c->flow)
        return;
    bool src = obs_who_is_src(c, who);
    /* the packet's sending side, from the current direction */
    int sender = c->dir == 0 ? c->flow->client : 1 - c->flow->client;
    flow_set_server_side(c->flow, src ? sender : 1 - sender);
    c->dir = flow_dir(c->flow, sender);
}

void emit_role(struct pctx *c, enum obs_who who, const char *role, const char *source)
{
    if (c->sink && c->sink->role_hint)
        c->sink->role_hint(c->sink_arg, c, who, role, source);
}

void emit_finding(struct pctx *c, enum obs_who who, const char *kind, const char *detail)
{
    if (c->sink && c->sink->finding)
        c->sink->finding(c->sink_arg, c, who, kind, detail);
}

void emit_malformed(struct pctx *c, const char *reason)
{
    if (c->flow)
        c->flow->malformed++;
    if (c->sink && c->sink->malformed)
        c->sink->malformed(c->sink_arg, c, reason);
}
