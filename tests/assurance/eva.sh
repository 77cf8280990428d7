#!/usr/bin/env bash
# Abstract interpretation (Frama-C EVA) of the capability layer: the
# harness tests/assurance/eva_main.c drives the system calls of cnode.c
# and untyped.c, with cap.c, mdb.c and capability lookup (syscall.c), from
# root's boot state with nondeterministic arguments. One test in
# `make test`; docs/ASSURANCE.md lists the alarms and why each is there.
#
#   tests/assurance/eva.sh           alarms against eva.baseline
#   tests/assurance/eva.sh --record  write the current count as the baseline
#
# Fails if the analysis raises more alarms than the recorded baseline (a
# new alarm is a new possible runtime error, or a new imprecision to
# explain), or reaches fewer statements than it (code the harness no
# longer exercises proves nothing).
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/assurance
out=${ASSURE_OUT:-$root/build/assurance}/eva
mkdir -p "$out"
cd "$root" || exit 1

# Precision 2 and 4 calls in sequence: about ten seconds on one core. The
# direct map is valid where the harness's untyped memory lies (arch.h
# phys_to_virt: DIRECT_MAP + UT_PA, UT_BITS bits), and nowhere else.
start=$(date +%s)
frama-c -c11 -machdep gcc_x86_64 \
	-cpp-extra-args="-Iinclude -Ikernel -Ikernel/arch/x86_64 -DLAMINA_KERNEL -DSTEPS=4" \
	-eva -eva-precision 2 -eva-split-return auto \
	-absolute-valid-range 0xffff800000200000-0xffff80000020ffff \
	"$here/eva_main.c" kernel/mdb.c kernel/cap.c kernel/cnode.c kernel/untyped.c \
	kernel/syscall.c >"$out/eva.log" 2>&1
rc=$?
secs=$(($(date +%s) - start))

alarms=$(sed -nE 's/^ *([0-9]+) alarms? generated.*/\1/p' "$out/eva.log" | tail -n 1)
[ -z "$alarms" ] && grep -q 'No alarm' "$out/eva.log" && alarms=0
reached=$(sed -nE 's/.* ([0-9]+) statements reached.*/\1/p' "$out/eva.log" | tail -n 1)
grep -A1 '^\[eva:alarm\]' "$out/eva.log" | grep -v '^--' | paste - - |
	sed -E 's/^\[eva:alarm\] ([^ ]+): Warning: *\t */\1 /' | sort | uniq >"$out/alarms.txt"

if [ "${1-}" = --record ]; then
	printf 'alarms %s\nreached %s\n' "$alarms" "$reached" >"$here/eva.baseline"
	echo "eva: recorded $alarms alarms, $reached statements reached"
	exit 0
fi
base_alarms=$(sed -nE 's/^alarms ([0-9]+)/\1/p' "$here/eva.baseline")
base_reached=$(sed -nE 's/^reached ([0-9]+)/\1/p' "$here/eva.baseline")

echo "eva: ${alarms:-?} alarms (baseline $base_alarms), ${reached:-?} statements reached (baseline $base_reached), ${secs}s"
echo "eva: alarms by place in $out/alarms.txt, the log in $out/eva.log"
if [ "$rc" -ne 0 ] || [ -z "$alarms" ] || [ -z "$reached" ]; then
	echo "eva: the analysis did not finish (exit $rc):"
	tail -n 20 "$out/eva.log"
	ok=0
elif [ "$alarms" -gt "$base_alarms" ]; then
	echo "eva: more alarms than the baseline: a new possible runtime error"
	ok=0
elif [ "$reached" -lt "$base_reached" ]; then
	echo "eva: fewer statements reached than the baseline"
	ok=0
else
	ok=1
	[ "$alarms" -lt "$base_alarms" ] &&
		echo "eva: fewer alarms than the baseline: record it (eva.sh --record)"
fi

if [ "$ok" = 1 ]; then
	echo "test eva ... ok"
	echo "1 passed, 0 failed"
else
	echo "test eva ... FAIL"
	echo "0 passed, 1 failed"
	exit 1
fi
