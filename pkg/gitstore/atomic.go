package gitstore

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// WriteFileAtomic replaces the file at path with data so that a reader, or
// the file after a crash, is either wholly old or wholly new: it writes a
// temporary file in the same directory, syncs it, renames it over path and
// syncs the directory. Like os.WriteFile, perm applies to a new file; an
// existing file keeps its permissions. The umask is not applied. A symbolic
// link at path is replaced by a regular file.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	mode := perm
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return i18n.Errorf("writing %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return i18n.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return i18n.Errorf("writing %s: %w", path, err)
	}
	if err = f.Chmod(mode); err != nil {
		return i18n.Errorf("writing %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return i18n.Errorf("writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return i18n.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return i18n.Errorf("writing %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable. Windows cannot open a directory
// for syncing, and its renames need no such step.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return i18n.Errorf("syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return i18n.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}
