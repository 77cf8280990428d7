#!/usr/bin/env bash
# Model-check the Promela models of IPC and of revocation/finalisation
# (kernel/models/*.pml) with SPIN: an exhaustive search of every state
# within the models' bounds, for assertion violations and invalid end
# states. One test in `make test`; docs/ASSURANCE.md says what it proves.
#
#   tests/assurance/spin.sh        prints states explored per run and
#                                  `1 passed, 0 failed` (or 0, 1)
#   tests/assurance/spin.sh --long also the wider bounds, minutes each (about
#                                  ten million states and 2 GB for IPC)
#
# Each run is spin -a (the model into a C verifier, pan.c), gcc, ./pan.
# -DSAFETY: safety properties only (no cycle search); -DCOLLAPSE: state
# compression, exact (no states lost, unlike bitstate hashing); MEMLIM
# bounds pan's memory in MB; a search that hits it or the depth bound
# does not complete and fails here.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${ASSURE_OUT:-$root/build/assurance}/spin
mkdir -p "$out"

# name | model | bounds (docs/ASSURANCE.md) | expect: pass, or fail (a
# deliberately broken configuration: the search must find the violation,
# which shows the property can fail at all)
runs=(
	"ipc|kernel/models/ipc.pml|-DNOPS=1 -DNDEL=2|pass"
	"revoke|kernel/models/revoke.pml|-DNOPS=2 -DNOPS2=1 -DBATCH=2|pass"
	"revoke_batch3|kernel/models/revoke.pml|-DNOPS=2 -DNOPS2=1 -DBATCH=3|pass"
	"revoke_batch_too_small_never_ends|kernel/models/revoke.pml|-DNOPS=1 -DNOPS2=1 -DBATCH=1|fail"
)
if [ "${1-}" = --long ]; then
	runs+=(
		"ipc_two_calls_each|kernel/models/ipc.pml|-DNOPS=2 -DNDEL=1|pass"
		"revoke_two_users_two_calls|kernel/models/revoke.pml|-DNOPS=2 -DNOPS2=2 -DBATCH=2|pass"
	)
	memlim=4000
fi

bad=0
for r in "${runs[@]}"; do
	IFS='|' read -r name model defs expect <<<"$r"
	d=$out/$name
	rm -rf "$d" && mkdir -p "$d"
	start=$(date +%s)
	# shellcheck disable=SC2086 # defs is a list of -D options
	if ! (cd "$d" && spin -a $defs "$root/$model" >spin.log 2>&1 &&
		gcc -O2 -w -DSAFETY -DCOLLAPSE -DMEMLIM=${memlim:-1500} -o pan pan.c >gcc.log 2>&1); then
		echo "spin: $name: model did not build:"
		cat "$d/spin.log" "$d/gcc.log" 2>/dev/null | head -20
		bad=$((bad + 1))
		continue
	fi
	(cd "$d" && ./pan -m400000 >pan.log 2>&1)
	secs=$(($(date +%s) - start))
	log=$d/pan.log
	states=$(sed -nE 's/^ *([0-9]+) states, stored.*/\1/p' "$log" | tail -n 1)
	errors=$(sed -nE 's/.*errors: ([0-9]+).*/\1/p' "$log" | tail -n 1)
	incomplete=$(grep -cE 'Search not completed|max search depth too small|out of memory' "$log")
	msg="$name ($model $defs): ${states:-?} states, ${errors:-?} errors, ${secs}s"
	if [ "$expect" = pass ] && [ "${errors:-1}" = 0 ] && [ "$incomplete" = 0 ]; then
		echo "spin: ok    $msg"
	elif [ "$expect" = fail ] && [ "${errors:-0}" != 0 ]; then
		echo "spin: ok    $msg (a violation was expected and found)"
	else
		echo "spin: FAIL  $msg"
		grep -E '^pan|assertion violated|invalid end state|error' "$log" | head -10
		ls "$d"/*.trail >/dev/null 2>&1 && echo "spin: replay with: cd $d && spin -t -p $defs $root/$model"
		bad=$((bad + 1))
	fi
done

if [ "$bad" -eq 0 ]; then
	echo "test spin ... ok"
	echo "1 passed, 0 failed"
else
	echo "test spin ... FAIL"
	echo "0 passed, 1 failed"
	exit 1
fi
