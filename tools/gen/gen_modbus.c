/* gen_modbus.c - placeholder until the modbus scenario lands (issue 3). */
#include "gen.h"

void gen_scn_modbus(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                int ops)
{
    (void)g; (void)cli; (void)srv; (void)variant; (void)ops;
}
