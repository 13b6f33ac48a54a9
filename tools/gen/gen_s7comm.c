/* gen_s7comm.c - placeholder until the s7comm scenario lands (issue 3). */
#include "gen.h"

void gen_scn_s7comm(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                int ops)
{
    (void)g; (void)cli; (void)srv; (void)variant; (void)ops;
}
