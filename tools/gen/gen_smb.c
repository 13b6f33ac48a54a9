/* gen_smb.c - an SMB session from an engineering host (cli) to a Windows station (srv):
 * negotiation, NTLMSSP authentication inside SPNEGO (MS-NLMP §3.1, MS-SPNG), tree connects to
 * IPC$ and a project share, a project file written and a status file read ('ops' adds read
 * rounds).  SMB2/3 runs on tcp/445 (MS-SMB2); the SMB1 variant uses the NetBIOS session service
 * on tcp/139 (RFC 1002) with NT LM 0.12 (MS-CIFS) as an old HMI would.  Variants: SMB 3.1.1 with
 * NTLMv2, SMB 2.1 without required signing, SMB1, SMB 3.0.2 with NTLMv1 and a guest session. */
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define SMB_PORT     445
#define NETBIOS_PORT 139

struct smb_case {
    uint16_t dialect; /* 0x0001: SMB1 */
    bool signing_required, ntlmv1, guest;
    const char *server, *domain, *dns_domain, *client, *user, *share, *file_w, *file_r;
    uint8_t server_major, server_minor;
    uint16_t server_build;
    uint8_t client_major, client_minor;
    uint16_t client_build;
};

static const struct smb_case smb_cases[] = {
    {0x0311, false, false, false, "SCADA-WINCC7", "PLANT", "plant.local", "EWS-TIA01", "jmeyer",
     "Projects", "line3\\recipe_0042.csv", "line3\\status.csv", 10, 0, 17763, 10, 0, 19045},
    {0x0210, false, false, false, "HIST-SRV01", "OTDOMAIN", "ot.plant.local", "EWS-TIA01",
     "svc_backup", "Backup", "ews\\tia_project.zap17", "ews\\last_run.txt", 6, 1, 7601, 10, 0,
     19045},
    {0x0001, false, false, false, "HMI-LINE1", "WORKGROUP", NULL, "OPS-PANEL2", "operator",
     "Recipes", "recipe7.csv", "alarms.txt", 5, 1, 2600, 5, 1, 2600},
    {0x0302, false, true, true, "HMI-LINE1", "WORKGROUP", NULL, "OPS-PANEL2", "guest", "Logs",
     "upload.log", "trend.csv", 6, 3, 9600, 6, 1, 7601},
};

struct smb_conn {
    struct gen *g;
    struct gen_tcp s;
    const struct smb_case *k;
    uint64_t mid, session;
    uint32_t tree;
};

static void utf16(struct gen_buf *b, const char *s)
{
    for (; *s; s++)
        gb_le16(b, (uint8_t)*s);
}
static void le64(struct gen_buf *b, uint64_t v)
{
    gb_le32(b, (uint32_t)v);
    gb_le32(b, (uint32_t)(v >> 32));
}
static void rnd(struct gen *g, struct gen_buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        gb_u8(b, (uint8_t)gen_rand(g));
}

/* ---- ASN.1 for SPNEGO (RFC 4178) ---- */
#define NTLMSSP_OID "\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a"

static void spnego_init(struct gen_buf *out, const struct gen_buf *token)
{
    struct gen_buf mech = {{0}, 0}, seq = {{0}, 0}, tmp = {{0}, 0}, init = {{0}, 0}, app = {{0}, 0};
    gb_tlv_raw(&mech, 0x06, NTLMSSP_OID, 10);
    gb_tlv(&tmp, 0x30, &mech);
    gb_tlv(&seq, 0xa0, &tmp);
    tmp.n = 0;
    gb_tlv(&tmp, 0x04, token);
    gb_tlv(&seq, 0xa2, &tmp);
    gb_tlv(&init, 0x30, &seq);
    gb_tlv_raw(&app, 0x06, "\x2b\x06\x01\x05\x05\x02", 6);
    gb_tlv(&app, 0xa0, &init);
    gb_tlv(out, 0x60, &app);
}
/* negState: 0 accept-completed, 1 accept-incomplete; token may be NULL */
static void spnego_resp(struct gen_buf *out, int state, bool mech, const struct gen_buf *token)
{
    struct gen_buf seq = {{0}, 0}, tmp = {{0}, 0}, resp = {{0}, 0};
    if (state >= 0) {
        uint8_t st = (uint8_t)state;
        gb_tlv_raw(&tmp, 0x0a, &st, 1);
        gb_tlv(&seq, 0xa0, &tmp);
    }
    if (mech) {
        tmp.n = 0;
        gb_tlv_raw(&tmp, 0x06, NTLMSSP_OID, 10);
        gb_tlv(&seq, 0xa1, &tmp);
    }
    if (token) {
        tmp.n = 0;
        gb_tlv(&tmp, 0x04, token);
        gb_tlv(&seq, 0xa2, &tmp);
    }
    gb_tlv(&resp, 0x30, &seq);
    gb_tlv(out, 0xa1, &resp);
}

/* ---- NTLMSSP (MS-NLMP §2.2.1) ---- */
#define NTLM_FLAGS                                                                                 \
    0xe2888215u /* unicode, NTLM, always sign, ESS, target info, version, 128,                     \
                   key exchange, 56 */

static void version(struct gen_buf *b, uint8_t major, uint8_t minor, uint16_t build)
{
    gb_u8(b, major);
    gb_u8(b, minor);
    gb_le16(b, build);
    gb_pad(b, 0, 3);
    gb_u8(b, 0x0f);
}
static void field(struct gen_buf *b, size_t len, size_t off)
{
    gb_le16(b, (uint16_t)len);
    gb_le16(b, (uint16_t)len);
    gb_le32(b, (uint32_t)off);
}

static void ntlm_negotiate(struct gen_buf *m, const struct smb_case *k)
{
    gb_bytes(m, "NTLMSSP\0", 8);
    gb_le32(m, 1);
    gb_le32(m, 0xe2088297);
    field(m, 0, 0);
    field(m, 0, 0);
    version(m, k->client_major, k->client_minor, k->client_build);
}

static void target_info(struct gen_buf *ti, const struct smb_case *k, uint64_t filetime)
{
    char dns[64];
    const struct {
        uint16_t id;
        const char *v;
    } av[] = {{2, k->domain}, {1, k->server}, {4, k->dns_domain}, {3, NULL}, {5, k->dns_domain}};
    for (size_t i = 0; i < sizeof av / sizeof *av; i++) {
        const char *v = av[i].v;
        if (av[i].id == 3) {
            if (!k->dns_domain)
                continue;
            snprintf(dns, sizeof dns, "%s.%s", k->server, k->dns_domain);
            v = dns;
        }
        if (!v)
            continue;
        gb_le16(ti, av[i].id);
        gb_le16(ti, (uint16_t)(2 * strlen(v)));
        utf16(ti, v);
    }
    gb_le16(ti, 7); /* MsvAvTimestamp */
    gb_le16(ti, 8);
    le64(ti, filetime);
    gb_le32(ti, 0); /* MsvAvEOL */
}

static void ntlm_challenge(struct gen *g, struct gen_buf *m, const struct smb_case *k,
                           const struct gen_buf *ti)
{
    size_t tn = 2 * strlen(k->domain);
    gb_bytes(m, "NTLMSSP\0", 8);
    gb_le32(m, 2);
    field(m, tn, 56);
    gb_le32(m, NTLM_FLAGS);
    rnd(g, m, 8);
    gb_pad(m, 0, 8);
    field(m, ti->n, 56 + tn);
    version(m, k->server_major, k->server_minor, k->server_build);
    utf16(m, k->domain);
    gb_bytes(m, ti->b, ti->n);
}

static void ntlm_authenticate(struct gen *g, struct gen_buf *m, const struct smb_case *k,
                              const struct gen_buf *ti, uint64_t filetime)
{
    struct gen_buf lm = {{0}, 0}, nt = {{0}, 0};
    if (k->ntlmv1) {
        rnd(g, &lm, 24);
        rnd(g, &nt, 24);
    } else {
        gb_pad(&lm, 0, 24);
        rnd(g, &nt, 16); /* NTProofStr */
        gb_u8(&nt, 1);   /* NTLMv2_CLIENT_CHALLENGE (§2.2.2.7) */
        gb_u8(&nt, 1);
        gb_pad(&nt, 0, 6);
        le64(&nt, filetime);
        rnd(g, &nt, 8);
        gb_pad(&nt, 0, 4);
        gb_bytes(&nt, ti->b, ti->n);
        gb_pad(&nt, 0, 4);
    }
    size_t dl = 2 * strlen(k->domain), ul = 2 * strlen(k->user), wl = 2 * strlen(k->client);
    size_t off = 88, o_lm = off, o_nt = o_lm + lm.n, o_d = o_nt + nt.n, o_u = o_d + dl,
           o_w = o_u + ul, o_k = o_w + wl;
    gb_bytes(m, "NTLMSSP\0", 8);
    gb_le32(m, 3);
    field(m, lm.n, o_lm);
    field(m, nt.n, o_nt);
    field(m, dl, o_d);
    field(m, ul, o_u);
    field(m, wl, o_w);
    field(m, 16, o_k);
    gb_le32(m, NTLM_FLAGS);
    version(m, k->client_major, k->client_minor, k->client_build);
    rnd(g, m, 16); /* MIC */
    gb_bytes(m, lm.b, lm.n);
    gb_bytes(m, nt.b, nt.n);
    utf16(m, k->domain);
    utf16(m, k->user);
    utf16(m, k->client);
    rnd(g, m, 16);
}

/* ---- SMB2 (MS-SMB2 §2.2) ---- */
static void smb2_header(struct smb_conn *c, struct gen_buf *b, uint16_t cmd, uint32_t status,
                        bool response)
{
    gb_bytes(b, "\xfeSMB", 4);
    gb_le16(b, 64);
    gb_le16(b, 1);
    gb_le32(b, status);
    gb_le16(b, cmd);
    gb_le16(b, response ? 32 : 31);
    gb_le32(b, response ? 1 : 0);
    gb_le32(b, 0);
    le64(b, c->mid);
    gb_le32(b, 0xfeff);
    gb_le32(b, cmd >= 3 && !(cmd == 3 && !response) ? c->tree : 0);
    le64(b, cmd == 0 ? 0 : c->session);
    gb_pad(b, 0, 16);
}

static void send_msg(struct smb_conn *c, int dir, const struct gen_buf *smb)
{
    struct gen_buf b = {{0}, 0};
    gb_u8(&b, 0);
    gb_u8(&b, (uint8_t)(smb->n >> 16));
    gb_be16(&b, (uint16_t)smb->n);
    gb_bytes(&b, smb->b, smb->n);
    gen_tcp_send_split(c->g, &c->s, dir, b.b, b.n, 1460);
    gen_advance(c->g, dir ? 1000000 : 3000000);
}

/* SMB2_PREAUTH_INTEGRITY_CAPABILITIES (SHA-512, a 32-byte salt) and
 * SMB2_ENCRYPTION_CAPABILITIES with the given ciphers (MS-SMB2 §2.2.3.1) */
static void negotiate_contexts(struct smb_conn *c, struct gen_buf *b, const uint16_t *ciphers,
                               size_t n)
{
    gb_le16(b, 1);
    gb_le16(b, 38);
    gb_le32(b, 0);
    gb_le16(b, 1);
    gb_le16(b, 32);
    gb_le16(b, 1);
    rnd(c->g, b, 32);
    while (b->n % 8)
        gb_u8(b, 0);
    gb_le16(b, 2);
    gb_le16(b, (uint16_t)(2 + 2 * n));
    gb_le32(b, 0);
    gb_le16(b, (uint16_t)n);
    for (size_t i = 0; i < n; i++)
        gb_le16(b, ciphers[i]);
}

static void smb2_negotiate(struct smb_conn *c)
{
    const struct smb_case *k = c->k;
    struct gen_buf b = {{0}, 0};
    static const uint16_t dialects[] = {0x0202, 0x0210, 0x0300, 0x0302, 0x0311};
    smb2_header(c, &b, 0, 0, false);
    gb_le16(&b, 36);
    gb_le16(&b, 5);
    gb_le16(&b, 0x0001);
    gb_le16(&b, 0);
    gb_le32(&b, 0x7f);
    rnd(c->g, &b, 16);
    size_t ctx_at = b.n;
    gb_le32(&b, 0); /* NegotiateContextOffset */
    gb_le16(&b, 2);
    gb_le16(&b, 0);
    for (size_t i = 0; i < 5; i++)
        gb_le16(&b, dialects[i]);
    while (b.n % 8)
        gb_u8(&b, 0);
    b.b[ctx_at] = (uint8_t)b.n;
    static const uint16_t offered[] = {2, 1}; /* AES-128-GCM, AES-128-CCM */
    negotiate_contexts(c, &b, offered, 2);
    send_msg(c, 0, &b);

    b.n = 0;
    smb2_header(c, &b, 0, 0, true);
    struct gen_buf init = {{0}, 0}, none = {{0}, 0};
    spnego_init(&init, &none);
    gb_le16(&b, 65);
    gb_le16(&b, k->signing_required ? 0x0003 : 0x0001);
    gb_le16(&b, k->dialect);
    gb_le16(&b, k->dialect == 0x0311 ? 2 : 0);
    rnd(c->g, &b, 16);
    gb_le32(&b, 0x2f);
    gb_le32(&b, 8388608);
    gb_le32(&b, 8388608);
    gb_le32(&b, 8388608);
    le64(&b, 0x01da5e3c00000000ull);
    le64(&b, 0);
    gb_le16(&b, 128);
    gb_le16(&b, (uint16_t)init.n);
    size_t nco = b.n;
    gb_le32(&b, 0);
    gb_bytes(&b, init.b, init.n);
    if (k->dialect == 0x0311) {
        while (b.n % 8)
            gb_u8(&b, 0);
        gb_put_le16(&b, nco, (uint16_t)b.n);
        static const uint16_t chosen[] = {2};
        negotiate_contexts(c, &b, chosen, 1);
    }
    send_msg(c, 1, &b);
    c->mid++;
}

static void session_setup_req(struct smb_conn *c, const struct gen_buf *blob)
{
    struct gen_buf b = {{0}, 0};
    smb2_header(c, &b, 1, 0, false);
    gb_le16(&b, 25);
    gb_u8(&b, 0);
    gb_u8(&b, 1);
    gb_le32(&b, 1);
    gb_le32(&b, 0);
    gb_le16(&b, 64 + 24);
    gb_le16(&b, (uint16_t)blob->n);
    le64(&b, 0);
    gb_bytes(&b, blob->b, blob->n);
    send_msg(c, 0, &b);
}
static void session_setup_resp(struct smb_conn *c, uint32_t status, uint16_t flags,
                               const struct gen_buf *blob)
{
    struct gen_buf b = {{0}, 0};
    smb2_header(c, &b, 1, status, true);
    gb_le16(&b, 9);
    gb_le16(&b, flags);
    gb_le16(&b, 64 + 8);
    gb_le16(&b, (uint16_t)blob->n);
    gb_bytes(&b, blob->b, blob->n);
    send_msg(c, 1, &b);
    c->mid++;
}

static void smb2_auth(struct smb_conn *c)
{
    const struct smb_case *k = c->k;
    uint64_t ft = 0x01da5e3c12345678ull + gen_range(c->g, 1000000);
    struct gen_buf tok = {{0}, 0}, blob = {{0}, 0}, ti = {{0}, 0};
    ntlm_negotiate(&tok, k);
    spnego_init(&blob, &tok);
    session_setup_req(c, &blob);
    c->session = 0x0000100000000041ull + gen_range(c->g, 1000);
    target_info(&ti, k, ft);
    tok.n = blob.n = 0;
    ntlm_challenge(c->g, &tok, k, &ti);
    spnego_resp(&blob, 1, true, &tok);
    session_setup_resp(c, 0xc0000016, 0, &blob);
    tok.n = blob.n = 0;
    ntlm_authenticate(c->g, &tok, k, &ti, ft);
    spnego_resp(&blob, -1, false, &tok);
    session_setup_req(c, &blob);
    blob.n = 0;
    spnego_resp(&blob, 0, false, NULL);
    session_setup_resp(c, 0, k->guest ? 0x0001 : 0, &blob);
}

static void tree_connect(struct smb_conn *c, const char *share, uint32_t status)
{
    struct gen_buf b = {{0}, 0};
    char path[96];
    snprintf(path, sizeof path, "\\\\%s\\%s", c->k->server, share);
    smb2_header(c, &b, 3, 0, false);
    gb_le16(&b, 9);
    gb_le16(&b, 0);
    gb_le16(&b, 64 + 8);
    gb_le16(&b, (uint16_t)(2 * strlen(path)));
    utf16(&b, path);
    send_msg(c, 0, &b);
    c->tree = status ? 0 : (uint32_t)(1 + gen_range(c->g, 7));
    b.n = 0;
    smb2_header(c, &b, 3, status, true);
    if (status) {
        gb_le16(&b, 9); /* ERROR response (§2.2.2) */
        gb_u8(&b, 0);
        gb_u8(&b, 0);
        gb_le32(&b, 0);
        gb_u8(&b, 0);
    } else {
        gb_le16(&b, 16);
        gb_u8(&b, strcmp(share, "IPC$") ? 1 : 2);
        gb_u8(&b, 0);
        gb_le32(&b, 0x30);
        gb_le32(&b, 0);
        gb_le32(&b, 0x001f01ff);
    }
    send_msg(c, 1, &b);
    c->mid++;
}

/* CREATE (§2.2.13) of a file, then WRITE or READ of n bytes, then CLOSE */
static void file_io(struct smb_conn *c, const char *name, bool write, size_t n)
{
    struct gen_buf b = {{0}, 0};
    smb2_header(c, &b, 5, 0, false);
    gb_le16(&b, 57);
    gb_u8(&b, 0);
    gb_u8(&b, 0);
    gb_le32(&b, 2);
    le64(&b, 0);
    le64(&b, 0);
    gb_le32(&b, write ? 0x0012019f : 0x00120089);
    gb_le32(&b, 0x80);
    gb_le32(&b, write ? 0 : 1);
    gb_le32(&b, write ? 5 : 1);
    gb_le32(&b, 0x44);
    gb_le16(&b, 64 + 56);
    gb_le16(&b, (uint16_t)(2 * strlen(name)));
    gb_le32(&b, 0);
    gb_le32(&b, 0);
    utf16(&b, name);
    send_msg(c, 0, &b);
    b.n = 0;
    smb2_header(c, &b, 5, 0, true);
    gb_le16(&b, 89);
    gb_u8(&b, 0);
    gb_u8(&b, 0);
    gb_le32(&b, write ? 2 : 1);
    for (int i = 0; i < 4; i++)
        le64(&b, 0x01da5e3c00000000ull);
    le64(&b, 4096);
    le64(&b, write ? 0 : n);
    gb_le32(&b, 0x20);
    gb_le32(&b, 0);
    uint8_t fid[16];
    for (int i = 0; i < 16; i++)
        fid[i] = (uint8_t)gen_rand(c->g);
    gb_bytes(&b, fid, 16);
    gb_le32(&b, 0);
    gb_le32(&b, 0);
    send_msg(c, 1, &b);
    c->mid++;
    b.n = 0;
    if (write) { /* WRITE (§2.2.21) */
        smb2_header(c, &b, 9, 0, false);
        gb_le16(&b, 49);
        gb_le16(&b, 64 + 48);
        gb_le32(&b, (uint32_t)n);
        le64(&b, 0);
        gb_bytes(&b, fid, 16);
        gb_le32(&b, 0);
        gb_le32(&b, 0);
        gb_le16(&b, 0);
        gb_le16(&b, 0);
        gb_le32(&b, 0);
        for (size_t i = 0; i < n; i++)
            gb_u8(&b, (uint8_t)("0123456789;\n"[i % 12]));
        send_msg(c, 0, &b);
        b.n = 0;
        smb2_header(c, &b, 9, 0, true);
        gb_le16(&b, 17);
        gb_le16(&b, 0);
        gb_le32(&b, (uint32_t)n);
        gb_le32(&b, 0);
        gb_le16(&b, 0);
        gb_le16(&b, 0);
        send_msg(c, 1, &b);
    } else { /* READ (§2.2.19) */
        smb2_header(c, &b, 8, 0, false);
        gb_le16(&b, 49);
        gb_u8(&b, 0x50);
        gb_u8(&b, 0);
        gb_le32(&b, (uint32_t)n);
        le64(&b, 0);
        gb_bytes(&b, fid, 16);
        gb_le32(&b, 0);
        gb_le32(&b, 0);
        gb_le32(&b, 0);
        gb_le16(&b, 0);
        gb_le16(&b, 0);
        gb_u8(&b, 0);
        send_msg(c, 0, &b);
        b.n = 0;
        smb2_header(c, &b, 8, 0, true);
        gb_le16(&b, 17);
        gb_u8(&b, 0x50);
        gb_u8(&b, 0);
        gb_le32(&b, (uint32_t)n);
        gb_le32(&b, 0);
        gb_le32(&b, 0);
        for (size_t i = 0; i < n; i++)
            gb_u8(&b, (uint8_t)("RUN;12.5;OK\n"[i % 12]));
        send_msg(c, 1, &b);
    }
    c->mid++;
    b.n = 0;
    smb2_header(c, &b, 6, 0, false); /* CLOSE (§2.2.15) */
    gb_le16(&b, 24);
    gb_le16(&b, 0);
    gb_le32(&b, 0);
    gb_bytes(&b, fid, 16);
    send_msg(c, 0, &b);
    b.n = 0;
    smb2_header(c, &b, 6, 0, true);
    gb_le16(&b, 60);
    gb_le16(&b, 0);
    gb_le32(&b, 0);
    for (int i = 0; i < 4; i++)
        le64(&b, 0);
    le64(&b, 0);
    le64(&b, 0);
    gb_le32(&b, 0);
    send_msg(c, 1, &b);
    c->mid++;
}

/* ---- SMB1 over NetBIOS (RFC 1002 §4.3, MS-CIFS §2.2.4.52-53) ---- */
static void nb_name(struct gen_buf *b, const char *name, uint8_t suffix)
{
    gb_u8(b, 0x20);
    for (int i = 0; i < 16; i++) {
        uint8_t ch = i < 15 ? (i < (int)strlen(name) ? (uint8_t)name[i] : ' ') : suffix;
        gb_u8(b, (uint8_t)('A' + (ch >> 4)));
        gb_u8(b, (uint8_t)('A' + (ch & 15)));
    }
    gb_u8(b, 0);
}

static void smb1_header(struct gen_buf *b, uint8_t cmd, uint32_t status, bool reply, uint16_t uid)
{
    gb_bytes(b, "\xffSMB", 4);
    gb_u8(b, cmd);
    gb_le32(b, status);
    gb_u8(b, reply ? 0x98 : 0x18);
    gb_le16(b, 0xc807); /* unicode, NT status, extended security, long names */
    gb_le16(b, 0);
    gb_pad(b, 0, 8);
    gb_le16(b, 0);
    gb_le16(b, 0);
    gb_le16(b, 0xfeff);
    gb_le16(b, uid);
    gb_le16(b, 1);
}

static void smb1_session_setup(struct smb_conn *c, const struct gen_buf *blob, bool reply,
                               uint32_t status, uint16_t uid)
{
    const struct smb_case *k = c->k;
    struct gen_buf b = {{0}, 0};
    smb1_header(&b, 0x73, status, reply, uid);
    struct gen_buf bytes = {{0}, 0};
    gb_bytes(&bytes, blob->b, blob->n);
    /* Unicode strings start 2-aligned from the header */
    size_t at = 32 + 1 + (reply ? 8 : 24) + 2 + blob->n;
    if (at % 2)
        gb_u8(&bytes, 0);
    char os[64];
    if (reply)
        snprintf(os, sizeof os, "Windows %u.%u", k->server_major, k->server_minor);
    else
        snprintf(os, sizeof os, "Windows %u.%u", k->client_major, k->client_minor);
    utf16(&bytes, os);
    gb_le16(&bytes, 0);
    utf16(&bytes, "Windows 2000 LAN Manager");
    gb_le16(&bytes, 0);
    if (reply) {
        gb_u8(&b, 4);
        gb_u8(&b, 0xff);
        gb_u8(&b, 0);
        gb_le16(&b, 0);
        gb_le16(&b, 0);
        gb_le16(&b, (uint16_t)blob->n);
    } else {
        gb_u8(&b, 12);
        gb_u8(&b, 0xff);
        gb_u8(&b, 0);
        gb_le16(&b, 0);
        gb_le16(&b, 16644);
        gb_le16(&b, 10);
        gb_le16(&b, 0);
        gb_le32(&b, 0);
        gb_le16(&b, (uint16_t)blob->n);
        gb_le32(&b, 0);
        gb_le32(&b, 0x800000d4);
    }
    gb_le16(&b, (uint16_t)bytes.n);
    gb_bytes(&b, bytes.b, bytes.n);
    send_msg(c, reply ? 1 : 0, &b);
}

static void smb1_session(struct smb_conn *c)
{
    const struct smb_case *k = c->k;
    struct gen_buf b = {{0}, 0};
    gb_u8(&b, 0x81);
    gb_u8(&b, 0);
    gb_be16(&b, 68);
    nb_name(&b, k->server, 0x20);
    nb_name(&b, k->client, 0x00);
    gen_tcp_send(c->g, &c->s, 0, b.b, b.n);
    gen_advance(c->g, 1000000);
    static const uint8_t positive[] = {0x82, 0, 0, 0};
    gen_tcp_send(c->g, &c->s, 1, positive, sizeof positive);
    gen_advance(c->g, 1000000);
    b.n = 0;
    smb1_header(&b, 0x72, 0, false, 0);
    gb_u8(&b, 0);
    static const char dialects[] = "\x02PC NETWORK PROGRAM 1.0\0\x02LANMAN1.0\0"
                                   "\x02Windows for Workgroups 3.1a\0\x02LM1.2X002\0"
                                   "\x02LANMAN2.1\0\x02NT LM 0.12";
    gb_le16(&b, sizeof dialects);
    gb_bytes(&b, dialects, sizeof dialects);
    send_msg(c, 0, &b);
    /* NT LM 0.12 (index 5) with extended security: server GUID, then SPNEGO */
    b.n = 0;
    smb1_header(&b, 0x72, 0, true, 0);
    gb_u8(&b, 17);
    gb_le16(&b, 5);
    gb_u8(&b, 0x03);
    gb_le16(&b, 50);
    gb_le16(&b, 1);
    gb_le32(&b, 16644);
    gb_le32(&b, 65536);
    gb_le32(&b, 0);
    gb_le32(&b, 0x8001f3fd);
    le64(&b, 0x01da5e3c00000000ull);
    gb_le16(&b, 0);
    gb_u8(&b, 0);
    struct gen_buf init = {{0}, 0}, none = {{0}, 0};
    spnego_init(&init, &none);
    gb_le16(&b, (uint16_t)(16 + init.n));
    rnd(c->g, &b, 16);
    gb_bytes(&b, init.b, init.n);
    send_msg(c, 1, &b);
    uint64_t ft = 0x01da5e3c12345678ull;
    struct gen_buf tok = {{0}, 0}, blob = {{0}, 0}, ti = {{0}, 0};
    ntlm_negotiate(&tok, k);
    spnego_init(&blob, &tok);
    smb1_session_setup(c, &blob, false, 0, 0);
    target_info(&ti, k, ft);
    tok.n = blob.n = 0;
    ntlm_challenge(c->g, &tok, k, &ti);
    spnego_resp(&blob, 1, true, &tok);
    smb1_session_setup(c, &blob, true, 0xc0000016, 2049);
    tok.n = blob.n = 0;
    ntlm_authenticate(c->g, &tok, k, &ti, ft);
    spnego_resp(&blob, -1, false, &tok);
    smb1_session_setup(c, &blob, false, 0, 2049);
    blob.n = 0;
    spnego_resp(&blob, 0, false, NULL);
    smb1_session_setup(c, &blob, true, 0, 2049);
}

void gen_scn_smb(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                 int ops)
{
    struct smb_conn c;
    memset(&c, 0, sizeof c);
    c.g = g;
    c.k = &smb_cases[(unsigned)variant % (sizeof smb_cases / sizeof *smb_cases)];
    if (c.k->dialect == 0x0001) {
        gen_tcp_open(g, &c.s, cli, (uint16_t)(50000 + gen_range(g, 10000)), srv, NETBIOS_PORT);
        smb1_session(&c);
        gen_tcp_close(g, &c.s);
        return;
    }
    gen_tcp_open(g, &c.s, cli, (uint16_t)(50000 + gen_range(g, 10000)), srv, SMB_PORT);
    smb2_negotiate(&c);
    smb2_auth(&c);
    tree_connect(&c, "IPC$", 0);
    tree_connect(&c, "ADMIN$", 0xc0000022);
    tree_connect(&c, c.k->share, 0);
    file_io(&c, c.k->file_w, true, 300 + gen_range(g, 600));
    for (int i = 0; i <= ops; i++) {
        file_io(&c, c.k->file_r, false, 100 + gen_range(g, 200));
        gen_advance(g, 10000000000ll);
    }
    gen_tcp_close(g, &c.s);
}
