#!/usr/bin/env bash
# Load test: how check, render and list grow with the number of steps, and
# how check's memory grows with steps that print a lot. Not a timed test:
# it prints figures for docs/benchmarks.md ("Load"), which says what to
# expect. It builds coursectl, writes generated modules to a scratch
# directory and checks them in a scratch state directory.
#
#   scripts/loadtest.sh                 # 5,000, 10,000 and 20,000 steps; 1,500 loud steps
#   scripts/loadtest.sh 1000 2000       # other step counts (the loud run: LOUD=N, 0 skips it)
#
# Each quick step is `echo step N` under a heading with a line of prose.
# A loud step prints 70 KB (`head -c 70000 /dev/zero | tr ...`), more than
# a result keeps (16 KiB): the rest goes to an output file.
#
# Columns: wall time and peak RSS (/usr/bin/time's "Maximum resident set
# size") of each command, and what the state directory holds after the
# check: checkpoints, output files, the run record.
set -euo pipefail
cd "$(dirname "$0")/.."

counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(5000 10000 20000)
loud=${LOUD:-1500}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/coursectl" ./cmd/coursectl
cc=$work/coursectl

# measure CMD...: "WALL_S RSS_KB" of one run (its output discarded; a
# failing check still counts).
measure() {
	/usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>&1 || true
	cat "$work/time"
}

kb() { du -sk "$1" 2>/dev/null | cut -f1 || echo 0; }

module() { # module N FILE LOUD
	local n=$1 file=$2 cmd
	{
		echo "# Load test"
		echo
		for ((i = 1; i <= n; i++)); do
			if [[ $3 == loud ]]; then
				cmd="head -c 70000 /dev/zero | tr '\\0' x | fold -w 99"
			else
				cmd="echo step $i"
			fi
			printf '## Step %d\n\nSome prose for step %d.\n\n```sh\n%s\n```\n\n' "$i" "$i" "$cmd"
		done
	} >"$file"
}

row() { # row N KIND
	local n=$1 kind=$2 file=$work/$2-$1.md state=$work/state-$2-$1
	module "$n" "$file" "$kind"
	read -r cw crss < <(measure "$cc" check --state "$state" "$file")
	read -r rw rrss < <(measure "$cc" render "$file")
	read -r lw lrss < <(measure "$cc" list "$file")
	local dir
	dir=$(echo "$state"/modules/*)
	printf '| %s | %6d | %7.1f s | %7.1f MB | %8.1f MB | %8.1f MB | %7.1f MB | %6.1f s | %6.1f MB | %5.1f s |\n' \
		"$kind" "$n" "$cw" "$((crss))e-3" \
		"$(($(kb "$dir/sandbox-checkpoints")))e-3" "$(($(kb "$dir/sandbox-output")))e-3" \
		"$(($(kb "$dir/sandbox-record.json")))e-3" "$rw" "$((rrss))e-3" "$lw"
	rm -rf "$state" "$file"
}

echo "| steps | n | check | check RSS | checkpoints | output files | record | render | render RSS | list |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in "${counts[@]}"; do
	row "$n" quick
done
if [[ $loud -gt 0 ]]; then
	row "$loud" loud
fi
