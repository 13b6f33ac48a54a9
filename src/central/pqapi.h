/* pqapi.h - libpq, loaded on first use (util/dynlib.h): the libpq functions otscope calls, as
 * pointers that pq_load fills.  Included by pg.h after libpq-fe.h; the macros below make the
 * usual PQ... names call through the table, so the central code reads like plain libpq. */
#ifndef OTSCOPE_CENTRAL_PQAPI_H
#define OTSCOPE_CENTRAL_PQAPI_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct pq_api {
    __typeof__(PQconnectdbParams) *PQconnectdbParams;
    __typeof__(PQstatus) *PQstatus;
    __typeof__(PQerrorMessage) *PQerrorMessage;
    __typeof__(PQsetNoticeProcessor) *PQsetNoticeProcessor;
    __typeof__(PQfinish) *PQfinish;
    __typeof__(PQexec) *PQexec;
    __typeof__(PQexecParams) *PQexecParams;
    __typeof__(PQresultStatus) *PQresultStatus;
    __typeof__(PQresultErrorField) *PQresultErrorField;
    __typeof__(PQntuples) *PQntuples;
    __typeof__(PQgetvalue) *PQgetvalue;
    __typeof__(PQgetisnull) *PQgetisnull;
    __typeof__(PQcmdTuples) *PQcmdTuples;
    __typeof__(PQclear) *PQclear;
};
extern struct pq_api pq_api;

/* load libpq (once); false with the reason in err */
bool pq_load(char *err, size_t errlen);

#ifndef PQAPI_IMPL
#define PQconnectdbParams    pq_api.PQconnectdbParams
#define PQstatus             pq_api.PQstatus
#define PQerrorMessage       pq_api.PQerrorMessage
#define PQsetNoticeProcessor pq_api.PQsetNoticeProcessor
#define PQfinish             pq_api.PQfinish
#define PQexec               pq_api.PQexec
#define PQexecParams         pq_api.PQexecParams
#define PQresultStatus       pq_api.PQresultStatus
#define PQresultErrorField   pq_api.PQresultErrorField
#define PQntuples            pq_api.PQntuples
#define PQgetvalue           pq_api.PQgetvalue
#define PQgetisnull          pq_api.PQgetisnull
#define PQcmdTuples          pq_api.PQcmdTuples
#define PQclear              pq_api.PQclear
#endif

#endif
