#!/bin/sh
# Emit the kernel symbol table (assembly) for panic backtraces.
# With an ELF argument: its text symbols, sorted; without: an empty table.
echo '	.section .note.GNU-stack, "", @progbits'
echo '	.section .ksyms, "a"'
echo '	.globl ksyms_count, ksyms_addrs, ksyms_names'
echo '	.balign 8'
if [ -n "$1" ]; then
	nm -n --defined-only "$1" | awk 'BEGIN { n = 0 } NF == 3 && $2 ~ /^[tT]$/ { a[n] = $1; s[n] = $3; n++ }
	END {
		printf "ksyms_count: .quad %d\nksyms_addrs:\n", n
		for (i = 0; i < n; i++) printf "\t.quad 0x%s\n", a[i]
		printf "ksyms_names:\n"
		for (i = 0; i < n; i++) printf "\t.asciz \"%s\"\n", s[i]
	}'
else
	printf 'ksyms_count: .quad 0\nksyms_addrs:\nksyms_names: .byte 0\n'
fi
