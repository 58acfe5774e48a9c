package gitstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeLock(t *testing.T, dir string, o Owner) {
	t.Helper()
	data, _ := json.Marshal(o)
	if err := os.WriteFile(filepath.Join(dir, ".git", LockFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLockOwner(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	r := open(t, dir)
	unlock, err := r.Lock()
	if err != nil {
		t.Fatal(err)
	}
	o, ok := ReadLock(filepath.Join(dir, ".git", LockFile))
	host, _ := os.Hostname()
	if !ok || o.PID != os.Getpid() || o.Host != host || o.Since.IsZero() {
		t.Errorf("lock names %+v (ok %v)", o, ok)
	}
	if _, err := os.Stat("/proc/self/stat"); err == nil && o.Start == "" {
		t.Errorf("lock has no process start time on Linux")
	}
	if _, state, held := r.InspectLock(); !held || state != Live {
		t.Errorf("InspectLock of our own lock: held %v state %v", held, state)
	}
	unlock()
}

func TestLockGoneOwnerTakenOver(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	r := open(t, dir)
	me := self()

	// A process that has exited.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	gone := me
	gone.PID = cmd.Process.Pid
	// Our own pid with another start time: the pid was reused.
	reused := me
	reused.Start = "1"
	for name, o := range map[string]Owner{"exited": gone, "pid reused": reused} {
		writeLock(t, dir, o)
		var notes []string
		unlock, err := r.LockWait(context.Background(), 0, func(f Finding) { notes = append(notes, f.Message) })
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(notes) != 1 || !strings.Contains(notes[0], "no longer running") {
			t.Errorf("%s: notes %q", name, notes)
		}
		unlock()
	}
}

func TestLockLiveAndForeignWait(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	r := open(t, dir)
	foreign := self()
	foreign.Host = "elsewhere.example"
	for name, o := range map[string]Owner{"live": self(), "foreign": foreign} {
		writeLock(t, dir, o)
		start := time.Now()
		_, err := r.LockWait(context.Background(), 300*time.Millisecond, nil)
		var be *BusyError
		if !errors.As(err, &be) {
			t.Fatalf("%s: err = %v, want BusyError", name, err)
		}
		if d := time.Since(start); d < 300*time.Millisecond {
			t.Errorf("%s: gave up after %v, before the wait", name, d)
		}
		if want := map[string]LockState{"live": Live, "foreign": Foreign}[name]; be.State != want {
			t.Errorf("%s: state %v", name, be.State)
		}
		if !strings.Contains(err.Error(), "process ") {
			t.Errorf("%s: %v does not name the process", name, err)
		}
	}
	// A live lock released while waiting is taken.
	writeLock(t, dir, self())
	go func() {
		time.Sleep(100 * time.Millisecond)
		os.Remove(filepath.Join(dir, ".git", LockFile))
	}()
	unlock, err := r.LockWait(context.Background(), 5*time.Second, nil)
	if err != nil {
		t.Fatalf("waiting for a released lock: %v", err)
	}
	unlock()
}

// A git lock file opsbook did not make (a running git process's) is never
// removed by recovery; one it made is.
func TestRecoverGitLocks(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	r := open(t, dir)
	theirs := filepath.Join(dir, ".git", "index.lock")
	if err := os.WriteFile(theirs, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fs, err := r.Recover(nil, true)
	if err != nil || len(fs) != 0 || !exists(theirs) {
		t.Fatalf("Recover touched git's own lock: %v %+v", err, fs)
	}
	os.Remove(theirs)

	l, err := r.hold(theirs) // opsbook's, then "killed"
	if err != nil {
		t.Fatal(err)
	}
	l.f.Close()
	if err := r.pending(); !errors.Is(err, ErrInterrupted) {
		t.Errorf("pending with a held lock: %v", err)
	}
	fs, err = r.Recover(nil, true)
	if err != nil || len(fs) != 1 || fs[0].Code != CodeGitLock || !fs[0].Repaired || exists(theirs) {
		t.Fatalf("Recover of opsbook's lock: %v %+v", err, fs)
	}
	// The holder was replaced by another file of the same name: not ours.
	l, err = r.hold(theirs)
	if err != nil {
		t.Fatal(err)
	}
	l.f.Close()
	os.Remove(theirs)
	os.WriteFile(theirs, nil, 0o644)
	if fs, _ := r.Recover(nil, true); len(fs) != 0 || !exists(theirs) {
		t.Errorf("Recover removed a lock that is not opsbook's: %+v", fs)
	}
}

// The state a crash between branch and index left before the journal
// existed: HEAD has opsbook's change, the index stages the old file.
func TestRecoverStagedRevert(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"records/a.yaml": "status: submitted\n"})
	old := strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD:records/a.yaml"))
	writeFiles(t, dir, map[string]string{"records/a.yaml": "status: approved\n"})
	gitCmd(t, dir, "commit", "-q", "-a", "-m", "approve\n\nOpsbook-Record: A\nOpsbook-Action: approve")
	gitCmd(t, dir, "update-index", "--cacheinfo", "100644,"+old+",records/a.yaml")
	r := open(t, dir)
	fs, err := r.Recover([]string{"records"}, false)
	if err != nil || len(fs) != 1 || fs[0].Code != CodeStagedRevert || fs[0].Repaired {
		t.Fatalf("Recover (dry): %v %+v", err, fs)
	}
	fs, err = r.Recover([]string{"records"}, true)
	if err != nil || len(fs) != 1 || !fs[0].Repaired {
		t.Fatalf("Recover: %v %+v", err, fs)
	}
	if st := gitCmd(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("git status after repair:\n%s", st)
	}
}

// Commit refuses while a journal waits; a cancelled context before the
// branch moves leaves nothing behind.
func TestCommitInterruptedAndCancelled(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	r := open(t, dir)
	head := gitCmd(t, dir, "rev-parse", "HEAD")
	ctx, cancel := context.WithCancel(context.Background())
	StepHook = func(s string) {
		if s == "file-1" {
			cancel()
		}
	}
	defer func() { StepHook = nil }()
	_, err := r.Commit(ctx, CommitRequest{Files: []FileWrite{{Path: "a.txt", Data: []byte("b\n")}, {Path: "bin/new.dat", Data: []byte{0, 1, 2, 0xff}}}, Message: "m", Author: alice})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled commit: %v", err)
	}
	if got := gitCmd(t, dir, "rev-parse", "HEAD"); strings.TrimSpace(got) != strings.TrimSpace(head) {
		t.Errorf("HEAD moved")
	}
	if st := gitCmd(t, dir, "status", "--porcelain", "--untracked-files=all"); st != "" {
		t.Errorf("git status after a cancelled commit:\n%s", st)
	}
	if err := r.pending(); err != nil {
		t.Errorf("left pending: %v", err)
	}
	StepHook = nil

	os.MkdirAll(filepath.Join(dir, ".git", "opsbook"), 0o755)
	os.WriteFile(r.journalPath(), []byte(`{"version":1,"files":[]}`), 0o644)
	if _, err := r.Commit(context.Background(), CommitRequest{Files: []FileWrite{{Path: "a.txt", Data: []byte("c\n")}}, Message: "m", Author: alice}); !errors.Is(err, ErrInterrupted) {
		t.Errorf("Commit with a journal: %v", err)
	}
	// Binary files through the journal.
	os.Remove(r.journalPath())
	if _, err := r.Commit(context.Background(), CommitRequest{Files: []FileWrite{{Path: "bin/new.dat", Data: []byte{0, 1, 2, 0xff}}}, Message: "m", Author: alice}); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(gitCmd(t, dir, "cat-file", "-s", "HEAD:bin/new.dat")); got != "4" {
		t.Errorf("binary file size %s", got)
	}
	if st := gitCmd(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("git status:\n%s", st)
	}
}

// Locks of the old format (a bare pid) and empty ones (a crash between
// creating and writing the file) are judged too.
func TestLockOldAndEmpty(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	r := open(t, dir)
	name := filepath.Join(dir, ".git", LockFile)
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, content string
		age           time.Duration
		taken         bool
	}{
		{"old format, process gone", fmt.Sprintf("%d\n", cmd.Process.Pid), 0, true},
		{"old format, process running", fmt.Sprintf("%d\n", os.Getpid()), 0, false},
		{"empty, fresh", "", 0, false},
		{"empty, a minute old", "", time.Minute, true},
	} {
		os.WriteFile(name, []byte(tc.content), 0o644)
		past := time.Now().Add(-tc.age)
		os.Chtimes(name, past, past)
		unlock, err := r.Lock()
		if tc.taken != (err == nil) {
			t.Errorf("%s: err = %v, want taken %v", tc.name, err, tc.taken)
		}
		if err == nil {
			unlock()
		}
		os.Remove(name)
	}
}

// A file git tracks is no leftover of a write, whatever its name: a commit
// may hold one named like a temporary file, and recovery (before every
// write, and doctor) must not remove it. An untracked one beside it is.
func TestRecoverKeepsTrackedTempNames(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{
		"records/a.yaml":                   "status: draft\n",
		"records/.a.yaml.tmp-1":            "tracked\n",
		"attachments/A-1/.notes.txt.tmp-7": "tracked\n",
	})
	writeFiles(t, dir, map[string]string{"records/sub/.a.yaml.tmp-2": "left by a kill\n"})
	r := open(t, dir)
	// records/sub is walked from records too: found once
	fs, err := r.Recover([]string{"records", "attachments", "records/sub"}, true)
	if err != nil || len(fs) != 1 || fs[0].Path != "records/sub/.a.yaml.tmp-2" || !fs[0].Repaired {
		t.Fatalf("Recover: %v %+v", err, fs)
	}
	if st := gitCmd(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("git status after recovery:\n%s", st)
	}
}

// A process killed while it broke a gone owner's lock leaves the lock and
// its .break file: the next command takes the lock at once, not after a
// minute of "another opsbook is working" naming a process that is gone. A
// .break whose maker runs, or an empty one just made, still means another
// process is breaking the lock.
func TestLockBreakLeftByAKill(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	r := open(t, dir)
	name := filepath.Join(dir, ".git", LockFile)
	br := name + ".break"
	exited := func() Owner {
		cmd := exec.Command("true")
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		o := self()
		o.PID = cmd.Process.Pid
		return o
	}
	breaker := func(o Owner) string {
		data, _ := json.Marshal(o)
		return string(data)
	}
	for _, tc := range []struct {
		name, brk string
		taken     bool
	}{
		{"breaker gone", breaker(exited()), true},
		{"breaker running", breaker(self()), false},
		{"empty, just made", "", false},
	} {
		writeLock(t, dir, exited())
		if err := os.WriteFile(br, []byte(tc.brk), 0o644); err != nil {
			t.Fatal(err)
		}
		unlock, err := r.LockWait(context.Background(), 0, nil)
		if tc.taken != (err == nil) {
			t.Errorf("%s: err = %v, want taken %v", tc.name, err, tc.taken)
		}
		if err == nil {
			unlock()
			if _, err := os.Stat(br); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: %s left: %v", tc.name, br, err)
			}
		}
		os.Remove(br)
		os.Remove(name)
	}
}
