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
#                                                   # alternated round by round
#   ROUNDS=3 RUNS=20 scripts/bench-startup.sh
#
# Uses hyperfine (apt-get install hyperfine) when it is there, else a loop
# of date +%s%N (which adds ~1 ms of its own to every run). Every check
# starts from an empty state directory. The machine's load average is
# printed first: on a shared machine the figures move with it.
set -euo pipefail

runs=${RUNS:-30}
rounds=${ROUNDS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '# One step\n\n```sh\ntrue\n```\n' >"$work/one.md"
(cd "$root" && go build -o "$work/coursectl" ./cmd/coursectl && go build -o "$work/ptyfloor" ./scripts/ptyfloor)
bash_plain=(bash --noprofile --norc --noediting -i -c true)

binaries=("$work/coursectl")
names=(this)
if [[ -n ${BEFORE:-} ]]; then
	binaries+=("$BEFORE")
	names+=(before)
fi

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

median_ms() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)] / 1e6}'; }
now() { date +%s%N; }

# run NAME CMD...: the median wall time of CMD over $runs runs, in ms.
run() {
	local name=$1 i t0
	shift
	if command -v hyperfine >/dev/null; then
		hyperfine -N -w 3 -r "$runs" --prepare "rm -rf $work/state" \
			--export-json "$work/h.json" "$(printf '%q ' "$@")" >/dev/null 2>&1
		python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$work/h.json"
	else
		for ((i = 0; i < runs; i++)); do
			rm -rf "$work/state"
			t0=$(now)
			"$@" >/dev/null 2>&1
			echo $(($(now) - t0))
		done | median_ms
	fi
}

printf '%-8s %-6s %12s %12s %12s %12s\n' round binary "check ms" "version ms" "bash -i ms" "floor ms"
for ((r = 1; r <= rounds; r++)); do
	for i in "${!binaries[@]}"; do
		b=${binaries[i]}
		c=$(run check "$b" check --state "$work/state" "$work/one.md")
		v=$(run version "$b" version)
		s=$(run bash "${bash_plain[@]}")
		f=$(run floor "$work/ptyfloor")
		printf '%-8s %-6s %12s %12s %12s %12s\n' "$r" "${names[i]}" "$c" "$v" "$s" "$f"
	done
done
echo "target: check of a 1-step module <= 25 ms (docs/benchmarks.md, \"Start-up\")"
