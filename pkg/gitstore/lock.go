package gitstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// LockFile is the name of opsbook's lock in the git directory.
const LockFile = "opsbook.lock"

// BusyError is returned by Lock when the lock file already exists. It wraps
// ErrBusy.
type BusyError struct {
	Path string // the lock file
	PID  int    // the holder's process id as written in the file, or 0
}

func (e *BusyError) Error() string {
	holder := ""
	if e.PID > 0 {
		holder = fmt.Sprintf(" (process %d)", e.PID)
	}
	return fmt.Sprintf("another opsbook is working in this repository%s: the lock file %s exists; if no opsbook is running, remove it and try again", holder, e.Path)
}

func (e *BusyError) Unwrap() error { return ErrBusy }

// Lock takes the repository lock, the file .git/opsbook.lock created
// exclusively and holding this process's id. While another holds it, Lock
// returns a *BusyError (errors.Is(err, ErrBusy)). unlock removes the file; it
// may be called more than once.
func (r *Repo) Lock() (unlock func(), err error) {
	name := filepath.Join(r.gitDir, LockFile)
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		be := &BusyError{Path: name}
		if data, err := os.ReadFile(name); err == nil {
			be.PID, _ = strconv.Atoi(strings.TrimSpace(string(data)))
		}
		return nil, be
	}
	if err != nil {
		return nil, fmt.Errorf("taking the repository lock %s: %w", name, err)
	}
	_, werr := fmt.Fprintf(f, "%d\n", os.Getpid())
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(name)
		return nil, fmt.Errorf("taking the repository lock %s: %w", name, werr)
	}
	var once sync.Once
	return func() { once.Do(func() { os.Remove(name) }) }, nil
}
