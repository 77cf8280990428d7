#!/usr/bin/env bash
# The body of `make run`: boot Lamina in QEMU with the serial console on this
# terminal, with an empty kernel command line unless --append says otherwise.
#   tools/run.sh KERNEL ["path name,path name,..."] [--append CMDLINE]
#                [-- EXTRA_QEMU_ARGS...]
# KERNEL is the multiboot1 image (build/lamina.elf32), or an .iso to boot
# from CD.  ACCEL=kvm uses KVM instead of TCG.  LAMINA_GDB=1 (what
# tools/debug.sh sets) starts halted with the gdb stub on :1234.
set -euo pipefail
tools=$(dirname "$0")
usage="usage: $0 KERNEL|ISO [MODULES] [--append CMDLINE] [-- QEMU_ARGS...]"

pos=() append=""
while [ $# -gt 0 ]; do
	case $1 in
	--append) append=${2?$usage}; shift 2 ;;
	--) shift; break ;;
	-*) echo "$usage" >&2; exit 2 ;;
	*) pos+=("$1"); shift ;;
	esac
done
if [ ${#pos[@]} -lt 1 ] || [ ${#pos[@]} -gt 2 ]; then
	echo "$usage" >&2
	exit 2
fi
kernel=${pos[0]} modules=${pos[1]-}

bash "$tools/deps.sh"

# Same machine as tools/runtest.py, but mon:stdio multiplexes the serial port
# and the QEMU monitor on this terminal, which is what makes Ctrl-A X work.
qemu=(qemu-system-x86_64 -accel "${ACCEL:-tcg}" -cpu max -smp 1 -m 512M
	-display none -serial mon:stdio -no-reboot
	-device "isa-debug-exit,iobase=0xf4,iosize=0x04")
if [[ $kernel == *.iso ]]; then
	qemu+=(-cdrom "$kernel" -boot d)
else
	qemu+=(-kernel "$kernel" -append "$append")
	if [ -n "$modules" ]; then
		# Each entry must be "path name": a space-joined list would become
		# one module whose cmdline names all the others.
		IFS=, read -ra entries <<<"$modules"
		for e in "${entries[@]}"; do
			read -ra w <<<"$e"
			if [ ${#w[@]} -ne 2 ]; then
				echo "$0: module '$e' is not \"path name\" (separate modules with commas)" >&2
				exit 2
			fi
		done
		qemu+=(-initrd "$modules")
	fi
fi
if [ -n "${LAMINA_GDB:-}" ]; then
	qemu+=(-s -S)
	echo "QEMU is halted, waiting for gdb. In another terminal:"
	echo "  gdb build/lamina.elf -ex 'target remote :1234'"
	echo "(a program's symbols: add-symbol-file build/NAME.debug.elf)"
fi
echo "Lamina on the serial console. Quit: Ctrl-A then X (Ctrl-A C: QEMU monitor)."
status=0
"${qemu[@]}" "$@" || status=$?
# Status 1 is the guest writing 0 to isa-debug-exit: a clean exit, not an
# error for make to report.  (QEMU's own errors also exit 1, but they print.)
[ "$status" -eq 1 ] && status=0
exit "$status"
