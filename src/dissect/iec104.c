/* iec104.c - placeholder until the dissector lands (issue 3). */
#include "dissect/dissect.h"

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)c; (void)state; (void)dir; (void)pdu;
}

const struct dissector dissector_iec104 = {
    .name = "iec104",
    .proto = PROTO_IEC104,
    .parse = parse,
};
