//go:build unix

package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// initAs runs opsbook init DIR as li.wei, in English.
func initAs(t *testing.T, dir string, extra ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), NoColor: true,
		Getenv: testEnv(map[string]string{"OPSBOOK_NOW": ""})}
	args := append([]string{"--lang", "en", "init", dir, "--name", "Li Wei", "--email", "li.wei@example.com"}, extra...)
	code := Run(context.Background(), args, io)
	return errb.String(), code
}

// departmentIsWhole checks that dir holds one department: one commit, the
// work tree clean.
func departmentIsWhole(t *testing.T, dir string) {
	t.Helper()
	log, err := exec.Command("git", "-C", dir, "rev-list", "--count", "HEAD").CombinedOutput()
	if err != nil || strings.TrimSpace(string(log)) != "1" {
		t.Errorf("%s: commits: %s %v", dir, log, err)
	}
	st, err := exec.Command("git", "-C", dir, "status", "--porcelain").CombinedOutput()
	if err != nil || len(st) > 0 {
		t.Errorf("%s: the work tree is not clean: %s %v", dir, st, err)
	}
}

// Two inits racing in one empty folder: one makes the department, the
// other waits for it and then says, exit 3, that another init has just
// made it; never "repository does not exist" (exit 2) or a lock file to
// remove. The department is whole: one commit, nothing left over.
func TestInitRace(t *testing.T) {
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("HOME", t.TempDir())
	for i := 0; i < 4; i++ {
		dir := filepath.Join(t.TempDir(), "dept")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]string, 2)
		codes := make([]int, 2)
		start := make(chan struct{})
		for j := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[j], codes[j] = initAs(t, dir)
			}()
		}
		close(start)
		wg.Wait()
		won, lost := 0, 1
		if codes[0] != 0 {
			won, lost = 1, 0
		}
		if codes[won] != 0 || codes[lost] != ExitRefused {
			t.Fatalf("race %d: exits %v:\n%s\n---\n%s", i, codes, errs[0], errs[1])
		}
		if !strings.Contains(errs[lost], "another opsbook init has just made the department in "+dir) {
			t.Errorf("race %d: the loser says:\n%s", i, errs[lost])
		}
		departmentIsWhole(t, dir)
	}
}

// An init that finds another holding the folder past --wait says so
// (exit 75) and leaves the folder as it was; one that gets the folder
// once the other is done finds its department and says it was just made.
func TestInitWaitsForAnotherInit(t *testing.T) {
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("HOME", t.TempDir())
	dir := t.TempDir()
	unlock, _, err := lockFolder(context.Background(), dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	errs, code := initAs(t, dir, "--wait", "0")
	if code != ExitBusy || !strings.Contains(errs, "another opsbook init is making a department in "+dir) {
		t.Errorf("exit %d:\n%s", code, errs)
	}
	if ents, _ := os.ReadDir(dir); len(ents) > 0 {
		t.Errorf("the folder was touched: %v", ents)
	}

	// the other init makes the department while this one waits
	done := make(chan struct{})
	go func() {
		defer close(done)
		errs, code = initAs(t, dir, "--wait", "10s")
	}()
	time.Sleep(200 * time.Millisecond)
	if err := os.WriteFile(filepath.Join(dir, ".opsbook.yaml"), []byte("currency: CNY\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	unlock()
	<-done
	if code != ExitRefused || !strings.Contains(errs, "another opsbook init has just made the department in "+dir) {
		t.Errorf("after waiting: exit %d:\n%s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		t.Error("the waiting init went on into the made department")
	}
}
