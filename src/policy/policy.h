/* policy.h - the segmentation policy: zones (by CIDR, VLAN and/or asset role, each with a Purdue
 * level and an IEC 62443 target security level) and conduits between them (allowed protocols,
 * ports and direction), plus which zones are the corporate network and the internet.  Read from
 * YAML (libyaml), proposed from what was seen, and written back as YAML. */
#ifndef OTSCOPE_POLICY_H
#define OTSCOPE_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decode/packet.h"

#define POLICY_MAX_ZONES 256
#define POLICY_MAX_CONDUITS 1024
#define POLICY_MAX_ITEMS 32

struct cidr {
    struct ipaddr net;
    uint8_t bits;
};

struct zone {
    char name[64];
    char description[160];
    int purdue;          /* -1 unknown */
    int security_level;  /* IEC 62443 SL-T 0..4, -1 unset */
    struct cidr cidrs[POLICY_MAX_ITEMS];
    int ncidr;
    uint16_t vlans[POLICY_MAX_ITEMS];
    int nvlan;
    char roles[POLICY_MAX_ITEMS][32];
    int nrole;
};

struct conduit {
    char from[64], to[64];
    bool both;          /* either side may initiate */
    char protocols[POLICY_MAX_ITEMS][24];
    int nproto;         /* 0 = any protocol */
    uint16_t ports[POLICY_MAX_ITEMS];
    int nport;          /* 0 = any port */
    char description[160];
};

struct policy {
    char site[64];
    char corporate[64]; /* zone name of the corporate network ("" = none) */
    char internet[64];  /* zone name for public addresses (default "internet") */
    struct zone zones[POLICY_MAX_ZONES];
    int nzone;
    struct conduit conduits[POLICY_MAX_CONDUITS];
    int nconduit;
};

void policy_init(struct policy *p);
/* parse YAML text; 0, or -1 with "line N: reason" in err */
int policy_parse(struct policy *p, const char *yaml, size_t len, char *err, size_t errlen);
int policy_load_file(struct policy *p, const char *path, char *err, size_t errlen);
void policy_write_yaml(const struct policy *p, FILE *f, const char *header_comment);

bool cidr_parse(const char *s, struct cidr *c);
bool cidr_contains(const struct cidr *c, const struct ipaddr *a);

/* the zone of an address (VLAN 0 = untagged, role may be NULL): CIDR first, then VLAN, then
 * role; public addresses outside every zone go to the internet zone; NULL when none */
const struct zone *policy_zone_of(const struct policy *p, const struct ipaddr *ip, uint16_t vlan,
                                  const char *role, const char **name);
/* is a flow from zone 'from' (initiator) to zone 'to' with protocol/port allowed? */
const struct conduit *policy_allows(const struct policy *p, const char *from, const char *to,
                                    const char *proto, uint16_t port);

#endif
