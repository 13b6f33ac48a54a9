/* registry.c - the one table of dissectors, and O(1) port/ethertype maps built from it at start.
 * Adding a protocol: write dissect/NAME.c with a 'const struct dissector dissector_NAME', add it
 * to the list below and to meson.build, add a capture and a test.  Nothing else changes. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define X(n) extern const struct dissector dissector_##n;
#include "dissect/list.h"
#undef X

static const struct dissector *const table[] = {
#define X(n) &dissector_##n,
#include "dissect/list.h"
#undef X
};
#define NDISSECT (sizeof table / sizeof table[0])

/* port -> table index + 1 (0 = none).  2 x 64 KiB, built once. */
static uint8_t tcp_map[65536], udp_map[65536];
static size_t state_max;
static bool disabled[sizeof table / sizeof table[0]];

int dissect_select(const char *list)
{
    bool all = !list || !strcmp(list, "all");
    for (size_t i = 0; i < NDISSECT; i++)
        disabled[i] = !all;
    if (all || !strcmp(list, "none"))
        return 0;
    char buf[512];
    str_fmt(buf, sizeof buf, "%s", list);
    for (char *save, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (i < NDISSECT && strcmp(table[i]->name, tok) != 0)
            i++;
        if (i == NDISSECT)
            return -1;
        disabled[i] = false;
    }
    return 0;
}

static void claim(uint8_t *map, uint16_t port, size_t idx, const char *what)
{
    if (map[port] && map[port] != idx + 1) {
        fprintf(stderr, "otscope: registry: %s port %u claimed by %s and %s\n", what, port,
                table[map[port] - 1]->name, table[idx]->name);
        abort();
    }
    map[port] = (uint8_t)(idx + 1);
}

void dissect_init(void)
{
    _Static_assert(sizeof table / sizeof table[0] < 255, "port maps hold 8-bit indexes");
    memset(tcp_map, 0, sizeof tcp_map);
    memset(udp_map, 0, sizeof udp_map);
    state_max = 0;
    for (size_t i = 0; i < NDISSECT; i++) {
        const struct dissector *d = table[i];
        if (disabled[i])
            continue;
        if (d->state_size > DISSECT_STATE_MAX || !d->parse || (d->tcp_ports[0] && !d->frame)) {
            fprintf(stderr, "otscope: registry: dissector %s is inconsistent\n", d->name);
            abort();
        }
        if (d->state_size > state_max)
            state_max = d->state_size;
        for (int k = 0; k < 4 && d->tcp_ports[k]; k++)
            claim(tcp_map, d->tcp_ports[k], i, "tcp");
        for (int k = 0; k < 4 && d->udp_ports[k]; k++)
            claim(udp_map, d->udp_ports[k], i, "udp");
    }
}

const struct dissector *dissect_by_tcp_port(uint16_t port)
{
    return tcp_map[port] ? table[tcp_map[port] - 1] : NULL;
}

const struct dissector *dissect_by_udp_port(uint16_t port)
{
    return udp_map[port] ? table[udp_map[port] - 1] : NULL;
}

const struct dissector *dissect_by_ethertype(uint16_t ethertype)
{
    for (size_t i = 0; i < NDISSECT; i++)
        if (!disabled[i] && table[i]->ethertype && table[i]->ethertype == ethertype)
            return table[i];
    return NULL;
}

const struct dissector *dissect_probe(const struct rd *payload, uint8_t l4)
{
    for (size_t i = 0; i < NDISSECT; i++) {
        const struct dissector *d = table[i];
        if (!d->probe || disabled[i])
            continue;
        if (l4 == L4_TCP && !d->frame)
            continue;
        struct rd copy = *payload;
        if (d->probe(&copy, l4))
            return d;
    }
    return NULL;
}

const struct dissector *dissect_by_name(const char *name)
{
    for (size_t i = 0; i < NDISSECT; i++)
        if (strcmp(table[i]->name, name) == 0)
            return table[i];
    return NULL;
}

size_t dissect_count(void)
{
    return NDISSECT;
}

const struct dissector *dissect_at(size_t i)
{
    return i < NDISSECT ? table[i] : NULL;
}

size_t dissect_state_max(void)
{
    return state_max;
}
