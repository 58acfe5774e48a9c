package repo

import (
	"io/fs"
	"os"
	"path/filepath"

	"github.com/opsbook/opsbook/pkg/cache"

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

// reader reads record files relative to an open root folder, with the
// system calls themselves: a stat that does not follow links, then open,
// one read and close (os.Open would also make the file non-blocking, two
// more calls per file).
type reader struct {
	root string
	fd   int
}

func newReader(root string) *reader {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		fd = -1
	}
	return &reader{root: root, fd: fd}
}

// lstat returns a file's stat data and whether it is a regular file,
// without following a link.
func (r *reader) lstat(rel string) (cache.Stat, bool, error) {
	if r.fd < 0 {
		return lstatPath(filepath.Join(r.root, filepath.FromSlash(rel)))
	}
	var st unix.Stat_t
	for {
		err := unix.Fstatat(r.fd, rel, &st, unix.AT_SYMLINK_NOFOLLOW)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return cache.Stat{}, false, &fs.PathError{Op: "lstat", Path: filepath.Join(r.root, filepath.FromSlash(rel)), Err: err}
		}
		s := cache.Stat{Size: st.Size, Mtime: st.Mtim.Sec*1e9 + st.Mtim.Nsec, Ctime: st.Ctim.Sec*1e9 + st.Ctim.Nsec, Ino: st.Ino}
		return s, st.Mode&unix.S_IFMT == unix.S_IFREG, nil
	}
}

// read reads a file whose size the caller has just seen into buf (grown
// when short); a read that does not give exactly that size goes on to the
// end of the file.
func (r *reader) read(rel string, size int64, buf []byte) ([]byte, error) {
	if r.fd < 0 {
		return readSized(filepath.Join(r.root, filepath.FromSlash(rel)), size, buf)
	}
	var fd int
	var err error
	for {
		fd, err = unix.Openat(r.fd, rel, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: filepath.Join(r.root, filepath.FromSlash(rel)), Err: err}
	}
	defer unix.Close(fd)
	if int64(cap(buf)) < size+1 {
		buf = make([]byte, size+1)
	}
	buf = buf[:size+1]
	n := 0
	for {
		m, err := unix.Read(fd, buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: filepath.Join(r.root, filepath.FromSlash(rel)), Err: err}
		}
		if m == 0 { // the end
			return buf[:n], nil
		}
		n += m
		if n == int(size) && n < len(buf) {
			// Exactly the size its stat data gave: taken as the whole
			// file, as os.ReadFile would find it one read later.
			return buf[:n], nil
		}
		if n == len(buf) {
			buf = append(buf, 0)
			buf = buf[:cap(buf)]
		}
	}
}

func (r *reader) close() {
	if r.fd >= 0 {
		unix.Close(r.fd)
	}
}
