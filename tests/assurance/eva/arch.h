/*
 * EVA only (tests/assurance/eva.sh puts this directory first on the
 * include path): the kernel's arch.h, except that phys_to_virt is the
 * harness's model of object memory (eva_main.c) instead of the direct
 * map's arithmetic. Everything else is the real header.
 */
#ifndef EVA_ARCH_H
#define EVA_ARCH_H
#define phys_to_virt arch_phys_to_virt
#include_next "arch.h"
#undef phys_to_virt
void *phys_to_virt(u64 pa);
#endif
