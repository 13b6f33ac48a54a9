/* source.c - reading capture files with libpcap.  Everything libpcap accepts is read (pcap,
 * pcapng, nanosecond variants); what it rejects is reported with the packet number and the
 * frames read before the error stay valid. */
#include "capture/source.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct source {
    pcap_t *pcap;
    FILE *fp;
    int linktype;
    uint64_t frames;
    uint64_t size;
    char err[PCAP_ERRBUF_SIZE + 64];
};

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
    pcap_close(s->pcap);
    free(s);
}

enum source_status source_next(struct source *s, struct rd *frame, int64_t *ts_ns,
                               uint32_t *wirelen)
{
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
    long off = s->fp ? ftell(s->fp) : -1;
    return off < 0 ? 0 : (uint64_t)off;
}

uint64_t source_size(const struct source *s)
{
    return s->size;
}
