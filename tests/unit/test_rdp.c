/* test_rdp.c - placeholder until the rdp dissector lands (issue 4). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

int main(void)
{
    return 0;
}
