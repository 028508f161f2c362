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
# and, for the runner's view of the shell's processes (pids are the
# container's; the container has CAP_SYS_PTRACE, without which root here
# cannot read the learner's /proc/PID/syscall and fd links):
#
#   session SID     a line `P PID PPID PGRP STATE READING CMDLINE` for each
#                   live process of session SID (the shell's pid), READING 1
#                   when it is blocked reading the terminal; then END <the
#                   foreground process group of the shell's terminal>
#                   <1 when that terminal is in canonical mode, else 0>
#   signal SIG ID   kill -n SIG ID (a negative ID is a process group);
#                   answers OK <kill's status>
#   cwd PID         answers OK 0 <PID's working directory>
#   flush SID       discards the unread input of session SID's terminal
#                   (tcflush TCIFLUSH, through perl: no shell tool has it);
#                   answers OK <status>
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

# ttyof PID: the path of PID's controlling terminal (field 7 of stat, the
# device number: /dev/pts/N for the terminals docker exec makes).
ttyof() {
	local line f
	IFS= read -r line <"/proc/$1/stat" || return
	f=(${line##*) })
	local nr=${f[4]}
	(((nr >> 8 & 0xfff) >= 136 && (nr >> 8 & 0xfff) <= 143)) || return
	printf '/dev/pts/%d' $(((nr >> 8 & 0xfff) * 256 - 136 * 256 + (nr & 0xff) | (nr >> 12 & 0xfff00)))
}

# session SID: see the top. Builtins only but readlink, for the one process
# found in a read(2).
session() {
	local sid=$1 fg=0 st line f p w sc fd tty target args
	tty=$(ttyof "$sid")
	for st in /proc/[0-9]*/stat; do
		IFS= read -r line <"$st" 2>/dev/null || continue
		f=(${line##*) })
		[[ ${f[3]} == "$sid" && ${f[0]} != Z ]] || continue
		p=${st#/proc/} p=${p%/stat}
		if [[ $p == "$sid" ]]; then fg=${f[5]}; fi
		local reading=0
		w=
		IFS= read -r w <"/proc/$p/wchan" 2>/dev/null
		if [[ $w == *n_tty_read* ]]; then
			reading=1
		elif [[ ${f[0]} == S ]] && read -r sc fd _ <"/proc/$p/syscall" 2>/dev/null && [[ $sc == 0 || $sc == 17 || $sc == 19 ]]; then
			target=$(readlink "/proc/$p/fd/$((fd))")
			if [[ $target == /dev/pts/* || $target == /dev/tty ]]; then reading=1; fi
		fi
		args=()
		mapfile -d '' args <"/proc/$p/cmdline" 2>/dev/null
		printf 'P %d %d %d %s %d %s\n' "$p" "${f[1]}" "${f[2]}" "${f[0]}" "$reading" "${args[*]}"
	done
	# Our own pty is raw for good (the docker CLI's): whether a full-screen
	# program has the terminal shows only on the one inside.
	local canon=1
	if [[ -n $tty && $(stty -F "$tty" -a 2>/dev/null) == *-icanon* ]]; then canon=0; fi
	printf 'END %d %d\n' "$fg" "$canon"
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
	session)
		session "$dir"
		;;
	signal)
		read -r sig id <<<"$dir"
		kill -n "$sig" -- "$id" 2>/dev/null
		printf 'OK %d\n' "$?"
		;;
	cwd)
		printf 'OK 0 %s\n' "$(readlink "/proc/$dir/cwd")"
		;;
	flush)
		tty=$(ttyof "$dir")
		[[ -n $tty ]] && perl -e 'open(my $t, "+<", $ARGV[0]) or exit 1; ioctl($t, 0x540B, 0) or exit 2' "$tty"
		printf 'OK %d\n' "$?"
		;;
	*) printf 'ERR unknown command %s\n' "$cmd" ;;
	esac
done
