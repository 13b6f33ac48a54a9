/* telnet.c - placeholder until the dissector lands (issue 4). */
#include "dissect/dissect.h"

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)c;
    (void)state;
    (void)dir;
    (void)pdu;
}

const struct dissector dissector_telnet = {
    .name = "telnet",
    .proto = PROTO_TELNET,
    .parse = parse,
};
