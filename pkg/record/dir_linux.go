package record

import (
	"bytes"
	"io/fs"
	"math"
	"os"
	"slices"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// readDir lists a folder's entries by name, with the type of each (as
// fs.DirEntry.Type gives it), reading the kernel's folder entries
// itself: os.ReadDir makes two objects an entry, which at 100,000 record
// files was a fifth of a one-record command's memory. The names share
// one string a folder.
func readDir(abs string) ([]dirEntry, error) {
	fd, err := unix.Open(abs, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	for err == unix.EINTR {
		fd, err = unix.Open(abs, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: abs, Err: err}
	}
	defer unix.Close(fd)
	// The folder's size bounds what its entries' names take, and about
	// how many there are (ext4: 8 bytes and the name, rounded up to 4, an
	// entry); the names are read into one buffer, which becomes their
	// string, and each entry keeps its name's place until then.
	var names []byte
	var out []dirEntry
	var at []int32 // where each entry's name starts in names
	if info, err := os.Stat(abs); err == nil && info.Size() > 0 && info.Size() < 1<<26 {
		size := int(info.Size())
		names = make([]byte, 0, size)
		out, at = make([]dirEntry, 0, size/24), make([]int32, 0, size/24)
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "readdirent", Path: abs, Err: err}
		}
		if n <= 0 {
			break
		}
		for b := buf[:n]; len(b) > 0; {
			// struct linux_dirent64: inode (8), offset (8), record
			// length (2), type (1), name (NUL-terminated)
			if len(b) < 19 {
				break
			}
			reclen := int(*(*uint16)(unsafe.Pointer(&b[16])))
			if reclen < 19 || reclen > len(b) {
				break
			}
			rec := b[:reclen]
			b = b[reclen:]
			name := rec[19:]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if string(name) == "." || string(name) == ".." || len(name) == 0 {
				continue
			}
			typ, ok := direntType(rec[18])
			if !ok { // the file system does not say: ask
				var st unix.Stat_t
				if err := unix.Fstatat(fd, string(name), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
					continue // gone since: os.ReadDir skips it too
				}
				typ = statType(st.Mode)
			}
			if len(names) > math.MaxInt32-len(name) {
				return nil, &fs.PathError{Op: "readdirent", Path: abs, Err: unix.EOVERFLOW}
			}
			at = append(at, int32(len(names)))
			out = append(out, dirEntry{typ: typ})
			names = append(names, name...)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	// names is not written again: the string shares its bytes.
	all := unsafe.String(&names[0], len(names))
	for i := range out {
		end := len(all)
		if i+1 < len(at) {
			end = int(at[i+1])
		}
		out[i].name = all[at[i]:end]
	}
	slices.SortFunc(out, func(a, b dirEntry) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// direntType is the type a folder entry's d_type says; false for
// DT_UNKNOWN.
func direntType(t byte) (fs.FileMode, bool) {
	switch t {
	case unix.DT_REG:
		return 0, true
	case unix.DT_DIR:
		return fs.ModeDir, true
	case unix.DT_LNK:
		return fs.ModeSymlink, true
	case unix.DT_FIFO:
		return fs.ModeNamedPipe, true
	case unix.DT_SOCK:
		return fs.ModeSocket, true
	case unix.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice, true
	case unix.DT_BLK:
		return fs.ModeDevice, true
	}
	return 0, false
}

// statType is the type of a stat's mode, as fs.FileMode.Type gives it.
func statType(mode uint32) fs.FileMode {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return 0
	case unix.S_IFDIR:
		return fs.ModeDir
	case unix.S_IFLNK:
		return fs.ModeSymlink
	case unix.S_IFIFO:
		return fs.ModeNamedPipe
	case unix.S_IFSOCK:
		return fs.ModeSocket
	case unix.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		return fs.ModeDevice
	}
	return fs.ModeIrregular
}
