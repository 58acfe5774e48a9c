package repo

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// statter tests files relative to an open root folder: the kernel then
// resolves only the path below it, which halves the cost of a stat.
type statter struct {
	root string
	fd   int
}

func newStatter(root string) *statter {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		fd = -1
	}
	return &statter{root: root, fd: fd}
}

// regular reports whether rel (slash-separated, inside the root) is a
// regular file, following links as os.Stat does.
func (s *statter) regular(rel string) bool {
	if s.fd < 0 {
		info, err := os.Stat(filepath.Join(s.root, filepath.FromSlash(rel)))
		return err == nil && info.Mode().IsRegular()
	}
	var st unix.Stat_t
	for {
		err := unix.Fstatat(s.fd, rel, &st, 0)
		if err == unix.EINTR {
			continue
		}
		return err == nil && st.Mode&unix.S_IFMT == unix.S_IFREG
	}
}

func (s *statter) close() {
	if s.fd >= 0 {
		unix.Close(s.fd)
	}
}
