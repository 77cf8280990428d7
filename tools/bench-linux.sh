#!/usr/bin/env bash
# The Linux half of `make bench`: boot the Debian cloud kernel under QEMU with
# bench/linux/lbench.c as /init and collect its BENCH lines.
#
# Usage: tools/bench-linux.sh [OUTPUT]      (default bench/out/linux.txt)
#
# Environment:
#   BENCH_MODE=icount|tcg   icount (default): -icount shift=0,sleep=off, so
#                           cycles= counts guest instructions; tcg: emulated time
#   BENCH_ACCEL=kvm         -accel kvm instead of TCG (opt-in; no icount)
#   BENCH_SMP=N             guest CPUs (default 1; lbench pins itself to CPU 0).
#                           QEMU 7.2 with -icount hangs bringing up a second
#                           CPU, so N>1 works only with BENCH_MODE=tcg or kvm
#   BENCH_ONLY=a,b          run only these (passed as lbench.only= on the
#                           kernel command line; Lamina names such as ipc_rtt
#                           select their Linux counterparts)
#   BENCH_LINUX_APPEND=...  extra kernel parameters, e.g. mitigations=off
#   BENCH_COUNT=1           the counting boot (lbench.count; 0 or unset: none): COUNT lines of
#                           system calls, faults, CR3 writes and TLB flushes
#                           per operation from perf tracepoint counters; its
#                           BENCH figures are not to be used (tracepoints on)
#   BENCH_QEMU_ARGS=...     extra QEMU arguments (give Lamina's run the same).
#                           Linux's figures vary by up to ~0.6% between boots
#                           because its RNG is seeded from RDRAND (host entropy
#                           under TCG) and the RTC; with
#                           "-cpu max,-rdrand,-rdseed -rtc base=2020-01-01,clock=vm"
#                           (a later -cpu overrides the default) runs are
#                           identical.
#   BENCH_TIMEOUT=S         give up on QEMU after S seconds (default 600; a
#                           whole run takes about 10)
#   BENCH_CACHE=DIR         download/build cache (default bench/cache)
#   BENCH_LINUX_INIT=lxbench  boot bench/linux/lxbench.c as /init instead
#                           (`make bench-linux-personality`: the Linux
#                           programs timed on both systems), in an initramfs
#                           of its own with /bin/tiny, /bin/busybox (the
#                           host's, as in Lamina's root file system) and the
#                           applet links its script uses; BENCH_ONLY and
#                           BENCH_COUNT do not apply
#
# The kernel package is downloaded and unpacked once; lbench, tiny and the
# initramfs are rebuilt only when their sources change.  Besides OUTPUT, the
# whole console log is kept in OUTPUT with .txt replaced by .log.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/bench/out/linux.txt}
case $OUT in /*) ;; *) OUT=$(pwd)/$OUT ;; esac
LOG=${OUT%.txt}.log
CACHE=${BENCH_CACHE:-$ROOT/bench/cache}
SRC=$ROOT/bench/linux
MODE=${BENCH_MODE:-icount}
ACCEL=${BENCH_ACCEL:-tcg}
SMP=${BENCH_SMP:-1}
APPEND=${BENCH_LINUX_APPEND:-}
ONLY=${BENCH_ONLY:-}
TIMEOUT=${BENCH_TIMEOUT:-600}
QEMU_ARGS=${BENCH_QEMU_ARGS:-}

say() { echo "bench-linux: $*" >&2; }
die() { say "$*"; exit 1; }

# ---- tools: install the Debian packages if they are missing and we may
need=
command -v qemu-system-x86_64 >/dev/null || need="$need qemu-system-x86"
command -v musl-gcc >/dev/null || need="$need musl-tools"
command -v cpio >/dev/null || need="$need cpio"
if [ -n "$need" ]; then
	[ "$(id -u)" = 0 ] || die "missing packages:$need (apt-get install them)"
	say "installing$need"
	# shellcheck disable=SC2086 # a list of package names
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >&2 ||
		die "apt-get install$need failed"
fi

mkdir -p "$CACHE" "$(dirname "$OUT")"

# ---- kernel: the package linux-image-cloud-amd64 depends on, unpacked once
KDIR=$CACHE/kernel
if ! ls "$KDIR"/boot/vmlinuz-* >/dev/null 2>&1; then
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
		say "apt-cache knows no linux-image-cloud-amd64; running apt-get update"
		apt-get update -q >&2 || true
		pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' | head -n 1)
	fi
	[ -n "$pkg" ] || die "cannot resolve linux-image-cloud-amd64 (apt-get update?)"
	say "downloading $pkg"
	dl=$CACHE/download
	rm -rf "$dl" "$KDIR.tmp"
	mkdir -p "$dl"
	# apt drops privileges to _apt for downloads; let it write here.
	chmod 777 "$dl" 2>/dev/null || true
	(cd "$dl" && apt-get download -q "$pkg" >&2) || die "apt-get download $pkg failed"
	dpkg -x "$dl"/"$pkg"_*.deb "$KDIR.tmp"
	echo "$pkg" >"$KDIR.tmp/PACKAGE"
	rm -rf "$KDIR" "$dl"
	mv "$KDIR.tmp" "$KDIR"
fi
set -- "$KDIR"/boot/vmlinuz-*
VMLINUZ=$1
KVER=${VMLINUZ##*/vmlinuz-}

# ---- guest programs and initramfs, rebuilt when the sources change
newer() { [ ! -e "$2" ] || [ "$1" -nt "$2" ]; }
lbench_newer=0
for f in lbench.c lbench_vm.c lbench.h lcount.c lcount.h bench_time.h; do
	newer "$SRC/$f" "$CACHE/lbench" && lbench_newer=1
done
if [ $lbench_newer = 1 ]; then
	say "building lbench"
	musl-gcc -static -O2 -Wall -o "$CACHE/lbench.tmp" "$SRC/lbench.c" "$SRC/lbench_vm.c" "$SRC/lcount.c" \
		-lpthread
	mv "$CACHE/lbench.tmp" "$CACHE/lbench"
fi
if newer "$SRC/tiny.c" "$CACHE/tiny"; then
	say "building tiny"
	musl-gcc -static -O2 -Wall -nostdlib -nostartfiles -o "$CACHE/tiny.tmp" "$SRC/tiny.c"
	mv "$CACHE/tiny.tmp" "$CACHE/tiny"
fi
INITRD=$CACHE/initramfs.gz
if [ "${BENCH_LINUX_INIT:-}" = lxbench ]; then
	if newer "$SRC/lxbench.c" "$CACHE/lxbench" || newer "$SRC/bench_time.h" "$CACHE/lxbench"; then
		say "building lxbench"
		musl-gcc -static -O2 -Wall -o "$CACHE/lxbench.tmp" "$SRC/lxbench.c"
		mv "$CACHE/lxbench.tmp" "$CACHE/lxbench"
	fi
	INITRD=$CACHE/initramfs-lx.gz
	if newer "$CACHE/lxbench" "$INITRD" || newer "$CACHE/tiny" "$INITRD" ||
		newer /bin/busybox "$INITRD"; then
		say "packing the lxbench initramfs"
		r=$CACHE/initramfs-lx-root
		rm -rf "$r"
		mkdir -p "$r/dev" "$r/proc" "$r/bin" "$r/tmp"
		cp "$CACHE/lxbench" "$r/init"
		cp "$CACHE/lxbench" "$r/bin/lxbench"
		cp "$CACHE/tiny" "$r/bin/tiny"
		cp /bin/busybox "$r/bin/busybox"
		for a in sh ls cat wc head; do ln -s busybox "$r/bin/$a"; done
		mknod "$r/dev/console" c 5 1 2>/dev/null || true
		(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9 >"$INITRD.tmp"
		mv "$INITRD.tmp" "$INITRD"
	fi
elif newer "$CACHE/lbench" "$INITRD" || newer "$CACHE/tiny" "$INITRD"; then
	say "packing initramfs"
	r=$CACHE/initramfs-root
	rm -rf "$r"
	mkdir -p "$r/dev" "$r/proc"
	cp "$CACHE/lbench" "$r/init"
	cp "$CACHE/tiny" "$r/tiny"
	# With the node the kernel opens the console for init itself; without it
	# (not root) init mounts devtmpfs and opens it, after a harmless warning.
	mknod "$r/dev/console" c 5 1 2>/dev/null || true
	(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9 >"$INITRD.tmp"
	mv "$INITRD.tmp" "$INITRD"
fi

# ---- run
case $ACCEL in
kvm) accel="-accel kvm"; MODE=kvm ;;
tcg)
	case $MODE in
	icount) accel="-accel tcg -icount shift=0,sleep=off" ;;
	tcg) accel="-accel tcg" ;;
	*) die "BENCH_MODE must be icount or tcg, not '$MODE'" ;;
	esac ;;
*) die "BENCH_ACCEL must be tcg or kvm, not '$ACCEL'" ;;
esac
cmdline="console=ttyS0 quiet panic=-1"
if [ "${BENCH_LINUX_INIT:-}" != lxbench ]; then
	[ -z "$ONLY" ] || cmdline="$cmdline lbench.only=$ONLY"
	# BENCH_COUNT=0 (`make bench` passes it through from the user) is no counting boot
	case ${BENCH_COUNT:-0} in 0) ;; *) cmdline="$cmdline lbench.count" ;; esac
fi
[ -z "$APPEND" ] || cmdline="$cmdline $APPEND"

qver=$(qemu-system-x86_64 --version | sed -n '1s/^QEMU emulator version //p')
say "booting $KVER ($MODE, smp $SMP${APPEND:+, $APPEND})"
start=$(date +%s)
rc=0
# Console: strip the tty's \r, keep the whole log, echo results as they come.
# shellcheck disable=SC2086
{ timeout -k 10 "$TIMEOUT" qemu-system-x86_64 $accel -cpu max -smp "$SMP" -m 512M \
	-nographic -no-reboot $QEMU_ARGS -kernel "$VMLINUZ" -initrd "$INITRD" -append "$cmdline" \
	</dev/null || echo "bench-linux-qemu-exit $?"; } |
	sed -u 's/\r$//' | tee "$LOG" | grep --line-buffered -E '^(BENCH|# )' >&2 || true
secs=$(( $(date +%s) - start ))

{
	echo "# linux kernel=$KVER mode=$MODE accel=$ACCEL smp=$SMP qemu=$qver seconds=$secs"
	[ -z "$APPEND" ] || echo "# linux append=$APPEND"
	[ -z "$QEMU_ARGS" ] || echo "# linux qemu_args=$QEMU_ARGS"
	grep -E '^# (lbench|lxbench):' "$LOG" || true
	grep -E '^BENCH [A-Za-z0-9_]+ ' "$LOG" || true
	grep -E '^COUNT [A-Za-z0-9_]+ ' "$LOG" || true
} >"$OUT"

if grep -q '^bench-linux-qemu-exit' "$LOG"; then
	say "QEMU $(grep '^bench-linux-qemu-exit' "$LOG" | cut -d' ' -f2-) (124 = timed out after ${TIMEOUT}s)"
	rc=1
fi
if ! grep -q '^BENCH-DONE' "$LOG"; then
	say "the guest did not finish (no BENCH-DONE); console log: $LOG"
	rc=1
fi
say "$(grep -c '^BENCH ' "$OUT") results in ${secs}s -> $OUT"
exit $rc
