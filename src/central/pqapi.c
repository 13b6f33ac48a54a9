/* pqapi.c - see pqapi.h */
#define PQAPI_IMPL
#include "central/pqapi.h"

#include "util/dynlib.h"

struct pq_api pq_api;

bool pq_load(char *err, size_t errlen)
{
    static const char *const sonames[] = {"libpq.so.5"};
    static const struct dynsym syms[] = {
        DYNSYM(pq_api, PQconnectdbParams),  DYNSYM(pq_api, PQstatus),
        DYNSYM(pq_api, PQerrorMessage),     DYNSYM(pq_api, PQsetNoticeProcessor),
        DYNSYM(pq_api, PQfinish),           DYNSYM(pq_api, PQexec),
        DYNSYM(pq_api, PQexecParams),       DYNSYM(pq_api, PQresultStatus),
        DYNSYM(pq_api, PQresultErrorField), DYNSYM(pq_api, PQntuples),
        DYNSYM(pq_api, PQgetvalue),         DYNSYM(pq_api, PQgetisnull),
        DYNSYM(pq_api, PQcmdTuples),        DYNSYM(pq_api, PQclear),
    };
    static struct dynlib lib = {sonames, 1, syms, sizeof syms / sizeof *syms, "libpq5", false};
    return dynlib_load(&lib, err, errlen);
}
