/* gen_dnp3.c - placeholder until the dnp3 scenario lands (issue 3). */
#include "gen.h"

void gen_scn_dnp3(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                int ops)
{
    (void)g; (void)cli; (void)srv; (void)variant; (void)ops;
}
