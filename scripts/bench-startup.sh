#!/usr/bin/env bash
# bench-startup.sh: how long `coursectl check` of a 1-step module takes,
# start to exit (target <= 25 ms), next to what it is made of: the Go
# process before main (`coursectl version`), bash's own start (an
# interactive bash, no rcfile) and the floor of this machine (ptyfloor: a
# Go program that starts bash -i on a pty, runs `true` and waits). Medians
# of RUNS runs (default 30).
#
#   scripts/bench-startup.sh                        # this tree
#   BEFORE=/tmp/coursectl-old scripts/bench-startup.sh   # and another binary,
#                                                   # interleaved run by run
#   ROUNDS=3 RUNS=20 scripts/bench-startup.sh
#
# Every check starts from an empty state directory. The machine's load
# average and CPU pressure (the share of time something waited for a CPU,
# /proc/pressure/cpu) are printed first: on a shared machine the figures
# move with them, the floor column with them.
set -euo pipefail

runs=${RUNS:-30}
rounds=${ROUNDS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '# One step\n\n```sh\ntrue\n```\n' >"$work/one.md"
# Built as README.md installs it: without cgo (set CGO_ENABLED=1 for the
# dynamically linked binary `go build` makes where a C compiler is found).
(cd "$root" && CGO_ENABLED=${CGO_ENABLED:-0} go build -o "$work/coursectl" ./cmd/coursectl && go build -o "$work/ptyfloor" ./scripts/ptyfloor &&
	go build -o "$work/interleave" ./scripts/interleave)
bash_plain=(bash --noprofile --norc --noediting -i -c true)

binaries=("$work/coursectl")
names=(this)
if [[ -n ${BEFORE:-} ]]; then
	binaries+=("$BEFORE")
	names+=(before)
fi

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
if [[ -r /proc/pressure/cpu ]]; then echo "cpu pressure: $(head -1 /proc/pressure/cpu)"; fi

# Each round times every command once per run, interleaved (scripts/interleave):
# this machine's speed swings from minute to minute, and commands timed one
# after the other would each see a different machine.
printf '%-8s %-6s %12s %12s %12s %12s\n' round binary "check ms" "version ms" "bash -i ms" "floor ms"
for ((r = 1; r <= rounds; r++)); do
	cmds=()
	for b in "${binaries[@]}"; do
		cmds+=("$b check --state $work/state $work/one.md" "$b version")
	done
	cmds+=("${bash_plain[*]}" "$work/ptyfloor")
	mapfile -t med < <("$work/interleave" -n "$runs" -prepare "rm -rf $work/state" "${cmds[@]}" | cut -d' ' -f1)
	n=${#binaries[@]}
	for i in "${!binaries[@]}"; do
		printf '%-8s %-6s %12s %12s %12s %12s\n' "$r" "${names[i]}" "${med[2 * i]}" "${med[2 * i + 1]}" "${med[2 * n]}" "${med[2 * n + 1]}"
	done
done
echo "target: check of a 1-step module <= 25 ms (docs/benchmarks.md, \"Start-up\")"
