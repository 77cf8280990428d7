#!/usr/bin/env bash
# Build a GRUB (multiboot2) ISO that boots Lamina in QEMU or on real hardware,
# under BIOS (El Torito, i386-pc GRUB) and UEFI (an EFI system partition image
# with x86_64-efi GRUB) alike: grub-mkrescue adds each platform whose modules
# are installed, so both are required here rather than silently left out.
#   tools/mkiso.sh OUT.iso KERNEL.elf [MODULE:NAME ...]
# e.g. tools/mkiso.sh build/lamina.iso build/lamina.elf \
#          build/root.elf:root build/ktest.elf:ktest
# Every file lands in /boot/ of the ISO; grub.cfg is generated from
# tools/grub.cfg with one `module2 /boot/<file> /boot/<file> <name>` line per
# module (why the path twice: see tools/grub.cfg).
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 OUT.iso KERNEL.elf [MODULE:NAME ...]" >&2
	exit 2
fi
out=$1 kernel=$2
shift 2
template=$(dirname "$0")/grub.cfg

for platform in i386-pc:grub-pc-bin x86_64-efi:grub-efi-amd64-bin; do
	if [ ! -d "/usr/lib/grub/${platform%%:*}" ]; then
		echo "mkiso: no /usr/lib/grub/${platform%%:*}: install ${platform#*:}" \
			"(tools/deps.sh) for a BIOS+UEFI ISO" >&2
		exit 1
	fi
done

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/boot/grub"
cp "$kernel" "$tree/boot/lamina.elf"

lines=()
for mod in "$@"; do
	path=${mod%%:*} name=${mod#*:}
	if [ "$path" = "$mod" ] || [ -z "$name" ]; then
		echo "mkiso: module '$mod' is not PATH:NAME" >&2
		exit 2
	fi
	file=$(basename "$path")
	if [ "$file" = lamina.elf ] || [ -e "$tree/boot/$file" ]; then
		echo "mkiso: two files named $file" >&2
		exit 2
	fi
	cp "$path" "$tree/boot/$file"
	lines+=("module2 /boot/$file /boot/$file $name")
done

# Expand @MODULES@ keeping its indentation.
while IFS= read -r line; do
	if [[ $line == *@MODULES@* ]]; then
		indent=${line%%@MODULES@*}
		for l in ${lines[@]+"${lines[@]}"}; do
			printf '%s%s\n' "$indent" "$l"
		done
	else
		printf '%s\n' "$line"
	fi
done <"$template" >"$tree/boot/grub/grub.cfg"

mkdir -p "$(dirname "$out")"
# grub-mkrescue is chatty on success; show its output only if it fails.
if ! log=$(grub-mkrescue -o "$out" "$tree" 2>&1); then
	printf '%s\n' "$log" >&2
	echo "mkiso: grub-mkrescue failed (needs grub-pc-bin, grub-efi-amd64-bin, xorriso, mtools)" >&2
	exit 1
fi
echo "mkiso: wrote $out"
