/* web.h - the web console and its read-only JSON API (libmicrohttpd).  One internal polling
 * thread serves everything from one store connection, so no request ever races another.
 * Loopback by default; any other address requires a token (bearer header, or a login form
 * that sets an HttpOnly SameSite=Strict cookie). */
#ifndef OTSCOPE_WEB_H
#define OTSCOPE_WEB_H

#include <stdbool.h>

struct web_opts {
    const char *db;
    const char *listen; /* "127.0.0.1:8080" */
    const char *token;  /* required unless the address is loopback */
    int max_connections;
    bool quit_after_first_signal;
    int refresh; /* seconds between re-reads of a postgresql:// store (0: never; a SQLite
                    store is read live and needs none) */
};

int web_serve(const struct web_opts *o);

/* page and API builders (pages.c, api.c) */
struct store;
struct web_req {
    const char *path;
    const char *query[16][2]; /* validated name=value pairs */
    int nquery;
};
const char *web_param(const struct web_req *r, const char *name);
/* returns a malloc'ed body and sets status/content type; NULL = 404 */
char *web_api(struct store *s, const struct web_req *r, int *status, const char **ctype,
              size_t *len);
char *web_page(struct store *s, const struct web_req *r, int *status, const char **ctype,
               size_t *len);

#endif
