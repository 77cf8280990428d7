/*
 * EVA only (tests/assurance/eva.sh puts this directory first on the
 * include path): the kernel's arch.h, except that phys_to_virt is the
 * harness's model of object memory (eva_main.c) instead of the direct
 * map's arithmetic (and virt_to_phys its inverse), and the kernel image's
 * range is the harness's. Everything else is the real header.
 */
#ifndef EVA_ARCH_H
#define EVA_ARCH_H
#include <asm.h> /* eva/asm.h (by the search path, so that its include_next finds the kernel's): CR0 and the port reads are the harness's */
#define phys_to_virt arch_phys_to_virt
#define virt_to_phys arch_virt_to_phys
#define kernel_image_start arch_kernel_image_start
#define kernel_image_end arch_kernel_image_end
#include_next "arch.h"
#undef phys_to_virt
#undef virt_to_phys
#undef kernel_image_start
#undef kernel_image_end
void *phys_to_virt(u64 pa);
/* The kernel image's physical range: numbers the harness chooses
 * (eva_boot.c), where the linker's symbols would be addresses EVA cannot
 * compare with physical ones. */
u64 kernel_image_start(void);
u64 kernel_image_end(void);
/* Its inverse, defined by the harness that needs it (eva_vs.c: the
 * kernel's own top-level table, kernel_pml4_phys). */
u64 virt_to_phys(const void *va);
/* kzero's SSE stores (zero.S) are assembly: to EVA, the memset they do. */
#define kzero(d, n) memset((d), 0, (n))
#endif
