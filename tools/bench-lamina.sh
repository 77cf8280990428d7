#!/usr/bin/env bash
# Boot Lamina in benchmark mode and keep the BENCH lines it prints.
#   tools/bench-lamina.sh KERNEL.elf32 "MODULES" OUT.txt
# Same QEMU configuration as the Linux side (tools/bench-linux.sh):
# BENCH_MODE=icount (default: rdtsc counts guest instructions) or tcg,
# BENCH_ACCEL=kvm (opt-in), BENCH_SMP, BENCH_ONLY=name,name, BENCH_QEMU_ARGS.
set -euo pipefail
kernel=$1 modules=$2 out=$3
mkdir -p "$(dirname "$out")"

accel="-accel tcg"
[ "${BENCH_ACCEL:-}" = kvm ] && accel="-accel kvm"
icount=""
if [ "${BENCH_MODE:-icount}" = icount ] && [ "${BENCH_ACCEL:-}" != kvm ]; then
	icount="-icount shift=0,sleep=off"
fi
append="bench"
[ -n "${BENCH_ONLY:-}" ] && append="$append bench.only=$BENCH_ONLY"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086
timeout "${BENCH_TIMEOUT:-600}" qemu-system-x86_64 $accel $icount -cpu max ${BENCH_QEMU_ARGS:-} \
	-smp "${BENCH_SMP:-1}" -m 512M -display none -monitor none -serial "file:$log" \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$kernel" -initrd "$modules" -append "$append" </dev/null || true
tr -d '\r' < "$log" | grep -E '^(BENCH|COUNT|KTIME|#) ' > "$out" || true
if grep -q PANIC "$log"; then
	echo "bench-lamina: kernel panic during the benchmark run:" >&2
	grep -A20 PANIC "$log" >&2
	exit 1
fi
echo "bench-lamina: $(wc -l < "$out") figures in $out"
