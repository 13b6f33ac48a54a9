/* test_ftp.c - placeholder until the ftp dissector lands (issue 4). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

int main(void)
{
    return 0;
}
