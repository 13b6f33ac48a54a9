/* s7comm_plus.h - Siemens S7comm-plus (protocol id 0x72, S7-1200/1500) inside the COTP data of
 * ISO-on-TCP; s7comm.c frames TPKT/COTP and hands each 0x72 PDU to s7p_parse().  The caller
 * keeps a struct s7p_state in its per-flow state (zeroed at flow start). */
#ifndef OTSCOPE_S7COMM_PLUS_H
#define OTSCOPE_S7COMM_PLUS_H

#include <stdbool.h>
#include <stdint.h>

#include "dissect/dissect.h"

struct s7p_state {
    uint32_t session;    /* session id from the CreateObject response, 0 until seen */
    uint8_t version_max; /* highest protocol version reported (1..3), 0 = none */
    bool role_done;      /* plc role reported for the responder */
    bool identity_done;  /* server identity string reported */
    bool client_done;    /* client session attributes reported */
};

/* one S7comm-plus PDU (starting at the 0x72 protocol id); dir 0 client->server.  partial: only
 * the first COTP fragment of a longer PDU is at hand (parse what is there, flag nothing). */
void s7p_parse(struct pctx *c, struct s7p_state *s, int dir, struct rd *r, bool partial);

#endif
