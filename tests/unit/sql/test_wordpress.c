/* test_wordpress.c — placeholder */
#include "sqltest.h"
int main(void) { return 0; }
