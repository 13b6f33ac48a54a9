/* test_ssh.c - SSH dissector: each side's banner about its sender, SSH-1 as a finding, the
 * HASSH / HASSHServer fingerprints from the KEXINIT lists, encrypted data after NEWKEYS left
 * alone, a banner split over segments that arrive out of order, and hostile packets. */
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

extern const struct dissector dissector_ssh;

struct buf {
    uint8_t b[2048];
    size_t n;
};
static void put(struct buf *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}
static void be32(struct buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(b, x, 4);
}
static void namelist(struct buf *b, const char *s)
{
    be32(b, (uint32_t)strlen(s));
    put(b, s, strlen(s));
}

/* a cleartext binary packet (RFC 4253 §6) around payload, padded to 8 */
static void packet(struct buf *out, const struct buf *payload)
{
    size_t pad = 8 - (payload->n + 5) % 8;
    if (pad < 4)
        pad += 8;
    be32(out, (uint32_t)(1 + payload->n + pad));
    out->b[out->n++] = (uint8_t)pad;
    put(out, payload->b, payload->n);
    memset(out->b + out->n, 0, pad);
    out->n += pad;
}

static void kexinit(struct buf *out, const char *enc, const char *mac, const char *comp)
{
    static const char kex[] = "curve25519-sha256,diffie-hellman-group14-sha256";
    struct buf p = {{0}, 0};
    p.b[p.n++] = 20;
    for (int i = 0; i < 16; i++)
        p.b[p.n++] = (uint8_t)(0x40 + i);
    namelist(&p, kex);
    namelist(&p, "ssh-ed25519,rsa-sha2-256");
    namelist(&p, enc); /* c2s */
    namelist(&p, enc); /* s2c */
    namelist(&p, mac);
    namelist(&p, mac);
    namelist(&p, comp);
    namelist(&p, comp);
    namelist(&p, "");
    namelist(&p, "");
    p.b[p.n++] = 0;
    be32(&p, 0);
    packet(out, &p);
}

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_ssh, 0);
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

static void test_session(void **state)
{
    (void)state;
    const char *sb = "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n";
    dtest_tcp(&T, 1, sb, strlen(sb));
    dtest_tcp(&T, 0, "SSH-2.0-PuTTY_Release_0.78\r\n", 28);
    const struct dtest_attr *a = attr_about(F_SSH_BANNER, true);
    assert_non_null(a);
    assert_string_equal(a->value, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6");
    assert_string_equal(a->source, "ssh protocol banner");
    a = attr_about(F_SSH_BANNER, false);
    assert_non_null(a);
    assert_string_equal(a->value, "SSH-2.0-PuTTY_Release_0.78");
    /* both KEXINITs in one segment each, the server's with a NEWKEYS coalesced */
    struct buf c = {{0}, 0}, s = {{0}, 0};
    kexinit(&c, "aes128-ctr,aes256-ctr", "hmac-sha2-256", "none");
    dtest_tcp(&T, 0, c.b, c.n);
    kexinit(&s, "aes256-gcm@openssh.com", "hmac-sha2-512", "none,zlib");
    struct buf nk = {{0}, 0}, p = {{0}, 0};
    p.b[p.n++] = 21;
    packet(&nk, &p);
    put(&s, nk.b, nk.n);
    dtest_tcp(&T, 1, s.b, s.n);
    assert_int_equal(T.nmalformed, 0);
    /* md5("kex;enc c2s;mac c2s;comp c2s") and the s2c lists for the server */
    a = attr_about(F_HASSH, false);
    assert_non_null(a);
    assert_string_equal(a->value, "e43f5f36f5e718da5a7810ac99fa0938");
    a = attr_about(F_HASSH_SERVER, true);
    assert_non_null(a);
    assert_string_equal(a->value, "4051a717e5524c9a115044e993cfa559");
    /* encrypted data from the server now: ignored, even if it looks like a KEXINIT */
    int before = T.nattr;
    dtest_tcp(&T, 1, s.b, s.n);
    static const uint8_t noise[] = {0x8a, 0x13, 0xff, 0x00, 0x42, 0x10, 0x0a, 0x77, 0x01};
    dtest_tcp(&T, 1, noise, sizeof noise);
    assert_int_equal(T.nattr, before);
    assert_int_equal(T.nfinding, 0);
    assert_int_equal(T.nmalformed, 0);
}

static void test_ssh1_and_preamble(void **state)
{
    (void)state;
    /* lines before the banner are allowed from a server (RFC 4253 §4.2) */
    const char *pre = "Authorized uses only\r\n";
    dtest_tcp(&T, 1, pre, strlen(pre));
    dtest_tcp(&T, 1, "SSH-1.5-Cisco-1.25\n", 19);
    assert_string_equal(dtest_attr(&T, F_SSH_BANNER), "SSH-1.5-Cisco-1.25");
    assert_int_equal(dtest_attr_count(&T, F_SSH_BANNER), 1);
    assert_true(dtest_has_finding(&T, "insecure-protocol"));
    assert_string_equal(T.findings[0].b, "ssh protocol version 1");
    assert_true(T.findings[0].is_server);
    /* 1.99 speaks SSH-2 and still accepts SSH-1 */
    dtest_tcp(&T, 0, "SSH-1.99-client\r\n", 17);
    assert_int_equal(T.nfinding, 2);
    assert_string_equal(T.findings[1].b, "ssh protocol 1 still accepted (1.99)");
    assert_false(T.findings[1].is_server);
}

static void test_split_out_of_order(void **state)
{
    (void)state;
    const char *sb = "SSH-2.0-dropbear_2022.83\r\n";
    dtest_tcp_at(&T, 1, 10, sb + 10, strlen(sb) - 10);
    assert_null(dtest_attr(&T, F_SSH_BANNER));
    dtest_tcp_at(&T, 1, 0, sb, 10);
    assert_string_equal(dtest_attr(&T, F_SSH_BANNER), "SSH-2.0-dropbear_2022.83");
    assert_int_equal(dtest_flow_proto(&T), PROTO_SSH);
}

static void test_hostile(void **state)
{
    (void)state;
    dtest_pdu(&T, 1, "SSH-2.0-x\r\n", 11);
    dtest_pdu(&T, 0, "SSH-2.0-y\r\n", 11);
    /* a KEXINIT whose name-list claims more than the packet holds */
    struct buf p = {{0}, 0}, pk = {{0}, 0};
    p.b[p.n++] = 20;
    memset(p.b + p.n, 0, 16);
    p.n += 16;
    be32(&p, 0x7fffffff);
    put(&p, "abc", 3);
    packet(&pk, &p);
    dtest_pdu(&T, 0, pk.b, pk.n);
    assert_int_equal(T.nmalformed, 1);
    assert_null(dtest_attr(&T, F_HASSH));
    /* every prefix of a good KEXINIT packet, straight to parse */
    struct buf good = {{0}, 0};
    kexinit(&good, "aes128-ctr", "hmac-sha1", "none");
    dtest_done(&T); /* the fixture's session; each prefix gets its own */
    for (size_t n = 0; n < good.n; n++) {
        dtest_init(&T, &dissector_ssh, 0);
        dtest_pdu(&T, 0, "SSH-2.0-y\r\n", 11);
        dtest_pdu(&T, 0, good.b, n);
        dtest_done(&T);
    }
    dtest_init(&T, &dissector_ssh, 0);
    /* framing: a silly packet length is not framed as a packet */
    static const uint8_t bad[] = {0, 0xff, 0xff, 0xff, 4, 1, 2, 3};
    struct rd r = rd_init(bad, sizeof bad);
    assert_int_equal(dissector_ssh.frame(&r), (long)sizeof bad);
    r = rd_init(bad, 3);
    assert_int_equal(dissector_ssh.frame(&r), FRAME_NEED_MORE);
}

static void test_probe(void **state)
{
    (void)state;
    struct rd r = rd_init("SSH-2.0-OpenSSH_9.6\r\n", 21);
    assert_true(dissector_ssh.probe(&r, L4_TCP));
    assert_false(dissector_ssh.probe(&r, L4_UDP));
    r = rd_init("SSH-1.5-old\r\n", 13);
    assert_false(dissector_ssh.probe(&r, L4_TCP));
    r = rd_init("SSH", 3);
    assert_false(dissector_ssh.probe(&r, L4_TCP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ssh1_and_preamble, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
