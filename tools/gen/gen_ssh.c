/* gen_ssh.c - an SSH session (RFC 4253) from an engineer's or a SCADA host (cli) to a device
 * (srv) on tcp/22: version banners, both KEXINITs with the algorithm lists these
 * implementations offer, an ECDH exchange (RFC 5656 §4), NEWKEYS, and encrypted packets of the
 * session ('ops' adds command rounds).  Variants: dropbear on an RTU, an old OpenSSH on a
 * gateway, a Cisco IOS switch, and an SSH-1 capable legacy server. */
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define SSH_PORT 22

struct ssh_peer {
    const char *banner, *kex, *hostkey, *enc, *mac, *comp;
};

struct ssh_pair {
    struct ssh_peer client, server;
};

static const struct ssh_pair ssh_pairs[] = {
    {{"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6",
      "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
      "diffie-hellman-group16-sha512,diffie-hellman-group14-sha256,ext-info-c",
      "ssh-rsa,ssh-ed25519-cert-v01@openssh.com,ssh-ed25519,rsa-sha2-512,rsa-sha2-256",
      "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,"
      "aes256-gcm@openssh.com",
      "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
      "hmac-sha2-256,hmac-sha2-512",
      "none,zlib@openssh.com,zlib"},
     {"SSH-2.0-dropbear_2019.78",
      "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp521,ecdh-sha2-nistp384,"
      "ecdh-sha2-nistp256,diffie-hellman-group14-sha256,diffie-hellman-group14-sha1,"
      "kexguess2@matt.ucc.asn.au",
      "ecdsa-sha2-nistp256,ssh-rsa", "aes128-ctr,aes256-ctr,aes128-cbc,aes256-cbc,3des-ctr",
      "hmac-sha1,hmac-sha2-256", "zlib@openssh.com,none"}},
    {{"SSH-2.0-PuTTY_Release_0.78",
      "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
      "diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha256",
      "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256,ssh-rsa",
      "aes256-ctr,aes256-cbc,aes192-ctr,aes128-ctr,chacha20-poly1305@openssh.com",
      "hmac-sha2-256,hmac-sha1,hmac-sha2-256-etm@openssh.com", "none,zlib"},
     {"SSH-2.0-OpenSSH_7.4",
      "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
      "diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha1",
      "ssh-rsa,rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519",
      "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr",
      "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-256,hmac-sha1",
      "none,zlib@openssh.com"}},
    {{"SSH-2.0-OpenSSH_9.6",
      "curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha256,ext-info-c",
      "ssh-ed25519,rsa-sha2-512,rsa-sha2-256", "aes128-ctr,aes256-ctr",
      "hmac-sha2-256,hmac-sha2-512", "none"},
     {"SSH-2.0-Cisco-1.25", "ecdh-sha2-nistp256,diffie-hellman-group14-sha1",
      "rsa-sha2-256,ssh-rsa", "aes128-ctr,aes192-ctr,aes256-ctr", "hmac-sha2-256,hmac-sha1",
      "none"}},
    {{"SSH-2.0-OpenSSH_6.6.1", "ecdh-sha2-nistp256,diffie-hellman-group14-sha1", "ssh-rsa",
      "aes128-ctr,aes128-cbc", "hmac-sha1", "none"},
     {"SSH-1.99-OpenSSH_3.9p1",
      "ecdh-sha2-nistp256,diffie-hellman-group14-sha1,"
      "diffie-hellman-group1-sha1",
      "ssh-rsa,ssh-dss", "aes128-cbc,3des-cbc,blowfish-cbc,arcfour", "hmac-md5,hmac-sha1",
      "none,zlib"}},
};

struct ssh_conn {
    struct gen *g;
    struct gen_tcp s;
};

static void str(struct gen_buf *b, const char *s)
{
    gb_be32(b, (uint32_t)strlen(s));
    gb_str(b, s);
}
static void rnd_str(struct gen *g, struct gen_buf *b, size_t n)
{
    gb_be32(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        gb_u8(b, (uint8_t)gen_rand(g));
}

/* a cleartext binary packet (RFC 4253 §6): block size 8, at least 4 bytes of padding */
static void packet(struct ssh_conn *c, int dir, const struct gen_buf *payload)
{
    struct gen_buf b = {{0}, 0};
    size_t pad = 8 - (payload->n + 5) % 8;
    if (pad < 4)
        pad += 8;
    gb_be32(&b, (uint32_t)(1 + payload->n + pad));
    gb_u8(&b, (uint8_t)pad);
    gb_bytes(&b, payload->b, payload->n);
    for (size_t i = 0; i < pad; i++)
        gb_u8(&b, (uint8_t)gen_rand(c->g));
    gen_tcp_send_split(c->g, &c->s, dir, b.b, b.n, 1460);
    gen_advance(c->g, dir ? 1200000 : 2500000);
}

static void kexinit(struct ssh_conn *c, int dir, const struct ssh_peer *p)
{
    struct gen_buf b = {{0}, 0};
    gb_u8(&b, 20);
    for (int i = 0; i < 16; i++)
        gb_u8(&b, (uint8_t)gen_rand(c->g));
    str(&b, p->kex);
    str(&b, p->hostkey);
    str(&b, p->enc);
    str(&b, p->enc);
    str(&b, p->mac);
    str(&b, p->mac);
    str(&b, p->comp);
    str(&b, p->comp);
    str(&b, "");
    str(&b, "");
    gb_u8(&b, 0);
    gb_be32(&b, 0);
    packet(c, dir, &b);
}

/* encrypted packets: random bytes, as long as a packet of n payload bytes with a 16-byte MAC */
static void encrypted(struct ssh_conn *c, int dir, size_t n)
{
    struct gen_buf b = {{0}, 0};
    size_t len = 4 + ((n + 5 + 15) / 16) * 16 + 16;
    for (size_t i = 0; i < len; i++)
        gb_u8(&b, (uint8_t)gen_rand(c->g));
    gen_tcp_send(c->g, &c->s, dir, b.b, b.n);
    gen_advance(c->g, dir ? 4000000 : 20000000);
}

void gen_scn_ssh(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                 int ops)
{
    const struct ssh_pair *p =
        &ssh_pairs[(unsigned)variant % (sizeof ssh_pairs / sizeof *ssh_pairs)];
    struct ssh_conn c = {g, {{{0}, {0}, 0}, {{0}, {0}, 0}, 0, 0, {0, 0}}};
    gen_tcp_open(g, &c.s, cli, (uint16_t)(50000 + gen_range(g, 10000)), srv, SSH_PORT);
    char line[128];
    snprintf(line, sizeof line, "%s\r\n", p->server.banner);
    gen_tcp_send(g, &c.s, 1, line, strlen(line));
    gen_advance(g, 1000000);
    snprintf(line, sizeof line, "%s\r\n", p->client.banner);
    gen_tcp_send(g, &c.s, 0, line, strlen(line));
    gen_advance(g, 1000000);
    kexinit(&c, 0, &p->client);
    kexinit(&c, 1, &p->server);
    /* ECDH (RFC 5656 §4): Q_C; then K_S, Q_S and the signature */
    struct gen_buf b = {{0}, 0};
    gb_u8(&b, 30);
    rnd_str(g, &b, 65);
    packet(&c, 0, &b);
    b.n = 0;
    gb_u8(&b, 31);
    struct gen_buf ks = {{0}, 0}, sig = {{0}, 0};
    /* an ssh-rsa host key (RFC 4253 §6.6): e and n, and a 2048-bit signature */
    str(&ks, "ssh-rsa");
    gb_be32(&ks, 3);
    gb_bytes(&ks, "\x01\x00\x01", 3);
    gb_be32(&ks, 257);
    gb_u8(&ks, 0);
    gb_u8(&ks, 0xc3);
    for (int i = 0; i < 255; i++)
        gb_u8(&ks, (uint8_t)gen_rand(g));
    gb_be32(&b, (uint32_t)ks.n);
    gb_bytes(&b, ks.b, ks.n);
    rnd_str(g, &b, 65);
    str(&sig, "ssh-rsa");
    gb_be32(&sig, 256);
    gb_u8(&sig, 0x5a);
    for (int i = 0; i < 255; i++)
        gb_u8(&sig, (uint8_t)gen_rand(g));
    gb_be32(&b, (uint32_t)sig.n);
    gb_bytes(&b, sig.b, sig.n);
    packet(&c, 1, &b);
    b.n = 0;
    gb_u8(&b, 21);
    packet(&c, 1, &b);
    packet(&c, 0, &b);
    /* service request, authentication, channel: encrypted from here */
    encrypted(&c, 0, 28);
    encrypted(&c, 1, 28);
    encrypted(&c, 0, 80);
    encrypted(&c, 1, 16);
    for (int i = 0; i <= ops; i++) {
        encrypted(&c, 0, 36 + gen_range(g, 40));
        encrypted(&c, 1, 100 + gen_range(g, 600));
    }
    gen_tcp_close(g, &c.s);
}
