/* goose.h - IEC 61850-8-1 GOOSE (Annex A): the decoded header and goosePdu of one frame.
 * goose.c parses every field into struct goose_pdu first (goose_decode, also used by the unit
 * test) and only then emits observations, so a frame is reported whole or as malformed. */
#ifndef OTSCOPE_GOOSE_H
#define OTSCOPE_GOOSE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/reader.h"

#define GOOSE_ETHERTYPE 0x88b8
#define GOOSE_STR_MAX   160 /* VisibleString SIZE(1..129) (8-1 Ed.2), sanitised */
#define GOOSE_DEPTH_MAX 8   /* structure/array nesting followed inside allData */
#define GOOSE_DATA_TAGS 18  /* Data CHOICE context tags [1]..[17] */

struct goose_pdu {
    /* Ethernet header after the ethertype (8-1 Annex C.2.3) */
    uint16_t appid, length, reserved1, reserved2;
    bool simulation_bit; /* reserved1 bit 15, "Simulation" (8-1 Ed.2 §C.2.3.1) */
    /* IECGoosePdu [APPLICATION 1] */
    char gocb_ref[GOOSE_STR_MAX]; /* [0] */
    uint32_t tal_ms;              /* [1] timeAllowedtoLive, milliseconds */
    char dat_set[GOOSE_STR_MAX];  /* [2] */
    char go_id[GOOSE_STR_MAX];    /* [3] OPTIONAL: "" when absent */
    bool has_go_id;
    uint32_t t_sec, t_frac;           /* [4] UtcTime: seconds since 1970, fraction in 2^-24 s */
    uint8_t t_quality;                /*     TimeQuality octet */
    int64_t t_ns;                     /*     the same as nanoseconds since 1970 */
    uint32_t st_num, sq_num;          /* [5] [6] */
    bool test;                        /* [7] simulation/test, DEFAULT FALSE */
    uint32_t conf_rev;                /* [8] */
    bool nds_com;                     /* [9] DEFAULT FALSE */
    uint32_t num_entries;             /* [10] numDatSetEntries */
    uint32_t n_data;                  /* [11] allData: top-level entries (== num_entries) */
    uint32_t n_values;                /*      every Data element at any depth */
    uint32_t n_type[GOOSE_DATA_TAGS]; /* per Data choice tag (1 array, 2 structure, 3 boolean,
                                       * 4 bit-string, 5 integer, 6 unsigned, 7 float, ...) */
    bool has_security;                /* [12] */
};

/* Decode one GOOSE frame payload (after the ethertype).  Returns true with *g filled, or false
 * with *why naming the first fault ("goose: length 300 beyond the frame (120 bytes)"); why
 * points to a static string or to whybuf. */
bool goose_decode(struct rd *r, struct goose_pdu *g, char *whybuf, size_t whysz, const char **why);

/* the logical device of an object reference: "IED1CTRL/LLN0$GO$gcb01" -> "IED1CTRL"; false
 * when there is no '/' or nothing before it */
bool goose_logical_device(const char *ref, char *out, size_t outsz);

/* a Data choice tag number as its 8-1 name ("boolean", "utc-time"), NULL when unknown */
const char *goose_data_type_name(unsigned tag);

#endif
