/* test_profinet_dcp.c - placeholder until the profinet_dcp dissector lands (issue 3). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

int main(void)
{
    return 0;
}
