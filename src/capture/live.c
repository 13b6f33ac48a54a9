/* live.c - see live.h.  Threads: the capture thread reads frames from libpcap and copies each
 * into the ring of the worker that owns its address pair (so both directions of a flow meet in
 * one flow table); each worker decodes, dissects and aggregates into its own collector; every
 * flush_seconds the main thread takes each worker's collector (swapped under the worker's lock)
 * and merges it into the store, then re-derives assets and alerts.  With one thread the capture
 * thread does the work itself.  Signals only set flags. */
#include "capture/live.h"

#include <errno.h>
#include <grp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alert/alert.h"
#include "decode/decode.h"
#include "dissect/dissect.h"
#include "inventory/collect.h"
#include "policy/segment.h"
#include "store/register.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timefmt.h"

#define RING_SLOTS 8192
#define SLOT_BYTES 2048 /* frames are truncated to this in the ring (snaplen of workers) */
#define MAX_WORKERS 16
#define RING_WAIT_NS 100000000ll /* how long the capture thread waits for a full ring */

static volatile sig_atomic_t stop_flag, reload_flag;
static pcap_t *live_handle;

static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1; /* the main loop never blocks in libpcap: it polls with a 100 ms timeout */
}

static void on_hup(int sig)
{
    (void)sig;
    reload_flag = 1;
}

static int64_t mono_ns(void) /* for waits: immune to clock steps */
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

struct slot {
    int64_t ts_ns;
    uint32_t caplen, wirelen;
    uint8_t data[SLOT_BYTES];
};

struct worker {
    pthread_t thread;
    pthread_mutex_t lock; /* guards col and the pipeline while the writer swaps */
    struct slot *ring;
    _Atomic uint32_t head, tail; /* single producer, single consumer */
    struct decoder *dec;
    struct flow_table *ft;
    struct dispatch *disp;
    struct collector col;
    uint64_t frames;
    uint32_t file_id;
    int linktype;
    atomic_bool done; /* set after the last frame was queued */
    bool stalled;     /* capture thread only: the ring stayed full for RING_WAIT_NS */
};

struct live {
    const struct engine_opts *eo;
    const struct live_opts *lo;
    struct live_stats *st;
    struct worker w[MAX_WORKERS];
    int nw;
    pcap_dumper_t *dumper;
    char dump_path[1024];
    int64_t dump_started;
    int dump_index;
};

static void process(struct worker *w, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                    int64_t ts)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.ts_ns = ts;
    p.frame = ++w->frames;
    p.file_id = w->file_id;
    p.wirelen = wirelen;
    const char *why;
    switch (decode_frame(w->dec, w->linktype, rd_init(data, caplen), &p, &why)) {
    case DEC_IP:
        if (p.l4 == L4_TCP || p.l4 == L4_UDP)
            dispatch_packet(w->disp, &p);
        else
            collector_sighting(&w->col, &p);
        break;
    case DEC_L2:
        collector_sighting(&w->col, &p);
        dispatch_l2(w->disp, &p);
        break;
    default:
        if (p.has_mac || p.src.family)
            collector_sighting(&w->col, &p);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    long idle_ns = 0;
    for (;;) {
        uint32_t t = atomic_load_explicit(&w->tail, memory_order_relaxed);
        uint32_t h = atomic_load_explicit(&w->head, memory_order_acquire);
        if (t == h) {
            /* done is set after the last head store: seeing it, re-read head once more so a
             * frame queued just before it is not left in the ring */
            if (atomic_load_explicit(&w->done, memory_order_acquire) &&
                atomic_load_explicit(&w->head, memory_order_acquire) == t)
                break;
            /* 200 us while frames come; on a quiet link doubling to 1 ms (fewer wake-ups: an
             * idle worker used ~7% of a core).  A ring fills in 8192 frames, over 3 ms at the
             * rate one capture thread feeds. */
            idle_ns = idle_ns ? (idle_ns >= 500000 ? 1000000 : idle_ns * 2) : 200000;
            struct timespec ts = {0, idle_ns};
            nanosleep(&ts, NULL);
            continue;
        }
        idle_ns = 0;
        struct slot *s = &w->ring[t % RING_SLOTS];
        pthread_mutex_lock(&w->lock);
        process(w, s->data, s->caplen, s->wirelen, s->ts_ns);
        pthread_mutex_unlock(&w->lock);
        atomic_store_explicit(&w->tail, t + 1, memory_order_release);
    }
    return NULL;
}

/* symmetric: both directions of an address pair land on the same worker */
static uint32_t shard_of(const struct live *l, const uint8_t *d, uint32_t n, int linktype)
{
    if (l->nw == 1)
        return 0;
    struct pkt p;
    memset(&p, 0, sizeof p);
    const char *why;
    static struct decoder *scratch; /* capture thread only; fragments are not reassembled here */
    if (!scratch)
        scratch = decoder_new(1);
    decode_frame(scratch, linktype, rd_init(d, n), &p, &why);
    uint64_t a = 0, b = 0;
    if (p.src.family) {
        for (int i = 0; i < 16; i++) {
            a = a * 131 + p.src.b[i];
            b = b * 131 + p.dst.b[i];
        }
    } else {
        for (int i = 0; i < 6; i++) {
            a = a * 131 + p.smac[i];
            b = b * 131 + p.dmac[i];
        }
    }
    uint64_t h = (a ^ b) * 0x9e3779b97f4a7c15ull;
    return (uint32_t)((h >> 32) % (uint64_t)l->nw);
}

static void rotate_dump(struct live *l, int64_t now)
{
    const struct live_opts *lo = l->lo;
    if (l->dumper) {
        pcap_dump_close(l->dumper);
        l->dumper = NULL;
    }
    /* keep at most pcap_files files: delete the oldest of the ring */
    char old[1100];
    snprintf(old, sizeof old, "%s/otscope-%s-%03d.pcap", lo->pcap_dir, lo->iface,
             (l->dump_index + 1) % lo->pcap_files);
    unlink(old);
    l->dump_index = (l->dump_index + 1) % lo->pcap_files;
    snprintf(l->dump_path, sizeof l->dump_path, "%s/otscope-%s-%03d.pcap", lo->pcap_dir,
             lo->iface, l->dump_index);
    l->dumper = pcap_dump_open(live_handle, l->dump_path);
    if (!l->dumper)
        log_error("%s: %s", l->dump_path, pcap_geterr(live_handle));
    l->dump_started = now;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    struct live *l = (struct live *)user;
    int64_t ts = (int64_t)h->ts.tv_sec * 1000000000ll + (int64_t)h->ts.tv_usec;
    l->st->received++;
    if (l->lo->pcap_dir) {
        if (!l->dumper || ts - l->dump_started >= (int64_t)l->lo->pcap_file_seconds * 1000000000ll ||
            pcap_dump_ftell64(l->dumper) >= (int64_t)l->lo->pcap_file_mb << 20)
            rotate_dump(l, ts);
        if (l->dumper)
            pcap_dump((u_char *)l->dumper, h, data);
    }
    uint32_t caplen = h->caplen < SLOT_BYTES ? h->caplen : SLOT_BYTES;
    if (l->nw == 1) {
        struct worker *w = &l->w[0];
        pthread_mutex_lock(&w->lock);
        process(w, data, h->caplen, h->len, ts);
        pthread_mutex_unlock(&w->lock);
        return;
    }
    struct worker *w = &l->w[shard_of(l, data, h->caplen, l->w[0].linktype)];
    uint32_t hd = atomic_load_explicit(&w->head, memory_order_relaxed);
    if (hd - atomic_load_explicit(&w->tail, memory_order_acquire) >= RING_SLOTS) {
        /* The worker is behind (often only not scheduled for a while on a busy machine): wait
         * for it while the kernel ring (--buffer, 128 MB) holds the arriving frames, rather
         * than drop here while that far larger buffer has room; overload then shows as kernel
         * drops.  A worker that frees no slot for RING_WAIT_NS is stalled: its frames are
         * dropped and counted, without waiting, until it makes progress again. */
        int64_t until = w->stalled ? 0 : mono_ns() + RING_WAIT_NS;
        while (hd - atomic_load_explicit(&w->tail, memory_order_acquire) >= RING_SLOTS) {
            if (mono_ns() >= until) {
                w->stalled = true;
                l->st->ring_dropped++;
                return;
            }
            struct timespec pause = {0, 20000};
            nanosleep(&pause, NULL);
        }
    }
    w->stalled = false;
    struct slot *s = &w->ring[hd % RING_SLOTS];
    s->ts_ns = ts;
    s->caplen = caplen;
    s->wirelen = h->len;
    memcpy(s->data, data, caplen);
    atomic_store_explicit(&w->head, hd + 1, memory_order_release);
}

static int drop_privileges(const char *user, const char *db)
{
    if (geteuid() != 0)
        return 0;
    const char *name = user ? user : "nobody";
    struct passwd *pw = getpwnam(name);
    if (!pw) {
        log_error("user %s does not exist (--user)", name);
        return -1;
    }
    if (pw->pw_uid == 0) {
        log_error("warning: --user %s keeps root privileges", name);
        return 0;
    }
    /* the database stays writable for the unprivileged user */
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[1100];
        snprintf(p, sizeof p, "%s%s", db, sfx[i]);
        if (chown(p, pw->pw_uid, pw->pw_gid) != 0 && errno != ENOENT) {
            log_error("%s: cannot hand it to %s: %s", p, name, strerror(errno));
            return -1;
        }
    }
    if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        log_error("dropping root to %s: %s", name, strerror(errno));
        return -1;
    }
    if (setuid(0) == 0) {
        log_error("dropping root to %s: root could be regained", name);
        return -1;
    }
    log_info("running as %s", name);
    return 0;
}

static int flush(struct live *l, struct store *s, bool final)
{
    int rc = 0;
    for (int i = 0; i < l->nw; i++) {
        struct worker *w = &l->w[i];
        pthread_mutex_lock(&w->lock);
        if (final)
            flow_table_flush(w->ft);
        else
            flow_table_checkpoint(w->ft); /* long-lived flows are stored as they go */
        if (store_merge(s, &w->col, l->eo->site) != 0) {
            log_error("%s: %s", l->eo->db, store_error(s));
            rc = -1;
        }
        collector_reset(&w->col);
        pthread_mutex_unlock(&w->lock);
    }
    struct alert_config ac;
    alert_config_default(&ac);
    store_get_meta_int(s, "alert_learning_ns", &ac.learning_ns);
    if (store_rebuild_assets(s) || register_match(s) || alerts_rebuild(s, &ac))
        rc = -1;
    l->st->flushes++;
    return rc;
}

static void report_stats(struct live *l)
{
    struct pcap_stat ps;
    if (pcap_stats(live_handle, &ps) == 0) {
        l->st->kernel_dropped = ps.ps_drop;
        l->st->if_dropped = ps.ps_ifdrop;
    }
}

int live_capture(const struct engine_opts *eo, const struct live_opts *lo, struct live_stats *st)
{
    static struct live l;
    memset(&l, 0, sizeof l);
    memset(st, 0, sizeof *st);
    l.eo = eo;
    l.lo = lo;
    l.st = st;
    l.nw = lo->threads < 1 ? 1 : lo->threads > MAX_WORKERS ? MAX_WORKERS : lo->threads;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_create(lo->iface, err);
    if (!p) {
        log_error("%s: %s", lo->iface, err);
        return 3;
    }
    pcap_set_snaplen(p, 65535);
    pcap_set_promisc(p, 1);
    pcap_set_timeout(p, 100);
    pcap_set_buffer_size(p, (lo->buffer_mb > 0 ? lo->buffer_mb : 128) << 20);
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
    int a = pcap_activate(p);
    if (a < 0) {
        log_error("%s: %s", lo->iface, pcap_geterr(p));
        pcap_close(p);
        return a == PCAP_ERROR_PERM_DENIED ? 1 : 3;
    }
    /* Non-blocking reads and our own poll with a timeout: with TPACKET_V3 a blocking
     * pcap_dispatch waits until the kernel hands over a block, and it hands over none while the
     * link is quiet, so the periodic stores and SIGHUP reloads would wait for the next frame. */
    struct pollfd pfd = {.fd = pcap_get_selectable_fd(p), .events = POLLIN};
    if (pfd.fd < 0 || pcap_setnonblock(p, 1, err) != 0) {
        log_error("%s: cannot poll the capture: %s", lo->iface, pfd.fd < 0 ? "no fd" : err);
        pcap_close(p);
        return 1;
    }
    live_handle = p;
    if (lo->bpf) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, lo->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
            pcap_setfilter(p, &prog) != 0) {
            log_error("--bpf '%s': %s", lo->bpf, pcap_geterr(p));
            pcap_close(p);
            return 2;
        }
        pcap_freecode(&prog);
    }
    char serr[512];
    struct store *s = store_open(eo->db, true, serr, sizeof serr);
    if (!s) {
        log_error("%s: %s", eo->db, serr);
        pcap_close(p);
        return 1;
    }
    if (lo->pcap_dir)
        mkdir(lo->pcap_dir, 0750);
    if (drop_privileges(lo->user, eo->db) != 0) {
        store_close(s);
        pcap_close(p);
        return 1;
    }
    dissect_select(eo->dissectors);
    dissect_init();
    int64_t run_id = store_run_begin(s, eo->site, time_now_ns());
    char src[300];
    snprintf(src, sizeof src, "live:%s", lo->iface);
    int64_t file_id = store_file_begin(s, run_id, src, NULL);
    for (int i = 0; i < l.nw; i++) {
        struct worker *w = &l.w[i];
        pthread_mutex_init(&w->lock, NULL);
        collector_init(&w->col);
        w->dec = decoder_new(64);
        w->ft = flow_table_new(&eo->flow, collector_flow_done, &w->col);
        w->disp = dispatch_new(w->ft, &collector_sink, &w->col);
        w->linktype = pcap_datalink(p);
        w->file_id = (uint32_t)file_id;
        if (l.nw > 1) {
            w->ring = calloc(RING_SLOTS, sizeof *w->ring);
            pthread_create(&w->thread, NULL, worker_main, w);
        }
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    int64_t last_flush = time_now_ns();
    int rc = 0;
    while (!stop_flag) {
        int n = pcap_dispatch(p, 256, on_packet, (u_char *)&l);
        if (n == PCAP_ERROR) {
            log_error("%s: %s", lo->iface, pcap_geterr(p));
            rc = 1;
            break;
        }
        if (n == 0)
            poll(&pfd, 1, 100); /* quiet link or a partly filled block: at most 100 ms */
        if (lo->max_packets && st->received >= lo->max_packets)
            break;
        int64_t now = time_now_ns();
        if (reload_flag) {
            reload_flag = 0;
            if (lo->policy_file) {
                char perr[512];
                static struct policy pol;
                FILE *f = fopen(lo->policy_file, "rb");
                static char yaml[1 << 20];
                size_t len = f ? fread(yaml, 1, sizeof yaml, f) : 0;
                if (f)
                    fclose(f);
                if (f && policy_parse(&pol, yaml, len, perr, sizeof perr) == 0) {
                    segment_store_policy(s, yaml, len);
                    log_info("policy %s reloaded", lo->policy_file);
                } else {
                    log_error("%s: %s (policy kept)", lo->policy_file, f ? perr : "cannot open");
                }
            }
            last_flush = 0; /* apply at once */
        }
        if (now - last_flush >= (int64_t)lo->flush_seconds * 1000000000ll) {
            report_stats(&l);
            if (flush(&l, s, false) != 0)
                rc = 1;
            last_flush = now;
        }
    }
    /* Stopped by a signal: read the frames the kernel had already accepted (its count minus
     * its drops minus ours, modulo 2^32 like libpcap's counters; at most what the ring can
     * hold) instead of losing them uncounted, as neither received nor dropped.  The last,
     * partly filled block is handed over when its 100 ms timer expires.  Ends early when
     * nothing comes for longer than that, or at a second signal. */
    struct pcap_stat ps;
    if (stop_flag && rc == 0 && pcap_stats(p, &ps) == 0) {
        uint32_t pending = ps.ps_recv - ps.ps_drop - (uint32_t)st->received;
        uint64_t ring = (uint64_t)(lo->buffer_mb > 0 ? lo->buffer_mb : 128) << 20;
        uint32_t most = (uint32_t)(ring / 64); /* frames the ring holds: 64 bytes at least */
        uint64_t target = st->received + (pending < most ? pending : most);
        stop_flag = 0;
        while (st->received < target && !stop_flag) {
            int n = pcap_dispatch(p, 256, on_packet, (u_char *)&l);
            if (n < 0 || (n == 0 && poll(&pfd, 1, 150) <= 0))
                break;
        }
    }
    for (int i = 0; i < l.nw; i++) {
        atomic_store_explicit(&l.w[i].done, true, memory_order_release);
        if (l.nw > 1)
            pthread_join(l.w[i].thread, NULL);
    }
    report_stats(&l);
    if (flush(&l, s, true) != 0)
        rc = 1;
    store_run_end(s, run_id, time_now_ns(), st->received, 0, rc ? "failed" : "ok");
    if (l.dumper)
        pcap_dump_close(l.dumper);
    for (int i = 0; i < l.nw; i++) {
        dispatch_free(l.w[i].disp);
        flow_table_free(l.w[i].ft);
        decoder_free(l.w[i].dec);
        collector_free(&l.w[i].col);
        free(l.w[i].ring);
    }
    store_close(s);
    pcap_close(p);
    live_handle = NULL;
    return rc;
}
