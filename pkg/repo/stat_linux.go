package repo

import (
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/record"

	"golang.org/x/sys/unix"
)

// reader reads record files relative to an open root folder, with the
// system calls themselves (os.Open would also make the file non-blocking,
// two more calls per file). Each worker reads through its own cursor, which
// keeps the folder of the files it is at open: the kernel then resolves
// only a file's name, not its whole path, for each call.
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

func (r *reader) close() {
	if r.fd >= 0 {
		unix.Close(r.fd)
	}
}

// cursor is one worker's way into the files: the folder it last used,
// open.
type cursor struct {
	r     *reader
	dir   string // slash-separated, relative to the root
	dirFD int    // -1: none open
}

func (r *reader) cursor() *cursor { return &cursor{r: r, dirFD: -1} }

func (c *cursor) close() {
	if c.dirFD >= 0 {
		unix.Close(c.dirFD)
		c.dirFD = -1
	}
}

// at returns the folder descriptor and the name to use for rel, or -1
// when the portable route must be taken.
func (c *cursor) at(rel string) (int, string) {
	if c.r.fd < 0 {
		return -1, ""
	}
	dir, name := ".", rel
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		dir, name = rel[:i], rel[i+1:]
	}
	if dir != c.dir || c.dirFD < 0 {
		c.close()
		for {
			fd, err := unix.Openat(c.r.fd, dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return c.r.fd, rel // the file's own call reports the error
			}
			c.dir, c.dirFD = dir, fd
			break
		}
	}
	return c.dirFD, name
}

func (c *cursor) path(rel string) string { return filepath.Join(c.r.root, filepath.FromSlash(rel)) }

// lstat returns a file's stat data and whether it is a regular file,
// without following a link.
func (c *cursor) lstat(rel string) (cache.Stat, bool, error) {
	s, regular, _, err := c.lstatLinks(rel)
	return s, regular, err
}

// lstatLinks is lstat also telling whether the file has more than one
// name (a hard link).
func (c *cursor) lstatLinks(rel string) (cache.Stat, bool, bool, error) {
	fd, name := c.at(rel)
	if fd < 0 {
		fd, name = unix.AT_FDCWD, c.path(rel)
	}
	var st unix.Stat_t
	for {
		err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return cache.Stat{}, false, false, &fs.PathError{Op: "lstat", Path: c.path(rel), Err: err}
		}
		s := cache.Stat{Size: st.Size, Mtime: st.Mtim.Sec*1e9 + st.Mtim.Nsec, Ctime: st.Ctim.Sec*1e9 + st.Ctim.Nsec, Ino: st.Ino}
		return s, st.Mode&unix.S_IFMT == unix.S_IFREG, st.Nlink > 1, nil
	}
}

// read reads a file whose size the caller has just seen into buf (grown
// when short); a read that does not give exactly that size goes on to the
// end of the file. A size below 0 means unknown: the file is read to its
// end, or to one byte past record.MaxFileSize.
func (c *cursor) read(rel string, size int64, buf []byte) ([]byte, error) {
	fd, name := c.at(rel)
	if fd < 0 {
		return readSized(c.path(rel), size, buf)
	}
	var f int
	var err error
	for {
		// Non-blocking: a file that turned into a pipe since the folder
		// was listed must not hang the load.
		f, err = unix.Openat(fd, name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: c.path(rel), Err: err}
	}
	defer unix.Close(f)
	want := size + 1
	if size < 0 {
		want = 1 << 14
	}
	if int64(cap(buf)) < want {
		buf = make([]byte, want)
	}
	buf = buf[:cap(buf)]
	n := 0
	for {
		m, err := unix.Read(f, buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: c.path(rel), Err: err}
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
		if size < 0 && n > record.MaxFileSize {
			return buf[:n], nil // too large: Parse reports its size
		}
		if n == len(buf) {
			buf = append(buf, 0)
			buf = buf[:cap(buf)]
		}
	}
}
