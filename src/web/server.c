#define _GNU_SOURCE /* strcasestr, asprintf */
/* server.c - the HTTP side of the console (see web.h): listening, limits, authentication,
 * parameter validation and security headers.  Nothing is served from the file system: every
 * route is code, so there is no path to traverse. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "central/pg.h"
#include "store/store.h"
#include "util/log.h"
#include "web/static.h"
#include "web/web.h"

#define MAX_BODY 4096

struct ctx {
    const struct web_opts *o;
    struct store *store; /* swapped under lock when a central store is re-read */
    bool need_token;
    pthread_mutex_t lock;
};

struct conn {
    char body[MAX_BODY + 1];
    size_t len;
    bool too_big;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static const char *const csp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/* the board report is a self-contained document with its own inline stylesheet (it is also
 * downloaded and mailed); it has no script, so inline style is all it is allowed */
static const char *const csp_report =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none';"
    " base-uri 'none'; form-action 'none'";
static bool report_page;

static enum MHD_Result respond(struct MHD_Connection *c, int status, const char *ctype, char *body,
                            size_t len, bool must_free, const char *extra_name,
                            const char *extra_value)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, body, must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", ctype);
    MHD_add_response_header(r, "Content-Security-Policy", report_page ? csp_report : csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (extra_name)
        MHD_add_response_header(r, extra_name, extra_value);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result error(struct MHD_Connection *c, int status, const char *msg)
{
    char *b = NULL;
    int n = asprintf(&b, "{\"error\":\"%s\",\"status\":%d}\n", msg, status);
    if (n < 0)
        return MHD_NO;
    return respond(c, status, "application/json", b, (size_t)n, true, NULL, NULL);
}

/* constant time, so that the token cannot be guessed byte by byte */
static bool same(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = (unsigned char)(la != lb);
    for (size_t i = 0; i < la && i < lb; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

static bool authorised(struct ctx *x, struct MHD_Connection *c)
{
    if (!x->need_token)
        return true;
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (auth && !strncmp(auth, "Bearer ", 7) && same(auth + 7, x->o->token))
        return true;
    const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "otscope_session");
    return cookie && same(cookie, x->o->token);
}

struct qv {
    struct web_req *r;
    bool bad;
};

static const char *const allowed_params[] = {"limit", "offset", "sort", "order", "role",
    "vendor", "zone", "criticality", "vulnerable", "unmanaged", "q", "type", "severity",
    "asset", "format", "since", "next"};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    struct qv *q = cls;
    bool known = false;
    for (size_t i = 0; i < sizeof allowed_params / sizeof *allowed_params; i++)
        known |= !strcmp(key, allowed_params[i]);
    size_t vl = value ? strlen(value) : 0;
    bool printable = true;
    for (size_t i = 0; i < vl; i++)
        printable &= (unsigned char)value[i] >= 0x20 && value[i] != 0x7f;
    if (!known || vl > 200 || !printable || q->r->nquery == 16) {
        q->bad = true;
        return MHD_NO;
    }
    q->r->query[q->r->nquery][0] = key;
    q->r->query[q->r->nquery][1] = value ? value : "";
    q->r->nquery++;
    return MHD_YES;
}

const char *web_param(const struct web_req *r, const char *name)
{
    for (int i = 0; i < r->nquery; i++)
        if (!strcmp(r->query[i][0], name))
            return r->query[i][1];
    return NULL;
}

static enum MHD_Result login(struct ctx *x, struct MHD_Connection *c, struct conn *cn)
{
    /* application/x-www-form-urlencoded: token=... */
    char *t = strstr(cn->body, "token=");
    if (!t)
        return error(c, 400, "token missing");
    t += 6;
    char *amp = strchr(t, '&');
    if (amp)
        *amp = '\0';
    MHD_http_unescape(t);
    if (!x->need_token || !same(t, x->o->token))
        return error(c, 403, "wrong token");
    char cookie[600];
    snprintf(cookie, sizeof cookie, "otscope_session=%s; HttpOnly; SameSite=Strict; Path=/",
             x->o->token);
    struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Set-Cookie", cookie);
    MHD_add_response_header(r, "Location", "/");
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    enum MHD_Result ret = MHD_queue_response(c, 303, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    (void)version;
    struct ctx *x = cls;
    bool post = !strcmp(method, "POST");
    if (!*con_cls) {
        struct conn *cn = calloc(1, sizeof *cn);
        if (!cn)
            return MHD_NO;
        *con_cls = cn;
        return MHD_YES;
    }
    struct conn *cn = *con_cls;
    if (*upload_size) { /* bounded body: only the login form has one */
        if (cn->len + *upload_size > MAX_BODY)
            cn->too_big = true;
        else {
            memcpy(cn->body + cn->len, upload, *upload_size);
            cn->len += *upload_size;
            cn->body[cn->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    report_page = false;
    if (cn->too_big)
        return error(c, 413, "request body too large");
    if (strcmp(method, "GET") && strcmp(method, "HEAD") && !post)
        return error(c, 405, "method not allowed");
    if (strlen(url) > 200 || strstr(url, "..") || strchr(url, '%') || strchr(url, '\\'))
        return error(c, 400, "bad path");
    if (post && !strcmp(url, "/login"))
        return login(x, c, cn);
    if (post)
        return error(c, 405, "method not allowed");
    if (!strcmp(url, "/favicon.ico"))
        return respond(c, 204, "image/x-icon", (char *)"", 0, false, NULL, NULL);
    if (!strcmp(url, "/static/app.css"))
        return respond(c, 200, "text/css; charset=utf-8", (char *)web_css, strlen(web_css), false,
                    NULL, NULL);
    if (!strcmp(url, "/static/app.js"))
        return respond(c, 200, "text/javascript; charset=utf-8", (char *)web_js, strlen(web_js),
                    false, NULL, NULL);
    if (!strcmp(url, "/login"))
        return respond(c, 200, "text/html; charset=utf-8", (char *)web_login_html,
                    strlen(web_login_html), false, NULL, NULL);
    if (!authorised(x, c)) {
        if (!strncmp(url, "/api/", 5))
            return error(c, 401, "token required (Authorization: Bearer TOKEN)");
        return respond(c, 303, "text/plain", (char *)"login", 5, false, "Location", "/login");
    }
    struct web_req req = {url, {{0}}, 0};
    struct qv q = {&req, false};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &q);
    if (q.bad)
        return error(c, 400, "bad query parameter");
    report_page = !strcmp(url, "/report");
    int status = 200;
    const char *ctype = "application/json";
    size_t len = 0;
    pthread_mutex_lock(&x->lock);
    char *body = !strncmp(url, "/api/v1/", 8) ? web_api(x->store, &req, &status, &ctype, &len)
                                              : web_page(x->store, &req, &status, &ctype, &len);
    pthread_mutex_unlock(&x->lock);
    if (!body)
        return error(c, status == 400 ? 400 : 404, status == 400 ? "bad request" : "not found");
    return respond(c, status, ctype, body, len, true, NULL, NULL);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

int web_serve(const struct web_opts *o)
{
    char host[128];
    const char *colon = strrchr(o->listen, ':');
    if (!colon || (size_t)(colon - o->listen) >= sizeof host)
        return log_error("--listen: want HOST:PORT"), 2;
    memcpy(host, o->listen, (size_t)(colon - o->listen));
    host[colon - o->listen] = '\0';
    char *h = host;
    if (h[0] == '[') {
        h++;
        h[strlen(h) - 1] = '\0';
    }
    long port = strtol(colon + 1, NULL, 10);
    if (port < 1 || port > 65535)
        return log_error("--listen: bad port"), 2;
    struct sockaddr_in sin = {0};
    struct sockaddr_in6 sin6 = {0};
    bool v6 = strchr(h, ':') != NULL, loopback;
    if (v6) {
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, h, &sin6.sin6_addr) != 1)
            return log_error("--listen: bad address %s", h), 2;
        loopback = IN6_IS_ADDR_LOOPBACK(&sin6.sin6_addr);
    } else {
        sin.sin_family = AF_INET;
        sin.sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, h, &sin.sin_addr) != 1)
            return log_error("--listen: bad address %s (use an IP address)", h), 2;
        loopback = (ntohl(sin.sin_addr.s_addr) >> 24) == 127;
    }
    struct ctx x = {o, NULL, !loopback || (o->token && *o->token), PTHREAD_MUTEX_INITIALIZER};
    if (!loopback && (!o->token || strlen(o->token) < 16))
        return log_error("--listen %s is not loopback: a --token of 16+ characters (or"
                         " $OTSCOPE_TOKEN) is required", o->listen),
               2;
    char err[512];
    x.store = store_open(o->db, false, err, sizeof err);
    if (!x.store)
        return log_error("%s: %s", o->db, err), 3;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0),
        (uint16_t)port, NULL, NULL, handler, &x, MHD_OPTION_SOCK_ADDR,
        v6 ? (struct sockaddr *)&sin6 : (struct sockaddr *)&sin, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)(o->max_connections > 0 ? o->max_connections : 64),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)16, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)15, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    if (!d) {
        store_close(x.store);
        return log_error("--listen %s: cannot listen (in use?)", o->listen), 1;
    }
    fprintf(stderr, "otscope: serving %s on http://%s/%s\n", o->db, o->listen,
            x.need_token ? " (token required)" : "");
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    /* a central store is a snapshot (central/mirror.h): re-read it every refresh seconds, the
       new one built while the old one keeps answering, then swapped in between requests */
    int refresh = central_is_uri(o->db) ? o->refresh : 0;
    time_t next = time(NULL) + refresh;
    while (!stop) {
        if (!refresh) {
            pause();
            continue;
        }
        sleep(1);
        if (stop || time(NULL) < next)
            continue;
        struct store *fresh = store_open(o->db, false, err, sizeof err);
        if (fresh) {
            pthread_mutex_lock(&x.lock);
            struct store *old = x.store;
            x.store = fresh;
            pthread_mutex_unlock(&x.lock);
            store_close(old);
        } else {
            log_error("%s: re-reading the central store: %s (still serving the last one)", o->db,
                      err);
        }
        next = time(NULL) + refresh;
    }
    MHD_stop_daemon(d);
    store_close(x.store);
    return 0;
}
