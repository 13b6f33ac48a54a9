/* classify.h - role, Purdue level and criticality of an asset from what it did on the wire,
 * each with the reason that justifies it.  Evidence the protocol itself gives (a CIP device type,
 * a PROFINET device role) beats behaviour; no evidence means "unknown", never a guess. */
#ifndef OTSCOPE_CLASSIFY_H
#define OTSCOPE_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#define CLASS_MAX_PROTOS 48
#define CLASS_MAX_HINTS  16

struct class_input {
    bool gateway; /* a MAC that forwards for many IPs */
    struct {
        const char *name, *as;
        uint64_t packets;
    } protos[CLASS_MAX_PROTOS];
    int nproto;
    struct {
        const char *role, *source;
    } hints[CLASS_MAX_HINTS];
    int nhint;
    int industrial_servers_polled; /* distinct industrial servers this asset is a client of */
    bool sends_program_ops;        /* program download/upload, PLC start/stop from this asset */
    bool sends_process_writes;     /* process writes or commands to controllers: it controls */
    bool talks_public;             /* communicates with public (internet) addresses */
};

struct class_result {
    char role[32];
    char role_reason[192];
    int purdue; /* -1 = unknown */
    char purdue_reason[192];
    char criticality[8]; /* high | medium | low */
    char crit_reason[192];
};

void classify(const struct class_input *in, struct class_result *out);

/* an industrial (OT) application protocol: modbus, s7comm, enip, dnp3, ... */
bool proto_name_is_industrial(const char *name);
/* OT or IT: "ot" for an OT role or an asset speaking an industrial protocol, "it" for IT
 * hosts and network gear without one, "unknown" otherwise (never guessed) */
const char *asset_domain(const char *role, bool speaks_industrial);

#endif
