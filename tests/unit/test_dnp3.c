/* test_dnp3.c - placeholder until the dnp3 dissector lands (issue 3). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

int main(void)
{
    return 0;
}
