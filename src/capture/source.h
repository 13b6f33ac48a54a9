/* source.h - capture files in, frames out, through libpcap (pcap and pcapng, micro- and
 * nanosecond).  Timestamps are always nanoseconds.  Errors carry the packet number. */
#ifndef OTSCOPE_SOURCE_H
#define OTSCOPE_SOURCE_H

#include <stdint.h>

#include "util/reader.h"

struct source;

enum source_status { SRC_FRAME = 1, SRC_EOF = 0, SRC_ERROR = -1 };

/* On failure returns NULL and writes the reason (without the path) to err. */
struct source *source_open_file(const char *path, char *err, size_t errlen);
void source_close(struct source *s);
/* the next frame; *frame borrows libpcap's buffer until the next call */
enum source_status source_next(struct source *s, struct rd *frame, int64_t *ts_ns,
                               uint32_t *wirelen);
int source_linktype(const struct source *s);
const char *source_error(const struct source *s); /* after SRC_ERROR */
uint64_t source_frames(const struct source *s);   /* frames returned so far */
uint64_t source_offset(const struct source *s);   /* bytes consumed, for progress */
uint64_t source_size(const struct source *s);     /* file size */

#endif
