/* kbench: pager benchmarks (see kbench.h). */
#include "kbench.h"

void kb_pager(void)
{
}
