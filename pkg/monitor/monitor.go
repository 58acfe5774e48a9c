// Package monitor is the file-system monitor of a department: a process
// (`opsbook monitor start`) that watches the records folder with the
// kernel's notifications (inotify on Linux) and tells a command which
// record files may have changed since the command before it, so that a
// command about one record need not take the stat data of every file.
//
// A command asks with the token the index was saved with and gets a new
// token and the paths that had any event since the old one: files written,
// truncated, renamed, removed or given new attributes, and the folders a
// name was added to or taken from. The monitor cannot always tell, and
// then says Reset and the command lists and stats every file as it does
// without a monitor:
//   - the token is from another monitor (one started since, or none);
//   - the kernel's queue overflowed;
//   - a folder was made, removed, renamed or changed its attributes under
//     the records folder, or the records folder itself was replaced (the
//     monitor watches every folder again);
//   - the kernel would not watch a folder (its limit of watches is
//     reached): until it does, every question is answered with Reset;
//   - a folder is on a network file system (a change made from another
//     machine is never reported): the monitor does not start on one,
//     and a share mounted below the records folder makes every answer
//     Reset;
//   - the events since the token were more than it keeps.
//
// Events are made by the kernel in the system call that changes a file,
// before the call returns; the monitor reads every queued event after a
// question arrives and before it answers, so a change made before the
// question was asked is always in the answer. What the kernel does not
// report is out of its sight, as it is out of git's own monitor's: writes
// through a memory map, and files changed through another name (a hard
// link outside the folder). A command therefore always takes the stat
// data of a file with more than one name, and the README says what a
// monitor cannot see.
//
// The monitor runs until `opsbook monitor stop`, until its socket
// (.git/opsbook/monitor.sock) is removed or replaced, or until the git
// directory goes away. One monitor runs per git directory (a lock file
// held for its lifetime).
package monitor

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// Answer is what the monitor says changed since a token.
type Answer struct {
	// Token stands for the moment of the answer: ask with it next time.
	Token string `json:"token"`
	// Reset: the monitor cannot tell what changed (see the package
	// comment); every file must be listed and statted.
	Reset bool `json:"reset,omitempty"`
	// Why says why Reset was given.
	Why string `json:"why,omitempty"`
	// Files are the paths (relative to the department's root, with
	// slashes) of the files under the records folder that had any event.
	Files []string `json:"files,omitempty"`
	// Dirs are the folders (as Files) a name was added to, taken from or
	// renamed in: their listing may have changed.
	Dirs []string `json:"dirs,omitempty"`
}

// Status is what a running monitor says of itself.
type Status struct {
	PID     int       `json:"pid"`
	Root    string    `json:"root"`
	Records string    `json:"records"`
	Since   time.Time `json:"since"`
	Folders int       `json:"folders"` // folders watched
	Events  uint64    `json:"events"`  // events read since it started
	Resets  int       `json:"resets"`  // times it watched every folder again
}

// request is one question on the socket: "since" with a token, "status",
// or "stop".
type request struct {
	Op      string `json:"op"`
	Token   string `json:"token,omitempty"`
	Root    string `json:"root,omitempty"`
	Records string `json:"records,omitempty"`
}

// ErrNotRunning: no monitor answers for this department.
var ErrNotRunning = i18n.NewError("no monitor is running for this department")

// SocketName and LockName are the monitor's files in the department's
// cache folder (.git/opsbook).
const (
	SocketName = "monitor.sock"
	LockName   = "monitor.lock"
	LogName    = "monitor.log"
)

// askTimeout bounds a question: a monitor that does not answer in time
// is treated as absent (the command lists every file).
var askTimeout = time.Second

// socketAddr returns the address to dial or listen on for the socket
// at path, and a function to call once the address is no longer used:
// the path itself; or, when the absolute path is longer than a socket
// address may be, a path relative to the working folder, or on Linux the
// path through an open handle of the socket's folder
// (/proc/self/fd/N/monitor.sock), which is short wherever the department
// lies.
func socketAddr(path string) (string, func(), error) {
	const max = 104 // sun_path is 108 bytes on Linux, 104 on BSDs
	none := func() {}
	if len(path) < max {
		return path, none, nil
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, path); err == nil && len(rel) < max {
			return rel, none, nil
		}
	}
	if runtime.GOOS == "linux" {
		if d, err := os.Open(filepath.Dir(path)); err == nil {
			addr := fmt.Sprintf("/proc/self/fd/%d/%s", d.Fd(), filepath.Base(path))
			if _, err := os.Lstat(filepath.Dir(addr)); err == nil && len(addr) < max {
				return addr, func() { d.Close() }, nil
			}
			d.Close()
		}
	}
	return "", none, i18n.Errorf("the monitor's socket path is too long: %s", path)
}

// exchange sends req to the monitor whose socket is in cacheDir and
// decodes its answer into out.
func exchange(cacheDir string, req request, out any) error {
	sock := filepath.Join(cacheDir, SocketName)
	if _, err := os.Lstat(sock); err != nil {
		return ErrNotRunning
	}
	addr, release, err := socketAddr(sock)
	if err != nil {
		return err
	}
	c, err := net.DialTimeout("unix", addr, askTimeout)
	release()
	if err != nil {
		return ErrNotRunning
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(askTimeout))
	if err := json.NewEncoder(c).Encode(req); err != nil {
		return err
	}
	var reply struct {
		Error string          `json:"error,omitempty"`
		Body  json.RawMessage `json:"body"`
	}
	if err := json.NewDecoder(c).Decode(&reply); err != nil {
		return err
	}
	if reply.Error != "" {
		return errors.New(reply.Error)
	}
	return json.Unmarshal(reply.Body, out)
}

// Ask asks the monitor of the department at root (absolute) whose cache
// folder is cacheDir what changed under the records folder records since
// token (empty: since ever, which is a Reset). A monitor that watches
// another folder (the department was moved or copied, or another
// worktree shares its git directory) does not answer. An error means no
// answer: the caller lists every file.
func Ask(cacheDir, root, records, token string) (Answer, error) {
	var a Answer
	err := exchange(cacheDir, request{Op: "since", Token: token, Root: root, Records: records}, &a)
	if err == nil && a.Token == "" {
		err = i18n.NewError("the monitor gave no token")
	}
	return a, err
}

// Running tells whether a monitor has its socket in cacheDir (it may
// still not answer).
func Running(cacheDir string) bool {
	if cacheDir == "" {
		return false
	}
	_, err := os.Lstat(filepath.Join(cacheDir, SocketName))
	return err == nil
}

// StatusOf asks the running monitor of cacheDir for its status.
func StatusOf(cacheDir string) (Status, error) {
	var s Status
	err := exchange(cacheDir, request{Op: "status"}, &s)
	return s, err
}

// Stop asks the running monitor of cacheDir to stop, and waits (up to a
// few seconds) until its socket is gone and its lock released.
func Stop(cacheDir string) error {
	var ok bool
	if err := exchange(cacheDir, request{Op: "stop"}, &ok); err != nil {
		return err
	}
	// stopped once its socket is gone and its lock released (the lock
	// goes last): a monitor started at once finds none running
	sock := filepath.Join(cacheDir, SocketName)
	for i := 0; i < 100; i++ {
		if _, err := os.Lstat(sock); err != nil && !Held(cacheDir) {
			return nil
		}
		time.Sleep(30 * time.Millisecond)
	}
	return i18n.NewError("the monitor did not stop")
}
