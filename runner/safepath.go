package runner

// Paths a run writes through that a step could have planted links in: a
// file block's path in the sandbox, and the sandbox's own directories,
// which a run empties. Both are resolved without trusting a symbolic
// link to stay inside: a step may `ln -s /etc/x dangle` before a file
// block writes `dangle`, or replace the sandbox directory by a link to
// somewhere the next run would then empty (docs/design.md, "Sandbox").

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// maxLinks is how many symbolic links resolveAll follows, as the kernel's
// ELOOP limit does.
const maxLinks = 40

// resolveAll resolves every symbolic link on the absolute path p, the
// last component's too when it dangles — where creating a file through p
// would create it — and leaves the part that does not exist as written.
func resolveAll(p string) (string, error) {
	todo := strings.Split(filepath.Clean(p), "/")
	cur := "/"
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, c)
		fi, err := os.Lstat(next)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			cur = next
			continue
		case err != nil:
			return "", err
		case fi.Mode()&fs.ModeSymlink == 0:
			cur = next
			continue
		}
		if links++; links > maxLinks {
			return "", &os.PathError{Op: "resolve", Path: p, Err: syscall.ELOOP}
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(target) {
			cur = "/"
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	return cur, nil
}

// within reports whether p is root or lies under it (both clean).
func within(p, root string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// noOpenat2 is set once openat2(2) is found missing (Linux before 5.6, or
// a seccomp filter that refuses it); tests set it to try the fallback.
var noOpenat2 bool

// openBeneath opens (creating as flag says) the file rel under the
// directory root, making its missing parent directories, without any
// step of the walk leaving root: with openat2's RESOLVE_BENEATH where the
// kernel has it, else one component at a time with O_NOFOLLOW (where a
// symbolic link anywhere on the way is refused). The check made before
// (resolveAll) is not enough alone: a background job may swap a
// directory for a link between the check and the open.
func openBeneath(root, rel string, flag int, perm os.FileMode) (*os.File, error) {
	rootFd, err := unix.Open(root, oPath|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(rootFd)
	dir, name := filepath.Split(filepath.Clean(rel))
	if name == "" || name == "." || name == ".." || strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
		return nil, &os.PathError{Op: "open", Path: filepath.Join(root, rel), Err: syscall.EINVAL}
	}
	dirFd := rootFd
	if dir != "" {
		if dirFd, err = mkdirBeneath(rootFd, dir); err != nil {
			return nil, &os.PathError{Op: "mkdir", Path: filepath.Join(root, dir), Err: err}
		}
		defer unix.Close(dirFd)
	}
	fd, err := openatBeneath(dirFd, name, flag|unix.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: filepath.Join(root, rel), Err: err}
	}
	return os.NewFile(uintptr(fd), filepath.Join(root, rel)), nil
}

// mkdirBeneath opens the directory path rel under dirFd, making the
// components that are missing, and returns its descriptor.
func mkdirBeneath(dirFd int, rel string) (int, error) {
	fd := dirFd
	for _, c := range strings.Split(filepath.Clean(rel), "/") {
		if c == "" || c == "." {
			continue
		}
		if c == ".." {
			return -1, syscall.EXDEV
		}
		next, err := openatBeneath(fd, c, oPath|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if errors.Is(err, syscall.ENOENT) {
			// mkdir never follows a link at its last component.
			if err = unix.Mkdirat(fd, c, 0o755); err == nil || errors.Is(err, syscall.EEXIST) {
				next, err = openatBeneath(fd, c, oPath|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
			}
		}
		if fd != dirFd {
			unix.Close(fd)
		}
		if err != nil {
			return -1, err
		}
		fd = next
	}
	if fd == dirFd {
		return unix.Dup(dirFd)
	}
	return fd, nil
}

// linkError explains the errors openBeneath gives for a link on the way.
func linkError(err error) error {
	switch {
	case errors.Is(err, syscall.EXDEV), errors.Is(err, syscall.ELOOP):
		return errors.New("the path goes through a symbolic link that leads out of the sandbox — check writes only under the workdir and HOME")
	case errors.Is(err, syscall.ENOTDIR):
		return errors.New("a part of the path is not a directory (or is a symbolic link)")
	}
	return err
}

// ownDir makes sure dir, a directory coursectl keeps for itself inside
// the state directory (the sandbox, its workdir and HOME), is a real
// directory: a symbolic link or a file a step put in its place is
// removed — the link itself, never what it points to — and the
// directory made again. Only the last component is judged: parent is
// checked by the caller.
func ownDir(dir string) error {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return os.Mkdir(dir, 0o755)
	case err != nil:
		return err
	case fi.IsDir():
		return nil
	}
	// A link, a file, a socket: not ours to follow.
	if err := os.Remove(dir); err != nil {
		return fmt.Errorf("%s is not a directory and cannot be removed: %w", dir, err)
	}
	return os.Mkdir(dir, 0o755)
}

// noLinksUnder refuses a path inside the state directory that goes
// through a symbolic link below stateDir (STATE/modules/NAME-HASH): the
// run would write checkpoints, and empty a sandbox, wherever it points.
// stateDir itself may be a link (a user's own choice of where it lives).
func noLinksUnder(stateDir, dir string) error {
	if abs, err := filepath.Abs(stateDir); err == nil {
		stateDir = abs
	}
	rel, err := filepath.Rel(stateDir, dir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return nil
	}
	cur := stateDir
	for _, c := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, c)
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symbolic link — coursectl keeps its own files there and will not follow it; remove the link (a step may have made it) and run again", cur)
		}
	}
	return nil
}

// guardStateDir readies a module's state directory (STATE/modules/NAME-HASH)
// for a run: no symbolic link on the way below stateDir (refused), and none
// directly inside it or in its sandbox directory (removed: coursectl never
// makes one there, so a step planted it — in place of the checkpoints
// directory, whose files a run prunes, or of the sandbox, which a run
// empties).
func guardStateDir(stateDir, modDir string) error {
	if err := noLinksUnder(stateDir, modDir); err != nil {
		return err
	}
	for _, dir := range []string{modDir, filepath.Join(modDir, "sandbox")} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if e.Type()&fs.ModeSymlink != 0 {
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
					return fmt.Errorf("removing the symbolic link %s a step left in the state directory: %w", filepath.Join(dir, e.Name()), err)
				}
			}
		}
	}
	return nil
}
