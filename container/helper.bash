# coursectl's helper inside a sandbox container: one root bash per run,
# started with `docker exec -i -u 0` (so no docker exec per step), reading one
# command a line on stdin and answering one line on stdout. Root, not the
# learner: the walk must see all of / (/root, /etc/ssl/private), and
# restoring must set any owner. It runs `cd /`, so paths are ./relative to /.
#
#   checkpoint DIR  writes DIR/fs.deleted.tmp (NUL-separated paths gone since
#                   the last checkpoint) and DIR/fs.tar.tmp (what changed);
#                   answers END <tar status> <paths archived> <paths deleted>
#   apply DIR       removes the paths in DIR/fs.deleted, extracts DIR/fs.tar;
#                   answers OK <tar status> <tar's first complaint>
#   rebase          takes the filesystem as it is now as the base of the
#                   next checkpoint (after applies); answers OK 0
#
# DIR is in a directory of the host's mounted inside (the runner's
# checkpoints): tar writes and reads it there directly, which is three times
# faster than a stream through docker exec. The host made DIR, so it may
# rename and remove what root writes in it.
#
# What changed is found by one walk of the container's own filesystem:
# every path whose ctime is not older than the last checkpoint's start
# (every write, chmod, chown, rename or link sets ctime, and nothing can set
# it back, unlike an mtime that tar -x or touch -d restores), plus every path
# that did not exist then (the contents of a renamed directory keep their
# ctimes). Deleted is what existed then and does not now. The walk prunes
# every mount point (the course, the runner's directories, /proc,
# /etc/hosts, this helper's tmpfs): only the container's own files are
# checkpointed.
set -u
export LC_ALL=C
cd / || exit 1
d=$1
workdir=$2
uid=$3
gid=$4
tarx=(--numeric-owner --xattrs --xattrs-include='*')

# The learner's ids follow the host user's (see Options.LearnerUID).
if ((gid > 0)) && [[ $(id -g learner) != "$gid" ]]; then
	groupmod -o -g "$gid" learner || exit 1
fi
if ((uid > 0)) && [[ $(id -u learner) != "$uid" ]]; then
	usermod -o -u "$uid" learner || exit 1
	chown -R learner:learner /home/learner
fi
if [[ ! -d $workdir ]]; then
	install -d -o learner -g learner "$workdir" || exit 1
fi

prunes=(-path ./proc)
while read -r _ _ _ _ mp _; do
	[[ $mp == / ]] && continue
	# mountinfo writes space, tab, newline and backslash as \ooo octal.
	printf -v mp '%b' "${mp//\\/\\0}"
	prunes+=(-o -path ".$mp")
done </proc/self/mountinfo

# mark FILE: FILE's mtime becomes "now" as the kernel stamps files, less
# 10ms. File times have the kernel's tick (4ms here), so a change in the
# same tick as a mark taken exactly "now" has ctime = mark and would not
# count (find's -cnewer is strict); and since Linux 6.13 a stamp may be a
# little finer than the tick on some filesystems and not on others (the
# mark is on tmpfs, the files on the container's). 10ms is a tick at
# HZ=100. Changes in those 10ms are taken twice, never missed.
mark() {
	touch "$1"
	local t
	t=$(stat -c %.9Y "$1")
	t=$((10#${t/./} - 10000000))
	touch -d "@${t:0:${#t}-9}.${t:${#t}-9}" "$1"
}

# walk: all paths to $d/all (sorted), the ones gone since the last walk to
# $d/deleted, and the ones changed since $d/mark (or new) to $d/changed.
# The next mark is taken before the walk: what changes during it is taken
# again next time.
walk() {
	mark "$d/mark.next"
	find . -xdev \( "${prunes[@]}" \) -prune -o -fprint0 "$d/all.raw" -cnewer "$d/mark" -print0 >"$d/ctime.raw"
	sort -z "$d/all.raw" >"$d/all.new"
	comm -z -23 "$d/all" "$d/all.new" >"$d/deleted"
	comm -z -13 "$d/all" "$d/all.new" | sort -z -u -m - <(sort -z "$d/ctime.raw") >"$d/changed.own"
	# With the directories they are in: extracting a file replaces it, which
	# changes its directory's mtime unless the archive sets it back.
	sed -z 's,/[^/]*$,,' "$d/changed.own" "$d/deleted" | sort -z -u |
		comm -z -12 "$d/all.new" - | sort -z -u -m - "$d/changed.own" >"$d/changed"
	mv -f "$d/all.new" "$d/all"
	mv -f "$d/mark.next" "$d/mark"
}

# rebase: nothing else writes now (the container is fresh, or a restore
# just ended), so wait out mark's 10ms: what the restore wrote is then older
# than the mark, and the next checkpoint does not take it again.
rebase() {
	sleep 0.011
	mark "$d/mark"
	find . -xdev \( "${prunes[@]}" \) -prune -o -print0 | sort -z >"$d/all"
}

rebase
printf 'READY\n'
while IFS=' ' read -r cmd dir; do
	case $cmd in
	checkpoint)
		walk
		cp "$d/deleted" "$dir/fs.deleted.tmp" &&
			tar -c -f "$dir/fs.tar.tmp" --format=posix --pax-option=delete=atime,delete=ctime \
				"${tarx[@]}" --no-recursion --null -T "$d/changed" \
				--ignore-failed-read 2>"$d/tar.err"
		printf 'END %d %d %d\n' "$?" "$(tr -cd '\0' <"$d/changed" | wc -c)" "$(tr -cd '\0' <"$d/deleted" | wc -c)"
		;;
	apply)
		xargs -0 -r rm -rf -- <"$dir/fs.deleted"
		tar -x -f "$dir/fs.tar" -p "${tarx[@]}" 2>"$d/tar.err"
		st=$?
		msg=
		IFS= read -r msg <"$d/tar.err"
		printf 'OK %d %s\n' "$st" "$msg"
		;;
	rebase)
		rebase
		printf 'OK 0\n'
		;;
	*) printf 'ERR unknown command %s\n' "$cmd" ;;
	esac
done
