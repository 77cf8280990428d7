#!/bin/sh
# The symbol table is built from the first link; make sure the second link
# put every text symbol at the same address, or backtraces would lie.
a=$(nm -n --defined-only "$1" | awk '$2 ~ /^[tT]$/')
b=$(nm -n --defined-only "$2" | awk '$2 ~ /^[tT]$/')
[ "$a" = "$b" ] || { echo "check-ksyms: text moved between links" >&2; exit 1; }
