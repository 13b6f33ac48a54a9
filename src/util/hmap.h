/* hmap.h - a chained hash map from byte-string keys to fixed-size values, for aggregating facts
 * (sightings, evidence, operations) between a capture and the store.  Entries come from an
 * arena and live until hmap_clear: one allocation per distinct key, never per packet. */
#ifndef OTSCOPE_HMAP_H
#define OTSCOPE_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <stdint.h>

struct hmap_entry {
    struct hmap_entry *next;  /* chain */
    struct hmap_entry *order; /* insertion order, for deterministic iteration */
    uint64_t hash;
    uint32_t klen;
    /* key bytes, then padding to 16, then the value */
};

struct arena_block;
struct hmap {
    struct hmap_entry **slots;
    size_t nslots, count;
    size_t vsize;
    struct hmap_entry *first, *last;
    struct arena_block *arena;
    size_t bytes; /* memory held */
};

void hmap_init(struct hmap *m, size_t vsize);
void hmap_clear(struct hmap *m); /* frees everything */
/* the value for key, created zeroed when absent (*created = true).  NULL only when out of
 * memory. */
void *hmap_get(struct hmap *m, const void *key, size_t klen, bool *created);
void *hmap_find(const struct hmap *m, const void *key, size_t klen);
/* iteration in insertion order */
static inline struct hmap_entry *hmap_first(const struct hmap *m)
{
    return m->first;
}
static inline struct hmap_entry *hmap_next(const struct hmap_entry *e)
{
    return e->order;
}
static inline const void *hmap_key(const struct hmap_entry *e)
{
    return (const void *)(e + 1);
}
void *hmap_value(const struct hmap_entry *e);
uint64_t hash_bytes(const void *p, size_t n);

/* a key builder: fields appended with a 0 separator */
struct keybuf {
    char b[1024];
    size_t n;
};
static inline void kb_reset(struct keybuf *k)
{
    k->n = 0;
}

static inline void kb_mem(struct keybuf *k, const void *p, size_t n)
{
    if (n > sizeof k->b - k->n)
        n = sizeof k->b - k->n;
    memcpy(k->b + k->n, p, n);
    k->n += n;
}

/* a string and its terminating NUL, so that ("ab","c") and ("a","bc") differ */
static inline void kb_str(struct keybuf *k, const char *s)
{
    kb_mem(k, s ? s : "", s ? strlen(s) + 1 : 1);
}

#endif
