#!/usr/bin/env bash
# Make sure the Debian packages Lamina needs are installed.
#   tools/deps.sh [EXTRA_PACKAGE ...]    e.g. tools/deps.sh "gnuplot-nox cpio"
# Silent when all are present.  Otherwise, as root: apt-get update + install,
# non-interactively (CI); as anyone else: print the apt-get command, exit 1.
set -euo pipefail

# grub-pc-bin and grub-efi-amd64-bin: the ISO boots under BIOS and UEFI;
# ovmf: the UEFI firmware the ISO is tested under (tests/tools/test_iso.py).
# clang: eBPF programs (clang -target bpf) and the verifier's libFuzzer
# target (libclang-rt-dev); busybox-static: the Linux personality's program.
# frama-c-base why3 z3 cvc4 spin: the assurance checks (docs/ASSURANCE.md).
pkgs=(qemu-system-x86 grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools
	ovmf musl-tools gcc make python3 binutils clang libclang-rt-dev busybox-static
	frama-c-base why3 z3 cvc4 spin)
for arg in "$@"; do
	read -ra words <<<"$arg"    # one quoted argument may list several
	pkgs+=(${words[@]+"${words[@]}"})
done

if ! command -v dpkg-query >/dev/null; then
	echo "deps: no dpkg-query: not a Debian system; install by hand: ${pkgs[*]}" >&2
	exit 1
fi

missing=()
for p in "${pkgs[@]}"; do
	# db:Status-Status is "installed" only for a fully installed package
	# (not for one removed with its config files left, or half-configured).
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: install them with:" >&2
	echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Wait for a concurrent apt/dpkg (e.g. unattended-upgrades) instead of failing.
apt=(apt-get -q -o DPkg::Lock::Timeout=600)
"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends "${missing[@]}" </dev/null
