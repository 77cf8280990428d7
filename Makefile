# Lamina build. `make` builds everything; `make run` boots to the system,
# `make test` runs host and guest tests, `make iso` builds a GRUB ISO.
# Nothing here depends on KVM: QEMU uses TCG unless ACCEL=kvm.

B        := build
CC       := gcc
LD       := ld
OBJCOPY  := objcopy
PYTHON   := python3

GCCINC   := $(shell $(CC) -print-file-name=include)
WARN     := -Wall -Wextra -Wno-unused-parameter -Wstrict-prototypes -Werror=implicit-function-declaration
COMMON   := -std=gnu11 -ffreestanding -nostdinc -isystem $(GCCINC) -Iinclude \
            -fno-pie -fno-stack-protector -fno-omit-frame-pointer -fno-common -O2 -g $(WARN)

# The kernel: higher half, no red zone (interrupts push on the same stack),
# no SSE (user FPU state is only saved on a switch, so the kernel must not
# touch it), and so no 16-byte stack alignment either (nothing in the
# kernel needs it; functions that push an odd number of registers no longer
# pad the stack with a sub and an add).
KCFLAGS  := $(COMMON) -Ikernel -Ikernel/arch/x86_64 -mcmodel=kernel -mno-red-zone \
            -mgeneral-regs-only -mno-sse -mno-mmx -mno-avx -mpreferred-stack-boundary=3 \
            -fno-asynchronous-unwind-tables \
            -DLAMINA_KERNEL
KASFLAGS := -Iinclude -Ikernel -Ikernel/arch/x86_64 -DLAMINA_KERNEL -D__ASSEMBLY__

# User programs: static, linked at 0x400000, liblamina instead of libc.
UCFLAGS  := $(COMMON) -Ilib/include -mno-red-zone -fno-asynchronous-unwind-tables
ULDFLAGS := -nostdlib -static -T lib/user.ld -z max-page-size=0x1000 --no-warn-rwx-segments

KSRC     := $(wildcard kernel/*.c kernel/arch/x86_64/*.c kernel/bpf/*.c)
# eBPF files that need the rest of the kernel; the others (interpreter,
# verifier, helpers) also build on the host, into bpf-run and host tests.
BPF_KONLY := kernel/bpf/prog.c kernel/bpf/predicate.c kernel/bpf/filter.c
BPF_SHARED = $(filter-out $(BPF_KONLY),$(wildcard kernel/bpf/*.c))

# The fuzzing build (`make fuzz`, KCOV=1, in build-fuzz/): the system-call
# and fault-path files call kernel/kcov.c at every basic block. Boot-only
# files, the checker (debug.c) and the helpers below them are left out.
# The counting build (`make bench-count`, COUNT=1, kernel only, in
# build-count/): the kernel counts privilege switches, CR3 writes and TLB
# flushes for DEBUG_COUNTS (kernel/count.h). Any other build counts nothing.
ifeq ($(COUNT),1)
KCFLAGS  += -DLM_COUNT_EVENTS
KASFLAGS += -DLM_COUNT_EVENTS
endif

KCOV_SRC := $(filter-out kernel/main.c kernel/bootmem.c kernel/multiboot.c kernel/root.c \
              kernel/elf.c kernel/format.c kernel/panic.c kernel/string.c kernel/debug.c \
              kernel/kcov.c,$(wildcard kernel/*.c)) kernel/arch/x86_64/trap.c $(BPF_KONLY)
ifeq ($(KCOV),1)
KCFLAGS  += -DLAMINA_KCOV
$(patsubst %,$(B)/%.o,$(KCOV_SRC)): KCFLAGS += -fsanitize-coverage=trace-pc
endif
# The system-call and exception hot paths keep no frame pointer: its
# push/mov/leave is a tenth of a null call. A backtrace through them skips
# their frames (panic.c stops at an rbp that is not a kernel address).
KHOT_SRC := kernel/syscall.c kernel/fastpath.c kernel/upcall.c kernel/arch/x86_64/trap.c \
            kernel/sched.c kernel/notify.c kernel/endpoint.c kernel/thread.c kernel/vspace.c
$(patsubst %,$(B)/%.o,$(KHOT_SRC)): KCFLAGS += -fomit-frame-pointer
KASM     := $(wildcard kernel/arch/x86_64/*.S)
KOBJ     := $(patsubst %,$(B)/%.o,$(KSRC) $(KASM))

LSRC     := $(wildcard lib/*.c)
LASM     := $(wildcard lib/*.S)
LOBJ     := $(patsubst %,$(B)/%.o,$(LSRC) $(LASM))
# The eBPF ELF loader: in liblamina, and built for the host too (bpf-run, tests).
BPF_ELF_SRC := lib/bpf_elf.c lib/bpf_elf_link.c

comma := ,
space := $(empty) $(empty)

# Each user program: name -> its sources.
PROGS          := root ktest hello probe kbench console shell linux forktest spin block conread fs proc timer mem memdemo
root_SRC       := $(wildcard servers/root/*.c)
ktest_SRC      := $(wildcard tests/guest/*.c)
hello_SRC      := apps/hello.c
probe_SRC      := apps/probe.c
kbench_SRC     := $(wildcard apps/kbench*.c)
console_SRC    := $(wildcard servers/console/*.c)
fs_SRC         := $(wildcard servers/fs/*.c)
proc_SRC       := $(wildcard servers/proc/*.c)
timer_SRC      := $(wildcard servers/timer/*.c)
mem_SRC        := $(wildcard servers/mem/*.c)
shell_SRC      := apps/shell.c apps/shell_pm.c apps/shell_show.c
linux_SRC      := $(wildcard linux/*.c)
forktest_SRC   := apps/forktest.c apps/forktest_hostile.c apps/forktest_share.c
spin_SRC       := apps/spin.c
block_SRC      := apps/block.c
conread_SRC    := apps/conread.c
memdemo_SRC    := apps/memdemo.c
# The Linux personality lives at 1 GiB, out of the way of a Linux
# executable's usual 0x400000 (docs/LINUX.md has the whole layout).
linux_LDFLAGS  := -Ttext=0x40000000
PROG_ELFS      := $(patsubst %,$(B)/%.elf,$(PROGS))

# Boot modules in the order the kernel receives them (root first).
MODULES        := $(B)/root.elf:root $(B)/ktest.elf:ktest $(B)/hello.elf:hello $(B)/probe.elf:probe \
                  $(B)/kbench.elf:kbench $(B)/console.elf:console $(B)/shell.elf:shell \
                  $(B)/linux.elf:linux $(B)/linux-hello.elf:linux-hello \
                  $(B)/forktest.elf:forktest $(B)/spin.elf:spin $(B)/block.elf:block \
                  $(B)/conread.elf:conread $(B)/linux-busybox.elf:linux-busybox \
                  $(B)/linux-calls.elf:linux-calls $(B)/linux-calls-pie.elf:linux-calls-pie \
                  $(B)/linux-procs.elf:linux-procs \
                  $(B)/fs.elf:fs $(B)/rootfs.cpio:rootfs $(B)/proc.elf:proc $(B)/timer.elf:timer \
                  $(B)/mem.elf:mem $(B)/memdemo.elf:memdemo
# QEMU wants "path name,path name": join with commas, then turn each
# path:name into "path name".
QEMU_MODULES   := $(subst |, ,$(subst $(space),$(comma),$(foreach m,$(MODULES),$(subst :,|,$(m)))))

HOST_TESTS     := $(patsubst tests/host/%.c,$(B)/host/%,$(wildcard tests/host/test_*.c))
HOSTCFLAGS     := -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter -Iinclude -Ikernel \
                  -Ilib/include -Itests/host -fsanitize=address,undefined -fno-sanitize-recover=all \
                  -DLAMINA_HOST -DBPF_OBJ_DIR='"$(B)/bpf"'

.PHONY: all deps kernel user run test iso debug bench bench-lamina bench-count bench-bpf \
        bench-linux-personality clean host-tests \
        host-tools fuzz fuzz-bpf bpf linux-check linux-fuzz assure
all: kernel user host-tools bpf

# The Debian packages the build, run and tests need: installed when root,
# else the exact apt-get line is printed (silent when all are present).
deps:
	@bash tools/deps.sh

kernel: $(B)/lamina.elf $(B)/lamina.elf32
LINUX_PROGS    := $(B)/linux-hello.elf $(B)/linux-busybox.elf $(B)/linux-calls.elf \
                  $(B)/linux-calls-pie.elf $(B)/linux-procs.elf $(B)/rootfs.cpio
user: $(PROG_ELFS) $(LINUX_PROGS)

# --- kernel: link twice so the panic backtrace can name symbols ------------
# Pass 1 links with an empty symbol table; its symbols are sorted into
# ksyms.S, which sits in the last section so no earlier address moves.
$(B)/lamina.pass1: $(KOBJ) $(B)/ksyms_empty.o kernel/arch/x86_64/linker.ld
	$(LD) -nostdlib -z max-page-size=0x1000 --no-warn-rwx-segments -T kernel/arch/x86_64/linker.ld -o $@ $(KOBJ) $(B)/ksyms_empty.o

$(B)/ksyms.S: $(B)/lamina.pass1 tools/gen-ksyms.sh
	sh tools/gen-ksyms.sh $< > $@

$(B)/ksyms_empty.S: tools/gen-ksyms.sh
	@mkdir -p $(B)
	sh tools/gen-ksyms.sh > $@

$(B)/%.o: $(B)/%.S
	$(CC) -c $(KASFLAGS) -o $@ $<

$(B)/lamina.elf: $(KOBJ) $(B)/ksyms.o kernel/arch/x86_64/linker.ld
	$(LD) -nostdlib -z max-page-size=0x1000 --no-warn-rwx-segments -T kernel/arch/x86_64/linker.ld -o $@ $(KOBJ) $(B)/ksyms.o
	@sh tools/check-ksyms.sh $(B)/lamina.pass1 $@

# QEMU's multiboot loader takes only 32-bit ELF images.
$(B)/lamina.elf32: $(B)/lamina.elf
	$(OBJCOPY) -O elf32-i386 $< $@

$(B)/kernel/%.c.o: kernel/%.c
	@mkdir -p $(dir $@)
	$(CC) -c $(KCFLAGS) -MMD -MP -o $@ $<

$(B)/kernel/%.S.o: kernel/%.S
	@mkdir -p $(dir $@)
	$(CC) -c $(KASFLAGS) -MMD -MP -o $@ $<

# --- user space -------------------------------------------------------------
$(B)/lib/%.c.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CC) -c $(UCFLAGS) -MMD -MP -o $@ $<

$(B)/lib/%.S.o: lib/%.S
	@mkdir -p $(dir $@)
	$(CC) -c -Iinclude -Ilib/include -D__ASSEMBLY__ -MMD -MP -o $@ $<

$(B)/liblamina.a: $(LOBJ)
	rm -f $@; ar rcs $@ $^

$(B)/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) -c $(UCFLAGS) -MMD -MP -o $@ $<

# Each program is linked with its debug information into NAME.debug.elf (for
# gdb and addr2line) and installed as a boot module without it: modules are
# copied into frames at boot and mapped into the programs that get them.
define PROG_RULE
$(B)/$(1).debug.elf: $$(patsubst %,$(B)/%.o,$$($(1)_SRC)) $(B)/liblamina.a lib/user.ld
	$(LD) $(ULDFLAGS) $$($(1)_LDFLAGS) -o $$@ $$(filter %.o,$$^) $(B)/liblamina.a
$(B)/$(1).elf: $(B)/$(1).debug.elf
	objcopy --strip-debug $$< $$@
endef
$(foreach p,$(PROGS),$(eval $(call PROG_RULE,$(p))))

# Unmodified Linux programs for the Linux personality (linux/): C tests
# built with musl (musl-tools), static and static-pie, and Debian's
# glibc-static busybox (busybox-static; tools/deps.sh installs both).
$(B)/linux-hello.elf: tests/linux/hello.c | deps
	@mkdir -p $(B)
	musl-gcc -static -O2 -Wall -o $@ $<

LINUX_CALLS_SRC := $(wildcard tests/linux/calls*.c) tests/linux/calls.h tests/linux/check.h
$(B)/linux-calls.elf: $(LINUX_CALLS_SRC) | deps
	@mkdir -p $(B)
	musl-gcc -static -O2 -Wall -o $@ $(filter %.c,$^)

# Debian's musl-gcc wrapper does not know -static-pie (its specs ask for
# the dynamic loader): the start files and libc.a are named here, with
# rcrt1.o, musl's self-relocating start for static-pie.
MUSL_LIB := /usr/lib/x86_64-linux-musl
$(B)/linux-calls-pie.elf: $(LINUX_CALLS_SRC) | deps
	@mkdir -p $(B)
	musl-gcc -static-pie -fPIE -O2 -Wall -nostartfiles -nodefaultlibs -o $@ \
	  $(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o $$($(CC) -print-file-name=crtbeginS.o) \
	  $(filter %.c,$^) $(MUSL_LIB)/libc.a $$($(CC) -print-file-name=libgcc.a) \
	  $$($(CC) -print-file-name=crtendS.o) $(MUSL_LIB)/crtn.o -Wl,--no-dynamic-linker

# execve's chain (tests/linux/exec.c): run from the file tree, not as modules.
$(B)/linux-exec-test.elf: tests/linux/exec.c | deps
	@mkdir -p $(B)
	musl-gcc -static -O2 -Wall -o $@ $<
$(B)/linux-exec-show.elf: tests/linux/exec_show.c | deps
	@mkdir -p $(B)
	musl-gcc -static -O2 -Wall -o $@ $<
$(B)/linux-exec-show-pie.elf: tests/linux/exec_show.c | deps
	@mkdir -p $(B)
	musl-gcc -static-pie -fPIE -O2 -Wall -nostartfiles -nodefaultlibs -o $@ \
	  $(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o $$($(CC) -print-file-name=crtbeginS.o) \
	  $< $(MUSL_LIB)/libc.a $$($(CC) -print-file-name=libgcc.a) \
	  $$($(CC) -print-file-name=crtendS.o) $(MUSL_LIB)/crtn.o -Wl,--no-dynamic-linker
# The system-call fuzzer (tests/linux/fuzz*.c; make linux-fuzz).
$(B)/linux-fuzz.elf: $(wildcard tests/linux/fuzz*.c) tests/linux/fuzz.h | deps
	@mkdir -p $(B)
	musl-gcc -static -O2 -Wall -o $@ $(filter %.c,$^)
# Garbage requests straight to the servers (tests/linux/hostile_srv.c).
$(B)/linux-hostile.elf: $(wildcard tests/linux/hostile_srv*.c) tests/linux/fuzz_sys.c tests/linux/fuzz.h tests/linux/pm_call.h \
		  servers/proc/pm_proto.h servers/fs/fs_proto.h servers/timer/timer_proto.h | deps
	@mkdir -p $(B)
	musl-gcc -static -O2 -Wall -Iinclude -o $@ $(filter %.c,$^)
EXEC_TESTS := $(B)/linux-exec-test.elf $(B)/linux-exec-show.elf $(B)/linux-exec-show-pie.elf
$(B)/linux-procs.elf: tests/linux/procs.c tests/linux/check.h tests/linux/pm_call.h | deps
	@mkdir -p $(B)
	musl-gcc -static -O2 -Wall -o $@ $<
$(B)/linux-threads.elf: tests/linux/threads.c tests/linux/check.h | deps
	@mkdir -p $(B)
	musl-gcc -static -O2 -Wall -o $@ $<
$(B)/linux-revoke.elf: tests/linux/revoke.c tests/linux/check.h | deps
	@mkdir -p $(B)
	musl-gcc -static -O2 -Wall -o $@ $<
# The last gaps of issue 11 (tests/linux/gaps.c): shared futex bitsets,
# SIGCHLD's CPU times, pending signals across execve, thread ids, TOSTOP.
$(B)/linux-gaps.elf: tests/linux/gaps.c tests/linux/check.h | deps
	@mkdir -p $(B)
	musl-gcc -static -O2 -Wall -o $@ $<
$(B)/linux-jobs.elf: tests/linux/jobs.c tests/linux/check.h tests/linux/pm_call.h servers/proc/pm_proto.h | deps
	@mkdir -p $(B)
	musl-gcc -static -O2 -Wall -DLAMINA_PM -Iinclude -o $@ $<

# lxbench (bench/linux/lxbench.c, docs/BENCHMARKS.md): the Linux programs
# timed on both systems, and tiny, the static program its spawn executes.
$(B)/linux-lxbench.elf: bench/linux/lxbench.c bench/linux/bench_time.h | deps
	@mkdir -p $(B)
	musl-gcc -static -O2 -Wall -o $@ $<
$(B)/linux-tiny.elf: bench/linux/tiny.c | deps
	@mkdir -p $(B)
	musl-gcc -static -O2 -Wall -nostdlib -nostartfiles -o $@ $<

$(B)/linux-busybox.elf: /bin/busybox | deps
	@mkdir -p $(B)
	cp $< $@

# The Linux root file system (docs/LINUX.md): rootfs/, busybox and its
# applet links, the C tests; build/rootfs-tree is the same tree as files,
# for the busybox suite's host runs.
ROOTFS_FILES := $(shell find rootfs -type f -o -type l -o -type d)
$(B)/rootfs.cpio: tools/mkrootfs.py $(ROOTFS_FILES) /bin/busybox $(B)/linux-calls.elf $(B)/linux-hello.elf \
		  $(EXEC_TESTS) $(B)/linux-procs.elf $(B)/linux-threads.elf $(B)/linux-jobs.elf $(B)/linux-gaps.elf \
		  $(B)/linux-revoke.elf $(B)/linux-lxbench.elf \
		  $(B)/linux-tiny.elf $(B)/linux-fuzz.elf $(B)/linux-hostile.elf
	$(PYTHON) tools/mkrootfs.py --tree $(B)/rootfs-tree $@ rootfs /bin/busybox \
	  bin/calls=$(B)/linux-calls.elf bin/hello=$(B)/linux-hello.elf bin/procs=$(B)/linux-procs.elf \
	  bin/threads=$(B)/linux-threads.elf bin/jobs=$(B)/linux-jobs.elf bin/gaps=$(B)/linux-gaps.elf \
	  bin/revoke=$(B)/linux-revoke.elf \
	  bin/exec-test=$(B)/linux-exec-test.elf bin/exec-show=$(B)/linux-exec-show.elf \
	  bin/exec-show-pie=$(B)/linux-exec-show-pie.elf \
	  bin/lxbench=$(B)/linux-lxbench.elf bin/tiny=$(B)/linux-tiny.elf \
	  bin/fuzz=$(B)/linux-fuzz.elf bin/hostile_srv=$(B)/linux-hostile.elf

# Run a busybox case file in the guest and compare every case with the
# host's busybox (README: make linux-check CASES=path).
CASES ?= tests/linux/busybox.cases tests/linux/busybox-files.cases tests/linux/busybox-exec.cases \
	 tests/linux/busybox-pipes.cases tests/linux/busybox-trees.cases tests/linux/busybox-proc.cases \
	 tests/linux/more.cases
linux-check: deps all
	$(PYTHON) tests/tools/test_busybox.py $(CASES)

# A longer run of the system-call fuzzer (tests/linux/fuzz.c) alone, in
# one boot: CALLS calls for each seed of SEEDS (numbers or FIRST-LAST).
SEEDS ?= 1-50
CALLS ?= 5000
linux-fuzz: deps all
	$(PYTHON) tests/tools/test_busybox.py --fuzz $(CALLS) $(SEEDS)

# --- host unit tests (pure kernel logic, with sanitizers) -------------------
# HOST_<test> names the kernel/ files a test links, HOST_LIB_<test> the lib/ ones.
$(B)/host/%: tests/host/%.c $(wildcard kernel/*.c kernel/*.h kernel/bpf/*.[ch] include/lamina/*.h tests/host/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOSTCFLAGS) -o $@ $< $(filter $(addprefix kernel/,$(HOST_$*)),$(wildcard kernel/*.c kernel/bpf/*.c)) \
	  $(HOST_LIB_$*)

# --- eBPF programs built by clang (tests/bpf/README.md) ---------------------
# The corpus's C programs, the ELF loader's test objects, and the filters a
# guest test embeds (build/bpf/<name>.o). clang 14 emits ISA v1-v3.
BPF_CC         := clang
BPF_CFLAGS     := -target bpf -O2 -Wall -Werror -Iinclude
BPF_CORPUS_OBJS := $(patsubst tests/bpf/corpus/%.c,$(B)/bpf/corpus/%.o,$(wildcard tests/bpf/corpus/*.c))
BPF_ELF_OBJS   := $(patsubst tests/bpf/elf/%.c,$(B)/bpf/elf/%.o,$(wildcard tests/bpf/elf/*.c))
BPF_GUEST_OBJS := $(patsubst tests/bpf/guest/%.c,$(B)/bpf/%.o,$(wildcard tests/bpf/guest/*.c))
bpf: $(BPF_CORPUS_OBJS) $(BPF_ELF_OBJS) $(BPF_GUEST_OBJS)

$(B)/bpf/corpus/%.o: tests/bpf/corpus/%.c $(wildcard tests/bpf/corpus/*.h)
	@mkdir -p $(dir $@)
	$(BPF_CC) $(BPF_CFLAGS) -c -o $@ $<

# *_v3.c: the ISA v3 forms (32-bit jumps, ALU on subregisters).
$(B)/bpf/corpus/%_v3.o: BPF_CFLAGS += -mcpu=v3

$(B)/bpf/elf/%.o: tests/bpf/elf/%.c
	@mkdir -p $(dir $@)
	$(BPF_CC) $(BPF_CFLAGS) -c -o $@ $<

$(B)/bpf/%.o: tests/bpf/guest/%.c include/lamina/bpf.h include/lamina/types.h
	@mkdir -p $(dir $@)
	$(BPF_CC) $(BPF_CFLAGS) -c -o $@ $<

# The guest test bpf_clang.c embeds those objects (.incbin of
# BPF_GUEST_DIR/<name>.o) and links them with liblamina's ELF loader.
$(B)/tests/guest/bpf_clang.c.o: $(BPF_GUEST_OBJS)
$(B)/tests/guest/bpf_clang.c.o: UCFLAGS += -DBPF_GUEST_DIR='"$(B)/bpf"'

# test_bpf_elf links the loader and embeds the objects built from
# tests/bpf/elf/ and tests/bpf/guest/.
$(B)/host/test_bpf_elf: $(BPF_ELF_SRC) lib/bpf_elf_int.h lib/include/lm/bpf_elf.h $(BPF_ELF_OBJS) \
			$(BPF_GUEST_OBJS)

host-tests: $(HOST_TESTS)

# --- host tools built from kernel sources -----------------------------------
# bpf-run: the eBPF interpreter as a bpf_conformance plugin (README).
HOST_TOOLS     := $(B)/bpf-run $(B)/bpf-bench
host-tools: $(HOST_TOOLS)

# --elf links with liblamina's ELF loader (BPF_ELF_SRC), built for the host.
$(B)/bpf-run: tools/bpf/bpf-run.c tools/bpf/jit_load.h $(wildcard kernel/bpf/*.[ch]) include/lamina/bpf.h \
	      $(BPF_ELF_SRC) lib/bpf_elf_int.h lib/include/lm/bpf_elf.h include/lamina/elf.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Iinclude -Ikernel -Ilib/include -o $@ \
	  tools/bpf/bpf-run.c tools/bpf/host_ticks.c $(BPF_SHARED) $(BPF_ELF_SRC)

# bpf-bench: a packet filter timed in the interpreter and the JIT (README).
$(B)/bpf-bench: tools/bpf/bpf-bench.c tools/bpf/jit_load.h $(wildcard kernel/bpf/*.[ch]) include/lamina/bpf.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Iinclude -Ikernel -o $@ \
	  tools/bpf/bpf-bench.c tools/bpf/host_ticks.c $(BPF_SHARED)

bench-bpf: $(B)/bpf-bench
	$(B)/bpf-bench

# --- running ----------------------------------------------------------------
run: deps all
	bash tools/run.sh $(B)/lamina.elf32 "$(QEMU_MODULES)"

debug: deps all
	bash tools/debug.sh $(B)/lamina.elf32 "$(QEMU_MODULES)"

# The assurance checks (docs/ASSURANCE.md): SPIN models, Frama-C WP proofs
# and the EVA harness, each one test in `make test`, or alone: make assure.
ASSURE         := $(sort $(wildcard tests/assurance/*.sh))

assure: deps
	@fail=0; for t in $(ASSURE); do echo "==== $$t"; $$t || fail=1; done; exit $$fail

# The eBPF libFuzzer target (its rule is below): defined before the test
# rule, whose prerequisites are expanded as it is read.
BPF_FUZZ     := $(B)/fuzz-bpf/bpf_fuzz
test: deps all host-tests $(BPF_FUZZ)
	bash tools/testall.sh --host "$(HOST_TESTS) $(ASSURE)" -- \
	  --kernel $(B)/lamina.elf32 --modules "$(QEMU_MODULES)" --append test \
	  --expect-min 80 --log $(B)/test.log

# The long coverage-guided fuzzing run (docs/FUZZING.md): FUZZ_CALLS calls,
# FUZZ_SEED to replay. The denominator of the coverage share is the number
# of instrumented sites in the linked kernel.
FUZZ_CALLS ?= 10000000
fuzz: deps
	$(MAKE) B=build-fuzz KCOV=1 all
	bash tools/fuzz.sh build-fuzz "$(subst $(B)/,build-fuzz/,$(QEMU_MODULES))" $(FUZZ_CALLS) "$(FUZZ_SEED)"

# eBPF under libFuzzer (tests/fuzz/bpf_fuzz.c): the verifier, interpreter
# and JIT on random instruction streams, for FUZZ_SECONDS; the corpus stays
# in build/fuzz-bpf/corpus. make test runs 60 seconds of it
# (tests/tools/test_bpf_fuzz.py).
FUZZ_SECONDS ?= 60
$(BPF_FUZZ): tests/fuzz/bpf_fuzz.c tools/bpf/jit_load.h $(wildcard kernel/bpf/*.[ch]) include/lamina/bpf.h
	@mkdir -p $(dir $@)
	clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  -Iinclude -Ikernel -Itools/bpf -o $@ tests/fuzz/bpf_fuzz.c tools/bpf/host_ticks.c $(BPF_SHARED)

fuzz-bpf: $(BPF_FUZZ)
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(PYTHON) tests/tools/test_bpf_fuzz.py

iso: deps all tools/mkiso.sh tools/grub.cfg
	bash tools/mkiso.sh $(B)/lamina.iso $(B)/lamina.elf $(MODULES)

bench-lamina: deps all
	bash tools/bench-lamina.sh $(B)/lamina.elf32 "$(QEMU_MODULES)" bench/out/lamina.txt

# The benchmarks once more under the counting kernel (the same user
# programs): kbench adds a COUNT line per benchmark (docs/BENCHMARKS.md).
bench-count: deps all
	$(MAKE) -s B=build-count COUNT=1 kernel
	bash tools/bench-lamina.sh build-count/lamina.elf32 "$(QEMU_MODULES)" bench/out/lamina-count.txt

bench: deps all
	bash tools/bench.sh

# lxbench (bench/linux/lxbench.c), the same static Linux program, on Lamina's
# Linux personality and on Linux, and their table (docs/BENCHMARKS.md,
# "Linux programs on both"); `make bench` runs it too.
bench-linux-personality: deps all
	bash tools/bench-lx.sh --lx-only

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# Kernel files each host test links (pure logic only).
HOST_test_mdb := mdb.c
HOST_test_format := format.c
HOST_test_bootmem := bootmem.c
HOST_test_multiboot := multiboot.c bootmem.c
HOST_test_bpf := bpf/interp.c
HOST_test_bpf_elf := bpf/interp.c
HOST_LIB_test_bpf_elf := $(BPF_ELF_SRC)
HOST_test_bpf_helpers := bpf/interp.c bpf/helpers.c
HOST_test_bpf_verify := bpf/interp.c bpf/verify.c bpf/verify_cfg.c bpf/verify_state.c \
                        bpf/verify_tnum.c bpf/verify_alu.c bpf/verify_jmp.c bpf/verify_mem.c
HOST_test_bpf_verify_random := $(HOST_test_bpf_verify)
HOST_test_bpf_verify_domain := $(HOST_test_bpf_verify)
# The JIT's tests run the interpreter and the verifier too: all of kernel/bpf.
HOST_test_bpf_jit = $(patsubst kernel/%,%,$(BPF_SHARED))
HOST_LIB_test_bpf_jit := tools/bpf/host_ticks.c
# the file server's handles and pipes, with a stand-in heap and wake-up record
HOST_LIB_test_fs_pipe := $(addprefix servers/fs/,handle.c pipe.c fifo.c lock.c inode.c path.c serve.c serve_path.c)
$(B)/host/test_fs_pipe: $(HOST_LIB_test_fs_pipe) $(wildcard servers/fs/*.h)
# The Linux personality's line discipline, with the console stubbed out.
HOST_LIB_test_tty := linux/tty.c
$(B)/host/test_tty: linux/tty.c linux/tty.h linux/lx.h linux/abi.h
# The timer server's deadline table, with the PIT stubbed out.
HOST_LIB_test_timer_table := servers/timer/table.c
$(B)/host/test_timer_table: servers/timer/table.c servers/timer/timer.h servers/timer/timer_proto.h
