/* gen_telnet.c - a Telnet login (RFC 854/855) from an engineering host (cli) to a plant device
 * (srv) on tcp/23: option negotiation (terminal type, echo, suppress go-ahead, RFC 1091/857/
 * 858), the device's greeting, a login typed character by character and echoed, a password
 * (not echoed), and 'ops' command rounds.  Variants: a managed switch CLI, a serial device
 * server console, a Cisco IOS device, a Linux gateway. */
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define TELNET_PORT 23

#define IAC       255
#define DONT      254
#define DO        253
#define WONT      252
#define WILL      251
#define SB        250
#define SE        240
#define OPT_ECHO  1
#define OPT_SGA   3
#define OPT_TTYPE 24

struct telnet_device {
    const char *greeting;    /* text before the first prompt */
    const char *user_prompt; /* NULL: password only */
    const char *pass_prompt, *shell_prompt, *command, *output;
};

static const struct telnet_device telnet_devices[] = {
    {"\r\nSCALANCE XC208 Command Line Interface\r\n\r\n", "login: ", "Password: ", "CLI> ",
     "show versions", "Device Type      : SCALANCE XC208\r\nFirmware         : V04.02.00\r\n"},
    {"\r\nModel name       : NPort 5150\r\nMAC address      : 00:90:E8:12:34:56\r\n"
     "Serial No.       : 3456\r\nFirmware version : 3.9 Build 19111513\r\n\r\n",
     NULL, "Please keyin your password:", "> ", "s", "Serial port 1: RS-232, 9600,N,8,1\r\n"},
    {"\r\n\r\nUser Access Verification\r\n\r\n", "Username: ", "Password: ", "ie3400-line2>",
     "show version", "Cisco IOS Software [Amsterdam], IE3x00 Software, Version 17.3.4\r\n"},
    {"\r\nLinux 4.19.0-cip (gw-edge-01) (pts/0)\r\n\r\n", "gw-edge-01 login: ", "Password: ",
     "root@gw-edge-01:~# ", "uname -a", "Linux gw-edge-01 4.19.0-cip #1 SMP armv7l GNU/Linux\r\n"},
};

struct telnet_conn {
    struct gen *g;
    struct gen_tcp s;
};

static void send(struct telnet_conn *c, int dir, const void *p, size_t n)
{
    gen_tcp_send(c->g, &c->s, dir, p, n);
    gen_advance(c->g, dir ? 2000000 : 150000000 + (int64_t)gen_range(c->g, 200000000));
}
static void send_str(struct telnet_conn *c, int dir, const char *s)
{
    send(c, dir, s, strlen(s));
}

/* the client types text one key at a time; the server echoes unless 'secret' */
static void type(struct telnet_conn *c, const char *text, bool secret)
{
    for (const char *p = text; *p; p++) {
        send(c, 0, p, 1);
        if (!secret)
            send(c, 1, p, 1);
    }
    send(c, 0, "\r\n", 2);
    if (!secret)
        send(c, 1, "\r\n", 2);
}

void gen_scn_telnet(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                    int variant, int ops)
{
    const struct telnet_device *d =
        &telnet_devices[(unsigned)variant % (sizeof telnet_devices / sizeof *telnet_devices)];
    struct telnet_conn c;
    c.g = g;
    gen_tcp_open(g, &c.s, cli, (uint16_t)(50000 + gen_range(g, 10000)), srv, TELNET_PORT);
    static const uint8_t srv_neg[] = {IAC, DO, OPT_TTYPE, IAC, WILL, OPT_ECHO, IAC, WILL, OPT_SGA};
    static const uint8_t cli_neg[] = {IAC, WILL, OPT_TTYPE, IAC, DO, OPT_ECHO, IAC, DO, OPT_SGA};
    static const uint8_t ttype_send[] = {IAC, SB, OPT_TTYPE, 1, IAC, SE};
    static const uint8_t ttype_is[] = {IAC, SB, OPT_TTYPE, 0, 'X', 'T', 'E', 'R', 'M', IAC, SE};
    send(&c, 1, srv_neg, sizeof srv_neg);
    send(&c, 0, cli_neg, sizeof cli_neg);
    send(&c, 1, ttype_send, sizeof ttype_send);
    send(&c, 0, ttype_is, sizeof ttype_is);
    send_str(&c, 1, d->greeting);
    char pw[24];
    snprintf(pw, sizeof pw, "pw%06x", (unsigned)gen_range(g, 0xffffff));
    if (d->user_prompt) {
        send_str(&c, 1, d->user_prompt);
        type(&c, variant % 4 == 3 ? "root" : "admin", false);
    }
    send_str(&c, 1, d->pass_prompt);
    type(&c, pw, true);
    send_str(&c, 1, "\r\n");
    send_str(&c, 1, d->shell_prompt);
    for (int i = 0; i <= ops; i++) {
        type(&c, d->command, false);
        send_str(&c, 1, d->output);
        send_str(&c, 1, d->shell_prompt);
        gen_advance(g, 3000000000ll);
    }
    type(&c, "exit", false);
    gen_tcp_close(g, &c.s);
}
