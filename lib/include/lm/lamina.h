/* All of liblamina, for programs that want it all. */
#ifndef LM_LAMINA_H
#define LM_LAMINA_H

#include <lamina/bootinfo.h>
#include <lm/sys.h>
#include <lm/string.h>
#include <lm/printf.h>
#include <lm/console.h>
#include <lm/exception.h>
#include <lm/reflect.h>
#include <lm/slot.h>
#include <lm/untyped.h>
#include <lm/vspace.h>
#include <lm/vm.h>
#include <lm/elf.h>
#include <lm/bpf_elf.h>
#include <lm/thread.h>
#include <lm/spawn.h>
#include <lm/cmdline.h>
#include <lm/fork.h>
#include <lm/fpu.h>
#include <lm/uthread.h>

#endif
