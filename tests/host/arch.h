/* Host stand-in for kernel/arch/x86_64/arch.h, for kernel files a host
 * test builds that include "arch.h" (multiboot.c: test_multiboot.c).
 * Physical memory is the test's buffer host_phys; the direct map ends at
 * 4 GiB as the kernel's. The test defines host_phys, kprintf and panic. */
#ifndef ARCH_H
#define ARCH_H
#include "kernel.h"

#define DIRECT_MAP_LIMIT 0x100000000ull

extern u8 *host_phys;
static inline void *phys_to_virt(u64 pa) { return host_phys + pa; }
void kprintf(const char *fmt, ...);
__attribute__((noreturn)) void panic(const char *fmt, ...);
#endif
