/* siem.c - see siem.h. */
#include "alert/siem.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "alert/alert.h"
#include "util/timefmt.h"

struct target {
    enum { T_FILE, T_UDP, T_TCP } kind;
    char host[256], port[16];
    int fd;
    FILE *file;
};

static int parse_target(const char *to, struct target *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
    const char *rest;
    if (!strncmp(to, "udp://", 6)) {
        t->kind = T_UDP;
        rest = to + 6;
    } else if (!strncmp(to, "tcp://", 6)) {
        t->kind = T_TCP;
        rest = to + 6;
    } else {
        t->kind = T_FILE;
        return 0;
    }
    const char *colon = strrchr(rest, ':');
    if (!colon || colon == rest || !colon[1] || (size_t)(colon - rest) >= sizeof t->host ||
        strlen(colon + 1) >= sizeof t->port) {
        snprintf(err, errlen, "target %s: want udp://HOST:PORT or tcp://HOST:PORT", to);
        return -1;
    }
    memcpy(t->host, rest, (size_t)(colon - rest));
    t->host[colon - rest] = '\0';
    if (t->host[0] == '[') { /* [::1] */
        memmove(t->host, t->host + 1, strlen(t->host));
        char *rb = strchr(t->host, ']');
        if (rb)
            *rb = '\0';
    }
    snprintf(t->port, sizeof t->port, "%s", colon + 1);
    return 0;
}

static int connect_target(struct target *t, const char *to, char *err, size_t errlen)
{
    if (t->kind == T_FILE) {
        t->file = fopen(to, "a");
        if (!t->file) {
            snprintf(err, errlen, "%s: %s", to, strerror(errno));
            return -1;
        }
        return 0;
    }
    struct addrinfo hints = {0}, *res, *ai;
    hints.ai_socktype = t->kind == T_TCP ? SOCK_STREAM : SOCK_DGRAM;
    int rc = getaddrinfo(t->host, t->port, &hints, &res);
    if (rc) {
        snprintf(err, errlen, "%s: %s", to, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        t->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (t->fd < 0)
            continue;
        struct timeval tv = {5, 0};
        setsockopt(t->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(t->fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        snprintf(err, errlen, "%s: %s", to, strerror(errno));
        close(t->fd);
        t->fd = -1;
    }
    freeaddrinfo(res);
    return t->fd < 0 ? -1 : 0;
}

static void disconnect(struct target *t)
{
    if (t->fd >= 0)
        close(t->fd);
    if (t->file)
        fclose(t->file);
    t->fd = -1;
    t->file = NULL;
}

static int send_all(int fd, const char *buf, size_t n)
{
    while (n) {
        ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

/* RFC 5424 severity from ours; facility local4 (20) */
static int pri(const char *sev)
{
    int s = !strcmp(sev, "critical") ? 2 : !strcmp(sev, "high") ? 3 : !strcmp(sev, "medium") ? 4
                                                                                             : 5;
    return 20 * 8 + s;
}

static int deliver(struct target *t, const json_t *a, enum siem_format fmt)
{
    static char body[8192], msg[9000], framed[9100];
    if (fmt == SIEM_CEF) {
        alert_cef(a, body, sizeof body);
    } else {
        char *j = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!j)
            return -1;
        snprintf(body, sizeof body, "%s", j);
        free(j);
    }
    if (t->kind == T_FILE)
        return fprintf(t->file, "%s\n", body) < 0 || fflush(t->file) ? -1 : 0;
    char host[256] = "-";
    gethostname(host, sizeof host - 1);
    char now[TIME_STRLEN];
    time_format(time_now_ns(), now);
    const char *sev = json_string_value(json_object_get(a, "severity"));
    int n = snprintf(msg, sizeof msg, "<%d>1 %s %s otscope %d %s - %s", pri(sev ? sev : "low"), now,
                     host, (int)getpid(), fmt == SIEM_CEF ? "alert-cef" : "alert-json", body);
    if (n < 0)
        return -1;
    if ((size_t)n >= sizeof msg)
        n = (int)sizeof msg - 1;
    if (t->kind == T_UDP)
        return send(t->fd, msg, (size_t)n, MSG_NOSIGNAL) == n ? 0 : -1;
    int m = snprintf(framed, sizeof framed, "%d %.*s", n, n, msg); /* RFC 6587 §3.4.1 */
    return m > 0 ? send_all(t->fd, framed, (size_t)m) : -1;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000l};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int siem_export(struct store *s, const struct siem_opts *o, struct siem_result *res, char *err,
                size_t errlen)
{
    memset(res, 0, sizeof *res);
    struct target t;
    if (parse_target(o->to, &t, err, errlen))
        return -1;
    sqlite3 *db = store_db(s);
    json_t *doc = alerts_json(s);
    if (!doc) {
        snprintf(err, errlen, "reading alerts");
        return -1;
    }
    sqlite3_stmt *q, *mark;
    sqlite3_prepare_v2(db, "SELECT 1 FROM export_sent WHERE target=? AND alert=? AND count=? AND"
                           " last_ns=(SELECT last_ns FROM alerts WHERE id=?)", -1, &q, NULL);
    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO export_sent(target, alert, count, last_ns,"
                           " sent_ns) SELECT ?, id, count, last_ns, ? FROM alerts WHERE id=?",
                       -1, &mark, NULL);
    int rc = 0, attempt = 0, backoff = o->retry_ms > 0 ? o->retry_ms : 500;
    bool connected = false;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(doc, "alerts"), i, a) {
        const char *id = json_string_value(json_object_get(a, "id"));
        sqlite3_bind_text(q, 1, o->to, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, json_integer_value(json_object_get(a, "count")));
        sqlite3_bind_text(q, 4, id, -1, SQLITE_STATIC);
        bool have = sqlite3_step(q) == SQLITE_ROW;
        sqlite3_reset(q);
        if (have && !o->all) {
            res->skipped++;
            continue;
        }
        for (;;) {
            if (!connected && connect_target(&t, o->to, err, errlen) == 0) {
                connected = true;
                attempt = 0;
            }
            if (connected && deliver(&t, a, o->format) == 0)
                break;
            if (connected) {
                snprintf(err, errlen, "%s: %s", o->to, strerror(errno));
                disconnect(&t);
                connected = false;
            }
            if (++attempt >= (o->retries > 0 ? o->retries : 5)) {
                rc = -1;
                break;
            }
            sleep_ms(backoff << (attempt - 1 < 6 ? attempt - 1 : 6));
        }
        if (rc)
            break;
        sqlite3_bind_text(mark, 1, o->to, -1, SQLITE_STATIC);
        sqlite3_bind_int64(mark, 2, time_now_ns());
        sqlite3_bind_text(mark, 3, id, -1, SQLITE_STATIC);
        sqlite3_step(mark);
        sqlite3_reset(mark);
        res->sent++;
    }
    if (connected)
        disconnect(&t);
    sqlite3_finalize(q);
    sqlite3_finalize(mark);
    json_decref(doc);
    return rc;
}
