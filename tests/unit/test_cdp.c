/* test_cdp.c - placeholder until the cdp dissector lands (issue 4). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

int main(void)
{
    return 0;
}
