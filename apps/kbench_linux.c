/* kbench: linux benchmarks (see kbench.h). */
#include "kbench.h"

void kb_linux(void)
{
}
