#!/usr/bin/env bash
# lxbench (bench/linux/lxbench.c) on both systems, then its table:
#   tools/bench-lx.sh [--lx-only]
# `make bench-linux-personality` (with --lx-only: bench/out/results.md holds
# only this table) and the last step but one of `make bench` (tools/bench.sh,
# which makes the whole table itself, so it passes --no-table).
# Lamina: /bin/lxbench from the root file system, typed at the shell of a
# normal boot under the benchmark QEMU configuration (tools/bench-lx-lamina.py)
# -> bench/out/lx-lamina.txt. Linux: the same file as /init of an initramfs
# of its own (BENCH_LINUX_INIT=lxbench tools/bench-linux.sh)
# -> bench/out/lx-linux.txt. Environment as tools/bench.sh (BENCH_MODE,
# BENCH_QEMU_ARGS, BENCH_TIMEOUT). Exits non-zero if either side failed.
set -u
cd "$(dirname "$0")/.." || exit
OUT=bench/out
mkdir -p "$OUT"
export BENCH_MODE="${BENCH_MODE:-icount}"
export BENCH_QEMU_ARGS="${BENCH_QEMU_ARGS--cpu max,-rdrand,-rdseed -rtc base=2020-01-01,clock=vm}"
say() { echo "bench-lx: $*" >&2; }
rm -f "$OUT/lx-lamina.txt" "$OUT/lx-linux.txt"
rc=0
say "Lamina's Linux personality"
python3 tools/bench-lx-lamina.py "$OUT/lx-lamina.txt" || { say "the Lamina side failed"; rc=1; }
say "Linux"
BENCH_LINUX_APPEND='' BENCH_LINUX_INIT=lxbench tools/bench-linux.sh "$OUT/lx-linux.txt" ||
	{ say "the Linux side failed"; rc=1; }
[ "${1:-}" = --no-table ] || python3 tools/bench-table.py --no-chart "$@" || rc=1
exit $rc
