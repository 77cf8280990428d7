#!/usr/bin/env bash
# The body of `make fuzz`: boot the fuzzing build and run only the
# coverage-guided fuzzer for CALLS calls (docs/FUZZING.md).
#
#   tools/fuzz.sh BUILD_DIR QEMU_MODULES CALLS [SEED]
#
# The kernel command line carries kcov_sites=N, the number of
# __sanitizer_cov_trace_pc call sites in the linked kernel: the
# denominator of the coverage share the fuzzer prints.
set -euo pipefail
b=$1 modules=$2 calls=$3 seed=${4-}
sites=$(objdump -d "$b/lamina.elf" | grep -c 'call.*<__sanitizer_cov_trace_pc>' || true)
append="test test.only=fuzz_deep fuzz.calls=$calls kcov_sites=$sites"
[ -z "$seed" ] || append="$append fuzzseed=$seed"
echo "fuzz: $sites instrumented sites; command line: $append"
# About 20,000 calls a second under TCG; allow twice that and an hour.
timeout=$((calls / 10000 + 3600))
start=$(date +%s)
status=0
python3 "$(dirname "$0")/runtest.py" --kernel "$b/lamina.elf32" --modules "$modules" \
	--append "$append" --timeout "$timeout" --expect-min 1 --log "$b/fuzz.log" || status=$?
echo "fuzz: $(( $(date +%s) - start )) s wall clock; log in $b/fuzz.log"
exit $status
