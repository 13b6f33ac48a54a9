/* gen_http.c - placeholder until the http scenario lands (issue 4). */
#include "gen.h"

void gen_scn_http(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                int ops)
{
    (void)g;
    (void)cli;
    (void)srv;
    (void)variant;
    (void)ops;
}
