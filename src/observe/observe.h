/* observe.h - the typed observations a dissector emits: an asset attribute with its evidence, an
 * operation done to a device, a protocol spoken in a role, a finding.  Dissectors only ever call
 * the emit_* functions below; where the observations go (inventory, alerts, a test recorder) is
 * decided by the obs_sink the caller plugged into the pctx. */
#ifndef OTSCOPE_OBSERVE_H
#define OTSCOPE_OBSERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/packet.h"

/* Canonical protocol names (SPEC.md), plus a few the corpus shows.  Order is the on-disk index of
 * nothing: names are what is stored.  At most 64 (flows keep a bitmask). */
enum proto {
    PROTO_NONE = 0,
    PROTO_MODBUS, PROTO_S7COMM, PROTO_S7COMM_PLUS, PROTO_ENIP, PROTO_CIP, PROTO_PROFINET_DCP,
    PROTO_PROFINET_RT, PROTO_BACNET, PROTO_OPCUA, PROTO_DNP3, PROTO_IEC104, PROTO_MQTT, PROTO_MMS,
    PROTO_GOOSE, PROTO_FINS, PROTO_SLMP, PROTO_HART_IP, PROTO_ADS, PROTO_LLDP, PROTO_CDP, PROTO_ARP,
    PROTO_DHCP, PROTO_DNS, PROTO_MDNS, PROTO_NBNS, PROTO_SNMP, PROTO_HTTP, PROTO_TLS, PROTO_SSH,
    PROTO_TELNET, PROTO_FTP, PROTO_SMB, PROTO_RDP, PROTO_VNC, PROTO_SYSLOG, PROTO_NTP, PROTO_LLMNR,
    PROTO_COUNT
};
const char *proto_name(enum proto p);
enum proto proto_by_name(const char *name); /* PROTO_NONE when unknown */
bool proto_is_industrial(enum proto p);

/* Asset attribute fields.  The first block are the SPEC.md asset identity fields; the rest are
 * kept as evidence-backed extra attributes. */
enum attr_field {
    F_VENDOR, F_PRODUCT, F_ORDER_NUMBER, F_FIRMWARE, F_HARDWARE, F_SERIAL, F_NAME,
    /* extra attributes */
    F_VENDOR_ID, F_MODEL, F_MODULE_NAME, F_MODULE_TYPE, F_DEVICE_TYPE, F_DEVICE_ID,
    F_DEVICE_ROLE, F_PRODUCT_CODE, F_DEVICE_INSTANCE, F_HOSTNAME, F_DESCRIPTION, F_LOCATION,
    F_APPLICATION_URI, F_PRODUCT_URI, F_APPLICATION_NAME, F_ENDPOINT_URL, F_SECURITY_POLICY,
    F_SECURITY_MODE, F_URL, F_USER_APP_NAME, F_PLANT_ID, F_COPYRIGHT, F_STATE, F_IP_ADDRESS,
    F_MQTT_CLIENT_ID, F_NETBIOS_NAME, F_SSH_BANNER, F_TLS_SNI, F_VENDOR_CLASS, F_UNIT_ID,
    F_PROTOCOL_VERSION,
    F_SOFTWARE_VERSION, /* application software version (BACnet Device object) */
    F_DNP3_ADDRESS,     /* DNP3 link-layer address of a master or outstation */
    /* IT identity (issue 4): DHCP, DNS/mDNS, NetBIOS, LLDP, CDP */
    F_DHCP_FINGERPRINT,  /* DHCPv4 option 55 codes, comma-separated (fingerbank form) */
    F_DHCP6_FINGERPRINT, /* DHCPv6 option request option codes, comma-separated */
    F_CLIENT_ID,         /* DHCPv4 option 61 / DHCPv6 client DUID, hex */
    F_FQDN,              /* a fully qualified name the host gives itself (DHCP option 81/39) */
    F_SERVICE,           /* a DNS-SD service instance, "_http._tcp Printer X" */
    F_WORKGROUP,         /* NetBIOS workgroup or domain */
    F_OS_VERSION,        /* OS version a host announces (browser announcements) */
    F_SERVER_TYPE,       /* browser server type flags, as names */
    F_CAPABILITIES,      /* LLDP/CDP enabled capabilities, "bridge,router" */
    F_CHASSIS_ID,        /* LLDP chassis id */
    F_CHASSIS_MAC,       /* PROFINET LLDP chassis MAC (the device behind a port MAC) */
    F_PORT_ID,           /* LLDP/CDP port id of the sending port */
    F_PORT_DESCRIPTION,  /* LLDP port description */
    F_NATIVE_VLAN,       /* LLDP port VLAN id / CDP native VLAN */
    F_VTP_DOMAIN,        /* CDP VTP management domain */
    F_MGMT_ADDRESS,      /* LLDP/CDP management address (not bound to a port MAC) */
    /* IT identity services (issue 4): SNMP, HTTP, TLS, SSH, FTP, Telnet */
    F_SYS_OBJECT_ID,  /* SNMP sysObjectID, dotted */
    F_CONTACT,        /* SNMP sysContact */
    F_SNMP_ENGINE_ID, /* SNMPv3 authoritative engine id, hex */
    F_HTTP_SERVER,    /* HTTP Server header of a response */
    F_USER_AGENT,     /* HTTP User-Agent of a request */
    F_HTTP_HOST,      /* HTTP Host a client asked for (like tls_sni, about the client) */
    F_JA3,            /* TLS client fingerprint, md5 of the JA3 string */
    F_JA3S,           /* TLS server fingerprint, md5 of the JA3S string */
    F_JA4,            /* TLS client fingerprint, FoxIO JA4 */
    F_CERT_SUBJECT,   /* X.509 subject of the certificate a TLS server presents */
    F_CERT_ISSUER,    /* its issuer */
    F_CERT_VALIDITY,  /* its notBefore/notAfter */
    F_HASSH,          /* SSH client fingerprint (md5 of its KEXINIT lists) */
    F_HASSH_SERVER,   /* SSH server fingerprint */
    F_FTP_BANNER,     /* FTP 220 greeting text */
    F_TELNET_BANNER,  /* first text line a Telnet server shows */
    /* IEC 61850 GOOSE publisher (IEC 61850-8-1 Annex A) */
    F_GOOSE_GOCB_REF, /* GOOSE control block reference, "IED1CTRL/LLN0$GO$gcb01" */
    F_GOOSE_DATASET,  /* the data set it publishes, "IED1CTRL/LLN0$dsTrip" */
    F_GOOSE_ID,       /* goID */
    F_GOOSE_APPID,    /* APPID of the Ethernet header, "0x0001" */
    F_GOOSE_CONF_REV, /* configuration revision of the control block */
    F_COUNT
};
#define F_IDENTITY_COUNT (F_NAME + 1)
const char *attr_name(enum attr_field f);
enum attr_field attr_by_name(const char *name); /* F_COUNT when unknown */

/* Which host an observation is about.  SRC/DST are relative to the packet being parsed;
 * CLIENT/SERVER to the flow (the server is the side that owns the well-known port, unless a
 * dissector said otherwise with emit_server()). */
enum obs_who { WHO_SRC, WHO_DST, WHO_CLIENT, WHO_SERVER };

/* What was done to a device. Alert rules read these (SPEC alert types in brackets). */
enum op_kind {
    OP_READ,               /* reads of process data or identity */
    OP_PROCESS_WRITE,      /* [process-write] writes of process values/outputs/setpoints */
    OP_CONFIG_WRITE,       /* [config-write] writes of configuration, names, addresses */
    OP_COMMAND,            /* operator control commands (select/operate, C_* commands) */
    OP_PLC_STOP,           /* [plc-stop] */
    OP_PLC_START,          /* [plc-start] hot/cold/warm start, run */
    OP_PROGRAM_DOWNLOAD,   /* [program-download] code or config blocks to the device */
    OP_PROGRAM_UPLOAD,     /* [program-upload] code from the device */
    OP_PROGRAM_DELETE,     /* block delete */
    OP_FIRMWARE_UPDATE,
    OP_RESTART,            /* device reset / reinitialize / cold-warm restart (not run mode) */
    OP_DIAGNOSTIC,         /* diagnostics, incl. force listen-only */
    OP_AUTH,               /* password / protection / login functions */
    OP_FILE_TRANSFER,
    OP_COMM_CONTROL,       /* disable communication / unsolicited */
    OP_TIME_SYNC,
    OP_INTERROGATION,
    OP_SESSION,            /* session / connection setup */
    OP_OTHER,
    OP_KIND_COUNT
};
const char *op_kind_name(enum op_kind k);

/* An operation as a dissector describes it.  Strings are borrowed for the call only.  It is
 * recorded as requester -> device; one emitted with a result while parsing the server's
 * response (an exception) is recorded in that same direction. */
struct obs_op {
    enum op_kind kind;
    const char *function; /* protocol function, e.g. "write multiple registers (16)" */
    const char *target;   /* object/address, e.g. "unit 1 holding 40001-40010"; may be NULL */
    const char *result;   /* "ok", "exception 2 (illegal data address)", or NULL if unknown */
};

struct flow;
struct obs_sink;

/* Parse context: the packet being dissected, its flow (NULL for layer-2 frames) and the sink. */
struct pctx {
    const struct pkt *pkt;
    struct flow *flow;
    int dir;                 /* 0 = client->server, 1 = server->client (flow-relative) */
    enum proto proto;        /* the protocol of the running dissector */
    const struct obs_sink *sink;
    void *sink_arg;
};

/* The receiving end.  Every callback may be NULL.  'value' strings are already sanitised. */
struct obs_sink {
    void (*attr)(void *arg, const struct pctx *c, enum obs_who who, enum attr_field f,
                 const char *value, const char *raw, const char *source);
    void (*op)(void *arg, const struct pctx *c, const struct obs_op *op);
    void (*protocol)(void *arg, const struct pctx *c, enum obs_who who, enum proto p,
                     const char *as); /* layer-2 protocols and explicit role claims */
    void (*role_hint)(void *arg, const struct pctx *c, enum obs_who who, const char *role,
                      const char *source);
    void (*finding)(void *arg, const struct pctx *c, enum obs_who who, const char *kind,
                    const char *detail);
    void (*malformed)(void *arg, const struct pctx *c, const char *reason);
};

/* ---- what dissectors call ---- */
/* An identity value, interpreted for people ("V2.6.9", "Rockwell Automation"), with 'source'
 * naming the message it came from ("s7comm szl 0x0011", "enip list identity").  When the wire
 * value differs from the interpreted one (a version word 0x0206, a vendor id 42), pass it as
 * 'raw' to emit_attr_raw so that the evidence keeps it. */
void emit_attr(struct pctx *c, enum obs_who who, enum attr_field f, const char *value,
               const char *source);
void emit_attr_raw(struct pctx *c, enum obs_who who, enum attr_field f, const char *value,
                   const char *raw, const char *source);
void emit_attrf(struct pctx *c, enum obs_who who, enum attr_field f, const char *source,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void emit_op(struct pctx *c, enum op_kind kind, const char *function, const char *target,
             const char *result);
/* the flow also carries protocol p (e.g. CIP inside EtherNet/IP) */
void emit_protocol(struct pctx *c, enum proto p);
/* the flow's main protocol is really p (e.g. S7comm-plus found on the S7comm port) */
void emit_set_protocol(struct pctx *c, enum proto p);
/* the host 'who' is the server of this flow (corrects the port-based guess) */
void emit_server(struct pctx *c, enum obs_who who);
/* a role the protocol itself proves, e.g. "plc" from a CIP device type; SPEC role names */
void emit_role(struct pctx *c, enum obs_who who, const char *role, const char *source);
/* a security finding: kind is e.g. "cleartext-credentials", "insecure-protocol" */
void emit_finding(struct pctx *c, enum obs_who who, const char *kind, const char *detail);
void emit_malformed(struct pctx *c, const char *reason);

/* for sinks: resolve who to the packet's source (true) or destination (false) */
bool obs_who_is_src(const struct pctx *c, enum obs_who who);

#endif
