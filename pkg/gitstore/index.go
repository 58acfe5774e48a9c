package gitstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// readIndex decodes the index file; a missing file is an empty index.
func (r *Repo) readIndex(name string) (*index.Index, error) {
	data, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return &index.Index{Version: 2}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the git index: %w", err)
	}
	idx := &index.Index{}
	err = index.NewDecoder(bytes.NewReader(data)).Decode(idx)
	if errors.Is(err, index.ErrInvalidChecksum) && len(data) >= 20 && bytes.Equal(data[len(data)-20:], make([]byte, 20)) {
		err = nil // written with index.skipHash: no checksum to check
	}
	if errors.Is(err, index.ErrUnknownExtension) {
		return nil, fmt.Errorf("reading the git index %s: it uses an extension go-git cannot read (a split index?); `git update-index --no-split-index` rewrites it: %w", name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the git index %s: %w", name, err)
	}
	return idx, nil
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
		return nil, fmt.Errorf("%w: %s exists: another git process seems to be running in this repository; if none is, remove the file and try again", ErrState, target)
	}
	if err != nil {
		return nil, fmt.Errorf("locking the git index: %w", err)
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
		return fmt.Errorf("writing the git index: %w", err)
	}
	if err := l.held.write(b.Bytes()); err != nil {
		return fmt.Errorf("writing the git index: %w", err)
	}
	return nil
}

// publish renames the written lock file over the index.
func (l *indexLock) publish() error {
	if err := l.held.commit(l.indexPath); err != nil {
		return fmt.Errorf("writing the git index: %w", err)
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
		return workFile{}, fmt.Errorf("reading %s: %w", p, err)
	}
	wf := workFile{exists: true, info: fi}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(name)
		if err != nil {
			return workFile{}, fmt.Errorf("reading %s: %w", p, err)
		}
		wf.data = []byte(filepath.ToSlash(target))
		wf.mode = filemode.Symlink
	case fi.Mode().IsRegular():
		f, err := os.Open(name)
		if err != nil {
			return workFile{}, fmt.Errorf("reading %s: %w", p, err)
		}
		wf.data, err = readAllSized(f, fi.Size())
		if err == nil {
			wf.info, err = f.Stat() // the stat of what was read, for the index
		}
		f.Close()
		if err != nil {
			return workFile{}, fmt.Errorf("reading %s: %w", p, err)
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
		return workFile{}, fmt.Errorf("%w %q: is a directory, not a file", ErrBadPath, p)
	default:
		return workFile{}, fmt.Errorf("%w %q: not a regular file or symbolic link", ErrBadPath, p)
	}
	wf.hash = plumbing.ComputeHash(plumbing.BlobObject, wf.data)
	return wf, nil
}

func readAllSized(f *os.File, size int64) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(size) + 1)
	_, err := buf.ReadFrom(f)
	return buf.Bytes(), err
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
