package gitstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// gitIndex is the git index file as last read, with what its stat said:
// a write reads it several times (the repository's state, the dirty
// check, the commit), 10 MB at 100,000 files, and git replaces it by a
// rename (another file) whenever it writes it.
type gitIndex struct {
	name string
	info os.FileInfo
	data []byte
}

// readGitIndex reads the git index file at name, or gives the bytes read
// before while the file is the same one with the same size and
// modification time. The bytes are shared: not to be changed.
func (r *Repo) readGitIndex(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if c := r.gitIndex; c != nil && c.name == name && os.SameFile(c.info, info) &&
		c.info.Size() == info.Size() && c.info.ModTime().Equal(info.ModTime()) {
		return c.data, nil
	}
	data, err := cache.ReadSized(f, info.Size())
	if err != nil {
		return nil, err
	}
	r.gitIndex = &gitIndex{name: name, info: info, data: data}
	return data, nil
}

// readIndex decodes the index file; a missing file is an empty index.
func (r *Repo) readIndex(name string) (*index.Index, error) {
	data, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return &index.Index{Version: 2}, nil
	}
	if err != nil {
		return nil, i18n.Errorf("reading the git index: %w", err)
	}
	idx := &index.Index{}
	err = index.NewDecoder(bytes.NewReader(data)).Decode(idx)
	if errors.Is(err, index.ErrInvalidChecksum) && len(data) >= 20 && bytes.Equal(data[len(data)-20:], make([]byte, 20)) {
		err = nil // written with index.skipHash: no checksum to check
	}
	if errors.Is(err, index.ErrUnknownExtension) {
		return nil, i18n.Errorf("reading the git index %s: %s: %w", name, requiredExtensionFix(data), err)
	}
	if err != nil {
		return nil, i18n.Errorf("reading the git index %s: %w", name, err)
	}
	return idx, nil
}

// requiredExtensionFix says which extension of the index opsbook cannot
// read, and how to have git write the index without it.
func requiredExtensionFix(data []byte) i18n.Phrase {
	sig := ""
	if end, _, ok := walkEntries(data, func(rawEntry) bool { return true }); ok {
		sig, _ = extensionsAfter(data, end)
	}
	switch sig {
	case "link":
		return i18n.P("it is a split index (`git update-index --split-index`, or core.splitIndex), which opsbook cannot read; `git update-index --no-split-index` rewrites it whole (and `git config core.splitIndex false` keeps it so)")
	case "sdir":
		return i18n.P("it is a sparse index (index.sparse), which opsbook cannot read; `git config index.sparse false` and `git sparse-checkout reapply` rewrite it whole")
	case "":
		return i18n.P("it uses an extension opsbook cannot read")
	}
	return i18n.P("it uses an extension opsbook cannot read (%q)", sig)
}

// indexLock is git's index.lock: taken before the index is read for a
// change, renamed over the index to publish it.
type indexLock struct {
	held      *heldLock
	indexPath string
}

func (r *Repo) lockIndex(ctx context.Context) (*indexLock, error) {
	target := filepath.Join(r.gitDir, "index.lock")
	h, err := r.holdWait(ctx, target)
	if errors.Is(err, errLockExists) {
		return nil, i18n.Errorf("%w: %s exists: another git process seems to be running in this repository; if none is, remove the file and try again", ErrState, target)
	}
	if err != nil {
		return nil, i18n.Errorf("locking the git index: %w", err)
	}
	return &indexLock{held: h, indexPath: filepath.Join(r.gitDir, "index")}, nil
}

// write encodes idx into the lock file and syncs it, without publishing.
func (l *indexLock) write(idx *index.Index) error {
	// The cached-tree extension would describe trees this change may have
	// invalidated; go-git does not write extensions, so git rebuilds it.
	idx.Cache = nil
	var b bytes.Buffer
	if err := index.NewEncoder(&b).Encode(idx); err != nil {
		return i18n.Errorf("writing the git index: %w", err)
	}
	if err := l.held.write(b.Bytes()); err != nil {
		return i18n.Errorf("writing the git index: %w", err)
	}
	return nil
}

// writeRaw writes an index's bytes (in parts, one after the other) into
// the lock file and syncs it, without publishing.
func (l *indexLock) writeRaw(parts ...[]byte) error {
	if err := l.held.write(parts...); err != nil {
		return i18n.Errorf("writing the git index: %w", err)
	}
	return nil
}

// publish renames the written lock file over the index.
func (l *indexLock) publish() error {
	if err := l.held.commit(l.indexPath); err != nil {
		return i18n.Errorf("writing the git index: %w", err)
	}
	return nil
}

// commit writes idx to the lock file and renames it over the index.
func (l *indexLock) commit(idx *index.Index) error {
	if err := l.write(idx); err != nil {
		l.rollback()
		return err
	}
	return l.publish()
}

// rollback releases the lock without changing the index. It is a no-op
// after commit.
func (l *indexLock) rollback() { l.held.rollback() }

// workFile is a file of the work tree as git would stage it.
type workFile struct {
	exists bool
	hash   plumbing.Hash
	mode   filemode.FileMode
	data   []byte
	info   fs.FileInfo
}

// readWorkFile reads the work-tree file at the repository-relative path p.
// With trustMode false (core.fileMode=false) the executable bit comes from
// prev, the mode already recorded for p, not from the file system.
func (r *Repo) readWorkFile(p string, trustMode bool, prev filemode.FileMode) (workFile, error) {
	name := filepath.Join(r.root, filepath.FromSlash(p))
	fi, err := os.Lstat(name)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return workFile{}, nil
	}
	if err != nil {
		return workFile{}, i18n.Errorf("reading %s: %w", p, err)
	}
	wf := workFile{exists: true, info: fi}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(name)
		if err != nil {
			return workFile{}, i18n.Errorf("reading %s: %w", p, err)
		}
		wf.data = []byte(filepath.ToSlash(target))
		wf.mode = filemode.Symlink
	case fi.Mode().IsRegular():
		f, err := os.Open(name)
		if err != nil {
			return workFile{}, i18n.Errorf("reading %s: %w", p, err)
		}
		wf.data, err = cache.ReadSized(f, fi.Size())
		if err == nil {
			wf.info, err = f.Stat() // the stat of what was read, for the index
		}
		f.Close()
		if err != nil {
			return workFile{}, i18n.Errorf("reading %s: %w", p, err)
		}
		switch {
		case !trustMode && (prev == filemode.Regular || prev == filemode.Executable):
			wf.mode = prev
		case trustMode && fi.Mode()&0o100 != 0:
			wf.mode = filemode.Executable
		default:
			wf.mode = filemode.Regular
		}
	case fi.IsDir():
		return workFile{}, i18n.Errorf("%w %q: is a directory, not a file", ErrBadPath, p)
	default:
		return workFile{}, i18n.Errorf("%w %q: not a regular file or symbolic link", ErrBadPath, p)
	}
	wf.hash = plumbing.ComputeHash(plumbing.BlobObject, wf.data)
	return wf, nil
}

// indexEntryFor returns a stage-0 index entry for wf at p with the stat
// data git compares, so that `git status` sees the file as clean.
func indexEntryFor(p string, wf workFile) *index.Entry {
	e := &index.Entry{
		Name:       p,
		Hash:       wf.hash,
		Mode:       wf.mode,
		ModifiedAt: wf.info.ModTime(),
		Size:       uint32(wf.info.Size()),
	}
	fillStat(e, wf.info)
	if e.CreatedAt.IsZero() {
		e.CreatedAt = e.ModifiedAt
	}
	return e
}

// rawEntry is one entry of a git index as walkIndex meets it: its name
// (valid during the call only), its 62 bytes of stat data, object id and
// flags, and its extended flags (0 without).
type rawEntry struct {
	name       []byte
	fixed      []byte
	extended   uint16
	start, end int // its bytes in the index
}

func (e rawEntry) flags() uint16 { return binary.BigEndian.Uint16(e.fixed[60:62]) }
func (e rawEntry) stage() int    { return int(e.flags()>>12) & 3 }

// entry is the entry as go-git decodes it, with the fields Dirty reads.
func (e rawEntry) entry() *index.Entry {
	out := &index.Entry{Name: string(e.name), Stage: index.Stage(e.stage()),
		Mode:         filemode.FileMode(binary.BigEndian.Uint32(e.fixed[24:28])),
		Size:         binary.BigEndian.Uint32(e.fixed[36:40]),
		IntentToAdd:  e.extended&0x2000 != 0,
		SkipWorktree: e.extended&0x4000 != 0,
	}
	copy(out.Hash[:], e.fixed[40:60])
	return out
}

// walkIndex calls visit with every entry of a git index (the file's
// bytes, with its checksum), in order, until visit returns false, without
// decoding the entries into go-git's: a write checks the state of the
// repository and of the paths it writes first, and decoding 100,000
// entries to look at a few costs a fifth of a second each time. ok is
// false when the bytes are not an index this reads (another version, a cut
// file) or when, read to the end, they carry an extension git requires its
// readers to understand (a split index's "link", whose entries live
// partly in another file, or a sparse index's "sdir", whose folder entries
// stand for the files under them): the entries alone would not say what
// the index holds, and the caller decodes it in full, which says what is
// wrong. The entries' layout: 62 bytes of stat data, object id and flags
// (stage in bits 12-13), 2 more bytes of extended flags when bit 14 is set
// (version 3 and up), then the name: NUL-padded to a multiple of 8 bytes in
// versions 2 and 3, and in version 4 a varint (git's, see gitVarint: the
// bytes of the previous name dropped) and the rest of the name up to a NUL.
func walkIndex(data []byte, visit func(rawEntry) bool) (ok bool) {
	end, stopped, ok := walkEntries(data, visit)
	if !ok || stopped {
		return ok
	}
	required, ok := extensionsAfter(data, end)
	return ok && required == ""
}

// walkEntries is walkIndex without the look at the extensions: end is
// where the entries end, stopped says visit returned false.
func walkEntries(data []byte, visit func(rawEntry) bool) (end int, stopped, ok bool) {
	if len(data) < 12 || string(data[:4]) != "DIRC" {
		return 0, false, false
	}
	version := binary.BigEndian.Uint32(data[4:8])
	if version < 2 || version > 4 {
		return 0, false, false
	}
	n := binary.BigEndian.Uint32(data[8:12])
	at := 12
	var prev []byte // version 4: the previous entry's name
	for i := uint32(0); i < n; i++ {
		start := at
		if at+62 > len(data) {
			return 0, false, false
		}
		e := rawEntry{fixed: data[at : at+62]}
		at += 62
		if e.flags()&0x4000 != 0 {
			if version < 3 || at+2 > len(data) {
				return 0, false, false
			}
			e.extended = binary.BigEndian.Uint16(data[at : at+2])
			at += 2
		}
		e.start = start
		if version == 4 {
			strip, w := gitVarint(data[at:])
			if w == 0 || strip > uint64(len(prev)) {
				return 0, false, false
			}
			at += w
			end := bytes.IndexByte(data[at:], 0)
			if end < 0 {
				return 0, false, false
			}
			prev = append(prev[:len(prev)-int(strip)], data[at:at+end]...)
			at += end + 1
			e.name, e.end = prev, at
		} else {
			end := bytes.IndexByte(data[at:], 0)
			if end < 0 {
				return 0, false, false
			}
			e.name = data[at : at+end]
			// 1 to 8 NULs: the entry's length a multiple of 8
			at = start + (at-start+end+8)/8*8
			e.end = at
		}
		if !visit(e) {
			return at, true, true
		}
	}
	return at, false, at <= len(data)
}

// extensionsAfter reads the extensions of a git index (the file's bytes,
// with its checksum) that start at at: each a signature of 4 bytes, a
// size and the data, up to the 20 bytes of the checksum. required is the
// signature of the first one git requires readers to understand (its
// first letter not a capital); ok is false when they do not fill the
// space exactly.
func extensionsAfter(data []byte, at int) (required string, ok bool) {
	end := len(data) - 20
	if at > end {
		return "", false
	}
	for at < end {
		if at+8 > end {
			return "", false
		}
		sig, size := data[at:at+4], binary.BigEndian.Uint32(data[at+4:at+8])
		if uint64(at)+8+uint64(size) > uint64(end) {
			return "", false
		}
		if required == "" && (sig[0] < 'A' || sig[0] > 'Z') {
			required = string(sig)
		}
		at += 8 + int(size)
	}
	return required, true
}

// gitVarint decodes the varint git writes (varint.c), which index
// version 4 gives each name's count of bytes dropped with: 7 bits a byte,
// the most significant first, the top bit saying another byte follows,
// and each byte after the first adding one to the value before it (so 128
// is 0x80 0x00, and no value has two spellings). It is not the varint of
// encoding/binary, which reads those bytes as 0. w is 0 when the bytes end
// before the value does or it does not fit 64 bits.
func gitVarint(b []byte) (v uint64, w int) {
	if len(b) == 0 {
		return 0, 0
	}
	c := b[0]
	v, w = uint64(c&127), 1
	for c&128 != 0 {
		v++
		if v == 0 || v>>57 != 0 || w >= len(b) {
			return 0, 0
		}
		c = b[w]
		w++
		v = v<<7 + uint64(c&127)
	}
	return v, w
}

// appendGitVarint appends v as gitVarint reads it.
func appendGitVarint(b []byte, v uint64) []byte {
	var buf [10]byte
	i := len(buf) - 1
	buf[i] = byte(v & 127)
	for v >>= 7; v != 0; v >>= 7 {
		v--
		i--
		buf[i] = 128 | byte(v&127)
	}
	return append(b, buf[i:]...)
}

// firstUnmerged finds the first entry of a git index at a stage other
// than 0 (an unresolved conflict); ok as walkIndex's.
func firstUnmerged(data []byte) (name string, found, ok bool) {
	ok = walkIndex(data, func(e rawEntry) bool {
		if e.stage() != 0 {
			name, found = string(e.name), true
			return false
		}
		return true
	})
	return name, found, ok
}

// indexEntriesOf returns the entries of the index file at name for the
// paths (all stages, in index order), read with walkIndex, or by a full
// decode when walkIndex cannot read it.
func (r *Repo) indexEntriesOf(name string, paths map[string]bool) ([]*index.Entry, error) {
	data, err := r.readGitIndex(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, i18n.Errorf("reading the git index: %w", err)
	}
	var out []*index.Entry
	if walkIndex(data, func(e rawEntry) bool {
		if paths[string(e.name)] {
			out = append(out, e.entry())
		}
		return true
	}) {
		return out, nil
	}
	idx, err := r.readIndex(name)
	if err != nil {
		return nil, err
	}
	out = nil
	for _, e := range idx.Entries {
		if paths[e.Name] {
			out = append(out, e)
		}
	}
	return out, nil
}
