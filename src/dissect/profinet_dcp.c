/* profinet_dcp.c - placeholder until the dissector lands (issue 3). */
#include "dissect/dissect.h"

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)c; (void)state; (void)dir; (void)pdu;
}

const struct dissector dissector_profinet_dcp = {
    .name = "profinet_dcp",
    .proto = PROTO_PROFINET_DCP,
    .parse = parse,
};
