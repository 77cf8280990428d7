#!/usr/bin/env bash
# Deductive proofs (Frama-C WP) of the derivation tree's operations: the
# ACSL contracts of tests/assurance/mdb_wp.c, proved on kernel/mdb.c by
# CVC4 and Z3 through Why3. One test in `make test`; docs/ASSURANCE.md
# says what the contracts state.
#
#   tests/assurance/wp.sh      prints goals proved/total; fails unless all
#
# -wp-rte adds the runtime-error goals (every pointer access valid, no
# overflow) to the contracts' own. Each goal gets WP_TIMEOUT seconds per
# prover (default 40: the slowest needs about 3 on an idle core, but three
# of mdb_move's went past 10 on a two-core machine busy with other builds,
# and a proof must not depend on the machine's load).
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${ASSURE_OUT:-$root/build/assurance}/wp
mkdir -p "$out"
cd "$root" || exit 1

fcts=mdb_add_child,mdb_remove,mdb_move,unlink_end
start=$(date +%s)
frama-c -cpp-extra-args="-Iinclude -Ikernel -DLAMINA_HOST" \
	-wp -wp-rte -wp-split -wp-prover cvc4,z3-ce -wp-timeout "${WP_TIMEOUT:-40}" -wp-par 2 \
	-wp-fct "$fcts" -wp-warn-key pedantic-assigns=inactive \
	tests/assurance/mdb_wp.c >"$out/wp.log" 2>&1
rc=$?
secs=$(($(date +%s) - start))

sum=$(sed -nE 's/.*Proved goals: *([0-9]+) *\/ *([0-9]+).*/\1 \2/p' "$out/wp.log" | tail -n 1)
read -r proved total <<<"${sum:-? ?}"
echo "wp: $proved of $total goals proved ($fcts), ${secs}s; the log in $out/wp.log"
if [ "$rc" -eq 0 ] && [ -n "$sum" ] && [ "$proved" = "$total" ] && [ "$total" -gt 0 ]; then
	echo "test wp ... ok"
	echo "1 passed, 0 failed"
else
	echo "wp: unproved goals:"
	grep -A3 -E '\[Failed\]|: (Unknown|Timeout|Failed)' "$out/wp.log" | head -40
	echo "test wp ... FAIL"
	echo "0 passed, 1 failed"
	exit 1
fi
