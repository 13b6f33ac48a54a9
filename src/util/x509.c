/* x509.c - subject, issuer and validity out of a DER X.509 certificate (RFC 5280 §4.1.2.4-6).
 * Names keep only the attributes people read (CN, OU, O, L, ST, C, DC, first of each) in that
 * order; times are UTCTime (two-digit years: >= 50 is 19xx, §4.1.2.5.1) or GeneralizedTime. */
#include "util/x509.h"

#include <stdio.h>
#include <string.h>

#include "util/ber.h"
#include "util/str.h"

/* attribute types id-at-* (X.520, arc 2.5.4) in output order */
static const struct {
    const char *oid, *label;
} x509_attrs[] = {
    {"2.5.4.3", "CN"}, {"2.5.4.11", "OU"}, {"2.5.4.10", "O"},
    {"2.5.4.7", "L"},  {"2.5.4.8", "ST"},  {"2.5.4.6", "C"},
    {"0.9.2342.19200300.100.1.25", "DC"}, /* domainComponent: OPC UA application certs */
};
#define X509_NATTR (sizeof x509_attrs / sizeof *x509_attrs)

/* a DirectoryString (or PrintableString/IA5String for C) as sanitised UTF-8 */
static void dir_string(uint8_t tag, struct rd *v, char *dst, size_t dstsz)
{
    if (tag == BER_BMP_STRING) {
        /* UCS-2 big-endian: convert the BMP to UTF-8 before sanitising */
        uint8_t buf[384];
        size_t o = 0;
        while (rd_left(v) >= 2 && o + 3 <= sizeof buf) {
            uint16_t u = rd_be16(v);
            if (u < 0x80) {
                buf[o++] = (uint8_t)u;
            } else if (u < 0x800) {
                buf[o++] = (uint8_t)(0xc0 | u >> 6);
                buf[o++] = (uint8_t)(0x80 | (u & 0x3f));
            } else {
                buf[o++] = (uint8_t)(0xe0 | u >> 12);
                buf[o++] = (uint8_t)(0x80 | (u >> 6 & 0x3f));
                buf[o++] = (uint8_t)(0x80 | (u & 0x3f));
            }
        }
        str_sanitize(dst, dstsz, buf, o);
        return;
    }
    if (tag == BER_UTF8_STRING || tag == BER_PRINTABLE || tag == BER_IA5_STRING ||
        tag == BER_T61_STRING)
        rd_str(v, rd_left(v), dst, dstsz);
    else
        dst[0] = 0;
}

/* Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue) */
static bool x509_name(struct rd *name, char *out, size_t outsz, char *cn, size_t cnsz)
{
    char vals[X509_NATTR][128];
    memset(vals, 0, sizeof vals);
    for (int guard = 0; rd_left(name) && guard < 64; guard++) {
        struct rd rdn;
        if (!ber_expect(name, BER_SET, &rdn))
            return false;
        while (rd_left(&rdn)) {
            struct rd atv, type, val;
            uint8_t vtag;
            char oid[32];
            if (!ber_expect(&rdn, BER_SEQUENCE, &atv) || !ber_expect(&atv, BER_OID, &type) ||
                !ber_next(&atv, &vtag, &val))
                return false;
            if (!ber_oid_text(&type, oid, sizeof oid))
                continue;
            for (size_t i = 0; i < X509_NATTR; i++)
                if (!strcmp(oid, x509_attrs[i].oid) && !vals[i][0])
                    dir_string(vtag, &val, vals[i], sizeof vals[i]);
        }
    }
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; i < X509_NATTR; i++) {
        if (!vals[i][0])
            continue;
        int w =
            snprintf(out + o, outsz - o, "%s%s=%s", o ? ", " : "", x509_attrs[i].label, vals[i]);
        if (w < 0 || (size_t)w >= outsz - o)
            break;
        o += (size_t)w;
    }
    if (cn)
        str_copy(cn, cnsz, vals[0]);
    return true;
}

/* days since 1970-01-01 of a proleptic Gregorian date */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned mp = m > 2 ? m - 3 : m + 9;
    unsigned doy = (153 * mp + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* "YYMMDDHHMMSSZ" or "YYYYMMDDHHMMSSZ" -> text and seconds */
static void x509_time(uint8_t tag, struct rd *v, char *text, size_t textsz, int64_t *secs)
{
    char raw[24];
    size_t n = rd_left(v);
    *secs = X509_TIME_NONE;
    text[0] = 0;
    if (n >= sizeof raw || (tag != BER_UTC_TIME && tag != BER_GEN_TIME))
        return;
    rd_bytes(v, raw, n);
    raw[n] = 0;
    const char *p = raw;
    int y, mo, d, h, mi, s = 0;
    if (tag == BER_UTC_TIME) {
        if (!digits(p, 2, &y))
            return;
        y += y >= 50 ? 1900 : 2000;
        p += 2;
    } else {
        if (!digits(p, 4, &y))
            return;
        p += 4;
    }
    if (!digits(p, 2, &mo) || !digits(p + 2, 2, &d) || !digits(p + 4, 2, &h) ||
        !digits(p + 6, 2, &mi))
        return;
    p += 8;
    if (p[0] >= '0' && p[0] <= '9') {
        if (!digits(p, 2, &s))
            return;
        p += 2;
    }
    if (*p != 'Z' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return;
    snprintf(text, textsz, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
    *secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s;
}

bool x509_parse(struct rd *der, struct x509_info *out)
{
    memset(out, 0, sizeof *out);
    out->not_before_s = out->not_after_s = X509_TIME_NONE;
    struct rd cert, tbs, tmp, issuer, validity, subject;
    uint8_t tag;
    if (!ber_expect(der, BER_SEQUENCE, &cert) || !ber_expect(&cert, BER_SEQUENCE, &tbs))
        return false;
    /* version [0] EXPLICIT, optional (§4.1.2.1) */
    if (rd_peek_u8(&tbs, 0) == 0xa0 && !ber_next(&tbs, &tag, &tmp))
        return false;
    if (!ber_expect(&tbs, BER_INTEGER, &tmp) ||  /* serialNumber */
        !ber_expect(&tbs, BER_SEQUENCE, &tmp) || /* signature algorithm */
        !ber_expect(&tbs, BER_SEQUENCE, &issuer) || !ber_expect(&tbs, BER_SEQUENCE, &validity) ||
        !ber_expect(&tbs, BER_SEQUENCE, &subject))
        return false;
    if (!x509_name(&issuer, out->issuer, sizeof out->issuer, NULL, 0) ||
        !x509_name(&subject, out->subject, sizeof out->subject, out->subject_cn,
                   sizeof out->subject_cn))
        return false;
    struct rd t1, t2;
    uint8_t tag1, tag2;
    if (ber_next(&validity, &tag1, &t1) && ber_next(&validity, &tag2, &t2)) {
        x509_time(tag1, &t1, out->not_before, sizeof out->not_before, &out->not_before_s);
        x509_time(tag2, &t2, out->not_after, sizeof out->not_after, &out->not_after_s);
    }
    out->self_issued = out->subject[0] && !strcmp(out->subject, out->issuer);
    return true;
}
