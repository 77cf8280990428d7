/* kbench: vm benchmarks (see kbench.h). */
#include "kbench.h"

void kb_vm(void)
{
}
