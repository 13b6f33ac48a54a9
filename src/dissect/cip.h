/* cip.h - the CIP message layer (ODVA "The CIP Networks Library" Vol. 1) under EtherNet/IP:
 * requests and responses, logical/symbolic/port paths, the Identity object, Logix tag services
 * and PCCC.  A response carries no path, so each request is remembered in a struct cip_flow that
 * the caller keeps in its per-flow state and finds again by the caller's key (the sender context
 * of SendRRData, the sequence count of SendUnitData). */
#ifndef OTSCOPE_CIP_H
#define OTSCOPE_CIP_H

#include <stdbool.h>
#include <stdint.h>

#include "dissect/dissect.h"

#define CIP_SUB_MAX    4  /* leaf requests of one message remembered for its response */
#define CIP_TARGET_MAX 48 /* target text kept for an error result (longer ones are cut) */
#define CIP_PEND_MAX   2  /* messages awaiting a response per flow */

/* one leaf request (a service inside a Multiple Service Packet or Unconnected Send counts once) */
struct cip_sub {
    uint8_t service;
    uint8_t kind;  /* enum op_kind of the request's operation, CIP_NO_OP when none */
    uint8_t flags; /* CIP_SUB_* */
    uint8_t pad;
    uint16_t cls;  /* class id (0x67 PCCC, 0x01 identity, ...) */
    uint16_t attr; /* attribute id; PCCC: command << 8 | function */
    uint32_t inst; /* instance id; PCCC: the requested CPU mode */
    char target[CIP_TARGET_MAX];
};
#define CIP_NO_OP        0xff
#define CIP_SUB_ROUTED   0x01 /* sent on by Unconnected Send with a route path */
#define CIP_SUB_SYMBOLIC 0x02 /* path names a tag (ANSI extended symbol segment) */
#define CIP_SUB_CLASS    0x04 /* path had a class segment */
#define CIP_SUB_INST     0x08
#define CIP_SUB_ATTR     0x10

struct cip_pend {
    uint32_t key;
    uint8_t used, nsub, msp, pad;
    struct cip_sub sub[CIP_SUB_MAX];
};

struct cip_flow {
    struct cip_pend pend[CIP_PEND_MAX];
    uint8_t next;  /* ring position of the next pending message */
    uint8_t hints; /* role hints already given on this flow (CIP_HINT_*) */
};
#define CIP_HINT_LOGIX   0x01
#define CIP_HINT_SCANNER 0x02

/* one CIP request (msg: from the service code on); emits its operations, remembers it */
void cip_request(struct pctx *c, struct cip_flow *f, uint32_t key, struct rd *msg);
/* one CIP response; matched with the request remembered under key, if any */
void cip_response(struct pctx *c, struct cip_flow *f, uint32_t key, struct rd *msg);
/* forget every pending request (a stream gap) */
void cip_flow_reset(struct cip_flow *f);

/* Identity object (class 0x01) instance attributes 1-7 as List Identity and Get_Attributes_All
 * carry them (Vol. 1 §5A-2.2), plus the state byte List Identity adds. */
struct cip_identity {
    uint16_t vendor, device_type, product_code, status;
    uint8_t major, minor, state;
    bool has_state;
    uint32_t serial;
    char product[72];
};
/* read attributes 1-7 in Get_Attributes_All order; false when the data is short */
bool cip_identity_read(struct rd *r, struct cip_identity *id);
/* the identity of the packet's sender, with role hints from its device type */
void cip_identity_emit(struct pctx *c, const struct cip_identity *id, const char *source);

const char *cip_vendor_name(uint16_t vendor);    /* NULL when unknown */
const char *cip_device_type_name(uint16_t type); /* NULL when unknown */
/* "V20.011": Rockwell's major.minor with the minor revision in three digits */
void cip_revision_format(uint8_t major, uint8_t minor, char *out, size_t n);

#endif
