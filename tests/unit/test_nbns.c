/* test_nbns.c - placeholder until the nbns dissector lands (issue 4). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

int main(void)
{
    return 0;
}
