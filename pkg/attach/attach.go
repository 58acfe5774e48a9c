// Package attach is how opsbook treats the files a record keeps beside it:
// receipts, feasibility and closure reports, training materials. They live
// under attachments/<ID>/ and the record lists each one with its SHA-256
// (the record-level `attachments: [{path, sha256}]`), so the record and its
// files are one thing: a file that changes after the record was sealed no
// longer matches the hash the record was approved with.
//
// A file counts as present only when every component of its path is a real
// folder or file inside the repository: a symbolic link anywhere on the way
// (attachments/x -> /etc/passwd, attachments -> /tmp) is never followed.
package attach

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/opsbook/opsbook/pkg/i18n"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Dir is the folder every attachment lives under.
const Dir = "attachments"

// Field is the record-level list of attachments.
const Field = "attachments"

// Entry is one listed attachment.
type Entry struct {
	Path   string
	SHA256 string
	// Index is the entry's place in the record's list.
	Index int
}

// Folder is the folder of a record's own attachments.
func Folder(id string) string { return Dir + "/" + id }

// CheckPath says why rel cannot be an attachment path, or nil: it must be
// relative, clean, with '/' separators, below attachments/, and never leave
// the repository.
func CheckPath(rel string) error {
	switch {
	case rel == "":
		return i18n.NewError("an empty path")
	case strings.HasPrefix(rel, "/") || filepath.IsAbs(rel):
		return i18n.NewError("%s is absolute: attachments are paths relative to the repository root", rel)
	case strings.ContainsRune(rel, '\\'):
		return i18n.NewError("%s has a backslash: use '/'", rel)
	case strings.Contains("/"+rel+"/", "/../"):
		return i18n.NewError("%s leaves its folder with '..'", rel)
	case path.Clean(rel) != rel:
		return i18n.NewError("%s is not a clean path (want %s)", rel, path.Clean(rel))
	case !strings.HasPrefix(rel, Dir+"/"):
		return i18n.NewError("%s is outside %s/: attachments live under %s/<ID>/", rel, Dir, Dir)
	}
	for _, part := range strings.Split(rel, "/") {
		if strings.EqualFold(part, ".git") {
			return i18n.NewError("%s is inside .git", rel)
		}
	}
	return nil
}

// SafeName says why name cannot be the name of an attached file, or nil.
// Unicode names (收據.pdf) are fine; separators, spaces, control and
// format characters (a right-to-left override hides an extension), leading
// dots and names git or a file system would treat specially are not.
func SafeName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return i18n.NewError("%q is not a file name", name)
	case !utf8.ValidString(name):
		return i18n.NewError("%q is not valid UTF-8", name)
	case strings.HasPrefix(name, "."):
		return i18n.NewError("%q starts with a dot (hidden files are not attachments)", name)
	case len(name) > 200:
		return i18n.NewError("%q is longer than 200 bytes", name)
	case strings.EqualFold(name, ".git"):
		return i18n.NewError("%q is reserved", name)
	}
	for _, r := range name {
		if unicode.IsSpace(r) {
			return i18n.NewError("%q has a space: a path with spaces reads as text in a report field; use - or _", name)
		}
		if r == '/' || r == '\\' || r == ':' || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return i18n.NewError("%q has the character %U, which is not allowed in an attachment's name", name, r)
		}
	}
	return nil
}

// State is what is found at an attachment's path.
type State int

const (
	// Missing: nothing there.
	Missing State = iota
	// Regular: a regular file, reached without any symbolic link.
	Regular
	// Link: a symbolic link on the way (the file or a folder above it).
	Link
	// Other: a folder, device, pipe, or unreadable.
	Other
)

func (s State) String() string {
	return [...]string{"missing", "a regular file", "a symbolic link", "not a regular file"}[s]
}

// Phrase is String as a message argument, in each language.
func (s State) Phrase() i18n.Phrase {
	switch s {
	case Missing:
		return i18n.P("missing")
	case Regular:
		return i18n.P("a regular file")
	case Link:
		return i18n.P("a symbolic link")
	}
	return i18n.P("not a regular file")
}

// Stat says what is at rel below root, never following a symbolic link.
func Stat(root, rel string) State {
	st, _ := lstatChain(root, rel)
	return st
}

func lstatChain(root, rel string) (State, fs.FileInfo) {
	return lstatChainIn(root, rel, nil)
}

// Looker is Look for one moment (a validate's rules): each folder on the
// paths it is asked about is looked at once, not once a file (the 100,000
// attachments of a department sit in a few thousand folders). Safe for
// use by several goroutines.
type Looker struct {
	root string
	dirs sync.Map // folder (below root) → its State, or Regular for a folder
}

// NewLooker is a Looker of the files below root.
func NewLooker(root string) *Looker { return &Looker{root: root} }

// Look says what is at rel below the root, as Stat does, with what the
// file is when it is Regular (for SumOf), each folder looked at once.
func (l *Looker) Look(rel string) (State, fs.FileInfo) {
	return lstatChainIn(l.root, rel, &l.dirs)
}

// lstatChainIn is lstatChain, taking what a folder above the file is
// from dirs (and keeping it there) when dirs is not nil.
func lstatChainIn(root, rel string, dirs *sync.Map) (State, fs.FileInfo) {
	parts := strings.Split(rel, "/")
	cur := root
	for i, part := range parts {
		if part == "" || part == "." || part == ".." {
			return Other, nil
		}
		cur = filepath.Join(cur, part)
		last := i == len(parts)-1
		if dirs != nil && !last {
			if st, ok := dirs.Load(cur); ok {
				if st.(State) != Regular {
					return st.(State), nil
				}
				continue
			}
		}
		fi, err := os.Lstat(cur)
		if dirs != nil && !last {
			st := Regular // a folder, as it may be passed
			switch {
			case errors.Is(err, fs.ErrNotExist):
				st = Missing
			case err != nil:
				st = Other
			case fi.Mode()&fs.ModeSymlink != 0:
				st = Link
			case !fi.IsDir():
				st = Missing
			}
			dirs.Store(cur, st)
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return Missing, nil
		case err != nil:
			return Other, nil
		case fi.Mode()&fs.ModeSymlink != 0:
			return Link, nil
		case i < len(parts)-1 && !fi.IsDir():
			return Missing, nil
		case i == len(parts)-1 && !fi.Mode().IsRegular():
			return Other, nil
		case i == len(parts)-1:
			return Regular, fi
		}
	}
	return Other, nil
}

// Sum is the SHA-256 of the file at rel below root, in lower-case hex. It
// fails unless the file is Regular, and when the file opened is not the
// one examined (swapped for a link between the two).
func Sum(root, rel string) (string, error) {
	st, fi := lstatChain(root, rel)
	if st != Regular {
		return "", fmt.Errorf("%s is %s", rel, st)
	}
	return SumOf(root, rel, fi)
}

// SumOf is Sum of a file a Looker found Regular, as fi: the folders above it
// are not looked at again, and the file opened must be the one fi
// describes (a link put in its place, or in place of a folder above it,
// since Look opens another file: an error). For a caller that has just
// looked (the rules look at an attachment, then sum it): the walk down the
// path's folders was half of the system calls of summing 100,000
// attachments.
func SumOf(root, rel string, fi fs.FileInfo) (string, error) {
	if fi == nil || !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s is %s", rel, Other)
	}
	f, err := os.Open(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return "", err
	}
	defer f.Close()
	got, err := f.Stat()
	if err != nil {
		return "", err
	}
	if !os.SameFile(fi, got) {
		return "", fmt.Errorf("%s changed while it was read", rel)
	}
	h := sha256.New()
	buf := sumBuffers.Get().(*[sumBuffer]byte)
	defer sumBuffers.Put(buf)
	// io.Copy would take *os.File's WriteTo, which makes a 32 KB buffer
	// each call: 3.5 GB of garbage for the 108,000 attachments of a
	// department of 100,000 records, and most of a cold validate's time
	// spent collecting it. The reader alone has no WriteTo; the buffer
	// is pooled.
	if _, err := io.CopyBuffer(h, struct{ io.Reader }{f}, buf[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sumBuffer is the size of the buffers Sum reads a file through.
const sumBuffer = 32 << 10

var sumBuffers = sync.Pool{New: func() any { return new([sumBuffer]byte) }}

// SumBytes is the SHA-256 of data, in lower-case hex.
func SumBytes(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// Head returns up to n first bytes of the file at rel below root, under
// the same conditions as Sum (a regular file reached without any link).
func Head(root, rel string, n int) ([]byte, error) {
	return read(root, rel, int64(n))
}

// Read returns the content of the file at rel below root, at most max
// bytes (an error past that), under the same conditions as Sum.
func Read(root, rel string, max int64) ([]byte, error) {
	b, err := read(root, rel, max+1)
	if err == nil && int64(len(b)) > max {
		return nil, fmt.Errorf("%s is over %d MiB", rel, max>>20)
	}
	return b, err
}

func read(root, rel string, n int64) ([]byte, error) {
	st, fi := lstatChain(root, rel)
	if st != Regular {
		return nil, fmt.Errorf("%s is %s", rel, st)
	}
	f, err := os.Open(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	got, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !os.SameFile(fi, got) {
		return nil, fmt.Errorf("%s changed while it was read", rel)
	}
	return io.ReadAll(io.LimitReader(f, n))
}
