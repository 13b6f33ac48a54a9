/* addr.c - formatting and classifying MAC and IP addresses. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "decode/packet.h"
#include "util/str.h"

void mac_format(const uint8_t m[6], char out[MAC_STRLEN])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 6; i++) {
        out[3 * i] = hex[m[i] >> 4];
        out[3 * i + 1] = hex[m[i] & 15];
        out[3 * i + 2] = i < 5 ? ':' : '\0';
    }
}

bool mac_parse(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    char tail;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) !=
            6 &&
        sscanf(s, "%2x-%2x-%2x-%2x-%2x-%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) !=
            6)
        return false;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)v[i];
    return true;
}

void ip_format(const struct ipaddr *a, char out[IP_STRLEN])
{
    if (a->family == 4)
        inet_ntop(AF_INET, a->b, out, IP_STRLEN);
    else if (a->family == 6)
        inet_ntop(AF_INET6, a->b, out, IP_STRLEN);
    else
        out[0] = '\0';
}

bool ip_parse(const char *s, struct ipaddr *a)
{
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, s, a->b) == 1) {
        a->family = 4;
        return true;
    }
    if (inet_pton(AF_INET6, s, a->b) == 1) {
        a->family = 6;
        return true;
    }
    return false;
}

bool ip_equal(const struct ipaddr *a, const struct ipaddr *b)
{
    return a->family == b->family && memcmp(a->b, b->b, 16) == 0;
}

bool ip_is_unicast_host(const struct ipaddr *a)
{
    if (a->family == 4) {
        const uint8_t *b = a->b;
        /* unspecified, multicast, reserved, limited broadcast.  A directed broadcast cannot be
         * told from a host without the netmask: frames to it are recognised by their
         * broadcast MAC instead (collect.c). */
        return (b[0] | b[1] | b[2] | b[3]) != 0 && (b[0] & 0xf0) != 0xe0 &&
               !(b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255);
    }
    if (a->family == 6) {
        static const uint8_t zero[16];
        return a->b[0] != 0xff && memcmp(a->b, zero, 16) != 0;
    }
    return false;
}

bool ip_is_private(const struct ipaddr *a)
{
    const uint8_t *b = a->b;
    if (a->family == 4)
        return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
               b[0] == 127 || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xc0) == 64);
    if (a->family == 6) {
        static const uint8_t loop[16] = {[15] = 1};
        return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
               memcmp(b, loop, 16) == 0;
    }
    return false;
}

bool mac_is_unicast(const uint8_t m[6])
{
    return !(m[0] & 1) && (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) != 0;
}
