#!/usr/bin/env bash
# bench-overhead.sh: what a step costs on top of the commands it runs, at 200
# and at 1,000 steps whose shell state grows (one more exported variable a
# step, plus aliases, functions and history), against the same commands as
# one plain bash script; and the wall time of `check` on a 1-step module.
#
#   scripts/bench-overhead.sh            # from the repository root
#   RUNS=5 scripts/bench-overhead.sh     # more runs of each measurement
#
# Two views of the same question:
#   1. BenchmarkGrowingState (runner/checkpoint_bench_test.go): the median
#      time of one Session.Exec, in-process, minus plain bash's time per step.
#   2. The built binary: `coursectl check` of the same modules, start to exit,
#      per step, minus plain bash's time per step (startup included once).
# Targets (docs/benchmarks.md): overhead at 200 steps ≤ 1.5 ms; at 1,000
# steps ≤ 1.2 × the 200-step figure; `check` of a 1-step module ≤ 25 ms.
set -euo pipefail

runs=${RUNS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The steps of growingSteps in runner/checkpoint_bench_test.go, as markdown.
kinds=(
	'x=$((x+1))'
	'echo step $x'
	'mkdir -p d$x && cd d$x && cd ..'
	"alias a\$x='echo a'"
	'f() { echo f$x; }'
	'export V$x=$x'
	'true'
	'test -n "$HOME"'
)
gen() { # gen N: module on stdout, plain script in $work/plainN.sh
	local n=$1 i
	: >"$work/plain$n.sh"
	echo "# Growing state, $n steps"
	for ((i = 0; i < n; i++)); do
		printf '\n## Step %d\n\n```sh\nexport GROW_%d=value-%d\n%s\n```\n' "$i" "$i" "$i" "${kinds[i % 8]}"
		printf 'export GROW_%d=value-%d\n%s\n' "$i" "$i" "${kinds[i % 8]}" >>"$work/plain$n.sh"
	done
}
gen 200 >"$work/grow200.md"
gen 1000 >"$work/grow1000.md"
printf '# One step\n\n```sh\ntrue\n```\n' >"$work/one.md"

echo "building coursectl..."
(cd "$root" && go build -o "$work/coursectl" ./cmd/coursectl)

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# plain N: median ns per step of the plain script.
plain() {
	local n=$1 i t0
	for ((i = 0; i < runs; i++)); do
		(cd "$work" && rm -rf d* && t0=$(now) && bash --noprofile --norc -O expand_aliases "plain$n.sh" >/dev/null && echo $((($(now) - t0) / n)))
	done | median
}
# check N: median ns per step of `coursectl check` (fresh state each run).
check() {
	local f=$1 n=$2 i t0
	for ((i = 0; i < runs; i++)); do
		rm -rf "$work/state"
		t0=$(now)
		"$work/coursectl" check --state "$work/state" "$work/$f" >/dev/null
		echo $((($(now) - t0) / n))
	done | median
}

echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo
echo "== coursectl check (whole binary, start to exit, per step)"
p200=$(plain 200)
p1000=$(plain 1000)
c200=$(check grow200.md 200)
c1000=$(check grow1000.md 1000)
# The 1-step check through hyperfine when it is there: the date(1) forks
# around a run add 5-10 ms of their own on a small VM
# (scripts/bench-startup.sh has the breakdown).
if command -v hyperfine >/dev/null; then
	hyperfine -N -w 3 -r "$((runs * 6))" --prepare "rm -rf $work/state" \
		--export-json "$work/h.json" "$work/coursectl check --state $work/state $work/one.md" >/dev/null 2>&1
	one=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["results"][0]["median"] * 1e9))' "$work/h.json")
else
	one=$(check one.md 1)
fi
awk -v p2="$p200" -v p10="$p1000" -v c2="$c200" -v c10="$c1000" -v one="$one" 'BEGIN {
	o2 = (c2 - p2) / 1e6; o10 = (c10 - p10) / 1e6
	printf "  %-6s %12s %12s %14s\n", "steps", "check ms", "plain ms", "overhead ms"
	printf "  %-6d %12.3f %12.3f %14.3f\n", 200, c2 / 1e6, p2 / 1e6, o2
	printf "  %-6d %12.3f %12.3f %14.3f\n", 1000, c10 / 1e6, p10 / 1e6, o10
	printf "  1,000/200 overhead ratio: %.2f (target <= 1.2)\n", o10 / o2
	printf "  check of a 1-step module: %.1f ms wall (target <= 25)\n", one / 1e6
}'

echo
echo "== BenchmarkGrowingState (in-process, median step)"
(cd "$root" && go test ./runner -run '^$' -bench 'GrowingState' -benchtime "${runs}x" -count 1) |
	awk '/^BenchmarkGrowingState/ {
		for (i = 1; i <= NF; i++) m[$(i + 1)] = $i
		n = ($1 ~ /steps=1000/) ? 1000 : 200
		o[n] = m["overhead-ms/step"]
		printf "  %-6d step %7.3f ms  plain %6.3f ms  overhead %6.3f ms  cpu overhead %6.3f ms\n", n, m["ms/step"], m["plain-ms/step"], m["overhead-ms/step"], m["cpu-overhead-ms/step"]
	}
	END { if (o[200] > 0) printf "  1,000/200 overhead ratio: %.2f (target <= 1.2)\n", o[1000] / o[200] }'
