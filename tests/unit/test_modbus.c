/* test_modbus.c - placeholder until the modbus dissector lands (issue 3). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

int main(void)
{
    return 0;
}
