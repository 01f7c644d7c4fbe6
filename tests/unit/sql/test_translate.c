/* test_translate.c — MySQL→SQLite translation of DML: placeholders from literals, LIMIT a,b,
 * SQL_CALC_FOUND_ROWS, function and operator rewrites, expression column names. */
#include "sqltest.h"

int main(void)
{
    return 0;
}
