package gitstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// LockFile is the name of opsbook's lock in the git directory.
const LockFile = "opsbook.lock"

// Owner is who holds opsbook's lock: the process, its host and when it
// started, so that a lock left by a process that is gone can be told from a
// live one (a process id alone may have been reused).
type Owner struct {
	PID  int    `json:"pid"`
	Host string `json:"host"`
	// Start is the process's start time as the kernel counts it (on Linux
	// field 22 of /proc/PID/stat); empty where unknown.
	Start string `json:"start,omitempty"`
	// Boot names the boot the process belongs to (Linux's boot_id).
	Boot string `json:"boot,omitempty"`
	// Since is when the lock was taken.
	Since time.Time `json:"since"`
}

// Phrase is String as a message argument, in each language.
func (o Owner) Phrase() i18n.Phrase {
	since := o.Since.Local().Format("2006-01-02 15:04:05")
	switch {
	case o.Host != "" && !o.Since.IsZero():
		return i18n.P("process %d on %s, since %s", o.PID, o.Host, since)
	case o.Host != "":
		return i18n.P("process %d on %s", o.PID, o.Host)
	case !o.Since.IsZero():
		return i18n.P("process %d, since %s", o.PID, since)
	}
	return i18n.P("process %d", o.PID)
}

func (o Owner) String() string {
	s := fmt.Sprintf("process %d", o.PID)
	if o.Host != "" {
		s += " on " + o.Host
	}
	if !o.Since.IsZero() {
		s += ", since " + o.Since.Local().Format("2006-01-02 15:04:05")
	}
	return s
}

// LockState says what a lock's owner is doing.
type LockState int

const (
	// Live: the owner is running (or may be: another host, unknown format).
	Live LockState = iota
	// Gone: the owner ran on this host and is no longer running.
	Gone
	// Foreign: the owner ran on another host; it is never broken here.
	Foreign
)

// BusyError is returned by Lock while another process holds the lock. It
// wraps ErrBusy.
type BusyError struct {
	Path  string // the lock file
	PID   int    // the holder's process id, or 0
	Owner Owner
	State LockState
}

// Error says who holds the lock, in the reader's language.
func (e *BusyError) Error() string {
	_, text := e.Texts()
	return text
}

// Texts is the error in English (for -o json) and in the reader's language.
func (e *BusyError) Texts() (english, local string) {
	o := e.Owner
	o.PID = e.PID
	switch {
	case e.State == Foreign && e.PID > 0:
		return i18n.Both("another opsbook is working in this repository (%s): the lock file %s belongs to another host and is never broken from here; if no opsbook runs there, remove it and try again", o.Phrase(), e.Path)
	case e.State == Foreign:
		return i18n.Both("another opsbook is working in this repository: the lock file %s belongs to another host and is never broken from here; if no opsbook runs there, remove it and try again", e.Path)
	case e.PID > 0:
		return i18n.Both("another opsbook is working in this repository (%s): the lock file %s exists; if no opsbook is running, remove it and try again", o.Phrase(), e.Path)
	}
	return i18n.Both("another opsbook is working in this repository: the lock file %s exists; if no opsbook is running, remove it and try again", e.Path)
}

func (e *BusyError) Unwrap() error { return ErrBusy }

// Lock takes the repository lock without waiting; see LockWait.
func (r *Repo) Lock() (unlock func(), err error) {
	return r.LockWait(context.Background(), 0, nil)
}

// LockWait takes the repository lock, the file .git/opsbook.lock created
// exclusively and naming its Owner. A lock whose owner is gone (same host,
// and the process id is not running or now belongs to a process started at
// another time) is taken over, and note is told so. While a live owner
// holds it, LockWait polls until wait has passed (0: once) and then returns
// a *BusyError (errors.Is(err, ErrBusy)). unlock removes the file; it may be
// called more than once. The same wait then applies to git's own lock files
// (index.lock, a branch's .lock) that a running git process holds when this
// repository commits: a plain `git commit` racing opsbook delays it instead
// of failing it.
func (r *Repo) LockWait(ctx context.Context, wait time.Duration, note func(Finding)) (unlock func(), err error) {
	r.gitWait = wait
	name := filepath.Join(r.gitDir, LockFile)
	deadline := time.Now().Add(wait)
	delay := 20 * time.Millisecond
	for {
		unlock, err := tryLock(name, note)
		if err == nil || !errors.Is(err, ErrBusy) || !time.Now().Before(deadline) {
			return unlock, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(min(delay, time.Until(deadline))):
		}
		delay = min(delay*2, 250*time.Millisecond)
	}
}

func tryLock(name string, note func(Finding)) (func(), error) {
	me := self()
	data, err := json.Marshal(me)
	if err != nil {
		return nil, err
	}
	err = createWhole(name, append(data, '\n'))
	if errors.Is(err, os.ErrExist) {
		o, ok := ReadLock(name)
		be := &BusyError{Path: name, PID: o.PID, Owner: o, State: judge(o, ok)}
		if be.State == Gone && breakLock(name, o) {
			if note != nil {
				note(finding(CodeStaleLock, "", "took over the lock %s left by %s, which is no longer running", name, o.Phrase()))
			}
			return tryLock(name, note)
		}
		return nil, be
	}
	if err != nil {
		return nil, i18n.Errorf("taking the repository lock %s: %w", name, err)
	}
	var once sync.Once
	return func() { once.Do(func() { os.Remove(name) }) }, nil
}

// createWhole creates the file name exclusively (it fails with an error
// matching os.ErrExist when name exists), holding data whole: data is
// written to a file of its own first and hard-linked to name, which fails
// when name exists as O_EXCL does, so a process killed at any moment leaves
// no empty lock behind (one that would keep the next command waiting ten
// seconds for nothing). Where the file system has no hard links, name is
// created with O_EXCL and then written. A temporary file a kill left
// between the two steps is removed by the next lock taken, once it is a
// minute old.
func createWhole(name string, data []byte) error {
	tmp := fmt.Sprintf("%s.%d.tmp", name, os.Getpid())
	if err := os.WriteFile(tmp, data, 0o644); err == nil {
		err = os.Link(tmp, name)
		os.Remove(tmp)
		if err == nil || errors.Is(err, os.ErrExist) {
			if err == nil {
				step("lock")
				removeOldTemps(name)
			}
			return err
		}
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	step("lock")
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(name)
	}
	return werr
}

// removeOldTemps removes createWhole's temporary files of name that are
// more than a minute old: a process was killed before it removed its own.
func removeOldTemps(name string) {
	olds, _ := filepath.Glob(name + ".*.tmp")
	for _, p := range olds {
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > time.Minute {
			os.Remove(p)
		}
	}
}

// breakLock removes the lock file of a gone owner, unless another process
// has meanwhile replaced it: the removal is made under a second lock file
// (.break), which names its maker as the lock does, and only when the lock
// still names the same owner. A .break file is itself left over when the
// process that made it is gone (killed while it broke a lock: the next
// command would otherwise find the repository busy for a minute, naming a
// process that no longer runs), when it is empty and ten seconds old (a
// crash between creating and writing it), or when it is older than a
// minute; it is then removed and the lock broken.
func breakLock(name string, gone Owner) bool {
	br := name + ".break"
	for range 2 {
		data, _ := json.Marshal(self())
		if err := createWhole(br, append(data, '\n')); err != nil {
			if !errors.Is(err, os.ErrExist) || !staleBreak(br) {
				return false
			}
			os.Remove(br)
			continue
		}
		defer os.Remove(br)
		if now, _ := ReadLock(name); now != gone {
			return false
		}
		return os.Remove(name) == nil
	}
	return false
}

// staleBreak says whether the .break file br is left over (see breakLock).
func staleBreak(br string) bool {
	fi, err := os.Stat(br)
	if err != nil {
		return false
	}
	if time.Since(fi.ModTime()) > time.Minute {
		return true
	}
	o, ok := ReadLock(br)
	return judge(o, ok) == Gone
}

// ReadLock reads the owner named in a lock file. The old format, a bare
// process id, gives an Owner with only PID set and ok false.
func ReadLock(name string) (o Owner, ok bool) {
	data, err := os.ReadFile(name)
	if err != nil {
		return Owner{}, false
	}
	if json.Unmarshal(data, &o) == nil && o.PID > 0 {
		return o, true
	}
	o = Owner{}
	o.PID, _ = strconv.Atoi(strings.TrimSpace(string(data)))
	if fi, err := os.Stat(name); err == nil {
		o.Since = fi.ModTime()
	}
	return o, false
}

// InspectLock says who holds the lock of the repository and whether they
// are still running; held is false when there is no lock.
func (r *Repo) InspectLock() (o Owner, state LockState, held bool) {
	name := filepath.Join(r.gitDir, LockFile)
	if _, err := os.Lstat(name); err != nil {
		return Owner{}, Live, false
	}
	o, ok := ReadLock(name)
	return o, judge(o, ok), true
}

// judge says what a lock's owner is doing. A lock in the old format (a bare
// process id, no host) is taken as this host's; an empty one, which a crash
// between creating and writing it leaves, is gone once it is ten seconds old.
func judge(o Owner, ok bool) LockState {
	switch {
	case ok:
		return o.state()
	case o.PID > 0:
		if _, alive := processStart(o.PID); !alive {
			return Gone
		}
	case !o.Since.IsZero() && time.Since(o.Since) > 10*time.Second:
		return Gone
	}
	return Live
}

// state judges an owner read from a lock file.
func (o Owner) state() LockState {
	me := self()
	if o.Host != me.Host {
		return Foreign
	}
	if o.Boot != "" && me.Boot != "" && o.Boot != me.Boot {
		return Gone // the machine has restarted since
	}
	start, alive := processStart(o.PID)
	if !alive {
		return Gone
	}
	if o.Start != "" && start != "" && start != o.Start {
		return Gone // the id now belongs to another process
	}
	return Live
}

// Self is this process as an Owner (now as Since).
func Self() Owner { return self() }

// Gone says that o, read back from a file this host's opsbook wrote, is a
// process that is no longer running (its id now another's, or the
// machine restarted since).
func (o Owner) Gone() bool { return o.state() == Gone }

var (
	selfOnce sync.Once
	selfInfo Owner
)

func self() Owner {
	selfOnce.Do(func() {
		selfInfo.PID = os.Getpid()
		selfInfo.Host, _ = os.Hostname()
		selfInfo.Start, _ = processStart(selfInfo.PID)
		selfInfo.Boot = bootID()
	})
	o := selfInfo
	o.Since = time.Now().UTC().Truncate(time.Second)
	return o
}

// WaitGitLock waits, up to the wait given to LockWait, while git's
// index.lock exists (a running git process, such as a plain `git commit`,
// holds it). It returns when the file is gone, the wait has passed or ctx
// is done; the caller then checks the state as usual.
func (r *Repo) WaitGitLock(ctx context.Context) {
	target := filepath.Join(r.gitDir, "index.lock")
	retryGitLock(ctx, r.gitWait, func() bool {
		_, err := os.Lstat(target)
		return err != nil
	})
}

// retryGitLock calls try until it returns true, for up to wait (polling
// with a growing delay) or until ctx is done.
func retryGitLock(ctx context.Context, wait time.Duration, try func() bool) {
	deadline := time.Now().Add(wait)
	delay := 10 * time.Millisecond
	for !try() && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(min(delay, time.Until(deadline))):
		}
		delay = min(delay*2, 200*time.Millisecond)
	}
}
