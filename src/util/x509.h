/* x509.h - the few fields of an X.509 certificate (RFC 5280 §4.1) a passive monitor shows:
 * subject, issuer and validity of a certificate seen in clear (TLS <= 1.2, RDP).  DER is read
 * through struct rd with bounded BER helpers; nothing is verified, so nothing here is trusted
 * beyond "this is what the peer presented". */
#ifndef OTSCOPE_X509_H
#define OTSCOPE_X509_H

#include <stdbool.h>
#include <stdint.h>

#include "util/reader.h"

#define X509_TIME_NONE INT64_MIN

struct x509_info {
    char subject[256]; /* "CN=plc-1.example, OU=.., O=Example, C=DE" (empty if none) */
    char issuer[256];
    char subject_cn[128]; /* the subject's commonName alone */
    char not_before[24];  /* "2024-01-31T12:00:00Z" */
    char not_after[24];
    int64_t not_before_s; /* seconds since the epoch, X509_TIME_NONE if unreadable */
    int64_t not_after_s;
    bool self_issued; /* subject and issuer render the same */
};

/* parse one DER certificate (the whole of 'der'); false when it is not one */
bool x509_parse(struct rd *der, struct x509_info *out);

#endif
