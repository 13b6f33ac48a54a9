/* mms.h - IEC 61850 / ISO 9506 MMS inside the COTP data of ISO-on-TCP: the OSI session (ISO
 * 8327), presentation (ISO 8823) and ACSE (ISO 8650) layers and the MMS PDU.  s7comm.c frames
 * TPKT/COTP and hands every TSDU that starts with a session SPDU to mms_parse(); it keeps a
 * struct mms_state in its per-flow state (zeroed when the flow turns out to be MMS). */
#ifndef OTSCOPE_MMS_H
#define OTSCOPE_MMS_H

#include <stdbool.h>
#include <stdint.h>

#include "dissect/dissect.h"

#define MMS_PENDING    6  /* confirmed requests in flight per association (typical: 1..10) */
#define MMS_TARGET_MAX 64 /* object reference kept for a response, "LD0/LLN0$BR$rcb_B02" */

/* a confirmed request waiting for its response, found again by invokeID */
struct mms_pending {
    uint32_t invoke;
    uint8_t used;
    uint8_t service;   /* ConfirmedServiceRequest choice number (ISO 9506-2 §7.4) */
    uint8_t kind;      /* enum op_kind reported for the request */
    uint8_t aux;       /* getNameList: object class + 1; write: control kind */
    uint8_t nvars;     /* variables named by a read or write */
    uint8_t truncated; /* target[] was cut */
    char target[MMS_TARGET_MAX];
};

struct mms_state {
    struct mms_pending pending[MMS_PENDING];
    uint8_t next;     /* round-robin slot when the table is full */
    uint8_t acse_ctx; /* presentation context ids from the CP-type, 0 = unknown */
    uint8_t mms_ctx;
    bool role_done;    /* ied role reported for the responder */
    bool version_done; /* negotiated MMS version reported */
};

/* one TSDU from the COTP data on port 102, starting with a session SPDU; dir 0 client->server.
 * partial: only the first DT of a longer TSDU is at hand (parse what is there, flag nothing
 * for the cut). */
void mms_parse(struct pctx *c, struct mms_state *s, int dir, struct rd *r, bool partial);

/* the stream of direction dir lost bytes */
void mms_gap(struct mms_state *s, int dir);

#endif
