//go:build linux

package monitor

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/opsbook/opsbook/pkg/internal/heap"
)

// start runs a monitor of a new department (its records folder holding
// records/expenses/2026/a.yaml) and returns its root and cache folder; the
// monitor is stopped when the test ends.
func start(t *testing.T) (root, dir string) {
	t.Helper()
	root = t.TempDir()
	dir = filepath.Join(root, ".git", "opsbook")
	write(t, root, "records/expenses/2026/a.yaml", "id: a\n")
	return root, run(t, root, dir)
}

// run starts a monitor of root with its files in dir and waits until it
// answers.
func run(t *testing.T, root, dir string) string {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- Run(root, "records", dir, t.Logf) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := StatusOf(dir); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the monitor stopped at once: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the monitor did not answer")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Cleanup(func() {
		_ = Stop(dir)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("the monitor did not stop")
		}
	})
	return dir
}

func write(t *testing.T, root, rel, text string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ask asks since token and fails the test on an error.
func ask(t *testing.T, dir, token string) Answer {
	t.Helper()
	a, err := Ask(dir, rootOf(dir), "records", token)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// rootOf is the department whose cache folder is dir (root/.git/opsbook).
func rootOf(dir string) string { return filepath.Dir(filepath.Dir(dir)) }

// fresh returns a token the monitor has no change after.
func fresh(t *testing.T, dir string) string {
	t.Helper()
	return ask(t, dir, "").Token
}

func TestAskNamesTheFilesChanged(t *testing.T) {
	root, dir := start(t)
	if a := ask(t, dir, ""); !a.Reset {
		t.Fatalf("no token: want a reset, got %+v", a)
	}
	t0 := fresh(t, dir)
	if a := ask(t, dir, t0); a.Reset || len(a.Files)+len(a.Dirs) != 0 || a.Token != t0 {
		t.Fatalf("nothing changed: got %+v", a)
	}

	// bytes written in place: the file, and no folder
	write(t, root, "records/expenses/2026/a.yaml", "id: a\ntitle: x\n")
	a := ask(t, dir, t0)
	if a.Reset || !slices.Equal(a.Files, []string{"records/expenses/2026/a.yaml"}) || len(a.Dirs) != 0 {
		t.Fatalf("a file written: got %+v", a)
	}

	// a file made: the file and its folder
	t1 := a.Token
	write(t, root, "records/expenses/2026/b.yaml", "id: b\n")
	a = ask(t, dir, t1)
	if a.Reset || !slices.Equal(a.Files, []string{"records/expenses/2026/b.yaml"}) || !slices.Equal(a.Dirs, []string{"records/expenses/2026"}) {
		t.Fatalf("a file made: got %+v", a)
	}
	// asked from the older token, both changes
	if a := ask(t, dir, t0); !slices.Equal(a.Files, []string{"records/expenses/2026/a.yaml", "records/expenses/2026/b.yaml"}) {
		t.Fatalf("since the first token: got %+v", a)
	}

	// renamed, removed, attributes changed
	for _, step := range []struct {
		what string
		do   func() error
		want []string
	}{
		{"renamed", func() error {
			return os.Rename(filepath.Join(root, "records/expenses/2026/b.yaml"), filepath.Join(root, "records/expenses/2026/c.yaml"))
		}, []string{"records/expenses/2026/b.yaml", "records/expenses/2026/c.yaml"}},
		{"removed", func() error { return os.Remove(filepath.Join(root, "records/expenses/2026/c.yaml")) }, []string{"records/expenses/2026/c.yaml"}},
		{"chmod", func() error { return os.Chmod(filepath.Join(root, "records/expenses/2026/a.yaml"), 0o600) }, []string{"records/expenses/2026/a.yaml"}},
		{"times set back", func() error {
			old := time.Now().Add(-48 * time.Hour)
			return os.Chtimes(filepath.Join(root, "records/expenses/2026/a.yaml"), old, old)
		}, []string{"records/expenses/2026/a.yaml"}},
	} {
		tk := fresh(t, dir)
		if err := step.do(); err != nil {
			t.Fatal(err)
		}
		if a := ask(t, dir, tk); a.Reset || !slices.Equal(a.Files, step.want) {
			t.Errorf("%s: got %+v, want files %v", step.what, a, step.want)
		}
	}
}

func TestFolderChangesReset(t *testing.T) {
	root, dir := start(t)
	for _, step := range []struct {
		what string
		do   func() error
	}{
		{"a folder made", func() error { return os.Mkdir(filepath.Join(root, "records/expenses/2027"), 0o755) }},
		{"a folder removed", func() error { return os.Remove(filepath.Join(root, "records/expenses/2027")) }},
		{"a folder's mode changed", func() error { return os.Chmod(filepath.Join(root, "records/expenses/2026"), 0o700) }},
		{"a folder renamed", func() error {
			return os.Rename(filepath.Join(root, "records/expenses/2026"), filepath.Join(root, "records/expenses/2025"))
		}},
		{"the records folder replaced", func() error {
			if err := os.Rename(filepath.Join(root, "records"), filepath.Join(root, "old")); err != nil {
				return err
			}
			return os.MkdirAll(filepath.Join(root, "records/expenses/2026"), 0o755)
		}},
	} {
		tk := fresh(t, dir)
		if err := step.do(); err != nil {
			t.Fatal(err)
		}
		a := ask(t, dir, tk)
		if !a.Reset {
			t.Errorf("%s: want a reset, got %+v", step.what, a)
		}
		// and the monitor watches the folders as they are now
		tk = a.Token
		write(t, root, "records/z.yaml", "id: z\n")
		if a := ask(t, dir, tk); a.Reset || !slices.Contains(a.Files, "records/z.yaml") {
			t.Errorf("%s, then a file made: got %+v", step.what, a)
		}
		os.Remove(filepath.Join(root, "records/z.yaml"))
	}
}

// TestStopReleasesTheLock: once Stop returns, the monitor's lock is free:
// `monitor stop` then `monitor start` at once finds none running (the
// lock is released after the socket is removed).
func TestStopReleasesTheLock(t *testing.T) {
	defer func(f func()) { beforeUnlock = f }(beforeUnlock)
	beforeUnlock = func() { time.Sleep(100 * time.Millisecond) } // a busy machine
	root := t.TempDir()
	write(t, root, "records/expenses/2026/a.yaml", "id: a\n")
	dir := filepath.Join(root, ".git", "opsbook")
	for i := 0; i < 3; i++ {
		done := make(chan error, 1)
		go func() { done <- Run(root, "records", dir, t.Logf) }()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if _, err := StatusOf(dir); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the monitor did not answer")
			}
		}
		if err := Stop(dir); err != nil {
			t.Fatal(err)
		}
		if Held(dir) {
			t.Fatalf("round %d: the lock is still held once Stop returned", i)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestTokensOfAnotherMonitorReset(t *testing.T) {
	root := t.TempDir()
	write(t, root, "records/expenses/2026/a.yaml", "id: a\n")
	dir := filepath.Join(root, ".git", "opsbook")
	run(t, root, dir)
	tk := fresh(t, dir)
	if err := Stop(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := Ask(dir, rootOf(dir), "records", tk); err == nil {
		t.Fatal("a stopped monitor answered")
	}
	// changed while no monitor ran: the next monitor cannot know
	write(t, root, "records/expenses/2026/a.yaml", "id: a\ntitle: x\n")
	run(t, root, dir)
	for _, token := range []string{tk, "garbage", strings.Split(tk, ".")[0] + ".999999999"} {
		if a := ask(t, dir, token); !a.Reset {
			t.Errorf("token %q: want a reset, got %+v", token, a)
		}
	}
}

func TestOldEventsForgotten(t *testing.T) {
	defer func(n int) { keepEvents = n }(keepEvents)
	keepEvents = 8
	root, dir := start(t)
	t0 := fresh(t, dir)
	for i := 0; i < 20; i++ {
		write(t, root, "records/expenses/2026/a.yaml", strings.Repeat("x", i))
	}
	if a := ask(t, dir, t0); !a.Reset {
		t.Fatalf("more events than kept: want a reset, got %+v", a)
	}
	t1 := fresh(t, dir)
	write(t, root, "records/expenses/2026/a.yaml", "id: a\n")
	if a := ask(t, dir, t1); a.Reset || len(a.Files) != 1 {
		t.Fatalf("since a recent token: got %+v", a)
	}
}

func TestManyFilesReset(t *testing.T) {
	defer func(n int) { maxPaths = n }(maxPaths)
	maxPaths = 3
	root, dir := start(t)
	t0 := fresh(t, dir)
	for _, n := range []string{"b", "c", "d", "e"} {
		write(t, root, "records/expenses/2026/"+n+".yaml", "id: "+n+"\n")
	}
	if a := ask(t, dir, t0); !a.Reset {
		t.Fatalf("more files than an answer lists: want a reset, got %+v", a)
	}
}

func TestOneMonitorADepartment(t *testing.T) {
	root, dir := start(t)
	if err := Run(root, "records", dir, t.Logf); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("a second monitor: got %v", err)
	}
	if _, err := StatusOf(dir); err != nil {
		t.Fatalf("the first monitor no longer answers: %v", err)
	}
}

func TestAnotherRecordsFolderRefused(t *testing.T) {
	_, dir := start(t)
	if _, err := Ask(dir, rootOf(dir), "other", ""); err == nil {
		t.Fatal("a monitor of records answered for other")
	}
}

func TestStopsWhenItsSocketIsGone(t *testing.T) {
	root := t.TempDir()
	write(t, root, "records/expenses/2026/a.yaml", "id: a\n")
	dir := filepath.Join(root, ".git", "opsbook")
	done := make(chan error, 1)
	go func() { done <- Run(root, "records", dir, t.Logf) }()
	for i := 0; ; i++ {
		if _, err := StatusOf(dir); err == nil {
			break
		}
		if i > 500 {
			t.Fatal("the monitor did not answer")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := os.Remove(filepath.Join(dir, SocketName)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the monitor ran on without its socket")
	}
}

func TestDeadSocketTakenOver(t *testing.T) {
	root := t.TempDir()
	write(t, root, "records/expenses/2026/a.yaml", "id: a\n")
	dir := filepath.Join(root, ".git", "opsbook")
	// a monitor killed with -9 leaves its socket (and no lock held)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, SocketName), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Ask(dir, rootOf(dir), "records", ""); err == nil {
		t.Fatal("a dead socket answered")
	}
	run(t, root, dir)
	if a := ask(t, dir, ""); !a.Reset || a.Token == "" {
		t.Fatalf("got %+v", a)
	}
}

func TestAnotherRootRefused(t *testing.T) {
	root, dir := start(t)
	// another folder sharing the git directory (a worktree's folder
	// copied with its .git file): the monitor cannot vouch for its files
	other := t.TempDir()
	write(t, other, "records/expenses/2026/a.yaml", "id: a\n")
	if a, err := Ask(dir, other, "records", fresh(t, dir)); err == nil {
		t.Fatalf("a monitor of %s answered for %s: %+v", root, other, a)
	}
	if _, err := Ask(dir, "", "records", ""); err == nil {
		t.Fatal("a question naming no department was answered")
	}
}

func TestMovedDepartmentRefused(t *testing.T) {
	root, dir := start(t)
	tk := fresh(t, dir)
	// the whole department moved while the monitor runs: its socket moves
	// with the git directory and still answers, for a few seconds, but
	// its paths name a folder that is gone
	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(root, moved); err != nil {
		t.Fatal(err)
	}
	defer os.Rename(moved, root) // for the monitor's stop at the end
	mdir := filepath.Join(moved, ".git", "opsbook")
	for i := 0; i < 3; i++ {
		a, err := Ask(mdir, moved, "records", tk)
		if err == nil {
			t.Fatalf("question %d after the move: answered %+v", i, a)
		}
		tk = a.Token
		write(t, moved, "records/expenses/2026/a.yaml", fmt.Sprintf("id: a\nn: %d\n", i))
	}
}

func TestFolderNotWatchedResets(t *testing.T) {
	// the kernel refuses to watch a folder (its limit of watches is
	// reached): the monitor must not vouch for the files it cannot see
	var refuse atomic.Bool
	refuse.Store(true)
	t.Cleanup(func() { addWatch = unix.InotifyAddWatch })
	addWatch = func(fd int, p string, mask uint32) (int, error) {
		if refuse.Load() && strings.HasSuffix(filepath.ToSlash(p), "records/expenses/2026") {
			return -1, unix.ENOSPC
		}
		return unix.InotifyAddWatch(fd, p, mask)
	}
	root, dir := start(t)
	tk := fresh(t, dir)
	tk = resetEachTime(t, root, dir, tk, 3, "records/expenses/2026 is not watched")
	// watched again at the next question once the kernel allows it
	refuse.Store(false)
	tk = ask(t, dir, tk).Token
	write(t, root, "records/expenses/2026/a.yaml", "id: a\nn: watched\n")
	if a := ask(t, dir, tk); a.Reset || !slices.Equal(a.Files, []string{"records/expenses/2026/a.yaml"}) {
		t.Fatalf("the folder watched again: got %+v", a)
	}
}

func TestDeepDepartment(t *testing.T) {
	// a department so deep that neither the socket's absolute path nor
	// its path from the working folder fits in a socket address
	root := filepath.Join(t.TempDir(), strings.Repeat("a", 60), strings.Repeat("b", 60), "dept")
	dir := filepath.Join(root, ".git", "opsbook")
	if sock := filepath.Join(dir, SocketName); len(sock) < 120 {
		t.Fatalf("not deep enough: %s", sock)
	}
	write(t, root, "records/expenses/2026/a.yaml", "id: a\n")
	run(t, root, dir)
	tk := fresh(t, dir)
	write(t, root, "records/expenses/2026/a.yaml", "id: a\ntitle: x\n")
	if a := ask(t, dir, tk); a.Reset || !slices.Equal(a.Files, []string{"records/expenses/2026/a.yaml"}) {
		t.Fatalf("got %+v", a)
	}
	if err := Stop(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(dir, SocketName)); err == nil {
		t.Fatal("the stopped monitor left its socket")
	}
}

// networkFS makes statfs say that the folders whose path ends in one of
// suffixes are on NFS, until the test ends.
func networkFS(t *testing.T, suffixes ...string) *atomic.Bool {
	var on atomic.Bool
	on.Store(true)
	t.Cleanup(func() { statfs = unix.Statfs })
	statfs = func(p string, st *unix.Statfs_t) error {
		if err := unix.Statfs(p, st); err != nil {
			return err
		}
		for _, s := range suffixes {
			if on.Load() && strings.HasSuffix(filepath.ToSlash(p), s) {
				st.Type = unix.NFS_SUPER_MAGIC
			}
		}
		return nil
	}
	return &on
}

func TestNetworkFileSystemRefused(t *testing.T) {
	networkFS(t, "/records")
	root := t.TempDir()
	write(t, root, "records/expenses/2026/a.yaml", "id: a\n")
	dir := filepath.Join(root, ".git", "opsbook")
	done := make(chan error, 1)
	go func() { done <- Run(root, "records", dir, t.Logf) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "network file system (NFS)") {
			t.Fatalf("a records folder on NFS: got %v", err)
		}
	case <-time.After(2 * time.Second):
		_ = Stop(dir)
		<-done
		t.Fatal("a monitor of a records folder on NFS started")
	}
}

func TestNetworkFolderResets(t *testing.T) {
	// a folder under the records folder is a mount of a network file
	// system: what other machines change there is never reported
	on := networkFS(t, "records/expenses/2026")
	root, dir := start(t)
	tk := fresh(t, dir)
	tk = resetEachTime(t, root, dir, tk, 2, "network file system")
	on.Store(false) // unmounted: the local folder is watched again
	tk = ask(t, dir, tk).Token
	write(t, root, "records/expenses/2026/a.yaml", "id: a\nn: local\n")
	if a := ask(t, dir, tk); a.Reset || len(a.Files) != 1 {
		t.Fatalf("a local folder again: got %+v", a)
	}
}

func TestFolderMountedOverResets(t *testing.T) {
	// a file system mounted over a watched folder makes no event: the
	// folder's path names another folder (made here by lstat's answer)
	var mounted atomic.Bool
	t.Cleanup(func() { lstat = unix.Lstat })
	lstat = func(p string, st *unix.Stat_t) error {
		err := unix.Lstat(p, st)
		if err == nil && mounted.Load() && strings.HasSuffix(filepath.ToSlash(p), "records/expenses/2026") {
			st.Ino++
		}
		return err
	}
	root, dir := start(t)
	tk := fresh(t, dir)
	write(t, root, "records/expenses/2026/a.yaml", "id: a\nn: 1\n")
	if a := ask(t, dir, tk); a.Reset || len(a.Files) != 1 {
		t.Fatalf("before the mount: got %+v", a)
	}
	mounted.Store(true)
	if a := ask(t, dir, tk); !a.Reset || !strings.Contains(a.Why, "records/expenses/2026 was replaced or mounted over") {
		t.Fatalf("mounted over: want a reset, got %+v", a)
	}
}

func TestHiddenFoldersNotWatched(t *testing.T) {
	// the commands never list a hidden folder: a file there is no record,
	// and the monitor must not name it (a command would add it)
	root := t.TempDir()
	write(t, root, "records/expenses/2026/a.yaml", "id: a\n")
	write(t, root, "records/expenses/.trash/a.yaml", "id: a\n")
	dir := run(t, root, filepath.Join(root, ".git", "opsbook"))
	tk := fresh(t, dir)
	write(t, root, "records/expenses/.trash/a.yaml", "id: a\ntitle: old\n")
	write(t, root, "records/expenses/.trash/b.yaml", "id: b\n")
	if a := ask(t, dir, tk); a.Reset || len(a.Files)+len(a.Dirs) != 0 {
		t.Fatalf("files of a hidden folder: got %+v", a)
	}
}

func TestRecordsFolderIsTheRoot(t *testing.T) {
	// records: "." (the policy allows it): paths as the commands list
	// them, with no "./", and .git is not watched
	root := t.TempDir()
	write(t, root, "expenses/2026/a.yaml", "id: a\n")
	write(t, root, "top.yaml", "id: t\n")
	dir := filepath.Join(root, ".git", "opsbook")
	done := make(chan error, 1)
	go func() { done <- Run(root, ".", dir, t.Logf) }()
	defer func() { _ = Stop(dir); <-done }()
	for i := 0; ; i++ {
		if _, err := StatusOf(dir); err == nil {
			break
		}
		if i > 500 {
			t.Fatal("the monitor did not answer")
		}
		time.Sleep(10 * time.Millisecond)
	}
	a, err := Ask(dir, root, ".", "")
	if err != nil {
		t.Fatal(err)
	}
	tk := a.Token
	write(t, root, "expenses/2026/a.yaml", "id: a\ntitle: x\n")
	write(t, root, "top.yaml", "id: t\ntitle: x\n")
	write(t, root, "new.yaml", "id: n\n")
	write(t, root, ".git/opsbook/index.tmp", "x")
	if a, err = Ask(dir, root, ".", tk); err != nil || a.Reset || !slices.Equal(a.Files, []string{"expenses/2026/a.yaml", "new.yaml", "top.yaml"}) || !slices.Equal(a.Dirs, []string{"."}) {
		t.Fatalf("got %+v, %v", a, err)
	}
}

// resetEachTime writes a file n times, asking after each write, and fails
// unless every answer is a reset saying why; it returns the last token.
func resetEachTime(t *testing.T, root, dir, tk string, n int, why string) string {
	t.Helper()
	for i := 0; i < n; i++ {
		write(t, root, "records/expenses/2026/a.yaml", fmt.Sprintf("id: a\nn: %d\n", i))
		a := ask(t, dir, tk)
		if !a.Reset || !strings.Contains(a.Why, why) {
			t.Fatalf("question %d: want a reset (%s), got %+v", i, why, a)
		}
		tk = a.Token
	}
	return tk
}

// The monitor runs on with a live heap of a few megabytes: a command's
// heap floor (package heap) would keep all its garbage up to the floor,
// as no collection would come before it. It is lifted when the monitor
// starts.
func TestMonitorLiftsTheHeapFloor(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	if !heap.Floor(1 << 40) {
		t.Fatal("the floor was not set")
	}
	t.Cleanup(heap.Lift)
	start(t)
	if heap.Holding() {
		t.Error("the heap floor still holds in a running monitor: no collection until its garbage reaches it")
	}
}

// TestRecordsFolderGoneWhileWatched: the records folder is removed
// between the monitor's look at it and its watch (rm -rf records; cp -r
// … records while a reset runs), and made again, the kernel giving it
// the freed inode number: the monitor, which watches no folder, must not
// vouch that nothing changed.
func TestRecordsFolderGoneWhileWatched(t *testing.T) {
	var gone atomic.Bool
	t.Cleanup(func() { addWatch = unix.InotifyAddWatch })
	addWatch = func(fd int, p string, mask uint32) (int, error) {
		if gone.Load() && strings.Contains(filepath.ToSlash(p), "/records") {
			return -1, unix.ENOENT // the tree removed after the stat
		}
		return unix.InotifyAddWatch(fd, p, mask)
	}
	root, dir := start(t)
	tk := fresh(t, dir)
	gone.Store(true)
	write(t, root, "records/projects/p.yaml", "id: p\n") // a folder made: a reset
	a := ask(t, dir, tk)
	if !a.Reset {
		t.Fatalf("a folder made: got %+v", a)
	}
	gone.Store(false)
	tk = a.Token
	for i := 0; i < 3; i++ {
		write(t, root, "records/expenses/2026/a.yaml", fmt.Sprintf("id: a\nn: %d\n", i))
		a = ask(t, dir, tk)
		if !a.Reset && !slices.Equal(a.Files, []string{"records/expenses/2026/a.yaml"}) {
			t.Fatalf("round %d: the records folder unwatched, a change not named: got %+v", i, a)
		}
		tk = a.Token
	}
}
