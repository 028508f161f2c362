#!/usr/bin/env bash
# Screenshots of a coursectl HTML report in headless Chromium, light and
# dark, so a person can look at the page without a browser at hand.
#
#   scripts/screenshot.sh [PAGE.html] [OUT-PREFIX]
#
# With no PAGE, it renders the seed's report: from the last run record
# when `coursectl check` has left one in $STATE (default: a scratch state
# dir, so usually none), else the sample page the render tests keep
# (render/testdata/module1.sample.html: a hand-made run record). OUT-PREFIX
# defaults to docs/render, giving docs/render-light.png and
# docs/render-dark.png.
set -euo pipefail
cd "$(dirname "$0")/.."

page=${1:-}
out=${2:-docs/render}
width=${WIDTH:-1100}
height=${HEIGHT:-1400}

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $browser ]]; then
	echo "screenshot.sh: no chromium: apt-get update && apt-get install -y chromium" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ -z $page ]]; then
	go build -o "$tmp/coursectl" ./cmd/coursectl
	page=$tmp/module1.html
	if [[ -n ${STATE:-} ]] && "$tmp/coursectl" render --html --state "$STATE" -o "$page" testdata/module1.md 2>/dev/null &&
		grep -q 'class="summary passed\|class="summary failed' "$page"; then
		echo "screenshot.sh: using the run record in $STATE" >&2
	else
		cp render/testdata/module1.sample.html "$page"
		echo "screenshot.sh: no run record; using the sample report" >&2
	fi
fi

shot() { # shot OUT.png [extra chromium flags...]
	local png=$1
	shift
	# Flags: no sandbox (root in a container), and nothing that phones home,
	# which a closed network would refuse noisily at every start.
	"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --disable-quic \
		--hide-scrollbars --user-data-dir="$(mktemp -d -p "$tmp")" \
		--window-size="$width,$height" --screenshot="$png" "$@" "file://$(realpath "$page")" \
		>"$tmp/chromium.log" 2>&1 || { cat "$tmp/chromium.log" >&2; exit 1; }
	echo "$png"
}

shot "$(realpath -m "$out")-light.png" --blink-settings=preferredColorScheme=1
shot "$(realpath -m "$out")-dark.png" --force-dark-mode --blink-settings=preferredColorScheme=0
