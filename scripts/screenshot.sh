#!/usr/bin/env bash
# Screenshots of a coursectl HTML report in headless Chromium, light and
# dark, so a person can look at the page without a browser at hand.
#
#   scripts/screenshot.sh [PAGE.html] [OUT-PREFIX]
#   scripts/screenshot.sh --failure [OUT.png]
#
# With no PAGE, it shoots the seed's real report: the run record in $STATE
# when set (after `coursectl check --state $STATE testdata/module1.md`),
# else it runs that check itself in a scratch state directory (it passes
# offline: testdata/coursectl.yaml fakes the network and root). OUT-PREFIX
# defaults to docs/render, giving docs/render-light.png and
# docs/render-dark.png.
#
# --failure shoots a real failing step (light, scrolled to the failure):
# a copy of the seed, testdata/module1-typo.md, whose `chmod +x
# docker-compose` names a file that is not there, checked for real. OUT
# defaults to docs/render-failure.png.
set -euo pipefail
cd "$(dirname "$0")/.."

failure=
if [[ ${1:-} == --failure ]]; then
	failure=1
	shift
fi
page=${1:-}
out=${2:-docs/render}
if [[ -n $failure ]]; then
	out=${1:-docs/render-failure.png}
	page=
fi
width=${WIDTH:-1100}
height=${HEIGHT:-1400}

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $browser ]]; then
	echo "screenshot.sh: no chromium: apt-get update && apt-get install -y chromium" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ -n $failure ]]; then
	go build -o "$tmp/coursectl" ./cmd/coursectl
	mkdir "$tmp/testdata"
	sed 's/^\$ chmod +x docker-compose$/$ chmod +x docker_compose/' testdata/module1.md >"$tmp/testdata/module1-typo.md"
	grep -q 'docker_compose' "$tmp/testdata/module1-typo.md" || { echo "screenshot.sh: the seed's chmod line moved; fix the sed" >&2; exit 1; }
	sed 's/^module1\.md:/module1-typo.md:/' testdata/coursectl.yaml >"$tmp/testdata/coursectl.yaml"
	page=$tmp/page.html
	# Run from $tmp so the page names the module testdata/module1-typo.md.
	(
		cd "$tmp"
		if ./coursectl check --state state testdata/module1-typo.md >check.log 2>&1; then
			echo "screenshot.sh: the broken copy passed; nothing to show" >&2
			exit 1
		fi
		./coursectl render --html --state state -o page.html testdata/module1-typo.md
	)
	# Headless Chromium shoots a blank page when the URL has a #fragment
	# to scroll to; inside an iframe the scroll works. The shot is the
	# page's summary over the failed step and the one before it.
	cat >"$tmp/shot.html" <<-'EOF'
		<!doctype html>
		<html><body style="margin:0;background:#fff">
		<iframe src="page.html" scrolling="no" style="border:0;display:block;width:100vw;height:172px"></iframe>
		<div style="border-top:2px dashed #999"></div>
		<iframe src="page.html#step-4-install-docker-compose-2" style="border:0;display:block;width:100vw;height:calc(100vh - 174px)"></iframe>
		</body></html>
	EOF
	page=$tmp/shot.html
	height=${HEIGHT:-1150}
elif [[ -z $page ]]; then
	go build -o "$tmp/coursectl" ./cmd/coursectl
	page=$tmp/module1.html
	state=${STATE:-}
	if [[ -z $state ]]; then
		state=$tmp/state
		"$tmp/coursectl" check --state "$state" testdata/module1.md >"$tmp/check.log" 2>&1 ||
			echo "screenshot.sh: the seed's check failed; the report shows it" >&2
	fi
	"$tmp/coursectl" render --html --state "$state" -o "$page" testdata/module1.md
	if ! grep -q 'class="summary passed\|class="summary failed' "$page"; then
		echo "screenshot.sh: no run record of testdata/module1.md in $state" >&2
		exit 1
	fi
	echo "screenshot.sh: using the run record in $state" >&2
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

if [[ -n $failure ]]; then
	shot "$(realpath -m "$out")" --blink-settings=preferredColorScheme=1
	exit
fi
shot "$(realpath -m "$out")-light.png" --blink-settings=preferredColorScheme=1
shot "$(realpath -m "$out")-dark.png" --force-dark-mode --blink-settings=preferredColorScheme=0
