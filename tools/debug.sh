#!/usr/bin/env bash
# The body of `make debug`: like tools/run.sh (same arguments), but QEMU starts
# halted with its gdb stub on :1234, and says how to attach gdb.
exec env LAMINA_GDB=1 bash "$(dirname "$0")/run.sh" "$@"
