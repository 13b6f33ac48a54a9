/* gen_ftp.c - an FTP control session (RFC 959) from an engineering host (cli) to a device (srv)
 * on tcp/21: the greeting, USER/PASS (refused once in one variant), SYST, PWD, a passive-mode
 * download of a configuration and an upload of a project or firmware file, a deletion, QUIT.
 * Data connections go to the passive port and carry the file bytes.  'ops' adds download
 * rounds.  Variants: a VxWorks PLC, a WAGO controller, a vsftpd data logger, an IIS server. */
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define FTP_PORT 21

struct ftp_server {
    const char *greeting, *syst, *user, *pwd, *get, *put, *del;
    bool refuse_first;
};

static const struct ftp_server ftp_servers[] = {
    {"220 VxWorks (5.5.1) FTP server ready", "215 UNIX Type: L8 Version: VxWorks", "target",
     "257 \"/\" is current directory", "/ata0/config/station.xml", "/ata0/app/prog.bin",
     "/ata0/log/old.log", false},
    {"220-Welcome to the PFC200 FTP service\r\n220 ProFTPD Server (WAGO PFC200)",
     "215 UNIX Type: L8", "admin", "257 \"/home/admin\" is the current directory",
     "/home/codesys/PlcLogic/Application/Application.app", "/home/codesys/recipes/line3.csv",
     "/home/codesys/recipes/old.csv", true},
    {"220 (vsFTPd 3.0.3)", "215 UNIX Type: L8", "logger", "257 \"/data\" is the current directory",
     "/data/2024-06-01.csv", "/data/config.ini", "/data/2024-05-01.csv", false},
    {"220 Microsoft FTP Service", "215 Windows_NT", "anonymous", "257 \"/\" is current directory.",
     "/Historian/export.csv", "/Historian/import/tags.csv", "/Historian/tmp.txt", false},
};

struct ftp_conn {
    struct gen *g;
    struct gen_tcp s;
    const struct gen_host *cli, *srv;
};

static void line(struct ftp_conn *c, int dir, const char *text)
{
    char b[512];
    snprintf(b, sizeof b, "%s\r\n", text);
    gen_tcp_send(c->g, &c->s, dir, b, strlen(b));
    gen_advance(c->g, dir ? 1500000 : 30000000 + (int64_t)gen_range(c->g, 60000000));
}

/* PASV, then the command, the data connection with n bytes in direction dir, and 226 */
static void transfer(struct ftp_conn *c, const char *cmd, const char *path, int dir, size_t n)
{
    uint16_t port = (uint16_t)(30000 + gen_range(c->g, 10000));
    char t[160];
    line(c, 0, "PASV");
    snprintf(t, sizeof t, "227 Entering Passive Mode (%u,%u,%u,%u,%u,%u).", c->srv->ip[0],
             c->srv->ip[1], c->srv->ip[2], c->srv->ip[3], port >> 8, port & 0xff);
    line(c, 1, t);
    struct gen_tcp d;
    gen_tcp_open(c->g, &d, c->cli, (uint16_t)(50000 + gen_range(c->g, 10000)), c->srv, port);
    snprintf(t, sizeof t, "%s %s", cmd, path);
    line(c, 0, t);
    line(c, 1, "150 Opening BINARY mode data connection");
    static uint8_t data[8192];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 131 + 7);
    gen_tcp_send_split(c->g, &d, dir, data, n < sizeof data ? n : sizeof data, 1460);
    gen_tcp_close(c->g, &d);
    line(c, 1, "226 Transfer complete");
}

void gen_scn_ftp(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                 int ops)
{
    const struct ftp_server *f =
        &ftp_servers[(unsigned)variant % (sizeof ftp_servers / sizeof *ftp_servers)];
    struct ftp_conn c = {g, {{{0}, {0}, 0}, {{0}, {0}, 0}, 0, 0, {0, 0}}, cli, srv};
    gen_tcp_open(g, &c.s, cli, (uint16_t)(50000 + gen_range(g, 10000)), srv, FTP_PORT);
    line(&c, 1, f->greeting);
    char t[128];
    for (int attempt = f->refuse_first ? 0 : 1; attempt < 2; attempt++) {
        snprintf(t, sizeof t, "USER %s", f->user);
        line(&c, 0, t);
        line(&c, 1, "331 Password required");
        snprintf(t, sizeof t, "PASS %s", attempt ? "Plc-2024!" : "wago");
        line(&c, 0, t);
        line(&c, 1, attempt ? "230 User logged in" : "530 Login incorrect.");
    }
    line(&c, 0, "SYST");
    line(&c, 1, f->syst);
    line(&c, 0, "PWD");
    line(&c, 1, f->pwd);
    line(&c, 0, "TYPE I");
    line(&c, 1, "200 Type set to I");
    transfer(&c, "RETR", f->get, 1, 2400);
    transfer(&c, "STOR", f->put, 0, 6000);
    snprintf(t, sizeof t, "DELE %s", f->del);
    line(&c, 0, t);
    line(&c, 1, variant % 4 == 2 ? "550 Permission denied." : "250 DELE command successful");
    for (int i = 0; i < ops; i++) {
        gen_advance(g, 60000000000ll);
        transfer(&c, "RETR", f->get, 1, 2400);
    }
    line(&c, 0, "QUIT");
    line(&c, 1, "221 Goodbye.");
    gen_tcp_close(g, &c.s);
}
