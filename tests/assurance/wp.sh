#!/usr/bin/env bash
# Deductive proofs (Frama-C WP) of the derivation tree: the ACSL contracts
# and lemmas of tests/assurance/mdb_*wp.c (their logic in mdb_wp.h), proved
# on kernel/mdb.c (and mdb.h's inline functions) by CVC4 and Z3 through
# Why3. One test in `make test`;
# docs/ASSURANCE.md says what the contracts state.
#
#   tests/assurance/wp.sh      prints goals proved/total per run; fails
#                              unless every goal of every run is proved
#
# -wp-rte adds the runtime-error goals (every pointer access valid, no
# overflow) to the contracts' own. Each goal gets WP_TIMEOUT seconds per
# prover (default 120: the slowest needs about 3 on an idle core, but three
# of mdb_move's went past 10 on a two-core machine busy with other builds,
# and on 2026-12-05, at a load of 15 on two cores, one of mdb_move's and two
# of mdb_remove's went past 40 (Z3's own limit then says "unknown"): a
# proof must not depend on the machine's load. The limit costs time only
# for a goal that fails.)
#
# Prover results are cached by goal (build/assurance/wp/cache, -wp-cache
# update): a goal whose text is unchanged (same contract, same code, same
# prover) is not proved again, so a rerun after a change elsewhere takes
# seconds; a changed goal is a new entry, proved afresh. WP_CACHE=none
# (or rebuild) proves everything again.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${ASSURE_OUT:-$root/build/assurance}/wp
mkdir -p "$out/cache"
cd "$root" || exit 1

# name | contracts | functions (none: lemmas) | frama-c options | provers
#   (default cvc4,z3-ce)
# splices: the operations that change the tree, node by node (typed
#   memory), and the whole-tree invariant over the list holding the node;
#   -pp-annot expands REMOVE_PRE in the annotations.
# lemmas: the logic facts those contracts cite (mdb_wp.c).
# treelemmas: from the operations' postconditions (what they write, and
#   kept: every other link of the list holds as before) to the whole-tree
#   invariant over the new list (mdb_tree_wp.c; logic only, no code).
#   Z3 also without its counterexample mode: only that proves next_is_at
#   (the link (x, x + 1) from linked; assure-wp2).
# apply: tree over the new list after each call, from the operation's
#   contract and treelemmas' lemmas (mdb_apply_wp.c: a function calling
#   the operation once; the lemma's application is its goal).
# walks: first child, parent, is-descendant. Typed+cast: mdb_first_child
#   casts an opening end to its node (the same address: the end is the
#   node's first member); MDB_WP_WALKS enables mdb.c's loop invariants
#   and variants (the walks end).
# walklemmas: the lemma the walks' termination cites (mdb_walk_wp.c).
# vacuity: the whole-tree postconditions' hypotheses are satisfiable:
#   "they imply false" must NOT be proved (short timeout: they fail).
#   Z3 without its counterexample mode: on these goals, which fail, Z3
#   returns a model, and Frama-C's reading of it crashed (a segmentation
#   fault, twice in a row on 2026-12-05 after "const x!0 not defined").
# tree: the whole-tree postconditions (every "ensures tree_..." of
#   mdb_wp.c), without -wp-rte: the runtime-error assertions, proved in the
#   splices run, only crowd these goals' hypotheses (they time out with them).
# nestlemmas: the operations' preconditions from tree and the nesting, and
#   the nesting kept by each operation (mdb_nest_wp.c; logic only, its own
#   lemmas: the file includes mdb_tree_wp.c, whose lemmas treelemmas proves);
#   vacuity_nest: the nesting's hypotheses satisfiable (must NOT be proved).
# inv: tree and the nesting kept by each call, from the invariant and what
#   the caller holds alone (mdb_inv_wp.c: functions calling apply_*; the
#   callee's precondition, nb_ok and the rest, is a goal);
#   vacuity_inv: those functions' preconditions satisfiable (must NOT be).
tree=$(sed -nE 's/.*ensures (tree_[a-z_]+):.*/\1/p' tests/assurance/mdb_wp.c | paste -sd, -)
vacuity=vacuity_add,vacuity_remove_leaf,vacuity_remove_inner,vacuity_move
nest=$(sed -nE 's/^[[:space:]]*lemma ([a-z_0-9]+).*/\1/p' tests/assurance/mdb_nest_wp.c | paste -sd, -)
vacuity_nest=$(sed -nE 's/^[[:space:]]*check lemma (vacuity_[a-z_0-9]+).*/\1/p' tests/assurance/mdb_nest_wp.c | paste -sd, -)
runs=(
	"splices|mdb_wp.c|mdb_add_child,mdb_remove,mdb_move,unlink_end|-wp-rte -pp-annot -wp-prop=-${tree//,/,-},-${vacuity//,/,-}"
	"tree|mdb_wp.c|mdb_add_child,mdb_remove,mdb_move|-pp-annot -wp-prop=$tree"
	"lemmas|mdb_wp.c||-pp-annot -wp-prop=@lemma"
	"treelemmas|mdb_tree_wp.c||-wp-prop=@lemma|cvc4,z3-ce,z3"
	"apply|mdb_apply_wp.c|apply_add,apply_remove,apply_move|-pp-annot -wp-prop=-vacuity_apply_add,-vacuity_apply_remove,-vacuity_apply_move"
	"walks|mdb_walk_wp.c|mdb_parent,mdb_is_descendant,mdb_first_child,mdb_has_children|-wp-rte -wp-model Typed+cast"
	"walklemmas|mdb_walk_wp.c||-wp-model Typed+cast -wp-prop=@lemma,-vacuity_walk|cvc4,z3-ce,z3"
	"nestlemmas|mdb_nest_wp.c||-wp-prop=$nest|cvc4,z3-ce,z3"
	"inv|mdb_inv_wp.c|inv_add,inv_remove,inv_move|-pp-annot"
	"vacuity|mdb_wp.c|mdb_add_child,mdb_remove,mdb_move|-pp-annot -wp-prop=$vacuity -wp-timeout 5|cvc4,z3"
	"vacuity_apply|mdb_apply_wp.c|apply_add,apply_remove,apply_move|-pp-annot -wp-prop=vacuity_apply_add,vacuity_apply_remove,vacuity_apply_move -wp-timeout 5|cvc4,z3"
	"vacuity_walk|mdb_walk_wp.c||-wp-model Typed+cast -wp-prop=vacuity_walk -wp-timeout 5|cvc4,z3"
	"vacuity_nest|mdb_nest_wp.c||-wp-prop=$vacuity_nest -wp-timeout 5|cvc4,z3"
	"vacuity_inv|mdb_inv_wp.c||-pp-annot -wp-prop=vacuity_inv_add,vacuity_inv_remove,vacuity_inv_move -wp-timeout 5|cvc4,z3"
)

ok=1
all_proved=0
all_total=0
for r in "${runs[@]}"; do
	IFS='|' read -r name file fcts opts provers <<<"$r"
	log=$out/$name.log
	define=
	case $name in walk* | vacuity_walk) define=-DMDB_WP_WALKS ;; esac
	fct=
	[ -n "$fcts" ] && fct="-wp-fct $fcts"
	start=$(date +%s)
	# A crash of Frama-C itself (a signal: seen once, a segmentation fault
	# at the end of the vacuity run on a clean clone, not reproduced) is
	# not a verdict on the proofs: the run is made once more, without the
	# cache. A second crash fails.
	cache=${WP_CACHE:-update}
	for attempt in 1 2; do
		# shellcheck disable=SC2086 # fct, opts: lists of words
		frama-c -c11 -cpp-extra-args="-Iinclude -Ikernel -DLAMINA_HOST $define" \
			-wp -wp-split -wp-prover "${provers:-cvc4,z3-ce}" -wp-timeout "${WP_TIMEOUT:-120}" -wp-par 2 \
			-wp-cache "$cache" -wp-cache-dir "$out/cache" \
			$fct $opts -wp-warn-key pedantic-assigns=inactive \
			"tests/assurance/$file" >"$log" 2>&1
		rc=$?
		[ "$rc" -lt 128 ] && break
		echo "wp $name: frama-c ended by signal $((rc - 128)) (attempt $attempt)"
		cache=none
	done
	secs=$(($(date +%s) - start))
	sum=$(sed -nE 's/.*Proved goals: *([0-9]+) *\/ *([0-9]+).*/\1 \2/p' "$log" | tail -n 1)
	read -r proved total <<<"${sum:-? ?}"
	echo "wp $name: $proved of $total goals proved (${fcts:-lemmas}), ${secs}s; the log in $log"
	if [[ $name = vacuity* ]]; then
		# Each goal is split in cases, some of them trivial (the
		# other behaviour, or a case Qed closes): those may be proved,
		# the cases that hold the hypotheses must not.
		if [ "$rc" -ne 0 ] || [ -z "$sum" ] || [ "$total" -eq 0 ] ||
		   grep -qE 'Goal typed_(cast_)?([a-z_]+_ensures|(check_)?lemma)_vacuity_[a-z_]+(_part2)? : Valid' "$log"; then
			echo "wp $name: a whole-tree postcondition's (or a walk's) hypotheses were proved contradictory (or the run failed): it proves nothing"
			grep -E 'vacuity.*: Valid' "$log" | head
			ok=0
		fi
	elif [ "$rc" -eq 0 ] && [ -n "$sum" ] && [ "$proved" = "$total" ] && [ "$total" -gt 0 ]; then
		all_proved=$((all_proved + proved))
		all_total=$((all_total + total))
	else
		echo "wp $name: unproved goals (or the run failed, exit $rc):"
		grep -A3 -E '\[Failed\]|: (Unknown|Timeout|Failed)|Error' "$log" | head -40
		ok=0
	fi
done

if [ "$ok" = 1 ]; then
	echo "wp: $all_proved of $all_total goals proved"
	echo "test wp ... ok"
	echo "1 passed, 0 failed"
else
	echo "test wp ... FAIL"
	echo "0 passed, 1 failed"
	exit 1
fi
