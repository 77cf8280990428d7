#!/usr/bin/env bash
# Abstract interpretation (Frama-C EVA) of the capability layer (cnode.c
# and untyped.c's system calls, with cap.c, mdb.c and capability lookup in
# syscall.c), run by two harnesses, and of IPC, threads and the scheduler
# (endpoint.c, notify.c, waitq.c, thread.c, sched.c, over the capability
# layer, through syscall.c's dispatch) by a third. One test in `make
# test`; docs/ASSURANCE.md lists the alarms and why each is there.
#
#   vs       tests/assurance/eva_vs.c: address spaces, their IDs and
#            interrupt lines (vspace.c, asid.c, irq.c over the capability
#            layer): typed page-table and frame memory, a setup made by
#            real system calls, four start states, then one call (or an
#            interrupt, a user-memory copy) with nondeterministic arguments
#   ipc      tests/assurance/eva_ipc.c: typed object memory (TCBs,
#            endpoints, notifications), three threads and root made and
#            started by real system calls, six start states made by fixed
#            events, then one event (a call of the current thread with
#            nondeterministic arguments, a timer tick, a fault); the calls
#            include THREAD_INFO, SET_FSBASE, SET_FOREIGN, the I/O-port
#            calls (ioport.c) and the release build's debug calls
#            (debug.c, count.c, kcov.c), DEBUG_CHECK asserted clean
#   precise  tests/assurance/eva_main.c: typed object memory (eva/arch.h),
#            a setup made by real system calls, then one call with every
#            argument nondeterministic, states kept apart per argument
#   precise2 eva_main.c with two nondeterministic calls after the
#            setup, the states the first leaves kept apart by what they
#            are (eva_sig, eva/cap_sig.h), as ipc2's; from the setup's
#            state, a first UNTYPED_RETYPE, then any call
#   bpf      tests/assurance/eva_bpf.c: the eBPF verifier
#            (kernel/bpf/verify*.c) as BPF_LOAD calls it, on programs of
#            one instruction with nondeterministic fields, then the
#            interpreter (interp.c, helpers.c) on each program it accepts,
#            over a nondeterministic context
#   boot     tests/assurance/eva_boot.c: the boot code (multiboot.c,
#            bootmem.c, elf.c, root.c, main.c's kmain): boot_memory on
#            any multiboot 1 or 2 info (or a bad magic), then kmain to
#            its end on hostile root ELF images and module lists, over
#            typed physical memory (the loader's buffers, the images,
#            each boot allocation); panics allowed (boot's refusals)
#   bootall  (--long only) boot with the root images whose segments have
#            nondeterministic or huge sizes too; no baseline yet
#   seq      tests/assurance/eva_seq.c: four calls in a row from the boot
#            state, every argument nondeterministic, object memory one byte
#            range: broader, and imprecise; each of its alarm places has
#            its recorded cause (seq_causes.txt, checked by seq_causes.py
#            after the runs: fails on a place with none)
#
#   bpfsys   tests/assurance/eva_bpfsys.c: eBPF's system calls (prog.c,
#            filter.c, predicate.c, the JIT compiler) over the ipc run's
#            kernel: fixed programs loaded by real calls, four start
#            states, then one call (good and bad arguments, kept apart)
#            or a timer tick; the verifier modelled, the model checked on
#            the host first (eva_bpfsys_check.c)
#
#   ipc2     eva_ipc.c with two events in sequence, the states the
#            first leaves kept apart by what they are (eva_sig, a number
#            made of the kernel's state), then by the second event's
#            kind, thread and arguments: from the setup's state, a first
#            EP_CALL, then any event
#
#   ipcfp    eva_ipc.c with the IPC fast paths on (kernel/fastpath.c):
#            every call enters as entry.S's, the fast path first, then
#            syscall_dispatch if it declines; from every start state, the
#            fast paths' events (their calls, a fault, DEBUG_FASTPATH);
#            asserted: a declined call changed nothing, a taken one left
#            what the general path would, and DEBUG_CHECK's self-check
#            finds the state sound
#
#   ipcfpall (--long only) ipcfp with every event, an eighth start
#            state (a signal wakes a thread above the signaller) and the
#            pager's answers to a fault (EVA_FP_MORE); 0 alarms, about
#            13 min of CPU
#   ipc2all  (--long only) ipc2 from every start state and any first
#            event (no baseline yet: never finished)
#   bpf2     (--bpf or --long) eva_bpf.c with programs of two
#            instructions: does not finish yet (docs/ASSURANCE.md,
#            section 3, eBPF)
#
#   tests/assurance/eva.sh           alarms against eva.baseline
#   tests/assurance/eva.sh --long    the same, and the long runs (ipc2all,
#                                    ipcfpall, bpf2)
#   tests/assurance/eva.sh --bpf     the default runs and bpf2
#   tests/assurance/eva.sh --record [--long]
#                                    write the counts of the runs made as
#                                    their baselines
#   EVA_ONLY=ipcfp,vs tests/assurance/eva.sh [--record]
#                                    only the runs named
#
# Fails if an analysis raises more alarms than its recorded baseline (a
# new alarm is a new possible runtime error, or a new imprecision to
# explain), reaches fewer statements than it (code the harness no longer
# exercises proves nothing), or a harness assertion is not proved valid
# (the precise harness asserts that its setup's calls succeed and that
# retype places objects inside the untyped: unproved, they would be
# assumptions).
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/assurance
out=${ASSURE_OUT:-$root/build/assurance}/eva
mkdir -p "$out"
cd "$root" || exit 1

caps="kernel/mdb.c kernel/cap.c kernel/cnode.c kernel/untyped.c kernel/syscall.c"
vs="$caps kernel/vspace.c kernel/asid.c kernel/irq.c"
ipc="$caps kernel/endpoint.c kernel/notify.c kernel/waitq.c kernel/thread.c kernel/sched.c kernel/upcall.c kernel/ioport.c kernel/debug.c kernel/count.c kernel/kcov.c"
# ipc: DEBUG_CHECK's walk of root's CNode (a loop whose bound EVA does
# not take as fixed: the body writes through pointers) kept unrolled by
# its own slevel; loops of known bound unrolled up to 64 rounds.
ipc_opts="-eva-precision 2 -eva-plevel 300 -eva-split-return auto -eva-auto-loop-unroll 64 -eva-slevel-function kernel_check:2000"
bpf="kernel/bpf/verify.c kernel/bpf/verify_alu.c kernel/bpf/verify_cfg.c kernel/bpf/verify_jmp.c kernel/bpf/verify_mem.c kernel/bpf/verify_state.c kernel/bpf/verify_tnum.c kernel/bpf/interp.c kernel/bpf/helpers.c"
# bpf, bpf2: each instruction's class, form and jump target kept apart
# (eva_bpf.c); loops of up to 16 rounds unrolled (the verifier's main
# loop runs a few rounds on a loop-free program of two instructions).
bpf_parts=""
for v in cls form t; do
	for k in 0 1; do
		bpf_parts="$bpf_parts -eva-partition-value eva_$v$k"
	done
done
bpf_cpp="-Ikernel/bpf -include $here/eva_bpf/builtins.h"
bpf_opts="-eva-precision 2 -eva-ilevel 16 -eva-min-loop-unroll 16 -eva-auto-loop-unroll 256 -eva-split-return auto $bpf_parts"
# bpfsys: eBPF's system calls over the IPC run's kernel, with the real
# interpreter and JIT compiler (not jit_run.c: machine code); the
# verifier modelled (eva_bpfsys.c), the model checked on the host first.
bpfsys="$ipc kernel/bpf/interp.c kernel/bpf/helpers.c kernel/bpf/prog.c kernel/bpf/filter.c kernel/bpf/predicate.c kernel/bpf/jit.c kernel/bpf/jit_alu.c kernel/bpf/jit_emit.c kernel/bpf/jit_jmp.c kernel/bpf/jit_mem.c"
bpfsys_opts="$ipc_opts,bpf_run:2000,pass:2000,bpf_jit_compile:200 -eva-unroll-recursive-calls 4 -eva-partition-value pred_count"
inc="-Iinclude -Ikernel -Ikernel/arch/x86_64 -DLAMINA_KERNEL"

# name | harness | kernel files | extra preprocessor options | frama-c options
# precise: -eva-plevel: the setup's objects are few, but a write through
# a pointer into a set of slots must stay a set; the partition on
# eva_cspace_gone keeps apart the states where root lost its CSpace.
# seq: precision 2, four calls: about ten seconds on one core. The
# direct map is valid where that harness's untyped memory lies (arch.h
# phys_to_virt: DIRECT_MAP + UT_PA, UT_BITS bits), and nowhere else.
# ipc: the same precision as precise; its states are kept apart by the
# harness's own splits (start state, thread, event, slot arguments).
# vs: loops of up to ASID_COUNT rounds unrolled (asid_boot's marks every
# ID root's; merged, each ID would be anyone's); mdb.c's masking modelled
# by the harness (EVA_MDB_ENDS).
# ipc2: the states after the first event kept apart by eva_sig's value.
# Its scope: from the setup's state, a first event EP_CALL (any
# arguments), then any event (about 5.5 min of CPU); --long runs ipc2all,
# every start state and every first event: about 100 states after the
# first, some 75 min of CPU estimated, never finished yet, so no baseline
# (docs/ASSURANCE.md).
ipc2_scope="-DEVA_IPC_START=START_BASE -DEVA_IPC_FIRST=C_CALL"
ipc2="$ipc|-I$here/eva -DEVA_MDB_ENDS -DEVA_IPC_STEPS=2"
ipc2_opts="$ipc_opts -eva-partition-value eva_sig"
# ipcfp: eva_ipc.c with the fast paths on (fastpath.c), every call
# entering as entry.S's does, from every start state; the fast paths'
# events only (their calls, a fault, DEBUG_FASTPATH): the others take the
# general path as in ipc (--long: ipcfpall, every event).
ipcfp="$ipc kernel/fastpath.c|-I$here/eva -DEVA_MDB_ENDS -DEVA_FASTPATH"
precise_opts="-eva-precision 2 -eva-plevel 300 -eva-split-return auto -eva-partition-value eva_cspace_gone"
# precise2: eva_main.c with two nondeterministic calls after the setup,
# the states the first leaves kept apart by eva_sig (eva/cap_sig.h);
# its scope below (docs/ASSURANCE.md, "Issue 15: sequences").
# Its scope: from the setup's state, a first UNTYPED_RETYPE (every type,
# every slot argument), then any call (do_call's cases).
precise2_scope="-DEVA_START_HI=0 -DEVA_FIRST=0"
# precise, precise2, vs, ipc: the functions each reached (Frama-C's metrics),
# for seq_causes.py's check that they cover seq's alarm places.
cover="-then -metrics -metrics-eva-cover"
# boot: the boot code over what it calls; loops of known bound unrolled up
# to 64 rounds (the range lists', the modules', the table pool's); the page loops of the root image's segments and of the modules kept
# apart by their own slevel (their bounds come from the image).
# boot: the hostile cases whose page loops have fixed bounds
# (EVA_BOOT_SET=1); bootall (--long): also those with segments of
# nondeterministic or huge size, whose merged page loops give alarms of
# imprecision (docs/ASSURANCE.md, "Issue 15: the boot code").
boot="kernel/multiboot.c kernel/bootmem.c kernel/elf.c kernel/root.c kernel/main.c kernel/mdb.c kernel/cap.c kernel/cnode.c kernel/vspace.c kernel/asid.c kernel/thread.c kernel/sched.c kernel/irq.c kernel/bpf/prog.c kernel/bpf/verify.c"
boot_opts="-eva-precision 2 -eva-auto-loop-unroll 64 -eva-split-return auto -eva-slevel-function load_root_elf:300,load_modules:300"
runs=(
	"ipc2|eva_ipc.c|$ipc2 $ipc2_scope|$ipc2_opts"
	"precise2|eva_main.c|$caps|-I$here/eva -DEVA_STEPS=2 $precise2_scope|$precise_opts -eva-partition-value eva_sig $cover"
	"ipcfp|eva_ipc.c|$ipcfp -DEVA_IPC_FAST|$ipc_opts"
	"ipc|eva_ipc.c|$ipc|-I$here/eva -DEVA_MDB_ENDS|$ipc_opts $cover"
	"precise|eva_main.c|$caps|-I$here/eva|$precise_opts $cover"
	"vs|eva_vs.c|$vs|-I$here/eva -DEVA_MDB_ENDS|-eva-precision 2 -eva-auto-loop-unroll 4096 -eva-plevel 300 -eva-split-return auto $cover"
	"boot|eva_boot.c|$boot|-I$here/eva -DEVA_BOOT_SET=1|$boot_opts"
	"bpfsys|eva_bpfsys.c|$bpfsys|-I$here/eva -DEVA_MDB_ENDS $bpf_cpp|$bpfsys_opts"
	"seq|eva_seq.c|$caps||-eva-precision 2 -eva-split-return auto -absolute-valid-range 0xffff800000200000-0xffff80000020ffff"
	"bpf|eva_bpf.c|$bpf|$bpf_cpp -DNINSNS=1|$bpf_opts"
)
record=0
long=0
bpf_run=0
for a in "$@"; do
	case $a in
	--record) record=1 ;;
	--long) long=1 bpf_run=1 ;;
	--bpf) bpf_run=1 ;;
	*) echo "usage: $0 [--record] [--long] [--bpf]" >&2; exit 2 ;;
	esac
done
[ "$long" = 1 ] && runs=(
	"bootall|eva_boot.c|$boot|-I$here/eva|$boot_opts"
	"ipc2all|eva_ipc.c|$ipc2|$ipc2_opts"
	"ipcfpall|eva_ipc.c|$ipcfp -DEVA_FP_MORE|$ipc_opts"
	"${runs[@]}"
)
[ "$bpf_run" = 1 ] && runs=(
	"bpf2|eva_bpf.c|$bpf|$bpf_cpp -DNINSNS=2|$bpf_opts"
	"${runs[@]}"
)
# EVA_ONLY=name,...: only those runs (to check or --record one harness).
if [ -n "${EVA_ONLY:-}" ]; then
	only=()
	for r in "${runs[@]}"; do
		[[ ",$EVA_ONLY," == *",${r%%|*},"* ]] && only+=("$r")
	done
	runs=("${only[@]}")
fi

# One analysis: its log, exit status and seconds in $out/name.*.
analyse() {
	IFS='|' read -r name harness kernel extra opts <<<"$1"
	local start
	start=$(date +%s)
	# bpfsys: its model of the verifier checked against the real one first
	if [ "$name" = bpfsys ] && ! { cc -std=gnu11 -O1 -Iinclude -Ikernel -Ikernel/bpf -I"$here/eva" \
		-o "$out/bpfsys_check" "$here/eva_bpfsys_check.c" kernel/bpf/verify*.c \
		kernel/bpf/helpers.c tools/bpf/host_ticks.c && "$out/bpfsys_check"; } >"$out/$name.log" 2>&1; then
		echo 1 >"$out/$name.rc"
		echo 0 >"$out/$name.secs"
		return
	fi
	# shellcheck disable=SC2086 # kernel, opts: lists of words (the files
	# first: opts may end in a -then stage)
	frama-c -c11 -machdep gcc_x86_64 -cpp-extra-args="$extra $inc -DSTEPS=4" \
		"$here/$harness" $kernel -eva $opts >"$out/$name.log" 2>&1
	echo $? >"$out/$name.rc"
	echo $(($(date +%s) - start)) >"$out/$name.secs"
}

# EVA_JOBS analyses at a time (default 2: the machine's two cores; each
# is one process), the longest first.
jobs_max=${EVA_JOBS:-2}
for r in "${runs[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n
	done
	analyse "$r" &
done
wait

ok=1
declare -A got
for r in "${runs[@]}"; do
	IFS='|' read -r name harness kernel extra opts <<<"$r"
	log=$out/$name.log
	rc=$(cat "$out/$name.rc")
	secs=$(cat "$out/$name.secs")
	alarms=$(sed -nE 's/^ *([0-9]+) alarms? generated.*/\1/p' "$log" | tail -n 1)
	[ -z "$alarms" ] && grep -q 'No alarm\|0 alarms generated' "$log" && alarms=0
	reached=$(sed -nE 's/.* ([0-9]+) statements reached.*/\1/p' "$log" | tail -n 1)
	unproved=$(sed -nE 's/^ *Assertions +[0-9]+ valid +([0-9]+) unknown +([0-9]+) invalid.*/\1 \2/p' "$log" | tail -n 1)
	# an alarm's text follows its warning, on the same line or the next
	awk 'p { sub(/^ */, ""); print at " " $0; p = 0; next }
	     /^\[eva:alarm\]/ { at = $2; sub(/:$/, "", at); t = $0; sub(/^.*Warning: */, "", t)
				 if (t == "") p = 1; else print at " " t }' "$log" | sort | uniq >"$out/$name.alarms.txt"
	got[$name.alarms]=$alarms
	got[$name.reached]=$reached
	base_alarms=$(sed -nE "s/^$name alarms ([0-9]+)/\1/p" "$here/eva.baseline")
	base_reached=$(sed -nE "s/^$name reached ([0-9]+)/\1/p" "$here/eva.baseline")
	echo "eva $name: ${alarms:-?} alarms (baseline ${base_alarms:-?}), ${reached:-?} statements reached (baseline ${base_reached:-?}), ${secs}s"
	echo "eva $name: alarms by place in $out/$name.alarms.txt, the log in $log"
	[ "$record" = 1 ] && continue
	if [ -z "$base_alarms" ] || [ -z "$base_reached" ]; then
		echo "eva $name: no baseline in $here/eva.baseline: record one (eva.sh --record)"
		ok=0
	elif [ "$rc" -ne 0 ] || [ -z "$alarms" ] || [ -z "$reached" ]; then
		echo "eva $name: the analysis did not finish (exit $rc):"
		tail -n 20 "$log"
		ok=0
	elif [ "$alarms" -gt "$base_alarms" ]; then
		echo "eva $name: more alarms than the baseline: a new possible runtime error"
		ok=0
	elif [ "$reached" -lt "$base_reached" ]; then
		echo "eva $name: fewer statements reached than the baseline"
		ok=0
	elif [ -n "$unproved" ] && [ "$unproved" != "0 0" ]; then
		echo "eva $name: a harness assertion is not proved valid (unknown, invalid: $unproved)"
		ok=0
	elif [ "$alarms" -lt "$base_alarms" ]; then
		echo "eva $name: fewer alarms than the baseline: record it (eva.sh --record)"
	fi
done

# seq's alarms, each place with its recorded cause and the precise runs
# that cover it (tests/assurance/seq_causes.txt; the covering runs' logs
# as the last run of each left them in $out)
for r in "${runs[@]}"; do
	[ "${r%%|*}" = seq ] || continue
	python3 "$here/seq_causes.py" "$out" || ok=0
done

if [ "$record" = 1 ]; then
	# the runs made replace their lines; the others' (long runs not made)
	# stay as they were
	for r in "${runs[@]}"; do
		name=${r%%|*}
		sed -i "/^$name /d" "$here/eva.baseline"
		printf '%s alarms %s\n%s reached %s\n' "$name" "${got[$name.alarms]}" "$name" "${got[$name.reached]}" \
			>>"$here/eva.baseline"
	done
	echo "eva: recorded in $here/eva.baseline"
	exit 0
fi

if [ "$ok" = 1 ]; then
	echo "test eva ... ok"
	echo "1 passed, 0 failed"
else
	echo "test eva ... FAIL"
	echo "0 passed, 1 failed"
	exit 1
fi
