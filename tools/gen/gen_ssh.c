/* gen_ssh.c - placeholder until the ssh scenario lands (issue 4). */
#include "gen.h"

void gen_scn_ssh(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                int ops)
{
    (void)g;
    (void)cli;
    (void)srv;
    (void)variant;
    (void)ops;
}
