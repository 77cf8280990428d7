#!/usr/bin/env bash
# `make bench`: Lamina's figures, Linux's figures in the same QEMU
# configuration, then the side-by-side table and chart in bench/out/.
#
# Environment (all optional, passed through to both sides):
#   BENCH_ONLY=a,b            run only these benchmarks
#   BENCH_MODE=icount|tcg     instruction counts (default) or emulated time
#   BENCH_ACCEL=kvm           real virtualisation instead of TCG (opt-in)
#   BENCH_SMP=N               guest CPUs (default 1)
#   BENCH_LINUX_APPEND=...    also run Linux with these kernel parameters
#                             (e.g. mitigations=off), shown as an extra column
#   BENCH_COUNT=0             skip the two counting boots (Lamina's counting
#                             kernel, `make bench-count`, and Linux with
#                             lbench.count) that give the switch, CR3 and
#                             TLB-flush columns
#   BENCH_LX=0                skip lxbench, the Linux programs timed on
#                             Lamina's personality and on Linux
#                             (tools/bench-lx.sh, the second table)
#
# A Lamina side that fails or prints nothing leaves every Lamina figure n/a;
# the Linux side and the table still run.  Exits non-zero if the Linux run
# failed.
set -u
cd "$(dirname "$0")/.." || exit
OUT=bench/out
mkdir -p "$OUT"
export BENCH_ONLY="${BENCH_ONLY:-}" BENCH_MODE="${BENCH_MODE:-icount}"
# Both guests see the same CPU and clock. Without RDRAND and with a fixed
# virtual RTC, Linux's figures repeat exactly from run to run as Lamina's do
# (otherwise its random numbers move a few of them by up to 0.6%).
export BENCH_QEMU_ARGS="${BENCH_QEMU_ARGS--cpu max,-rdrand,-rdseed -rtc base=2020-01-01,clock=vm}"

say() { echo "bench: $*" >&2; }

# The chart needs gnuplot; the Linux side cpio and musl (it checks those too).
bash tools/deps.sh "gnuplot-nox cpio musl-tools" || say "missing packages: the chart may be skipped"

# Stale results from an earlier run must not pass for this run's.
rm -f "$OUT/lamina.txt" "$OUT/linux.txt" "$OUT/linux-extra.txt" \
	"$OUT/lamina-count.txt" "$OUT/linux-count.txt"
counts=1
[ "${BENCH_COUNT:-1}" = 0 ] && counts=0

say "Lamina"
if ! make -s bench-lamina; then
	say "make bench-lamina failed: Lamina figures will be n/a"
fi
if ! grep -q '^BENCH ' "$OUT/lamina.txt" 2>/dev/null; then
	say "no BENCH lines in $OUT/lamina.txt: Lamina figures will be n/a"
	[ -e "$OUT/lamina.txt" ] || : >"$OUT/lamina.txt"
fi

if [ $counts = 1 ]; then
	say "Lamina, counting kernel"
	make -s bench-count || say "make bench-count failed: no Lamina switch and flush columns"
fi

rc=0
say "Linux"
BENCH_LINUX_APPEND='' tools/bench-linux.sh "$OUT/linux.txt" || rc=1
if [ -n "${BENCH_LINUX_APPEND:-}" ]; then
	say "Linux with $BENCH_LINUX_APPEND"
	tools/bench-linux.sh "$OUT/linux-extra.txt" || rc=1
fi

if [ $counts = 1 ]; then
	say "Linux, counting boot"
	BENCH_LINUX_APPEND='' BENCH_COUNT=1 tools/bench-linux.sh "$OUT/linux-count.txt" ||
		say "Linux's counting boot failed: no Linux switch and flush columns"
fi

if [ "${BENCH_LX:-1}" != 0 ]; then
	say "lxbench: Linux programs on Lamina's personality and on Linux"
	bash tools/bench-lx.sh --no-table || say "lxbench failed on a side: its figures may be n/a"
else
	rm -f "$OUT/lx-lamina.txt" "$OUT/lx-linux.txt"
fi

python3 tools/bench-table.py || rc=1
exit $rc
