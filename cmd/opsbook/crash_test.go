package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A write is all or nothing: stopped at any step (SIGKILL at a named step of
// the commit, SIGKILL or SIGHUP at a random moment), the next opsbook command
// finds the repository as before the write or with the change committed:
// work tree, index and HEAD agree, git fsck is clean, and no lock or
// temporary file is left.

type write struct {
	who  string
	args []string
}

var writes = []write{
	{"li.wei@example.com", []string{"new", "expense", "--set", "title=crash", "--set", "category=office", "--set", "amount=120.00"}},
	{"wang.fang@example.com", []string{"approve", "EXP-2026-0023"}},
	{"he.jing@example.com", []string{"pay", "EXP-2026-0016"}},
	{"li.wei@example.com", []string{"set", "EXP-2026-0027", "note=crash"}},
	{"wang.fang@example.com", []string{"renumber", "PRJ-2026-0004", "PRJ-2026-0040"}}, // two files
}

// steps of gitstore.Commit (see its StepHook calls), in order.
var steps = []string{"objects", "locks", "journal", "file-1", "file-2", "index-written", "ref", "index", "done"}

// committedFrom is the first step at which the change must survive.
const committedFrom = "ref"

func TestCrashAtEveryStep(t *testing.T) {
	tmpl := sampleRepo(t)
	for _, w := range writes {
		for i, st := range steps {
			if st == "file-2" && w.args[0] != "renumber" {
				continue
			}
			// Every step for a move; for the others the steps on both
			// sides of the commit point (and between the files of a
			// two-file write).
			switch {
			case w.args[0] == "approve":
			case w.args[0] == "renumber" && (st == "journal" || st == "file-2"):
			case st == "file-1" || st == "ref":
			default:
				continue
			}
			t.Run(w.args[0]+"/"+st, func(t *testing.T) {
				t.Parallel()
				dir := copyRepo(t, tmpl)
				before := git(t, dir, "rev-parse", "HEAD")
				cmd := opsbook(dir, w.who, w.args...)
				cmd.Env = append(cmd.Env, "OPSBOOK_TEST_CRASH_AT="+st)
				out, err := cmd.CombinedOutput()
				if !killed(err) {
					t.Fatalf("not killed at %s: %v\n%s", st, err, out)
				}
				// The next command repairs and says so.
				next := opsbook(dir, "wang.fang@example.com", "doctor")
				out, err = next.CombinedOutput()
				if err != nil {
					t.Fatalf("doctor after a kill at %s: %v\n%s", st, err, out)
				}
				if st != "done" && !bytes.Contains(out, []byte("interrupted-change")) && !bytes.Contains(out, []byte("git-lock")) && st != "objects" {
					t.Errorf("doctor did not say what it repaired after a kill at %s:\n%s", st, out)
				}
				after := git(t, dir, "rev-parse", "HEAD")
				committed := after != before
				if want := i >= indexOf(steps, committedFrom); committed != want {
					t.Errorf("killed at %s: committed = %v, want %v", st, committed, want)
				}
				checkConsistent(t, dir)
			})
		}
	}
}

// TestHangUp: SIGHUP (a closed terminal) before the commit point puts the
// files back; after it, the write completes. Either way nothing is left to
// recover.
func TestHangUp(t *testing.T) {
	tmpl := sampleRepo(t)
	for _, st := range []string{"objects", "file-1", "index-written", "ref"} {
		t.Run(st, func(t *testing.T) {
			t.Parallel()
			dir := copyRepo(t, tmpl)
			before := git(t, dir, "rev-parse", "HEAD")
			cmd := opsbook(dir, "wang.fang@example.com", "approve", "EXP-2026-0023")
			cmd.Env = append(cmd.Env, "OPSBOOK_TEST_HUP_AT="+st)
			out, err := cmd.CombinedOutput()
			committed := git(t, dir, "rev-parse", "HEAD") != before
			if want := st == "ref"; committed != want || (err == nil) != want {
				t.Errorf("hang-up at %s: committed %v, err %v, want the commit %v\n%s", st, committed, err, want, out)
			}
			if !committed && !bytes.Contains(out, []byte("stopped by a signal")) {
				t.Errorf("hang-up at %s does not say it stopped:\n%s", st, out)
			}
			checkQuiet(t, dir, "after a hang-up at "+st)
			checkConsistent(t, dir)
		})
	}
}

// TestCrashNoCommit: a --no-commit write stopped half-way is undone.
func TestCrashNoCommit(t *testing.T) {
	tmpl := sampleRepo(t)
	for _, st := range []string{"journal", "file-1", "files"} {
		t.Run(st, func(t *testing.T) {
			t.Parallel()
			dir := copyRepo(t, tmpl)
			cmd := opsbook(dir, "wang.fang@example.com", "renumber", "PRJ-2026-0004", "PRJ-2026-0040", "--no-commit")
			cmd.Env = append(cmd.Env, "OPSBOOK_TEST_CRASH_AT="+st)
			if out, err := cmd.CombinedOutput(); !killed(err) {
				t.Fatalf("not killed: %v\n%s", err, out)
			}
			out, err := opsbook(dir, "li.wei@example.com", "set", "EXP-2026-0027", "note=next").CombinedOutput()
			if err != nil || !bytes.Contains(out, []byte("was not committed: undone")) {
				t.Fatalf("the next write: %v\n%s", err, out)
			}
			checkConsistent(t, dir)
		})
	}
}

// manyWrite approves three claims in one commit: a kill at any step leaves
// all three approved or all three submitted.
var manyWrite = write{"wang.fang@example.com", []string{"approve", "EXP-2026-0023", "EXP-2026-0025", "EXP-2026-0033"}}

// manySteps are the steps of a three-file commit.
var manySteps = []string{"objects", "locks", "journal", "file-1", "file-2", "file-3", "index-written", "ref", "index", "done"}

func TestCrashManyAtEveryStep(t *testing.T) {
	tmpl := sampleRepo(t)
	for i, st := range manySteps {
		t.Run(st, func(t *testing.T) {
			t.Parallel()
			dir := copyRepo(t, tmpl)
			before := git(t, dir, "rev-parse", "HEAD")
			cmd := opsbook(dir, manyWrite.who, manyWrite.args...)
			cmd.Env = append(cmd.Env, "OPSBOOK_TEST_CRASH_AT="+st)
			if out, err := cmd.CombinedOutput(); !killed(err) {
				t.Fatalf("not killed at %s: %v\n%s", st, err, out)
			}
			if out, err := opsbook(dir, "wang.fang@example.com", "doctor").CombinedOutput(); err != nil {
				t.Fatalf("doctor after a kill at %s: %v\n%s", st, err, out)
			}
			committed := git(t, dir, "rev-parse", "HEAD") != before
			if want := i >= indexOf(manySteps, committedFrom); committed != want {
				t.Errorf("killed at %s: committed = %v, want %v", st, committed, want)
			}
			want := "submitted"
			if committed {
				want = "approved"
				if n := git(t, dir, "rev-list", "--count", before+"..HEAD"); n != "1" {
					t.Errorf("killed at %s: %s commits, want one", st, n)
				}
			}
			if got := manyStates(t, dir); got != want {
				t.Errorf("killed at %s: the claims are %s, want all %s", st, got, want)
			}
			checkConsistent(t, dir)
		})
	}
}

// manyStates is the one state manyWrite's claims are all in, in HEAD and
// in the work tree, or a list of what differs.
func manyStates(t *testing.T, dir string) string {
	t.Helper()
	seen := map[string]bool{}
	var all []string
	for _, id := range manyWrite.args[1:] {
		p := "records/expenses/2026/" + id + ".yaml"
		data, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		for where, text := range map[string]string{"work tree": string(data), "HEAD": git(t, dir, "show", "HEAD:"+p)} {
			st := "?"
			for _, line := range strings.Split(text, "\n") {
				if v, ok := strings.CutPrefix(line, "status: "); ok {
					st = strings.TrimSpace(v)
				}
			}
			seen[st] = true
			all = append(all, id+" "+st+" in "+where)
		}
	}
	if len(seen) == 1 {
		for st := range seen {
			return st
		}
	}
	return strings.Join(all, "; ")
}

// TestKillLoop kills writes with SIGKILL (and SIGHUP) at random moments and
// checks after each that the next command leaves the repository consistent.
func TestKillLoop(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("signals")
	}
	tmpl := sampleRepo(t)
	rnd := rand.New(rand.NewSource(12))
	dir := copyRepo(t, tmpl)
	deadline := time.Now().Add(10 * time.Second)
	n, repaired := 0, 0
	// renumber once moved cannot repeat; the approval of three claims can
	// be killed until it has gone through, and is checked all or none, so
	// the single approval of one of its claims is left out (when it got
	// through before its kill, the three could never be all or none)
	var loop []write
	for _, w := range writes[:len(writes)-1] {
		if !slices.Contains(manyWrite.args[1:], w.args[len(w.args)-1]) || w.args[0] != "approve" {
			loop = append(loop, w)
		}
	}
	loop = append(loop, manyWrite)
	for ; n < 60 && time.Now().Before(deadline); n++ {
		w := loop[rnd.Intn(len(loop))]
		sig := syscall.SIGKILL
		if n%4 == 3 {
			sig = syscall.SIGHUP
		}
		cmd := opsbook(dir, w.who, w.args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rnd.Intn(250)) * time.Millisecond)
		cmd.Process.Signal(sig)
		cmd.Wait()
		if sig == syscall.SIGHUP {
			// A hang-up stops the write cleanly by itself: nothing to recover.
			checkQuiet(t, dir, fmt.Sprintf("after SIGHUP #%d (%v)", n, w.args))
		}
		// the next write recovers and works
		next := opsbook(dir, "li.wei@example.com", "set", "EXP-2026-0027", fmt.Sprintf("note=after kill %d", n))
		o, err := next.CombinedOutput()
		if bytes.Contains(o, []byte("opsbook: repaired")) {
			repaired++
		}
		if err != nil {
			t.Fatalf("kill #%d (%v after %s): the next write failed: %v\n%s\n(killed: %s)", n, w.args, sig, err, o, out.String())
		}
		checkConsistent(t, dir)
		if st := manyStates(t, dir); st != "submitted" && st != "approved" {
			t.Fatalf("kill #%d (%v after %s): the claims approved together are not all or none: %s", n, w.args, sig, st)
		}
	}
	t.Logf("%d writes stopped, %d times the next write repaired something", n, repaired)
}

func checkQuiet(t *testing.T, dir, when string) {
	t.Helper()
	for _, f := range []string{".git/opsbook.lock", ".git/opsbook/journal.json", ".git/index.lock", ".git/refs/heads/main.lock"} {
		if _, err := os.Lstat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s: %s left", when, f)
		}
	}
	if st := git(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("%s: git status:\n%s", when, st)
	}
}

// checkConsistent: HEAD, index and work tree agree; fsck clean; no lock,
// journal or temporary file.
func checkConsistent(t *testing.T, dir string) {
	t.Helper()
	checkQuiet(t, dir, "after recovery")
	if es, _ := os.ReadDir(filepath.Join(dir, ".git", "opsbook", "held")); len(es) > 0 {
		t.Errorf("lock holders left: %v", es)
	}
	if out, err := exec.Command("git", "-C", dir, "fsck", "--no-dangling").CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("git fsck: %v\n%s", err, out)
	}
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && strings.Contains(e.Name(), ".tmp-") && !strings.Contains(p, string(filepath.Separator)+".git"+string(filepath.Separator)) {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

func killed(err error) bool {
	ee, ok := err.(*exec.ExitError)
	if !ok {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

func opsbook(dir, email string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "OPSBOOK_TEST_MAIN=1", "GIT_AUTHOR_EMAIL="+email,
		"OPSBOOK_NOW=2026-11-26T15:00:00+08:00", "NO_COLOR=1", "HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "TZ=Asia/Shanghai",
		// the messages checked are English, whatever the runner's locale
		"LANG=en_US.UTF-8", "LC_ALL=", "LC_MESSAGES=")
	return cmd
}

// sampleRepo commits the shipped sample department in a new repository.
func sampleRepo(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	top := filepath.Join(filepath.Dir(file), "..", "..")
	dir := t.TempDir()
	for _, p := range []string{"records", "attachments", ".opsbook.yaml"} {
		if err := copyTree(filepath.Join(top, p), filepath.Join(dir, p)); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range [][]string{
		{"init", "-q", "-b", "main"},
		{"config", "user.name", "Wang Fang"},
		{"config", "user.email", "wang.fang@example.com"},
		{"config", "commit.gpgsign", "false"},
		{"add", "-A"},
		{"commit", "-q", "-m", "import the department's records"},
	} {
		git(t, dir, a...)
	}
	return dir
}

func copyRepo(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "repo")
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	return dst
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	// dated like the writes' OPSBOOK_NOW, which may not come before it
	cmd.Env = append(os.Environ(), "HOME="+dir, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_DATE=2026-11-26T14:00:00+08:00", "GIT_COMMITTER_DATE=2026-11-26T14:00:00+08:00")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// TestCrashAttach: a record and a new binary attachment, committed
// together, are both there or both absent after a kill.
func TestCrashAttach(t *testing.T) {
	tmpl := sampleRepo(t)
	scan := filepath.Join(t.TempDir(), "scan.bin")
	if err := os.WriteFile(scan, []byte{0x89, 'P', 'N', 'G', 0, 0xff, 0xfe, 0}, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"file-1", "file-2", "ref"} {
		t.Run(st, func(t *testing.T) {
			t.Parallel()
			dir := copyRepo(t, tmpl)
			cmd := opsbook(dir, "li.wei@example.com", "attach", "EXP-2026-0027", scan)
			cmd.Env = append(cmd.Env, "OPSBOOK_TEST_CRASH_AT="+st)
			if out, err := cmd.CombinedOutput(); !killed(err) {
				t.Fatalf("not killed: %v\n%s", err, out)
			}
			if out, err := opsbook(dir, "li.wei@example.com", "doctor").CombinedOutput(); err != nil {
				t.Fatalf("doctor: %v\n%s", err, out)
			}
			checkConsistent(t, dir)
			_, err := os.Stat(filepath.Join(dir, "attachments", "EXP-2026-0027", "scan.bin"))
			if want := st == "ref"; (err == nil) != want {
				t.Errorf("killed at %s: attachment present %v, want %v", st, err == nil, want)
			}
		})
	}
}

// TestCrashAttachEncrypted: a customer's file (the policy encrypts
// customers' attachments) killed at each step of its attach: the record
// and the .age file are both there or both absent, and the clear bytes
// are in no file of the work tree and no git object, whenever it stops.
func TestCrashAttachEncrypted(t *testing.T) {
	tmpl := sampleRepo(t)
	clear := []byte("%PDF contract clear-bytes-4711\x00\xff")
	scan := filepath.Join(t.TempDir(), "contract.pdf")
	if err := os.WriteFile(scan, clear, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"file-1", "file-2", "ref"} {
		t.Run(st, func(t *testing.T) {
			t.Parallel()
			dir := copyRepo(t, tmpl)
			cmd := opsbook(dir, "zhang.min@example.com", "attach", "CUS-0001", scan)
			cmd.Env = append(cmd.Env, "OPSBOOK_TEST_CRASH_AT="+st)
			if out, err := cmd.CombinedOutput(); !killed(err) {
				t.Fatalf("not killed: %v\n%s", err, out)
			}
			if out, err := opsbook(dir, "zhang.min@example.com", "doctor").CombinedOutput(); err != nil {
				t.Fatalf("doctor: %v\n%s", err, out)
			}
			checkConsistent(t, dir)
			_, err := os.Stat(filepath.Join(dir, "attachments", "CUS-0001", "contract.pdf.age"))
			if want := st == "ref"; (err == nil) != want {
				t.Errorf("killed at %s: attachment present %v, want %v", st, err == nil, want)
			}
			listed := strings.Contains(git(t, dir, "show", "HEAD:records/customers/CUS-0001.yaml"), "contract.pdf.age")
			if listed != (st == "ref") {
				t.Errorf("killed at %s: listed in HEAD %v", st, listed)
			}
			filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
				if err == nil && !e.IsDir() {
					if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("clear-bytes-4711")) {
						t.Errorf("clear bytes in %s", p)
					}
				}
				return nil
			})
			objs := exec.Command("git", "-C", dir, "cat-file", "--batch-all-objects", "--batch")
			out, err := objs.Output()
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(out, []byte("clear-bytes-4711")) {
				t.Error("clear bytes in a git object")
			}
		})
	}
}

// TestCrashEncryptAttachment: `opsbook encrypt` of a clear file (the
// record's entry, the new .age file and the clear file's removal in one
// commit) killed at each step: after recovery either all three happened or
// none, and the work tree agrees with HEAD.
func TestCrashEncryptAttachment(t *testing.T) {
	tmpl := sampleRepo(t)
	clear := []byte("letter in clear\n")
	rel := "attachments/CUS-0002/letter.txt"
	if err := os.MkdirAll(filepath.Join(tmpl, "attachments", "CUS-0002"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmpl, filepath.FromSlash(rel)), clear, 0o644); err != nil {
		t.Fatal(err)
	}
	recPath := filepath.Join(tmpl, "records", "customers", "CUS-0002.yaml")
	f, err := os.OpenFile(recPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "attachments:\n  - path: %s\n    sha256: \"%s\"\n", rel, sha256hex(clear))
	f.Close()
	git(t, tmpl, "add", "-A")
	git(t, tmpl, "commit", "-q", "-m", "customer CUS-0002: letter (pushed in clear)")
	for _, st := range []string{"objects", "journal", "file-1", "file-2", "file-3", "index-written", "ref", "index"} {
		t.Run(st, func(t *testing.T) {
			t.Parallel()
			dir := copyRepo(t, tmpl)
			cmd := opsbook(dir, "wang.fang@example.com", "encrypt", "CUS-0002")
			cmd.Env = append(cmd.Env, "OPSBOOK_TEST_CRASH_AT="+st)
			if out, err := cmd.CombinedOutput(); !killed(err) {
				t.Fatalf("not killed: %v\n%s", err, out)
			}
			if out, err := opsbook(dir, "wang.fang@example.com", "doctor").CombinedOutput(); err != nil {
				t.Fatalf("doctor: %v\n%s", err, out)
			}
			checkConsistent(t, dir)
			_, errClear := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
			_, errAge := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)+".age"))
			listedAge := strings.Contains(git(t, dir, "show", "HEAD:records/customers/CUS-0002.yaml"), "letter.txt.age")
			done := errClear != nil && errAge == nil && listedAge
			undone := errClear == nil && errAge != nil && !listedAge
			if !done && !undone {
				t.Errorf("killed at %s: clear present %v, .age present %v, listed .age %v", st, errClear == nil, errAge == nil, listedAge)
			}
		})
	}
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestCrashInit: `opsbook init` killed at any step of its first commit
// leaves a department that the next init makes (no file of the killed one
// left in the way) or finds made; either way the work tree is the commit's.
func TestCrashInit(t *testing.T) {
	for _, st := range []string{"objects", "locks", "journal", "file-1", "file-2", "file-10", "index-written", "ref", "index", "done"} {
		t.Run(st, func(t *testing.T) {
			t.Parallel()
			top := t.TempDir()
			dept := filepath.Join(top, "dept")
			args := []string{"init", "dept", "--name", "Wang Fang", "--email", "wang.fang@example.com"}
			cmd := opsbook(top, "wang.fang@example.com", args...)
			cmd.Env = append(cmd.Env, "OPSBOOK_TEST_CRASH_AT="+st)
			if out, err := cmd.CombinedOutput(); !killed(err) {
				t.Fatalf("not killed at %s: %v\n%s", st, err, out)
			}
			committed := exec.Command("git", "-C", dept, "rev-parse", "-q", "--verify", "HEAD").Run() == nil
			if want := indexOf(steps, st) >= indexOf(steps, committedFrom); committed != want {
				t.Errorf("killed at %s: committed = %v, want %v", st, committed, want)
			}
			out, err := opsbook(top, "wang.fang@example.com", args...).CombinedOutput()
			switch {
			case committed && (err == nil || !bytes.Contains(out, []byte("already has .opsbook.yaml"))):
				t.Errorf("init again after a kill at %s (committed): %v, want refused as made\n%s", st, err, out)
			case !committed && err != nil:
				t.Errorf("init again after a kill at %s: %v\n%s", st, err, out)
			}
			if n := git(t, dept, "rev-list", "--count", "HEAD"); n != "1" {
				t.Errorf("killed at %s: %s commits, want the one init makes", st, n)
			}
			checkConsistent(t, dept)
			out, err = opsbook(dept, "wang.fang@example.com", "validate").CombinedOutput()
			if err != nil {
				t.Errorf("validate after a kill at %s and init: %v\n%s", st, err, out)
			}
		})
	}
}

// TestCrashEditTempFolder: `opsbook edit` shows the record in clear (the
// encrypted fields its reader opens) in a file of $TMPDIR/opsbook-edit-N.
// Killed with kill -9 while the editor runs, it cannot remove it; doctor,
// or the next edit, does, since the folder names the process that is gone.
// A folder an edit kept on purpose (what was typed) names none and stays.
func TestCrashEditTempFolder(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the editor finds opsbook through /proc")
	}
	tmpl := sampleRepo(t)
	_, file, _, _ := runtime.Caller(0)
	keys := filepath.Join(filepath.Dir(file), "testdata", "keys")
	tmp := t.TempDir()
	// the editor kills opsbook: its parent, or the sh -c between them
	killer := filepath.Join(t.TempDir(), "killer.sh")
	script := `#!/bin/sh
p=$PPID
while [ "$(cat /proc/$p/comm)" = sh ] || [ "$(cat /proc/$p/comm)" = dash ] || [ "$(cat /proc/$p/comm)" = bash ]; do
  p=$(cut -d' ' -f4 /proc/$p/stat)
done
kill -9 $p
sleep 1
`
	if err := os.WriteFile(killer, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	kept := filepath.Join(tmp, "opsbook-edit-kept")
	if err := os.MkdirAll(kept, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(kept, "EXP-2026-0027.yaml"), []byte("typed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := copyRepo(t, tmpl)
	edit := func(who, id, editor string) *exec.Cmd {
		cmd := opsbook(dir, who+"@example.com", "edit", id)
		cmd.Env = append(cmd.Env, "TMPDIR="+tmp, "EDITOR="+editor, "VISUAL=", "OPSBOOK_IDENTITY="+filepath.Join(keys, who))
		return cmd
	}
	left := func() []string {
		t.Helper()
		var clear []string
		ms, _ := filepath.Glob(filepath.Join(tmp, "opsbook-edit-*", "*.yaml"))
		for _, m := range ms {
			if b, _ := os.ReadFile(m); bytes.Contains(b, []byte("purchasing@qinghe.example")) {
				clear = append(clear, m)
			}
		}
		return clear
	}
	for _, next := range []string{"doctor", "edit"} {
		if out, err := edit("wang.fang", "CUS-0001", killer).CombinedOutput(); !killed(err) {
			t.Fatalf("edit not killed: %v\n%s", err, out)
		}
		if len(left()) != 1 {
			t.Fatalf("the killed edit's file of the record in clear: %v", left())
		}
		var cmd *exec.Cmd
		if next == "doctor" {
			cmd = opsbook(dir, "wang.fang@example.com", "doctor")
			cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
		} else {
			cmd = edit("li.wei", "EXP-2026-0027", "true")
		}
		out, err := cmd.CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("opsbook-edit-")) || !bytes.Contains(out, []byte("leftover-temp")) {
			t.Errorf("%s after a killed edit: %v, does not say it removed the folder\n%s", next, err, out)
		}
		if l := left(); len(l) > 0 {
			t.Errorf("%s after a killed edit left the record in clear: %v", next, l)
		}
		checkConsistent(t, dir)
	}
	if _, err := os.Stat(filepath.Join(kept, "EXP-2026-0027.yaml")); err != nil {
		t.Errorf("a kept edit's file was removed: %v", err)
	}
}
