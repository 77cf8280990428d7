#!/usr/bin/env bash
# The body of `make test`: run every test part, add up their results.
#
#   tools/testall.sh [--host "HOST_TEST ..."] [HOST_TEST ...] [-- RUNTEST_ARGS ...]
#
# Parts, in order: the tools' self-tests (tests/tools/*.py), each host test
# binary, then the guest suite through tools/runtest.py with RUNTEST_ARGS (no
# guest part if nothing follows `--`), then the guest suite once more under
# plain TCG while tools/busy.sh keeps every host CPU busy ("guest, busy
# host"; its --log, if any, gets -busy before the extension): a test that
# depends on where timer ticks fall fails there.  Each part prints `test <name> ...
# ok|FAIL` lines and ends with `N passed, M failed` (runtest.py: `guest: N
# passed, M failed`).  A part that exits non-zero without reporting a failure
# (an ASan abort, a segfault, a timeout) counts as 1 failed and is named.
#
# The last line is always the total `N passed, M failed`; the exit status is
# 0 only if M is 0 and every part ran cleanly.
#
# TEST_TIMEOUT (seconds, default 600) bounds each non-guest part but the
# machine-checked assurance (tests/assurance/*.sh: EVA's and WP's runs
# from an empty cache take 10 to 15 minutes each on two idle cores,
# docs/ASSURANCE.md), which ASSURE_TIMEOUT bounds (default 2400); the
# guest part has runtest.py's own --timeout.
set -uo pipefail    # not -e: a failing part must not stop the others

tools=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$tools")
timeout_s=${TEST_TIMEOUT:-600}
assure_timeout_s=${ASSURE_TIMEOUT:-2400}

host=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	if [ "$1" = --host ]; then      # a space-separated list, as make gives
		read -ra list <<<"${2-}"
		host+=(${list[@]+"${list[@]}"})
		shift 2 || shift
	else
		host+=("$1")
		shift
	fi
done
[ $# -gt 0 ] && shift       # drop the --
guest=("$@")

total_pass=0 total_fail=0
report=()                   # one summary line per part
bad=()                      # culprits, for the loud list at the end
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# run_part LABEL CMD...: stream the part's output, then account for it.
run_part() {
	local label=$1
	shift
	echo "==== $label"
	"$@" 2>&1 | tee "$tmp"
	local rc=${PIPESTATUS[0]}
	# A part that died mid-line must not swallow the next header.
	[ -z "$(tail -c 1 "$tmp")" ] || echo
	local clean
	clean=$(tr -d '\r' <"$tmp")
	local sum n m why=""
	sum=$(grep -aE '(^|: )[0-9]+ passed, [0-9]+ failed$' <<<"$clean" | tail -n 1)
	if [ -n "$sum" ]; then
		n=$(sed -E 's/.*(^|: )([0-9]+) passed.*/\2/' <<<"$sum")
		m=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$sum")
	else        # it died early: count what finished, plus the one that died
		n=$(grep -acE '^test [^ ]+ \.\.\. *ok' <<<"$clean")
		m=$(($(grep -acE '^test [^ ]+ \.\.\. *FAIL' <<<"$clean") + 1))
	fi
	# The failed tests' names, from `test <name> ... FAIL` lines.
	local names
	names=$(sed -nE 's/^test ([^ ]+) \.\.\. *FAIL.*/\1/p' <<<"$clean" |
		paste -sd, - | sed 's/,/, /g')
	# runtest.py puts its culprit (panic, triple fault, ...) on the line
	# after this banner.
	local culprit
	culprit=$(sed -nE '/^GUEST TESTS FAILED$/{n;p;q}' <<<"$clean")

	if [ "$rc" -eq 124 ]; then
		why="TIMED OUT after ${part_timeout:-$timeout_s}s"
	elif [ -z "$sum" ]; then
		# The test whose `test <name> ... ` line was left open died.
		local open sig=""
		open=$(grep -aE '^test [^ ]+ \.\.\.' <<<"$clean" | tail -n 1 |
			grep -avE '\.\.\. *(ok|FAIL)' | cut -d' ' -f2)
		[ "$rc" -gt 128 ] && sig=" (signal $((rc - 128)))"
		why="CRASHED${open:+ during test $open}: exit status $rc$sig, no summary line"
	elif [ "$rc" -ne 0 ] && [ "$m" -eq 0 ]; then
		why="exit status $rc despite 0 failed"
		m=1         # a broken part is never a silent zero
	fi

	total_pass=$((total_pass + n))
	total_fail=$((total_fail + m))
	local line="$n passed, $m failed"
	if [ "$m" -eq 0 ]; then
		report+=("  ok    $label: $line")
		return
	fi
	local detail=${culprit:-${why:-FAILED TESTS: ${names:-?}}}
	report+=("  FAIL  $label: $line -- $detail")
	bad+=("$label ($detail)")
}

# exec: no shell left behind to print "Aborted" into the part's output.
in_time() { exec timeout -k 10 "${part_timeout:-$timeout_s}" "$@"; }

for t in "$root"/tests/tools/*.py; do
	[ -e "$t" ] || continue
	run_part "${t#"$root"/}" in_time python3 "$t"
done
for t in ${host[@]+"${host[@]}"}; do
	if [ -x "$t" ]; then
		part_timeout=$timeout_s
		[[ $t == tests/assurance/* || $t == */tests/assurance/* ]] && part_timeout=$assure_timeout_s
		run_part "$t" in_time "$t"
		part_timeout=
	else
		echo "==== $t"
		echo "testall: $t is missing or not executable"
		report+=("  FAIL  $t: not run -- missing or not executable")
		bad+=("$t (missing)")
		total_fail=$((total_fail + 1))
	fi
done
if [ ${#guest[@]} -gt 0 ]; then
	run_part guest python3 "$tools/runtest.py" "${guest[@]}"
	busy=("${guest[@]}")
	for i in "${!busy[@]}"; do
		if [ "${busy[$i]}" = --log ] && [ $((i + 1)) -lt ${#busy[@]} ]; then
			log=${busy[$((i + 1))]}
			busy[i + 1]=${log%.*}-busy.${log##*.}
		fi
	done
	ACCEL=tcg run_part "guest, busy host" bash "$tools/busy.sh" \
		python3 "$tools/runtest.py" "${busy[@]}"
fi

echo "==== summary"
printf '%s\n' ${report[@]+"${report[@]}"}
if [ ${#bad[@]} -gt 0 ]; then
	echo "########################################################################"
	echo "FAILED PARTS:"
	printf '  %s\n' "${bad[@]}"
	echo "########################################################################"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
