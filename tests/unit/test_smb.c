/* test_smb.c - SMB dissector: NetBIOS session request names, the SMB2 dialect and signing, the
 * NTLMSSP CHALLENGE (server names, OS version) and AUTHENTICATE (workstation, OS version,
 * NTLMv1; the user never kept), a failed session setup as the operation's result, tree connect
 * and create as operations, SMB1 negotiation as findings, compounded requests, a message split
 * over reordered segments, and hostile input. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
/* clang-format on */

#include "dtest.h"

extern const struct dissector dissector_smb;

struct buf {
    uint8_t b[2048];
    size_t n;
};
static void put(struct buf *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}
static void u8(struct buf *b, uint8_t v)
{
    b->b[b->n++] = v;
}
static void le16(struct buf *b, uint16_t v)
{
    u8(b, (uint8_t)v);
    u8(b, (uint8_t)(v >> 8));
}
static void le32(struct buf *b, uint32_t v)
{
    le16(b, (uint16_t)v);
    le16(b, (uint16_t)(v >> 16));
}
static void le64(struct buf *b, uint64_t v)
{
    le32(b, (uint32_t)v);
    le32(b, (uint32_t)(v >> 32));
}
static void utf16(struct buf *b, const char *s)
{
    for (; *s; s++)
        le16(b, (uint8_t)*s);
}
static void set_le16(struct buf *b, size_t at, uint16_t v)
{
    b->b[at] = (uint8_t)v;
    b->b[at + 1] = (uint8_t)(v >> 8);
}

/* SMB2 header (MS-SMB2 §2.2.1.2) */
static void smb2_hdr(struct buf *b, uint16_t cmd, uint32_t status, bool response, uint64_t mid,
                     uint32_t next)
{
    put(b, "\xfeSMB", 4);
    le16(b, 64);
    le16(b, 0);
    le32(b, status);
    le16(b, cmd);
    le16(b, 1);
    le32(b, response ? 1 : 0);
    le32(b, next);
    le64(b, mid);
    le32(b, 0);
    le32(b, 0);
    le64(b, 0x1122334455667788ull);
    for (int i = 0; i < 16; i++)
        u8(b, 0);
}

/* direct-TCP session message around an SMB message */
static void session_msg(struct buf *out, const struct buf *smb)
{
    u8(out, 0);
    u8(out, (uint8_t)(smb->n >> 16));
    u8(out, (uint8_t)(smb->n >> 8));
    u8(out, (uint8_t)smb->n);
    put(out, smb->b, smb->n);
}

static void ntlm_challenge(struct buf *m)
{
    struct buf ti = {{0}, 0};
    static const struct {
        uint16_t id;
        const char *v;
    } av[] = {{1, "HMI01"}, {2, "PLANT"}, {3, "hmi01.plant.local"}, {4, "plant.local"}};
    for (size_t i = 0; i < 4; i++) {
        le16(&ti, av[i].id);
        le16(&ti, (uint16_t)(2 * strlen(av[i].v)));
        utf16(&ti, av[i].v);
    }
    le32(&ti, 0); /* MsvAvEOL */
    put(m, "NTLMSSP\0", 8);
    le32(m, 2);
    le16(m, 10); /* target name */
    le16(m, 10);
    le32(m, 56);
    le32(m, 0xe2898215); /* includes UNICODE and VERSION */
    put(m, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    for (int i = 0; i < 8; i++)
        u8(m, 0);
    le16(m, (uint16_t)ti.n);
    le16(m, (uint16_t)ti.n);
    le32(m, 56 + 10);
    u8(m, 10); /* version 10.0.19041 */
    u8(m, 0);
    le16(m, 19041);
    put(m, "\0\0\0\x0f", 4);
    utf16(m, "PLANT");
    put(m, ti.b, ti.n);
}

/* ntlen is what the fields claim; at most 64 bytes of response are really there */
static void ntlm_authenticate(struct buf *m, uint16_t ntlen)
{
    const char *domain = "PLANT", *user = "jdoe", *ws = "EWS01";
    uint32_t off = 88;
    uint16_t dl = (uint16_t)(2 * strlen(domain)), ul = (uint16_t)(2 * strlen(user)),
             wl = (uint16_t)(2 * strlen(ws));
    put(m, "NTLMSSP\0", 8);
    le32(m, 3);
    le16(m, 24); /* LM response */
    le16(m, 24);
    le32(m, off);
    le16(m, ntlen);
    le16(m, ntlen);
    le32(m, off + 24);
    le16(m, dl);
    le16(m, dl);
    le32(m, off + 24 + ntlen);
    le16(m, ul);
    le16(m, ul);
    le32(m, off + 24 + ntlen + dl);
    le16(m, wl);
    le16(m, wl);
    le32(m, off + 24 + ntlen + dl + ul);
    le16(m, 0);
    le16(m, 0);
    le32(m, 0);
    le32(m, 0xe2888215);
    u8(m, 6); /* version 6.1.7601 */
    u8(m, 1);
    le16(m, 7601);
    put(m, "\0\0\0\x0f", 4);
    for (int i = 0; i < 16; i++)
        u8(m, 0); /* MIC */
    for (int i = 0; i < 24 + (ntlen < 64 ? ntlen : 64); i++)
        u8(m, 0x33);
    utf16(m, domain);
    utf16(m, user);
    utf16(m, ws);
}

/* SESSION_SETUP request (§2.2.5) or response (§2.2.6) carrying a blob with a SPNEGO-ish prefix */
static void session_setup(struct buf *smb, bool response, uint32_t status, uint64_t mid,
                          const struct buf *ntlm, uint16_t flags)
{
    struct buf blob = {{0}, 0};
    put(&blob, "\xa1\x82\x01\x00\x30\x82\x00\xfc\xa2\x82\x00\xf8\x04\x82\x00\xf4", 16);
    put(&blob, ntlm->b, ntlm->n);
    smb2_hdr(smb, 1, status, response, mid, 0);
    if (response) {
        le16(smb, 9);
        le16(smb, flags);
        le16(smb, 64 + 8);
        le16(smb, (uint16_t)blob.n);
    } else {
        le16(smb, 25);
        u8(smb, 0);
        u8(smb, 1);
        le32(smb, 0);
        le32(smb, 0);
        le16(smb, 64 + 24);
        le16(smb, (uint16_t)blob.n);
        le64(smb, 0);
    }
    put(smb, blob.b, blob.n);
}

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_smb, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static const struct dtest_attr *attr_about(enum attr_field f, bool server)
{
    for (int i = 0; i < T.nattr; i++)
        if (T.attrs[i].field == f && T.attrs[i].is_server == server)
            return &T.attrs[i];
    return NULL;
}
static bool finding(const char *detail)
{
    for (int i = 0; i < T.nfinding; i++)
        if (!strcmp(T.findings[i].b, detail))
            return true;
    return false;
}
static void send_smb(int dir, const struct buf *smb)
{
    struct buf m = {{0}, 0};
    session_msg(&m, smb);
    dtest_tcp(&T, dir, m.b, m.n);
}

static void test_smb2_ntlm(void **state)
{
    (void)state;
    /* NEGOTIATE response: SMB 3.1.1, signing enabled but not required */
    struct buf smb = {{0}, 0};
    smb2_hdr(&smb, 0, 0, true, 0, 0);
    le16(&smb, 65);
    le16(&smb, 0x0001);
    le16(&smb, 0x0311);
    for (int i = 0; i < 58; i++)
        u8(&smb, 0);
    send_smb(1, &smb);
    const struct dtest_attr *a = attr_about(F_PROTOCOL_VERSION, true);
    assert_non_null(a);
    assert_string_equal(a->value, "SMB 3.1.1");
    assert_true(finding("smb service"));
    assert_true(finding("smb signing not required"));
    /* CHALLENGE in a session setup response (more processing required) */
    struct buf ntlm = {{0}, 0};
    smb.n = 0;
    ntlm_challenge(&ntlm);
    session_setup(&smb, true, 0xc0000016, 2, &ntlm, 0);
    send_smb(1, &smb);
    assert_string_equal(attr_about(F_HOSTNAME, true)->value, "HMI01");
    assert_string_equal(attr_about(F_WORKGROUP, true)->value, "PLANT");
    assert_string_equal(attr_about(F_FQDN, true)->value, "hmi01.plant.local");
    assert_string_equal(attr_about(F_OS_VERSION, true)->value,
                        "Windows 10 / Server 2016 or later (build 19041)");
    /* AUTHENTICATE (NTLMv1: a 24-byte NT response) */
    smb.n = ntlm.n = 0;
    ntlm_authenticate(&ntlm, 24);
    session_setup(&smb, false, 0, 3, &ntlm, 0);
    send_smb(0, &smb);
    assert_string_equal(attr_about(F_HOSTNAME, false)->value, "EWS01");
    assert_string_equal(attr_about(F_OS_VERSION, false)->value,
                        "Windows 7 / Server 2008 R2 (build 7601)");
    assert_true(finding("ntlmv1 authentication"));
    const struct dtest_op *op = dtest_op_find(&T, OP_AUTH);
    assert_non_null(op);
    assert_string_equal(op->function, "session setup");
    /* logon failure */
    smb.n = ntlm.n = 0;
    smb2_hdr(&smb, 1, 0xc000006d, true, 3, 0);
    le16(&smb, 9);
    le16(&smb, 0);
    le16(&smb, 0);
    le16(&smb, 0);
    send_smb(1, &smb);
    assert_int_equal(dtest_op_count(&T, OP_AUTH), 2);
    assert_string_equal(T.ops[1].result, "status 0xc000006d");
    for (int i = 0; i < T.nattr; i++)
        assert_null(strstr(T.attrs[i].value, "jdoe"));
    for (int i = 0; i < T.nop; i++)
        assert_null(strstr(T.ops[i].target, "jdoe"));
    for (int i = 0; i < T.nfinding; i++)
        assert_null(strstr(T.findings[i].b, "jdoe"));
    assert_int_equal(T.nmalformed, 0);
}

static void test_tree_create_compound(void **state)
{
    (void)state;
    /* TREE_CONNECT and CREATE compounded in one message (NextCommand) */
    struct buf smb = {{0}, 0};
    smb2_hdr(&smb, 3, 0, false, 10, 0);
    size_t first = smb.n - 64;
    le16(&smb, 9);
    le16(&smb, 0);
    le16(&smb, 64 + 8);
    le16(&smb, 2 * 12);
    utf16(&smb, "\\\\HMI01\\C$\\");
    while ((smb.n - first) % 8)
        u8(&smb, 0);
    uint32_t next = (uint32_t)(smb.n - first);
    smb.b[first + 20] = (uint8_t)next; /* NextCommand of the first header */
    size_t second = smb.n;
    smb2_hdr(&smb, 5, 0, false, 11, 0);
    le16(&smb, 57);
    u8(&smb, 0);
    u8(&smb, 0);
    le32(&smb, 2);
    le64(&smb, 0);
    le64(&smb, 0);
    le32(&smb, 0x00120116); /* includes FILE_WRITE_DATA */
    le32(&smb, 0x80);
    le32(&smb, 7);
    le32(&smb, 5);
    le32(&smb, 0x40);
    le16(&smb, 64 + 56);
    le16(&smb, 2 * 17);
    le32(&smb, 0);
    le32(&smb, 0);
    utf16(&smb, "recipes\\line3.csv");
    (void)second;
    send_smb(0, &smb);
    assert_int_equal(T.nmalformed, 0);
    const struct dtest_op *op = dtest_op_find(&T, OP_SESSION);
    assert_non_null(op);
    assert_string_equal(op->function, "tree connect");
    assert_string_equal(op->target, "\\\\HMI01\\C$\\");
    op = dtest_op_find(&T, OP_FILE_TRANSFER);
    assert_non_null(op);
    assert_string_equal(op->function, "create (write)");
    assert_string_equal(op->target, "recipes\\line3.csv");
    /* the tree connect is refused */
    struct buf resp = {{0}, 0};
    smb2_hdr(&resp, 3, 0xc0000022, true, 10, 0);
    le16(&resp, 9);
    le16(&resp, 0);
    send_smb(1, &resp);
    assert_int_equal(dtest_op_count(&T, OP_SESSION), 2);
    assert_string_equal(T.ops[T.nop - 1].result, "status 0xc0000022");
}

static void test_smb1_and_netbios(void **state)
{
    (void)state;
    dtest_done(&T);
    dtest_init(&T, &dissector_smb, 139);
    /* session request: called HMI01<20>, calling EWS01<00> */
    struct buf sr = {{0}, 0};
    put(&sr, "\x81\x00\x00\x44", 4);
    const char *names[2] = {"HMI01", "EWS01"};
    const uint8_t suffix[2] = {0x20, 0x00};
    for (int k = 0; k < 2; k++) {
        u8(&sr, 0x20);
        for (int i = 0; i < 16; i++) {
            uint8_t ch =
                i < 15 ? (i < (int)strlen(names[k]) ? (uint8_t)names[k][i] : ' ') : suffix[k];
            u8(&sr, (uint8_t)('A' + (ch >> 4)));
            u8(&sr, (uint8_t)('A' + (ch & 15)));
        }
        u8(&sr, 0);
    }
    dtest_tcp(&T, 0, sr.b, sr.n);
    assert_string_equal(attr_about(F_NETBIOS_NAME, true)->value, "HMI01<20>");
    assert_string_equal(attr_about(F_NETBIOS_NAME, false)->value, "EWS01<00>");
    static const uint8_t positive[] = {0x82, 0, 0, 0};
    dtest_tcp(&T, 1, positive, sizeof positive);
    /* SMB1 negotiate offering only NT LM 0.12, split over reordered segments */
    struct buf smb = {{0}, 0}, m = {{0}, 0};
    put(&smb, "\xffSMB\x72", 5);
    for (int i = 0; i < 27; i++)
        u8(&smb, 0);
    u8(&smb, 0);
    le16(&smb, 12);
    put(&smb, "\x02NT LM 0.12\0", 12);
    session_msg(&m, &smb);
    dtest_tcp_at(&T, 0, (uint32_t)sr.n + 20, m.b + 20, m.n - 20);
    assert_false(finding("smb1 client (no smb2 dialect offered)"));
    dtest_tcp_at(&T, 0, (uint32_t)sr.n, m.b, 20);
    assert_true(finding("smb1 client (no smb2 dialect offered)"));
    /* the response picks dialect 0 */
    smb.n = m.n = 0;
    put(&smb, "\xffSMB\x72", 5);
    for (int i = 0; i < 4; i++)
        u8(&smb, 0);
    u8(&smb, 0x80);
    for (int i = 0; i < 22; i++)
        u8(&smb, 0);
    u8(&smb, 17);
    le16(&smb, 0);
    for (int i = 0; i < 32; i++)
        u8(&smb, 0);
    le16(&smb, 0);
    session_msg(&m, &smb);
    dtest_tcp(&T, 1, m.b + 0, m.n);
    assert_true(finding("smb1 negotiated"));
    assert_string_equal(attr_about(F_PROTOCOL_VERSION, true)->value, "SMB 1");
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(dtest_flow_proto(&T), PROTO_SMB);
}

static void test_hostile(void **state)
{
    (void)state;
    /* a CHALLENGE with target info beyond the message, an AUTHENTICATE cut short */
    struct buf ntlm = {{0}, 0}, smb = {{0}, 0};
    ntlm_challenge(&ntlm);
    set_le16(&ntlm, 40, 0xffff);
    session_setup(&smb, true, 0xc0000016, 2, &ntlm, 0);
    dtest_pdu(&T, 1, smb.b, smb.n); /* no session header: parse reads it as one */
    struct buf m = {{0}, 0};
    session_msg(&m, &smb);
    dtest_pdu(&T, 1, m.b, m.n);
    assert_null(attr_about(F_HOSTNAME, true));
    for (size_t n = 0; n < m.n; n++)
        dtest_pdu(&T, 1, m.b, n);
    ntlm.n = smb.n = m.n = 0;
    ntlm_authenticate(&ntlm, 0x7fff);
    session_setup(&smb, false, 0, 3, &ntlm, 0);
    session_msg(&m, &smb);
    for (size_t n = 0; n < m.n; n++)
        dtest_pdu(&T, 0, m.b, n);
    /* a header cut short is counted */
    static const uint8_t cut[] = {0, 0, 0, 8, 0xfe, 'S', 'M', 'B', 64, 0, 0, 0};
    int before = T.nmalformed;
    uint8_t pad[64 + 4];
    memset(pad, 0, sizeof pad);
    memcpy(pad, cut, sizeof cut);
    dtest_pdu(&T, 0, pad, 4 + 62);
    assert_int_equal(T.nmalformed, before); /* < 64 bytes of SMB2: not even tried */
    /* framing */
    static const uint8_t bad[] = {0x42, 0, 0, 1};
    struct rd r = rd_init(bad, sizeof bad);
    assert_int_equal(dissector_smb.frame(&r), FRAME_NOT_OURS);
    r = rd_init(cut, 2);
    assert_int_equal(dissector_smb.frame(&r), FRAME_NEED_MORE);
}

static void test_probe(void **state)
{
    (void)state;
    struct buf smb = {{0}, 0}, m = {{0}, 0};
    smb2_hdr(&smb, 0, 0, false, 0, 0);
    le16(&smb, 36);
    le16(&smb, 1);
    for (int i = 0; i < 32; i++)
        u8(&smb, 0);
    le16(&smb, 0x0311);
    session_msg(&m, &smb);
    struct rd r = rd_init(m.b, m.n);
    assert_true(dissector_smb.probe(&r, L4_TCP));
    assert_false(dissector_smb.probe(&r, L4_UDP));
    m.b[4 + 12] = 1; /* not a negotiate */
    r = rd_init(m.b, m.n);
    assert_false(dissector_smb.probe(&r, L4_TCP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_smb2_ntlm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tree_create_compound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_smb1_and_netbios, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
