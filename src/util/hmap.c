/* hmap.c - see hmap.h.  Arena blocks of 64 KiB; keys over 1 KiB are refused by the key builder
 * (truncated), so no entry is larger than a block. */
#include "util/hmap.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK (64 * 1024)

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

static void *arena_alloc(struct hmap *m, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct arena_block *b = m->arena;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = m->arena;
        b->used = 0;
        b->cap = cap;
        m->arena = b;
        m->bytes += sizeof *b + cap;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

/* 8 bytes at a time with a multiply-xorshift finaliser: fact keys are 30-300 bytes and are
 * hashed for every observation, so byte-at-a-time FNV was a hot spot */
uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0x94d049bb133111ebull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h;
}

void hmap_init(struct hmap *m, size_t vsize)
{
    memset(m, 0, sizeof *m);
    m->vsize = vsize;
}

void hmap_clear(struct hmap *m)
{
    struct arena_block *b = m->arena;
    while (b) {
        struct arena_block *n = b->next;
        free(b);
        b = n;
    }
    free(m->slots);
    size_t vsize = m->vsize;
    hmap_init(m, vsize);
}

static size_t key_room(size_t klen)
{
    return (klen + 15) & ~(size_t)15;
}

void *hmap_value(const struct hmap_entry *e)
{
    return (unsigned char *)(uintptr_t)(e + 1) + key_room(e->klen);
}

static bool grow(struct hmap *m)
{
    size_t n = m->nslots ? m->nslots * 2 : 256;
    struct hmap_entry **s = calloc(n, sizeof *s);
    if (!s)
        return false;
    for (struct hmap_entry *e = m->first; e; e = e->order) {
        size_t i = e->hash & (n - 1);
        e->next = s[i];
        s[i] = e;
    }
    m->bytes += (n - m->nslots) * sizeof *s;
    free(m->slots);
    m->slots = s;
    m->nslots = n;
    return true;
}

void *hmap_find(const struct hmap *m, const void *key, size_t klen)
{
    if (!m->nslots)
        return NULL;
    uint64_t h = hash_bytes(key, klen);
    for (struct hmap_entry *e = m->slots[h & (m->nslots - 1)]; e; e = e->next)
        if (e->hash == h && e->klen == klen && memcmp(e + 1, key, klen) == 0)
            return hmap_value(e);
    return NULL;
}

void *hmap_get(struct hmap *m, const void *key, size_t klen, bool *created)
{
    uint64_t h = hash_bytes(key, klen);
    if (created)
        *created = false;
    if (m->nslots) {
        for (struct hmap_entry *e = m->slots[h & (m->nslots - 1)]; e; e = e->next)
            if (e->hash == h && e->klen == klen && memcmp(e + 1, key, klen) == 0)
                return hmap_value(e);
    }
    if (m->count + 1 > m->nslots * 3 / 4 && !grow(m))
        return NULL;
    struct hmap_entry *e = arena_alloc(m, sizeof *e + key_room(klen) + m->vsize);
    if (!e)
        return NULL;
    e->hash = h;
    e->klen = (uint32_t)klen;
    e->order = NULL;
    memcpy(e + 1, key, klen);
    void *v = hmap_value(e);
    memset(v, 0, m->vsize);
    size_t i = h & (m->nslots - 1);
    e->next = m->slots[i];
    m->slots[i] = e;
    if (m->last)
        m->last->order = e;
    else
        m->first = e;
    m->last = e;
    m->count++;
    if (created)
        *created = true;
    return v;
}

