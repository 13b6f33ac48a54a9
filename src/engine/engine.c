/* engine.c - see engine.h.  The per-packet loop is decode -> dispatch; nothing in it allocates
 * (flows, states and fragment slots are pools; facts are aggregated in hash maps that grow only
 * with new distinct facts). */
#include "engine/engine.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "alert/alert.h"
#include "capture/source.h"
#include "decode/decode.h"
#include "dissect/dissect.h"
#include "inventory/collect.h"
#include "store/register.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timefmt.h"

void engine_opts_default(struct engine_opts *o)
{
    memset(o, 0, sizeof *o);
    o->db = "otscope.db";
    o->site = "default";
    flow_config_default(&o->flow);
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress {
    bool on;
    uint64_t total_bytes, done_bytes;
    double start, last;
    uint64_t packets;
};

static void progress_draw(struct progress *pg, uint64_t file_off, bool final)
{
    double now = mono();
    if (!pg->on || (!final && now - pg->last < 0.25))
        return;
    pg->last = now;
    uint64_t done = pg->done_bytes + file_off;
    double el = now - pg->start,
           frac = pg->total_bytes ? (double)done / (double)pg->total_bytes : 1;
    if (frac > 1)
        frac = 1;
    double eta = frac > 0 ? el / frac - el : 0;
    int width = 30, fill = (int)(frac * width);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r[%s] %5.1f%% %7.1f/%.1f MB  %9.0f pkt/s  ETA %4.0fs ", bar, frac * 100,
            (double)done / 1e6, (double)pg->total_bytes / 1e6,
            el > 0 ? (double)pg->packets / el : 0, eta);
    if (final)
        fputc('\n', stderr);
}

struct run {
    const struct engine_opts *o;
    struct store *store;
    struct decoder *dec;
    struct flow_table *ft;
    struct dispatch *disp;
    struct collector col;
    struct engine_stats *st;
    struct progress pg;
};

/* size + FNV-1a of the first MiB and the last 64 KiB: the same capture analyzed twice would
 * double every count, so it is recognised and skipped unless forced */
static void fingerprint(const char *path, char out[64])
{
    out[0] = '\0';
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return;
    static unsigned char buf[1 << 20];
    uint64_t h = 1469598103934665603ull;
    size_t n = fread(buf, 1, sizeof buf, fp);
    for (size_t i = 0; i < n; i++)
        h = (h ^ buf[i]) * 1099511628211ull;
    long size = 0;
    if (fseek(fp, 0, SEEK_END) == 0)
        size = ftell(fp);
    if (size > (long)sizeof buf && fseek(fp, -65536, SEEK_END) == 0) {
        n = fread(buf, 1, 65536, fp);
        for (size_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 1099511628211ull;
    }
    fclose(fp);
    snprintf(out, 64, "%ld:%016llx", size, (unsigned long long)h);
}

/* returns 0, or 3 for a bad file (reported) */
static int analyze_file(struct run *r, const char *path, int64_t run_id)
{
    char err[512];
    struct source *src = source_open_file(path, err, sizeof err);
    if (!src) {
        log_error("%s: %s", path, err);
        r->st->files_failed++;
        return 3;
    }
    int lt = source_linktype(src);
    if (!decode_linktype_supported(lt)) {
        log_error("%s: unsupported link type %d", path, lt);
        source_close(src);
        r->st->files_failed++;
        return 3;
    }
    char fp[64];
    fingerprint(path, fp);
    if (!r->o->force && fp[0] && store_file_seen(r->store, r->o->site, fp)) {
        log_error("%s: already analyzed into %s for site %s; skipped (--force analyzes it again)",
                  path, r->o->db, r->o->site);
        r->pg.done_bytes += source_size(src);
        source_close(src);
        r->st->files_skipped++;
        return 0;
    }
    int64_t file_id = store_file_begin(r->store, run_id, path, fp);
    if (file_id < 0) {
        log_error("%s: %s", r->o->db, store_error(r->store));
        source_close(src);
        return 1;
    }
    struct rd frame;
    struct pkt p;
    int64_t ts;
    uint32_t wirelen;
    enum source_status ss;
    uint64_t n = 0;
    while ((ss = source_next(src, &frame, &ts, &wirelen)) == SRC_FRAME) {
        memset(&p, 0, sizeof p);
        p.ts_ns = ts;
        p.frame = ++n;
        p.file_id = (uint32_t)file_id;
        p.wirelen = wirelen;
        const char *why = NULL;
        switch (decode_frame(r->dec, lt, frame, &p, &why)) {
        case DEC_IP:
            if (p.l4 == L4_TCP || p.l4 == L4_UDP)
                dispatch_packet(r->disp, &p);
            else
                collector_sighting(&r->col, &p);
            break;
        case DEC_L2:
            collector_sighting(&r->col, &p);
            dispatch_l2(r->disp, &p);
            break;
        case DEC_MALFORMED:
            r->st->malformed_frames++;
            if (p.has_mac)
                collector_sighting(&r->col, &p);
            log_debug("%s: packet %llu: %s", path, (unsigned long long)n, why);
            break;
        case DEC_FRAGMENT:
        case DEC_SKIP:
            if (p.has_mac || p.src.family)
                collector_sighting(&r->col, &p);
            break;
        }
        r->st->packets++;
        r->st->bytes += wirelen;
        r->pg.packets++;
        if ((n & 4095) == 0)
            progress_draw(&r->pg, source_offset(src), false);
    }
    int rc = 0;
    const char *status = "ok";
    char reason[600] = "";
    if (ss == SRC_ERROR) {
        snprintf(reason, sizeof reason, "%s", source_error(src));
        if (r->pg.on)
            fputc('\n', stderr);
        log_error("%s: %s", path, reason);
        status = "failed";
        rc = 3;
    }
    r->pg.done_bytes += source_size(src);
    source_close(src);
    /* flows do not span files: what was read is kept even when the file broke off */
    flow_table_flush(r->ft);
    if (store_merge(r->store, &r->col, r->o->site) != 0) {
        log_error("%s: %s", r->o->db, store_error(r->store));
        return 1;
    }
    store_file_end(r->store, file_id, n, status, rc ? reason : NULL);
    r->st->attr_events = r->col.attr_events;
    r->st->op_events = r->col.op_events;
    collector_reset(&r->col);
    if (rc)
        r->st->files_failed++;
    else
        r->st->files_ok++;
    return rc;
}

int engine_analyze(const struct engine_opts *o, char **files, int nfiles, struct engine_stats *st)
{
    memset(st, 0, sizeof *st);
    if (dissect_select(o->dissectors) != 0) {
        log_error("--dissectors: unknown dissector in '%s'", o->dissectors);
        return 2;
    }
    dissect_init();
    char err[512];
    struct run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.st = st;
    r.store = store_open(o->db, true, err, sizeof err);
    if (!r.store) {
        log_error("%s: %s", o->db, err);
        return 1;
    }
    collector_init(&r.col);
    r.dec = decoder_new(64);
    r.ft = flow_table_new(&o->flow, collector_flow_done, &r.col);
    r.disp = r.ft ? dispatch_new(r.ft, &collector_sink, &r.col) : NULL;
    if (!r.dec || !r.ft || !r.disp) {
        log_error("out of memory (flow table of %u flows)", o->flow.max_flows);
        store_close(r.store);
        return 1;
    }
    r.pg.on = o->progress;
    r.pg.start = mono();
    for (int i = 0; i < nfiles; i++) {
        FILE *fp = fopen(files[i], "rb");
        if (fp) {
            if (fseek(fp, 0, SEEK_END) == 0 && ftell(fp) > 0)
                r.pg.total_bytes += (uint64_t)ftell(fp);
            fclose(fp);
        }
    }
    int64_t run_id = store_run_begin(r.store, o->site, time_now_ns());
    int rc = run_id < 0 ? 1 : 0;
    double t0 = mono();
    for (int i = 0; i < nfiles && rc != 1; i++) {
        int frc = analyze_file(&r, files[i], run_id);
        if (frc > rc)
            rc = frc;
    }
    progress_draw(&r.pg, 0, true);
    struct alert_config acfg;
    alert_config_default(&acfg);
    store_get_meta_int(r.store, "alert_learning_ns", &acfg.learning_ns);
    if (rc != 1 && (store_rebuild_assets(r.store) != 0 || register_match(r.store) != 0 ||
                    alerts_rebuild(r.store, &acfg) != 0)) {
        log_error("%s: deriving assets: %s", o->db, store_error(r.store));
        rc = 1;
    }
    st->seconds = mono() - t0;
    const struct flow_stats *fs = flow_table_stats(r.ft);
    st->flows = fs->created;
    st->flows_evicted = fs->evicted;
    st->flows_peak = fs->peak_active;
    st->stream_gaps = fs->reasm_gaps;
    st->malformed_pdus = r.col.malformed;
    st->ip_fragments = decoder_stats(r.dec)->frag_stored;
    st->flow_memory = flow_table_memory(r.ft);
    json_t *sum = store_summary_json(r.store);
    if (sum) {
        st->assets = (uint64_t)json_integer_value(json_object_get(sum, "assets"));
        json_decref(sum);
    }
    store_run_end(r.store, run_id, time_now_ns(), st->packets, st->bytes,
                  rc == 0   ? "ok"
                  : rc == 3 ? "partial"
                            : "failed");
    dispatch_free(r.disp);
    flow_table_free(r.ft);
    decoder_free(r.dec);
    collector_free(&r.col);
    store_close(r.store);
    return rc;
}

void engine_print_summary(const struct engine_stats *st, FILE *out)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(out,
            "files %llu ok, %llu failed, %llu skipped; packets %llu; bytes %llu; flows %llu (peak "
            "%llu, evicted"
            " %llu); assets %llu\n"
            "malformed frames %llu, malformed PDUs %llu, stream gaps %llu; %.2f s (%.0f pkt/s);"
            " peak memory %.1f MB\n",
            (unsigned long long)st->files_ok, (unsigned long long)st->files_failed,
            (unsigned long long)st->files_skipped, (unsigned long long)st->packets,
            (unsigned long long)st->bytes, (unsigned long long)st->flows,
            (unsigned long long)st->flows_peak, (unsigned long long)st->flows_evicted,
            (unsigned long long)st->assets, (unsigned long long)st->malformed_frames,
            (unsigned long long)st->malformed_pdus, (unsigned long long)st->stream_gaps,
            st->seconds, st->seconds > 0 ? (double)st->packets / st->seconds : 0,
            (double)ru.ru_maxrss / 1024);
}
