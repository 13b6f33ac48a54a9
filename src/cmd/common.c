/* common.c - helpers shared by the subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "central/pg.h"
#include "cmd/cmd.h"
#include "util/log.h"

static const struct {
    const char *name;
    enum out_format f;
} formats[] = {{"table", FMT_TABLE}, {"json", FMT_JSON}, {"csv", FMT_CSV},
               {"md", FMT_MD},       {"html", FMT_HTML}, {"pdf", FMT_PDF},
               {"cef", FMT_CEF}};

bool parse_format(const char *cmd, const char *arg, const char *allowed, enum out_format *out)
{
    char list[128];
    snprintf(list, sizeof list, ",%s,", allowed);
    char want[32];
    snprintf(want, sizeof want, ",%s,", arg);
    if (strlen(arg) < 16 && strstr(list, want)) {
        for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
            if (!strcmp(formats[i].name, arg)) {
                *out = formats[i].f;
                return true;
            }
        }
    }
    usage_error(cmd, "unknown format '%s' (choose from %s)", arg, allowed);
    return false;
}

bool parse_long(const char *arg, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end || errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "otscope: %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'otscope %s --help'.\n", cmd);
    return EXIT_USAGE;
}

const char *default_db(void)
{
    const char *e = getenv("OTSCOPE_DB");
    return e && *e ? e : "otscope.db";
}

struct store *open_existing_store(const char *path)
{
    if (!central_is_uri(path) && access(path, F_OK) != 0) {
        log_error("%s: no such database (run 'otscope analyze' first)", path);
        return NULL;
    }
    char err[512];
    struct store *s = store_open(path, false, err, sizeof err);
    if (!s)
        log_error("%s: %s", path, err);
    return s;
}

void print_json(json_t *doc, FILE *f)
{
    json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    fputc('\n', f);
}

const char *jstr(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : "-";
}
