#!/usr/bin/env bash
# Run a command while the host is busy: start one CPU burner per processor
# plus one, run CMD, then kill every burner, whatever CMD did.
#   tools/busy.sh CMD [ARG ...]      exits with CMD's status
# make test uses it to run the guest suite under plain TCG on a loaded host,
# where QEMU is descheduled at random points and timer ticks land anywhere:
# a guest test that depends on timing fails there.
# Each burner is also bounded by `timeout` (BUSY_MAX seconds, default 1200),
# so none outlives this script even if the script is killed with SIGKILL.
set -uo pipefail

if [ $# -eq 0 ]; then
	echo "usage: $0 CMD [ARG ...]" >&2
	exit 2
fi
n=$(($(nproc 2>/dev/null || echo 1) + 1))
max=${BUSY_MAX:-1200}

pids=()
stop() {
	for p in ${pids[@]+"${pids[@]}"}; do
		kill "$p" 2>/dev/null
	done
	for p in ${pids[@]+"${pids[@]}"}; do
		wait "$p" 2>/dev/null
	done
	pids=()
}
trap stop EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

for _ in $(seq "$n"); do
	# $! is timeout's PID: killing it ends the loop too (timeout passes
	# the signal on to its child).
	timeout -k 5 "$max" sh -c 'while :; do :; done' &
	pids+=($!)
done
echo "busy: $n CPU burners running (pids ${pids[*]})"
"$@"
status=$?
stop
echo "busy: burners stopped"
exit "$status"
