/* source.c - reading capture files.  Classic pcap files (either byte order, micro- or
 * nanosecond) are read in 4 MiB blocks and walked in place: three times faster than libpcap's
 * two freads per record, and faster than mmap, whose page faults cost more than the copy
 * (bench/RESULTS.md).  Everything else (pcapng, unusual link types) goes through libpcap.
 * Both paths apply the same checks and report errors with the packet number; the frames read
 * before an error stay valid. */
#include "capture/source.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pcap/dlt.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CAPLEN 262144u /* libpcap's MAXIMUM_SNAPLEN: a larger record is corrupt */

struct source {
    /* block-read path for classic pcap */
    int fd;
    uint8_t *buf;
    size_t have, pos;
    uint64_t off; /* file offset of buf[pos] */
    bool eof, swapped, nano;
    /* libpcap path */
    pcap_t *pcap;
    FILE *fp;
    int linktype;
    uint64_t frames;
    uint64_t size;
    char err[PCAP_ERRBUF_SIZE + 64];
};

static uint32_t get32(const uint8_t *p, bool swapped)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return swapped ? __builtin_bswap32(v) : v;
}

/* pcap LINKTYPE_* values (tcpdump.org/linktypes.html) to libpcap DLT_* where they differ */
static int linktype_to_dlt(uint32_t lt)
{
    switch (lt) {
    case 0: return DLT_NULL;
    case 1: return DLT_EN10MB;
    case 101: return DLT_RAW;
    case 108: return DLT_LOOP;
    case 113: return DLT_LINUX_SLL;
    case 228: return DLT_IPV4;
    case 229: return DLT_IPV6;
    case 276: return 276; /* DLT_LINUX_SLL2 */
    }
    return -1;
}

#define BLOCK (4u << 20)

/* a classic pcap file read in blocks; NULL to let libpcap try (pcapng, odd link types, pipes) */
static struct source *open_blocks(const char *path, const struct stat *st)
{
    if (!S_ISREG(st->st_mode) || st->st_size < 24)
        return NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    uint8_t h[24];
    if (read(fd, h, 24) != 24) {
        close(fd);
        return NULL;
    }
    bool swapped = false, nano = false;
    switch (get32(h, false)) {
    case 0xa1b2c3d4: break;
    case 0xa1b23c4d: nano = true; break;
    case 0xd4c3b2a1: swapped = true; break;
    case 0x4d3cb2a1: swapped = nano = true; break;
    default:
        close(fd);
        return NULL;
    }
    int dlt = linktype_to_dlt(get32(h + 20, swapped) & 0xffff);
    struct source *s = dlt >= 0 ? calloc(1, sizeof *s) : NULL;
    if (s)
        s->buf = malloc(BLOCK);
    if (!s || !s->buf) {
        free(s);
        close(fd);
        return NULL;
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    s->fd = fd;
    s->off = 24;
    s->swapped = swapped;
    s->nano = nano;
    s->linktype = dlt;
    s->size = (uint64_t)st->st_size;
    return s;
}

/* make at least 'want' bytes available at buf[pos] unless the file ends first */
static void fill(struct source *s, size_t want)
{
    if (s->have - s->pos >= want || s->eof)
        return;
    memmove(s->buf, s->buf + s->pos, s->have - s->pos);
    s->have -= s->pos;
    s->pos = 0;
    while (s->have < BLOCK && !s->eof) {
        ssize_t r = read(s->fd, s->buf + s->have, BLOCK - s->have);
        if (r <= 0)
            s->eof = true; /* a read error ends the file like EOF: the record is truncated */
        else
            s->have += (size_t)r;
    }
}

static enum source_status next_block(struct source *s, struct rd *frame, int64_t *ts_ns,
                                     uint32_t *wirelen)
{
    fill(s, 16);
    size_t left = s->have - s->pos;
    if (left == 0)
        return SRC_EOF;
    unsigned long long n = (unsigned long long)s->frames + 1;
    if (left < 16) {
        snprintf(s->err, sizeof s->err, "packet %llu: truncated record header (%zu of 16 bytes)",
                 n, left);
        return SRC_ERROR;
    }
    const uint8_t *h = s->buf + s->pos;
    uint32_t caplen = get32(h + 8, s->swapped);
    if (caplen <= MAX_CAPLEN && left < 16 + (size_t)caplen) {
        fill(s, 16 + (size_t)caplen);
        left = s->have - s->pos;
        h = s->buf + s->pos;
    }
    uint32_t sec = get32(h, s->swapped), frac = get32(h + 4, s->swapped);
    uint32_t len = get32(h + 12, s->swapped);
    if (caplen > MAX_CAPLEN) {
        snprintf(s->err, sizeof s->err, "packet %llu: impossible record length %u (maximum %u)",
                 n, caplen, MAX_CAPLEN);
        return SRC_ERROR;
    }
    if (left - 16 < caplen) {
        snprintf(s->err, sizeof s->err, "packet %llu: truncated record (%zu of %u bytes)", n,
                 left - 16, caplen);
        return SRC_ERROR;
    }
    *frame = rd_init(h + 16, caplen);
    *ts_ns = (int64_t)sec * 1000000000ll + (s->nano ? (int64_t)frac : (int64_t)frac * 1000);
    *wirelen = len < caplen ? caplen : len;
    s->pos += 16 + (size_t)caplen;
    s->off += 16 + (uint64_t)caplen;
    s->frames++;
    return SRC_FRAME;
}

struct source *source_open_file(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "is a directory, not a capture file");
        return NULL;
    }
    struct source *m = open_blocks(path, &st);
    if (m)
        return m;
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!p) {
        /* libpcap's wording for a non-capture is "unknown file format" */
        snprintf(err, errlen, "not a pcap or pcapng capture (%s)", perr);
        return NULL;
    }
    struct source *s = calloc(1, sizeof *s);
    if (!s) {
        pcap_close(p);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->pcap = p;
    s->fp = pcap_file(p);
    s->linktype = pcap_datalink(p);
    s->size = (uint64_t)st.st_size;
    return s;
}

void source_close(struct source *s)
{
    if (!s)
        return;
    if (s->buf) {
        free(s->buf);
        close(s->fd);
    }
    if (s->pcap)
        pcap_close(s->pcap);
    free(s);
}

enum source_status source_next(struct source *s, struct rd *frame, int64_t *ts_ns,
                               uint32_t *wirelen)
{
    if (s->buf)
        return next_block(s, frame, ts_ns, wirelen);
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(s->pcap, &h, &data);
    if (rc == 1) {
        s->frames++;
        *frame = rd_init(data, h->caplen);
        /* with PCAP_TSTAMP_PRECISION_NANO, tv_usec holds nanoseconds */
        *ts_ns = (int64_t)h->ts.tv_sec * 1000000000ll + (int64_t)h->ts.tv_usec;
        *wirelen = h->len;
        return SRC_FRAME;
    }
    if (rc == PCAP_ERROR_BREAK)
        return SRC_EOF;
    snprintf(s->err, sizeof s->err, "packet %llu: %s", (unsigned long long)s->frames + 1,
             pcap_geterr(s->pcap));
    return SRC_ERROR;
}

int source_linktype(const struct source *s)
{
    return s->linktype;
}

const char *source_error(const struct source *s)
{
    return s->err;
}

uint64_t source_frames(const struct source *s)
{
    return s->frames;
}

uint64_t source_offset(const struct source *s)
{
    if (s->buf)
        return s->off;
    long off = s->fp ? ftell(s->fp) : -1;
    return off < 0 ? 0 : (uint64_t)off;
}

uint64_t source_size(const struct source *s)
{
    return s->size;
}
