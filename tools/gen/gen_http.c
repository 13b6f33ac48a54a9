/* gen_http.c - an operator's browser or an HMI (cli) using the web interface of a plant device
 * (srv) over plain HTTP/1.1 on tcp/80: a page load, a login (Basic auth or a login form, some
 * refused first), a configuration POST, a chunked status response, and 'ops' polling rounds of a
 * status page.  The variants are embedded web servers as their vendors ship them. */
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define HTTP_PORT 80

enum login { LOGIN_BASIC, LOGIN_FORM, LOGIN_NONE, LOGIN_BASIC_RETRY };

struct web_device {
    const char *server, *host, *user_agent, *user;
    enum login login;
    const char *login_path, *config_path, *config_body, *status_path;
};

static const struct web_device web_devices[] = {
    {"lighttpd/1.4.59", "plc-line1.plant.local",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "admin",
     LOGIN_BASIC, "/index.html", "/cgi-bin/setpoints.cgi", "tank=3&level_sp=72.5&apply=1",
     "/status.json"},
    {"GoAhead-Webs", "nport5150-0345", "Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0)",
     "admin", LOGIN_FORM, "/home.asp", "/goform/SerialSetting",
     "port=1&baudrate=9600&parity=0&databits=8&stopbits=1", "/main.asp"},
    {"Microsoft-IIS/10.0", "hist-srv01.plant.local",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
     NULL, LOGIN_NONE, "/PIVision/", NULL, NULL, "/PIVision/api/status"},
    {"lighttpd/1.4.59", "pfc200-line3.plant.local", "curl/7.88.1", "admin", LOGIN_BASIC_RETRY,
     "/wbm/index.html", "/wbm/php/parameter/configtool.php",
     "{\"csrfToken\":\"8f2c\",\"aDeviceParams\":[{\"name\":\"config_clock\",\"parameter\":["
     "\"--set-time\",\"12:00:00\"]}]}",
     "/wbm/php/parameter/status.php"},
};

struct http_conn {
    struct gen *g;
    struct gen_tcp s;
    const struct web_device *d;
};

/* RFC 4648 §4 */
static void base64(const char *in, char *out, size_t outsz)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(in), o = 0;
    for (size_t i = 0; i < n && o + 5 < outsz; i += 3) {
        uint32_t v = (uint32_t)(uint8_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)(uint8_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= (uint8_t)in[i + 2];
        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        out[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? a[v & 63] : '=';
    }
    out[o] = 0;
}

static void request(struct http_conn *c, const char *method, const char *path, const char *auth,
                    const char *ctype, const char *body)
{
    struct gen_buf b = {{0}, 0};
    char line[512];
    snprintf(line, sizeof line,
             "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n"
             "Connection: keep-alive\r\n",
             method, path, c->d->host, c->d->user_agent);
    gb_str(&b, line);
    if (auth) {
        snprintf(line, sizeof line, "Authorization: Basic %s\r\n", auth);
        gb_str(&b, line);
    }
    if (body) {
        snprintf(line, sizeof line, "Content-Type: %s\r\nContent-Length: %zu\r\n", ctype,
                 strlen(body));
        gb_str(&b, line);
    }
    gb_str(&b, "\r\n");
    if (body)
        gb_str(&b, body);
    gen_tcp_send(c->g, &c->s, 0, b.b, b.n);
    gen_advance(c->g, 3000000 + (int64_t)gen_range(c->g, 4000000));
}

static void response(struct http_conn *c, const char *status, const char *ctype, const char *body,
                     const char *extra)
{
    struct gen_buf b = {{0}, 0};
    char head[512];
    snprintf(head, sizeof head,
             "HTTP/1.1 %s\r\nServer: %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n",
             status, c->d->server, ctype, strlen(body), extra ? extra : "");
    gb_str(&b, head);
    gb_str(&b, body);
    gen_tcp_send_split(c->g, &c->s, 1, b.b, b.n, 1460);
    gen_advance(c->g, 1000000);
}

/* a page body of n bytes (a larger one is split over segments) */
static void page(char *out, size_t n, const char *title)
{
    int w = snprintf(out, n, "<!DOCTYPE html><html><head><title>%s</title></head><body>", title);
    size_t o = (size_t)w;
    while (o + 24 < n)
        o += (size_t)snprintf(out + o, n - o, "<div class=\"row\">%04zu</div>", o % 10000);
    snprintf(out + o, n - o, "</body></html>");
}

static void chunked_status(struct http_conn *c, uint32_t value)
{
    struct gen_buf b = {{0}, 0};
    char head[256], part[64];
    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nServer: %s\r\nContent-Type: application/json\r\n"
             "Transfer-Encoding: chunked\r\n\r\n",
             c->d->server);
    gb_str(&b, head);
    int n = snprintf(part, sizeof part, "{\"state\":\"RUN\",\"cycle_ms\":%u}", value);
    snprintf(head, sizeof head, "%x\r\n", n);
    gb_str(&b, head);
    gb_str(&b, part);
    gb_str(&b, "\r\n0\r\n\r\n");
    gen_tcp_send(c->g, &c->s, 1, b.b, b.n);
    gen_advance(c->g, 1000000);
}

static void login(struct http_conn *c, char *auth, size_t authsz)
{
    const struct web_device *d = c->d;
    char cred[64];
    auth[0] = 0;
    if (d->login == LOGIN_BASIC_RETRY) {
        /* a mistyped password first */
        snprintf(cred, sizeof cred, "%s:%s", d->user, "Passw0rd");
        base64(cred, auth, authsz);
        request(c, "GET", d->login_path, auth, NULL, NULL);
        response(c, "401 Unauthorized", "text/html", "<html>Unauthorized</html>",
                 "WWW-Authenticate: Basic realm=\"WBM\"\r\n");
    }
    switch (d->login) {
    case LOGIN_BASIC_RETRY:
    case LOGIN_BASIC:
        snprintf(cred, sizeof cred, "%s:%s", d->user, "wago-Pl4nt!");
        base64(cred, auth, authsz);
        request(c, "GET", d->login_path, auth, NULL, NULL);
        break;
    case LOGIN_FORM: {
        request(c, "GET", "/", NULL, NULL, NULL);
        response(c, "200 OK", "text/html", "<form action=\"/home.asp\" method=\"post\">", NULL);
        char body[128];
        snprintf(body, sizeof body, "Username=%s&Password=moxa-%04x&Submit=Login", d->user,
                 (unsigned)gen_range(c->g, 65536));
        request(c, "POST", d->login_path, NULL, "application/x-www-form-urlencoded", body);
        break;
    }
    default:
        request(c, "GET", d->login_path, NULL, NULL, NULL);
        break;
    }
    static char body[3000];
    page(body, sizeof body, d->host);
    response(c, "200 OK", "text/html; charset=utf-8", body, NULL);
}

void gen_scn_http(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                  int variant, int ops)
{
    struct http_conn c;
    c.g = g;
    c.d = &web_devices[(unsigned)variant % (sizeof web_devices / sizeof *web_devices)];
    gen_tcp_open(g, &c.s, cli, (uint16_t)(50000 + gen_range(g, 10000)), srv, HTTP_PORT);
    char auth[96];
    login(&c, auth, sizeof auth);
    const char *a = auth[0] ? auth : NULL;
    if (c.d->config_path) {
        bool json = c.d->config_body[0] == '{';
        request(&c, "POST", c.d->config_path, a,
                json ? "application/json" : "application/x-www-form-urlencoded", c.d->config_body);
        response(&c, "200 OK", "application/json", "{\"status\":0}", NULL);
    }
    for (int i = 0; i <= ops; i++) {
        gen_advance(g, 5000000000ll);
        request(&c, "GET", c.d->status_path, a, NULL, NULL);
        chunked_status(&c, 10 + gen_range(g, 5));
    }
    gen_tcp_close(g, &c.s);
}
