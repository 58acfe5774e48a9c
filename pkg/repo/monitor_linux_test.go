//go:build linux

package repo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/monitor"
	"github.com/opsbook/opsbook/pkg/record"
	"golang.org/x/sys/unix"
)

// startMonitor runs a file-system monitor of the department at dir until
// the test ends (none when one runs already).
func startMonitor(t testing.TB, dir string) {
	t.Helper()
	cd := cache.Dir(dir)
	if _, err := monitor.StatusOf(cd); err == nil {
		return
	}
	done := make(chan error, 1)
	go func() { done <- monitor.Run(dir, "records", cd, func(string, ...any) {}) }()
	for i := 0; ; i++ {
		if _, err := monitor.StatusOf(cd); err == nil {
			break
		}
		if i > 500 {
			t.Fatal("the monitor did not answer")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() {
		_ = monitor.Stop(cd)
		<-done
	})
}

// TestMonitorIndexBehindItsBack changes files in every way the monitor
// must see (bytes rewritten with the times set back, files made, removed,
// renamed over others, written through a hard link from outside, made
// unreadable, folders made and symbolic links put in) and compares the
// index refreshed with the monitor's word with a full read after each
// round. Most rounds must have used the monitor's word: else the test
// would only test the full listing. Each seed is another history (7 and
// 23 found a second name seen by a full listing with a hazard, which was
// not saved, lost).
func TestMonitorIndexBehindItsBack(t *testing.T) {
	for _, seed := range []uint64{5, 7, 23} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { behindItsBack(t, seed) })
	}
}

func behindItsBack(t *testing.T, seed uint64) {
	dir := department(t, 300)
	startMonitor(t, dir)
	outside := t.TempDir()
	if _, st := refreshed(t, dir); !strings.HasPrefix(st.Monitor, "reset") || !st.Saved {
		t.Fatalf("first refresh: %+v", st)
	}
	if _, st := refreshed(t, dir); st.Monitor != "used" || st.Files == 0 || st.Reused != st.Files {
		t.Fatalf("nothing changed: %+v", st)
	}
	rnd := rand.New(rand.NewPCG(seed, 23))
	files := listFiles(t, dir)
	used := 0
	var links []string // second names made in earlier rounds
	const rounds = 40
	for round := 0; round < rounds; round++ {
		var symlinks []string // removed after the round: else every later round is a reset
		for _, link := range links {
			if rnd.IntN(3) == 0 {
				info, err := os.Stat(link)
				if err != nil {
					continue
				}
				f, err := os.OpenFile(link, os.O_WRONLY|os.O_APPEND, 0)
				if err == nil {
					f.WriteString("note_y: linked\n")
					f.Close()
				}
				os.Chtimes(link, info.ModTime(), info.ModTime())
			}
		}
		made := len(links)
		for k := 0; k < 1+rnd.IntN(4); k++ {
			rel := files[rnd.IntN(len(files))]
			p := filepath.Join(dir, filepath.FromSlash(rel))
			data, err := os.ReadFile(p)
			if err != nil {
				continue // removed or made unreadable in an earlier round
			}
			info, _ := os.Stat(p)
			switch rnd.IntN(9) {
			case 0: // same size, times set back: a status rewritten in place
				s := strings.Replace(string(data), "status: approved", "status: rejected", 1)
				s = strings.Replace(s, "amount: 1", "amount: 9", 1)
				os.WriteFile(p, []byte(s), 0o644)
				os.Chtimes(p, info.ModTime(), info.ModTime())
			case 1: // given a second name outside the folder, written through it
				// in a later round (a link made since the last refresh is out
				// of the monitor's sight: the README says so)
				link := filepath.Join(outside, fmt.Sprintf("l%d-%d", round, k))
				if os.Link(p, link) == nil {
					links = append(links, link)
				}
			case 2: // removed
				os.Remove(p)
			case 3: // a new record: a copy under a new id
				year := 2026
				if rnd.IntN(4) == 0 {
					year = 2031 + round // a folder of its own
				}
				if nrel := copyAsNew(dir, rel, data, year, 9000+round*10+k); nrel != "" {
					files = append(files, nrel)
				}
			case 4: // another file of its folder renamed over it (atomic replace)
				other := files[rnd.IntN(len(files))]
				if other != rel && filepath.Dir(other) == filepath.Dir(rel) {
					os.Rename(filepath.Join(dir, filepath.FromSlash(other)), p)
				}
			case 5: // made unreadable, or readable again
				if info.Mode().Perm()&0o400 != 0 {
					os.Chmod(p, 0)
				}
			case 6: // broken
				os.WriteFile(p, []byte("kind: [\n"), 0o644)
			case 7: // written in place, then renamed away and back
				os.WriteFile(p+".tmp", append(data, "note_z: 1\n"...), 0o644)
				os.Rename(p+".tmp", p)
			case 8: // a symbolic link beside it (a file the index cannot hold)
				if rnd.IntN(3) == 0 {
					ln := p + ".link.yaml"
					os.Symlink(p, ln)
					symlinks = append(symlinks, ln)
					if rnd.IntN(2) == 0 {
						os.Remove(ln) // gone again before the refresh
					}
				}
			}
		}
		if len(links) > made {
			// the new links' files are seen with two names at the next
			// full listing
			every := FullListingEvery
			FullListingEvery = -time.Hour
			if _, st := refreshed(t, dir); !strings.HasPrefix(st.Monitor, "reset") {
				t.Fatalf("a full listing was due: %+v", st)
			}
			FullListingEvery = every
		}
		x, st := refreshed(t, dir)
		if st.Monitor == "used" {
			used++
		}
		sameIndex(t, fmt.Sprintf("round %d (%s)", round, st.Monitor), x, fullIndex(t, dir))
		for _, ln := range symlinks {
			os.Remove(ln)
		}
	}
	if used < rounds/2 {
		t.Errorf("the monitor's word was used in %d rounds of %d", used, rounds)
	}
}

// BenchmarkIndexMonitor refreshes the index with a monitor running (the
// generated department, or OPSBOOK_BENCH_DIR): of an unchanged department,
// where the stored index is used as it is, and after one file was
// rewritten, where that file alone is statted and read. Compare with
// BenchmarkIndexWarm, which takes every file's stat data.
func BenchmarkIndexMonitor(b *testing.B) {
	dir := benchDept(b)
	startMonitor(b, dir)
	pol, _, err := config.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	refresh := func(want string) {
		_, st, err := Index(context.Background(), dir, pol)
		if err != nil {
			b.Fatal(err)
		}
		if want != "" && st.Monitor != want {
			b.Fatalf("the monitor's word was not taken: %+v", st)
		}
	}
	refresh("")
	refresh("used")
	b.Run("unchanged", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			refresh("used")
		}
	})
	files := listFiles(b, dir)
	p := filepath.Join(dir, filepath.FromSlash(files[len(files)/2]))
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("one-file-changed", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			if err := os.WriteFile(p, data, 0o644); err != nil { // same bytes, new times
				b.Fatal(err)
			}
			b.StartTimer()
			refresh("used")
		}
	})
}

// TestMonitorIndexSharedWithAnotherFolder: a second folder whose .git
// file names the same git directory (a worktree's folder copied) shares
// the index and the monitor's socket. The monitor does not answer for it,
// and what it saves in the shared index must not carry the monitor's
// token: else the monitor's own department would take the other folder's
// entries on the monitor's word.
func TestMonitorIndexSharedWithAnotherFolder(t *testing.T) {
	dir := department(t, 300)
	startMonitor(t, dir)
	refreshed(t, dir)
	if _, st := refreshed(t, dir); st.Monitor != "used" {
		t.Fatalf("nothing changed: %+v", st)
	}
	other := t.TempDir()
	tops, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tops {
		if e.Name() == ".git" {
			continue
		}
		var err error
		if e.IsDir() {
			err = os.CopyFS(filepath.Join(other, e.Name()), os.DirFS(filepath.Join(dir, e.Name())))
		} else if data, rerr := os.ReadFile(filepath.Join(dir, e.Name())); rerr != nil {
			err = rerr
		} else {
			err = os.WriteFile(filepath.Join(other, e.Name()), data, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(other, ".git"), []byte("gitdir: "+filepath.Join(dir, ".git")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// the other folder's expenses differ from the department's
	var rel string
	for _, f := range listFiles(t, other) {
		if strings.Contains(f, "/expenses/") {
			rel = f
			break
		}
	}
	p := filepath.Join(other, filepath.FromSlash(rel))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(data, "note_other: 1\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	pol, _, err := config.Load(other)
	if err != nil {
		t.Fatal(err)
	}
	for _, kinds := range [][]record.Kind{{record.Expense}, nil} {
		_, st, err := IndexKinds(context.Background(), other, pol, kinds...)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(st.Monitor, "no answer") || !st.Saved {
			t.Fatalf("the other folder (kinds %v): %+v", kinds, st)
		}
		x, st := refreshed(t, dir)
		sameIndex(t, fmt.Sprintf("the department after the other folder's refresh of %v (%s)", kinds, st.Monitor), x, fullIndex(t, dir))
	}
}

// TestMonitorIndexListsAFolderOnlyForANewName: with the monitor's word, a
// folder whose names changed is listed again only when a name in it is
// there now and not held by the index (a record made, a record renamed);
// an atomic write (a temporary file renamed over a record), a record
// removed, or one rewritten by unlinking and writing it anew, as git
// does, take the stat data of the files named alone. A folder listed
// again takes the stat data of its new names alone. Each refresh must
// equal a full read.
func TestMonitorIndexListsAFolderOnlyForANewName(t *testing.T) {
	defer func(n int) { monitorSaveAtLeast = n }(monitorSaveAtLeast)
	monitorSaveAtLeast = 0 // saved with a new token each time: each step counts its own files
	dir := department(t, 300)
	startMonitor(t, dir)
	refreshed(t, dir)
	if _, st := refreshed(t, dir); st.Monitor != "used" {
		t.Fatalf("nothing changed: %+v", st)
	}
	files := listFiles(t, dir)
	var exps []string
	for _, f := range files {
		if strings.HasPrefix(f, "records/expenses/") {
			exps = append(exps, f)
		}
	}
	if len(exps) < 4 {
		t.Fatalf("%d claims", len(exps))
	}
	abs := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	read := func(rel string) []byte {
		data, err := os.ReadFile(abs(rel))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	steps := []struct {
		what              string
		do                func()
		statted, relisted int
		reset             bool
	}{
		{"an atomic write", func() {
			tmp := abs(filepath.Dir(exps[0]) + "/." + filepath.Base(exps[0]) + ".tmp-1")
			os.WriteFile(tmp, append(read(exps[0]), "note_w: atomic\n"...), 0o644)
			os.Rename(tmp, abs(exps[0]))
		}, 2, 0, false},
		{"a record removed", func() { os.Remove(abs(exps[1])) }, 1, 0, false},
		{"a record unlinked and written anew", func() {
			data := append(read(exps[2]), "note_g: checkout\n"...)
			os.Remove(abs(exps[2]))
			os.WriteFile(abs(exps[2]), data, 0o644)
		}, 1, 0, false},
		{"a record made", func() {
			if copyAsNew(dir, exps[3], read(exps[3]), 2026, 8801) == "" {
				t.Fatal("not copied")
			}
		}, 1, 1, false},
		{"a record renamed", func() {
			os.Rename(abs(exps[3]), abs(strings.Replace(exps[3], ".yaml", "-moved.yaml", 1)))
		}, 2, 1, false},
		{"a temporary file left", func() {
			os.WriteFile(abs(filepath.Dir(exps[0])+"/.left.tmp-9"), []byte("x"), 0o644)
		}, 1, 1, false},
		{"a name differing in case only", func() {
			base := filepath.Base(exps[0])
			twin := filepath.Dir(exps[0]) + "/" + strings.ToLower(strings.TrimSuffix(base, ".yaml")) + ".yaml"
			if err := os.WriteFile(abs(twin), read(exps[0]), 0o644); err != nil {
				t.Fatal(err)
			}
		}, 0, 0, true},
	}
	for _, s := range steps {
		s.do()
		x, st := refreshed(t, dir)
		switch {
		case s.reset && st.Monitor == "used":
			t.Fatalf("%s: the monitor's word was taken: %+v", s.what, st)
		case !s.reset && (st.Monitor != "used" || st.Statted != s.statted || st.Relisted != s.relisted):
			t.Fatalf("%s: %+v, want used, %d statted, %d folders listed again", s.what, st, s.statted, s.relisted)
		}
		if s.reset {
			if st.Hazards == 0 {
				t.Fatalf("%s: no hazard: %+v", s.what, st)
			}
			continue
		}
		sameIndex(t, s.what, x, fullIndex(t, dir))
	}
}

// TestIndexAsksForAMonitor: a refresh that finds no monitor running calls
// StartMonitor (the CLI starts one when git config asks for it), as does
// one that finds a dead monitor's socket; not one that finds a monitor
// answering, nor one that finds a monitor starting (its lock held).
func TestIndexAsksForAMonitor(t *testing.T) {
	dir := sampleCopy(t, 0)
	cd := cache.Dir(dir)
	pol, _, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	asked := 0
	defer func(was func(root, cacheDir string)) { StartMonitor = was }(StartMonitor)
	StartMonitor = func(root, cacheDir string) {
		if root != dir || cacheDir != cd {
			t.Errorf("asked for %s (%s)", root, cacheDir)
		}
		asked++
	}
	refresh := func(want int, why string) {
		t.Helper()
		asked = 0
		if _, _, err := Index(context.Background(), dir, pol); err != nil {
			t.Fatal(err)
		}
		if asked != want {
			t.Errorf("%s: asked %d times, want %d", why, asked, want)
		}
	}
	refresh(1, "no monitor")

	// a dead monitor's socket: a socket file nobody listens on
	l, err := net.Listen("unix", filepath.Join(cd, monitor.SocketName))
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	refresh(1, "a dead monitor's socket")
	os.Remove(filepath.Join(cd, monitor.SocketName))

	// a monitor starting: its lock held, no socket yet
	lock, err := os.OpenFile(filepath.Join(cd, monitor.LockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	refresh(0, "a monitor starting")
	unix.Flock(int(lock.Fd()), unix.LOCK_UN)
	lock.Close()

	startMonitor(t, dir)
	refresh(0, "a monitor running")
}
