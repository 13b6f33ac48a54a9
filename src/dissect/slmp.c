/* slmp.c - Mitsubishi Electric SLMP / MELSEC communication protocol (MC protocol) 3E and 4E
 * binary frames on TCP and UDP (Mitsubishi SH-080956ENG "SLMP Reference Manual" §5-6, SH-080008
 * "MELSEC Communication Protocol Reference Manual" §3).  Port 5007 is SLMP's default; MC protocol
 * ports are set per module (often 5000-5010), so other ports are found by the probe.
 *
 * A request: subheader 50 00 (3E) or 54 00 + serial + 00 00 (4E), network no., PC no., request
 * destination module I/O no. (LE16) and station no., request data length (LE16, from the
 * monitoring timer to the end), monitoring timer (LE16, x250 ms), command (LE16), subcommand
 * (LE16), request data.  A response: subheader D0 00 / D4 00 + serial + 00 00, the same routing
 * fields, response data length, end code (LE16), then data or, on an error, the error
 * information (the failing station's routing fields, command and subcommand).
 *
 * The command sender is the client and the responder the server.  4E responses are matched to
 * requests by serial number; 3E carries none, so the oldest outstanding request is taken
 * (requests are answered in order on one connection). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define SLMP_PORT    5007
#define SLMP_HDR_3E  9    /* subheader .. data length */
#define SLMP_HDR_4E  13   /* + serial (2) and fixed 00 00 */
#define SLMP_MAX     8192 /* longest data length accepted (a frame is < 4 KB in practice) */
#define SLMP_PENDING 8    /* outstanding requests remembered per flow */
#define SLMP_KEEP    16   /* request data bytes kept to describe a failed request */
#define SLMP_NAME    40   /* file name kept between Open File and its response */

#define SUB_REQ_3E 0x5000
#define SUB_RSP_3E 0xd000
#define SUB_REQ_4E 0x5400
#define SUB_RSP_4E 0xd400

struct slmp_req {
    uint8_t used, own; /* own: addressed to the connected station's own CPU */
    uint16_t serial, cmd, sub, dlen;
    uint32_t age;
    uint8_t p[SLMP_KEEP];
};

struct slmp_state {
    struct slmp_req pending[SLMP_PENDING];
    uint32_t clock;
    bool sided, version, plc_role;
    /* the file an Open File request named, then the file pointer its response gave */
    char open_name[SLMP_NAME];
    char file_name[SLMP_NAME];
    uint16_t file_fp;
    bool file_valid;
};
_Static_assert(sizeof(struct slmp_state) <= DISSECT_STATE_MAX, "slmp state too large");

/* how a command's request data is laid out, to describe its target */
enum shape {
    SH_NONE,
    SH_BATCH,    /* device, points */
    SH_RANDOM,   /* word points, dword points, devices */
    SH_RWRITE,   /* random write: bit or word/dword devices with data */
    SH_BLOCK,    /* word blocks, bit blocks, device + points each */
    SH_RUN,      /* mode, clear mode */
    SH_MODE,     /* mode (pause: 0x0003 forced) */
    SH_PASSWORD, /* length + password */
    SH_OPEN,     /* file open: password, mode, drive, name */
    SH_FILEIO,   /* file read/write: file pointer, offset, bytes */
    SH_FILENAME, /* file delete: password, drive, name */
    SH_BUFFER    /* buffer memory: address (4), words (2) */
};

/* commands (SH-080956ENG §5, SH-080008 §3-3) and what they do to the controller */
static const struct slmp_cmd {
    uint16_t cmd;
    uint8_t kind; /* enum op_kind */
    uint8_t shape;
    const char *name;
} cmds[] = {
    {0x0101, OP_READ, SH_NONE, "read type name"},
    {0x0401, OP_READ, SH_BATCH, "device read"},
    {0x1401, OP_PROCESS_WRITE, SH_BATCH, "device write"},
    {0x0403, OP_READ, SH_RANDOM, "device read random"},
    {0x1402, OP_PROCESS_WRITE, SH_RWRITE, "device write random"},
    {0x0406, OP_READ, SH_BLOCK, "device read block"},
    {0x1406, OP_PROCESS_WRITE, SH_BLOCK, "device write block"},
    {0x0801, OP_READ, SH_RANDOM, "monitor device registration"},
    {0x0802, OP_READ, SH_NONE, "execute monitor"},
    {0x0613, OP_READ, SH_BUFFER, "buffer memory read"},
    {0x1613, OP_PROCESS_WRITE, SH_BUFFER, "buffer memory write"},
    {0x0601, OP_READ, SH_BUFFER, "intelligent module read"},
    {0x1601, OP_PROCESS_WRITE, SH_BUFFER, "intelligent module write"},
    {0x1001, OP_PLC_START, SH_RUN, "remote run"},
    {0x1002, OP_PLC_STOP, SH_NONE, "remote stop"},
    {0x1003, OP_PLC_STOP, SH_MODE, "remote pause"},
    {0x1005, OP_PROCESS_WRITE, SH_NONE, "remote latch clear"},
    {0x1006, OP_RESTART, SH_NONE, "remote reset"},
    {0x0619, OP_DIAGNOSTIC, SH_NONE, "loopback test"},
    {0x1617, OP_DIAGNOSTIC, SH_NONE, "clear error"},
    {0x1630, OP_AUTH, SH_PASSWORD, "remote password unlock"},
    {0x1631, OP_AUTH, SH_PASSWORD, "remote password lock"},
    {0x1810, OP_FILE_TRANSFER, SH_NONE, "read directory/file information"},
    {0x1811, OP_FILE_TRANSFER, SH_NONE, "search directory/file information"},
    {0x1820, OP_FILE_TRANSFER, SH_NONE, "new file"},
    {0x1822, OP_FILE_TRANSFER, SH_FILENAME, "delete file"},
    {0x1824, OP_FILE_TRANSFER, SH_NONE, "copy file"},
    {0x1825, OP_FILE_TRANSFER, SH_NONE, "change file attribute"},
    {0x1826, OP_FILE_TRANSFER, SH_NONE, "change file date"},
    {0x1827, OP_FILE_TRANSFER, SH_OPEN, "open file"},
    {0x1828, OP_FILE_TRANSFER, SH_FILEIO, "read file"},
    {0x1829, OP_FILE_TRANSFER, SH_FILEIO, "write file"},
    {0x182a, OP_FILE_TRANSFER, SH_NONE, "close file"},
};

static const struct slmp_cmd *cmd_find(uint16_t cmd)
{
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
        if (cmds[i].cmd == cmd)
            return &cmds[i];
    return NULL;
}

/* end codes: C0xx/C2xx from the Ethernet interface or SLMP server (SH-080008 §11), 4xxx from
 * the CPU (QnU/L/iQ-R CPU error codes) */
static const struct code_text end_codes[] = {
    {0xc050, "ASCII data cannot be converted to binary"},
    {0xc051, "number of bit points out of range"},
    {0xc052, "number of word points out of range"},
    {0xc053, "number of random bit points out of range"},
    {0xc054, "number of random word points out of range"},
    {0xc056, "device address out of range"},
    {0xc058, "request data length does not match"},
    {0xc059, "command or subcommand not supported"},
    {0xc05b, "device cannot be read or written"},
    {0xc05c, "request content error"},
    {0xc05f, "request cannot be executed for the target"},
    {0xc060, "request content error (bit device data)"},
    {0xc061, "request data length does not match the number of data"},
    {0xc06f, "communication data code (binary/ASCII) mismatch"},
    {0xc070, "device extension not supported by the target"},
    {0xc0b5, "data the CPU cannot handle"},
    {0xc200, "remote password error"},
    {0xc201, "port locked by remote password"},
    {0xc204, "unlock requested by another device"},
    {0x4000, "CPU error (serial communication)"},
    {0x4001, "request not supported by the CPU"},
    {0x4002, "request not supported by the CPU"},
    {0x4004, "request not executable (system protect)"},
    {0x4010, "not possible while the CPU is running"},
    {0x4013, "not possible unless the CPU is stopped"},
    {0x4030, "device not supported by the CPU"},
    {0x4031, "device number out of range"},
    {0x4032, "device qualification error"},
    {0x4a00, "network number not in routing parameters"},
    {0x4a01, "network number not in routing parameters"},
    {0x4b00, "target station error"},
};

static const char *end_text(uint16_t code)
{
    return code_text(end_codes, NELEM(end_codes), code, "unknown");
}

/* device codes of binary frames (SH-080008 §3-3-1): name, numbered in hex, bit device */
static const struct {
    uint8_t code;
    char name[3];
    bool hex, bit;
} devices[] = {
    {0x91, "SM", false, true}, {0xa9, "SD", false, false}, {0x9c, "X", true, true},
    {0x9d, "Y", true, true},   {0x90, "M", false, true},   {0x92, "L", false, true},
    {0x93, "F", false, true},  {0x94, "V", false, true},   {0xa0, "B", true, true},
    {0xa8, "D", false, false}, {0xb4, "W", true, false},   {0xc1, "TS", false, true},
    {0xc0, "TC", false, true}, {0xc2, "TN", false, false}, {0xc7, "SS", false, true},
    {0xc6, "SC", false, true}, {0xc8, "SN", false, false}, {0xc4, "CS", false, true},
    {0xc3, "CC", false, true}, {0xc5, "CN", false, false}, {0xa1, "SB", true, true},
    {0xb5, "SW", true, false}, {0x98, "S", false, true},   {0xa2, "DX", true, true},
    {0xa3, "DY", true, true},  {0xcc, "Z", false, false},  {0xaf, "R", false, false},
    {0xb0, "ZR", true, false},
};

/* "D100", "X1F" or "device 0x55 12" */
static bool device_name(char *d, size_t n, uint32_t code, uint32_t no)
{
    for (size_t i = 0; i < sizeof devices / sizeof *devices; i++)
        if (devices[i].code == code) {
            str_fmt(d, n, devices[i].hex ? "%s%X" : "%s%u", devices[i].name, no);
            return devices[i].bit;
        }
    str_fmt(d, n, "device 0x%02x %u", (unsigned)code, no);
    return false;
}

/* one device specification: 3-byte number + 1-byte code, or (subcommand bit 1, iQ-R) 4-byte
 * number + 2-byte code */
static bool device(struct rd *r, bool wide, char *d, size_t n)
{
    uint32_t no, code;
    if (wide) {
        no = rd_le32(r);
        code = rd_le16(r);
    } else {
        no = rd_u8(r);
        no |= (uint32_t)rd_le16(r) << 8;
        code = rd_u8(r);
    }
    return device_name(d, n, code, no);
}

/* the file name of an Open File / Delete File request: ASCII (subcommand 0000) or UTF-16LE
 * (0040), copied through the reader and sanitised */
static bool file_name(struct rd *r, bool utf16, char *d, size_t n)
{
    uint16_t len = rd_le16(r);
    uint8_t raw[64];
    size_t k = 0;
    for (uint16_t i = 0; i < len && rd_ok(r); i++) {
        uint8_t ch = rd_u8(r);
        if (utf16 && rd_u8(r) != 0)
            ch = '?';
        if (k < sizeof raw)
            raw[k++] = ch;
    }
    if (!rd_ok(r))
        return false;
    struct rd t = rd_init(raw, k);
    rd_str(&t, k, d, n);
    return true;
}

/* password of subcommand 0000 (4 fixed characters) or 0040 (length + characters): skipped */
static void skip_password(struct rd *r, uint16_t sub)
{
    if (sub & 0x0040)
        rd_skip(r, rd_le16(r));
    else
        rd_skip(r, 4);
}

static bool is_program_file(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (strcasecmp(dot, ".QPG") == 0 || strcasecmp(dot, ".PRG") == 0);
}

/* The target of a request from its data.  'total' is the data length the request carried (r
 * may hold only its first SLMP_KEEP bytes, when a failed request is described again).  Returns
 * false when the data is too short for the command. */
static bool describe(const struct slmp_cmd *k, uint16_t sub, struct rd *r, size_t total,
                     const struct slmp_state *s, char *d, size_t n)
{
    char a[48];
    bool wide = sub & 0x0002, bits = sub & 0x0001;
    bool partial = rd_left(r) < total; /* only the first bytes of the request were kept */
    d[0] = 0;
    switch (k ? k->shape : SH_NONE) {
    case SH_NONE:
        return true;
    case SH_BATCH: {
        bool bitdev = device(r, wide, a, sizeof a);
        uint16_t points = rd_le16(r);
        if (!rd_ok(r))
            return false;
        if (bits)
            str_fmt(d, n, "%s x%u bits", a, points);
        else if (bitdev)
            str_fmt(d, n, "%s x%u words", a, points);
        else
            str_fmt(d, n, "%s x%u", a, points);
        return true;
    }
    case SH_RANDOM:
    case SH_RWRITE: {
        unsigned count;
        if (k->shape == SH_RWRITE && bits) {
            count = rd_u8(r);
        } else {
            unsigned w = rd_u8(r), dw = rd_u8(r);
            count = w + dw;
        }
        if (!rd_ok(r))
            return false;
        if (count == 0) {
            str_copy(d, n, "no devices");
            return true;
        }
        device(r, wide, a, sizeof a);
        if (!rd_ok(r))
            return false;
        if (count > 1)
            str_fmt(d, n, "%s (+%u more)", a, count - 1);
        else
            str_copy(d, n, a);
        return true;
    }
    case SH_BLOCK: {
        unsigned w = rd_u8(r), b = rd_u8(r);
        if (!rd_ok(r))
            return false;
        if (w + b == 0) {
            str_copy(d, n, "no blocks");
            return true;
        }
        bool bitdev = device(r, wide, a, sizeof a);
        uint16_t points = rd_le16(r);
        if (!rd_ok(r))
            return false;
        /* word blocks come first; a bit block's points are words of 16 bits */
        const char *unit = w == 0 || bitdev ? " words" : "";
        if (w + b > 1)
            str_fmt(d, n, "%s x%u%s (+%u more blocks)", a, points, unit, w + b - 1);
        else
            str_fmt(d, n, "%s x%u%s", a, points, unit);
        return true;
    }
    case SH_RUN: {
        if (total == 0)
            return true;
        uint16_t mode = rd_le16(r);
        uint8_t clear = rd_u8(r);
        if (!rd_ok(r))
            return false;
        static const char *const clears[] = {"no clear", "clear except latch", "clear all"};
        str_fmt(d, n, "%s, %s", mode == 0x0003 ? "forced" : "not forced",
                clear < 3 ? clears[clear] : "clear mode unknown");
        return true;
    }
    case SH_MODE: {
        if (total == 0)
            return true;
        uint16_t mode = rd_le16(r);
        if (!rd_ok(r))
            return false;
        str_copy(d, n, mode == 0x0003 ? "forced" : "not forced");
        return true;
    }
    case SH_PASSWORD: {
        uint16_t len = rd_le16(r);
        if (!rd_ok(r))
            return false;
        /* the password itself is never kept: its length says enough */
        str_fmt(d, n, "password (%u characters)", len);
        return true;
    }
    case SH_OPEN: {
        skip_password(r, sub);
        uint16_t mode = rd_le16(r), drive = rd_le16(r);
        char name[SLMP_NAME];
        if (!rd_ok(r) || !file_name(r, sub & 0x0040, name, sizeof name)) {
            if (!partial)
                return false;
            str_fmt(d, n, "drive %u (%s)", drive, mode == 0x0100 ? "write" : "read");
            return true;
        }
        str_fmt(d, n, "drive %u %s (%s)", drive, name, mode == 0x0100 ? "write" : "read");
        return true;
    }
    case SH_FILEIO: {
        uint16_t fp = rd_le16(r);
        uint32_t off = rd_le32(r);
        uint16_t bytes = rd_le16(r);
        if (!rd_ok(r))
            return false;
        if (s && s->file_valid && s->file_fp == fp)
            str_fmt(d, n, "%s offset %u x%u bytes", s->file_name, off, bytes);
        else
            str_fmt(d, n, "file pointer %u offset %u x%u bytes", fp, off, bytes);
        return true;
    }
    case SH_FILENAME: {
        skip_password(r, sub);
        uint16_t drive = rd_le16(r);
        char name[SLMP_NAME];
        if (!rd_ok(r) || !file_name(r, sub & 0x0040, name, sizeof name)) {
            if (!partial)
                return false;
            str_fmt(d, n, "drive %u", drive);
            return true;
        }
        str_fmt(d, n, "drive %u %s", drive, name);
        return true;
    }
    case SH_BUFFER: {
        uint32_t addr = rd_le32(r);
        uint16_t words = rd_le16(r);
        if (!rd_ok(r))
            return false;
        str_fmt(d, n, "address 0x%x x%u", addr, words);
        return true;
    }
    }
    return true;
}

/* file reads and writes of a program file are program uploads and downloads */
static enum op_kind kind_of(const struct slmp_cmd *k, const struct slmp_state *s, struct rd r)
{
    if (!k)
        return OP_OTHER;
    if ((k->cmd == 0x1828 || k->cmd == 0x1829) && s && s->file_valid &&
        is_program_file(s->file_name)) {
        uint16_t fp = rd_le16(&r);
        if (rd_ok(&r) && fp == s->file_fp)
            return k->cmd == 0x1829 ? OP_PROGRAM_DOWNLOAD : OP_PROGRAM_UPLOAD;
    }
    return (enum op_kind)k->kind;
}

static void function_name(char *d, size_t n, const struct slmp_cmd *k, uint16_t cmd, uint16_t sub)
{
    str_fmt(d, n, "%s (%04x/%04x)", k ? k->name : "command", cmd, sub);
}

/* the request destination is the connected station's own CPU (network 0, PC FF, I/O 03FF) */
static bool own_station(uint8_t net, uint8_t pc, uint16_t io)
{
    return net == 0 && pc == 0xff && io == 0x03ff;
}

static void remember(struct slmp_state *s, bool has_serial, uint16_t serial, uint16_t cmd,
                     uint16_t sub, bool own, const struct rd *data)
{
    /* a 4E serial already outstanding is reused by the client: the older request is lost */
    struct slmp_req *q = NULL;
    for (int i = 0; i < SLMP_PENDING && has_serial; i++)
        if (s->pending[i].used && s->pending[i].serial == serial)
            q = &s->pending[i];
    for (int i = 0; i < SLMP_PENDING && !q; i++)
        if (!s->pending[i].used)
            q = &s->pending[i];
    if (!q) { /* all in use: drop the oldest */
        q = &s->pending[0];
        for (int i = 1; i < SLMP_PENDING; i++)
            if (s->pending[i].age < q->age)
                q = &s->pending[i];
    }
    memset(q, 0, sizeof *q);
    q->used = 1;
    q->own = own;
    q->serial = serial;
    q->cmd = cmd;
    q->sub = sub;
    q->age = ++s->clock;
    size_t left = rd_left(data);
    q->dlen = (uint16_t)(left > 0xffff ? 0xffff : left);
    struct rd copy = *data;
    rd_bytes(&copy, q->p, left < SLMP_KEEP ? left : SLMP_KEEP);
}

static struct slmp_req *find(struct slmp_state *s, bool has_serial, uint16_t serial)
{
    struct slmp_req *best = NULL;
    for (int i = 0; i < SLMP_PENDING; i++) {
        struct slmp_req *q = &s->pending[i];
        if (!q->used || (has_serial && q->serial != serial))
            continue;
        if (!best || q->age < best->age)
            best = q;
    }
    return best;
}

static void request(struct pctx *c, struct slmp_state *s, bool has_serial, uint16_t serial,
                    bool own, const char *via, struct rd *r)
{
    uint16_t timer = rd_le16(r), cmd = rd_le16(r), sub = rd_le16(r);
    if (!rd_ok(r)) {
        emit_malformed(c, "slmp: request without command");
        return;
    }
    (void)timer; /* x250 ms; 0 waits forever */
    const struct slmp_cmd *k = cmd_find(cmd);
    char function[96], target[160], t[128];
    function_name(function, sizeof function, k, cmd, sub);
    struct rd data = *r;
    if (!describe(k, sub, &data, rd_left(r), s, t, sizeof t)) {
        emit_malformed(c, "slmp: request data too short");
        return;
    }
    if (!k)
        str_fmt(t, sizeof t, "unknown command 0x%04x", cmd);
    if (via[0])
        str_fmt(target, sizeof target, "%s%s%s", t, t[0] ? " " : "", via);
    else
        str_copy(target, sizeof target, t);
    enum op_kind kind = kind_of(k, s, *r);
    if (s) {
        remember(s, has_serial, serial, cmd, sub, own, r);
        if (k && k->cmd == 0x1827) { /* keep the name until the response gives its pointer */
            struct rd o = *r;
            skip_password(&o, sub);
            rd_skip(&o, 4);
            if (!file_name(&o, sub & 0x0040, s->open_name, sizeof s->open_name))
                s->open_name[0] = 0;
        }
    }
    emit_op(c, kind, function, target[0] ? target : NULL, NULL);
    if (k && k->cmd == 0x1630)
        emit_finding(c, WHO_SERVER, "cleartext-credentials",
                     "slmp remote password unlock (password in clear)");
    else if (k && k->cmd == 0x1631)
        emit_finding(c, WHO_SERVER, "cleartext-credentials",
                     "slmp remote password lock (password in clear)");
}

/* Read Type Name response (SH-080956ENG §5-6): CPU model name (16 ASCII characters, blank
 * padded) and model code */
static void type_name(struct pctx *c, struct slmp_state *s, struct rd *r)
{
    char model[48];
    if (rd_left(r) < 16)
        return;
    rd_str(r, 16, model, sizeof model);
    uint16_t code = rd_le16(r);
    if (!model[0])
        return;
    emit_attr(c, WHO_SRC, F_VENDOR, "Mitsubishi Electric", "slmp read type name (model)");
    emit_attr(c, WHO_SRC, F_PRODUCT, model, "slmp read type name (CPU model name)");
    emit_attr(c, WHO_SRC, F_MODEL, model, "slmp read type name (CPU model name)");
    if (rd_ok(r))
        emit_attrf(c, WHO_SRC, F_PRODUCT_CODE, "slmp read type name (model code)", "0x%04x", code);
    if (s && !s->plc_role) {
        s->plc_role = true;
        emit_role(c, WHO_SRC, "plc", "slmp read type name (CPU model name)");
    }
}

static void response(struct pctx *c, struct slmp_state *s, bool has_serial, uint16_t serial,
                     const char *via, struct rd *r)
{
    uint16_t end = rd_le16(r);
    if (!rd_ok(r)) {
        emit_malformed(c, "slmp: response without end code");
        return;
    }
    struct slmp_req *q = s ? find(s, has_serial, serial) : NULL;
    uint16_t cmd = q ? q->cmd : 0, sub = q ? q->sub : 0;
    if (end != 0) {
        /* error information: network, PC, I/O, station of the failing station, command,
         * subcommand; it names the command when the request was not seen */
        if (!q && rd_left(r) >= 9) {
            rd_skip(r, 5);
            cmd = rd_le16(r);
            sub = rd_le16(r);
        }
        const struct slmp_cmd *k = q || cmd ? cmd_find(cmd) : NULL;
        char function[96], target[160] = "", t[128] = "", result[96];
        if (q || cmd)
            function_name(function, sizeof function, k, cmd, sub);
        else
            str_copy(function, sizeof function, "command (unknown)");
        struct rd p = rd_init(NULL, 0);
        if (q) {
            p = rd_init(q->p, q->dlen < SLMP_KEEP ? q->dlen : SLMP_KEEP);
            struct rd dp = p;
            describe(k, sub, &dp, q->dlen, s, t, sizeof t);
        }
        if (via[0])
            str_fmt(target, sizeof target, "%s%s%s", t, t[0] ? " " : "", via);
        else
            str_copy(target, sizeof target, t);
        str_fmt(result, sizeof result, "end code 0x%04x (%s)", end, end_text(end));
        emit_op(c, kind_of(k, s, p), function, target[0] ? target : NULL, result);
    } else if (q) {
        switch (q->cmd) {
        case 0x0101:
            if (q->own)
                type_name(c, s, r);
            break;
        case 0x1001:
        case 0x1002:
        case 0x1003:
            if (q->own)
                emit_attr(c, WHO_SRC, F_STATE,
                          q->cmd == 0x1001   ? "RUN (remote RUN)"
                          : q->cmd == 0x1002 ? "STOP (remote STOP)"
                                             : "PAUSE (remote PAUSE)",
                          "slmp remote operation (completed)");
            break;
        case 0x1827: {
            uint16_t fp = rd_le16(r);
            if (rd_ok(r) && s->open_name[0]) {
                s->file_fp = fp;
                s->file_valid = true;
                str_copy(s->file_name, sizeof s->file_name, s->open_name);
            }
            break;
        }
        case 0x182a:
            s->file_valid = false;
            break;
        }
    }
    if (q)
        q->used = 0;
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)dir;
    struct slmp_state *s = state;
    uint16_t subheader = rd_be16(pdu);
    bool four = subheader == SUB_REQ_4E || subheader == SUB_RSP_4E;
    bool is_response = subheader == SUB_RSP_3E || subheader == SUB_RSP_4E;
    if (!four && !is_response && subheader != SUB_REQ_3E) {
        emit_malformed(c, "slmp: unknown subheader");
        return;
    }
    uint16_t serial = 0;
    if (four) {
        serial = rd_le16(pdu);
        rd_skip(pdu, 2); /* fixed 00 00 */
    }
    uint8_t net = rd_u8(pdu), pc = rd_u8(pdu);
    uint16_t io = rd_le16(pdu);
    uint8_t station = rd_u8(pdu);
    uint16_t len = rd_le16(pdu);
    if (!rd_ok(pdu) || len != rd_left(pdu)) {
        emit_malformed(c, "slmp: data length does not match the frame");
        return;
    }
    /* the command sender is the client, whichever port it uses */
    if (s && !s->sided) {
        s->sided = true;
        emit_server(c, is_response ? WHO_SRC : WHO_DST);
    }
    if (s && is_response && !s->version) {
        s->version = true;
        emit_attr(c, WHO_SRC, F_PROTOCOL_VERSION, four ? "MC 4E binary" : "MC 3E binary",
                  "slmp subheader");
    }
    /* a request routed past the connected station names where it goes */
    char via[64] = "";
    bool own = own_station(net, pc, io);
    if (!own)
        str_fmt(via, sizeof via, "@ network %u pc %u i/o 0x%04x station %u", net, pc, io, station);
    if (is_response)
        response(c, s, four, serial, via, pdu);
    else
        request(c, s, four, serial, own, via, pdu);
}

static long frame(const struct rd *stream)
{
    if (rd_left(stream) < 2)
        return FRAME_NEED_MORE;
    uint16_t sh = rd_peek_be16(stream, 0);
    size_t hdr;
    if (sh == SUB_REQ_3E || sh == SUB_RSP_3E)
        hdr = SLMP_HDR_3E;
    else if (sh == SUB_REQ_4E || sh == SUB_RSP_4E)
        hdr = SLMP_HDR_4E;
    else
        return FRAME_NOT_OURS;
    if (rd_left(stream) < hdr)
        return FRAME_NEED_MORE;
    uint16_t len = rd_peek_le16(stream, hdr - 2);
    if (len < 2 || len > SLMP_MAX)
        return FRAME_NOT_OURS;
    return (long)(hdr + len);
}

/* strict: a known subheader, 4E's fixed zero bytes, a destination I/O number of a CPU or module
 * (<= 0x03ff), a data length matching the segment exactly, and for requests a known command */
static bool probe(const struct rd *p, uint8_t l4)
{
    (void)l4;
    uint16_t sh = rd_peek_be16(p, 0);
    size_t hdr;
    if (sh == SUB_REQ_3E || sh == SUB_RSP_3E)
        hdr = SLMP_HDR_3E;
    else if (sh == SUB_REQ_4E || sh == SUB_RSP_4E)
        hdr = SLMP_HDR_4E;
    else
        return false;
    if (rd_left(p) < hdr + 2)
        return false;
    if (hdr == SLMP_HDR_4E && rd_peek_be16(p, 4) != 0)
        return false;
    uint16_t io = rd_peek_le16(p, hdr - 5), len = rd_peek_le16(p, hdr - 2);
    if (io > 0x03ff || (size_t)len + hdr != rd_left(p))
        return false;
    if (sh == SUB_RSP_3E || sh == SUB_RSP_4E)
        return len >= 2;
    if (len < 6)
        return false;
    uint16_t cmd = rd_peek_le16(p, hdr + 2), sub = rd_peek_le16(p, hdr + 4);
    return cmd_find(cmd) != NULL && (sub & 0xff00) == 0;
}

const struct dissector dissector_slmp = {
    .name = "slmp",
    .proto = PROTO_SLMP,
    .tcp_ports = {SLMP_PORT},
    .udp_ports = {SLMP_PORT},
    .probe = probe,
    .state_size = sizeof(struct slmp_state),
    .frame = frame,
    .parse = parse,
};
