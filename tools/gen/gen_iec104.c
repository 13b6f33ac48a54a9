/* gen_iec104.c - placeholder until the iec104 scenario lands (issue 3). */
#include "gen.h"

void gen_scn_iec104(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                int ops)
{
    (void)g; (void)cli; (void)srv; (void)variant; (void)ops;
}
