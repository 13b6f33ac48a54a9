/* fins.c - Omron FINS (Factory Interface Network Service) on UDP 9600 and FINS/TCP on TCP 9600
 * (Omron W227 "FINS Commands Reference Manual" §3-5, W342 "Communications Commands" §5, W421
 * "Ethernet Units" §7 for FINS/TCP).  The command sender is the client and the responder the
 * server; the ICF "response" bit, not the port, says which frame is which, because FINS/UDP
 * peers often both use port 9600.  Responses are matched to commands by SID and command code. */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define FINS_PORT    9600
#define FINS_HDR     10   /* ICF RSV GCT DNA DA1 DA2 SNA SA1 SA2 SID (W227 §3-2) */
#define FINS_TCP_HDR 16   /* "FINS", length, command, error code (W421 §7-4) */
#define FINS_TCP_MAX 4096 /* longest FINS/TCP length accepted (a FINS frame is <= 2012) */
#define FINS_PENDING 16   /* outstanding commands remembered per flow */
#define FINS_KEEP    12   /* command parameter bytes kept to describe a failed command */
#define ICF_RESPONSE 0x40 /* ICF bit 6: 1 = response */
#define ICF_RESERVED 0x3e /* ICF bits 1-5 are always 0 */

struct fins_req {
    uint8_t used, sid, mrc, src;
    uint16_t plen;        /* parameter bytes the command carried */
    uint8_t p[FINS_KEEP]; /* the first of them, to describe the command again */
};

struct fins_state {
    struct fins_req pending[FINS_PENDING];
    uint8_t next;
    bool sided;   /* UDP: the server side was settled from the first frame */
    bool node[2]; /* FINS node number reported for the command (0) / response (1) sender */
    bool plc_role;
};
_Static_assert(sizeof(struct fins_state) <= DISSECT_STATE_MAX, "fins state too large");

/* how a command's parameters are laid out, to describe its target */
enum shape {
    SH_NONE,
    SH_AREA,
    SH_MULTI,
    SH_TRANSFER,
    SH_PARAM,
    SH_PROGRAM,
    SH_PROGNO,
    SH_RUN,
    SH_CLOCK,
    SH_FORCED,
    SH_FAL
};

/* command codes MRC/SRC (W227 §5-1, W342 §5-1) and what they do to the controller */
static const struct fins_cmd {
    uint8_t mrc, src;
    uint8_t kind; /* enum op_kind */
    uint8_t shape;
    const char *name;
} cmds[] = {
    {0x01, 0x01, OP_READ, SH_AREA, "memory area read"},
    {0x01, 0x02, OP_PROCESS_WRITE, SH_AREA, "memory area write"},
    {0x01, 0x03, OP_PROCESS_WRITE, SH_AREA, "memory area fill"},
    {0x01, 0x04, OP_READ, SH_MULTI, "multiple memory area read"},
    {0x01, 0x05, OP_PROCESS_WRITE, SH_TRANSFER, "memory area transfer"},
    {0x02, 0x01, OP_READ, SH_PARAM, "parameter area read"},
    {0x02, 0x02, OP_CONFIG_WRITE, SH_PARAM, "parameter area write"},
    {0x02, 0x03, OP_CONFIG_WRITE, SH_PARAM, "parameter area clear"},
    {0x02, 0x20, OP_READ, SH_NONE, "data link table read"},
    {0x02, 0x21, OP_CONFIG_WRITE, SH_NONE, "data link table write"},
    {0x03, 0x04, OP_AUTH, SH_PROGNO, "program area protect"},
    {0x03, 0x05, OP_AUTH, SH_PROGNO, "program area protect clear"},
    {0x03, 0x06, OP_PROGRAM_UPLOAD, SH_PROGRAM, "program area read"},
    {0x03, 0x07, OP_PROGRAM_DOWNLOAD, SH_PROGRAM, "program area write"},
    {0x03, 0x08, OP_PROGRAM_DELETE, SH_PROGNO, "program area clear"},
    {0x04, 0x01, OP_PLC_START, SH_RUN, "run"},
    {0x04, 0x02, OP_PLC_STOP, SH_PROGNO, "stop"},
    {0x04, 0x03, OP_RESTART, SH_NONE, "reset"},
    {0x05, 0x01, OP_READ, SH_NONE, "controller data read"},
    {0x05, 0x02, OP_READ, SH_NONE, "connection data read"},
    {0x06, 0x01, OP_READ, SH_NONE, "controller status read"},
    {0x06, 0x02, OP_READ, SH_NONE, "network status read"},
    {0x06, 0x03, OP_READ, SH_NONE, "data link status read"},
    {0x06, 0x20, OP_READ, SH_NONE, "cycle time read"},
    {0x07, 0x01, OP_READ, SH_NONE, "clock read"},
    {0x07, 0x02, OP_TIME_SYNC, SH_CLOCK, "clock write"},
    {0x08, 0x01, OP_DIAGNOSTIC, SH_NONE, "loop-back test"},
    {0x08, 0x02, OP_DIAGNOSTIC, SH_NONE, "broadcast test results read"},
    {0x08, 0x03, OP_DIAGNOSTIC, SH_NONE, "broadcast test data send"},
    {0x09, 0x20, OP_READ, SH_NONE, "message read/clear"},
    {0x0c, 0x01, OP_AUTH, SH_PROGNO, "access right acquire"},
    {0x0c, 0x02, OP_AUTH, SH_PROGNO, "access right forced acquire"},
    {0x0c, 0x03, OP_AUTH, SH_PROGNO, "access right release"},
    {0x21, 0x01, OP_DIAGNOSTIC, SH_FAL, "error clear"},
    {0x21, 0x02, OP_READ, SH_NONE, "error log read"},
    {0x21, 0x03, OP_DIAGNOSTIC, SH_NONE, "error log clear"},
    {0x22, 0x01, OP_FILE_TRANSFER, SH_NONE, "file name read"},
    {0x22, 0x02, OP_FILE_TRANSFER, SH_NONE, "single file read"},
    {0x22, 0x03, OP_FILE_TRANSFER, SH_NONE, "single file write"},
    {0x22, 0x04, OP_FILE_TRANSFER, SH_NONE, "file memory format"},
    {0x22, 0x05, OP_FILE_TRANSFER, SH_NONE, "file delete"},
    {0x22, 0x06, OP_FILE_TRANSFER, SH_NONE, "volume label create/delete"},
    {0x22, 0x07, OP_FILE_TRANSFER, SH_NONE, "file copy"},
    {0x22, 0x08, OP_FILE_TRANSFER, SH_NONE, "file name change"},
    {0x22, 0x09, OP_FILE_TRANSFER, SH_NONE, "file data check"},
    {0x22, 0x0a, OP_FILE_TRANSFER, SH_NONE, "memory area file transfer"},
    {0x22, 0x0b, OP_FILE_TRANSFER, SH_NONE, "parameter area file transfer"},
    {0x22, 0x0c, OP_FILE_TRANSFER, SH_NONE, "program area file transfer"},
    {0x22, 0x0f, OP_FILE_TRANSFER, SH_NONE, "file memory index read"},
    {0x22, 0x10, OP_FILE_TRANSFER, SH_NONE, "file memory read"},
    {0x22, 0x11, OP_FILE_TRANSFER, SH_NONE, "file memory write"},
    {0x22, 0x15, OP_FILE_TRANSFER, SH_NONE, "create/delete directory"},
    {0x23, 0x01, OP_PROCESS_WRITE, SH_FORCED, "forced set/reset"},
    {0x23, 0x02, OP_PROCESS_WRITE, SH_NONE, "forced set/reset cancel"},
    {0x23, 0x0a, OP_READ, SH_NONE, "multiple forced status read"},
    {0x26, 0x01, OP_CONFIG_WRITE, SH_NONE, "name set"},
    {0x26, 0x02, OP_CONFIG_WRITE, SH_NONE, "name delete"},
    {0x26, 0x03, OP_READ, SH_NONE, "name read"},
};

static const struct fins_cmd *cmd_find(uint8_t mrc, uint8_t src)
{
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
        if (cmds[i].mrc == mrc && cmds[i].src == src)
            return &cmds[i];
    return NULL;
}

/* end codes MRES/SRES (W227 §5-1-3), with the relay-error bit of MRES and the CPU error bits of
 * SRES masked off: those flag a state of the network or the PLC, not the command's failure */
static const struct code_text end_codes[] = {
    {0x0001, "service canceled"},
    {0x0101, "local node not in network"},
    {0x0102, "token timeout"},
    {0x0103, "retries failed"},
    {0x0104, "too many send frames"},
    {0x0105, "node address range error"},
    {0x0106, "node address duplication"},
    {0x0201, "destination node not in network"},
    {0x0202, "unit missing"},
    {0x0203, "third node missing"},
    {0x0204, "destination node busy"},
    {0x0205, "response timeout"},
    {0x0301, "communications controller error"},
    {0x0302, "CPU unit error"},
    {0x0303, "controller error"},
    {0x0304, "unit number error"},
    {0x0401, "undefined command"},
    {0x0402, "not supported by model/version"},
    {0x0501, "destination address setting error"},
    {0x0502, "no routing tables"},
    {0x0503, "routing table error"},
    {0x0504, "too many relays"},
    {0x1001, "command too long"},
    {0x1002, "command too short"},
    {0x1003, "elements/data don't match"},
    {0x1004, "command format error"},
    {0x1005, "header error"},
    {0x1101, "area classification missing"},
    {0x1102, "access size error"},
    {0x1103, "address range error"},
    {0x1104, "address range exceeded"},
    {0x1106, "program missing"},
    {0x1109, "relational error"},
    {0x110a, "duplicate data access"},
    {0x110b, "response too long"},
    {0x110c, "parameter error"},
    {0x2002, "protected"},
    {0x2003, "table missing"},
    {0x2004, "data missing"},
    {0x2005, "program missing"},
    {0x2006, "file missing"},
    {0x2007, "data mismatch"},
    {0x2101, "read-only"},
    {0x2102, "protected"},
    {0x2103, "cannot register"},
    {0x2105, "program missing"},
    {0x2106, "file missing"},
    {0x2107, "file name already exists"},
    {0x2108, "cannot change"},
    {0x2201, "not possible during execution"},
    {0x2202, "not possible while running"},
    {0x2203, "wrong PLC mode (PROGRAM)"},
    {0x2204, "wrong PLC mode (DEBUG)"},
    {0x2205, "wrong PLC mode (MONITOR)"},
    {0x2206, "wrong PLC mode (RUN)"},
    {0x2207, "specified node not polling node"},
    {0x2208, "step cannot be executed"},
    {0x2301, "file device missing"},
    {0x2302, "memory missing"},
    {0x2303, "clock missing"},
    {0x2401, "table missing"},
    {0x2502, "memory error"},
    {0x2503, "I/O setting error"},
    {0x2504, "too many I/O points"},
    {0x2505, "CPU bus error"},
    {0x2506, "I/O duplication"},
    {0x2507, "I/O bus error"},
    {0x2509, "SYSMAC BUS/2 error"},
    {0x250a, "CPU bus unit error"},
    {0x250d, "SYSMAC BUS number duplication"},
    {0x250f, "memory error"},
    {0x2510, "SYSMAC BUS terminator missing"},
    {0x2601, "no protection"},
    {0x2602, "incorrect password"},
    {0x2604, "protected"},
    {0x2605, "service already executing"},
    {0x2606, "service stopped"},
    {0x2607, "no execution right"},
    {0x2608, "settings not complete"},
    {0x2609, "necessary items not set"},
    {0x260a, "number already defined"},
    {0x260b, "error will not clear"},
    {0x3001, "no access right"},
    {0x4001, "service aborted"},
};

static const char *end_text(uint16_t code)
{
    return code_text(end_codes, NELEM(end_codes), code, "unknown");
}

/* FINS/TCP header error codes (W421 §7-4) */
static const char *tcp_error_text(uint32_t e)
{
    switch (e) {
    case 0x01:
        return "header is not FINS";
    case 0x02:
        return "data length too long";
    case 0x03:
        return "command not supported";
    case 0x20:
        return "all connections in use";
    case 0x21:
        return "node already connected";
    case 0x22:
        return "protected node accessed from an unspecified IP address";
    case 0x23:
        return "client node address out of range";
    case 0x24:
        return "client and server use the same node address";
    case 0x25:
        return "no node address left to allocate";
    default:
        return "unknown";
    }
}

/* Memory area codes: CS/CJ/CP-series codes (W342 §5-2-2) and the CV-mode codes older PLCs and
 * the CV/C200H series use (W227 §5-2).  The name is Omron's area abbreviation; bit areas are
 * told apart because their addresses carry a bit number. */
struct area {
    char name[16];
    bool bit;
    bool forced; /* "with forced status" variant */
};

static bool area_of(uint8_t code, struct area *a)
{
    static const char *const cs_bits[4] = {"CIO", "WR", "HR", "AR"};
    memset(a, 0, sizeof *a);
    const char *n = NULL;
    switch (code) {
    case 0x30:
    case 0x31:
    case 0x32:
    case 0x33:
        n = cs_bits[code - 0x30];
        a->bit = true;
        break;
    case 0x70:
    case 0x71:
    case 0x72:
        n = cs_bits[code - 0x70];
        a->bit = a->forced = true;
        break;
    case 0xb0:
    case 0xb1:
    case 0xb2:
    case 0xb3:
        n = cs_bits[code - 0xb0];
        break;
    case 0xf0:
    case 0xf1:
    case 0xf2:
        n = cs_bits[code - 0xf0];
        a->forced = true;
        break;
    case 0x02:
        n = "DM";
        a->bit = true;
        break;
    case 0x82:
        n = "DM";
        break;
    case 0x09:
    case 0x01: /* CV mode */
        n = "T/C flag";
        a->bit = true;
        break;
    case 0x49:
    case 0x41:
        n = "T/C flag";
        a->bit = a->forced = true;
        break;
    case 0x89:
    case 0x81:
        n = "T/C PV";
        break;
    case 0x0a:
        n = "EM current";
        a->bit = true;
        break;
    case 0x98:
        n = "EM current";
        break;
    case 0xbc:
    case 0x9c:
        n = "DR";
        break;
    case 0xdc:
        n = "IR";
        break;
    case 0x06:
        n = "TK";
        a->bit = true;
        break;
    case 0x46:
        n = "TK status";
        a->bit = true;
        break;
    case 0x07:
        n = "clock/condition flags";
        a->bit = true;
        break;
    /* CV mode */
    case 0x00:
        n = "CIO";
        a->bit = true;
        break;
    case 0x40:
        n = "CIO";
        a->bit = a->forced = true;
        break;
    case 0x80:
        n = "CIO";
        break;
    case 0xc0:
        n = "CIO";
        a->forced = true;
        break;
    case 0x03:
    case 0x43:
        n = "TN";
        a->bit = true;
        a->forced = code == 0x43;
        break;
    case 0x04:
    case 0x44:
        n = "ST";
        a->bit = true;
        break;
    case 0x84:
        n = "ST PV";
        break;
    default:
        if (code >= 0x20 && code <= 0x2c) { /* EM banks 0-C, bits */
            str_fmt(a->name, sizeof a->name, "EM%X", code - 0x20u);
            a->bit = true;
            return true;
        }
        if (code >= 0xa0 && code <= 0xac) { /* EM banks 0-C, words */
            str_fmt(a->name, sizeof a->name, "EM%X", code - 0xa0u);
            return true;
        }
        if (code >= 0x90 && code <= 0x97) { /* CV-mode EM banks 0-7, words */
            str_fmt(a->name, sizeof a->name, "EM%X", code - 0x90u);
            return true;
        }
        str_fmt(a->name, sizeof a->name, "area 0x%02x", code);
        return false;
    }
    str_copy(a->name, sizeof a->name, n);
    return true;
}

/* "DM 100" or "CIO 10.05" from an area code, a word address and a bit number */
static void area_addr(char *d, size_t n, uint8_t code, uint16_t addr, uint8_t bit)
{
    struct area a;
    area_of(code, &a);
    if (a.bit)
        str_fmt(d, n, "%s %u.%02u", a.name, addr, bit);
    else
        str_fmt(d, n, "%s %u", a.name, addr);
}

static const char *param_area(uint16_t code)
{
    switch (code) {
    case 0x8010:
        return "PLC setup";
    case 0x8011:
        return "peripheral device settings";
    case 0x8012:
        return "I/O table";
    case 0x8013:
        return "routing tables";
    case 0x8002:
        return "CPU bus unit settings";
    default:
        return NULL;
    }
}

static const char *mode_name(uint8_t mode)
{
    switch (mode) {
    case 0x00:
        return "PROGRAM";
    case 0x01:
        return "DEBUG";
    case 0x02:
        return "MONITOR";
    case 0x04:
        return "RUN";
    default:
        return NULL;
    }
}

static unsigned bcd(uint8_t b)
{
    return (b >> 4) * 10u + (b & 0x0fu);
}

/* The target of a command from its parameters.  'total' is the parameter length the command
 * carried (r may hold only its first FINS_KEEP bytes, when a failed command is described again).
 * Returns false when the parameters are too short for the command. */
static bool describe(const struct fins_cmd *k, struct rd *r, size_t total, char *d, size_t n)
{
    char a[48], b[48];
    d[0] = 0;
    switch (k ? k->shape : SH_NONE) {
    case SH_NONE:
        return true;
    case SH_AREA: {
        uint8_t code = rd_u8(r);
        uint16_t addr = rd_be16(r);
        uint8_t bit = rd_u8(r);
        uint16_t count = rd_be16(r);
        if (!rd_ok(r))
            return false;
        struct area ar;
        area_of(code, &ar);
        area_addr(a, sizeof a, code, addr, bit);
        str_fmt(d, n, "%s x%u%s", a, count, ar.forced ? " (with forced status)" : "");
        return true;
    }
    case SH_MULTI: {
        uint8_t code = rd_u8(r);
        uint16_t addr = rd_be16(r);
        uint8_t bit = rd_u8(r);
        if (!rd_ok(r))
            return false;
        area_addr(a, sizeof a, code, addr, bit);
        size_t items = total / 4;
        if (items > 1)
            str_fmt(d, n, "%s (+%zu more)", a, items - 1);
        else
            str_copy(d, n, a);
        return true;
    }
    case SH_TRANSFER: {
        uint8_t sc = rd_u8(r);
        uint16_t sa = rd_be16(r);
        uint8_t sb = rd_u8(r);
        uint8_t dc = rd_u8(r);
        uint16_t da = rd_be16(r);
        uint8_t db = rd_u8(r);
        uint16_t count = rd_be16(r);
        if (!rd_ok(r))
            return false;
        area_addr(a, sizeof a, sc, sa, sb);
        area_addr(b, sizeof b, dc, da, db);
        str_fmt(d, n, "%s -> %s x%u", a, b, count);
        return true;
    }
    case SH_PARAM: {
        uint16_t code = rd_be16(r), word = rd_be16(r), count = rd_be16(r);
        if (!rd_ok(r))
            return false;
        const char *p = param_area(code);
        if (p)
            str_fmt(d, n, "%s word %u x%u", p, word, count & 0x7fff);
        else
            str_fmt(d, n, "parameter area 0x%04x word %u x%u", code, word, count & 0x7fff);
        return true;
    }
    case SH_PROGRAM: {
        uint16_t prog = rd_be16(r);
        uint32_t word = rd_be32(r);
        uint16_t count = rd_be16(r);
        if (!rd_ok(r))
            return false;
        /* bit 15 of the count marks the last block of a transfer (W342 §5-3-21) */
        str_fmt(d, n, "program 0x%04x word %u x%u%s", prog, word, count & 0x7fff,
                count & 0x8000 ? " (last)" : "");
        return true;
    }
    case SH_PROGNO: {
        if (total < 2) /* optional for STOP and ACCESS RIGHT commands */
            return true;
        uint16_t prog = rd_be16(r);
        if (!rd_ok(r))
            return false;
        str_fmt(d, n, "program 0x%04x", prog);
        return true;
    }
    case SH_RUN: {
        if (total < 2)
            return true;
        uint16_t prog = rd_be16(r);
        if (!rd_ok(r))
            return false;
        if (total < 3) {
            str_fmt(d, n, "program 0x%04x", prog);
            return true;
        }
        uint8_t mode = rd_u8(r);
        const char *m = mode_name(mode);
        if (m)
            str_fmt(d, n, "program 0x%04x %s mode", prog, m);
        else
            str_fmt(d, n, "program 0x%04x mode 0x%02x", prog, mode);
        return true;
    }
    case SH_CLOCK: {
        uint8_t y = rd_u8(r), mo = rd_u8(r), dd = rd_u8(r), h = rd_u8(r), mi = rd_u8(r);
        if (!rd_ok(r))
            return false;
        unsigned sec = total >= 6 ? bcd(rd_u8(r)) : 0;
        unsigned year = bcd(y) < 70 ? 2000 + bcd(y) : 1900 + bcd(y); /* W342 §5-3-33 */
        str_fmt(d, n, "%04u-%02u-%02u %02u:%02u:%02u", year, bcd(mo), bcd(dd), bcd(h), bcd(mi),
                sec);
        return true;
    }
    case SH_FORCED: {
        uint16_t count = rd_be16(r), spec = rd_be16(r);
        uint8_t code = rd_u8(r);
        uint16_t addr = rd_be16(r);
        uint8_t bit = rd_u8(r);
        if (!rd_ok(r) || count == 0)
            return false;
        const char *what = spec == 0x0000   ? "reset"
                           : spec == 0x0001 ? "set"
                           : spec == 0x8000 ? "release (off)"
                           : spec == 0x8001 ? "release (on)"
                           : spec == 0xffff ? "release"
                                            : "specification";
        area_addr(a, sizeof a, code, addr, bit);
        if (count > 1)
            str_fmt(d, n, "%s %s (+%u more)", what, a, count - 1u);
        else
            str_fmt(d, n, "%s %s", what, a);
        return true;
    }
    case SH_FAL: {
        uint16_t fal = rd_be16(r);
        if (!rd_ok(r))
            return false;
        if (fal == 0xffff)
            str_copy(d, n, "current error");
        else if (fal == 0xfffe)
            str_copy(d, n, "current error (CV)");
        else
            str_fmt(d, n, "error code 0x%04x", fal);
        return true;
    }
    }
    return true;
}

static void function_name(char *d, size_t n, const struct fins_cmd *k, uint8_t mrc, uint8_t src)
{
    str_fmt(d, n, "%s (%02x %02x)", k ? k->name : "command", mrc, src);
}

static struct fins_req *remember(struct fins_state *s, uint8_t sid, uint8_t mrc, uint8_t src,
                                 const struct rd *params)
{
    struct fins_req *q = &s->pending[s->next++ % FINS_PENDING];
    memset(q, 0, sizeof *q);
    q->used = 1;
    q->sid = sid;
    q->mrc = mrc;
    q->src = src;
    size_t left = rd_left(params);
    q->plen = (uint16_t)(left > 0xffff ? 0xffff : left);
    struct rd copy = *params;
    rd_bytes(&copy, q->p, left < FINS_KEEP ? left : FINS_KEEP);
    return q;
}

static struct fins_req *find(struct fins_state *s, uint8_t sid, uint8_t mrc, uint8_t src)
{
    for (int i = 0; i < FINS_PENDING; i++) {
        struct fins_req *q = &s->pending[i];
        if (q->used && q->sid == sid && q->mrc == mrc && q->src == src)
            return q;
    }
    return NULL;
}

static void command(struct pctx *c, struct fins_state *s, uint8_t sid, uint8_t mrc, uint8_t src,
                    struct rd *r)
{
    const struct fins_cmd *k = cmd_find(mrc, src);
    char function[96], target[160];
    function_name(function, sizeof function, k, mrc, src);
    struct rd params = *r;
    if (!describe(k, &params, rd_left(r), target, sizeof target)) {
        emit_malformed(c, "fins: command parameters too short");
        return;
    }
    if (!k)
        str_fmt(target, sizeof target, "unknown command code %02x %02x", mrc, src);
    if (s)
        remember(s, sid, mrc, src, r);
    emit_op(c, k ? (enum op_kind)k->kind : OP_OTHER, function, target[0] ? target : NULL, NULL);
}

/* Controller Data Read response (W342 §5-3-24): model (20), version (20), system use (40), then
 * the area data (program area, IOM, DM words, timer/counter, EM banks, steps, memory card) */
static void controller_data(struct pctx *c, struct fins_state *s, struct rd *r)
{
    char model[64], version[64];
    if (rd_left(r) < 40)
        return;
    rd_str(r, 20, model, sizeof model);
    rd_str(r, 20, version, sizeof version);
    if (model[0]) {
        emit_attr(c, WHO_SRC, F_VENDOR, "OMRON", "fins controller data read (model)");
        emit_attr(c, WHO_SRC, F_PRODUCT, model, "fins controller data read (controller model)");
        emit_attr(c, WHO_SRC, F_MODEL, model, "fins controller data read (controller model)");
        if (s && !s->plc_role) {
            s->plc_role = true;
            emit_role(c, WHO_SRC, "plc", "fins controller data read (controller model)");
        }
    }
    if (version[0])
        emit_attr(c, WHO_SRC, F_FIRMWARE, version,
                  "fins controller data read (controller version)");
    if (rd_left(r) < 40 + 12)
        return;
    rd_skip(r, 40); /* for system use */
    uint16_t prog = rd_be16(r);
    uint8_t iom = rd_u8(r);
    uint16_t dm = rd_be16(r);
    uint8_t tc = rd_u8(r), em = rd_u8(r);
    uint16_t steps = rd_be16(r);
    uint8_t card = rd_u8(r);
    uint16_t card_size = rd_be16(r);
    if (!rd_ok(r))
        return;
    static const char *const cards[] = {"none", "SPRAM", "EPROM", "EEPROM"};
    emit_attrf(c, WHO_SRC, F_DESCRIPTION, "fins controller data read (area data)",
               "program area %u Kwords, IOM %u Kbytes, DM %u words, timers/counters %u x1024,"
               " EM %u banks, steps %u, memory card %s %u KB",
               prog, iom, dm, tc, em, steps, card < 4 ? cards[card] : "unknown", card_size);
}

/* Controller Status Read response (W342 §5-3-26): status, mode, fatal and non-fatal error
 * flags, message flags, FAL/FALS number and an error message */
static void controller_status(struct pctx *c, struct rd *r)
{
    uint8_t status = rd_u8(r), mode = rd_u8(r);
    uint16_t fatal = rd_be16(r), nonfatal = rd_be16(r);
    if (!rd_ok(r))
        return;
    const char *st = status == 0x00   ? "stop"
                     : status == 0x01 ? "run"
                     : status == 0x80 ? "standby"
                                      : "unknown";
    const char *m = mode_name(mode);
    char v[64], raw[64];
    if (m)
        str_fmt(v, sizeof v, "%s (%s mode)", st, m);
    else
        str_fmt(v, sizeof v, "%s (mode 0x%02x)", st, mode);
    /* the wire evidence keeps the error flags beside the mode */
    str_fmt(raw, sizeof raw, "status 0x%02x mode 0x%02x fatal 0x%04x non-fatal 0x%04x", status,
            mode, fatal, nonfatal);
    emit_attr_raw(c, WHO_SRC, F_STATE, v, raw, "fins controller status read");
    uint16_t msg = rd_be16(r), fal = rd_be16(r);
    char text[32];
    if (rd_left(r) >= 16) {
        rd_str(r, 16, text, sizeof text);
        if (text[0] && (fal || msg))
            emit_attrf(c, WHO_SRC, F_DESCRIPTION, "fins controller status read (error message)",
                       "FAL/FALS %04x: %s", fal, text);
    }
}

static void response(struct pctx *c, struct fins_state *s, uint8_t sid, uint8_t mrc, uint8_t src,
                     struct rd *r)
{
    uint16_t end = rd_be16(r);
    if (!rd_ok(r)) {
        emit_malformed(c, "fins: response without end code");
        return;
    }
    struct fins_req *q = s ? find(s, sid, mrc, src) : NULL;
    uint16_t code = end & 0x7f3f; /* MRES bit 7 relay error, SRES bits 6-7 CPU error flags */
    const struct fins_cmd *k = cmd_find(mrc, src);
    if (code != 0) {
        char function[96], target[160] = "", result[96];
        function_name(function, sizeof function, k, mrc, src);
        if (q) {
            struct rd p = rd_init(q->p, q->plen < FINS_KEEP ? q->plen : FINS_KEEP);
            describe(k, &p, q->plen, target, sizeof target);
        }
        str_fmt(result, sizeof result, "end code 0x%04x (%s)", code, end_text(code));
        emit_op(c, k ? (enum op_kind)k->kind : OP_OTHER, function, target[0] ? target : NULL,
                result);
    } else if (mrc == 0x05 && src == 0x01) {
        controller_data(c, s, r);
    } else if (mrc == 0x06 && src == 0x01) {
        controller_status(c, r);
    }
    if (q)
        q->used = 0;
}

/* one FINS frame (W227 §3-2): 10-byte header, MRC/SRC, then parameters or the end code */
static void fins_frame(struct pctx *c, struct fins_state *s, bool tcp, struct rd *r)
{
    uint8_t icf = rd_u8(r);
    rd_skip(r, 1); /* RSV */
    uint8_t gct = rd_u8(r);
    uint8_t dna = rd_u8(r), da1 = rd_u8(r), da2 = rd_u8(r);
    uint8_t sna = rd_u8(r), sa1 = rd_u8(r), sa2 = rd_u8(r);
    uint8_t sid = rd_u8(r);
    uint8_t mrc = rd_u8(r), src = rd_u8(r);
    if (!rd_ok(r) || (icf & ICF_RESERVED)) {
        emit_malformed(c, "fins: bad header");
        return;
    }
    (void)gct, (void)dna, (void)da1, (void)da2, (void)sna, (void)sa2;
    bool is_response = icf & ICF_RESPONSE;
    /* FINS/UDP peers commonly both use port 9600: the first frame says who serves */
    if (s && !tcp && !s->sided) {
        s->sided = true;
        emit_server(c, is_response ? WHO_SRC : WHO_DST);
    }
    if (s && sa1 != 0 && sa1 != 0xff && !s->node[is_response]) {
        s->node[is_response] = true;
        emit_attrf(c, WHO_SRC, F_UNIT_ID, "fins header (source node)", "%u", sa1);
    }
    if (is_response)
        response(c, s, sid, mrc, src, r);
    else
        command(c, s, sid, mrc, src, r);
}

/* FINS/TCP (W421 §7-4): "FINS", length of what follows it, command, error code, data */
static void fins_tcp(struct pctx *c, struct fins_state *s, struct rd *r)
{
    rd_skip(r, 4);
    uint32_t len = rd_be32(r);
    if (!rd_ok(r) || len < 8 || len != rd_left(r)) {
        emit_malformed(c, "fins/tcp: length does not match the frame");
        return;
    }
    uint32_t cmd = rd_be32(r), err = rd_be32(r);
    char result[96];
    str_fmt(result, sizeof result, "fins/tcp error 0x%x (%s)", err, tcp_error_text(err));
    switch (cmd) {
    case 0: { /* node address data send, client to server: 0 asks for automatic assignment */
        uint32_t node = rd_be32(r);
        if (!rd_ok(r)) {
            emit_malformed(c, "fins/tcp: node address request too short");
            return;
        }
        char target[32];
        if (node)
            str_fmt(target, sizeof target, "client node %u", node);
        else
            str_copy(target, sizeof target, "client node automatic");
        emit_op(c, OP_SESSION, "node address data send (fins/tcp 0)", target, NULL);
        return;
    }
    case 1: { /* node address data send, server to client: both node numbers */
        uint32_t cnode = rd_be32(r), snode = rd_be32(r);
        if (err) {
            emit_op(c, OP_SESSION, "node address data send (fins/tcp 0)", NULL, result);
            return;
        }
        if (!rd_ok(r)) {
            emit_malformed(c, "fins/tcp: node address response too short");
            return;
        }
        if (s && !s->node[0]) {
            s->node[0] = true;
            emit_attrf(c, WHO_DST, F_UNIT_ID, "fins/tcp node address (client)", "%u", cnode);
        }
        if (s && !s->node[1]) {
            s->node[1] = true;
            emit_attrf(c, WHO_SRC, F_UNIT_ID, "fins/tcp node address (server)", "%u", snode);
        }
        return;
    }
    case 2: /* FINS frame send */
        fins_frame(c, s, true, r);
        return;
    case 3: /* FINS frame send error notification */
        emit_op(c, OP_SESSION, "frame send error notification (fins/tcp 3)", NULL, result);
        return;
    case 6: /* connection confirmation */
        return;
    default:
        emit_malformed(c, "fins/tcp: unknown command");
        return;
    }
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)dir;
    struct fins_state *s = state;
    bool tcp = c->pkt && c->pkt->l4 == L4_TCP;
    if (rd_match(pdu, "FINS", 4))
        fins_tcp(c, s, pdu);
    else if (tcp)
        emit_malformed(c, "fins/tcp: no FINS magic");
    else
        fins_frame(c, s, false, pdu);
}

static long frame(const struct rd *stream)
{
    if (rd_left(stream) < 8)
        return FRAME_NEED_MORE;
    if (!rd_match(stream, "FINS", 4))
        return FRAME_NOT_OURS;
    uint32_t len = rd_peek_be32(stream, 4);
    if (len < 8 || len > FINS_TCP_MAX)
        return FRAME_NOT_OURS;
    return 8 + (long)len;
}

/* strict: the FINS/TCP magic, a sane length matching the segment and a known command.  FINS/UDP
 * is not probed: its 10-byte header has no magic, and RTP starts with the same 0x80 0x00. */
static bool probe(const struct rd *p, uint8_t l4)
{
    if (l4 == L4_TCP) {
        if (rd_left(p) < FINS_TCP_HDR || !rd_match(p, "FINS", 4))
            return false;
        uint32_t len = rd_peek_be32(p, 4), cmd = rd_peek_be32(p, 8);
        return len >= 8 && len <= FINS_TCP_MAX && (size_t)len + 8 == rd_left(p) &&
               (cmd <= 3 || cmd == 6);
    }
    return false;
}

const struct dissector dissector_fins = {
    .name = "fins",
    .proto = PROTO_FINS,
    .tcp_ports = {FINS_PORT},
    .udp_ports = {FINS_PORT},
    .probe = probe,
    .state_size = sizeof(struct fins_state),
    .frame = frame,
    .parse = parse,
};
