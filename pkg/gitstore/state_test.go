package gitstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenErrors(t *testing.T) {
	isolate(t)
	plain := t.TempDir()
	_, err := Open(plain)
	if !errors.Is(err, ErrNotRepository) || !strings.Contains(err.Error(), "git init") || !strings.Contains(err.Error(), "opsbook init") {
		t.Errorf("Open(no repository) = %v", err)
	}
	dir := newRepo(t, map[string]string{"sub/a.txt": "a\n"})
	_, err = Open(filepath.Join(dir, "sub"))
	if !errors.Is(err, ErrNotRepository) || !strings.Contains(err.Error(), "inside the git repository at "+dir) {
		t.Errorf("Open(subdirectory) = %v", err)
	}
	_, err = Open(filepath.Join(plain, "missing"))
	if err == nil {
		t.Errorf("Open(missing directory) succeeded")
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Root() != dir || r.GitDir() != filepath.Join(dir, ".git") {
		t.Errorf("Root, GitDir = %s, %s", r.Root(), r.GitDir())
	}
}

func TestCheckStateRefusals(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	req := CommitRequest{Paths: []string{"a.txt"}, Message: "m", Author: alice}

	t.Run("detached HEAD", func(t *testing.T) {
		dir := newRepo(t, map[string]string{"a.txt": "a\n"})
		gitCmd(t, dir, "checkout", "-q", "--detach")
		writeFiles(t, dir, map[string]string{"a.txt": "b\n"})
		r := open(t, dir)
		for name, err := range map[string]error{"CheckState": r.CheckState(), "Commit": func() error { _, err := r.Commit(ctx, req); return err }()} {
			if !errors.Is(err, ErrState) || !strings.Contains(err.Error(), "HEAD is detached") || !strings.Contains(err.Error(), "git switch") {
				t.Errorf("%s = %v", name, err)
			}
		}
	})

	t.Run("merge in progress", func(t *testing.T) {
		dir := newRepo(t, map[string]string{"a.txt": "a\n", "b.txt": "b\n"})
		gitCmd(t, dir, "switch", "-q", "-c", "side")
		writeFiles(t, dir, map[string]string{"b.txt": "b side\n"})
		gitCmd(t, dir, "commit", "-q", "-am", "side")
		gitCmd(t, dir, "switch", "-q", "main")
		writeFiles(t, dir, map[string]string{"a.txt": "a main\n"})
		gitCmd(t, dir, "commit", "-q", "-am", "main")
		gitCmd(t, dir, "merge", "-q", "--no-ff", "--no-commit", "side")
		if !exists(filepath.Join(dir, ".git", "MERGE_HEAD")) {
			t.Fatal("no MERGE_HEAD")
		}
		writeFiles(t, dir, map[string]string{"a.txt": "mine\n"})
		r := open(t, dir)
		for name, err := range map[string]error{"CheckState": r.CheckState(), "Commit": func() error { _, err := r.Commit(ctx, req); return err }()} {
			if !errors.Is(err, ErrState) || !strings.Contains(err.Error(), "merge is in progress") || !strings.Contains(err.Error(), "git merge --abort") {
				t.Errorf("%s = %v", name, err)
			}
		}
	})

	t.Run("unmerged paths", func(t *testing.T) {
		dir := newRepo(t, map[string]string{"a.txt": "a\n"})
		gitCmd(t, dir, "switch", "-q", "-c", "side")
		writeFiles(t, dir, map[string]string{"a.txt": "side\n"})
		gitCmd(t, dir, "commit", "-q", "-am", "side")
		gitCmd(t, dir, "switch", "-q", "main")
		writeFiles(t, dir, map[string]string{"a.txt": "main\n"})
		gitCmd(t, dir, "commit", "-q", "-am", "main")
		if _, err := gitRun(dir, nil, "merge", "-q", "side"); err == nil {
			t.Fatal("merge did not conflict")
		}
		os.Remove(filepath.Join(dir, ".git", "MERGE_HEAD")) // conflicts remain, as after a failed stash pop
		r := open(t, dir)
		for name, err := range map[string]error{"CheckState": r.CheckState(), "Commit": func() error { _, err := r.Commit(ctx, req); return err }()} {
			if !errors.Is(err, ErrState) || !strings.Contains(err.Error(), "a.txt has unresolved conflicts") {
				t.Errorf("%s = %v", name, err)
			}
		}
		if d, err := r.Dirty([]string{"a.txt"}); err != nil || len(d) != 1 {
			t.Errorf("Dirty(unmerged) = %v, %v", d, err)
		}
	})

	for _, m := range []struct {
		file, dir  bool
		name, want string
	}{
		{name: "rebase-merge", dir: true, want: "rebase is in progress"},
		{name: "rebase-apply", dir: true, want: "rebase is in progress"},
		{name: "CHERRY_PICK_HEAD", file: true, want: "cherry-pick is in progress"},
		{name: "REVERT_HEAD", file: true, want: "revert is in progress"},
		{name: "BISECT_LOG", file: true, want: "bisect is in progress"},
		{name: "index.lock", file: true, want: "another git process"},
	} {
		t.Run(m.name, func(t *testing.T) {
			dir := newRepo(t, map[string]string{"a.txt": "a\n"})
			name := filepath.Join(dir, ".git", m.name)
			if m.dir {
				os.Mkdir(name, 0o755)
			} else {
				os.WriteFile(name, []byte("0000000000000000000000000000000000000000\n"), 0o644)
			}
			writeFiles(t, dir, map[string]string{"a.txt": "b\n"})
			r := open(t, dir)
			for name, err := range map[string]error{"CheckState": r.CheckState(), "Commit": func() error { _, err := r.Commit(ctx, req); return err }()} {
				if !errors.Is(err, ErrState) || !strings.Contains(err.Error(), m.want) {
					t.Errorf("%s = %v, want %q", name, err, m.want)
				}
			}
			if m.name == "index.lock" && !exists(name) {
				t.Errorf("Commit removed someone else's index.lock")
			}
		})
	}

	t.Run("rebase with git", func(t *testing.T) {
		dir := newRepo(t, map[string]string{"a.txt": "a\n"})
		gitCmd(t, dir, "switch", "-q", "-c", "side")
		writeFiles(t, dir, map[string]string{"a.txt": "side\n"})
		gitCmd(t, dir, "commit", "-q", "-am", "side")
		gitCmd(t, dir, "switch", "-q", "main")
		writeFiles(t, dir, map[string]string{"a.txt": "main\n"})
		gitCmd(t, dir, "commit", "-q", "-am", "main")
		if _, err := gitRun(dir, nil, "rebase", "side"); err == nil {
			t.Fatal("rebase did not stop")
		}
		err := open(t, dir).CheckState()
		if !errors.Is(err, ErrState) || !strings.Contains(err.Error(), "rebase") {
			t.Errorf("CheckState = %v", err)
		}
	})

	t.Run("read-only .git", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("permissions do not bind root")
		}
		dir := newRepo(t, map[string]string{"a.txt": "a\n"})
		gitDir := filepath.Join(dir, ".git")
		os.Chmod(gitDir, 0o555)
		t.Cleanup(func() { os.Chmod(gitDir, 0o755) })
		err := open(t, dir).CheckState()
		if !errors.Is(err, ErrState) || !strings.Contains(err.Error(), "cannot write") {
			t.Errorf("CheckState = %v", err)
		}
	})

	t.Run("unwritable git directory", func(t *testing.T) {
		// What root cannot be denied by permissions: a git directory that
		// cannot take a file.
		dir := newRepo(t, map[string]string{"a.txt": "a\n"})
		r := open(t, dir)
		r.gitDir = filepath.Join(dir, "a.txt")
		if err := r.checkWritable(); !errors.Is(err, ErrState) || !strings.Contains(err.Error(), "cannot write") {
			t.Errorf("checkWritable = %v", err)
		}
	})
}

func TestLock(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	r := open(t, dir)
	unlock, err := r.Lock()
	if err != nil {
		t.Fatal(err)
	}
	lockFile := filepath.Join(dir, ".git", "opsbook.lock")
	if data, err := os.ReadFile(lockFile); err != nil || strings.TrimSpace(string(data)) == "" {
		t.Errorf("lock file: %q, %v", data, err)
	}

	_, err = open(t, dir).Lock()
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("second Lock: err = %v, want ErrBusy", err)
	}
	var be *BusyError
	if !errors.As(err, &be) || be.PID != os.Getpid() || be.Path != lockFile {
		t.Errorf("BusyError = %+v", be)
	}
	for _, want := range []string{"another opsbook is working in this repository", lockFile, "if no opsbook is running, remove it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}

	unlock()
	unlock()
	if exists(lockFile) {
		t.Errorf("unlock left %s", lockFile)
	}
	unlock2, err := r.Lock()
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	unlock2()
}

// A git process that holds index.lock or the branch's lock for a moment (a
// plain `git commit` racing opsbook) delays a commit, up to the wait given
// to LockWait, instead of failing it; when the wait passes, the commit is
// refused as before and leaves the lock alone.
func TestCommitWaitsForGitLocks(t *testing.T) {
	ctx := context.Background()
	for _, lockName := range []string{"index.lock", "refs/heads/main.lock"} {
		t.Run(lockName, func(t *testing.T) {
			dir := newRepo(t, map[string]string{"a.txt": "a\n"})
			writeFiles(t, dir, map[string]string{"a.txt": "b\n"})
			r := open(t, dir)
			unlock, err := r.LockWait(ctx, 5*time.Second, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer unlock()
			theirs := filepath.Join(dir, ".git", filepath.FromSlash(lockName))
			if err := os.WriteFile(theirs, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			released := make(chan struct{})
			go func() {
				time.Sleep(300 * time.Millisecond)
				os.Remove(theirs)
				close(released)
			}()
			r.WaitGitLock(ctx)
			if _, err := r.Commit(ctx, CommitRequest{Paths: []string{"a.txt"}, Message: "change a", Author: alice}); err != nil {
				t.Fatalf("Commit while git held %s for a moment: %v", lockName, err)
			}
			<-released
			if got := gitCmd(t, dir, "show", "HEAD:a.txt"); got != "b\n" {
				t.Errorf("HEAD:a.txt = %q, want the change", got)
			}
		})
	}
	t.Run("held past the wait", func(t *testing.T) {
		dir := newRepo(t, map[string]string{"a.txt": "a\n"})
		writeFiles(t, dir, map[string]string{"a.txt": "b\n"})
		r := open(t, dir)
		unlock, err := r.LockWait(ctx, 200*time.Millisecond, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		theirs := filepath.Join(dir, ".git", "index.lock")
		os.WriteFile(theirs, nil, 0o644)
		start := time.Now()
		_, err = r.Commit(ctx, CommitRequest{Paths: []string{"a.txt"}, Message: "change a", Author: alice})
		if !errors.Is(err, ErrState) || !strings.Contains(err.Error(), "another git process") {
			t.Errorf("Commit = %v, want the index.lock refusal", err)
		}
		if d := time.Since(start); d < 150*time.Millisecond {
			t.Errorf("Commit gave up after %v, before the wait", d)
		}
		if !exists(theirs) {
			t.Errorf("Commit removed someone else's index.lock")
		}
	})
}
