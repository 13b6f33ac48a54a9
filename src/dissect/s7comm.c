/* s7comm.c - placeholder until the dissector lands (issue 3). */
#include "dissect/dissect.h"

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)c; (void)state; (void)dir; (void)pdu;
}

const struct dissector dissector_s7comm = {
    .name = "s7comm",
    .proto = PROTO_S7COMM,
    .parse = parse,
};
