/* test_mqtt.c - placeholder until the mqtt dissector lands (issue 3). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

int main(void)
{
    return 0;
}
