/* test_snmp.c - placeholder until the snmp dissector lands (issue 4). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

int main(void)
{
    return 0;
}
