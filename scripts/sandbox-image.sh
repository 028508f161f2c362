#!/usr/bin/env bash
# Builds the image coursectl's docker sandbox runs a course in (SPEC §8): a
# small Debian with bash, sudo, nano, vim, git, unzip, less, procps and
# ca-certificates, and a non-root `learner` (uid 1000, HOME /home/learner)
# with passwordless sudo.
#
#   scripts/sandbox-image.sh [--rebuild] [--tag TAG] [--suite SUITE] [--mirror URL]
#
# No registry is needed: the root filesystem comes from `debootstrap
# --variant=minbase` against the Debian mirror this machine's apt already
# uses (read from /etc/apt/sources.list*, so nothing here names a host), and
# becomes an image with `docker import`. The packages go in through
# debootstrap's --include rather than an `apt-get install` in a container
# afterwards: one pass, one layer, and the build does not depend on the
# containers reaching the mirror.
#
# When TAG (default coursectl-sandbox:latest, or $COURSECTL_SANDBOX_IMAGE)
# already exists this does nothing unless --rebuild. SUITE defaults to this
# machine's Debian release. Needs root (debootstrap) and the debootstrap
# package. Exit status: 0 built or already there; 1 the build failed; 2 no
# engine, not root, a missing tool or bad usage.
set -euo pipefail

me=sandbox-image.sh
die() {
	local code=$1
	shift
	echo "$me: $*" >&2
	exit "$code"
}

tag=${COURSECTL_SANDBOX_IMAGE:-coursectl-sandbox:latest}
rebuild=
suite=
mirror=
while (($#)); do
	case $1 in
	--rebuild) rebuild=1 ;;
	--tag) tag=${2:?--tag needs a value}; shift ;;
	--tag=*) tag=${1#*=} ;;
	--suite) suite=${2:?--suite needs a value}; shift ;;
	--suite=*) suite=${1#*=} ;;
	--mirror) mirror=${2:?--mirror needs a value}; shift ;;
	--mirror=*) mirror=${1#*=} ;;
	-h | --help)
		sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
		exit 0
		;;
	*) die 2 "unknown argument $1 (see --help)" ;;
	esac
	shift
done

# The engine first: without it nothing below is any use.
command -v docker >/dev/null || die 2 "no docker command: install Docker Engine (https://docs.docker.com/engine/install/)"
if ! err=$(docker info --format '{{.ServerVersion}}' 2>&1 >/dev/null); then
	die 2 "cannot reach the Docker engine: ${err%%$'\n'*}"
fi

if [[ -z $rebuild ]] && docker image inspect "$tag" >/dev/null 2>&1; then
	echo "$tag is already built (--rebuild builds it again)"
	exit 0
fi

[[ $EUID == 0 ]] || die 2 "debootstrap needs root: run it as root or with sudo"
command -v debootstrap >/dev/null || die 2 "no debootstrap: apt-get install debootstrap"

if [[ -z $suite ]]; then
	# shellcheck disable=SC1091
	suite=$(. /etc/os-release 2>/dev/null && [[ ${ID:-} == debian ]] && echo "${VERSION_CODENAME:-}") || :
	[[ -n $suite ]] || die 2 "this machine is not Debian: pass --suite (e.g. bookworm) and --mirror"
fi

# The first apt source that serves SUITE's main component: that is a Debian
# mirror (third-party repositories name their own suites), and one apt here
# can reach. Both source formats: one-line .list and deb822 .sources.
apt_mirror() {
	local f type rest uri s comps
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -r $f ]] || continue
		while read -r type rest; do
			[[ $type == deb ]] || continue
			if [[ $rest == \[* ]]; then rest=${rest#*]}; fi
			read -r uri s comps <<<"$rest"
			if [[ $s == "$suite" && " $comps " == *" main "* ]]; then
				echo "$uri"
				return
			fi
		done <"$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -r $f ]] || continue
		awk -v suite="$suite" '
			BEGIN { RS = ""; FS = "\n" }
			{
				delete k
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^#/ || $i !~ /:/) continue
					key = tolower(substr($i, 1, index($i, ":") - 1))
					k[key] = " " substr($i, index($i, ":") + 1) " "
				}
				if (k["types"] ~ / deb / && k["suites"] ~ (" " suite " ") &&
				    k["components"] ~ / main / && k["enabled"] !~ / no /) {
					split(k["uris"], u, " ")
					print u[1]
					exit
				}
			}' "$f"
	done | head -n 1
}
if [[ -z $mirror ]]; then
	mirror=$(apt_mirror)
	[[ -n $mirror ]] || die 2 "no Debian mirror for $suite in /etc/apt/sources.list*: pass --mirror URL"
fi

packages=bash,sudo,ca-certificates,nano,vim,unzip,git,less,procps
work=$(mktemp -d "${TMPDIR:-/tmp}/coursectl-image.XXXXXX")
trap 'umount "$work" 2>/dev/null; rm -rf "$work"' EXIT
# On a tmpfs when one can be mounted: the root filesystem is written once
# and read once by tar, and dpkg's syncs of every file cost nothing there.
mount -t tmpfs -o size=2g,mode=0755 coursectl-image "$work" 2>/dev/null || :
root=$work/rootfs
log=${TMPDIR:-/tmp}/coursectl-sandbox-image.log
# Downloaded packages are kept, so a --rebuild does not fetch them again.
cache=/var/cache/coursectl/debootstrap
mkdir -p "$cache"

start=$SECONDS
echo "building $tag: debootstrap $suite from $mirror (a few minutes; log in $log)" >&2
if ! debootstrap --variant=minbase --components=main --include="$packages" \
	--cache-dir="$cache" "$suite" "$root" "$mirror" >"$log" 2>&1; then
	tail -n 5 "$log" >&2
	die 1 "debootstrap failed (full log: $log)"
fi

if ! chroot "$root" /bin/bash -euo pipefail >>"$log" 2>&1 <<'EOF'; then
useradd --create-home --uid 1000 --user-group --shell /bin/bash learner
echo 'learner ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/learner
chmod 0440 /etc/sudoers.d/learner
# Smaller, as Debian's own container images are: no package lists (a course
# runs `sudo apt update` as a learner would), no downloaded .debs, no
# manuals or translations, now or for what a course installs later.
cat >/etc/dpkg/dpkg.cfg.d/coursectl-nodoc <<'CFG'
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
CFG
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \
	/usr/share/man/* /usr/share/info/* /usr/share/locale/* /var/log/*.log
find /usr/share/doc -mindepth 2 ! -name copyright -delete 2>/dev/null || :
# The engine provides these at run time.
: >/etc/resolv.conf
: >/etc/hostname
: >/etc/machine-id
EOF
	tail -n 5 "$log" >&2
	die 1 "configuring the root filesystem failed (full log: $log)"
fi

old=$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null) || old=
# /dev, /proc and /sys are the engine's at run time: keep the directories,
# not what debootstrap made in them.
if ! id=$(tar --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
	-C "$root" -c . | docker import \
	--change 'USER learner' \
	--change 'WORKDIR /home/learner' \
	--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	--change 'ENV LANG=C.UTF-8' \
	--change 'CMD ["/bin/bash"]' \
	--change 'LABEL coursectl.image=sandbox' \
	--message "coursectl sandbox: debootstrap --variant=minbase $suite from $mirror" \
	- "$tag" 2>&1); then
	die 1 "docker import failed: ${id##*$'\n'}"
fi
if [[ -n $old && $old != "$id" ]]; then
	# The previous build, untagged now; a container still using it keeps it.
	docker image rm "$old" >/dev/null 2>&1 || :
fi
size=$(docker image inspect --format '{{.Size}}' "$tag")
echo "built $tag (${id#sha256:}) $((size / 1000000)) MB in $((SECONDS - start))s"
